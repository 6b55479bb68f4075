"""The national overview: provinces side by side, two maps, the spread and the national forecast.

Like :mod:`analysis.pages.region_page`, every block is HTML built here from escaped data and catalogue
text, and the notebook ``notebooks/overview.ipynb`` only calls the blocks in order. A region's
headline, forecast and target years come from :func:`analysis.model.facts.facts_for`, the same facts
its own page shows, and every value resting on a sample row carries ◇.

Two facts of the data shape the maps:

- the 2023 provincial participants (Kemnaker) and Sakernas up to 2023 use the 34 provinces from
  before the 2022 split of Papua: Papua then includes Papua Selatan, Papua Tengah and Papua
  Pegunungan, Papua Barat includes Papua Barat Daya (``data/raw/SOURCES-upstream.md``). On a map
  of an earlier year the new provinces are drawn with the pre-split value, hatched and explained;
- a ratio above 100% (DKI Jakarta) is a definition effect, shown in its own map class and never
  clipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.model import forecast as fc
from analysis.pages import maps
from analysis.model import metrics
from analysis.pages import charts
from analysis.model import ranking
from analysis.pages import notebook_display
from analysis.data.contract import Dataset, cached_dataset
from analysis.model.facts import RegionFacts, facts_for, table_sample_parts
from analysis.pages.markup import Html, column_headers, data_table, esc, header_cells, mark, sample_note, section
from analysis.core.messages import LANGUAGES, fmt_num, fmt_pct, fmt_pp, t, t_each, tn
from analysis.model.params import cached_params
from analysis.data.portfolio import OVERVIEW, select_regions
from analysis.data.regions import ROOT
from analysis.pages.region_page import RegionReport, provenance_block, sample_banner
from analysis.pages.summary import num
from analysis.model.status import region_status, status_json
from analysis.pages.status_block import status_block
from analysis.pages.navigation import glossary_block

PRE_SPLIT = {"93": "91", "94": "91", "95": "91", "96": "92"}  # province created in 2022 -> province it was part of
SEPARATE_FROM = 2024  # first year with separate figures for the new Papua provinces


def _section(key: str, lang: str, body: str, slug: str, **values: object) -> Html:
    return section(key, lang, body, slug=slug, **values)


def _scroll_table(label: str, table: str) -> str:
    """A wide table in a keyboard-scrollable region, so it never widens the page on a phone."""
    return f'<div class="table-scroll" role="region" tabindex="0" aria-label="{esc(label)}">{table}</div>'


def map_year(table: pd.DataFrame) -> int | None:
    """The map's year: the common year of every comparison (:func:`analysis.model.ranking.reference_year`),
    the year in which the most regions have an official value; sample years only where none has enough."""
    return ranking.reference_year(dict(tuple(table.groupby("kode"))), "cakupan")


@dataclass(repr=False)
class Overview(notebook_display.Workbench):
    """Everything the national overview shows, computed once from the dataset and parameters."""

    lang: str
    params: dict
    ds: Dataset
    provinces: pd.DataFrame
    national: pd.DataFrame
    kabkota: pd.DataFrame

    @classmethod
    def load(cls, params_path: str | None = None, lang: str = "id", data_dir: str | None = None) -> "Overview":
        """The national overview in ``lang`` (every province's facts, computed once per process)."""
        if lang not in LANGUAGES:
            raise ValueError(t_each("workbench.param.lang", value=lang, languages=", ".join(LANGUAGES)))
        params = cached_params(params_path or None)
        if lang not in params["languages"]:
            raise ValueError(t("workbench.param.language_off", lang, value=lang, languages=", ".join(params["languages"])))
        ds = cached_dataset(data_dir or None)
        definition = params["coverage"]
        return cls(
            lang, params, ds,
            metrics.coverage_table(ds, ds.regions.children(ROOT), definition),
            metrics.coverage_table(ds, [ROOT], definition),
            metrics.coverage_table(ds, ds.regions.children(maps.KABKOTA_PARENT), definition),
        )

    # --- facts -----------------------------------------------------------------------------
    @property
    def target(self) -> dict:
        """The target the ranking measures distance to (RPJMN 2029 by default)."""
        return next(tg for tg in self.params["targets"] if tg["id"] == self.params["ranking"]["target"])

    @cached_property
    def national_facts(self) -> RegionFacts:
        """The facts of the national region."""
        return facts_for(ROOT, self.params, self.ds)

    @cached_property
    def sample_parts(self) -> list[tuple[str, str, str]]:
        """What is sample on this page: national, province and kab/kota values."""
        measure = self.params["coverage"]["trend_denominator"]
        return [*table_sample_parts(self.national, "nasional", measure), *table_sample_parts(self.provinces, "provinsi", measure),
                *table_sample_parts(self.kabkota, "kabkota", measure)]

    @cached_property
    def linked(self) -> set[str]:
        """Regions that have a report in the portfolio the parameters describe."""
        return set(select_regions(self.ds.regions, self.params))

    def _name(self, code: str) -> str:
        name = esc(self.ds.regions.name(code))
        return f'<a href="{esc(code)}.html">{name}</a>' if code in self.linked else name

    @cached_property
    def league(self) -> pd.DataFrame:
        """Provinces ranked within Indonesia (the national page's ranking rows), with each province's
        forecast target year as its own page tells it."""
        ranked = self.national_facts.children_ranking
        if ranked is None:
            ranked = self.national_facts.rank_children()
        extra = []
        for code in ranked.index:
            facts = facts_for(code, self.params, self.ds)
            i = next(i for i, (tg, _) in enumerate(facts.target_years) if tg["id"] == self.target["id"])
            year, start = ranked.at[code, "tahun"], facts.territory_from
            pace = facts.recent  # the region's own pace, also where it has no value to rank in the common year
            extra.append({
                "kode": code, "nama": self.ds.regions.name(code), "target_year": facts.target_years[i][1],
                "sample_target": facts.target_sample[i], "pace": np.nan if pace is None else pace["points_per_year"],
                "sample_pace": bool(pace and pace["sintetis"]),
                "before_territory": bool(start is not None and pd.notna(year) and year < start),
            })
        league = ranked.join(pd.DataFrame(extra).set_index("kode"))
        return league.assign(sample_value=league["sintetis_coverage"], growth=league["pace"])

    @property
    def trend_measure_name(self) -> str:
        """The denominator every comparison here uses (one for all years: see the parameters)."""
        return t(f"measure.{self.params['coverage']['trend_denominator']}", self.lang)

    @property
    def reference_year(self) -> int | None:
        """The common official year the provinces are compared in."""
        years = self.league["tahun"].dropna()
        return int(years.iloc[0]) if len(years) else None

    # --- blocks ----------------------------------------------------------------------------
    def title(self) -> Html:
        """The page header of the national overview."""
        lang = self.lang
        subtitle = t("overview.subtitle", lang, provinces=len(self.ds.regions.children(ROOT)),
                     kabkota=len(self.ds.regions.children(maps.KABKOTA_PARENT)), parent=self.ds.regions.name(maps.KABKOTA_PARENT))
        return Html(
            f'<header class="report-header"><p class="app">{esc(t("app.tagline", lang))}</p>'
            f"<h1>{esc(t('overview.title', lang))}</h1><p class=\"subtitle\">{esc(subtitle)}</p></header>"
        )

    def banner(self) -> Html:
        """The sample banner: what on the page rests on sample rows; empty when nothing does."""
        return sample_banner(self.sample_parts, self.lang)

    def status(self) -> Html:
        """The national status block, as the national page opens with it; details link to this page's sections."""
        details = (("headline", "headline.title"), ("league", "overview.league.title"), ("forecast", "forecast.title"))
        return status_block(region_status(self.national_facts), self.lang, self.national_facts.name,
                            lambda p: self.national_report._prob(p, relation=True), details)

    def headline(self) -> Html:
        """National coverage and the spread between provinces in the common official year."""
        lang, row = self.lang, self.national_facts.latest
        league = self.league.dropna(subset=["coverage"])
        body = ""
        if row is not None:
            marker = mark(row["sintetis"])
            body += (f'<p class="kpi"><span class="kpi-label">{esc(t("overview.national", lang, period=int(row["tahun"])))}</span> '
                     f'<span class="kpi-value">{esc(fmt_pct(row["cakupan"], lang))}{marker}</span></p>'
                     f'<p><a href="{ROOT}.html">{esc(t("overview.national.link", lang))}</a></p>')
        if not league.empty:
            top, bottom = league["coverage"].idxmax(), league["coverage"].idxmin()
            target = self.target
            any_sample = mark(league["sample_value"].any())
            body += "<p>" + esc(t(
                "overview.spread", lang, year=self.reference_year, count=len(league),
                median=fmt_pct(league["coverage"].median(), lang) + any_sample,
                top=self.ds.regions.name(top), top_value=fmt_pct(league.at[top, "coverage"], lang) + mark(league.at[top, "sample_value"]),
                bottom=self.ds.regions.name(bottom), bottom_value=fmt_pct(league.at[bottom, "coverage"], lang) + mark(league.at[bottom, "sample_value"]),
                reached=tn("overview.spread.reached", lang, int((league["coverage"] >= target["percent"] / 100).sum()),
                           target=target["label"], target_value=fmt_pct(target["percent"] / 100, lang, 2)),
                measure=self.trend_measure_name,
            )) + "</p>"
        return _section("headline.title", lang, body or f"<p>{esc(t('headline.none', lang))}</p>", "headline")

    def _target_year_text(self, ty: fc.TargetYear) -> str:
        if ty.already_reached:
            return t("gap.reached", self.lang)
        if ty.reason is not None:
            return t("targets.no_forecast", self.lang)
        if ty.year is None:
            return t("overview.after", self.lang, year=ty.horizon_end)
        return str(ty.year)

    def league_table(self) -> Html:
        """Every province ranked (coverage, pace, distance to the target). Data: ``overview.frames.ranking``."""
        lang, target = self.lang, self.target
        weights = self.params["ranking"]["weights"]
        heads = ("overview.col.rank", "index.col.name", "overview.col.coverage", "overview.col.pace",
                 "overview.col.gap", "overview.col.target_year")
        head = column_headers(t(k, lang, year=self.reference_year, target=target["label"]) for k in heads)
        rows = []
        any_sample = bool(self.league["sintetis"].any())
        for code, r in self.league.iterrows():
            rank = fmt_num(r["rank"], lang, 1 if r["rank"] % 1 else 0) + mark(any_sample) if r["ranked"] else "–"
            reason = f' <span class="muted">({esc(t("overview.reason." + r["reason"], lang))})</span>' if isinstance(r["reason"], str) else ""
            if r["before_territory"]:
                reason += f' <span class="muted">({esc(t("overview.before_territory", lang, year=int(r["tahun"])))})</span>'
            ty = r["target_year"]
            rows.append(
                f'<tr><td class="num">{rank}</td><th scope="row">{self._name(code)}{reason}</th>'
                f'<td class="num">{esc(fmt_pct(r["coverage"], lang))}{mark(r["sample_value"])}</td>'
                f'<td class="num">{esc(fmt_pp(r["growth"], lang, 2))}{mark(r["sample_pace"] and pd.notna(r["growth"]))}</td>'
                f'<td class="num">{esc(fmt_pp(r["gap_points"], lang))}{mark(r["sample_value"] and pd.notna(r["gap_points"]))}</td>'
                f'<td class="num wrap">{esc(self._target_year_text(ty))}{mark(r["sample_target"] and not (ty.reason and not ty.already_reached))}</td></tr>'
            )
        caption = t("overview.league.caption", lang, year=self.reference_year)
        table = data_table(caption, head, "".join(rows))
        lead = t("overview.league.lead", lang, window=self.params["pace"]["window"], target=target["label"],
                 target_value=fmt_pct(target["percent"] / 100, lang, 2),
                 coverage=fmt_pct(weights.get("coverage", 0), lang, 0), growth=fmt_pct(weights.get("growth", 0), lang, 0),
                 distance=fmt_pct(weights.get("distance", 0), lang, 0), measure=self.trend_measure_name)
        body = f"<p>{esc(lead)}</p>"
        if any_sample:
            body += sample_note(t("subregions.ranking.sample", lang))
        body += _scroll_table(caption, table)
        if (self.league["coverage"] > 1).any():
            body += f'<p class="note">{esc(t("headline.over100", lang))}</p>'
        body += self.national_report.ucj_note()
        return _section("overview.league.title", lang, body, "league")

    # --- maps ------------------------------------------------------------------------------
    def _map_values(self, table: pd.DataFrame, year: int) -> pd.DataFrame:
        rows = table[(table["tahun"] == year)].dropna(subset=["cakupan"]).set_index("kode")
        return rows[["cakupan", "sintetis", "ukuran_penyebut"]]

    def _map_table(self, values: pd.DataFrame, inherited: dict[str, str], caption: str) -> str:
        lang = self.lang
        head = header_cells(lang, ("index.col.code", "index.col.name", "index.col.coverage"))
        rows = []
        for code in sorted({*values.index, *inherited}):
            if code in inherited:
                value = esc(t("map.part_of", lang, parent=self.ds.regions.name(inherited[code])))
            else:
                r = values.loc[code]
                value = esc(fmt_pct(r["cakupan"], lang)) + (" ◇" if r["sintetis"] else "")
            rows.append(f'<tr><td>{esc(code)}</td><th scope="row">{self._name(code)}</th><td class="num">{value}</td></tr>')
        return f'<details><summary>{esc(t("map.table", lang))}</summary>{data_table(caption, head, "".join(rows))}</details>'

    def _map_figure(self, fig: Figure, alt: str, notes: list[str], source: maps.GeoSource) -> str:
        credit = t("map.credit", self.lang, title=source.title, licence=source.licence)
        links = (f'<a href="{esc(source.url)}">{esc(credit)}</a> '
                 f'(<a href="{esc(source.licence_url)}">{esc(t("map.licence", self.lang, licence=source.licence))}</a>)')
        captions = "".join(f"<p>{esc(n)}</p>" for n in notes)
        return f'<figure>{charts.img_tag(fig, alt)}<figcaption>{captions}<p class="muted">{links}</p></figcaption></figure>'

    def _alt(self, values: pd.DataFrame, key: str, **extra: object) -> str:
        shares = values["cakupan"]
        top, bottom = shares.idxmax(), shares.idxmin()
        return t(key, self.lang, count=len(shares), top=self.ds.regions.name(top),
                 top_value=fmt_pct(shares[top], self.lang) + mark(values.at[top, "sintetis"]),
                 bottom=self.ds.regions.name(bottom), bottom_value=fmt_pct(shares[bottom], self.lang) + mark(values.at[bottom, "sintetis"]),
                 **extra)

    def _callouts(self, values: pd.DataFrame) -> dict[str, str]:
        """Regions at or above 100% get a label: they are small cities, easy to miss on a map."""
        over = values[values["cakupan"] >= 1]
        return {code: f"{self.ds.regions.name(code)} {fmt_pct(r['cakupan'], self.lang)}" for code, r in over.iterrows()}

    def province_map(self) -> Html:
        """Coverage of every province on a map."""
        lang, year = self.lang, map_year(self.provinces)
        if year is None:
            return _section("overview.map.title", lang, f"<p>{esc(t('headline.none', lang))}</p>", "map-provinces", year="–")
        values = self._map_values(self.provinces, year)
        inherited = {}
        if year < SEPARATE_FROM:
            inherited = {code: parent for code, parent in PRE_SPLIT.items() if parent in values.index}
            values = values.drop(index=[c for c in inherited if c in values.index])
        shares = values["cakupan"].to_dict()
        split_label = t("map.pre_split.legend", lang)
        sample = [*values.index[values["sintetis"]], *(code for code, parent in inherited.items() if values.at[parent, "sintetis"])]
        fig = maps.choropleth(maps.province_shapes(self.ds.regions), shares, lang,
                              {code: shares[parent] for code, parent in inherited.items()}, split_label,
                              self._callouts(values), size=(8.4, 3.7), sample=sample,
                              title=t("overview.map.title", lang, year=year), period=charts.period_text(lang, [year]),
                              source=maps.PROVINCES_SOURCE)
        national = self._map_values(self.national, year)
        alt = self._alt(values, "map.alt.provinces", year=year,
                        national=fmt_pct(national["cakupan"].iloc[0], lang) + mark(national["sintetis"].iloc[0]) if not national.empty else "–")
        notes = [t("map.note.classes", lang)]
        if inherited:
            notes.append(t("map.note.pre_split", lang, year=year))
            alt += " " + t("map.note.pre_split", lang, year=year)
        if (values["cakupan"] >= 1).any():
            notes.append(t("headline.over100", lang))
        if values["sintetis"].any():
            notes.append(t("map.note.sample", lang))
        body = self._map_figure(fig, alt, notes, maps.PROVINCES_SOURCE)
        body += self._map_table(values, inherited, t("overview.map.title", lang, year=year))
        return _section("overview.map.title", lang, body, "map-provinces", year=year)

    def kabkota_map(self) -> Html:
        """Coverage of the kab/kota of one province (``maps.KABKOTA_PARENT``, Jawa Barat) on a map."""
        lang, year = self.lang, map_year(self.kabkota)
        parent = self.ds.regions.name(maps.KABKOTA_PARENT)
        if year is None:
            return _section("overview.kabkota.title", lang, f"<p>{esc(t('headline.none', lang))}</p>", "map-kabkota",
                            parent=parent, year="–")
        values = self._map_values(self.kabkota, year)
        fig = maps.choropleth(maps.kabkota_shapes(), values["cakupan"].to_dict(), lang, callouts=self._callouts(values),
                              size=(7.2, 4.0), legend_loc="outside right lower", legend_columns=1, sample=values.index[values["sintetis"]],
                              title=t("overview.kabkota.title", lang, parent=parent, year=year), period=charts.period_text(lang, [year]),
                              source=maps.KABKOTA_SOURCE)
        alt = self._alt(values, "map.alt.kabkota", year=year, parent=parent)
        notes = [t("map.note.classes", lang)]
        if (values["cakupan"] >= 1).any():
            notes.append(t("headline.over100", lang))
        if values["sintetis"].any():
            notes.append(t("map.note.sample", lang))
        body = self._map_figure(fig, alt, notes, maps.KABKOTA_SOURCE)
        body += self._map_table(values, {}, t("overview.kabkota.title", lang, parent=parent, year=year))
        return _section("overview.kabkota.title", lang, body, "map-kabkota", parent=parent, year=year)

    # --- distribution and forecast ---------------------------------------------------------
    def distribution(self) -> Html:
        """How coverage is spread across provinces."""
        lang = self.lang
        league = self.league.dropna(subset=["coverage"]).sort_values("coverage")
        if league.empty:
            return _section("overview.distribution.title", lang, f"<p>{esc(t('headline.none', lang))}</p>", "distribution")
        national = self.national[self.national["tahun"] == self.reference_year]["cakupan_tren"].dropna()
        fig = _distribution_chart(league, national.iloc[0] if len(national) else None, self.target, lang, self.reference_year)
        q1, median, q3 = league["coverage"].quantile([0.25, 0.5, 0.75])
        m = mark(league["sample_value"].any())
        alt = t("overview.distribution.alt", lang, year=self.reference_year, count=len(league), median=fmt_pct(median, lang) + m,
                q1=fmt_pct(q1, lang) + m, q3=fmt_pct(q3, lang) + m,
                bottom=league["nama"].iloc[0], bottom_value=fmt_pct(league["coverage"].iloc[0], lang) + mark(league["sample_value"].iloc[0]),
                top=league["nama"].iloc[-1], top_value=fmt_pct(league["coverage"].iloc[-1], lang) + mark(league["sample_value"].iloc[-1]),
                over=tn("overview.distribution.over", lang, int((league["coverage"] >= 1).sum())))
        lead = t("overview.distribution.lead", lang, year=self.reference_year, measure=self.trend_measure_name)
        note = sample_note(t("map.note.sample", lang)) if m else ""
        return _section("overview.distribution.title", lang, f"<p>{esc(lead)}</p>{note}<figure>{charts.img_tag(fig, alt)}</figure>",
                        "distribution")

    @cached_property
    def national_report(self) -> RegionReport:
        """The national region report (``RegionReport`` of ``ID``) the overview reuses."""
        facts = self.national_facts
        return RegionReport(ROOT, self.lang, self.params, self.ds, facts.table, facts)

    def national_forecast(self) -> Html:
        """The national report's forecast block: one forecast, told the same way on both pages."""
        return self.national_report.forecast()

    def provenance(self) -> Html:
        """Sources of every figure on the page, the definition and the parameters (as on a region report)."""
        table = pd.concat([self.national, self.provinces, self.kabkota], ignore_index=True)
        return provenance_block(table, self.national_facts.off_series, self.ds, self.params, self.lang,
                                self.national_report._segments_label(), self.national_report.cited_keys())

    def glossary(self) -> Html:
        return glossary_block(self.lang)

    def summary(self) -> dict:
        """What the build needs to render and index the page (JSON-safe), with the league table's rows and their provenance."""
        rows = [{"kode": code, "nama": r["nama"], "tahun": None if pd.isna(r["tahun"]) else int(r["tahun"]),
                 "peringkat": num(r["rank"]), "cakupan": num(r["coverage"]), "laju_poin": num(r["growth"]),
                 "selisih_poin": num(r["gap_points"]), "tahun_target": r["target_year"].year,
                 "target_tercapai": r["target_year"].already_reached, "alasan": r["reason"] if isinstance(r["reason"], str) else None,
                 "sintetis": bool(r["sintetis"]), "sintetis_cakupan": bool(r["sample_value"]),
                 "wilayah_sebelum": bool(r["before_territory"]),
                 "sintetis_laju": bool(r["sample_pace"]), "sintetis_tahun_target": bool(r["sample_target"]),
                 "sumber": r["sumber"] if isinstance(r.get("sumber"), str) else None}
                for code, r in self.league.iterrows()]
        return {"kode": OVERVIEW, "lang": self.lang, "title": t("overview.title", self.lang),
                "sintetis": bool(self.sample_parts), "tahun": self.reference_year, "league": rows,
                "status": status_json(region_status(self.national_facts), self.lang),
                "target": self.target["id"]}


def _distribution_chart(league: pd.DataFrame, national: float | None, target: dict, lang: str, year: int | None) -> Figure:
    """Provinces sorted by coverage, one bar each (hollow where the value is sample data); not clipped at 100%."""
    fig, ax = charts.new_figure(7.2, 0.17 * len(league) + 1.3 + charts.HEADING / 72)
    with charts.styled():
        charts._styled(ax)
        ax.grid(axis="y", visible=False)
        values = league["coverage"].to_numpy() * 100
        sample = league["sample_value"].to_numpy(dtype=bool)
        y = np.arange(len(league))
        ax.barh(y[~sample], values[~sample], color=charts.BLUE, height=0.7, label=t("trend.legend.real", lang))
        if sample.any():
            ax.barh(y[sample], values[sample], color="white", edgecolor=charts.BLUE, hatch="//", height=0.7,
                    label=t("trend.legend.sample", lang))
        if national is not None:
            ax.axvline(national * 100, color=charts.GREY, linestyle="--", linewidth=1.2,
                       label=t("overview.distribution.national", lang, value=fmt_pct(national, lang)))
        ax.axvline(target["percent"], color=charts.GREEN, linestyle=":", linewidth=1.8,
                   label=t("trend.legend.target", lang, label=target["label"], value=fmt_pct(target["percent"] / 100, lang, 2)))
        ax.set_yticks(y, labels=list(league["nama"]), fontsize=7.5)
        ax.set_ylim(-0.7, len(league) - 0.3)
        ax.set_xlim(0, max(values.max(), target["percent"]) * 1.05)
        ax.set_xlabel(t("trend.axis.coverage", lang))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_num(v, lang, 0)))
        ax.legend(loc="lower right", fontsize=7.5, frameon=True, framealpha=0.95, edgecolor="#cccccc")
        charts.heading(fig, lang, t("chart.title.distribution", lang, year=year), charts.period_text(lang, [year] if year else []),
                       charts.mostly_sample(sample))
    return fig
