"""CSV downloads of a page: one file per table with rows, readable back to the same numbers."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.writing import FORMULA_START, safe_cell
from analysis.pages import downloads
from analysis.pages import frames
from analysis.pages.region_page import RegionReport


def test_region_files_read_back_to_the_section_frames():
    summary = RegionReport.load("32", None, "id").summary()
    files = downloads.files(summary)
    assert list(files) == ["32.years.csv", "32.segments.csv", "32.forecast.csv", "32.targets.csv", "32.ranking.csv",
                           "32.points.csv", "32.references.csv"]
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
    summary = {"kode": "overview", "lang": "en", "league": [{"kode": "31", "nama": "DKI", "cakupan": 1.56, "peringkat": 1.0,
                                                             "sintetis": False, "sumber": "bps + kemnaker"}]}
    files = downloads.files(summary)
    assert list(files) == ["overview.league.csv"]
    assert files["overview.league.csv"].splitlines() == ["kode,nama,cakupan,peringkat,sintetis,sumber", "31,DKI,1.56,1.0,False,bps + kemnaker"]
    assert downloads.links(summary) == [("overview.league.csv", "League table of provinces")]


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_marked(table: pd.DataFrame, name: object) -> None:
    """A ``sintetis`` cell (True/False) and a source key on every row that holds a value; only vocabulary columns."""
    assert "sintetis" in table.columns and "sumber" in table.columns, name
    assert not table.empty and set(table["sintetis"]) <= {"True", "False"}, name
    holds_value = table["alasan"] == "" if "alasan" in table else pd.Series(True, index=table.index)
    assert (table.loc[holds_value, "sumber"] != "").all(), name
    assert set(table.columns) <= set(frames.COLUMNS), (name, set(table.columns) - set(frames.COLUMNS))


def test_every_download_of_the_portfolio_has_sintetis_and_a_source_on_every_row(built_portfolio):
    found = sorted(built_portfolio.root.glob("*/*.csv"))  # the pages' downloads, in their language folders
    assert {p.name.split(".")[-2] for p in found} >= {"years", "segments", "forecast", "targets", "points", "references", "league"}
    for path in found:
        assert_marked(_read(path), path)
    regions = _read(built_portfolio.root / "regions.csv")  # the index's file: its own columns (docs/data.md), marked alike
    assert set(regions["sintetis"]) <= {"True", "False"} and (regions["sumber"] != "").all()


def test_the_same_name_means_the_same_thing_in_every_file(built_portfolio):
    """One vocabulary: a column that appears in two files has one dtype in both (years, counts, shares, flags)."""
    seen: dict[str, str] = {}
    for path in sorted(built_portfolio.root.rglob("*.csv")):
        table = pd.read_csv(path, dtype={"kode": str, "sumber": str, "periode": str})
        for column in table.columns:
            kind = "text" if table[column].dtype == object else "number"
            assert seen.setdefault(column, kind) == kind or table[column].isna().all(), (path, column)


def test_jawa_barat_downloads_hold_the_off_series_figures_and_scenario_marks(built_portfolio):
    folder = built_portfolio.root / "en"
    years = _read(folder / "32.years.csv").set_index("tahun")
    assert years.loc["2024", "penduduk_bekerja"] == "24417110" and years.loc["2024", "pekerja_berhak"] == "18900000"
    points = _read(folder / "32.points.csv").set_index("periode")
    assert points.loc["2024-08", "peserta"] == "5923000" and points.loc["2024-08", "sumber"] == "liputan6-2024-08-27"
    targets = _read(folder / "32.targets.csv")
    scenario_rows = targets[targets["skenario"] != frames.BASELINE]
    assert len(scenario_rows) > 0 and (scenario_rows["sintetis"] != "").all()
    forecast = _read(folder / "32.forecast.csv")
    assert set(forecast["sintetis"]) == {"True"}  # its history holds sample years


def test_national_segments_csv_does_not_stack_totals_with_parts(built_portfolio):
    segments = _read(built_portfolio.root / "id" / "ID.segments.csv")
    assert "segmen" not in segments.columns and {"peserta_pu", "peserta_bpu", "peserta_total"} <= set(segments.columns)


def test_dropping_sintetis_from_a_frame_is_caught(monkeypatch):
    """The portfolio check fails when a builder loses the flag (a mutation of the segments frame)."""
    summary = RegionReport.load("32", None, "en").summary()
    assert_marked(_read(io.StringIO(downloads.files(summary)["32.segments.csv"])), "segments")
    original = frames.SECTIONS["segments"]
    monkeypatch.setitem(frames.SECTIONS, "segments", lambda s: original(s).drop(columns=["sintetis"]))
    with pytest.raises(AssertionError):
        assert_marked(_read(io.StringIO(downloads.files(summary)["32.segments.csv"])), "segments")


# ------------------------------------------------------------------ safe in a spreadsheet, sample rows marked

FORMULAS = ['=HYPERLINK("http://x","click")', "+62 21 555", "-x", "@SUM(A1)", "\tlead", "\rlead"]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_formula_like_names_are_neutralised_and_numbers_stay_numbers():
    league = [{"kode": "3" + str(i), "nama": name, "coverage": -0.25 if i == 0 else 1.5, "rank": float(i + 1)}
              for i, name in enumerate(FORMULAS)]
    files = downloads.files({"kode": "overview", "lang": "en", "league": league})
    rows = _cells(files["overview.league.csv"])
    assert [r[1] for r in rows[1:]] == ["'" + name.replace("\r", "\n") for name in FORMULAS]  # OWASP: a leading apostrophe
    assert rows[1][2] == "-0.25" and rows[2][2] == "1.5"  # a negative number is still a number


def test_text_that_is_a_number_is_left_as_it_is():
    assert [safe_cell(v) for v in ("-5", "+1.5e3", "-.5", "=1", "-", "", None, -3)] == ["-5", "+1.5e3", "-.5", "'=1", "'-", "", None, -3]


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
@settings(max_examples=150, deadline=None)
def test_random_names_never_make_a_live_formula(names):
    league = [{"kode": str(10 + i), "nama": name, "coverage": 0.5, "rank": float(i + 1)} for i, name in enumerate(names)]
    rows = _cells(downloads.files({"kode": "overview", "lang": "en", "league": league})["overview.league.csv"])
    for row, name in zip(rows[1:], names):
        cell = row[1]
        assert not cell.startswith(FORMULA_START) or re.fullmatch(r"[+-][0-9.eE+-]*", cell), cell
        name = name.replace("\r\n", "\n").replace("\r", "\n")  # a CR is written as a (quoted) line break
        assert cell in (name, "'" + name)


@pytest.mark.parametrize("code", ["ID", "32", "32.73"])
def test_every_csv_of_a_page_keeps_its_sample_marks(code):
    """The mark travels with the values: every table whose values can rest on sample rows has
    ``sintetis``, and it says what the summary says (dropping it from a frame fails here)."""
    summary = RegionReport.load(code, None, "en").summary()
    files = downloads.files(summary)
    for name, text in files.items():
        table = name.split(".")[-2]
        if table == "forecast":  # bands of the trend: marked on the page, not row by row
            continue
        back = pd.read_csv(io.StringIO(text))
        assert "sintetis" in back.columns, name
        assert back["sintetis"].tolist() == frames.section(downloads.REGION_TABLES[table][0], summary)["sintetis"].tolist(), name
    segments = pd.read_csv(io.StringIO(files[f"{code}.segments.csv"]))
    flags = [bool(row["sintetis"]) for year in summary["segments"].values() for row in year.values()] if isinstance(
        summary.get("segments"), dict) else None
    assert flags is None or sorted(flags) == sorted(segments["sintetis"].tolist())


def test_the_float_format_asked_for_is_the_one_written():
    frame = pd.DataFrame({"x": [1 / 3, 2.0], "name": ["a", "-b"]})
    assert downloads.csv_text(frame, float_format="%.3f") == "x,name\n0.333,a\n2.000,'-b\n"
