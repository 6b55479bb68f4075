"""The facts of a region (analysis.model.facts) and what pages say with them: the checks of issue 14.

Hand-computed values from the bundled data; pages rendered through the library (no kernel).
"""

from __future__ import annotations

import re

import pytest

from analysis.model import facts as facts_module
from analysis.model import forecast as fc
from analysis.data.contract import cached_dataset
from analysis.pages.markup import FEW_FOLDS
from analysis.core.messages import t
from analysis.pages.overview import Overview
from analysis.model.params import load_params
from analysis.pages.render import render_index
from analysis.pages.region_page import RegionReport

BLOCKS = ("title", "banner", "headline", "trend", "split", "gap", "forecast", "targets", "pace", "scenarios",
          "subregions", "provenance")


def page(code: str, lang: str) -> str:
    report = RegionReport.load(code, lang=lang)
    return "".join(str(getattr(report, b)()) for b in BLOCKS)


def words(html: str) -> str:
    html = re.sub(r'<img[^>]*alt="([^"]*)"[^>]*>', r" \1 ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&amp;", "&").split())


@pytest.mark.parametrize("lang, value", [("id", "12,3%"), ("en", "12.3%")])
def test_lampung_headline_is_its_official_2023_coverage(lang, value):
    report = RegionReport.load("18", lang=lang)
    headline = str(report.headline())
    # Dec 2023: 354,603 PU + 125,036 Jakon + 99,250 BPU = 578,889 participants / 4,697,658 employed (Aug 2023).
    assert f'<span class="kpi-value">{value}</span>' in headline  # no ◇
    assert t("headline.coverage", lang, period=2023) in headline
    latest = report.summary()["latest"]
    assert latest["tahun"] == 2023 and latest["sintetis"] is False and latest["cakupan"] == pytest.approx(578_889 / 4_697_658)
    # The months are stated, and that they differ; the later sample year is named as such.
    assert latest["bulan_berbeda"] and ("Desember 2023" in headline or "December 2023" in headline)
    assert t("headline.later_sample", lang, year=2025, value="").split("(")[0] in headline


def test_dki_scenarios_add_people_and_say_why_the_ratio_is_above_100():
    report = RegionReport.load("31", lang="en")
    scenarios = report.summary()["scenarios"]
    assert report.summary()["latest"]["cakupan"] > 1
    for result in scenarios["results"]:
        # up to the RPJMN deadline; later the uncapped ratio forecast outgrows the informal pool (BPU share x participants)
        assert all(added > 0 for year, added in result["added"].items() if 2027 <= int(year) <= 2029), result["id"]
    block = str(report.scenarios())
    assert "above 100%" in block and "informal workers" in block
    rows = re.findall(r"<tr><th scope=\"row\">[^<]+</th><td class=\"num\">([^<]+)</td>", block)
    assert rows[0] == "–" and all(r not in ("0", "0 ◇") for r in rows[1:])


def test_jawa_barat_shows_the_published_figure_and_why_its_headline_differs():
    report = RegionReport.load("32", lang="en")
    headline = words(str(report.headline()))
    assert "Published figure for August 2024: 31.4%" in headline and "Cakupan computes 31.3%" in headline
    why = [s for s in headline.split(". ") if s.startswith("The headline (20.7%) differs from the published 31.4%")]
    assert len(why) == 1 and why[0].endswith(".") and not re.search(r"\.\s", why[0])  # one sentence
    assert "20.7%" in headline and "◇" not in headline.split("Coverage 2023")[1][:10]


def test_regional_office_figure_and_the_2025_switch_are_beside_the_series():
    jabar = RegionReport.load("32", lang="en")
    points = {p["periode"]: p for p in jabar.summary()["off_series"]}
    assert points["2024-08"]["peserta"] == 5_923_000 and points["2024-08"]["cakupan_tren"] == pytest.approx(5_923_000 / 24_417_110)
    assert "2024" not in jabar.summary()["forecast"]["history_years"] and 2024 not in jabar.summary()["forecast"]["history_years"]
    trend = words(str(jabar.trend()))
    assert "August 2024: 5,000,000 + 923,000 participants" in trend and "24.3% of the employed population" in trend
    national = RegionReport.load("ID", lang="en")
    summary = national.summary()
    assert summary["latest"]["tahun"] == 2024 and summary["latest"]["cakupan"] == pytest.approx(45_220_000 / 144_642_004)
    assert "2025" not in summary["years"] or summary["years"]["2025"]["peserta"] is None
    assert [p["periode"] for p in summary["off_series"]] == ["2021-08", "2025-02"]
    trend = words(str(national.trend()))
    assert "February 2025: 41,380,000 participants (Databoks (Katadata): BPJS Ketenagakerjaan active participants, February 2025), 28.2%" in trend
    assert "February 2025 (ID): February 2025: Databoks" in trend  # the source switch, explained as a break
    assert any(b["periode"] == "2025-02" for b in summary["breaks"])


def test_a_partial_segment_split_is_never_the_total():
    national = RegionReport.load("ID", lang="en")
    assert national.facts.partial_split == [2020]
    split = words(str(national.split()))
    # 2020: PU 19.6 M + BPU 2.5 M of 29.98 M: the chart draws the other 7.88 M as unsplit, and says so.
    assert t("split.partial", "en", year=2020) in split
    rows = national.facts.split_rows.set_index("tahun")
    assert rows.at[2020, "PU"] == 19_600_000 and rows.at[2020, "TOTAL"] == 29_980_000 and rows.at[2020, "anak_split"] == 0


def test_the_national_split_is_the_official_december_2023_province_split_summed():
    national = RegionReport.load("ID", lang="en")
    split = national.summary()["split"]
    # the 34 provinces of December 2023 (Kemnaker): PU 25,004,383 + BPU 9,192,755 + Jakon 7,363,800 = the national 41,560,938
    assert (split["tahun"], split["PU"], split["BPU"], split["JAKON"], split["anak"], split["sintetis"]) == (
        2023, 25_004_383, 9_192_755, 7_363_800, 34, False)
    assert split["PU"] + split["BPU"] + split["JAKON"] == split["TOTAL"] == 41_560_938
    text = words(str(national.split()))
    assert "PU (wage earners, formal) 25,004,383 60.2%" in text and "BPU (non-wage earners, informal) 9,192,755 22.1%" in text
    assert t("split.children", "en", period="December 2023", n=34, source="kemnaker-provinsi-2023-12") in text
    # the scenarios' BPU share is that split's: 9,192,755 / 41,560,938 = 22.1%, not 2020's partial 11.3%
    assert national.facts.bpu_share == (2023, pytest.approx(9_192_755 / 41_560_938), False)
    assert national.summary()["scenarios"]["bpu_share"] == pytest.approx(0.22119, abs=1e-5)
    assert "BPU (informal) participants are 22.1% of all participants (2023)" in words(str(national.scenarios()))


def test_papua_pages_agree_with_the_overview():
    params, ds = load_params(), cached_dataset()
    barat_daya = facts_module.facts_for("96", params, ds)
    rpjmn = next(ty for tg, ty in barat_daya.target_years if tg["id"] == "rpjmn2029")
    assert not barat_daya.outlook.ok and rpjmn.already_reached  # 70% (sample) is above 43.92%: reached
    overview = Overview.load(None, "en")
    row = next(r for r in overview.summary()["league"] if r["kode"] == "96")
    # no figure of its own in the common official year (2023: part of Papua Barat); its status, marked, is its page's
    assert row["target_tercapai"] is True and row["sintetis_tahun_target"] is True and row["cakupan"] is None
    assert "already reached in 2025" in str(RegionReport.load("96", lang="en").targets())
    tengah = str(RegionReport.load("94", lang="en").forecast())
    assert "has 2 usable years" in tengah


def test_national_page_marks_sample_ranks_and_carries_the_banner():
    national = RegionReport.load("ID", lang="en")
    assert 'class="banner sample"' in str(national.banner()) and "active participants, province, 2015–2022" in str(national.banner())
    ranking = national.summary()["ranking"]
    assert ranking["sintetis"] and ranking["year"] == 2023  # the common official year (sample paces make the ranks sample)
    block = str(national.subregions())
    rows = [r for r in block.split("<tr>")[1:] if 'scope="row"' in r and "href=" in r]
    assert len(rows) == 38 and all("◇" in r for r in rows if "%" in r)
    assert '<a href="31.html">' in block  # ranking rows link the sub-region pages
    assert "consistent by construction (sample data)" in block


def test_honest_claims_on_forecasts_and_far_targets():
    national = words(str(RegionReport.load("ID", lang="en").forecast()))
    record = fc.skill()
    share = record["kinds"]["share"]["mase"]
    assert record["calibration"]["changed"]  # the bands are scaled by factors fitted on held-out years
    assert "calibrated" not in national and "set from errors measured on held-out years" in national
    verdict = "better than" if share["default"] < share["drift"] else "worse than"
    assert "Separately, on this national series itself" in national and f"({verdict} the drift)" in national
    m1 = record["benchmarks"]["m1_yearly"]
    # the public benchmarks first: their coverage and MASE against the drift, by hand from the record
    assert (f"on M1 ({m1['series']} series, {m1['folds']:,} forecasts) its 80% band held {m1['coverage80']:.1%} of outcomes"
            f" and its 95% band {m1['coverage95']:.1%}, with a MASE of {m1['mase']['default']:.3f} against {m1['mase']['drift']:.3f}") in national
    assert national.index("on M1") < national.index("Separately")
    region = words(str(RegionReport.load("32", lang="en").forecast()))
    assert f"Separately, on the national coverage series (the only fully official one; {record['kinds']['share']['folds']} forecasts)" in region
    assert "on M1 (181 series" in region
    folds = record["kinds"]["share"]["folds"]
    assert (f"Only {folds} forecasts: these figures are indicative" in national) == (folds < FEW_FOLDS)
    jabar = words(str(RegionReport.load("32", lang="en").subregions()))
    assert "after 2045" in jabar and not re.search(r"\b\d{3},\d\b|\b\d{3}\.\d ◇? \(\d", jabar)


def test_gaps_name_the_ucj_indicator_and_show_the_published_ucj():
    """The caveat is printed once, in the targets section (issue 24); the gap links to it."""
    for code in ("ID", "32"):
        report = RegionReport.load(code, lang="en")
        gap, targets = str(report.gap()), words(str(report.targets()))
        assert 'href="#ucj"' in gap and "UCJ" in words(gap) and "35.68%" not in gap
        assert "35.68% (April 2025" in targets and "Cakupan's national ratio 31.3% (2024)" in targets


BUNDLED_INDONESIAN = ("Mulai ", "kutipan", "dibulatkan", "statistik pemerintah", "tenaga kerja terlindungi", "diketik ulang",
                      "sintetis) dibuat", "pemekaran", "Agustus", "Desember", "nasional 57,8%")


@pytest.mark.parametrize("code", ["ID", "32", "31"])
def test_english_pages_show_no_indonesian_data_text_or_decimal_commas(code):
    text = re.sub(r"https?://\S+", "", words(page(code, "en")))
    assert not [w for w in BUNDLED_INDONESIAN if w in text]
    assert not re.findall(r"\d,(?:\d{1,2}|\d{4,})(?!\d)", text)
    assert not re.findall(r"(?<![\w\d])-\d", text)  # one minus sign (U+2212)


@pytest.mark.parametrize("code", ["ID", "32"])
def test_indonesian_pages_show_no_parameter_keys(code):
    text = words(page(code, "id"))
    for key in ("combined", "coverage 0", "growth", "distance", "rpjmn2029", "ets_damped", "pekerja_berhak", "seed"):
        assert key not in text, key
    assert not re.findall(r"(?<![\w\d])-\d", text)


def test_index_tags_each_headline_official_or_sample():
    entries = [
        {"kode": "18", "nama": "Lampung", "tingkat": "provinsi", "status": "built",
         "latest": {"tahun": 2023, "cakupan": 0.123, "sintetis": False}},
        {"kode": "94", "nama": "Papua Tengah", "tingkat": "provinsi", "status": "built",
         "latest": {"tahun": 2025, "cakupan": 0.19, "sintetis": True}},
    ]
    import datetime as dt

    html = render_index(entries, "en", ["id", "en"], dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    lampung = html[html.index("Lampung"):html.index("</tr>", html.index("Lampung"))]
    papua = html[html.index("Papua Tengah"):html.index("</tr>", html.index("Papua Tengah"))]
    assert 'class="tag official"' in lampung and "◇" not in lampung
    assert 'class="tag sample"' in papua and "◇" in papua
    assert t("index.tags", "en").split(":")[0].replace('"', "&#34;") in html or "The tag beside a name" in html


def test_dki_is_above_both_targets_on_official_data_and_its_ratio_is_forecast_without_a_cap():
    report = RegionReport.load("31", lang="en")
    f, summary = report.facts, report.summary()
    # official December 2023: 7,498,532 / 5,072,737 = 147.8%, above 43.92% and 99.5%
    assert (int(f.status_row["tahun"]), bool(f.status_row["sintetis"])) == (2023, False)
    for target in summary["targets"]:
        assert target["already_reached"] and target["reached_year"] == 2023 and target["sintetis"] is False
        assert target["official_status"] is True
    targets = words(str(report.targets()))
    assert targets.count("above the target on official data (2023); the ratio is above 100% because participants are "
                         "counted where employers register, workers where they live") == 2
    assert "reached in 2024" not in targets and "◇" not in targets.split("UCJ")[0]
    # the pace table says "reached" and asks for nobody more
    assert all(p["reached"] and p["people_per_year"] == 0 and p["sintetis"] is False for p in summary["pace"]["targets"])
    pace = words(str(report.pace()))
    assert "needs " not in pace.split("samples too")[1] and pace.count("– – reached") == 2
    # the ratio is forecast on the log scale: no cap at 1.25 x the highest ratio, and the page says what it means
    assert f.outlook_kind == "count" and f.outlook.cap is None and summary["forecast"]["transform"].startswith("log")
    history = f.outlook.history
    assert f.outlook.median[-1] > 1.25 * history.max()  # the former cap would have stopped it below this
    forecast = words(str(report.forecast()))
    assert t("forecast.over100", "en", region=f.name) in forecast and "1.25 times" not in forecast
    scenarios = words(str(report.scenarios()))
    assert "already reached in 2024" not in scenarios and scenarios.count("already reached in 2023") == 14


def test_papua_2023_covers_the_territory_before_the_split_and_nothing_crosses_it():
    report = RegionReport.load("91", lang="en")
    f = report.facts
    assert f.territory_from == 2024 and f.headline_before_territory and int(f.latest["tahun"]) == 2023
    headline = words(str(report.headline()))
    assert "The 2023 figures cover the territory before the split: from 2024 Papua no longer includes Papua Selatan, " \
           "Papua Tengah and Papua Pegunungan (2022 split)." in headline
    # people needed are not computed from the 2,448,947 employed of the former territory (578,445 before)
    gaps = report.summary()["gaps"]
    assert all(g["people"] is None and g["wilayah_sebelum"] for g in gaps)
    gap = words(str(report.gap()))
    assert "578,445" not in gap and t("gap.territory", "en", year=2023) in gap
    # the pace and its decomposition start after the split: 2024-2025 (82,160 / 434,016 in 2025)
    recent = f.recent
    assert (recent["start"], recent["end"], recent["workforce"]) == (2024, 2025, 434_016)
    assert "From 2024 to 2025 the trend coverage changed" in words(str(report.pace()))
    # the forecast too: two years of the present territory are too few, so there is none (eleven before)
    assert list(f.history_rows["tahun"]) == [2024, 2025] and not f.outlook.ok
    forecast = words(str(report.forecast()))
    assert t("forecast.insufficient", "en", years=2, measure="employed population") in forecast
    assert t("forecast.territory", "en", year=2024) in forecast
    overview = Overview.load(None, "en")
    row = next(r for r in overview.summary()["league"] if r["kode"] == "91")
    assert row["wilayah_sebelum"] and row["laju_poin"] == pytest.approx(recent["points_per_year"])
    assert "Papua (2023 figures: territory before the split)" in words(str(overview.league_table()))
    # a region without a change of territory keeps its full pace window
    assert facts_module.facts_for("18", load_params(), cached_dataset()).territory_from is None


def test_a_province_above_its_target_on_official_data_is_reached_everywhere():
    # Sulawesi Utara, official December 2023: 46.3% >= 43.92%; its sample pace is negative, yet it is reached
    params, ds = load_params(), cached_dataset()
    f = facts_module.facts_for("71", params, ds)
    assert f.status_row["cakupan_tren"] >= 0.4392 and not f.status_row["sintetis"]
    (rpjmn, ty), sample = f.target_years[0], f.target_sample[0]
    assert ty.already_reached and ty.year == 2023 and sample is False
    row = next(r for r in Overview.load(None, "en").summary()["league"] if r["kode"] == "71")
    assert row["target_tercapai"] and row["tahun_target"] == 2023 and row["sintetis_tahun_target"] is False
    league_row = str(Overview.load(None, "en").league_table()).split("Sulawesi Utara")[1].split("</tr>")[0]
    assert "reached" in league_row and "after" not in league_row and "46.3%</td>" in league_row
