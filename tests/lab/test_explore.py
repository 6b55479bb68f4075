"""Regions side by side and the scenario levers moved by hand (notebooks/explore.ipynb)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.lab import explore
from analysis.core.messages import fmt_pct
from analysis.pages.region_page import RegionReport


def test_parse_codes_keeps_order_and_drops_repeats():
    assert explore.parse_codes("32, 31 32.73,,32") == ["32", "31", "32.73"]


@pytest.fixture(scope="module")
def reports():
    return explore.load_reports(["32", "31"], "en")


def test_comparison_rows_are_the_reports_own_figures(reports):
    frame = explore.comparison(reports).set_index("kode")
    for report in reports:
        latest = report.latest
        row = frame.loc[report.code]
        assert row["tahun"] == int(latest["tahun"]) and row["cakupan"] == pytest.approx(latest["cakupan"])
        expected = report.target_years[0][1].year
        assert pd.isna(row["tahun_tercapai"]) if expected is None else row["tahun_tercapai"] == expected
    assert frame.loc["31", "cakupan"] > 1  # DKI Jakarta above 100%: shown, never clipped


def test_comparison_block_shows_every_region_and_the_sample_banner(reports):
    html = str(explore.comparison_table(reports, "en"))
    dki = fmt_pct(reports[1].summary()["latest"]["cakupan"], "en")
    assert html.count('<th scope="row">') == 2 and "Jawa Barat" in html and dki in html and float(dki.rstrip("%")) > 100
    assert ('class="banner sample"' in html) == any(r.uses_sample for r in reports)
    assert html.count("<img ") == 1


def test_levers_at_zero_give_the_baseline_and_bigger_levers_more_coverage():
    report = RegionReport.load("32", None, "en")
    zero = explore.move_levers(report, {key: 0 for key in report.params["scenarios"]["levers"]})
    assert zero.coverage == pytest.approx(zero.baseline) and zero.added == pytest.approx(0)
    default = explore.move_levers(report, {})
    bigger = explore.move_levers(report, {key: 4.0 for key in report.params["scenarios"]["levers"]}, retention=100)
    assert zero.coverage < default.coverage < bigger.coverage
    first = [ty.prob_by_deadline for ty in bigger.years]
    assert all(b >= d for b, d in zip(first, [ty.prob_by_deadline for ty in default.years]))


def test_the_board_follows_its_sliders():
    pytest.importorskip("ipywidgets")
    report = RegionReport.load("32", None, "en")
    board = explore.LeverBoard(report)
    before = board.output.value
    assert "Programmes as set" in before and "cakupan-nb" in before
    board.sliders["desa"].value = 5.0
    assert board.output.value != before
    assert board.result().coverage == pytest.approx(explore.move_levers(report, {"desa": 5.0}).coverage)
