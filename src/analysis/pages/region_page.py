"""The story of one region, as HTML blocks the notebooks display.

Notebooks stay thin: they call these methods in order. Nothing is computed here: the values and
whether each rests on sample rows come from :mod:`analysis.model.facts`; this module only renders them.
Every string comes from the message catalogue, every number is formatted for the report's
language, every sample value carries ◇, and every piece of data text (names, sources, notes) is
HTML-escaped here, so data can never inject markup into a page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.model import metrics
from analysis.pages import charts
from analysis.pages import notebook_display
from analysis.data.contract import SEGMENTS, TOTAL, Dataset, cached_dataset
from analysis.model.facts import RegionFacts, facts_for
from analysis.pages.markup import (MARK, Html, data_table, data_text, esc, header_cells, mark, sample_note, section, source_citations,
                                    source_items, source_keys, source_names, target_source_items)
from analysis.core.messages import LANGUAGES, fmt_int, fmt_num, fmt_pct, fmt_period, fmt_pp, t, t_each, tn
from analysis.pages.outlook_blocks import OutlookBlocks
from analysis.model.params import cached_params
from analysis.data.regions import ROOT, lookalike
from analysis.pages.summary import region_summary
from analysis.model.status import region_status
from analysis.pages.status_block import status_block
from analysis.pages.navigation import glossary_block
from analysis.pages.monthly_chart import monthly_block

SUMMARY_MIME = "application/vnd.cakupan.summary+json"


@dataclass(repr=False)
class RegionReport(OutlookBlocks, notebook_display.Workbench):
    """One region's report in one language: the facts of :mod:`analysis.model.facts`, rendered."""

    code: str
    lang: str
    params: dict
    ds: Dataset
    table: pd.DataFrame = field(repr=False)
    facts: RegionFacts | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.facts is None:
            self.facts = RegionFacts(self.code, self.params, self.ds, self.table)

    @classmethod
    def load(cls, region: str, params_path: str | None = None, lang: str = "id", data_dir: str | None = None) -> "RegionReport":
        """The report of ``region`` in ``lang``.

        The facts come from :func:`analysis.model.facts.facts_for`: computed once per process, so a second
        language (and the overview) reuses the first one's forecasts, scenarios and rankings.
        """
        if lang not in LANGUAGES:
            raise ValueError(t_each("workbench.param.lang", value=lang, languages=", ".join(LANGUAGES)))
        params = cached_params(params_path or None)
        ds = cached_dataset(data_dir or None)
        if region not in ds.regions:
            character = lookalike(region)  # a look-alike digit is named, never matched
            ascii_note = f" ({t('regions.expect.ascii_digits', lang if lang in LANGUAGES else 'en', character=character)})" if character else ""
            raise ValueError(unknown_region(region, ds, lang) + ascii_note)
        if lang not in params["languages"]:
            raise ValueError(t("workbench.param.language_off", lang, value=lang, languages=", ".join(params["languages"])))
        facts = facts_for(region, params, ds)
        return cls(region, lang, params, ds, facts.table, facts)

    def __getattr__(self, name: str):
        """The facts' values read through the report (``report.outlook is report.facts.outlook``)."""
        if name.startswith("__") or name == "facts":
            raise AttributeError(name)
        return getattr(self.facts, name)

    def _segments_label(self) -> str:
        segments = self.params["coverage"]["segments"]
        return t("segment.all", self.lang) if set(segments) == set(SEGMENTS) else ", ".join(segments)

    def _measure(self, key: str) -> str:
        return t(f"measure.{key}", self.lang)

    # --- header and banner ---------------------------------------------------------------------
    def title(self) -> Html:
        """The page header: the region, its level and parent, the link up. Data: ``report.summary()``."""
        parent = self.ds.regions.parent(self.code)
        parent_text = t("report.parent", self.lang, name=self.ds.regions.name(parent)) if parent else ""
        subtitle = t("report.subtitle", self.lang, level=t(f"level.{self.facts.level}", self.lang), parent=parent_text, code=self.code)
        up = (f'<p class="parent-link"><a href="{esc(parent)}.html" rel="up">{esc(t("report.up", self.lang, name=self.ds.regions.name(parent)))}</a></p>'
              if parent else "")
        return Html(
            f'<header class="report-header"><p class="app">{esc(t("app.tagline", self.lang))}</p>'
            f"<h1>{esc(t('report.title', self.lang, region=self.facts.name))}</h1>"
            f'<p class="subtitle">{esc(subtitle)}</p>{up}</header>'
        )

    def banner(self) -> Html:
        """The sample banner: what on the page rests on sample (synthetic) rows; empty when nothing does."""
        return sample_banner(self.facts.sample_parts, self.lang)

    # --- status: the answer in thirty seconds -------------------------------------------------------
    def status(self) -> Html:
        """Coverage now, next milestone, on track or not, when reached, what helps most (:mod:`analysis.model.status`)."""
        return status_block(region_status(self.facts), self.lang, self.facts.name, lambda p: self._prob(p, relation=True))

    # --- headline ---------------------------------------------------------------------------------
    def headline(self) -> Html:
        """The headline coverage (latest complete year, official first) with its participants, denominator and sources. Data: ``report.frames.trend`` (last year)."""
        f, lang, row = self.facts, self.lang, self.facts.latest
        if row is None:
            return section("headline.title", lang, f"<p>{esc(t('headline.none', lang))}</p>")
        sample = bool(row["sintetis"])
        body = (
            f'<p class="kpi"><span class="kpi-label">{esc(t("headline.coverage", lang, period=int(row["tahun"])))}</span> '
            f'<span class="kpi-value">{esc(fmt_pct(row["cakupan"], lang))}{mark(sample)}</span></p>'
            f"<p>{esc(t('headline.definition', lang, participants=fmt_int(row['peserta'], lang) + mark(row['sintetis_peserta']), segments=self._segments_label(), participants_period=fmt_period(row['periode_peserta'], lang), denominator=fmt_int(row['penyebut'], lang) + mark(row['sintetis_pekerja']), measure=self._measure(row['ukuran_penyebut']), denominator_period=fmt_period(row['periode_pekerja'], lang)))}</p>"
        )
        key = "headline.rule.sample" if sample else "headline.rule.official"
        body += f'<p class="provenance">{esc(t(key, lang))}</p>'
        if f.months_differ:
            body += f'<p class="note">{esc(t("headline.months", lang, participants_period=fmt_period(row["periode_peserta"], lang), denominator_period=fmt_period(row["periode_pekerja"], lang)))}</p>'
        later = f.latest_any
        if later is not None and int(later["tahun"]) > int(row["tahun"]):
            body += (f'<p class="note">{esc(t("headline.later_sample", lang, year=int(later["tahun"]), value=fmt_pct(later["cakupan"], lang) + MARK))}</p>')
        body += f"<p class=\"provenance\">{esc(t('headline.sources', lang, sources=self._source(row['sumber'])))}</p>"
        if f.headline_before_territory:
            note = data_text(f.territory_break, "catatan", lang).rstrip(".")
            note = note[:1].lower() + note[1:]
            body += f'<p class="note">{esc(t("headline.territory", lang, year=int(row["tahun"]), note=note))}</p>'
        if row["cakupan"] > 1:
            body += f'<p class="note">{esc(t("headline.over100", lang))}</p>'
        body += "".join(f'<p class="reference">{esc(text)}</p>' for text in self.reference_checks())
        return section("headline.title", lang, body)

    def reference_checks(self) -> list[str]:
        """Published coverage figures for this region set against Cakupan's own computation of the same month."""
        f, lang, out = self.facts, self.lang, []
        refs = self.ds.references[(self.ds.references["kode"] == self.code) & (self.ds.references["indikator"] == "cakupan")]
        points = f.off_series.set_index("periode") if not f.off_series.empty else None
        for ref in refs.itertuples():
            year = int(ref.periode[:4])
            published = fmt_pct(ref.nilai / 100, lang)
            if points is not None and ref.periode in points.index and pd.notna(points.at[ref.periode, "cakupan"]):
                row = points.loc[ref.periode]
                sample = bool(row["sintetis"] or row["sintetis_pekerja"])
            else:
                rows = f.table[(f.table["tahun"] == year) & f.table["cakupan"].notna()]
                if rows.empty:
                    out.append(t("headline.reference.missing", lang, period=fmt_period(ref.periode, lang), published=published, source=self._source(ref.sumber)))
                    continue
                row = rows.iloc[0]
                sample = bool(row["sintetis"])
            out.append(t(
                "headline.reference", lang, period=fmt_period(ref.periode, lang), published=published, source=self._source(ref.sumber),
                computed=fmt_pct(row["cakupan"], lang) + mark(sample), year=year, participants=as_published(row, lang),
                denominator=fmt_int(row["penyebut"], lang), measure=self._measure(row["ukuran_penyebut"]),
                difference=fmt_pp(row["cakupan"] * 100 - ref.nilai, lang),
            ))
            head = f.latest
            if head is not None and (head["cakupan"] != row["cakupan"]):
                out.append(t("headline.reference.why", lang, published=published, period=fmt_period(ref.periode, lang),
                             measure=self._measure(row["ukuran_penyebut"]), headline=fmt_pct(head["cakupan"], lang) + mark(head["sintetis"]),
                             participants_period=fmt_period(head["periode_peserta"], lang),
                             headline_measure=self._measure(head["ukuran_penyebut"])))
        return out

    # --- trend ------------------------------------------------------------------------------------
    def _points(self) -> list[tuple[float, float, str]]:
        """Off-series figures for the chart: (x, percent of the trend denominator, label)."""
        out = []
        for p in self.facts.off_series.dropna(subset=["cakupan_tren"]).itertuples():
            x = int(p.tahun) + (int(p.periode[5:7]) - 12) / 12
            out.append((x, float(p.cakupan_tren) * 100, t("trend.legend.point", self.lang, period=fmt_period(p.periode, self.lang))))
        return out

    def trend(self) -> Html:
        """Coverage per year on one denominator (chart, off-series points, breaks, year table). Data: ``report.frames.trend``."""
        f, lang = self.facts, self.lang
        measure = f.trend_measure
        trend = f.trend_rows
        if trend.empty:
            return section("trend.title", lang, f"<p>{esc(t('trend.empty', lang))}</p>")
        first, last = trend.iloc[0], trend.iloc[-1]
        end = charts.short_end(int(last["tahun"]), self.params["targets"], self.params["horizon"])
        short = f.outlook.frame().loc[:end] if f.outlook.ok else None
        fig = charts.trend_chart(f.table, lang, measure, f.break_years, self.params["targets"], end, self._points(), short,
                                 t("chart.title.trend", lang, region=f.name))
        alt = t("trend.alt", lang, region=f.name, first=int(first["tahun"]), last=int(last["tahun"]),
                first_value=fmt_pct(first["cakupan_tren"], lang) + mark(first["sintetis"]),
                last_value=fmt_pct(last["cakupan_tren"], lang) + mark(last["sintetis"]))
        if short is not None and not short.empty:
            m, at = mark(f.history_sample), short.iloc[-1]
            alt += " " + t("chart.alt.trend_forecast", lang, end=int(short.index[-1]), median=fmt_pct(at["median"], lang) + m,
                           lo80=fmt_pct(at["lo80"], lang), hi80=fmt_pct(at["hi80"], lang) + m)
        body = (f"<p>{esc(t('trend.lead', lang, measure=self._measure(measure)))}</p>"
                f"<p>{esc(tn('trend.official', lang, len(f.official_years), total=len(trend)) if len(f.official_years) < len(trend) else t('trend.official.all', lang, total=len(trend)))}</p>"
                f"<figure>{charts.img_tag(fig, alt)}</figure>")
        if not f.off_series.empty:
            items = "".join(
                f"<li>{esc(t('trend.point', lang, period=fmt_period(p.periode, lang), participants=as_published(p, lang) + mark(p.sintetis), source=self._source(p.sumber), value=fmt_pct(p.cakupan_tren, lang) + mark(p.sintetis or p.sintetis_pekerja), measure=self._measure(measure)))}</li>"
                for p in f.off_series.itertuples())
            body += f'<h3>{esc(t("trend.points.title", lang))}</h3><p>{esc(t("trend.points.lead", lang))}</p><ul class="points">{items}</ul>'
        if not f.breaks.empty:
            items = "".join(
                f"<li><strong>{esc(fmt_period(r.periode, lang))}</strong> ({esc(r.kode)}): {esc(data_text(r, 'catatan', lang))}</li>"
                for r in f.breaks.itertuples()
            )
            body += f'<h3>{esc(t("trend.breaks.title", lang))}</h3><ol class="breaks">{items}</ol>'
        body += self.year_table()
        return section("trend.title", lang, body)

    def year_table(self) -> str:
        """The year table of the trend block (participants, denominator, coverage, sources), ◇ on sample values."""
        lang = self.lang
        head = header_cells(lang, ("trend.axis.year", "headline.participants", "headline.denominator", "index.col.coverage", "sources.list"))
        rows = []
        for r in self.facts.table.dropna(subset=["cakupan"]).itertuples():
            rows.append(
                f'<tr><th scope="row">{int(r.tahun)}</th><td class="num">{fmt_int(r.peserta, lang)}{mark(r.sintetis_peserta)}</td>'
                f'<td class="num">{fmt_int(r.penyebut, lang)}{mark(r.sintetis_pekerja)} <span class="muted">({esc(self._measure(r.ukuran_penyebut))})</span></td>'
                f'<td class="num">{esc(fmt_pct(r.cakupan, lang))}{mark(r.sintetis)}</td><td class="src">{source_citations(r.sumber, self.ds.sources, lang)}</td></tr>'
            )
        return data_table(None, head, "".join(rows))

    # --- formal and informal -----------------------------------------------------------------
    def split(self) -> Html:
        """Formal (PU) and informal (BPU) participants and the other segments. Data: ``report.frames.segments``."""
        f, lang = self.facts, self.lang
        rows = f.split_rows
        last = f.split
        if rows.empty:
            return section("split.title", lang, f"<p>{esc(t('split.none', lang))}</p>")
        fig = charts.split_chart(rows, lang, t("chart.title.split", lang, region=f.name))
        body = f"<p>{esc(t('split.lead', lang))}</p>"
        if last is None:
            alt = t("split.none", lang)
            return section("split.title", lang, body + f"<figure>{charts.img_tag(fig, alt)}</figure><p>{esc(alt)}</p>")
        sample = bool(last["sintetis_peserta"])
        known = {s: float(last[s]) for s in SEGMENTS if pd.notna(last[s])}
        whole = max(sum(known.values()), float(last[TOTAL]) if pd.notna(last[TOTAL]) else 0.0)
        unsplit = whole - sum(known.values())
        shares = {s: v / whole for s, v in known.items()} if whole else {}
        period = fmt_period(last["periode_peserta"], lang)
        alt = t("split.alt", lang, first=int(rows["tahun"].iloc[0]), last=int(rows["tahun"].iloc[-1]), period=period,
                pu=fmt_pct(shares.get("PU"), lang) + mark(sample), bpu=fmt_pct(shares.get("BPU"), lang) + mark(sample))
        cells = "".join(
            f'<tr><th scope="row">{esc(t(f"segment.{s}", lang))}</th><td class="num">{fmt_int(last[s], lang)}{mark(sample)}</td>'
            f'<td class="num">{esc(fmt_pct(shares[s], lang))}{mark(sample)}</td></tr>'
            for s in SEGMENTS if s in shares
        )
        if unsplit >= 0.5:
            cells += (f'<tr><th scope="row">{esc(t("segment.TOTAL", lang))}</th><td class="num">{fmt_int(unsplit, lang)}{mark(sample)}</td>'
                      f'<td class="num">{esc(fmt_pct(unsplit / whole, lang))}{mark(sample)}</td></tr>')
        head = header_cells(lang, ("split.col.segment", "split.col.people", "split.col.share"))
        table = data_table(t("split.table.caption", lang, period=period), head, cells)
        notes = "".join(f'<p class="note">{esc(t("split.partial", lang, year=y))}</p>' for y in f.partial_split)
        if last["anak_split"]:
            notes += f'<p class="note">{esc(t("split.children", lang, period=period, n=int(last["anak_split"]), source=last["sumber_split"]))}</p>'
        return section("split.title", lang, body + f"<figure>{charts.img_tag(fig, alt)}</figure>{notes}{table}")

    # --- gap, with the targets' own indicator ---------------------------------------------------
    def ucj_note(self, full: bool = True) -> str:
        """The targets are set on UCJ; the published national UCJ next to Cakupan's own national ratio.

        Printed once a page (``id="ucj"``, in the targets section or the overview's league table);
        elsewhere (``full=False``) a line links to it."""
        f, lang = self.facts, self.lang
        if not full:
            return f'<p class="note"><a href="#ucj">{esc(t("ucj.see", lang))}</a></p>'

        ref = f.ucj
        national = facts_for(ROOT, self.params, self.ds).latest if ROOT in self.ds.regions else None
        if ref is None:
            return f'<p class="note" id="ucj">{esc(t("ucj.note.none", lang))}</p>'
        own = (fmt_pct(national["cakupan"], lang) + mark(national["sintetis"])) if national is not None else "–"
        year = int(national["tahun"]) if national is not None else "–"
        return (f'<p class="note" id="ucj">{esc(t("ucj.note", lang, value=fmt_pct(ref["nilai"] / 100, lang, 2), period=fmt_period(ref["periode"], lang), source=self._source(ref["sumber"]), own=own, year=year))}</p>')

    def gap(self) -> Html:
        """People and points still missing to each target in the latest complete year. Data: ``report.frames.gaps``."""
        f, lang, row = self.facts, self.lang, self.facts.latest
        if row is None:
            return section("gap.title", lang, f"<p>{esc(t('headline.none', lang))}</p>")
        head = header_cells(lang, ("gap.col.target", "gap.col.year", "gap.col.value", "gap.col.people", "gap.col.points"))
        cells = "".join(
            f'<tr><th scope="row">{esc(g["label"])}</th><td>{g["year"]}</td><td class="num">{esc(fmt_pct(g["percent"] / 100, lang, 2))}</td>'
            f'<td class="num">{self._gap_people(g)}</td>'
            f'<td class="num">{esc(fmt_pp(g["points"], lang))}{mark(g["sintetis"])}</td></tr>'
            for g in f.gaps()
        )
        lead = t("gap.lead", lang, period=int(row["tahun"]), denominator=fmt_int(row["penyebut"], lang) + mark(row["sintetis_pekerja"]),
                 measure=self._measure(row["ukuran_penyebut"]))
        table = data_table(t("gap.caption", lang), head, cells)
        if f.headline_before_territory:
            table += f'<p class="note">{esc(t("gap.territory", lang, year=int(row["tahun"])))}</p>'
        return section("gap.title", lang, f"<p>{esc(lead)}</p>{table}{self.ucj_note(full=False)}")

    def _gap_people(self, g: dict) -> str:
        if g["reached"]:
            return esc(t("gap.reached", self.lang)) + mark(g["sintetis"])
        if g["wilayah_sebelum"]:
            return "–"  # figures of the former territory: see the note under the table
        return fmt_int(g["people"], self.lang) + mark(g["sintetis"])

    # --- regions below ------------------------------------------------------------------------------
    def subregions(self) -> Html:
        """The regions below: reconciliation of their sum with this region, and their ranking. Data: ``report.frames.ranking``."""
        f, lang = self.facts, self.lang
        recon, ranked = f.reconciliation, f.children_ranking
        if recon is None and ranked is None:
            return Html("")
        children = self.ds.regions.children(self.code)
        level = t(f"level.{self.ds.regions.level(children[0])}", lang) if children else ""
        body = ""
        if recon is not None:
            counts = recon["status"].value_counts()
            lead = t("subregions.reconcile.lead", lang, region=f.name, n=len(children), level=level,
                     match=int(counts.get(metrics.MATCH, 0)), differs=int(counts.get(metrics.DIFFERS, 0)),
                     incomplete=int(counts.get(metrics.INCOMPLETE, 0)))
            body += f"<h3>{esc(t('subregions.reconcile.title', lang))}</h3><p>{esc(lead)}</p>"
            if counts.get(metrics.SAMPLE, 0):
                body += sample_note(t("subregions.reconcile.sample", lang, n=int(counts[metrics.SAMPLE])))
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
        return section("subregions.title", lang, body)

    def _measure_name(self, key: str) -> str:
        return t(f"segment.{key}", self.lang) if key in (*SEGMENTS, "TOTAL") else self._measure("peserta_aktif" if key == "peserta" else key)

    def _ranking_table(self, ranked: pd.DataFrame, level: str) -> str:
        lang, section_params = self.lang, self.params["ranking"]
        target = next(tg for tg in self.params["targets"] if tg["id"] == section_params["target"])
        weights = section_params["weights"]
        year = ranked["tahun"].dropna().iloc[0] if ranked["tahun"].notna().any() else None
        any_sample = bool(ranked["sintetis"].any())
        lead = t("subregions.ranking.lead", lang, level=level, year=year if year is not None else "–", target=target["label"],
                 coverage=fmt_pct(weights["coverage"], lang, 0), growth=fmt_pct(weights["growth"], lang, 0),
                 distance=fmt_pct(weights["distance"], lang, 0))

        def rank_text(value: float) -> str:
            return "–" if math.isnan(value) else fmt_num(value, lang, 1 if value % 1 else 0)

        def distance_text(r: pd.Series) -> str:
            value = r["distance"]
            if math.isnan(value):
                return "–"
            if value == 0:
                return t("gap.reached", lang)
            if math.isinf(value):
                return t("pace.ratio.never", lang)
            return t("targets.range.after", lang, horizon=self.params["horizon"]) if r["after_horizon"] else fmt_num(value, lang, 1)

        head = header_cells(lang, (
            "subregions.col.rank", "index.col.name", "index.col.coverage", "subregions.col.growth",
            "subregions.col.distance", "subregions.col.composite"))
        rows = "".join(
            f'<tr><td class="num">{rank_text(r["rank"])}{mark(any_sample and r["ranked"])}</td>'
            f'<th scope="row"><a href="{esc(code)}.html">{esc(self.ds.regions.name(code))}</a></th>'
            f'<td class="num">{esc(fmt_pct(r["coverage"], lang))}{mark(r["sintetis_coverage"])} <span class="muted">({rank_text(r["rank_coverage"])})</span></td>'
            f'<td class="num">{esc(fmt_pp(r["growth"], lang, 2))}{mark(r["sintetis_growth"])} <span class="muted">({rank_text(r["rank_growth"])})</span></td>'
            f'<td class="num">{esc(distance_text(r))}{mark(r["sintetis"] and not math.isnan(r["distance"]))} <span class="muted">({rank_text(r["rank_distance"])})</span></td>'
            f'<td class="num">{esc(fmt_num(r["composite"], lang, 3) + mark(any_sample) if r["ranked"] else t(f"ranking.reason.{r.reason}", lang, year=year if year is not None else "–"))}</td></tr>'
            for code, r in ranked.iterrows())
        note = sample_note(t("subregions.ranking.sample", lang)) if any_sample else ""
        return (f"<h3>{esc(t('subregions.ranking.title', lang))}</h3><p>{esc(lead)}</p>{note}"
                + data_table(t("subregions.ranking.caption", lang, year=year), head, rows) +
                f'<p class="muted">{esc(t("subregions.ranking.rules", lang))}</p>')

    # --- sources --------------------------------------------------------------------------------
    def provenance(self) -> Html:
        """Sources with links, the coverage definition and the parameters used."""
        return provenance_block(self.facts.table, self.facts.off_series, self.ds, self.params, self.lang, self._segments_label(),
                                self.cited_keys())

    def cited_keys(self) -> list[str]:
        """Sources the page cites besides its series: the published references it compares with and the UCJ figure."""
        refs = self.ds.references[(self.ds.references["kode"] == self.code) & (self.ds.references["indikator"] == "cakupan")]
        return source_keys([*refs["sumber"], *([self.facts.ucj["sumber"]] if self.facts.ucj is not None else [])])

    def _source(self, value: object) -> str:
        """Sources named by their titles in the page's language (the list at the end has their links)."""
        return source_names(value, self.ds.sources, self.lang)

    def monthly(self) -> Html:
        """The monthly series of active participants (the national page; empty where a region has none)."""
        return monthly_block(self.facts, self.lang)

    def glossary(self) -> Html:
        return glossary_block(self.lang)

    def summary(self) -> dict:
        """Headline numbers for ``<kode>.json`` and the index (JSON-safe), each value with its provenance."""
        return region_summary(self.facts, self.lang)


def as_published(point: object, lang: str) -> str:
    """A participant count no more precise than its sources: a sum of rounded published parts is
    shown as its parts (5,000,000 + 923,000, from "5 juta" and 923,000), never as 5,923,000."""
    parts = getattr(point, "bagian", None) if not isinstance(point, pd.Series) else point.get("bagian")
    unit = getattr(point, "presisi", 1) if not isinstance(point, pd.Series) else point.get("presisi", 1)
    if isinstance(parts, tuple) and len(parts) > 1 and unit and unit > 1:
        return " + ".join(fmt_int(part, lang) for part in parts)
    return fmt_int(point["peserta"] if isinstance(point, pd.Series) else point.peserta, lang)


def unknown_region(code: object, ds: Dataset, lang: str) -> str:
    """Why ``code`` cannot be loaded, in ``lang``: what was perhaps meant, how codes look, the provinces."""
    matches = ds.regions.close_matches(str(code))
    hint = t("workbench.param.region.hint", lang, matches=", ".join(matches)) if matches else ""
    return t("workbench.param.region", lang, code=code, hint=hint, provinces=", ".join(ds.regions.codes("provinsi")))


def sample_banner(parts: list[tuple[str, str, str]], lang: str) -> Html:
    """The sample banner, saying what is sample on the page (empty when nothing is)."""
    if not parts:
        return Html("")
    items = "; ".join(t("banner.sample.part", lang, measure=t(f"measure.{m}", lang), level=t(f"level.{lv}", lang).lower(), years=years)
                      for m, lv, years in parts)
    return Html(f'<div class="banner sample" role="note"><strong>{esc(t("banner.sample", lang))}</strong> '
                f'{esc(t("banner.sample.parts", lang, parts=items))}</div>')


def provenance_block(table: pd.DataFrame, points: pd.DataFrame, ds: Dataset, params: dict, lang: str, segments: str,
                     cited: Iterable[str] = ()) -> Html:
    """Sources with links (and licences) in the page's language, the coverage definition and the parameters:
    every source the page uses (its series, the figures beside it, ``cited`` references) and the targets' source."""
    cov = params["coverage"]
    series = sorted(source_keys(table["sumber"]))
    used = series + [k for k in source_keys([*sorted(source_keys(points.get("sumber", []))), *cited]) if k not in series]  # the series' sources first
    definition = t("sources.definition.text", lang, segments=segments,
                   denominators=", ".join(t(f"measure.{m}", lang) for m in cov["denominator"]),
                   trend=t(f"measure.{cov['trend_denominator']}", lang))
    targets = "; ".join(f"{tg['label']} {fmt_pct(tg['percent'] / 100, lang, 2)} ({tg['year']})" for tg in params["targets"])
    cfg, weights = params["forecast"], params["ranking"]["weights"]
    target = next(tg for tg in params["targets"] if tg["id"] == params["ranking"]["target"])
    analysis = t("sources.params.analysis", lang, method=t(f"forecast.name.{cfg['method']}", lang), paths=fmt_int(cfg["paths"], lang),
                 seed=cfg["seed"], window=params["pace"]["window"], target=target["label"],
                 weights=", ".join(f"{t(f'ranking.weight.{k}', lang)} {fmt_pct(v, lang, 0)}" for k, v in weights.items()),
                 retention=fmt_pct(params["scenarios"]["retention"] / 100, lang, 0))
    body = (
        f"<h3>{esc(t('sources.definition', lang))}</h3><p>{esc(definition)}</p>"
        f"<h3>{esc(t('sources.list', lang))}</h3><ul class=\"sources\">{source_items(used, ds.sources, lang)}"
        f"{target_source_items(params['targets'], lang)}</ul>"
        f"<h3>{esc(t('sources.params', lang))}</h3><p>{esc(t('sources.params.text', lang, targets=targets, horizon=params['horizon']))}</p>"
        f"<p>{esc(analysis)}</p>"
    )
    return section("sources.title", lang, body)


def publish(summary: dict) -> None:
    """Hand the summary to the batch engine as a display output (not shown in the HTML)."""
    from IPython.display import display

    display({SUMMARY_MIME: summary, "text/html": notebook_display.footer_html(summary)}, raw=True)
