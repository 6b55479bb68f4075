"""Every region's answer: the index's status cells and regions.csv / regions.json, read from the summaries' ``status``."""

from __future__ import annotations

import io
import json

import pandas as pd

from analysis.pages import region_list


def status(verdict: str, sample: bool = False) -> dict:
    """A status object in the shape the region JSON carries (hand-made numbers)."""
    return {
        "headline": {"value": 0.3135, "year": 2024, "periode": "2024-08", "months": {"peserta": "2024-08", "pekerja": "2024-08"},
                     "data_as_of": "2025-02", "sintetis": False},
        "milestone": {"year": 2026, "target": 0.3499, "label": "RKP 2026", "gap_points": -3.64, "above": False, "sintetis": False},
        "on_track": {"value": verdict, "reason": None, "pace_people": 417934.0, "needed_people": 1704655.0, "pace_points": 0.8,
                     "needed_points": 2.2, "sintetis": sample},
        "reached_year": {"target_year": 2029, "median": 2036, "low": 2031, "high": 2044, "p_by_deadline": 0.33, "sintetis": sample},
        "best_lever": {"lever": "pasar", "people_by_2029": 188724.0, "illustrative": True, "sintetis": False},
        "sintetis": sample,
    }


def entry(code: str, verdict: str | None, sample: bool = False) -> dict:
    out = {"kode": code, "nama": f"Wilayah {code}", "tingkat": "provinsi", "induk": "ID", "status": "built", "sintetis": False,
           "latest": {"tahun": 2025, "cakupan": 0.29, "sintetis": True}}
    if verdict is not None:
        out["region_status"] = status(verdict, sample)
    return out


def test_index_cells_show_the_official_headline_its_year_and_the_status():
    cells = region_list.index_cells(entry("32", "no"), "en")
    assert (cells["coverage"], cells["year"], cells["coverage_sample"]) == ("31.4%", 2024, False)  # the status's headline, not latest
    assert cells["status"] == "Not on track for 2029" and cells["status_sort"] == 2
    assert cells["reached"] == "2036 (2031–2044)" and cells["reached_sort"] == 2036
    assert cells["as_of"] == "February 2025" and cells["as_of_sort"] == "2025-02"
    reached = region_list.index_cells(entry("31", "reached"), "id")
    assert reached["status"] == "Target sudah tercapai (2024)" and reached["status_sort"] == 0
    sample = region_list.index_cells(entry("33", "yes", sample=True), "en")
    assert sample["status"] == "On track for 2029 ◇" and sample["status_sample"] and sample["reached"].endswith("◇")
    beyond = entry("32", "no")
    beyond["region_status"]["reached_year"].update(median=None, high=None)  # the median path stays below the target
    cells = region_list.index_cells(beyond, "en")
    assert (cells["reached"], cells["reached_sort"]) == ("beyond the forecast (2031–…)", 9998)


def test_a_summary_without_status_reads_as_cannot_tell_with_its_latest_figure():
    cells = region_list.index_cells(entry("94", None), "en")
    assert cells["status"] == "Cannot tell" and cells["status_sort"] == 3 and not cells["status_sample"]
    assert (cells["coverage"], cells["year"], cells["coverage_sample"]) == ("29.0% ◇", 2025, True)
    assert cells["reached"] == "–" and cells["reached_sort"] == 9999 and cells["as_of"] == ""
    odd = {**entry("95", None), "region_status": {"on_track": {"value": "maybe"}, "headline": "2024"}}
    assert region_list.index_cells(odd, "en")["status"] == "Cannot tell"


def test_regions_csv_has_one_row_per_region_with_the_status_fields_named_after_the_json():
    failed = {"kode": "11", "nama": "Aceh", "tingkat": "provinsi", "status": "failed"}
    text = region_list.regions_csv([entry("32", "no"), failed, entry("94", None)], "id")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(frame["kode"]) == ["11", "32", "94"]
    assert list(frame.columns[:6]) == ["kode", "nama", "tingkat", "induk", "page", "sintetis"]
    west = frame.set_index("kode").loc["32"]
    assert (west["page"], west["headline_value"], west["headline_year"]) == ("id/32.html", "0.3135", "2024")
    assert (west["on_track_value"], west["reached_year_median"], west["reached_year_low"]) == ("no", "2036", "2031")
    assert json.loads(west["headline_months"]) == {"peserta": "2024-08", "pekerja": "2024-08"}
    assert (west["best_lever_lever"], west["best_lever_illustrative"], west["status_sintetis"]) == ("pasar", "True", "False")
    aceh = frame.set_index("kode").loc["11"]
    assert aceh["page"] == "" and aceh["on_track_value"] == "" and aceh["headline_year"] == ""
    assert len(frame.columns) == len(region_list.REGION_FIELDS) + sum(len(f) for f in region_list.STATUS_FIELDS.values()) + 1


def test_regions_json_holds_each_status_as_the_region_json_does():
    one = entry("32", "yes")
    doc = json.loads(region_list.files([one, entry("94", None)], "en")["regions.json"])
    assert doc["lang"] == "en" and [r["kode"] for r in doc["regions"]] == ["32", "94"]
    assert doc["regions"][0]["status"] == one["region_status"] and doc["regions"][0]["page"] == "en/32.html"
    assert doc["regions"][1]["status"] is None and doc["regions"][1]["latest"] == {"tahun": 2025, "cakupan": 0.29, "sintetis": True}
