"""Questions analysts ask between reports (``notebooks/explore.ipynb``): chosen regions side by
side, and the scenario levers moved by hand.

Everything is computed by the same code as the reports (``RegionReport``: coverage, forecast,
scenarios), shown as page blocks (styled in JupyterLab as on the published page) and returned as
DataFrames; values resting on sample rows are marked ◇ and bring the sample banner.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.model import forecast as fc
from analysis.pages import frames
from analysis.pages import charts
from analysis.model import scenarios as sc
from analysis.pages.markup import Html, column_headers, data_table, esc, header_cells, mark
from analysis.core.messages import LANGUAGES, fmt_int, fmt_pct, fmt_pp, t, t_each
from analysis.pages.region_page import RegionReport


def _check_report(report: object, what: str = "report") -> RegionReport:
    if not isinstance(report, RegionReport):
        raise TypeError(t_each("workbench.arg.report", what=what, kind=type(report).__name__))
    return report


def _check_reports(reports: object) -> list[RegionReport]:
    if isinstance(reports, RegionReport) or not isinstance(reports, (list, tuple)):
        raise TypeError(t_each("workbench.arg.reports", what="reports", kind=type(reports).__name__))
    return [_check_report(r, f"reports[{i}]") for i, r in enumerate(reports)]


def _check_lang(lang: object) -> str:
    if lang not in LANGUAGES:
        raise ValueError(t_each("workbench.param.lang", value=lang, languages=", ".join(LANGUAGES)))
    return lang  # type: ignore[return-value]


def parse_codes(text: str) -> list[str]:
    """``"32, 31 32.73"`` as ``["32", "31", "32.73"]`` (commas or spaces; order kept, repeats dropped);
    text without a code is refused (a notebook would otherwise compare nothing in silence)."""
    if not isinstance(text, str):
        raise TypeError(t_each("workbench.param.text", name="regions", value=text, kind=type(text).__name__))
    codes = list(dict.fromkeys(code for code in text.replace(",", " ").split() if code))
    if not codes:
        raise ValueError(t_each("workbench.arg.no_regions", value=text))
    return codes


def load_reports(codes: list[str], lang: str, params_path: str | None = None, data_dir: str | None = None) -> list[RegionReport]:
    """The report of each code in ``lang`` (each checked as ``RegionReport.load`` checks it: an unknown
    code is refused with what was perhaps meant)."""
    codes = parse_codes(codes) if isinstance(codes, str) else codes
    return [RegionReport.load(code, params_path, lang, data_dir) for code in codes]


def _first_target(report: RegionReport) -> tuple[dict, fc.TargetYear]:
    return report.target_years[0]


def comparison(reports: list[RegionReport]) -> pd.DataFrame:
    """One row per region: latest complete year, coverage, participants, denominator, recent pace,
    the forecast in the first target's year and the year the median path reaches that target.
    ``sintetis*`` (the latest year, its participants and denominator), ``sintetis_laju`` (the pace) and ``sintetis_prakiraan`` (the forecast
    and the year reached) say which values rest on sample rows, from the region's facts as on its page."""
    rows = []
    for report in _check_reports(reports):
        summary = report.summary()
        latest = summary.get("latest") or {}
        recent = (summary.get("pace") or {}).get("recent") or {}
        target, ty = _first_target(report)
        forecast = frames.forecast(summary).set_index("tahun") if report.outlook.ok else pd.DataFrame()
        rows.append({
            "kode": report.code, "nama": report.name, "tingkat": report.level,
            "tahun": latest.get("tahun"), "cakupan": latest.get("cakupan"), "sintetis": bool(latest.get("sintetis")),
            "sintetis_peserta": bool(latest.get("sintetis_peserta")), "sintetis_pekerja": bool(latest.get("sintetis_pekerja")),
            "peserta": latest.get("peserta"), "penyebut": latest.get("penyebut"),
            "poin_per_tahun": recent.get("points_per_year"),
            "target": target["id"], "target_tahun": target["year"],
            "prakiraan_median": forecast["median"].get(target["year"]) if not forecast.empty else None,
            "tahun_tercapai": ty.year, "sintetis_laju": bool(recent.get("sintetis")),
            "sintetis_prakiraan": bool((summary.get("forecast") or {}).get("sintetis")),
        })
    return frames.tidy(pd.DataFrame(rows))


def _banner(reports: list[RegionReport]) -> str:
    """The sample banner of the first report that uses sample rows (the page's own wording)."""
    return next((str(r.banner()) for r in reports if r.uses_sample), "")


def comparison_table(reports: list[RegionReport], lang: str) -> Html:
    """The comparison as a page block: a table, then the trend coverage of every region in one chart."""
    frame, lang = comparison(reports), _check_lang(lang)
    if frame.empty:
        return Html("")
    target, _ = _first_target(reports[0])
    head = header_cells(lang, ("index.col.name", "index.col.period", "index.col.coverage", "headline.participants",
                               "headline.denominator", "pace.col.points"))
    head += column_headers([t("scenarios.col.coverage", lang, year=target["year"]), t("scenarios.col.year", lang, label=target["label"])])
    horizon = reports[0].forecast_end
    rows = "".join(
        f'<tr><th scope="row">{esc(r.nama)} <span class="muted">({esc(r.kode)})</span></th>'
        f'<td>{"" if pd.isna(r.tahun) else int(r.tahun)}</td>'
        f'<td class="num">{esc(fmt_pct(r.cakupan, lang))}{mark(r.sintetis)}</td>'
        f'<td class="num">{fmt_int(r.peserta, lang)}{mark(r.sintetis_peserta)}</td><td class="num">{fmt_int(r.penyebut, lang)}{mark(r.sintetis_pekerja)}</td>'
        f'<td class="num">{esc(fmt_pp(r.poin_per_tahun, lang, 2))}{mark(r.sintetis_laju)}</td>'
        f'<td class="num">{esc(fmt_pct(r.prakiraan_median, lang))}{mark(r.sintetis_prakiraan)}</td>'
        f'<td>{esc(_reached(report, lang, horizon))}{mark(r.sintetis_prakiraan)}</td></tr>'
        for r, report in zip(frame.itertuples(), reports)
    )
    table = data_table(t("explore.compare.caption", lang), head, rows)
    chart = charts.img_tag(comparison_chart(reports, lang), t("explore.compare.alt", lang, regions=", ".join(frame["nama"])))
    body = f"<p>{esc(t('explore.compare.lead', lang))}</p>{table}<figure>{chart}</figure>"
    over = above_100(reports)
    if over:
        regions = ", ".join(f"{name} {fmt_pct(lo / 100, lang, 0)}–{fmt_pct(hi / 100, lang, 0)}" for name, lo, hi in over)
        body += f'<p class="note">{esc(t("explore.compare.over100", lang, regions=regions))} {esc(t("headline.over100", lang))}</p>'
    return Html(f'{_banner(reports)}<section class="block" id="banding"><h2>{esc(t("explore.compare.title", lang))}</h2>{body}</section>')


def _reached(report: RegionReport, lang: str, horizon: int) -> str:
    """The year the median path reaches the first target, as the report's scenario table words it."""
    _, ty = _first_target(report)
    if ty.reason:
        return "–"
    return str(ty.year) if ty.year is not None else t("scenarios.not_by", lang, horizon=horizon)


def _series(reports: list[RegionReport]) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(name, years, trend coverage in percent, sample flags) of each region."""
    out = []
    for report in reports:
        trend = report.table.dropna(subset=["cakupan_tren"])
        out.append((report.name, trend["tahun"].to_numpy(), trend["cakupan_tren"].to_numpy() * 100,
                    trend["sintetis"].to_numpy(dtype=bool)))
    return out


def above_100(reports: list[RegionReport]) -> list[tuple[str, float, float]]:
    """(name, lowest, highest trend coverage in percent) of the regions whose ratio passes 100%."""
    return [(name, float(values.min()), float(values.max())) for name, _, values, _ in _series(reports)
            if len(values) and values.max() > 100]


def comparison_chart(reports: list[RegionReport], lang: str):  # noqa: ANN201 - a matplotlib Figure
    """Trend coverage of each region (one denominator per series), sample points hollow.

    When ratios above 100% (DKI Jakarta: participants counted where employers register, workers
    where they live) would squash the other regions into the bottom of the chart, the y axis is
    broken: a lower panel up to the others' highest value, an upper one around the ratios above 100%.
    Nothing is clipped: every value is drawn in one panel or the other.
    """
    series = _series(reports)
    high = [values.max() for _, _, values, _ in series if len(values) and values.max() > 100]
    low = [values.max() for _, _, values, _ in series if len(values) and values.max() <= 100]
    broken = bool(high and low and max(low) < 0.6 * min(v.min() for _, _, v, _ in series if len(v) and v.max() > 100))
    fig, ax = charts.new_figure(7.2, 4.0)
    axes = [ax]
    if broken:
        fig.delaxes(ax)
        top, ax = fig.subplots(2, 1, sharex=True, height_ratios=[1, 2])
        axes = [top, ax]
        upper = [v for _, _, v, _ in series if len(v) and v.max() > 100]
        lo, hi = min(v.min() for v in upper), max(v.max() for v in upper)
        top.set_ylim(lo - 0.08 * (hi - lo) - 2, hi + 0.08 * (hi - lo) + 2)
        ax.set_ylim(0, max(low) * 1.12)
        top.spines["bottom"].set_visible(False)
        top.tick_params(bottom=False)
        ax.spines["top"].set_visible(False)
        for axis, y in ((top, 0), (ax, 1)):  # the break: two short slanted strokes on the y axis
            axis.plot([0], [y], transform=axis.transAxes, marker=[(-1, -0.5), (1, 0.5)], markersize=10, color="k",
                      linestyle="none", clip_on=False)
    for i, (name, years, values, sample) in enumerate(series):
        colour, marker, dash = charts.SCENARIO_STYLE[i % len(charts.SCENARIO_STYLE)] if i else (charts.BLUE, "o", "-")
        for axis in axes:
            axis.plot(years, values, linestyle=dash, color=colour, linewidth=1.6, label=name if axis is ax else None)
            axis.plot(years[~sample], values[~sample], marker, color=colour, markersize=5)
            axis.plot(years[sample], values[sample], marker, markerfacecolor="white", markeredgecolor=colour, markersize=5)
    if not broken:
        ax.set_ylim(bottom=0)
    ax.set_xlabel(t("trend.axis.year", lang))
    ax.set_ylabel(t("trend.axis.coverage", lang))
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize=8, frameon=False, ncols=3)
    return fig


# --- scenario levers ---------------------------------------------------------------------------

@dataclasses.dataclass
class LeverResult:
    """The baseline and the levers as set: coverage in the first target's year and target years."""

    year: int
    baseline: float
    coverage: float
    added: float
    base_years: list[fc.TargetYear]
    years: list[fc.TargetYear]
    forecast: sc.ScenarioForecast


def _number(value: object, what: str, lo: float, hi: float, unit: str, lang: str) -> float:
    """``value`` as a float, refused in ``lang`` (naming the range) when it is not a number in [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(t("workbench.arg.number", lang, what=what, value=value, kind=type(value).__name__))
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(t("workbench.arg.range", lang, what=what, value=value, lo=fmt_int(lo, lang), hi=fmt_int(hi, lang),
                           unit=t(f"workbench.arg.unit.{unit}", lang)))
    return float(value)


def lever_range(report: RegionReport, lever: sc.Lever) -> tuple[float, float]:
    """What a lever's yearly size may be: a share of the pool from 0 to 100 percent; people from 0 to
    the region's latest denominator (nobody can enrol more workers a year than there are)."""
    if lever.unit == "share":
        return 0.0, 100.0
    latest = report.latest
    return 0.0, float(latest["penyebut"]) if latest is not None and pd.notna(latest["penyebut"]) else math.inf


def _meant(name: str, levers: dict[str, sc.Lever]) -> str | None:
    """The lever ``name`` most likely means: closest to its id or to a word of its name in either
    language ("village" is ``desa``, "vulnerable" ``pekerja_rentan``), or None."""
    words = {key: key for key in levers}
    for key in levers:
        for lang in LANGUAGES:
            words.update({w: key for w in re.findall(r"\w+", t(f"lever.{key}", lang).lower()) if len(w) > 2})
    match = difflib.get_close_matches(name.lower(), list(words), n=1, cutoff=0.6)
    return words[match[0]] if match else None


def check_levers(report: RegionReport, sizes: object, retention: object = None) -> tuple[dict[str, float], float | None]:
    """``sizes`` and ``retention`` checked against the report's levers, in the report's language: an
    unknown name is refused with the closest lever ("did you mean"), a value outside its range with the range."""
    lang, levers = report.lang, sc.levers_from_params(report.params["scenarios"])
    if not isinstance(sizes, Mapping):
        raise TypeError(t("workbench.arg.sizes", lang, kind=type(sizes).__name__, levers=", ".join(levers)))
    checked = {}
    for name, value in sizes.items():
        if name not in levers:
            match = _meant(str(name), levers)
            hint = t("workbench.arg.did_you_mean", lang, match=match) if match else ""
            raise ValueError(t("workbench.arg.lever", lang, name=name, hint=hint, levers=", ".join(levers)))
        checked[name] = _number(value, name, *lever_range(report, levers[name]), levers[name].unit, lang)
    if retention is not None:
        retention = _number(retention, "retention", 0, 100, "retention", lang)
    return checked, retention


def move_levers(report: RegionReport, sizes: dict[str, float], retention: float | None = None) -> LeverResult:
    """The report's forecast with every lever at ``sizes[id]`` a year (its unit: percent of the pool,
    or people) and ``retention`` (percent) instead of the parameters' values. Unknown levers and
    values outside their range are refused (:func:`check_levers`), never ignored."""
    sizes, retention = check_levers(_check_report(report), sizes, retention)
    section = report.params["scenarios"]
    levers = [dataclasses.replace(lever, per_year=sizes.get(key, lever.per_year))
              for key, lever in sc.levers_from_params(section).items()]
    setting = report.scenario_setting
    if retention is not None:
        setting = dataclasses.replace(setting, retention=retention / 100)
    result = sc.apply(report.outlook, setting, levers)
    targets = report.params["targets"]
    at = targets[0]["year"] if targets[0]["year"] in result.years else int(result.years[-1])
    i = int(np.flatnonzero(result.years == at)[0])
    return LeverResult(at, float(report.outlook.median[i]), float(result.median[i]), float(result.stock[i]),
                       [ty for _, ty in report.target_years],
                       fc.target_years(result, targets), result)


def levers_block(report: RegionReport, result: LeverResult) -> Html:
    """Baseline against the levers as set (table and fan chart), as a page block."""
    lang, targets = _check_report(report).lang, report.params["targets"]
    m = mark(report.scenarios_sample)  # as the report's scenario table marks its values
    head = [t("scenarios.col.scenario", lang), t("scenarios.col.added", lang, year=result.year), t("scenarios.col.coverage", lang, year=result.year)]
    for tg in targets:
        head += [t("scenarios.col.year", lang, label=tg["label"]), t("scenarios.col.prob", lang, year=tg["year"])]

    def row(name: str, added: str, coverage: float, years: list[fc.TargetYear]) -> str:
        cells = "".join(f'<td>{esc(report._scenario_year(b, ty))}</td><td class="num">{esc(report._prob(ty.prob_by_deadline) if not ty.reason else "–")}{m}</td>'
                        for b, ty in zip(result.base_years, years))
        return f'<tr><th scope="row">{esc(name)}</th><td class="num">{added}</td><td class="num">{esc(fmt_pct(coverage, lang))}{m}</td>{cells}</tr>'

    name = t("explore.levers.set", lang)
    rows = row(t("scenarios.baseline", lang), "–", result.baseline, result.base_years) + row(
        name, fmt_int(result.added, lang) + m, result.coverage, result.years)
    table = data_table(t("explore.levers.caption", lang, region=report.name), column_headers(head), rows)
    end = int(report.outlook.years[-1])
    fig = charts.fan_chart(report.table, report.outlook.frame(), lang, targets, report.break_years,
                          [(name, result.forecast.years, result.forecast.median)],
                          t("chart.title.scenarios", lang, region=report.name, end=end))
    alt = t("chart.alt.scenarios", lang, region=report.name, end=end, same="", year=result.year,
            baseline=fmt_pct(result.baseline, lang) + m, scenario=name, value=fmt_pct(result.coverage, lang) + m)
    note = f'<p class="note" role="note"><strong>{esc(t("scenarios.illustrative", lang))}</strong></p>'
    return Html(f"{report.banner()}{note}{table}<figure>{charts.img_tag(fig, alt)}</figure>")


class LeverBoard:
    """Sliders for every lever's yearly size and for retention; the table and chart below follow them."""

    def __init__(self, report: RegionReport):
        import ipywidgets as widgets

        _check_report(report)
        from analysis.pages.notebook_display import lab_html

        self.report, self._lab_html = report, lab_html
        lang, section = report.lang, report.params["scenarios"]
        self.sliders = {}
        for key, lever in sc.levers_from_params(section).items():
            if lever.unit == "share":
                slider = widgets.FloatSlider(value=lever.per_year, min=0.0, max=max(5.0, 2 * lever.per_year), step=0.25,
                                             readout_format=".2f")
            else:
                top = min(max(1000, int(4 * lever.per_year)), lever_range(report, lever)[1])  # never past what move_levers takes
                slider = widgets.IntSlider(value=int(min(lever.per_year, top)), min=0, max=int(top),
                                           step=max(1, int(lever.per_year) // 20))
            slider.description = t(f"lever.{key}", lang)
            self.sliders[key] = slider
        self.retention = widgets.IntSlider(value=int(section["retention"]), min=0, max=100, step=5,
                                           description=t("explore.levers.retention", lang))
        style = {"description_width": "12rem"}
        for slider in (*self.sliders.values(), self.retention):
            slider.style = style
            slider.layout = widgets.Layout(width="34rem")
            slider.observe(self._changed, names="value")
        self.output = widgets.HTML(self.render())
        self.widget = widgets.VBox([widgets.HTML(self._lab_html(f"<p>{esc(t('explore.levers.lead', lang))}</p>")),
                                    *self.sliders.values(), self.retention, self.output])

    def result(self) -> LeverResult:
        """The levers as the sliders are set now (:func:`move_levers`)."""
        return move_levers(self.report, {k: s.value for k, s in self.sliders.items()}, self.retention.value)

    def render(self) -> str:
        """The lever block as JupyterLab shows it."""
        return self._lab_html(levers_block(self.report, self.result()))

    def _changed(self, _change: dict) -> None:
        self.output.value = self.render()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
