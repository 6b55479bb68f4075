"""Charts as deterministic SVG images with alt text.

Figures are rendered to SVG with a fixed hash salt and no date, so rebuilding gives the same
bytes; they are embedded as ``<img>`` data URIs (self-contained, isolated ids, real alt text).
Colours are Okabe-Ito (colour-blind safe) and every series also differs by marker or hatch, so
charts stay readable in grey scale. Data text (region names) is never parsed as mathtext.
Every image says inside itself what it is (``heading``: title, the data's years, the source, and
"sample data" when mostly sample), and draws sample values hollow or hatched as the data's
``sintetis`` flags say (docs/charts.md).

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
# The heading above every chart: two lines (what it is; the data's period and the source) and, on
# a chart drawn mostly from sample data, "sample data" at the top right. HEADING is its height.
HEADING, HEADING_SIZE, LABEL_SIZE, LABEL_GAP = 27.0, 8.5, 7.5, 9.5
SHORT_AFTER = 3  # the trend chart's forecast runs at least this many years past the data
SAMPLE_SIGN = "◇"  # the pages' mark of a value resting on sample data

# Figures whose every text was made with mathtext off (``STYLE``), so drawing need not look for any.
_PLAIN_TEXT: weakref.WeakSet[Figure] = weakref.WeakSet()
_CHARTS: dict[tuple[str, float, float], tuple[Figure, Axes]] = {}
_HEADINGS: weakref.WeakKeyDictionary[Figure, tuple[Text, Text, str]] = weakref.WeakKeyDictionary()


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


def _fix_margins(fig: Figure, ax: Axes, top: float = TOP, bottom: float = BOTTOM, right: float = RIGHT) -> None:
    """Fixed margins (points) once the limits are set: the left one fits the widest y tick label."""
    lo, hi = sorted(ax.get_ylim())
    locs = [v for v in ax.yaxis.get_majorticklocs() if lo - 1e-9 * (hi - lo) <= v <= hi + 1e-9 * (hi - lo)]
    labels = ax.yaxis.get_major_formatter().format_ticks(locs)
    size = FontProperties(size=matplotlib.rcParams["ytick.labelsize"]).get_size_in_points()
    left = LEFT_PAD + max((_text_width(label, size) for label in labels), default=0.0)
    width, height = fig.get_size_inches() * 72
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)


def mostly_sample(flags: Sequence[bool] | np.ndarray) -> bool:
    """A chart is marked "sample data" inside the image when more than half of what it draws is sample."""
    flags = np.asarray(flags, dtype=bool)
    return bool(flags.size) and flags.mean() > 0.5


def period_text(lang: str, years: Sequence[int] | np.ndarray, forecast_end: int | None = None) -> str:
    """'data 2015–2023 · prakiraan hingga 2030': which years a chart draws (``years`` in order)."""
    parts = []
    if len(years):
        first, last = int(years[0]), int(years[-1])
        parts.append(t("chart.period", lang, years=str(first) if first == last else f"{first}–{last}"))
    if forecast_end is not None:
        parts.append(t("chart.period.forecast", lang, end=forecast_end))
    return " · ".join(parts)


def heading(fig: Figure, lang: str, title: str, period: str, sample: bool, source: str = "") -> None:
    """What the chart is, inside the image: the title, the data's period and the source (``source``,
    e.g. a map's boundaries, on a line of its own), and "sample data" at the top right when the chart
    is drawn mostly from sample data, so a pasted chart still says what it shows (``img_tag`` then
    says so in the alt text too). A reused figure keeps its two texts and gets new words."""
    note = " · ".join(part for part in (period, t("chart.source", lang)) if part) + (f"\n{source}" if source else "")
    stamp = f"{SAMPLE_SIGN} {t('banner.sample.short', lang).upper()}" if sample else ""
    said = t("chart.alt.sample", lang) if sample else ""
    if fig in _HEADINGS:
        head, mark, _ = _HEADINGS[fig]
        head.set_text(f"{title}\n{note}")
        mark.set_text(stamp)
    else:
        if fig.get_layout_engine() is not None:  # constrained layout keeps room for a suptitle, not for a plain text
            head = fig.suptitle(f"{title}\n{note}", x=0.01, ha="left", va="top", fontsize=HEADING_SIZE, linespacing=1.3)
        else:
            head = fig.text(0.01, 1 - 3 / (fig.get_figheight() * 72), f"{title}\n{note}", ha="left", va="top",
                            fontsize=HEADING_SIZE, linespacing=1.3)
        mark = fig.text(0.99, head.get_position()[1], stamp, ha="right", va="top", fontsize=HEADING_SIZE, fontweight="bold",
                        color=VERMILLION)
    _HEADINGS[fig] = head, mark, said


def short_end(last_year: int, targets: Sequence[dict], horizon: int) -> int:
    """Where the trend chart's short forecast ends: the year after the first target still ahead of the
    data (RPJMN 2029: 2030), at least ``SHORT_AFTER`` years past the data, never past the horizon."""
    ahead = [tg["year"] for tg in targets if tg["year"] > last_year]
    return min(horizon, max(last_year + SHORT_AFTER, min(ahead, default=last_year) + 1))


def same_lines(lines: Sequence[tuple[str, np.ndarray, np.ndarray]]) -> list[list[int]]:
    """Groups of lines (indices, in order) that coincide at every year: drawn once, labelled together."""
    groups: list[list[int]] = []
    for i, (_, years, values) in enumerate(lines):
        for group in groups:
            _, other_years, other = lines[group[0]]
            if np.array_equal(years, other_years) and np.allclose(values, other, rtol=0, atol=1e-9):
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def _spread(ys: Sequence[float], gap: float, lo: float, hi: float) -> list[float]:
    """Label positions near ``ys`` (sorted ascending), at least ``gap`` apart, within [lo, hi]."""
    out: list[float] = []
    for y in ys:
        out.append(max(y, lo, out[-1] + gap if out else lo))
    over = out[-1] - hi if out else 0
    if over > 0:  # pushed past the top: shift down, keeping the gaps
        out = [y - over for y in out]
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    return out


def _end_labels(fig: Figure, ax: Axes, ends: list[tuple[str, float, str]], x: float) -> None:
    """Direct labels at the right end of the lines (text, end value, colour), spread so none overlaps,
    each joined to its line by a short leader (call once the margins are fixed)."""
    height = fig.get_figheight() * 72 * (ax.get_position().height or 0.7)
    lo, hi = ax.get_ylim()
    gap = LABEL_GAP * (hi - lo) / height
    order = sorted(range(len(ends)), key=lambda i: ends[i][1])
    placed = _spread([ends[i][1] for i in order], gap, lo + gap / 2, hi - gap / 2)
    for i, y in zip(order, placed):
        text, value, colour = ends[i]
        ax.add_artist(Line2D([x, x + 0.5], [value, y], color=colour, linewidth=0.6, clip_on=False))
        ax.text(x + 0.6, y, text, fontsize=LABEL_SIZE, color="#222222", ha="left", va="center", clip_on=False)


def to_svg(fig: Figure) -> bytes:
    buf = io.BytesIO()
    if fig not in _PLAIN_TEXT:
        for text in fig.findobj(Text):
            text.set_parse_math(False)  # labels are data text: '$' is a dollar sign, never mathtext
    with styled(), shared_text(fig):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def img_tag(fig: Figure, alt: str) -> str:
    """``<img>`` with the SVG inline as a data URI and the given alt text (escaped), which says
    "mostly sample data" when the image does (``heading``)."""
    said = _HEADINGS[fig][2] if fig in _HEADINGS else ""
    alt = f"{alt} {said}" if said else alt
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


def _forecast_band(ax: Axes, x: np.ndarray, join, lang: str, band95: bool = True) -> None:  # noqa: ANN001 - join: column -> values
    """The forecast's bands (95% light and hatched, 80% dark) and its dashed median."""
    if band95:
        ax.fill_between(x, join("lo95"), join("hi95"), facecolor=SKY, alpha=0.25, hatch="//", edgecolor=SKY,
                        linewidth=0, label=t("forecast.legend.band95", lang))
    ax.fill_between(x, join("lo80"), join("hi80"), facecolor=BLUE, alpha=0.35, linewidth=0,
                    label=t("forecast.legend.band80", lang))
    ax.plot(x, join("median"), "--", color=BLUE, linewidth=1.8, label=t("forecast.legend.median", lang))


def _joined(years: np.ndarray, values: np.ndarray, forecast: pd.DataFrame) -> tuple[np.ndarray, object]:
    """x of the forecast and a column reader that starts at the last observation, so the fan grows out of the data."""
    future = forecast.index.to_numpy()
    if not len(years):
        return future, lambda column: forecast[column].to_numpy() * 100
    return (np.concatenate([[years[-1]], future]),
            lambda column: np.concatenate([[values[-1]], forecast[column].to_numpy() * 100]))


def trend_chart(
    table: pd.DataFrame,
    lang: str,
    trend_measure: str,
    break_years: Sequence[int] = (),
    targets: Sequence[dict] = (),
    x_end: int | None = None,
    points: Sequence[tuple[float, float, str]] = (),
    forecast: pd.DataFrame | None = None,
    title: str = "",
) -> Figure:
    """Coverage over time: real points filled, sample points hollow, breaks dashed, targets starred;
    with ``forecast`` (indexed by year: median, lo80, hi80 as shares) its median and 80% band up to ``x_end``.

    The x-axis ends at ``x_end`` (the short view: see ``short_end``), so the observed years fill the
    chart; targets after it are left to the long view (without ``x_end`` it ends at the last target).
    ``points`` are figures outside the series (x in fractional years, percent, label): drawn beside
    it as separate markers, never joined to the line. The figure is reused by the next call: draw it first.
    """
    with styled():
        fig, ax = _chart("trend", 7.2, 3.6 + HEADING / 72)
        trend = table.dropna(subset=["cakupan_tren"])
        years = trend["tahun"].to_numpy()
        values = trend["cakupan_tren"].to_numpy() * 100
        synthetic = trend["sintetis"].to_numpy(dtype=bool)
        end = max([*years, *([x_end] if x_end else [tg["year"] for tg in targets])], default=None)
        shown = forecast[forecast.index <= end] if forecast is not None else None
        if shown is not None and not shown.empty:
            x, join = _joined(years, values, shown)
            _forecast_band(ax, x, join, lang, band95=False)
        _observed(ax, years, values, synthetic, lang, 6, 2)
        other = table[(table["ukuran_penyebut"] != trend_measure) & table["cakupan"].notna()]
        if not other.empty:
            measure = other["ukuran_penyebut"].iloc[-1]
            ax.plot(other["tahun"], other["cakupan"] * 100, "s", color=VERMILLION, markersize=7,
                    label=t("trend.legend.alt_denominator", lang, measure=t(f"measure.{measure}", lang)), zorder=4)
        for i, (x, value, label) in enumerate(points):
            ax.plot([x], [value], POINT_MARKERS[i % len(POINT_MARKERS)], color=VERMILLION, markerfacecolor="white",
                    markersize=8, label=label, zorder=4)
        targets = [tg for tg in targets if end is None or tg["year"] <= end]  # later ones: the long view
        _mark_breaks_and_targets(ax, break_years, targets, lang)
        band = shown["hi80"] * 100 if shown is not None else []
        top = max([*values, *(other["cakupan"] * 100 if not other.empty else []), *(p[1] for p in points),
                   *(tg["percent"] for tg in targets), *band, 10])
        ax.set_ylim(0, top * 1.1)
        if len(years):
            ax.set_xlim(min(years) - 0.7, end + 0.7)
        _year_axes(ax, lang, "trend.axis.coverage", 0)
        # An opaque box: the dashed break lines and their numbers pass behind the legend, never through its text.
        _legend(ax, *ax.get_legend_handles_labels(), loc="upper left", fontsize=8, frameon=True, facecolor="white", edgecolor="none",
                framealpha=1).set_zorder(10)
        heading(fig, lang, title, period_text(lang, years, int(shown.index[-1]) if shown is not None and not shown.empty else None),
                mostly_sample(synthetic))
        _fix_margins(fig, ax, top=TOP + HEADING)
    return fig


def _bars(ax: Axes, x: np.ndarray, y0: np.ndarray, y1: np.ndarray, colour: str, hatch: str, hollow: bool) -> None:
    """One collection of bars (quadrilaterals): filled, or hollow with a coloured outline and hatch (sample data)."""
    if not len(x):
        return
    quads = np.stack([np.c_[x - 0.4, y0], np.c_[x - 0.4, y1], np.c_[x + 0.4, y1], np.c_[x + 0.4, y0]], axis=1)
    style = ({"facecolors": "white", "edgecolors": colour, "linewidths": 0.9, "hatchcolor": colour} if hollow
             else {"facecolors": colour, "edgecolors": "white", "linewidths": 0.5})
    ax.add_collection(PolyCollection(quads, hatch=hatch or None, **style))


def split_chart(table: pd.DataFrame, lang: str, title: str = "") -> Figure:
    """Participants by segment per year, stacked; totals without a split shown hatched grey; bars of
    sample years (``sintetis_peserta``) hollow, and the legend says so.

    One collection of bars per segment and kind (bars of no height are not drawn). The figure is
    reused by the next call: draw it first.
    """
    with styled():
        fig, ax = _chart("split", 7.2, 3.2 + HEADING / 72)
        rows = table.dropna(subset=["peserta"])
        years = rows["tahun"].to_numpy(dtype=float)
        sample = rows["sintetis_peserta"].to_numpy(dtype=bool)
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
            for hollow in (False, True):
                shown = (values != 0) & (sample == hollow)
                _bars(ax, years[shown], bottom[shown], bottom[shown] + values[shown], colour, hatch, hollow)
            handles.append(Patch(facecolor=colour, edgecolor="white", linewidth=0.5, hatch=hatch or None,
                                 label=t(f"segment.{segment}", lang)))
            bottom += values
        if (sample & (bottom > 0)).any():
            handles.append(Patch(facecolor="white", edgecolor=GREY, linewidth=0.9, label=t("trend.legend.sample", lang)))
        ax.set_ylim(0, max(bottom.max(initial=0), 0.1) * 1.15)
        _year_axes(ax, lang, "split.axis.people", 1)
        _legend(ax, handles, [h.get_label() for h in handles], loc="upper left", fontsize=8, frameon=False)
        drawn = bottom > 0
        heading(fig, lang, title, period_text(lang, years[drawn]), mostly_sample(sample[drawn]))
        _fix_margins(fig, ax, top=TOP_PLAIN + HEADING)
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
    title: str = "",
    lines_sample: bool = False,
) -> Figure:
    """The long view: trend coverage and its forecast to the horizon, median dashed, 80% band dark,
    95% band light and hatched.

    ``forecast`` is indexed by year with columns median, lo80, hi80, lo95, hi95 (shares). With
    ``lines`` (label, years, shares: e.g. scenarios) it compares them with the baseline median
    instead, without bands: each line has its own colour, marker and dash, and a direct label at
    its end (with its end value, ◇ when ``lines_sample``); lines that coincide are drawn once and
    labelled together. The figure is reused by the next call of the same kind: draw it first.
    """
    with styled():
        fig, ax = _chart("scenarios" if lines else "fan", 7.2, 4.4 + HEADING / 72)
        trend = table.dropna(subset=["cakupan_tren"])
        years = trend["tahun"].to_numpy()
        values = trend["cakupan_tren"].to_numpy() * 100
        synthetic = trend["sintetis"].to_numpy(dtype=bool)
        future = forecast.index.to_numpy()
        x, join = _joined(years, values, forecast)
        if lines:
            ax.plot(x, join("median"), "--", color=BLUE, linewidth=1.8, label=t("forecast.legend.median", lang))
        else:
            _forecast_band(ax, x, join, lang)
        _observed(ax, years, values, synthetic, lang, 5, 3)
        ends = []
        if lines:
            base = float(join("median")[-1])
            ends.append((f"{t('chart.lines.baseline', lang)} {_pct_label(base, lang, lines_sample)}", base, BLUE))
        for group in same_lines(lines):
            label, line_years, shares = lines[group[0]]
            colour, marker, dash = SCENARIO_STYLE[group[0] % len(SCENARIO_STYLE)]
            shares = np.asarray(shares) * 100
            ax.plot(line_years, shares, linestyle=dash, marker=marker, markevery=4, color=colour, linewidth=1.4, markersize=5,
                    zorder=3)
            names = [lines[i][0] for i in group]
            name = t("chart.lines.same", lang, names=" = ".join(names)) if len(names) > 1 else label
            ends.append((f"{name} {_pct_label(float(shares[-1]), lang, lines_sample)}", float(shares[-1]), colour))
        _mark_breaks_and_targets(ax, break_years, targets, lang, guides=True)
        drawn = [*values, *join("median"), *(end[1] for end in ends), *(tg["percent"] for tg in targets)]
        top = max(drawn, default=10.0) if lines else max(100.0, float(np.nanmax([*values, *(forecast["hi95"] * 100), 0])))
        ax.set_ylim(0, top * 1.05)
        ax.set_xlim(min([*years, *future]) - 0.7, max(future) + 0.7)
        _year_axes(ax, lang, "trend.axis.coverage", 0)
        handles, labels = ax.get_legend_handles_labels()
        _legend(fig, handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0), fontsize=7.5, frameon=False, ncols=FAN_COLUMNS)
        heading(fig, lang, title, period_text(lang, years, int(future[-1])), mostly_sample(synthetic))
        right = 12 + max((_text_width(text, LABEL_SIZE) for text, _, _ in ends), default=RIGHT - 12)
        _fix_margins(fig, ax, top=TOP + HEADING, bottom=FAN_BOTTOM + LEGEND_ROW * math.ceil(len(handles) / FAN_COLUMNS), right=right)
        if ends:
            _end_labels(fig, ax, ends, float(max(future)))
    return fig


def _pct_label(percent: float, lang: str, sample: bool) -> str:
    return fmt_pct(percent / 100, lang) + (f" {SAMPLE_SIGN}" if sample else "")
