"""The story of one region, as HTML blocks the notebooks display.

Notebooks stay thin: they call these methods in order. Every string comes from the message
catalogue, every number is formatted for the report's language, and every piece of data text
(names, sources, notes) is HTML-escaped here, so data can never inject markup into a page.
"""

from __future__ import annotations

import copy
import html
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analysis import forecast as fc
from analysis import metrics, plots, ranking, workbench
from analysis import scenarios as sc
from analysis.data import SEGMENTS, Dataset, cached_dataset
from analysis.messages import fmt_int, fmt_num, fmt_pct, fmt_period, fmt_pp, t
from analysis.params import cached_params

SUMMARY_MIME = "application/vnd.cakupan.summary+json"
_last: RegionReport | None = None  # the latest report loaded in this process (see RegionReport.load)


class Html(str):
    """A block of trusted HTML (built here from escaped data) that notebooks display."""

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return workbench.block_bundle(self)  # styled for JupyterLab, and as the page shows it


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: object) -> float | None:
    """JSON-safe number (NaN and infinities become None)."""
    if value is None or value is pd.NA or not math.isfinite(float(value)):
        return None
    return float(value)


def _year(value: float | int | None) -> int | None:
    return None if value is None else int(value)


def column_headers(labels: Iterable[str]) -> str:
    """Column header cells of a data table from their (plain-text) labels."""
    return "".join(f'<th scope="col">{esc(label)}</th>' for label in labels)


def header_cells(lang: str, keys: tuple[str, ...]) -> str:
    """Column headers of a data table, each a message key."""
    return column_headers(t(k, lang) for k in keys)


def data_table(caption: str | None, head: str, rows: str) -> str:
    """A data table: caption (plain text, escaped here), header cells and body rows (markup)."""
    caption_html = f"<caption>{esc(caption)}</caption>" if caption is not None else ""
    return f'<table class="data">{caption_html}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _section(key: str, lang: str, body: str, level: int = 2) -> Html:
    slug = key.split(".")[0]
    return Html(f'<section class="block" id="{slug}"><h{level}>{esc(t(key, lang))}</h{level}>{body}</section>')


@dataclass(repr=False)
class RegionReport(workbench.Workbench):
    """Everything one region's report shows, computed once from the dataset and parameters."""

    code: str
    lang: str
    params: dict
    ds: Dataset
    table: pd.DataFrame = field(repr=False)

    @classmethod
    def load(cls, region: str, params_path: str | None = None, lang: str = "id", data_dir: str | None = None) -> "RegionReport":
        """The report of ``region`` in ``lang``.

        The batch engine renders a region's languages one after the other in one process; the
        second reuses the first's analysis (forecasts, scenarios, rankings: nothing computed here
        depends on the language), so it costs only its text and charts.
        """
        global _last
        params = cached_params(params_path or None)
        ds = cached_dataset(data_dir or None)
        if region not in ds.regions:
            raise KeyError(f"region {region!r} is not in the region tree")
        if lang not in params["languages"]:
            raise ValueError(f"language {lang!r} is not one of {params['languages']}")
        if _last is not None and _last.code == region and _last.ds is ds and _last.params == params:
            report = copy.copy(_last)  # shares the computed results, held in the instance's __dict__
            report.lang = lang
        else:
            report = cls(region, lang, params, ds, metrics.coverage_table(ds, [region], params["coverage"]))
        _last = report
        return report

    # --- facts -----------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.ds.regions.name(self.code)

    @property
    def level(self) -> str:
        return self.ds.regions.level(self.code)

    @cached_property
    def latest(self) -> pd.Series | None:
        return metrics.latest_complete(self.table)

    @property
    def uses_sample(self) -> bool:
        return bool(self.table["sintetis"].any())

    @cached_property
    def breaks(self) -> pd.DataFrame:
        """Definition changes that apply here: the region's own and those of its ancestors."""
        codes = [self.code, *self.ds.regions.ancestors(self.code)]
        wanted = {"peserta_aktif", self.params["coverage"]["trend_denominator"], *self.params["coverage"]["denominator"]}
        rows = self.ds.breaks[self.ds.breaks["kode"].isin(codes) & self.ds.breaks["ukuran"].isin(wanted)]
        return rows.sort_values(["periode", "kode"])

    def _segments_label(self) -> str:
        segments = self.params["coverage"]["segments"]
        return t("segment.all", self.lang) if set(segments) == set(SEGMENTS) else ", ".join(segments)

    # --- blocks ----------------------------------------------------------------------------
    def title(self) -> Html:
        parent = self.ds.regions.parent(self.code)
        parent_text = t("report.parent", self.lang, name=self.ds.regions.name(parent)) if parent else ""
        subtitle = t("report.subtitle", self.lang, level=t(f"level.{self.level}", self.lang), parent=parent_text, code=self.code)
        return Html(
            f'<header class="report-header"><p class="app">{esc(t("app.tagline", self.lang))}</p>'
            f"<h1>{esc(t('report.title', self.lang, region=self.name))}</h1>"
            f'<p class="subtitle">{esc(subtitle)}</p></header>'
        )

    def banner(self) -> Html:
        if not self.uses_sample:
            return Html("")
        return Html(f'<div class="banner sample" role="note"><strong>{esc(t("banner.sample", self.lang))}</strong></div>')

    def headline(self) -> Html:
        lang, row = self.lang, self.latest
        if row is None:
            return _section("headline.title", lang, f"<p>{esc(t('headline.none', lang))}</p>")
        measure = t(f"measure.{row['ukuran_penyebut']}", lang)
        value = fmt_pct(row["cakupan"], lang)
        marker = " ◇" if row["sintetis"] else ""
        body = (
            f'<p class="kpi"><span class="kpi-label">{esc(t("headline.coverage", lang, period=int(row["tahun"])))}</span> '
            f'<span class="kpi-value">{esc(value)}{marker}</span></p>'
            f"<p>{esc(t('headline.definition', lang, participants=fmt_int(row['peserta'], lang), segments=self._segments_label(), participants_period=fmt_period(row['periode_peserta'], lang), denominator=fmt_int(row['penyebut'], lang), measure=measure, denominator_period=fmt_period(row['periode_pekerja'], lang)))}</p>"
            f"<p class=\"provenance\">{esc(t('headline.sources', lang, sources=row['sumber']))}</p>"
        )
        if row["cakupan"] > 1:
            body += f'<p class="note">{esc(t("headline.over100", lang))}</p>'
        body += "".join(f'<p class="reference">{esc(text)}</p>' for text in self.reference_checks())
        return _section("headline.title", lang, body)

    def reference_checks(self) -> list[str]:
        """Published coverage figures for this region set against Cakupan's own computation."""
        lang, out = self.lang, []
        refs = self.ds.references[self.ds.references["kode"] == self.code]
        for ref in refs.itertuples():
            year = int(ref.periode[:4])
            rows = self.table[(self.table["tahun"] == year) & self.table["cakupan"].notna()]
            published = fmt_pct(ref.nilai / 100, lang)
            if rows.empty:
                out.append(t("headline.reference.missing", lang, period=fmt_period(ref.periode, lang), published=published, source=ref.sumber))
                continue
            row = rows.iloc[0]
            out.append(t(
                "headline.reference", lang, period=fmt_period(ref.periode, lang), published=published, source=ref.sumber,
                computed=fmt_pct(row["cakupan"], lang), year=year, participants=fmt_int(row["peserta"], lang),
                denominator=fmt_int(row["penyebut"], lang), measure=t(f"measure.{row['ukuran_penyebut']}", lang),
                difference=fmt_pp(row["cakupan"] * 100 - ref.nilai, lang),
            ))
        return out

    def trend(self) -> Html:
        lang = self.lang
        measure = self.params["coverage"]["trend_denominator"]
        trend = self.table.dropna(subset=["cakupan_tren"])
        if trend.empty:
            return _section("trend.title", lang, f"<p>{esc(t('trend.empty', lang))}</p>")
        fig = plots.trend_chart(self.table, lang, measure, self._break_years(), self.params["targets"])
        first, last = trend.iloc[0], trend.iloc[-1]
        alt = t("trend.alt", lang, region=self.name, first=int(first["tahun"]), last=int(last["tahun"]),
                first_value=fmt_pct(first["cakupan_tren"], lang), last_value=fmt_pct(last["cakupan_tren"], lang))
        body = f"<p>{esc(t('trend.lead', lang, measure=t(f'measure.{measure}', lang)))}</p><figure>{plots.img_tag(fig, alt)}</figure>"
        if not self.breaks.empty:
            items = "".join(
                f"<li><strong>{esc(fmt_period(r.periode, lang))}</strong> ({esc(r.kode)}): {esc(r.catatan)}</li>"
                for r in self.breaks.itertuples()
            )
            body += f'<h3>{esc(t("trend.breaks.title", lang))}</h3><ol class="breaks">{items}</ol>'
        body += self.year_table()
        return _section("trend.title", lang, body)

    def year_table(self) -> str:
        lang = self.lang
        head = header_cells(lang, ("trend.axis.year", "headline.participants", "headline.denominator", "index.col.coverage", "sources.list"))
        rows = []
        for r in self.table.dropna(subset=["cakupan"]).itertuples():
            marker = " ◇" if r.sintetis else ""
            rows.append(
                f'<tr><th scope="row">{int(r.tahun)}</th><td class="num">{fmt_int(r.peserta, lang)}</td>'
                f'<td class="num">{fmt_int(r.penyebut, lang)} <span class="muted">({esc(t(f"measure.{r.ukuran_penyebut}", lang))})</span></td>'
                f'<td class="num">{esc(fmt_pct(r.cakupan, lang))}{marker}</td><td class="src">{esc(r.sumber)}</td></tr>'
            )
        return data_table(None, head, "".join(rows))

    def split(self) -> Html:
        lang = self.lang
        rows = self.table.dropna(subset=["peserta"])
        with_split = rows[rows[list(SEGMENTS)].notna().any(axis=1)]
        if rows.empty:
            return _section("split.title", lang, f"<p>{esc(t('split.none', lang))}</p>")
        fig = plots.split_chart(self.table, lang)
        body = f"<p>{esc(t('split.lead', lang))}</p>"
        if with_split.empty:
            alt = t("split.none", lang)
            return _section("split.title", lang, body + f"<figure>{plots.img_tag(fig, alt)}</figure><p>{esc(alt)}</p>")
        last = with_split.iloc[-1]
        shares = metrics.segment_shares(last)
        period = fmt_period(last["periode_peserta"], lang)
        alt = t("split.alt", lang, first=int(rows["tahun"].iloc[0]), last=int(rows["tahun"].iloc[-1]), period=period,
                pu=fmt_pct(shares.get("PU"), lang), bpu=fmt_pct(shares.get("BPU"), lang))
        cells = "".join(
            f'<tr><th scope="row">{esc(t(f"segment.{s}", lang))}</th><td class="num">{fmt_int(last[s], lang)}</td>'
            f'<td class="num">{esc(fmt_pct(shares[s], lang))}</td></tr>'
            for s in SEGMENTS if s in shares
        )
        head = header_cells(lang, ("split.col.segment", "split.col.people", "split.col.share"))
        table = data_table(t("split.table.caption", lang, period=period), head, cells)
        return _section("split.title", lang, body + f"<figure>{plots.img_tag(fig, alt)}</figure>{table}")

    def gaps(self) -> list[dict]:
        row = self.latest
        if row is None:
            return []
        out = []
        for target in self.params["targets"]:
            gap = metrics.gap_to_target(row["peserta"], row["penyebut"], target["percent"] / 100)
            out.append({"id": target["id"], "label": target["label"], "year": target["year"], "percent": target["percent"], **gap})
        return out

    def gap(self) -> Html:
        lang, row = self.lang, self.latest
        if row is None:
            return _section("gap.title", lang, f"<p>{esc(t('headline.none', lang))}</p>")
        head = header_cells(lang, ("gap.col.target", "gap.col.year", "gap.col.value", "gap.col.people", "gap.col.points"))
        cells = "".join(
            f'<tr><th scope="row">{esc(g["label"])}</th><td>{g["year"]}</td><td class="num">{esc(fmt_pct(g["percent"] / 100, lang, 2))}</td>'
            f'<td class="num">{esc(t("gap.reached", lang)) if g["reached"] else fmt_int(g["people"], lang)}</td>'
            f'<td class="num">{esc(fmt_pp(g["points"], lang))}</td></tr>'
            for g in self.gaps()
        )
        lead = t("gap.lead", lang, period=int(row["tahun"]), denominator=fmt_int(row["penyebut"], lang),
                 measure=t(f"measure.{row['ukuran_penyebut']}", lang))
        table = data_table(t("gap.caption", lang), head, cells)
        return _section("gap.title", lang, f"<p>{esc(lead)}</p>{table}")

    # --- forecast, targets, pace, scenarios --------------------------------------------------------
    @property
    def trend_measure(self) -> str:
        return self.params["coverage"]["trend_denominator"]

    def _yearly(self, column: str) -> pd.Series:
        rows = self.table.dropna(subset=[column])
        return pd.Series(rows[column].to_numpy(dtype=float), index=rows["tahun"].to_numpy(dtype=int), name=column)

    @property
    def forecast_end(self) -> int:
        """The horizon, or the latest target year when later, so every target gets a year and a probability."""
        return max(self.params["horizon"], *(tg["year"] for tg in self.params["targets"]))

    @cached_property
    def outlook(self) -> fc.ForecastResult:
        """Forecast of the trend coverage: one denominator throughout, so a change of definition
        in the headline denominator is never read as growth."""
        cfg = self.params["forecast"]
        return fc.forecast(self._yearly("cakupan_tren"), "share", self.forecast_end, cfg["method"], cfg["seed"], cfg["paths"])

    @cached_property
    def workforce_outlook(self) -> np.ndarray:
        """The trend denominator in each forecast year: its own median forecast, else held at its last value."""
        history = self._yearly(self.trend_measure)
        cfg = self.params["forecast"]
        result = fc.forecast(history, "count", self.forecast_end, seed=cfg["seed"], n_paths=cfg["paths"])
        known = pd.concat([history, pd.Series(result.median, index=result.years)]) if result.ok else history
        years = self.outlook.years
        return known.reindex(sorted(set(known.index) | set(years))).ffill().loc[years].to_numpy()

    @cached_property
    def target_years(self) -> list[tuple[dict, fc.TargetYear]]:
        return [(tg, fc.target_year(self.outlook, tg["percent"] / 100, tg["year"])) for tg in self.params["targets"]]

    @cached_property
    def recent(self) -> dict | None:
        return metrics.recent_pace(self.table, self.trend_measure, self.params["pace"]["window"])

    @cached_property
    def paces(self) -> list[dict]:
        """Required pace to each target from the last trend year, against the recent pace."""
        recent = self.recent
        if recent is None:
            return []
        growth = recent["workforce_growth"] if math.isfinite(recent["workforce_growth"]) else 0.0
        out = []
        for tg in self.params["targets"]:
            need = metrics.required_pace(recent["participants"], recent["workforce"], tg["percent"] / 100,
                                         recent["end"], tg["year"], growth)
            out.append({"id": tg["id"], "label": tg["label"], "year": tg["year"], "percent": tg["percent"], **need,
                        "ratio_people": metrics.pace_ratio(need["people_per_year"], recent["people_per_year"]),
                        "ratio_points": metrics.pace_ratio(need["points_per_year"], recent["points_per_year"])})
        return out

    @cached_property
    def bpu_share(self) -> tuple[int, float] | None:
        """(year, share of BPU among participants) from the latest year with a segment split."""
        rows = self.table.dropna(subset=["BPU"])
        if rows.empty:
            return None
        share = metrics.segment_shares(rows.iloc[-1]).get("BPU")
        return None if share is None else (int(rows["tahun"].iloc[-1]), share)

    @cached_property
    def scenario_setting(self) -> sc.Setting:
        section = self.params["scenarios"]
        share = sc.informal_share(section, self.code, self.ds.regions.ancestors(self.code))
        return sc.Setting(self.outlook.years, self.workforce_outlook, share,
                          self.bpu_share[1] if self.bpu_share else 0.0, section["retention"] / 100)

    @cached_property
    def scenario_results(self) -> list[tuple[dict, sc.ScenarioForecast, list[fc.TargetYear]]]:
        if not self.outlook.ok:
            return []
        levers = sc.levers_from_params(self.params["scenarios"])
        out = []
        for entry in self.params["scenarios"]["compare"]:
            result = sc.apply(self.outlook, self.scenario_setting, [levers[key] for key in entry["levers"]])
            out.append((entry, result, [fc.target_year(result, tg["percent"] / 100, tg["year"]) for tg in self.params["targets"]]))
        return out

    def _break_years(self) -> list[int]:
        return [int(p[:4]) for p in self.breaks["periode"]]

    def _prob(self, p: float, relation: bool = False) -> str:
        """A probability from simulated paths, never printed as a certain 0% or 100%
        (``relation``: with '=' in front, for 'P(by 2029) = 23%')."""
        if p < 0.01:
            return t("prob.below", self.lang, value=fmt_pct(0.01, self.lang, 0))
        if p > 0.99:
            return t("prob.above", self.lang, value=fmt_pct(0.99, self.lang, 0))
        return t("prob.equals", self.lang, value=fmt_pct(p, self.lang, 0)) if relation else fmt_pct(p, self.lang, 0)

    def _year_range(self, ty: fc.TargetYear) -> str:
        lo, hi, horizon = ty.year_lo80, ty.year_hi80, ty.horizon_end
        if lo is None:
            return t("targets.range.after", self.lang, horizon=horizon)
        if hi is None:
            return t("targets.range.open", self.lang, lo=lo, horizon=horizon)
        return t("targets.range", self.lang, lo=lo, hi=hi)

    def _reached_text(self, ty: fc.TargetYear) -> str:
        """'reached in 2031 (80%: 2029–2035), P(by 2029) = 23%' or 'not by 2045 ...'."""
        lang = self.lang
        if ty.reason:
            return t("targets.no_forecast", lang)
        if ty.already_reached:
            return t("targets.already", lang, year=ty.year)
        if ty.deadline <= self.outlook.last_year:
            return t("targets.passed", lang, deadline=ty.deadline)
        values = {"range": self._year_range(ty), "deadline": ty.deadline, "prob": self._prob(ty.prob_by_deadline, relation=True)}
        if ty.year is None:
            return t("targets.not_by", lang, horizon=ty.horizon_end, **values)
        return t("targets.reached", lang, year=ty.year, **values)

    def _key_years(self) -> list[int]:
        years = self.outlook.years
        wanted = {int(years[0]), int(years[-1]), *(tg["year"] for tg in self.params["targets"] if tg["year"] >= years[0])}
        return sorted(wanted)

    def forecast(self) -> Html:
        lang, result = self.lang, self.outlook
        measure = t(f"measure.{self.trend_measure}", lang)
        if not result.ok:
            return _section("forecast.title", lang, f"<p>{esc(t('forecast.insufficient', lang, years=len(result.history), measure=measure))}</p>")
        frame = result.frame()
        history = result.history
        fig = plots.fan_chart(self.table, frame, lang, self.params["targets"], self._break_years())
        end = frame.iloc[-1]
        alt = t("forecast.alt", lang, region=self.name, last=result.last_year, last_value=fmt_pct(history.iloc[-1], lang),
                end=int(frame.index[-1]), median=fmt_pct(end["median"], lang), lo80=fmt_pct(end["lo80"], lang),
                hi80=fmt_pct(end["hi80"], lang), lo95=fmt_pct(end["lo95"], lang), hi95=fmt_pct(end["hi95"], lang))
        methods = ", ".join(t(f"forecast.method.{m}", lang) for m in result.members)
        body = (f"<p>{esc(t('forecast.lead', lang, measure=measure, first=int(history.index[0]), last=result.last_year, n=len(history)))}</p>"
                f"<p>{esc(t('forecast.method', lang, methods=methods, cap=fmt_pct(result.cap, lang, 0)))}</p>")
        if result.cap > 1:
            body += f"<p>{esc(t('forecast.cap.above', lang, cap=fmt_pct(result.cap, lang, 0)))}</p>"
        if self.table.loc[self.table["tahun"].isin(history.index), "sintetis"].any():
            body += f'<p class="note">{esc(t("forecast.sample", lang))}</p>'
        if not self.breaks.empty:
            body += f'<p class="note">{esc(t("forecast.breaks", lang))}</p>'
        if result.bridged_years:
            body += f"<p>{esc(t('forecast.bridged', lang, years=', '.join(map(str, result.bridged_years))))}</p>"
        rows = "".join(
            f'<tr><th scope="row">{year}</th><td class="num">{esc(fmt_pct(frame.at[year, "median"], lang))}</td>'
            f'<td class="num">{esc(fmt_pct(frame.at[year, "lo80"], lang))}–{esc(fmt_pct(frame.at[year, "hi80"], lang))}</td>'
            f'<td class="num">{esc(fmt_pct(frame.at[year, "lo95"], lang))}–{esc(fmt_pct(frame.at[year, "hi95"], lang))}</td></tr>'
            for year in self._key_years()
        )
        head = header_cells(lang, ("trend.axis.year", "forecast.col.median", "forecast.col.band80", "forecast.col.band95"))
        table = data_table(t("forecast.caption", lang), head, rows)
        return _section("forecast.title", lang, body + f"<figure>{plots.img_tag(fig, alt)}</figure>{table}")

    def targets(self) -> Html:
        lang = self.lang
        items = "".join(
            f"<li><strong>{esc(t('targets.item', lang, label=tg['label'], value=fmt_pct(tg['percent'] / 100, lang, 2), year=tg['year']))}</strong>: "
            f"{esc(self._reached_text(ty))}</li>"
            for tg, ty in self.target_years
        )
        body = f"<p>{esc(t('targets.lead', lang))}</p><ul class=\"targets\">{items}</ul>"
        return _section("targets.title", lang, body)

    def _ratio_text(self, ratio: float, deadline_passed: bool) -> str:
        if deadline_passed:
            return t("pace.ratio.passed", self.lang)
        if math.isnan(ratio):
            return "–"
        if ratio == 0:
            return t("gap.reached", self.lang)
        if math.isinf(ratio):
            return t("pace.ratio.never", self.lang)
        return t("pace.ratio", self.lang, ratio=fmt_num(ratio, self.lang, 1))

    def pace(self) -> Html:
        lang, recent = self.lang, self.recent
        measure = t(f"measure.{self.trend_measure}", lang)
        if recent is None:
            return _section("pace.title", lang, f"<p>{esc(t('pace.none', lang))}</p>")
        change = recent["change"]
        period = {"start": recent["start"], "end": recent["end"]}
        recent_text = t("pace.recent", lang, **period, people=fmt_int(recent["people_per_year"], lang),
                        points=fmt_pp(recent["points_per_year"], lang, 2))
        parts = {k: fmt_pp(v, lang, 2) for k, v in change.items()}
        body = f"<p>{esc(recent_text)}</p><p>{esc(t('pace.decomposition', lang, **period, **parts, measure=measure))}</p>"
        head = header_cells(lang, (
            "gap.col.target", "pace.col.years", "pace.col.people", "pace.col.points", "pace.col.ratio"))
        rows = "".join(
            f'<tr><th scope="row">{esc(p["label"])} ({esc(fmt_pct(p["percent"] / 100, lang, 2))}, {p["year"]})</th>'
            f'<td class="num">{max(p["years"], 0)}</td>'
            f'<td class="num">{fmt_int(p["people_per_year"], lang)}</td>'
            f'<td class="num">{esc(fmt_pp(p["points_per_year"], lang, 2))}</td>'
            f'<td class="num">{esc(self._ratio_text(p["ratio_points"], p["deadline_passed"]))}</td></tr>'
            for p in self.paces
        )
        table = data_table(t("pace.caption", lang, year=recent["end"]), head, rows)
        growth = recent["workforce_growth"] if math.isfinite(recent["workforce_growth"]) else 0.0
        note = t("pace.note", lang, measure=measure, growth=fmt_pct(growth, lang, 2), **period)
        return _section("pace.title", lang, body + table + f'<p class="muted">{esc(note)}</p>')

    def _scenario_name(self, entry: dict) -> str:
        if set(entry["levers"]) == set(sc.LEVERS):
            return t("scenarios.all", self.lang)
        return " + ".join(t(f"lever.{key}", self.lang) for key in entry["levers"])

    def _lever_text(self, lever: sc.Lever) -> str:
        lang = self.lang
        size = (t("scenarios.lever.share", lang, value=fmt_pct(lever.per_year / 100, lang, 2)) if lever.unit == "share"
                else t("scenarios.lever.people", lang, value=fmt_int(lever.per_year, lang)))
        basis = t(f"scenarios.basis.{lever.basis}", lang) + (f" ({lever.source})" if lever.source else "")
        return t("scenarios.lever", lang, name=t(f"lever.{lever.id}", lang), size=size, start=lever.start_year,
                 full=lever.start_year + lever.ramp_years - 1, basis=basis)

    def _scenario_year(self, base: fc.TargetYear, ty: fc.TargetYear) -> str:
        lang = self.lang
        if ty.reason:
            return "–"
        if ty.already_reached:
            return t("targets.already", lang, year=ty.year)
        if ty.year is None:
            return t("scenarios.not_by", lang, horizon=ty.horizon_end)
        shift = sc.target_shift(base, ty)
        if shift is None:
            return t("scenarios.year.new", lang, year=ty.year, horizon=base.horizon_end)
        return t("scenarios.year.shift", lang, year=ty.year, years=shift) if shift else str(ty.year)

    def scenarios(self) -> Html:
        lang, section = self.lang, self.params["scenarios"]
        if not self.scenario_results:
            return _section("scenarios.title", lang, f"<p>{esc(t('scenarios.none', lang))}</p>")
        levers = sc.levers_from_params(section)
        body = ""
        if any(lever.basis == "illustrative" for lever in levers.values()):
            body += f'<p class="note" role="note"><strong>{esc(t("scenarios.illustrative", lang))}</strong></p>'
        setting = self.scenario_setting
        bpu = (t("scenarios.bpu", lang, share=fmt_pct(self.bpu_share[1], lang), year=self.bpu_share[0]) if self.bpu_share
               else t("scenarios.bpu.unknown", lang))
        assumptions = t("scenarios.setting", lang, informal=fmt_pct(setting.informal_share, lang), bpu=bpu,
                        source=section["informal_share"].get("source", ""), retention=fmt_pct(setting.retention, lang, 0))
        items = "".join(f"<li>{esc(self._lever_text(lever))}</li>" for lever in levers.values())
        body += f"<p>{esc(t('scenarios.lead', lang))}</p><p>{esc(assumptions)}</p><ul>{items}</ul>"
        baseline = self.outlook
        first = self.params["targets"][0]
        at = first["year"] if first["year"] in baseline.years else int(baseline.years[-1])
        i = int(np.flatnonzero(baseline.years == at)[0])
        lines = [(self._scenario_name(entry), result.years, result.median) for entry, result, _ in self.scenario_results]
        fig = plots.fan_chart(self.table, baseline.frame(), lang, self.params["targets"], self._break_years(), lines)
        best = max(self.scenario_results, key=lambda r: r[1].median[i])
        alt = t("scenarios.alt", lang, region=self.name, year=at, baseline=fmt_pct(baseline.median[i], lang),
                scenario=self._scenario_name(best[0]), value=fmt_pct(best[1].median[i], lang))
        base_years = [ty for _, ty in self.target_years]
        head = [t("scenarios.col.scenario", lang), t("scenarios.col.added", lang, year=at), t("scenarios.col.coverage", lang, year=at)]
        for tg in self.params["targets"]:
            head += [t("scenarios.col.year", lang, label=tg["label"]), t("scenarios.col.prob", lang, year=tg["year"])]

        def row(name: str, added: str, coverage: float, years: list[fc.TargetYear]) -> str:
            cells = "".join(f'<td>{esc(self._scenario_year(b, ty))}</td><td class="num">{esc(self._prob(ty.prob_by_deadline) if not ty.reason else "–")}</td>'
                            for b, ty in zip(base_years, years))
            return f'<tr><th scope="row">{esc(name)}</th><td class="num">{added}</td><td class="num">{esc(fmt_pct(coverage, lang))}</td>{cells}</tr>'

        rows = row(t("scenarios.baseline", lang), "–", baseline.median[i], base_years) + "".join(
            row(self._scenario_name(entry), fmt_int(result.stock[i], lang), result.median[i], years)
            for entry, result, years in self.scenario_results)
        table = data_table(t("scenarios.caption", lang), column_headers(head), rows)
        return _section("scenarios.title", lang, body + f"<figure>{plots.img_tag(fig, alt)}</figure>{table}")

    # --- regions below ------------------------------------------------------------------------------
    @cached_property
    def _children_report(self) -> bool:
        return not self.ds.reporting.isdisjoint(self.ds.regions.children(self.code))

    @cached_property
    def reconciliation(self) -> pd.DataFrame | None:
        """Own published figures against the sum of the children (rows where at least one child reports)."""
        if not self._children_report:
            return None
        table = metrics.reconcile(self.ds, self.code, self.params["coverage"])
        table = table[table["anak_ada"] > 0].reset_index(drop=True)
        return None if table.empty else table

    @cached_property
    def children_ranking(self) -> pd.DataFrame | None:
        if not self._children_report:
            return None
        table = ranking.rank_within(self.ds, self.code, self.params)
        return None if table.empty or table["coverage"].isna().all() else table

    def subregions(self) -> Html:
        lang = self.lang
        recon, ranked = self.reconciliation, self.children_ranking
        if recon is None and ranked is None:
            return Html("")
        children = self.ds.regions.children(self.code)
        level = t(f"level.{self.ds.regions.level(children[0])}", lang) if children else ""
        body = ""
        if recon is not None:
            counts = recon["status"].value_counts()
            lead = t("subregions.reconcile.lead", lang, region=self.name, n=len(children), level=level,
                     match=int(counts.get(metrics.MATCH, 0)), differs=int(counts.get(metrics.DIFFERS, 0)),
                     incomplete=int(counts.get(metrics.INCOMPLETE, 0)))
            body += f"<h3>{esc(t('subregions.reconcile.title', lang))}</h3><p>{esc(lead)}</p>"
            differs = recon[recon["status"] == metrics.DIFFERS]
            if not differs.empty:
                head = header_cells(lang, (
                    "subregions.col.period", "subregions.col.measure", "subregions.col.own", "subregions.col.sum", "subregions.col.difference"))
                rows = "".join(
                    f'<tr><th scope="row">{esc(fmt_period(r.periode, lang))}</th><td>{esc(self._measure_name(r.ukuran))}</td>'
                    f'<td class="num">{fmt_int(r.nilai_induk, lang)}</td><td class="num">{fmt_int(r.jumlah, lang)}</td>'
                    f'<td class="num">{fmt_int(r.selisih, lang)} ({esc(fmt_pct(r.selisih_relatif, lang))})</td></tr>'
                    for r in differs.itertuples())
                body += data_table(t("subregions.reconcile.caption", lang), head, rows)
        if ranked is not None:
            body += self._ranking_table(ranked, level)
        return _section("subregions.title", lang, body)

    def _measure_name(self, key: str) -> str:
        return t(f"segment.{key}", self.lang) if key in (*SEGMENTS, "TOTAL") else t(f"measure.{'peserta_aktif' if key == 'peserta' else key}", self.lang)

    def _unranked(self, row: pd.Series, year: int | None) -> str:
        return t(f"ranking.reason.{row['reason']}", self.lang, year=year if year is not None else "–")

    def _ranking_table(self, ranked: pd.DataFrame, level: str) -> str:
        lang, section = self.lang, self.params["ranking"]
        target = next(tg for tg in self.params["targets"] if tg["id"] == section["target"])
        weights = section["weights"]
        year = ranked["tahun"].dropna().iloc[0] if ranked["tahun"].notna().any() else None
        lead = t("subregions.ranking.lead", lang, level=level, year=year if year is not None else "–", target=target["label"],
                 coverage=fmt_pct(weights["coverage"], lang, 0), growth=fmt_pct(weights["growth"], lang, 0),
                 distance=fmt_pct(weights["distance"], lang, 0))

        def rank_text(value: float) -> str:
            return "–" if math.isnan(value) else fmt_num(value, lang, 1 if value % 1 else 0)

        def distance_text(value: float) -> str:
            if math.isnan(value):
                return "–"
            if value == 0:
                return t("gap.reached", lang)
            return t("pace.ratio.never", lang) if math.isinf(value) else fmt_num(value, lang, 1)

        head = header_cells(lang, (
            "subregions.col.rank", "index.col.name", "index.col.coverage", "subregions.col.growth",
            "subregions.col.distance", "subregions.col.composite"))
        rows = "".join(
            f'<tr><td class="num">{rank_text(r["rank"])}</td><th scope="row">{esc(self.ds.regions.name(code))}</th>'
            f'<td class="num">{esc(fmt_pct(r["coverage"], lang))} <span class="muted">({rank_text(r["rank_coverage"])})</span></td>'
            f'<td class="num">{esc(fmt_pp(r["growth"], lang, 2))} <span class="muted">({rank_text(r["rank_growth"])})</span></td>'
            f'<td class="num">{esc(distance_text(r["distance"]))} <span class="muted">({rank_text(r["rank_distance"])})</span></td>'
            f'<td class="num">{esc(fmt_num(r["composite"], lang, 3) if r["ranked"] else self._unranked(r, year))}</td></tr>'
            for code, r in ranked.iterrows())
        return (f"<h3>{esc(t('subregions.ranking.title', lang))}</h3><p>{esc(lead)}</p>"
                + data_table(t("subregions.ranking.caption", lang, year=year), head, rows) +
                f'<p class="muted">{esc(t("subregions.ranking.rules", lang))}</p>')

    def provenance(self) -> Html:
        """Sources with links, the coverage definition and the parameters used."""
        lang, cov = self.lang, self.params["coverage"]
        used = sorted({part for s in self.table["sumber"] for part in str(s).split(" + ") if part})
        known = self.ds.sources.set_index("sumber") if not self.ds.sources.empty else pd.DataFrame()
        items = []
        for key in used:
            if key in known.index:
                entry = known.loc[key]
                title = esc(entry["judul"])
                link = f' <a href="{esc(entry["url"])}">{esc(entry["url"])}</a>' if str(entry["url"]).startswith(("http://", "https://")) else ""
                note = f' <span class="muted">({esc(entry["lisensi"])})</span>' if entry.get("lisensi") else ""
                items.append(f"<li><code>{esc(key)}</code>: {title}{link}{note}</li>")
            else:
                items.append(f"<li><code>{esc(key)}</code></li>")
        definition = t("sources.definition.text", lang, segments=self._segments_label(),
                       denominators=", ".join(t(f"measure.{m}", lang) for m in cov["denominator"]),
                       trend=t(f"measure.{cov['trend_denominator']}", lang))
        targets = "; ".join(f"{tg['label']} {fmt_pct(tg['percent'] / 100, lang, 2)} ({tg['year']})" for tg in self.params["targets"])
        body = (
            f"<h3>{esc(t('sources.definition', lang))}</h3><p>{esc(definition)}</p>"
            f"<h3>{esc(t('sources.list', lang))}</h3><ul class=\"sources\">{''.join(items)}</ul>"
            f"<h3>{esc(t('sources.params', lang))}</h3><p>{esc(t('sources.params.text', lang, targets=targets, horizon=self.params['horizon']))}</p>"
            f"<p>{esc(self._analysis_params())}</p>"
        )
        return _section("sources.title", lang, body)

    def _analysis_params(self) -> str:
        lang, cfg, weights = self.lang, self.params["forecast"], self.params["ranking"]["weights"]
        return t("sources.params.analysis", lang, method=cfg["method"], paths=fmt_int(cfg["paths"], lang), seed=cfg["seed"],
                 window=self.params["pace"]["window"], target=self.params["ranking"]["target"],
                 weights=", ".join(f"{k} {fmt_num(v, lang, 2)}" for k, v in weights.items()),
                 retention=fmt_pct(self.params["scenarios"]["retention"] / 100, lang, 0))

    def summary(self) -> dict:
        """Headline numbers for ``<kode>.json`` and the index (JSON-safe)."""
        row = self.latest
        changes = metrics.year_on_year(self.table).set_index("tahun").to_dict("index")
        years = {
            str(int(r.tahun)): {
                "peserta": _num(r.peserta), "penyebut": _num(r.penyebut), "ukuran_penyebut": r.ukuran_penyebut,
                "cakupan": _num(r.cakupan), "cakupan_tren": _num(r.cakupan_tren),
                "PU": _num(r.PU), "BPU": _num(r.BPU), "JAKON": _num(r.JAKON), "PMI": _num(r.PMI), "TOTAL": _num(r.TOTAL),
                "periode_peserta": r.periode_peserta if isinstance(r.periode_peserta, str) else None,
                "periode_pekerja": r.periode_pekerja if isinstance(r.periode_pekerja, str) else None,
                "sintetis": bool(r.sintetis), "sumber": r.sumber,
                "perubahan_peserta": _num(changes.get(int(r.tahun), {}).get("perubahan_peserta")),
                "perubahan_poin": _num(changes.get(int(r.tahun), {}).get("perubahan_poin")),
            }
            for r in self.table.itertuples()
        }
        return {
            "kode": self.code,
            "nama": self.name,
            "tingkat": self.level,
            "induk": self.ds.regions.parent(self.code),
            "lang": self.lang,
            "title": t("report.title", self.lang, region=self.name),
            "sintetis": self.uses_sample,
            "latest": None if row is None else {
                "tahun": int(row["tahun"]), "cakupan": _num(row["cakupan"]), "peserta": _num(row["peserta"]),
                "penyebut": _num(row["penyebut"]), "ukuran_penyebut": row["ukuran_penyebut"], "sintetis": bool(row["sintetis"]),
            },
            "years": years,
            "references": [
                {"periode": r.periode, "nilai": float(r.nilai), "sumber": r.sumber}
                for r in self.ds.references[self.ds.references["kode"] == self.code].itertuples()
            ],
            "gaps": [{k: (_num(v) if isinstance(v, float) else v) for k, v in g.items()} for g in self.gaps()],
            "definition": {"segments": list(self.params["coverage"]["segments"]), "denominator": list(self.params["coverage"]["denominator"]),
                           "trend_denominator": self.params["coverage"]["trend_denominator"]},
            "forecast": self._forecast_summary(),
            "targets": [self._target_summary(tg, ty) for tg, ty in self.target_years],
            "pace": self._pace_summary(),
            "scenarios": self._scenarios_summary(),
            "ranking": self._ranking_summary(),
            "reconciliation": self._reconciliation_summary(),
        }

    def _forecast_summary(self) -> dict:
        result = self.outlook
        return {
            "series": "cakupan_tren", "denominator": self.trend_measure, "ok": result.ok, "reason": result.reason,
            "method": result.method, "members": list(result.members), "transform": result.transform,
            "history_years": [int(y) for y in result.history.index], "bridged_years": list(result.bridged_years),
            "years": {str(int(year)): {k: _num(v) for k, v in row.items()} for year, row in result.frame().iterrows()},
            "paths": result.n_paths, "seed": result.seed, "warnings": list(result.warnings),
        }

    @staticmethod
    def _target_summary(target: dict, ty: fc.TargetYear) -> dict:
        return {
            "id": target["id"], "label": target["label"], "percent": target["percent"], "deadline": target["year"],
            "reached_year": ty.year, "not_by_horizon": ty.not_by_horizon, "horizon": ty.horizon_end,
            "range80": [ty.year_lo80, ty.year_hi80], "prob_by_deadline": _num(ty.prob_by_deadline),
            "already_reached": ty.already_reached, "reason": ty.reason,
        }

    def _pace_summary(self) -> dict | None:
        recent = self.recent
        if recent is None:
            return None
        plain = {k: _num(v) if isinstance(v, float) else v for k, v in recent.items() if k != "change"}
        return {
            "denominator": self.trend_measure, "recent": plain, "change": {k: _num(v) for k, v in recent["change"].items()},
            "targets": [{k: _num(v) if isinstance(v, float) else v for k, v in p.items()} for p in self.paces],
        }

    def _scenarios_summary(self) -> dict:
        section, setting = self.params["scenarios"], self.scenario_setting
        baseline = {tg["id"]: ty for tg, ty in self.target_years}
        results = []
        for entry, result, years in self.scenario_results:
            results.append({
                "id": entry["id"], "levers": list(entry["levers"]),
                "coverage": {str(int(y)): _num(v) for y, v in zip(result.years, result.median)},
                "added": {str(int(y)): _num(v) for y, v in zip(result.years, result.stock)},
                "targets": [{**self._target_summary(tg, ty), "shift_years": sc.target_shift(baseline[tg["id"]], ty)}
                            for tg, ty in zip(self.params["targets"], years)],
            })
        return {
            "illustrative": any(lever["basis"] == "illustrative" for lever in section["levers"].values()),
            "informal_share": setting.informal_share, "bpu_share": self.bpu_share[1] if self.bpu_share else None,
            "bpu_year": self.bpu_share[0] if self.bpu_share else None, "retention": setting.retention,
            "workforce": {str(int(y)): _num(v) for y, v in zip(setting.years, setting.workforce)},
            "levers": section["levers"], "results": results,
        }

    def _ranking_summary(self) -> dict | None:
        ranked = self.children_ranking
        if ranked is None:
            return None
        columns = ["coverage", "growth", "distance", "gap_points", "rank_coverage", "rank_growth", "rank_distance", "composite", "rank"]
        return {
            "year": _year(ranked["tahun"].dropna().iloc[0]) if ranked["tahun"].notna().any() else None,
            "target": self.params["ranking"]["target"], "weights": self.params["ranking"]["weights"],
            "regions": [{"kode": code, "nama": self.ds.regions.name(code), **{c: _num(r[c]) for c in columns},
                         "infinite_distance": bool(math.isinf(r["distance"])), "reason": r["reason"]}
                        for code, r in ranked.iterrows()],
        }

    def _reconciliation_summary(self) -> dict | None:
        recon = self.reconciliation
        if recon is None:
            return None
        return {
            "children": len(self.ds.regions.children(self.code)),
            "counts": {k: int(v) for k, v in recon["status"].value_counts().items()},
            "rows": [{"periode": r.periode, "ukuran": r.ukuran, "induk": _num(r.nilai_induk), "jumlah": _num(r.jumlah),
                      "anak_ada": int(r.anak_ada), "selisih": _num(r.selisih), "status": r.status} for r in recon.itertuples()],
        }


def publish(summary: dict) -> None:
    """Hand the summary to the batch engine as a display output (not shown in the HTML)."""
    from IPython.display import display

    display({SUMMARY_MIME: summary, "text/html": workbench.footer_html(summary)}, raw=True)
