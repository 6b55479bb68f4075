"""The forward-looking blocks of a region report: forecast, target years, required pace, scenarios.

A mixin of :class:`analysis.pages.region_page.RegionReport`: it renders ``self.facts`` (see
:mod:`analysis.model.facts`) in ``self.lang`` and computes nothing. Values resting on sample years
carry ◇, and the forecast text says what the backtest found (:func:`analysis.pages.markup.skill_text`).
"""

from __future__ import annotations

import math

import numpy as np

from analysis.model import forecast as fc
from analysis.pages import charts
from analysis.model import scenarios as sc
from analysis.pages.markup import Html, column_headers, data_table, esc, header_cells, mark, sample_note, section, skill_text
from analysis.core.messages import fmt_int, fmt_num, fmt_pct, fmt_pp, t, tn
from analysis.data.regions import ROOT


class OutlookBlocks:
    """Forecast, targets, pace and scenarios of ``self.facts`` (needs ``facts``, ``lang``, ``params``, ``code``,
    ``_measure`` and ``ucj_note`` from the report)."""

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

    def _reached_text(self, ty: fc.TargetYear, official: bool = False) -> str:
        """'reached in 2031 (80%: 2029–2035), P(by 2029) = 23%' or 'not by 2045 ...'; ``official``: reached on official data."""
        lang = self.lang
        if ty.already_reached and official:
            row = self.facts.status_row
            key = "targets.above_official.over100" if row["cakupan_tren"] > 1 else "targets.above_official"
            return t(key, lang, year=ty.year)
        if ty.already_reached:
            return t("targets.already", lang, year=ty.year)
        if ty.reason:
            return t("targets.no_forecast", lang)
        if ty.deadline <= self.facts.outlook.last_year:
            return t("targets.passed", lang, deadline=ty.deadline)
        values = {"range": self._year_range(ty), "deadline": ty.deadline, "prob": self._prob(ty.prob_by_deadline, relation=True)}
        if ty.year is None:
            return t("targets.not_by", lang, horizon=ty.horizon_end, **values)
        return t("targets.reached", lang, year=ty.year, **values)

    def _key_years(self) -> list[int]:
        years = self.facts.outlook.years
        wanted = {int(years[0]), int(years[-1]), *(tg["year"] for tg in self.params["targets"] if tg["year"] >= years[0])}
        return sorted(wanted)

    def forecast(self) -> Html:
        """The forecast of the trend coverage: median, 80% and 95% bands, what the backtest found. Data: ``report.frames.forecast``."""
        f, lang, result = self.facts, self.lang, self.facts.outlook
        measure = self._measure(f.trend_measure)
        if not result.ok:
            why = t("forecast.insufficient", lang, years=len(f.history_rows), measure=measure)
            if f.territory_from is not None:
                why += " " + t("forecast.territory", lang, year=f.territory_from)
            return section("forecast.title", lang, f"<p>{esc(why)}</p>")
        sample = f.history_sample
        frame = result.frame()
        history = result.history
        fig = charts.fan_chart(f.table, frame, lang, self.params["targets"], f.break_years,
                               title=t("chart.title.long", lang, region=f.name, end=int(frame.index[-1])))
        end = frame.iloc[-1]
        m = mark(sample)
        last_sample = bool(f.table.loc[f.table["tahun"] == result.last_year, "sintetis"].any())
        targets = "; ".join(f"{tg['label']} {fmt_pct(tg['percent'] / 100, lang, 2)} ({tg['year']})" for tg in self.params["targets"])
        alt = t("chart.alt.long_view", lang, region=f.name, last=result.last_year, last_value=fmt_pct(history.iloc[-1], lang) + mark(last_sample),
                end=int(frame.index[-1]), median=fmt_pct(end["median"], lang) + m, lo80=fmt_pct(end["lo80"], lang),
                hi80=fmt_pct(end["hi80"], lang) + m, lo95=fmt_pct(end["lo95"], lang), hi95=fmt_pct(end["hi95"], lang) + m,
                targets=targets)
        methods = ", ".join(t(f"forecast.method.{name}", lang) for name in result.members)
        official = len(f.official_years)
        uncapped = result.cap is None  # a ratio above 100%, forecast on the log scale (see RegionFacts.outlook_kind)
        method = (t("forecast.method.log", lang, methods=methods) if uncapped
                  else t("forecast.method", lang, methods=methods, cap=fmt_pct(result.cap, lang, 0)))
        body = (f"<p>{esc(t('forecast.lead', lang, measure=measure, first=int(history.index[0]), last=result.last_year, n=len(history)))} "
                f"{esc(tn('forecast.official', lang, len([y for y in history.index if y in f.official_years]), n=len(history)))}</p>"
                f"<p>{esc(method)}</p><p>{esc(skill_text(lang, national=self.code == ROOT))}</p>")
        extrapolated = fc.extrapolated_from(result)
        if extrapolated is not None:
            body += f"<p>{esc(t('forecast.extrapolated', lang, horizons=fc.calibrated_horizons(), year=extrapolated))}</p>"
        if not sample and official < len(f.trend_years):
            body += f"<p>{esc(t('forecast.official_only', lang, n=official, total=len(f.trend_years)))}</p>"
        if uncapped:
            body += f'<p class="note">{esc(t("forecast.over100", lang, region=f.name))}</p>'
        if sample:
            body += sample_note(tn("forecast.sample", lang, official, n=len(history)))
        if not f.breaks.empty:
            body += f'<p class="note">{esc(t("forecast.breaks", lang))}</p>'
        if result.bridged_years:
            body += f"<p>{esc(t('forecast.bridged', lang, years=', '.join(map(str, result.bridged_years))))}</p>"
        rows = "".join(
            f'<tr><th scope="row">{year}</th><td class="num">{esc(fmt_pct(frame.at[year, "median"], lang))}{m}</td>'
            f'<td class="num">{esc(fmt_pct(frame.at[year, "lo80"], lang))}–{esc(fmt_pct(frame.at[year, "hi80"], lang))}{m}</td>'
            f'<td class="num">{esc(fmt_pct(frame.at[year, "lo95"], lang))}–{esc(fmt_pct(frame.at[year, "hi95"], lang))}{m}</td></tr>'
            for year in self._key_years()
        )
        head = header_cells(lang, ("trend.axis.year", "forecast.col.median", "forecast.col.band80", "forecast.col.band95"))
        table = data_table(t("forecast.caption", lang), head, rows)
        return section("forecast.title", lang, body + f"<figure>{charts.img_tag(fig, alt)}</figure>{table}")

    def targets(self) -> Html:
        """The year each target is reached on the median path, its 80% range and the probability by the deadline. Data: ``report.frames.targets``."""
        f, lang = self.facts, self.lang
        items = "".join(
            f"<li><strong>{esc(t('targets.item', lang, label=tg['label'], value=fmt_pct(tg['percent'] / 100, lang, 2), year=tg['year']))}</strong>: "
            f"{esc(self._reached_text(ty, official=f.reached(tg) is not None and not sample))}{mark(sample)}</li>"
            for (tg, ty), sample in zip(f.target_years, f.target_sample)
        )
        body = f"<p>{esc(t('targets.lead', lang))}</p><ul class=\"targets\">{items}</ul>{self.ucj_note()}"
        return section("targets.title", lang, body)

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
        """People and points a year needed to each target against the recent pace. Data: ``report.frames.pace``."""
        f, lang, recent = self.facts, self.lang, self.facts.recent
        measure = self._measure(f.trend_measure)
        if recent is None:
            return section("pace.title", lang, f"<p>{esc(t('pace.none', lang))}</p>")
        m = mark(recent["sintetis"])
        change = recent["change"]
        period = {"start": recent["start"], "end": recent["end"]}
        recent_text = t("pace.recent", lang, **period, people=fmt_int(recent["people_per_year"], lang) + m,
                        points=fmt_pp(recent["points_per_year"], lang, 2) + m)
        parts = {k: fmt_pp(v, lang, 2) + m for k, v in change.items()}
        body = f"<p>{esc(recent_text)}</p><p>{esc(t('pace.decomposition', lang, **period, **parts, measure=measure))}</p>"
        if recent["sintetis"]:
            body += sample_note(tn("pace.sample", lang, len(f.official_years)))
        head = header_cells(lang, (
            "gap.col.target", "pace.col.years", "pace.col.people", "pace.col.points", "pace.col.ratio"))
        rows = "".join(self._pace_row(p) for p in f.paces)
        table = data_table(t("pace.caption", lang, year=recent["end"]), head, rows)
        growth = recent["workforce_growth"] if math.isfinite(recent["workforce_growth"]) else 0.0
        note = t("pace.note", lang, measure=measure, growth=fmt_pct(growth, lang, 2) + mark(recent["sintetis_pekerja"]), **period)
        return section("pace.title", lang, body + table + f'<p class="muted">{esc(note)}</p>{self.ucj_note(full=False)}')

    def _pace_row(self, p: dict) -> str:
        """One target's row; a target reached (its status, as the targets block tells it) needs nothing more."""
        lang, m = self.lang, mark(p["sintetis"])
        # at the target's share already, but a growing workforce still needs people: the people ratio, never "reached"
        ratio = p["ratio_people"] if p["ratio_points"] == 0 and p["people_per_year"] > 0 else p["ratio_points"]
        head = f'<tr><th scope="row">{esc(p["label"])} ({esc(fmt_pct(p["percent"] / 100, lang, 2))}, {p["year"]})</th><td class="num">{max(p["years"], 0)}</td>'
        if p["reached"]:
            return head + f'<td class="num">–</td><td class="num">–</td><td class="num">{esc(t("gap.reached", lang))}{m}</td></tr>'
        return (head + f'<td class="num">{fmt_int(p["people_per_year"], lang)}{m}</td>'
                f'<td class="num">{esc(fmt_pp(p["points_per_year"], lang, 2))}{m}</td>'
                f'<td class="num">{esc(self._ratio_text(ratio, p["deadline_passed"]))}{m}</td></tr>')

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
        if base.already_reached:  # the target's status (on official data where there is any), the same in every scenario
            return t("targets.already", lang, year=base.year)
        if ty.reason:
            return "–"
        if ty.already_reached:
            return t("targets.already", lang, year=ty.year)
        if ty.year is None:
            return t("scenarios.not_by", lang, horizon=ty.horizon_end)
        shift = sc.target_shift(base, ty)
        if shift is None:
            return t("scenarios.year.new", lang, year=ty.year, horizon=base.horizon_end)
        return tn("scenarios.year.shift", lang, shift, year=ty.year) if shift else str(ty.year)

    def _informal_source(self) -> str:
        """The informal-share source: the catalogue's words for the default, else the parameter file's text."""
        from analysis.model.params import DEFAULT_PARAMS, cached_params

        source = self.params["scenarios"]["informal_share"].get("source", "")
        default = cached_params(DEFAULT_PARAMS)["scenarios"]["informal_share"].get("source", "")
        return t("scenarios.informal.source", self.lang) if source == default else source

    def scenarios(self) -> Html:
        """What each enrolment lever (illustrative sizes) would change: coverage and target years. Data: ``report.frames.scenarios``, ``report.frames.targets``."""
        f, lang, section_params = self.facts, self.lang, self.params["scenarios"]
        if not f.scenario_results:
            return section("scenarios.title", lang, f"<p>{esc(t('scenarios.none', lang))}</p>")
        m = mark(f.scenarios_sample)
        levers = sc.levers_from_params(section_params)
        body = ""
        if any(lever.basis == "illustrative" for lever in levers.values()):
            body += f'<p class="note" role="note"><strong>{esc(t("scenarios.illustrative", lang))}</strong></p>'
        setting = f.scenario_setting
        bpu = (t("scenarios.bpu", lang, share=fmt_pct(f.bpu_share[1], lang) + mark(f.bpu_share[2]), year=f.bpu_share[0]) if f.bpu_share
               else t("scenarios.bpu.unknown", lang))
        assumptions = t("scenarios.setting", lang, informal=fmt_pct(setting.informal_share, lang), bpu=bpu,
                        source=self._informal_source(), retention=fmt_pct(setting.retention, lang, 0))
        items = "".join(f"<li>{esc(self._lever_text(lever))}</li>" for lever in levers.values())
        body += f"<p>{esc(t('scenarios.lead', lang))}</p><p>{esc(assumptions)}</p><ul>{items}</ul>"
        if f.latest is not None and f.latest["cakupan"] > 1:
            body += f'<p class="note">{esc(t("scenarios.over100", lang, coverage=fmt_pct(f.latest["cakupan"], lang) + mark(f.latest["sintetis"]), informal=fmt_pct(setting.informal_share, lang)))}</p>'
        baseline = f.outlook
        first = self.params["targets"][0]
        at = first["year"] if first["year"] in baseline.years else int(baseline.years[-1])
        i = int(np.flatnonzero(baseline.years == at)[0])
        lines = [(self._scenario_name(entry), result.years, result.median) for entry, result, _ in f.scenario_results]
        end_year = int(baseline.years[-1])
        fig = charts.fan_chart(f.table, baseline.frame(), lang, self.params["targets"], f.break_years, lines,
                               t("chart.title.scenarios", lang, region=f.name, end=end_year), f.scenarios_sample)
        best = max(f.scenario_results, key=lambda r: r[1].median[i])
        same = "".join(t("chart.alt.same", lang, names=" = ".join(lines[k][0] for k in group))
                       for group in charts.same_lines(lines) if len(group) > 1)
        alt = t("chart.alt.scenarios", lang, region=f.name, end=end_year, same=same, year=at,
                baseline=fmt_pct(baseline.median[i], lang) + m, scenario=self._scenario_name(best[0]), value=fmt_pct(best[1].median[i], lang) + m)
        base_years = [ty for _, ty in f.target_years]
        head = [t("scenarios.col.scenario", lang), t("scenarios.col.added", lang, year=at), t("scenarios.col.coverage", lang, year=at)]
        for tg in self.params["targets"]:
            head += [t("scenarios.col.year", lang, label=tg["label"]), t("scenarios.col.prob", lang, year=tg["year"])]

        def row(name: str, added: str, coverage: float, years: list[fc.TargetYear]) -> str:
            cells = "".join(f'<td>{esc(self._scenario_year(b, ty))}</td><td class="num">{esc(self._prob(ty.prob_by_deadline) if not ty.reason else "–")}{m}</td>'
                            for b, ty in zip(base_years, years))
            return f'<tr><th scope="row">{esc(name)}</th><td class="num">{added}</td><td class="num">{esc(fmt_pct(coverage, lang))}{m}</td>{cells}</tr>'

        rows = row(t("scenarios.baseline", lang), "–", baseline.median[i], base_years) + "".join(
            row(self._scenario_name(entry), fmt_int(result.stock[i], lang) + m, result.median[i], years)
            for entry, result, years in f.scenario_results)
        table = data_table(t("scenarios.caption", lang), column_headers(head), rows)
        return section("scenarios.title", lang, body + f"<figure>{charts.img_tag(fig, alt)}</figure>{table}")
