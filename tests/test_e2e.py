"""End to end: the region notebook executed by the build for real regions, numbers checked in its JSON."""

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1735689600"}
    result = subprocess.run([sys.executable, "-m", "analysis", "build", "--region", "ID", "32", "31", "--jobs", "2", "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out / "index.html")
    return out


def _json(out, lang, code):
    return json.loads((out / lang / f"{code}.json").read_text(encoding="utf-8"))


def test_jawa_barat_2024_reproduces_the_published_31_4_percent(built):
    summary = _json(built, "id", "32")
    # The regional office's August 2024 count is beside the December series, over the 18.9 M eligible.
    point = next(p for p in summary["off_series"] if p["periode"] == "2024-08")
    assert (point["peserta"], point["ukuran_penyebut"], point["sintetis"]) == (5_923_000, "pekerja_berhak", False)
    assert abs(point["cakupan"] - 0.314) <= 0.003 and point["sumber"] == "liputan6-2024-08-27"
    assert summary["years"]["2024"]["peserta"] is None
    page = (built / "id" / "32.html").read_text(encoding="utf-8")
    assert "Angka yang dipublikasikan untuk Agustus 2024: 31,4%" in page
    assert "5.000.000 + 923.000 peserta dibagi 18.900.000 pekerja yang berhak" in page


def test_national_headline_is_official_and_the_page_names_what_is_sample(built):
    summary = _json(built, "en", "ID")
    assert summary["latest"]["sintetis"] is False and summary["latest"]["tahun"] == 2024
    assert summary["years"]["2023"]["cakupan"] == pytest.approx(41_560_938 / 139_852_377)
    assert all(not row["sintetis"] for row in summary["years"].values() if row["cakupan"] is not None)
    # Its province ranking and checks use the sample panel: the page says so.
    assert summary["sintetis"] is True and summary["ranking"]["sintetis"] is True
    page = (built / "en" / "ID.html").read_text(encoding="utf-8")
    assert 'class="banner sample"' in page and "Sample data on this page: active participants, province" in page
    assert '<span class="kpi-value">31.3%</span>' in page


def test_reports_using_synthetic_rows_carry_the_banner(built):
    assert _json(built, "id", "32")["sintetis"] is True
    assert "DATA CONTOH" in (built / "id" / "32.html").read_text(encoding="utf-8")
    assert "SAMPLE DATA" in (built / "en" / "32.html").read_text(encoding="utf-8")


def test_dki_ratio_above_100_percent_is_shown_and_explained(built):
    year = _json(built, "en", "31")["years"]["2023"]
    assert year["cakupan"] == pytest.approx(7_498_532 / 5_072_737)
    assert year["cakupan"] > 1
    page = (built / "en" / "31.html").read_text(encoding="utf-8")
    assert "147.8%" in page and "not clipped" in page


def test_manifest_and_index(built):
    manifest = json.loads((built / "build.json").read_text(encoding="utf-8"))
    entries = {(e["kode"], e["lang"]): e for e in manifest["reports"]}
    assert set(entries) == {(c, lang) for c in ("ID", "32", "31") for lang in ("id", "en")}
    assert all(e["status"] == "built" and e["error"] is None and e["seconds"] > 0 for e in entries.values())
    assert entries[("32", "id")]["output"] == "id/32.html"
    index = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="id/32.html"' in index and "Jawa Barat" in index


def test_pages_have_no_code_prompts_or_external_scripts(built):
    page = (built / "id" / "32.html").read_text(encoding="utf-8")
    for forbidden in ("In&nbsp;[", "In [", "RegionReport.load", "params_path", "<script src", "cdn.", "require.js", "MathJax"):
        assert forbidden not in page


def _same_cell(cell: str, value: object) -> bool:
    """A regions.csv cell read as text against the value the region's JSON holds."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == str(value)
    if isinstance(value, (int, float)):
        return float(cell) == value
    if isinstance(value, (dict, list)):
        return json.loads(cell) == value
    return cell == value


def test_regions_csv_and_json_say_what_each_region_json_says(built_portfolio):
    import pandas as pd

    from analysis.pages.region_list import STATUS_FIELDS

    root, lang = built_portfolio.root, built_portfolio.languages[0]
    frame = pd.read_csv(root / "regions.csv", dtype=str, keep_default_na=False).set_index("kode")
    assert sorted(frame.index) == sorted(built_portfolio.regions)
    listed = {r["kode"]: r for r in json.loads((root / "regions.json").read_text(encoding="utf-8"))["regions"]}
    for code in built_portfolio.regions:
        summary, row = json.loads((root / lang / f"{code}.json").read_text(encoding="utf-8")), frame.loc[code]
        assert (row["nama"], row["tingkat"], row["page"]) == (summary["nama"], summary["tingkat"], f"{lang}/{code}.html")
        assert _same_cell(row["sintetis"], summary["sintetis"]) and _same_cell(row["status_sintetis"], (summary.get("status") or {}).get("sintetis"))
        for part, fields in STATUS_FIELDS.items():
            values = (summary.get("status") or {}).get(part) or {}
            assert all(_same_cell(row[f"{part}_{field}"], values.get(field)) for field in fields), (code, part)
        assert listed[code]["status"] == summary.get("status") and listed[code]["latest"] == summary["latest"]
    for index in (built_portfolio.index(x) for x in built_portfolio.languages):
        assert 'href="regions.csv"' in index.read_text(encoding="utf-8")
