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


def _cells(html: str, region: str) -> list[str]:
    """The text of the cells of ``region``'s row of a table."""
    import re

    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if region in r)
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def test_comparison_marks_what_rests_on_sample_rows_as_the_report_does(reports):
    """Jawa Barat's forecast rests on sample years: its report marks coverage 2029 and the year reached with ◇."""
    jabar = reports[0]
    assert jabar.history_sample  # the premise, from the facts
    cells = _cells(str(explore.comparison_table(reports, "en")), "Jawa Barat")
    frame = explore.comparison(reports).set_index("kode")
    assert cells[6] == fmt_pct(frame.at["32", "prakiraan_median"], "en") + " ◇"
    first = jabar.target_years[0][1]
    assert cells[7] == (str(first.year) if first.year else f"not by {jabar.forecast_end}") + " ◇"
    assert "◇" in str(jabar.targets())  # the report marks the same value
    summary = jabar.summary()
    assert frame.at["32", "sintetis_prakiraan"] == summary["forecast"]["sintetis"]
    assert frame.at["32", "sintetis_laju"] == summary["pace"]["sintetis"]
    assert cells[5].endswith(" ◇") == summary["pace"]["sintetis"]


def test_the_lever_board_marks_its_values_as_the_scenario_table_does():
    report = RegionReport.load("32", None, "en")
    assert report.scenarios_sample
    html = str(explore.levers_block(report, explore.move_levers(report, {"desa": 2.0})))
    baseline, moved = _cells(html, "Baseline"), _cells(html, "Programmes as set")
    assert baseline[1] == "–" and baseline[2].endswith(" ◇") and moved[1].endswith(" ◇") and moved[2].endswith(" ◇")
    assert all(cell.endswith(" ◇") for cell in moved[4::2])  # each probability
    assert 'class="banner sample"' in html


@pytest.mark.parametrize("sizes, retention, error, words", [
    ({"village": 2.0}, None, ValueError, "Unknown lever 'village' (did you mean 'desa'?)"),
    ({"dsea": 2.0}, None, ValueError, "did you mean 'desa'?"),
    ({}, 150, ValueError, "retention = 150 is outside its range: it must be from 0 to 100 (percent)"),
    ({"desa": -5}, None, ValueError, "desa = -5 is outside its range: it must be from 0 to 100"),
    ({"desa": "2"}, None, TypeError, "desa must be a number"),
    (["desa"], None, TypeError, "a mapping from lever name"),
])
def test_move_levers_refuses_what_it_cannot_mean(sizes, retention, error, words):
    report = RegionReport.load("32", None, "en")
    with pytest.raises(error) as caught:
        explore.move_levers(report, sizes, retention)
    assert words in str(caught.value)


def test_lever_limits_are_accepted_and_refusals_speak_the_reports_language():
    report = RegionReport.load("32", None, "id")
    assert explore.move_levers(report, {"desa": 100.0}, retention=0).coverage >= explore.move_levers(report, {"desa": 0}).baseline
    with pytest.raises(ValueError, match="Tuas 'village' tidak dikenal \\(maksud Anda 'desa'\\?\\)"):
        explore.move_levers(report, {"village": 1})
    with pytest.raises(TypeError, match="region report"):
        explore.move_levers("32", {})


def test_the_explore_functions_check_their_arguments(reports):
    with pytest.raises(TypeError, match="list of region reports"):
        explore.comparison(reports[0])
    with pytest.raises(ValueError, match="No region code"):
        explore.parse_codes(" , ")
    with pytest.raises(ValueError, match="not a report language"):
        explore.comparison_table(reports, "fr")
    with pytest.raises(ValueError, match=r"did you mean 32\.7"):
        explore.load_reports(["32.7"], "en")


def test_the_chart_breaks_its_axis_for_ratios_above_100_percent_and_clips_nothing(reports):
    fig = explore.comparison_chart(reports, "en")  # Jawa Barat ~20%, DKI Jakarta 106-158%
    top, bottom = fig.axes[:2]
    assert len([a for a in fig.axes if a.has_data()]) == 2
    for report in reports:
        values = report.table["cakupan_tren"].dropna().to_numpy() * 100
        shown = [(lo <= v <= hi) for v in values for lo, hi in (top.get_ylim(), bottom.get_ylim())]
        assert all(any(shown[i * 2:i * 2 + 2]) for i in range(len(values)))  # every value inside one panel
    assert bottom.get_ylim()[1] < 50 and top.get_ylim()[0] > 90  # the others fill the lower panel
    note = str(explore.comparison_table(reports, "en"))
    assert "Trend coverage above 100%: Daerah Khusus Ibukota Jakarta" in note
    single = explore.comparison_chart(reports[:1], "en")
    assert len([a for a in single.axes if a.has_data()]) == 1
