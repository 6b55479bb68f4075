"""The index's search words: codes without dots, short and English names, Kab./Kota and city abbreviations.

The page's script keeps a row when every typed word (normalised as ``normalise`` does) starts one of
the row's words; ``found`` below does the same over the whole Kemendagri tree (provinces and kab/kota),
so the alias table is checked against every name it could wrongly match. The browser test runs the
page's own script on the same kind of queries.
"""

from __future__ import annotations

import pytest
import yaml

from analysis.data.contract import cached_dataset
from analysis.pages import search


def found(query: str, texts: dict[str, str]) -> set[str]:
    needles = search.normalise(query).split()
    return {code for code, text in texts.items() if all(any(w.startswith(n) for w in text.split()) for n in needles)}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    regions = cached_dataset().regions
    codes = ["ID", *regions.codes("provinsi"), *regions.codes("kabkota")]
    return {code: search.search_text(code, regions.name(code)) for code in codes}


def test_normalise_drops_case_accents_and_dots_but_keeps_words_apart():
    assert search.normalise("Kab. Cianjúr 32.03") == "kab cianjur 3203"
    assert search.normalise("  KOTA   Bandung—32.73.01 ") == "kota bandung 327301"
    assert search.normalise("Daerah Istimewa Yogyakarta (DIY)") == "daerah istimewa yogyakarta diy"


def test_a_row_is_found_by_its_code_name_short_and_english_names():
    text = search.search_text("32.73", "Kota Bandung").split()
    assert text[:3] == ["3273", "kota", "bandung"] and {"city", "bdg"} <= set(text) and "kabupaten" not in text
    province = search.search_text("32", "Jawa Barat").split()
    assert {"jabar", "west", "java"} <= set(province) and "bandung" not in province


@pytest.mark.parametrize(("query", "codes"), [
    ("DKI", {"31"}), ("dki jakarta", {"31"}), ("Jabar", {"32"}), ("JATENG", {"33"}), ("Jatim", {"35"}),
    ("3273", {"32.73"}), ("32.73", {"32.73"}), ("32.7", {f"32.{n}" for n in range(71, 80)}),
    ("Kab. Bandung", {"32.04", "32.17"}), ("kabupaten bandung barat", {"32.17"}), ("kota bdg", {"32.73"}),
    ("Bandung Regency", {"32.04", "32.17"}), ("West Java", {"32"}), ("west jakarta", {"31.73"}),
    ("Jawa Barát", {"32"}), ("Special Region of Yogyakarta", {"34"}), ("southwest papua", {"96"}),
    ("kota sby", {"35.78"}), ("Highland Papua", {"95"}), ("nasional", {"ID"}),
])
def test_queries_a_reader_types_find_exactly_the_region_meant(texts, query, codes):
    assert found(query, texts) == codes


def test_every_alias_names_a_province_and_every_word_occurs_in_a_name(texts):
    doc = yaml.safe_load(search.ALIASES_FILE.read_text(encoding="utf-8"))
    regions = cached_dataset().regions
    assert set(doc["regions"]) == {"ID", *regions.codes("provinsi")}
    names = " ".join(f" {search.normalise(regions.name(code))} " for code in texts)
    assert [w for w in doc["words"] if f" {search.normalise(w)} " not in names] == []
