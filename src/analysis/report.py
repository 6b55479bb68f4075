"""The story of one region, as HTML blocks the notebooks display.

Notebooks stay thin: they call these methods in order. Every string comes from the message
catalogue, every number is formatted for the report's language, and every piece of data text
(names, sources, notes) is HTML-escaped here, so data can never inject markup into a page.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from analysis import metrics, plots
from analysis.data import SEGMENTS, Dataset, cached_dataset
from analysis.messages import fmt_int, fmt_pct, fmt_period, fmt_pp, t
from analysis.params import load_params

SUMMARY_MIME = "application/vnd.cakupan.summary+json"


class Html(str):
    """A block of trusted HTML (built here from escaped data) that notebooks display."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: object) -> float | None:
    """JSON-safe number (NaN becomes None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return float(value)


def _section(key: str, lang: str, body: str, level: int = 2) -> Html:
    slug = key.split(".")[0]
    return Html(f'<section class="block" id="{slug}"><h{level}>{esc(t(key, lang))}</h{level}>{body}</section>')


@dataclass
class RegionReport:
    """Everything one region's report shows, computed once from the dataset and parameters."""

    code: str
    lang: str
    params: dict
    ds: Dataset
    table: pd.DataFrame = field(repr=False)

    @classmethod
    def load(cls, region: str, params_path: str | None = None, lang: str = "id", data_dir: str | None = None) -> "RegionReport":
        params = load_params(params_path or None)
        ds = cached_dataset(data_dir or None)
        if region not in ds.regions:
            raise KeyError(f"region {region!r} is not in the region tree")
        if lang not in params["languages"]:
            raise ValueError(f"language {lang!r} is not one of {params['languages']}")
        table = metrics.coverage_table(ds, [region], params["coverage"])
        return cls(region, lang, params, ds, table)

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
        break_years = [int(p[:4]) for p in self.breaks["periode"]]
        fig = plots.trend_chart(self.table, lang, measure, break_years, self.params["targets"])
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
        head = "".join(f'<th scope="col">{esc(h)}</th>' for h in (
            t("trend.axis.year", lang), t("headline.participants", lang), t("headline.denominator", lang),
            t("index.col.coverage", lang), t("sources.list", lang)))
        rows = []
        for r in self.table.dropna(subset=["cakupan"]).itertuples():
            marker = " ◇" if r.sintetis else ""
            rows.append(
                f'<tr><th scope="row">{int(r.tahun)}</th><td class="num">{fmt_int(r.peserta, lang)}</td>'
                f'<td class="num">{fmt_int(r.penyebut, lang)} <span class="muted">({esc(t(f"measure.{r.ukuran_penyebut}", lang))})</span></td>'
                f'<td class="num">{esc(fmt_pct(r.cakupan, lang))}{marker}</td><td class="src">{esc(r.sumber)}</td></tr>'
            )
        return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'

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
        head = "".join(f'<th scope="col">{esc(t(k, lang))}</th>' for k in ("split.col.segment", "split.col.people", "split.col.share"))
        table = (f'<table class="data"><caption>{esc(t("split.table.caption", lang, period=period))}</caption>'
                 f"<thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
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
        head = "".join(f'<th scope="col">{esc(t(k, lang))}</th>' for k in ("gap.col.target", "gap.col.year", "gap.col.value", "gap.col.people", "gap.col.points"))
        cells = "".join(
            f'<tr><th scope="row">{esc(g["label"])}</th><td>{g["year"]}</td><td class="num">{esc(fmt_pct(g["percent"] / 100, lang, 2))}</td>'
            f'<td class="num">{esc(t("gap.reached", lang)) if g["reached"] else fmt_int(g["people"], lang)}</td>'
            f'<td class="num">{esc(fmt_pp(g["points"], lang))}</td></tr>'
            for g in self.gaps()
        )
        lead = t("gap.lead", lang, period=int(row["tahun"]), denominator=fmt_int(row["penyebut"], lang),
                 measure=t(f"measure.{row['ukuran_penyebut']}", lang))
        table = f'<table class="data"><caption>{esc(t("gap.caption", lang))}</caption><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>'
        return _section("gap.title", lang, f"<p>{esc(lead)}</p>{table}")

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
            f"<h3>{esc(t('sources.params', lang))}</h3><p>{esc(targets)}; horizon {self.params['horizon']}</p>"
        )
        return _section("sources.title", lang, body)

    def summary(self) -> dict:
        """Headline numbers for ``<kode>.json`` and the index (JSON-safe)."""
        row = self.latest
        years = {
            str(int(r.tahun)): {
                "peserta": _num(r.peserta), "penyebut": _num(r.penyebut), "ukuran_penyebut": r.ukuran_penyebut,
                "cakupan": _num(r.cakupan), "cakupan_tren": _num(r.cakupan_tren),
                "PU": _num(r.PU), "BPU": _num(r.BPU), "JAKON": _num(r.JAKON), "PMI": _num(r.PMI), "TOTAL": _num(r.TOTAL),
                "periode_peserta": r.periode_peserta if isinstance(r.periode_peserta, str) else None,
                "periode_pekerja": r.periode_pekerja if isinstance(r.periode_pekerja, str) else None,
                "sintetis": bool(r.sintetis), "sumber": r.sumber,
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
        }


def publish(summary: dict) -> None:
    """Hand the summary to the batch engine as a display output (not shown in the HTML)."""
    from IPython.display import display

    display({SUMMARY_MIME: summary}, raw=True)
