"""Charts as deterministic SVG images with alt text.

Figures are rendered to SVG with a fixed hash salt and no date, so rebuilding gives the same
bytes; they are embedded as ``<img>`` data URIs (self-contained, isolated ids, real alt text).
Colours are Okabe-Ito (colour-blind safe) and every series also differs by marker or hatch, so
charts stay readable in grey scale. Data text (region names) is never parsed as mathtext.

A worker draws thousands of charts, so the report charts (trend, split, fan) are built once per
process and chart type: figure, axes, styles, fonts and tick objects stay, and each report only
replaces the data, limits and labels before drawing, and the legend when it differs from the last
one. Their layout is known, so margins are fixed (the left one follows the widest tick label)
instead of solved by constrained layout. Text is measured once per process (``analysis.pages.svg_text``).
Everything is drawn through the Figure's own canvas: importing this module never touches
pyplot or matplotlib's backend, so an analyst's ``plt.plot`` and ``%matplotlib inline`` keep working.
"""

from __future__ import annotations

import base64
import html
import io
import math
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.text import Text

from analysis.data.contract import SEGMENTS, TOTAL
from analysis.core.messages import fmt_num, fmt_pct, t
from analysis.pages.svg_text import shared_text, text_metrics

BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#6b6b6b"
SEGMENT_STYLE = {
    "PU": (BLUE, ""),
    "BPU": (ORANGE, "//"),
    "JAKON": (GREEN, ".."),
    "PMI": (PURPLE, "xx"),
    TOTAL: ("#bdbdbd", "\\\\"),
}
STYLE = {
    "svg.hashsalt": "cakupan",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "text.parse_math": False,
}

# Margins of the report charts in points (figure edge to axes), as constrained layout solved them
# for these charts: the left one is this plus the widest y tick label; a fan chart's bottom grows
# by one legend row (7.5 pt text) per three entries.
LEFT_PAD, RIGHT, BOTTOM, TOP, TOP_PLAIN = 24.0, 3.0, 34.0, 11.0, 3.0
FAN_BOTTOM, LEGEND_ROW, FAN_COLUMNS = 42.25, 11.25, 3

# Figures whose every text was made with mathtext off (``STYLE``), so drawing need not look for any.
_PLAIN_TEXT: weakref.WeakSet[Figure] = weakref.WeakSet()
_CHARTS: dict[tuple[str, float, float], tuple[Figure, Axes]] = {}


@contextmanager
def styled(extra: dict | None = None) -> Iterator[None]:
    """The charts' style (``STYLE``, plus ``extra``) for the length of a block.

    Only these settings are set and put back: ``matplotlib.rc_context`` copies and restores all of
    matplotlib's 300-odd settings, 0.4 ms each time, and a report entered it eight times.
    """
    style = {**STYLE, **(extra or {})}
    saved = {key: matplotlib.rcParams[key] for key in style}
    matplotlib.rcParams.update(style)
    try:
        yield
    finally:
        dict.update(matplotlib.rcParams, saved)  # as rc_context restores: the saved values were valid


def new_figure(width: float = 7.2, height: float = 3.6) -> tuple[Figure, Axes]:
    """A fresh figure with constrained layout, outside pyplot's global state (no leaks across thousands of reports)."""
    with styled():
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def _chart(kind: str, width: float, height: float) -> tuple[Figure, Axes]:
    """The process's figure for one chart type and size, emptied of the previous chart's data.

    Call inside ``styled()``. The figure is the same object on every call, so it must be
    drawn (``img_tag``, ``to_svg``) before the next chart of its type is made. Nothing of the last
    chart survives but the axes' fixed furniture and a legend that ``_legend`` keeps only when the
    next chart's would be the same, so a chart does not depend on what came before.
    """
    key = (kind, width, height)
    if key not in _CHARTS:
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        _styled(ax)
        _CHARTS[key] = fig, ax
        _PLAIN_TEXT.add(fig)
    fig, ax = _CHARTS[key]
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
        artist.remove()
    ax.set_prop_cycle(None)
    ax.relim()
    ax.set_autoscale_on(True)
    return fig, ax


# What a legend copies from each handle (matplotlib's legend handlers): two handles that agree on
# these look the same in a legend. Any other kind of handle makes its legend anew every time.
_LEGEND_LOOKS = {
    Line2D: ("color", "linestyle", "linewidth", "marker", "markersize", "markerfacecolor", "markeredgecolor", "markeredgewidth",
             "markevery", "drawstyle", "fillstyle", "alpha", "dash_capstyle", "solid_capstyle"),
    Patch: ("facecolor", "edgecolor", "hatch", "linewidth", "linestyle", "alpha", "fill"),
    PolyCollection: ("facecolor", "edgecolor", "hatch", "linewidth", "linestyle", "alpha"),
}
_LEGEND_KEYS: weakref.WeakKeyDictionary[Legend, str] = weakref.WeakKeyDictionary()


def _look(handle: object) -> tuple | None:
    for kind, props in _LEGEND_LOOKS.items():
        if isinstance(handle, kind):
            return type(handle).__name__, [getattr(handle, f"get_{prop}")() for prop in props]
    return None


def _legend(owner: Figure | Axes, handles: list, labels: list[str], **kwargs: object) -> Legend:
    """``owner.legend(handles, labels, **kwargs)``, kept from the previous chart on this figure when
    it would be the same (labels, handles' looks, options): most reports of a build share their
    legends, and making one was a tenth of a chart's set-up."""
    looks = [_look(h) for h in handles]
    key = repr((labels, looks, sorted(kwargs.items())))
    current = owner.legend_ if isinstance(owner, Axes) else next(iter(owner.legends), None)
    if current is not None and None not in looks and _LEGEND_KEYS.get(current) == key:
        return current
    if current is not None:
        current.remove()
    legend = owner.legend(handles, labels, **kwargs)
    _LEGEND_KEYS[legend] = key
    return legend


@lru_cache(maxsize=512)
def _text_width(text: str, size: float) -> float:
    """Width in points of one line of DejaVu Sans (tick labels: a few hundred distinct strings)."""
    return text_metrics(text, FontProperties(family="DejaVu Sans", size=size), False, 72.0)[0]


def _fix_margins(fig: Figure, ax: Axes, top: float = TOP, bottom: float = BOTTOM) -> None:
    """Fixed margins (points) once the limits are set: the left one fits the widest y tick label."""
    lo, hi = sorted(ax.get_ylim())
    locs = [v for v in ax.yaxis.get_majorticklocs() if lo - 1e-9 * (hi - lo) <= v <= hi + 1e-9 * (hi - lo)]
    labels = ax.yaxis.get_major_formatter().format_ticks(locs)
    size = FontProperties(size=matplotlib.rcParams["ytick.labelsize"]).get_size_in_points()
    left = LEFT_PAD + max((_text_width(label, size) for label in labels), default=0.0)
    width, height = fig.get_size_inches() * 72
    fig.subplots_adjust(left=left / width, right=1 - RIGHT / width, bottom=bottom / height, top=1 - top / height)


def to_svg(fig: Figure) -> bytes:
    buf = io.BytesIO()
    if fig not in _PLAIN_TEXT:
        for text in fig.findobj(Text):
            text.set_parse_math(False)  # labels are data text: '$' is a dollar sign, never mathtext
    with styled(), shared_text(fig):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def img_tag(fig: Figure, alt: str) -> str:
    """``<img>`` with the SVG inline as a data URI and the given alt text (escaped)."""
    svg = to_svg(fig)
    width, height = (int(v * 100) for v in fig.get_size_inches())
    data = base64.b64encode(svg).decode("ascii")
    return (
        f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt, quote=True)}" '
        f'width="{width}" height="{height}">'
    )


def _styled(ax: Axes) -> None:
    with styled():
        ax.grid(True, color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)


def _year_axes(ax: Axes, lang: str, y_label: str, y_decimals: int) -> None:
    """Whole years along x; the y label (a message key) and numbers formatted for the language."""
    ax.set_xlabel(t("trend.axis.year", lang))
    ax.set_ylabel(t(y_label, lang))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_num(v, lang, y_decimals)))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


TARGET_MARKERS = ["*", "P", "X", "h"]
POINT_MARKERS = ["^", "v", "<", ">"]  # figures outside a series (never a target's marker)


def _mark_breaks_and_targets(ax: Axes, break_years: Sequence[int], targets: Sequence[dict], lang: str,
                             guides: bool = False) -> None:
    """Numbered dashed lines before each break year; a marker (and optionally a guide line) per target."""
    for i, year in enumerate(sorted(set(break_years))):
        ax.axvline(year - 0.5, color=GREY, linestyle="--", linewidth=1)
        ax.annotate(str(i + 1), (year - 0.5, 1), xycoords=("data", "axes fraction"), ha="center", va="bottom",
                    fontsize=8, color=GREY)
    for i, target in enumerate(targets):
        if guides:  # axhline's line, added without widening the data limits (the caller sets the limits)
            ax.add_artist(Line2D([0, 1], [target["percent"]] * 2, transform=ax.get_yaxis_transform(which="grid"), color=GREEN,
                                 linestyle=":", linewidth=0.8))
        ax.plot([target["year"]], [target["percent"]], TARGET_MARKERS[i % len(TARGET_MARKERS)], color=GREEN,
                markersize=11, zorder=5,
                label=t("trend.legend.target", lang, label=target["label"], value=fmt_pct(target["percent"] / 100, lang, 2)))


def _observed(ax: Axes, years: np.ndarray, values: np.ndarray, synthetic: np.ndarray, lang: str, markersize: float,
              zorder: float) -> None:
    """The observed trend: one line, filled markers for real points, hollow diamonds for sample points."""
    ax.plot(years, values, color=BLUE, linewidth=1.8, zorder=zorder)
    ax.plot(years[~synthetic], values[~synthetic], "o", color=BLUE, markersize=markersize, label=t("trend.legend.real", lang),
            zorder=zorder + 1)
    if synthetic.any():
        ax.plot(years[synthetic], values[synthetic], "D", markerfacecolor="white", markeredgecolor=BLUE,
                markersize=markersize, label=t("trend.legend.sample", lang), zorder=zorder + 1)


def trend_chart(
    table: pd.DataFrame,
    lang: str,
    trend_measure: str,
    break_years: Sequence[int] = (),
    targets: Sequence[dict] = (),
    x_end: int | None = None,
    points: Sequence[tuple[float, float, str]] = (),
) -> Figure:
    """Coverage over time: real points filled, sample points hollow, breaks dashed, targets starred.

    ``points`` are figures outside the series (x in fractional years, percent, label): drawn beside
    it as separate markers, never joined to the line. The figure is reused by the next call: draw it first.
    """
    with styled():
        fig, ax = _chart("trend", 7.2, 3.6)
        trend = table.dropna(subset=["cakupan_tren"])
        years = trend["tahun"].to_numpy()
        values = trend["cakupan_tren"].to_numpy() * 100
        _observed(ax, years, values, trend["sintetis"].to_numpy(dtype=bool), lang, 6, 2)
        other = table[(table["ukuran_penyebut"] != trend_measure) & table["cakupan"].notna()]
        if not other.empty:
            measure = other["ukuran_penyebut"].iloc[-1]
            ax.plot(other["tahun"], other["cakupan"] * 100, "s", color=VERMILLION, markersize=7,
                    label=t("trend.legend.alt_denominator", lang, measure=t(f"measure.{measure}", lang)), zorder=4)
        for i, (x, value, label) in enumerate(points):
            ax.plot([x], [value], POINT_MARKERS[i % len(POINT_MARKERS)], color=VERMILLION, markerfacecolor="white",
                    markersize=8, label=label, zorder=4)
        _mark_breaks_and_targets(ax, break_years, targets, lang)
        top = max([*values, *(other["cakupan"] * 100 if not other.empty else []), *(p[1] for p in points), *(tg["percent"] for tg in targets), 10])
        ax.set_ylim(0, top * 1.1)
        if len(years):
            ax.set_xlim(min(years) - 0.7, max([*years, *(tg["year"] for tg in targets), x_end or 0]) + 0.7)
        _year_axes(ax, lang, "trend.axis.coverage", 0)
        # An opaque box: the dashed break lines and their numbers pass behind the legend, never through its text.
        _legend(ax, *ax.get_legend_handles_labels(), loc="upper left", fontsize=8, frameon=True, facecolor="white", edgecolor="none",
                framealpha=1).set_zorder(10)
        _fix_margins(fig, ax)
    return fig


def split_chart(table: pd.DataFrame, lang: str) -> Figure:
    """Participants by segment per year, stacked; totals without a split shown hatched grey.

    One collection of bars per segment (bars of no height are not drawn). The figure is reused by
    the next call: draw it first.
    """
    with styled():
        fig, ax = _chart("split", 7.2, 3.2)
        rows = table.dropna(subset=["peserta"])
        years = rows["tahun"].to_numpy(dtype=float)
        bottom = np.zeros(len(rows))
        has_split = rows[list(SEGMENTS)].notna().any(axis=1).to_numpy()
        split_sum = rows[list(SEGMENTS)].fillna(0).sum(axis=1).to_numpy() / 1e6
        handles = []
        for segment in [*SEGMENTS, TOTAL]:
            values = rows[segment].fillna(0).to_numpy() / 1e6
            if segment == TOTAL:  # a partial split never stands for the total: the rest is drawn as unsplit
                values = np.where(has_split, np.clip(values - split_sum, 0, None), values)
            if not values.any():
                continue
            colour, hatch = SEGMENT_STYLE[segment]
            shown = values != 0
            x0, x1 = years[shown] - 0.4, years[shown] + 0.4
            y0, y1 = bottom[shown], bottom[shown] + values[shown]
            bars = PolyCollection(np.stack([np.c_[x0, y0], np.c_[x0, y1], np.c_[x1, y1], np.c_[x1, y0]], axis=1),
                                  facecolors=colour, edgecolors="white", linewidths=0.5, hatch=hatch or None)
            ax.add_collection(bars)
            handles.append(Patch(facecolor=colour, edgecolor="white", linewidth=0.5, hatch=hatch or None,
                                 label=t(f"segment.{segment}", lang)))
            bottom += values
        ax.set_ylim(0, max(bottom.max(initial=0), 0.1) * 1.15)
        _year_axes(ax, lang, "split.axis.people", 1)
        _legend(ax, handles, [h.get_label() for h in handles], loc="upper left", fontsize=8, frameon=False)
        _fix_margins(fig, ax, top=TOP_PLAIN)
    return fig


SCENARIO_STYLE = [(ORANGE, "s", "--"), (VERMILLION, "^", "-."), (PURPLE, "v", ":"), (GREEN, "D", "--"),
                  (SKY, "P", "-."), (GREY, "X", ":")]


def fan_chart(
    table: pd.DataFrame,
    forecast: pd.DataFrame,
    lang: str,
    targets: Sequence[dict] = (),
    break_years: Sequence[int] = (),
    lines: Sequence[tuple[str, np.ndarray, np.ndarray]] = (),
) -> Figure:
    """Trend coverage and its forecast: median dashed, 80% band dark, 95% band light and hatched.

    ``forecast`` is indexed by year with columns median, lo80, hi80, lo95, hi95 (shares);
    ``lines`` are extra medians (label, years, shares), e.g. scenarios, each with its own colour,
    marker and dash so they stay apart in grey scale. The figure is reused by the next call of the
    same size: draw it first.
    """
    with styled():
        fig, ax = _chart("fan", 7.2, 4.4 + 0.15 * len(lines))
        trend = table.dropna(subset=["cakupan_tren"])
        years = trend["tahun"].to_numpy()
        values = trend["cakupan_tren"].to_numpy() * 100
        future = forecast.index.to_numpy()
        if len(years):
            # The bands start at the last observation so the fan visibly grows out of the data.
            join = lambda column: np.concatenate([[values[-1]], forecast[column].to_numpy() * 100])  # noqa: E731
            x = np.concatenate([[years[-1]], future])
        else:
            join = lambda column: forecast[column].to_numpy() * 100  # noqa: E731
            x = future
        ax.fill_between(x, join("lo95"), join("hi95"), facecolor=SKY, alpha=0.25, hatch="//", edgecolor=SKY,
                        linewidth=0, label=t("forecast.legend.band95", lang))
        ax.fill_between(x, join("lo80"), join("hi80"), facecolor=BLUE, alpha=0.35, linewidth=0,
                        label=t("forecast.legend.band80", lang))
        ax.plot(x, join("median"), "--", color=BLUE, linewidth=1.8, label=t("forecast.legend.median", lang))
        _observed(ax, years, values, trend["sintetis"].to_numpy(dtype=bool), lang, 5, 3)
        for i, (label, line_years, shares) in enumerate(lines):
            colour, marker, dash = SCENARIO_STYLE[i % len(SCENARIO_STYLE)]
            ax.plot(line_years, np.asarray(shares) * 100, linestyle=dash, marker=marker, markevery=4, color=colour,
                    linewidth=1.4, markersize=5, label=label, zorder=3)
        _mark_breaks_and_targets(ax, break_years, targets, lang, guides=True)
        ax.set_ylim(0, max(100.0, float(np.nanmax([*values, *(forecast["hi95"] * 100), 0]))) * 1.05)
        ax.set_xlim(min([*years, *future]) - 0.7, max(future) + 0.7)
        _year_axes(ax, lang, "trend.axis.coverage", 0)
        handles, labels = ax.get_legend_handles_labels()
        _legend(fig, handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0), fontsize=7.5, frameon=False, ncols=FAN_COLUMNS)
        _fix_margins(fig, ax, bottom=FAN_BOTTOM + LEGEND_ROW * math.ceil(len(handles) / FAN_COLUMNS))
    return fig
