"""The data behind each section: the same numbers as the summary, tidy, whatever the key order."""

from __future__ import annotations

import json

import pandas as pd
import pytest

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
    assert str(trend["peserta"].dtype) == "Int64" and list(trend.columns[:3]) == ["tahun", "peserta", "penyebut"]
    assert not {"PU", "BPU"} & set(trend.columns)


def test_segments_are_long_and_sum_to_the_participants(summary):
    segments = frames.section("segments", summary)
    by_year = segments[segments["segmen"] != "TOTAL"].groupby("tahun")["peserta"].sum()
    for year, total in by_year.items():
        assert total == summary["years"][str(year)]["peserta"]
    assert set(segments["segmen"]) <= set(frames.SEGMENT_KEYS)


def test_targets_hold_the_baseline_then_every_scenario(summary):
    targets = frames.section("targets", summary)
    results = summary["scenarios"]["results"]
    assert len(targets) == len(summary["targets"]) * (1 + len(results))
    assert list(targets["scenario"].unique()) == [frames.BASELINE, *(r["id"] for r in results)]
    first = summary["targets"][0]
    row = targets.iloc[0]
    assert (row["year_lo80"] if pd.notna(row["year_lo80"]) else None) == first["range80"][0]


def test_scenarios_forecast_and_ranking_match_the_summary(summary):
    scen = frames.section("scenarios", summary)
    result = summary["scenarios"]["results"][-1]
    last = scen[scen["scenario"] == result["id"]].iloc[-1]
    assert last["cakupan"] == result["coverage"][str(last["tahun"])]
    forecast = frames.section("forecast", summary)
    assert list(forecast.columns) == ["tahun", "median", "lo80", "hi80", "lo95", "hi95"]
    assert (forecast["lo80"] <= forecast["median"]).all() and (forecast["median"] <= forecast["hi80"]).all()
    ranking = frames.section("ranking", summary)
    assert len(ranking) == len(summary["ranking"]["regions"]) == 27


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


@pytest.mark.parametrize("code", ["32", "ID", "32.73"])
def test_every_column_of_every_frame_is_described_in_the_one_table(code):
    summary = RegionReport.load(code, None, "en").summary()
    for name in frames.SECTIONS:
        undescribed = set(frames.section(name, summary).columns) - set(frames.COLUMNS[name][1])
        assert not undescribed, (code, name, undescribed)


def test_the_table_describes_no_column_that_no_frame_has(summary):
    from analysis.pages.overview import Overview

    seen = {name: set(frames.section(name, summary).columns) for name in frames.SECTIONS}
    seen["ranking"] |= set(Overview.load(None, "en").frames.ranking.columns)
    for name, (_, described) in frames.COLUMNS.items():
        assert set(described) <= seen[name], (name, set(described) - seen[name])


def test_frames_are_attributes_with_help_and_one_line_each_in_a_table(summary):
    accessor = frames.Frames(summary)
    assert [n for n in frames.SECTIONS if isinstance(getattr(frames.Frames, n), property)] == list(frames.SECTIONS)
    assert set(frames.SECTIONS) <= set(dir(accessor))  # what tab completion offers
    assert frames.Frames.pace.__doc__ == frames.describe("pace") and "people_per_year" in frames.describe("pace")
    table = accessor.table()
    assert list(table.index) == list(frames.SECTIONS)
    assert list(table["rows"]) == [len(frames.section(n, summary)) for n in frames.SECTIONS]
    assert table.at["trend", "one row per"] == frames.COLUMNS["trend"][0]
    assert repr(accessor).count("\n") == len(frames.SECTIONS) + 2  # a title line, the header lines, a line per frame
    with pytest.raises(AttributeError, match="did you mean 'trend'"):
        accessor.trends  # noqa: B018
