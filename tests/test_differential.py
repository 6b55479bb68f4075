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
            for a, b in zip(summary["league"], other[key][1]["league"]):
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
