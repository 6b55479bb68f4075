"""The region report built through the library (no kernel): blocks render, summary numbers hold together."""

import re
import json
import math

import pytest

from analysis.pages.region_page import RegionReport


@pytest.fixture(scope="module")
def jabar():
    return RegionReport.load("32", lang="en")


@pytest.fixture(scope="module")
def summary(jabar):
    return jabar.summary()


def test_summary_is_strict_json_and_keeps_the_existing_keys(summary):
    json.dumps(summary, allow_nan=False)
    for key in ("kode", "latest", "years", "references", "gaps", "definition", "forecast", "targets", "pace", "scenarios",
                "ranking", "reconciliation"):
        assert key in summary
    # Jawa Barat's latest year with an official numerator and denominator: Dec 2023 / Aug 2023.
    latest = summary["latest"]
    assert latest["tahun"] == 2023 and latest["sintetis"] is False and latest["bulan_berbeda"] is True
    assert (latest["periode_peserta"], latest["periode_pekerja"]) == ("2023-12", "2023-08")
    assert latest["cakupan"] == pytest.approx(4_855_121 / 23_503_598)
    assert [p["periode"] for p in summary["off_series"]] == ["2024-08", "2025-02"]


def test_the_national_summary_is_strict_json_too():
    """Ranked provinces have no reason: null, not NaN (a NaN made the kernel's message fall back to cleaning)."""
    summary = RegionReport.load("ID", lang="en").summary()
    json.dumps(summary, allow_nan=False)
    reasons = [r["reason"] for r in summary["ranking"]["regions"]]
    assert None in reasons and all(r is None or isinstance(r, str) for r in reasons)


def test_forecast_is_on_the_trend_coverage_and_bands_nest(summary):
    forecast = summary["forecast"]
    assert forecast["ok"] and forecast["series"] == "cakupan_tren" and forecast["denominator"] == "penduduk_bekerja"
    assert forecast["history_years"][-1] == 2023 and forecast["sintetis"] is True and forecast["official_years"] == [2023]
    years = forecast["years"]
    assert list(years)[0] == "2024" and list(years)[-1] == "2045"
    for band in years.values():
        values = [band[k] for k in ("lo95", "lo80", "median", "hi80", "hi95")]
        assert all(math.isfinite(v) and 0 <= v <= 1 for v in values)
        assert values == sorted(values)


def test_target_years_are_consistent(summary):
    last = summary["forecast"]["history_years"][-1]
    for target in summary["targets"]:
        assert 0 <= target["prob_by_deadline"] <= 1
        lo, hi = target["range80"]
        for year in (target["reached_year"], lo, hi):
            assert year is None or last <= year <= target["horizon"]
        if lo is not None and hi is not None:
            assert lo <= hi
        assert (target["reached_year"] is None) == target["not_by_horizon"]


def test_required_pace_against_the_recent_pace(summary):
    pace = summary["pace"]
    recent = pace["recent"]
    assert (recent["start"], recent["end"]) == (2020, 2023)
    # Jawa Barat 2020 (sample panel) -> 4,855,121 (Dec 2023, Kemnaker) participants, over 3 years: a sample pace.
    start = summary["years"]["2020"]["peserta"]
    assert recent["people_per_year"] == pytest.approx((4_855_121 - start) / 3)
    assert pace["sintetis"] is True and all(p["sintetis"] for p in pace["targets"])
    change = pace["change"]
    assert change["participants"] + change["workforce"] == pytest.approx(change["total"])
    rpjmn = next(p for p in pace["targets"] if p["id"] == "rpjmn2029")
    assert rpjmn["years"] == 6
    assert rpjmn["points_per_year"] == pytest.approx((43.92 - recent["coverage"] * 100) / 6)
    assert rpjmn["ratio_points"] == pytest.approx(rpjmn["points_per_year"] / recent["points_per_year"])


def test_scenarios_shift_targets_forward_and_never_lower_coverage(summary):
    scen = summary["scenarios"]
    assert scen["illustrative"] is True
    assert 0 < scen["informal_share"] < 1 and scen["bpu_year"] == 2023 and scen["sintetis"] is True
    baseline = summary["forecast"]["years"]
    for result in scen["results"]:
        for year, value in result["coverage"].items():
            assert value >= baseline[year]["median"] - 1e-12
            assert value <= 1
        for target, base in zip(result["targets"], summary["targets"]):
            assert target["prob_by_deadline"] >= base["prob_by_deadline"]  # the same paths, raised
            assert target["shift_years"] is None or target["shift_years"] >= 0
    together = next(r for r in scen["results"] if r["id"] == "semua")
    alone = [r for r in scen["results"] if len(r["levers"]) == 1]
    for year in together["added"]:
        assert together["added"][year] <= sum(r["added"][year] for r in alone) + 1e-6  # no double counting


def test_kabkota_reconcile_and_rank(summary):
    # Only BPS employed is official on both sides (8 periods); the sample kab/kota figures add up by construction.
    assert summary["reconciliation"]["counts"].get("differs", 0) == 0
    assert summary["reconciliation"]["counts"]["match"] == 8 and summary["reconciliation"]["counts"]["sample"] == 44
    ranked = summary["ranking"]
    assert ranked["year"] == 2023 and len(ranked["regions"]) == 27 and ranked["sintetis"] is True
    assert all(r["sintetis_coverage"] for r in ranked["regions"])
    assert abs(sum(ranked["weights"].values()) - 1) < 1e-9


def test_blocks_render_with_alt_text_and_escaped_text(jabar):
    forecast = str(jabar.forecast())
    assert 'id="forecast"' in forecast and 'alt="Long-term fan chart of the coverage forecast for Jawa Barat to 2045' in forecast
    assert "trend coverage" in forecast
    targets = str(jabar.targets())
    assert "P(by 2029)" in targets and ("reached in" in targets or "not by 2045" in targets)
    assert "× the recent pace" in str(jabar.pace())
    scenarios = str(jabar.scenarios())
    assert "Illustrative scenarios" in scenarios and "<img" in scenarios
    assert "Kabupaten Bogor" in str(jabar.subregions())


def test_indonesian_report_and_a_region_without_children_data():
    report = RegionReport.load("32.73", lang="id")
    assert str(report.subregions()) == ""
    assert "tercapai" in str(report.targets())
    json.dumps(report.summary(), allow_nan=False)


def test_the_other_language_reuses_the_analysis_and_changes_only_the_text():
    from analysis.pages import region_page as report

    first = RegionReport.load("32.73", lang="id")
    outlook, scenarios = first.outlook, first.scenario_results
    second = RegionReport.load("32.73", lang="en")
    assert second is not first and second.lang == "en" and first.lang == "id"
    assert second.facts is first.facts and second.outlook is outlook and second.scenario_results is scenarios
    assert first.summary()["forecast"] == second.summary()["forecast"]
    assert first.title() != second.title()
    other = RegionReport.load("32.01", lang="en")
    assert other.outlook is not outlook and report.facts_for("32.01", other.params, other.ds) is other.facts


def _plain(html: str) -> str:
    """A block's text, tags removed and spaces folded."""
    import html as html_module
    import re

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("code,pu", [("18", 354_603), ("31", 5_464_264), ("33", None)])
def test_the_split_is_the_official_december_2023_one_not_a_later_sample_year(code, pu):
    report = RegionReport.load(code, lang="en")
    split = report.summary()["split"]
    assert (split["periode"], split["sintetis"], split["anak"]) == ("2023-12", False, 0)
    text = _plain(str(report.split()))
    assert "Active participants by segment, December 2023" in text and "◇" not in text
    if pu is not None:
        assert f"{pu:,}" in text


def test_the_overview_compares_provinces_on_official_2023_and_its_sentences_agree():
    from analysis.pages.overview import Overview

    overview = Overview.load(None, "en")
    summary = overview.summary()
    assert summary["tahun"] == 2023 and not any(r["sintetis_cakupan"] for r in summary["league"] if r["cakupan"] is not None)
    jabar = next(r for r in summary["league"] if r["kode"] == "32")
    assert jabar["cakupan"] == pytest.approx(4_855_121 / 23_503_598) and jabar["alasan"] is None  # in the league again
    headline = _plain(str(overview.headline()))
    assert "lowest Lampung (12.3%)" in headline and "8 provinces have reached" in headline and "◇" not in headline
    assert "lowest Lampung (12.3%)" in str(overview.province_map())  # the map's alt text: the same year, the same figure


def test_lampungs_pace_reads_the_same_in_the_league_and_on_its_page():
    from analysis.pages.overview import Overview

    page = _plain(str(RegionReport.load("18", lang="en").pace()))
    row = str(Overview.load(None, "en").league_table()).split(">Lampung<")[1].split("</tr>")[0]
    pace = _plain(row).split("%")[1].split("pp")[0].strip()  # the league's pace cell, e.g. "+0.35"
    assert f"{pace} pp ◇ a year" in page and len(pace.split(".")[1]) == 2


# --- the published pages' text: marks, sources, counts, precision ---------------------------------

def _text(html_page: str) -> str:
    """The readable text of a page before its source list (alt texts included), tags removed."""
    import html
    import re

    body = html_page.split('<ul class="sources">')[0]
    alts = " ".join(re.findall(r'alt="([^"]*)"', body))
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", " ", body)) + " " + alts)


def _sources_list(html_page: str) -> str:
    return html_page.split('<ul class="sources">')[1].split("</ul>")[0]


def test_text_names_sources_by_title_and_the_list_holds_every_cited_source(built_portfolio):
    for lang in built_portfolio.languages:
        for stem in ("32", "ID", "31", "overview"):
            page = built_portfolio.page(lang, stem).read_text(encoding="utf-8")
            text, listed = _text(page), _sources_list(page)
            for key in ("liputan6-2024-08-27", "sintetis:cakupan-sample-v1", "kemendagri-ucj-2025-04", "bps-sakernas-provinsi"):
                assert key not in text, (lang, stem, key)
            assert 'id="sumber-kemendagri-ucj-2025-04"' in listed, (lang, stem)  # the UCJ figure the gap sentences quote
            assert "kabaran.id" in listed and "RPJMN 2025-2029" in listed, (lang, stem)  # the targets' source
    jabar = built_portfolio.page("en", "32").read_text(encoding="utf-8")
    assert 'id="sumber-liputan6-2024-08-27"' in _sources_list(jabar)
    assert "Liputan6.com, 'BPJS Ketenagakerjaan Jabar reveals" in _text(jabar)
    assert '<a href="#sumber-bps-sakernas-provinsi">BPS Sakernas August 2022-2025</a>' in jabar  # a citation in the year table


def test_marks_sit_only_on_values_that_rest_on_sample_rows(built_portfolio):
    """Jawa Barat's 2023 trend coverage (official) is unmarked in the forecast's alt text; the forecast
    resting on sample years stays marked; the employed growth rests on official years only."""
    import re

    jabar = _text(built_portfolio.page("en", "32").read_text(encoding="utf-8"))
    alt = re.search(r"Long-term fan chart of the coverage forecast for Jawa Barat to [0-9]+: ([^;]+);", jabar)[1]
    assert alt == "20.7% in 2023"
    assert re.search(r"median 2045 [0-9.]+% ◇", jabar)
    growth = re.search(r"employed population keeps growing ([^ ]+ ?◇?)", jabar)[1]
    assert "◇" not in growth


def test_counts_read_naturally_and_indonesian_pages_carry_no_english_notes(built_portfolio):
    en = _text(built_portfolio.page("en", "32.73").read_text(encoding="utf-8"))
    assert "None of the 9 points of this series is official" in en and " 0 of " not in en
    assert "1 years" not in _text(built_portfolio.page("en", "32").read_text(encoding="utf-8"))
    assert "(the series has only 1 official year)" in _text(built_portfolio.page("en", "32").read_text(encoding="utf-8"))
    for stem in ("ID", "32", "32.73", "overview"):
        page = built_portfolio.page("id", stem).read_text(encoding="utf-8")
        assert "Hanya 0 dari" not in page and "press conference" not in page and " also " not in page, stem


def test_figures_are_no_more_precise_than_their_sources(built_portfolio):
    """5,000,000 ("5 juta") + 923,000 is shown as its published parts, never as a precise 5,923,000; the CSV keeps
    the data's sum and its rounding."""
    en = _text(built_portfolio.page("en", "32").read_text(encoding="utf-8"))
    id_ = _text(built_portfolio.page("id", "32").read_text(encoding="utf-8"))
    assert "5,923,000" not in en and "August 2024: 5,000,000 + 923,000 participants" in en
    assert "5.923.000" not in id_ and "Agustus 2024: 5.000.000 + 923.000 peserta" in id_
    assert "from 5,000,000 + 923,000 participants divided by 18,900,000" in en  # 31.3% checks out by hand
    csv = (built_portfolio.root / "en" / "32.points.csv").read_text(encoding="utf-8")
    assert "2024,2024-08,5923000,100000," in csv


@pytest.mark.parametrize("code, named", [("３２", "U+FF13 FULLWIDTH DIGIT THREE"), ("32.٧٣", "U+0667 ARABIC-INDIC DIGIT SEVEN")])
def test_a_notebook_region_with_look_alike_digits_names_the_character(code, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        RegionReport.load(code, None, "en")


def test_an_unknown_region_is_refused_in_the_notebooks_language_with_a_hint():
    with pytest.raises(ValueError) as caught:
        RegionReport.load("99", None, "id")
    message = str(caught.value)
    assert message.startswith("Wilayah '99' tidak ada dalam pohon wilayah") and "32.73 (kab/kota)" in message
    assert "provinsi yang ada: 11, 12," in message and "96" in message  # every province listed as a hint
    with pytest.raises(ValueError, match=r"did you mean 32 \(Jawa Barat\)"):
        RegionReport.load("Jawa Barat", None, "en")


def test_an_unknown_language_is_refused_in_both_languages():
    with pytest.raises(ValueError) as caught:
        RegionReport.load("32", None, "fr")
    assert "bukan bahasa laporan" in str(caught.value) and "is not a report language: choose one of id, en" in str(caught.value)
