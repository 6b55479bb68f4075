"""The data behind each section: the same numbers as the summary, tidy, whatever the key order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.messages import t
from analysis.pages import frames
from analysis.pages.region_page import RegionReport


@pytest.fixture(scope="module")
def summary() -> dict:
    return RegionReport.load("32", None, "en").summary()


def test_trend_has_one_row_per_year_with_the_summary_values(summary):
    trend = frames.section("trend", summary)
    assert list(trend["tahun"]) == sorted(int(y) for y in summary["years"])
    counted = max(int(y) for y, v in summary["years"].items() if v["peserta"] is not None and v["penyebut"] is not None)
    row = trend.set_index("tahun").loc[counted]
    year = summary["years"][str(counted)]
    assert row["peserta"] == year["peserta"] and row["penyebut"] == year["penyebut"]
    assert row["cakupan"] == pytest.approx(year["peserta"] / year["penyebut"])
    assert bool(row["sintetis"]) == year["sintetis"] and row["sumber"] == year["sumber"]
    assert str(trend["peserta"].dtype) == "Int64" and list(trend.columns[:2]) == ["tahun", "periode_peserta"]
    assert not {"PU", "BPU"} & set(trend.columns)


def test_trend_holds_the_employed_population_of_every_year(summary):
    """Jawa Barat 2024: the denominator is the 18,900,000 eligible workers, the 24,417,110 employed are there too."""
    row = frames.section("trend", summary).set_index("tahun").loc[2024]
    assert row["pekerja_berhak"] == 18_900_000 and row["penyebut"] == 18_900_000 and row["ukuran_penyebut"] == "pekerja_berhak"
    assert row["penduduk_bekerja"] == 24_417_110


def test_off_series_and_references_are_frames_with_their_sources(summary):
    """The August 2024 regional figure (5,000,000 + 923,000) and the 31.4% Liputan6 published beside it."""
    points = frames.section("off_series", summary).set_index("periode")
    august = points.loc["2024-08"]
    assert august["peserta"] == 5_923_000 and august["penyebut"] == 18_900_000
    assert august["cakupan"] == pytest.approx(5_923_000 / 18_900_000) and not august["sintetis"]
    assert august["sumber"] == "liputan6-2024-08-27"
    refs = frames.section("references", summary)
    published = refs[refs["indikator"] == "cakupan"].iloc[0]
    assert published["nilai"] == 31.4 and published["periode"] == "2024-08"
    assert "kemendagri-ucj-2025-04" in set(refs["sumber"])  # the UCJ figure the page shows beside the gaps


def test_segments_have_one_measure_per_column_and_sum_to_the_participants(summary):
    segments = frames.section("segments", summary)
    assert "segmen" not in segments.columns  # no PU/BPU/TOTAL stacked in one column
    parts = segments[["peserta_pu", "peserta_bpu", "peserta_jakon", "peserta_pmi"]].sum(axis=1, min_count=1)
    for year, total in zip(segments["tahun"], parts):
        assert total == summary["years"][str(year)]["peserta"]
    assert segments["sintetis"].notna().all() and segments["sumber"].notna().all()


def test_national_segments_keep_the_published_total_apart_from_its_parts():
    summary = RegionReport.load("ID", None, "en").summary()
    segments = frames.section("segments", summary).set_index("tahun")
    year = next(int(y) for y, v in summary["years"].items() if v.get("TOTAL") is not None and v.get("PU") is not None)
    row = segments.loc[year]
    assert row["peserta_total"] == summary["years"][str(year)]["TOTAL"] and row["peserta_pu"] == summary["years"][str(year)]["PU"]


def test_targets_hold_the_baseline_then_every_scenario_each_marked(summary):
    targets = frames.section("targets", summary)
    results = summary["scenarios"]["results"]
    assert len(targets) == len(summary["targets"]) * (1 + len(results))
    assert list(targets["skenario"].unique()) == [frames.BASELINE, *(r["id"] for r in results)]
    first = summary["targets"][0]
    row = targets.iloc[0]
    assert (row["tahun_bawah80"] if pd.notna(row["tahun_bawah80"]) else None) == first["range80"][0]
    # the scenario rows rest on the same sample years as the baseline
    assert targets["sintetis"].notna().all() and set(targets["sintetis"]) == {summary["forecast"]["sintetis"]}
    assert targets["sumber"].notna().all()


def test_scenarios_forecast_and_ranking_match_the_summary(summary):
    scen = frames.section("scenarios", summary)
    result = summary["scenarios"]["results"][-1]
    last = scen[scen["skenario"] == result["id"]].iloc[-1]
    assert last["cakupan"] == result["coverage"][str(last["tahun"])]
    forecast = frames.section("forecast", summary)
    assert list(forecast.columns) == ["tahun", "median", "bawah80", "atas80", "bawah95", "atas95", "sintetis", "sumber"]
    assert (forecast["bawah80"] <= forecast["median"]).all() and (forecast["median"] <= forecast["atas80"]).all()
    assert set(forecast["sintetis"]) == {summary["forecast"]["sintetis"]}
    ranking = frames.section("ranking", summary)
    assert len(ranking) == len(summary["ranking"]["regions"]) == 27
    assert ranking["sumber"].notna().all()


def test_gaps_and_pace_hand_computed(summary):
    """Jawa Barat December 2023: 4,855,121 / 23,503,598; RPJMN 43.92% needs 0.4392 x 23,503,598 - 4,855,121 more."""
    gaps = frames.section("gaps", summary).set_index("target")
    rpjmn = gaps.loc["rpjmn2029"]
    assert rpjmn["tahun"] == 2023 and rpjmn["tenggat"] == 2029 and not rpjmn["sintetis"]
    assert rpjmn["kurang_peserta"] == round(0.4392 * 23_503_598 - 4_855_121)
    assert rpjmn["selisih_poin"] == pytest.approx(43.92 - 4_855_121 / 23_503_598 * 100)
    pace = frames.section("pace", summary)
    assert {"perlu_peserta_per_tahun", "laju_poin", "tenggat", "sintetis", "sumber"} <= set(pace.columns)


def test_every_column_of_every_frame_is_in_the_vocabulary_with_its_dtype(summary):
    national = RegionReport.load("ID", None, "id").summary()
    for source in (summary, national):
        for name in frames.SECTIONS:
            frame = frames.section(name, source)
            for column in frame.columns:
                assert column in frames.COLUMNS, (name, column)
                assert str(frame[column].dtype) == frames.COLUMNS[column][0], (name, column, frame[column].dtype)
            if not frame.empty:  # a source on every row that holds a value (a row without one says why)
                without_value = frame["alasan"].notna() if "alasan" in frame else False
                assert frame["sintetis"].notna().all() and (frame["sumber"].notna() | without_value).all(), name


def test_an_empty_section_says_why_in_the_reports_language():
    for lang in ("id", "en"):
        report = RegionReport.load("32.73", None, lang)
        ranking = report.frames.ranking
        assert ranking.empty and ranking.alasan == t("frames.empty.ranking", lang, region="Kota Bandung")
        assert ranking.alasan in repr(ranking) and ranking.alasan in ranking._repr_html_()
    assert type(frames.section("trend", report.summary())) is pd.DataFrame


def test_a_summary_read_back_from_json_gives_the_same_frames(summary):
    """Summaries in notebooks and reports/<lang>/<kode>.json have their keys sorted."""
    again = json.loads(json.dumps(summary, sort_keys=True))
    for name in frames.SECTIONS:
        pd.testing.assert_frame_equal(frames.section(name, summary), frames.section(name, again))


def test_frames_accessor_lists_only_sections_with_data():
    report = RegionReport.load("32.73", None, "en")
    assert "ranking" not in report.frames.available  # a kab/kota has no regions below it in the bundled data
    assert report.frames.ranking.empty and not report.frames.trend.empty
    with pytest.raises(AttributeError, match="sections: trend"):
        report.frames.nothing  # noqa: B018


def test_the_documented_column_table_is_the_vocabulary():
    """docs/data.md "Columns" lists every column with its dtype and meaning, exactly as frames.COLUMNS."""
    text = (Path(__file__).parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    documented = {m[1]: (m[2], m[3]) for m in re.finditer(r"^\| `(\w+)` \| `(\w+)` \| (.+) \|$", text, re.M)}
    kinds = {"Int64": "Int64", "float64": "float", "boolean": "boolean", "string": "string"}
    assert documented == {name: (kinds[kind], meaning) for name, (kind, meaning) in frames.COLUMNS.items()}


def test_a_summary_without_sections_gives_empty_frames_that_say_why():
    """A minimal summary (a stand-in notebook's): every section empty, each with its reason, no error."""
    minimal = {"kode": "32.01", "nama": "Kabupaten Bogor", "lang": "en", "latest": {"tahun": 2024, "cakupan": 0.5}}
    for name in frames.SECTIONS:
        frame = frames.section(name, minimal)
        assert frame.empty and "Kabupaten Bogor" in frame.alasan, name
    assert frames.section("forecast", {**minimal, "forecast": {"reason": "too few years"}}).alasan == "No forecast: too few years"


@pytest.mark.parametrize("code", ["32", "ID", "32.73"])
def test_every_column_of_every_frame_is_described_in_the_one_table(code):
    summary = RegionReport.load(code, None, "en").summary()
    for name in frames.SECTIONS:
        undescribed = set(frames.section(name, summary).columns) - set(frames.FRAMES[name][1])
        assert not undescribed, (code, name, undescribed)


def test_the_table_describes_no_column_that_no_frame_has(summary):
    from analysis.pages.overview import Overview

    seen = {name: set(frames.section(name, summary).columns) for name in frames.SECTIONS}
    seen["ranking"] |= set(Overview.load(None, "en").frames.ranking.columns)
    for name, (_, described) in frames.FRAMES.items():
        assert set(described) <= seen[name], (name, set(described) - seen[name])


def test_frames_are_attributes_with_help_and_one_line_each_in_a_table(summary):
    accessor = frames.Frames(summary)
    assert [n for n in frames.SECTIONS if isinstance(getattr(frames.Frames, n), property)] == list(frames.SECTIONS)
    assert set(frames.SECTIONS) <= set(dir(accessor))  # what tab completion offers
    assert frames.Frames.pace.__doc__ == frames.describe("pace") and "perlu_peserta_per_tahun" in frames.describe("pace")
    table = accessor.table()
    assert list(table.index) == list(frames.SECTIONS)
    assert list(table["rows"]) == [len(frames.section(n, summary)) for n in frames.SECTIONS]
    assert table.at["trend", "one row per"] == frames.FRAMES["trend"][0]
    assert repr(accessor).count("\n") == len(frames.SECTIONS) + 2  # a title line, the header lines, a line per frame
    with pytest.raises(AttributeError, match="did you mean 'trend'"):
        accessor.trends  # noqa: B018
