"""The monthly series of active participants on a region's page (the national page today).

The chart draws the months as they are (a line through consecutive months, sample months hollow),
with its title, period and source inside the image, so a pasted chart still says what it is; the
table lists every month with its source; a sentence says where the latest December stands against
the months around it (:func:`analysis.model.monthly.december_peak`).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.core.messages import fmt_int, fmt_num, fmt_pct, fmt_period, t
from analysis.model.facts import RegionFacts
from analysis.model.monthly import MIN_MONTHS, december_peak, latest_run, monthly_series
from analysis.pages import charts
from analysis.pages.markup import Html, data_table, esc, header_cells, mark, section


def _millions(value: float, lang: str) -> str:
    return t("monthly.millions", lang, value=fmt_num(value / 1e6, lang, 2))


def monthly_chart(series: pd.DataFrame, lang: str) -> Figure:
    """Active participants by month (millions): a line through consecutive months, a marker at each (hollow: sample)."""
    fig, ax = charts.new_figure(7.2, 3.2)
    x = series["tahun"].to_numpy() + (series["bulan"].to_numpy() - 1) / 12
    y = series["peserta"].to_numpy() / 1e6
    sample = series["sintetis"].to_numpy(dtype=bool)
    with charts.styled():
        charts._styled(ax)
        runs = np.split(np.arange(len(x)), np.flatnonzero(np.diff(np.round(x * 12)) > 1) + 1)
        for run in runs:
            ax.plot(x[run], y[run], color=charts.BLUE, linewidth=1.6)
        ax.plot(x[~sample], y[~sample], "o", color=charts.BLUE, markersize=3.5, label=t("trend.legend.real", lang))
        if sample.any():
            ax.plot(x[sample], y[sample], "o", markerfacecolor="white", color=charts.BLUE, markersize=3.5,
                    label=t("trend.legend.sample", lang))
        for i in np.flatnonzero(series["bulan"].to_numpy() == 12):
            ax.annotate(fmt_num(y[i], lang, 2), (x[i], y[i]), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7.5)
        ax.set_ylabel(t("monthly.axis", lang))
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_num(v, lang, 0)))
        ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(1))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: str(int(round(v)))))
        first, last = fmt_period(series["periode"].iloc[0], lang), fmt_period(series["periode"].iloc[-1], lang)
        ax.set_title(t("monthly.chart.title", lang, first=first, last=last), fontsize=9, loc="left")
        sources = ", ".join(dict.fromkeys(series["sumber"]))
        ax.set_xlabel(t("monthly.chart.source", lang, sources=sources), fontsize=6.5, color=charts.GREY, loc="left")
        ax.legend(loc="upper left", fontsize=7.5, frameon=True, framealpha=0.95, edgecolor="#cccccc")
    return fig


def _peak_values(peak: dict, lang: str) -> dict:
    """The December figure and its neighbours as the sentence and the alt text say them (◇ where sample)."""
    december = peak["december"]["peserta"]
    out = {"value": _millions(december, lang) + mark(peak["december"]["sintetis"]),
           "december": fmt_period(peak["december"]["periode"], lang)}
    for name in ("before", "after"):
        row = peak[name]
        out |= {name: fmt_period(row["periode"], lang), f"{name}_value": _millions(row["peserta"], lang) + mark(row["sintetis"]),
                f"rise_{name}": fmt_pct(december / row["peserta"] - 1, lang) + mark(peak["sintetis"])}
    return out


def monthly_block(f: RegionFacts, lang: str) -> Html:
    """The ``monthly`` section: chart, the December sentence and the table; empty with fewer than MIN_MONTHS months."""
    series = latest_run(monthly_series(f.ds, f.code))
    if len(series) < MIN_MONTHS:
        return Html("")
    first, last = fmt_period(series["periode"].iloc[0], lang), fmt_period(series["periode"].iloc[-1], lang)
    peak = december_peak(series)
    values = _peak_values(peak, lang) if peak else {}
    alt = t("monthly.alt", lang, first=first, last=last, **values) if peak else t("monthly.alt.plain", lang, first=first, last=last)
    body = f"<p>{esc(t('monthly.lead', lang, first=first, last=last))}</p>"
    if peak and peak["peak"]:
        body += f'<p class="note">{esc(t("monthly.peak", lang, **values))}</p>'
    body += f"<figure>{charts.img_tag(monthly_chart(series, lang), alt)}</figure>"
    rows = "".join(f'<tr><th scope="row">{esc(fmt_period(r.periode, lang))}</th><td class="num">{fmt_int(r.peserta, lang)}{mark(r.sintetis)}</td>'
                   f'<td class="src">{esc(r.sumber)}</td></tr>' for r in series.itertuples())
    head = header_cells(lang, ("monthly.col.month", "monthly.col.people", "monthly.col.source"))
    table = f'<details><summary>{esc(t("monthly.caption", lang))}</summary>{data_table(t("monthly.caption", lang), head, rows)}</details>'
    return section("monthly.title", lang, body + table)
