"""CSV downloads of a page: one file per table with rows, readable back to the same numbers."""

from __future__ import annotations

import io

import pandas as pd

from analysis.pages import downloads
from analysis.pages import frames
from analysis.pages.region_page import RegionReport


def test_region_files_read_back_to_the_section_frames():
    summary = RegionReport.load("32", None, "id").summary()
    files = downloads.files(summary)
    assert list(files) == ["32.years.csv", "32.segments.csv", "32.forecast.csv", "32.targets.csv", "32.ranking.csv"]
    back = pd.read_csv(io.StringIO(files["32.years.csv"]), dtype={"sumber": str})
    trend = frames.section("trend", summary)
    assert list(back["tahun"]) == list(trend["tahun"])
    pd.testing.assert_series_equal(back["cakupan"], trend["cakupan"].astype(float))
    assert back["sintetis"].tolist() == trend["sintetis"].tolist()
    counted = next(int(y["peserta"]) for y in summary["years"].values() if y["peserta"] is not None and y["peserta"] >= 1000)
    shown = f"{counted:,}".replace(",", ".")
    assert f",{counted}," in files["32.years.csv"] and shown not in files["32.years.csv"]  # machine numbers, not display ones
    assert downloads.files(summary) == files  # deterministic


def test_links_follow_the_files_and_the_language():
    summary = RegionReport.load("32.73", None, "en").summary()
    names = list(downloads.files(summary))
    links = downloads.links(summary)
    assert [href for href, _ in links] == names and "32.73.ranking.csv" not in names
    assert dict(links)["32.73.years.csv"] == "Year table"
    # from the files already made (the build's worker): the same list, in the table order
    assert downloads.links(summary, set(names)) == links
    assert downloads.links(summary, {"32.73.years.csv"}) == [("32.73.years.csv", "Year table")]


def test_overview_offers_its_league_table():
    summary = {"kode": "overview", "lang": "en", "league": [{"kode": "31", "nama": "DKI", "coverage": 1.56, "rank": 1.0}]}
    files = downloads.files(summary)
    assert list(files) == ["overview.league.csv"]
    assert files["overview.league.csv"].splitlines() == ["kode,nama,coverage,rank", "31,DKI,1.56,1"]
    assert downloads.links(summary) == [("overview.league.csv", "League table of provinces")]
