"""Charts as deterministic SVG images with alt text.

Figures are rendered to SVG with a fixed hash salt and no date, so rebuilding gives the same
bytes; they are embedded as ``<img>`` data URIs (self-contained, isolated ids, real alt text).
Colours are Okabe-Ito (colour-blind safe) and every series also differs by marker or hatch, so
charts stay readable in grey scale. Data text (region names) is never parsed as mathtext.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from analysis.data import SEGMENTS, TOTAL  # noqa: E402
from analysis.messages import fmt_num, fmt_pct, t  # noqa: E402

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


def new_figure(width: float = 7.2, height: float = 3.6) -> tuple[Figure, plt.Axes]:
    """A figure outside pyplot's global state (no leaks across thousands of reports)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def to_svg(fig: Figure) -> bytes:
    buf = io.BytesIO()
    for text in fig.findobj(Text):
        text.set_parse_math(False)  # labels are data text: '$' is a dollar sign, never mathtext
    with matplotlib.rc_context(STYLE):
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


def _styled(ax: plt.Axes) -> None:
    with matplotlib.rc_context(STYLE):
        ax.grid(True, color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)


def _year_axes(ax: plt.Axes, lang: str, y_label: str, y_decimals: int) -> None:
    """Whole years along x; the y label (a message key) and numbers formatted for the language."""
    ax.set_xlabel(t("trend.axis.year", lang))
    ax.set_ylabel(t(y_label, lang))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_num(v, lang, y_decimals)))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


TARGET_MARKERS = ["*", "P", "X", "h"]
POINT_MARKERS = ["^", "v", "<", ">"]  # figures outside a series (never a target's marker)


def _mark_breaks_and_targets(ax: plt.Axes, break_years: Sequence[int], targets: Sequence[dict], lang: str,
                             guides: bool = False) -> None:
    """Numbered dashed lines before each break year; a marker (and optionally a guide line) per target."""
    for i, year in enumerate(sorted(set(break_years))):
        ax.axvline(year - 0.5, color=GREY, linestyle="--", linewidth=1)
        ax.annotate(str(i + 1), (year - 0.5, 1), xycoords=("data", "axes fraction"), ha="center", va="bottom",
                    fontsize=8, color=GREY)
    for i, target in enumerate(targets):
        if guides:
            ax.axhline(target["percent"], color=GREEN, linestyle=":", linewidth=0.8)
        ax.plot([target["year"]], [target["percent"]], TARGET_MARKERS[i % len(TARGET_MARKERS)], color=GREEN,
                markersize=11, zorder=5,
                label=t("trend.legend.target", lang, label=target["label"], value=fmt_pct(target["percent"] / 100, lang, 2)))


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
    it as separate markers, never joined to the line.
    """
    fig, ax = new_figure()
    _styled(ax)
    trend = table.dropna(subset=["cakupan_tren"])
    years = trend["tahun"].to_numpy()
    values = trend["cakupan_tren"].to_numpy() * 100
    synthetic = trend["sintetis"].to_numpy(dtype=bool)
    ax.plot(years, values, color=BLUE, linewidth=1.8, zorder=2)
    ax.plot(years[~synthetic], values[~synthetic], "o", color=BLUE, markersize=6, label=t("trend.legend.real", lang), zorder=3)
    if synthetic.any():
        ax.plot(years[synthetic], values[synthetic], "D", markerfacecolor="white", markeredgecolor=BLUE,
                markersize=6, label=t("trend.legend.sample", lang), zorder=3)
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
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def split_chart(table: pd.DataFrame, lang: str) -> Figure:
    """Participants by segment per year, stacked; totals without a split shown hatched grey."""
    fig, ax = new_figure(7.2, 3.2)
    _styled(ax)
    rows = table.dropna(subset=["peserta"])
    years = rows["tahun"].to_numpy()
    bottom = np.zeros(len(rows))
    has_split = rows[list(SEGMENTS)].notna().any(axis=1).to_numpy()
    split_sum = rows[list(SEGMENTS)].fillna(0).sum(axis=1).to_numpy() / 1e6
    for segment in [*SEGMENTS, TOTAL]:
        values = rows[segment].fillna(0).to_numpy() / 1e6
        if segment == TOTAL:  # a partial split never stands for the total: the rest is drawn as unsplit
            values = np.where(has_split, np.clip(values - split_sum, 0, None), values)
        if not values.any():
            continue
        colour, hatch = SEGMENT_STYLE[segment]
        ax.bar(years, values, bottom=bottom, color=colour, hatch=hatch, edgecolor="white", linewidth=0.5,
               label=t(f"segment.{segment}", lang))
        bottom += values
    ax.set_ylim(0, max(bottom.max(initial=0), 0.1) * 1.15)
    _year_axes(ax, lang, "split.axis.people", 1)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
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
    marker and dash so they stay apart in grey scale.
    """
    fig, ax = new_figure(7.2, 4.4 + 0.15 * len(lines))
    _styled(ax)
    trend = table.dropna(subset=["cakupan_tren"])
    years = trend["tahun"].to_numpy()
    values = trend["cakupan_tren"].to_numpy() * 100
    synthetic = trend["sintetis"].to_numpy(dtype=bool)
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
    ax.plot(years, values, color=BLUE, linewidth=1.8, zorder=3)
    ax.plot(years[~synthetic], values[~synthetic], "o", color=BLUE, markersize=5, label=t("trend.legend.real", lang), zorder=4)
    if synthetic.any():
        ax.plot(years[synthetic], values[synthetic], "D", markerfacecolor="white", markeredgecolor=BLUE, markersize=5,
                label=t("trend.legend.sample", lang), zorder=4)
    for i, (label, line_years, shares) in enumerate(lines):
        colour, marker, dash = SCENARIO_STYLE[i % len(SCENARIO_STYLE)]
        ax.plot(line_years, np.asarray(shares) * 100, linestyle=dash, marker=marker, markevery=4, color=colour,
                linewidth=1.4, markersize=5, label=label, zorder=3)
    _mark_breaks_and_targets(ax, break_years, targets, lang, guides=True)
    ax.set_ylim(0, max(100.0, float(np.nanmax([*values, *(forecast["hi95"] * 100), 0]))) * 1.05)
    ax.set_xlim(min([*years, *future]) - 0.7, max(future) + 0.7)
    _year_axes(ax, lang, "trend.axis.coverage", 0)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize=7.5, frameon=False, ncols=3)
    return fig
