"""Differential test of provenance: the same pages from the bundled data and from a sample panel
drawn with another seed.

Official rows are the same in both datasets; only sample (synthetic) rows differ. So every text
block whose numbers change rests on a sample row and must carry the sample marker ◇, every page
with such a block must carry the sample banner, and official headlines must not change.
Pages are rendered through the library (no kernel): the national page, the overview, provinces
and a kab/kota, in both languages.
"""

from __future__ import annotations

import difflib
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.data import bundle
from analysis.data import sample
from analysis.data.contract import BUNDLED_DIR, cached_dataset
from analysis.pages.overview import Overview
from analysis.pages.region_page import RegionReport

REGIONS = ("ID", "31", "32", "32.73")
LANGS = ("id", "en")
OTHER_SEED = 7
REGION_BLOCKS = ("title", "banner", "headline", "trend", "split", "gap", "forecast", "targets", "pace", "scenarios",
                 "subregions", "provenance")
OVERVIEW_BLOCKS = ("title", "banner", "headline", "league_table", "province_map", "kabkota_map", "distribution",
                   "national_forecast", "provenance")
BLOCK_TAGS = {"p", "li", "tr", "caption", "h1", "h2", "h3", "div", "figcaption"}


class _Blocks(HTMLParser):
    """The text of each block element (p, li, tr, ...) and each image's alt text, in page order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "img":
            self.blocks.append("[img] " + dict(attrs).get("alt", ""))
        elif tag in BLOCK_TAGS:
            self.open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS and self.open:
            text = " ".join("".join(self.open.pop()).split())
            if text:
                self.blocks.append(text)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].append(data)


def blocks(page: str) -> list[str]:
    parser = _Blocks()
    parser.feed(page)
    return parser.blocks


def _pages(data_dir: str | None) -> dict[tuple[str, str], tuple[str, dict]]:
    out = {}
    for lang in LANGS:
        for code in REGIONS:
            report = RegionReport.load(code, lang=lang, data_dir=data_dir)
            out[(code, lang)] = ("".join(str(getattr(report, b)()) for b in REGION_BLOCKS), report.summary())
        overview = Overview.load(None, lang, data_dir)
        out[("overview", lang)] = ("".join(str(getattr(overview, b)()) for b in OVERVIEW_BLOCKS), overview.summary())
    return out


@pytest.fixture(scope="module")
def other_data(tmp_path_factory) -> Path:
    """The bundled data with the sample panel drawn from another seed (official rows unchanged)."""
    out = tmp_path_factory.mktemp("other-seed")
    regions = cached_dataset().regions
    for name, table in sample.bundled_tables(regions, seed=OTHER_SEED).items():
        bundle.write_csv(table, out / name)
    return out


@pytest.fixture(scope="module")
def both(other_data):
    return _pages(None), _pages(str(other_data))


def test_the_other_seed_changes_only_sample_rows(other_data):
    import pandas as pd

    for name in ("participants.csv", "workforce.csv"):
        a = pd.read_csv(BUNDLED_DIR / name, dtype=str, keep_default_na=False)
        b = pd.read_csv(other_data / name, dtype=str, keep_default_na=False)
        real_a, real_b = (df[~df["sumber"].str.startswith("sintetis")] for df in (a, b))
        assert real_a.reset_index(drop=True).equals(real_b.reset_index(drop=True))
        assert not a.equals(b)  # the sample panel did change


def _changed(a: list[str], b: list[str]) -> list[str]:
    """Blocks of either page that differ from the other page (aligned by content)."""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            out += a[i1:i2] + b[j1:j2]
    return out


def test_every_changed_block_carries_the_marker_and_its_page_the_banner(both):
    bundled, other = both
    changed_pages = 0
    unmarked = []
    for key in bundled:
        page_a, page_b = bundled[key][0], other[key][0]
        changed = _changed(blocks(page_a), blocks(page_b))
        unmarked += [(key, text) for text in changed if "◇" not in text]
        if changed:
            changed_pages += 1
            for page in (page_a, page_b):
                assert 'class="banner sample"' in page, key
    assert not unmarked, unmarked
    assert changed_pages >= len(REGIONS)  # the test has something to check on every region


def test_official_headlines_do_not_change(both):
    bundled, other = both
    official = 0
    for key, (_, summary) in bundled.items():
        latest = summary.get("latest")
        if latest is None or latest["sintetis"]:
            continue
        official += 1
        assert other[key][1]["latest"] == latest, key
        kpi = [b for b in blocks(bundled[key][0]) if b.startswith(("Cakupan 20", "Coverage 20"))]
        assert kpi and kpi == [b for b in blocks(other[key][0]) if b.startswith(("Cakupan 20", "Coverage 20"))]
        assert "◇" not in kpi[0]
    assert official == len(REGIONS) * len(LANGS) - 2  # every region but the kab/kota (sample participants only)


def test_summaries_flag_what_changed(both):
    """In the JSON too: a value that differs between the two seeds is flagged sintetis."""
    bundled, other = both
    for key, (_, summary) in bundled.items():
        if key[0] == "overview":
            others = {row["kode"]: row for row in other[key][1]["league"]}  # ranks (sample paces) may reorder the rows
            for a in summary["league"]:
                b = others[a["kode"]]
                if a["cakupan"] != b["cakupan"]:
                    assert a["sintetis_cakupan"] and b["sintetis_cakupan"], (key, a["kode"])
            continue
        b = other[key][1]
        for year, row in summary["years"].items():
            other_row = b["years"].get(year) or {}
            changes = ("perubahan_peserta", "perubahan_poin")
            if any(row[k] != other_row.get(k) for k in row if k not in changes):
                assert row["sintetis"] and other_row["sintetis"], (key, year)
            if any(row[k] != other_row.get(k) for k in changes):
                assert row["sintetis_perubahan"] and other_row["sintetis_perubahan"], (key, year)
        if summary["forecast"]["years"] != b["forecast"]["years"]:
            assert summary["forecast"]["sintetis"] and b["forecast"]["sintetis"], key
        if summary["pace"] != b["pace"]:
            assert summary["pace"]["sintetis"] and b["pace"]["sintetis"], key


# --- one answer everywhere: the league, the split and the gap on official data, under both seeds ----------

def _provinces_and_overview(data_dir: str | None) -> dict:
    """Every province's and the nation's JSON and headline/split/gap blocks, and the overview's JSON (English)."""
    from analysis.data.regions import ROOT

    regions = cached_dataset(data_dir).regions
    out = {"overview": Overview.load(None, "en", data_dir).summary(), "regions": {}}
    for code in [ROOT, *regions.children(ROOT)]:
        report = RegionReport.load(code, lang="en", data_dir=data_dir)
        out["regions"][code] = (report.summary(), {b: blocks(str(getattr(report, b)())) for b in ("headline", "split", "gap")})
    return out


@pytest.fixture(scope="module")
def every_province(other_data):
    return _provinces_and_overview(None), _provinces_and_overview(str(other_data))


def _official_pu_december_2023() -> dict[str, int]:
    """The PU count of every province straight from the published file (not through the pipeline)."""
    import pandas as pd

    raw = pd.read_csv(BUNDLED_DIR.parent / "raw" / "bpjstk_peserta_aktif_provinsi_2023-12.csv", dtype=str)
    return dict(zip(raw["kode_kemendagri"], raw["peserta_aktif_pu"].astype(int)))


@pytest.mark.slow
def test_league_rows_on_official_headlines_hold_under_both_seeds_and_equal_the_headline(every_province):
    bundled, other = every_province
    rows = {r["kode"]: r for r in bundled["overview"]["league"]}
    rows_other = {r["kode"]: r for r in other["overview"]["league"]}
    assert bundled["overview"]["tahun"] == other["overview"]["tahun"] == 2023  # the common official year
    checked = 0
    for code, row in rows.items():
        latest = bundled["regions"][code][0]["latest"]
        if latest is None or latest["sintetis"]:
            continue
        checked += 1
        fields = ("tahun", "cakupan", "selisih_poin", "sintetis_cakupan", "wilayah_sebelum")
        assert {k: row[k] for k in fields} == {k: rows_other[code][k] for k in fields}, code
        assert (row["tahun"], row["cakupan"], row["sintetis_cakupan"]) == (latest["tahun"], pytest.approx(latest["cakupan"]), False), code
    assert checked == 34  # the 34 provinces of December 2023 (the four new Papua provinces have sample figures only)
    # the summary sentence counts on those rows: 8 provinces at or above 43.92% on official 2023
    reached = [c for c, r in rows.items() if r["cakupan"] is not None and r["cakupan"] >= 0.4392]
    assert len(reached) == 8 and all(rows[c]["target_tercapai"] and not rows[c]["sintetis_tahun_target"] for c in reached)


@pytest.mark.slow
def test_league_pace_and_target_status_equal_each_regions_own_json(every_province):
    for pages in every_province:
        for row in pages["overview"]["league"]:
            own = pages["regions"][row["kode"]][0]
            pace = own["pace"]
            assert row["laju_poin"] == (None if pace is None else pytest.approx(pace["recent"]["points_per_year"])), row["kode"]
            assert row["sintetis_laju"] == (False if pace is None else pace["sintetis"]) or row["laju_poin"] is None, row["kode"]
            target = next(tg for tg in own["targets"] if tg["id"] == pages["overview"]["target"])
            assert (row["target_tercapai"], row["tahun_target"], row["sintetis_tahun_target"]) == (
                target["already_reached"], target["reached_year"], target["sintetis"]), row["kode"]
            # a row above its target is reached, on its own page as in the league
            if row["cakupan"] is not None and row["cakupan"] >= 0.4392 and not row["sintetis_cakupan"]:
                assert target["already_reached"] and target["official_status"], row["kode"]


@pytest.mark.slow
def test_official_split_gap_and_headline_sentences_do_not_move(every_province):
    bundled, other = every_province
    pu = _official_pu_december_2023()
    checked = 0
    for code, (summary, page) in bundled["regions"].items():
        split = summary["split"]
        if split is None or split["sintetis"] or split["periode"] != "2023-12":
            continue
        checked += 1
        other_page = other["regions"][code][1]
        assert page["split"] == other_page["split"] and page["gap"] == other_page["gap"], code
        unmarked = [b for b in page["headline"] if "◇" not in b]
        assert unmarked == [b for b in other_page["headline"] if "◇" not in b], code
        expected = pu.get(code, sum(pu.values()))  # the nation: the provinces' December 2023 PU summed
        assert split["PU"] == expected and any(f"{expected:,}" in b for b in page["split"]), code
        assert not any("◇" in b for b in page["split"] + page["gap"]), code
    assert checked == 35  # the nation and the 34 provinces of December 2023
