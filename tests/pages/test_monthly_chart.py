"""The monthly national series on the national page (analysis.pages.monthly_chart)."""

from __future__ import annotations

import re

from analysis.data.contract import cached_dataset
from analysis.model.facts import facts_for
from analysis.model.params import load_params
from analysis.pages.monthly_chart import monthly_block


def test_the_national_page_shows_the_months_and_the_december_peak():
    params, ds = load_params(), cached_dataset()
    for lang, words in (("en", ("December 2024 (45.22 M) is a peak", "10.8% above October 2024 (40.83 M)",
                                "9.3% above February 2025 (41.38 M)")),
                        ("id", ("Desember 2024 (45,22 juta) adalah puncak", "10,8% di atas Oktober 2024 (40,83 juta)"))):
        block = monthly_block(facts_for("ID", params, ds), lang)
        assert block.startswith('<section class="block" id="monthly">')
        for text in words:
            assert text in block, text
        rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', block)
        assert len(rows) == 26 and rows[-2] == (("December 2024", "45,220,000") if lang == "en" else ("Desember 2024", "45.220.000"))
        alt = re.search(r'alt="([^"]+)"', block).group(1)
        assert "45.22" in alt or "45,22" in alt
    assert monthly_block(facts_for("32", params, ds), "en") == ""  # two months are no series
