"""Text measured once per process: the same chart bytes as matplotlib's own measuring, and no
effect on drawings outside ``shared_text``."""

from __future__ import annotations

import io

import pytest
from matplotlib.figure import Figure

from analysis.pages import charts as plots
from analysis.pages import svg_text
from analysis.pages.region_page import RegionReport


class _Nowhere:
    """A registry that keeps no renderer: every draw is measured by matplotlib alone."""

    def add(self, renderer) -> None:  # noqa: ANN001
        pass

    def __contains__(self, renderer) -> bool:  # noqa: ANN001
        return False


@pytest.fixture(scope="module")
def reports():
    return {code: RegionReport.load(code, None, "id", None) for code in ("31", "ID")}


def _all_charts(reports) -> dict[str, bytes]:
    """Every report chart of two regions (DKI's ratios above 100%, the national breaks), both languages."""
    out = {}
    for code, report in reports.items():
        frame = report.outlook.frame()
        lines = [(f"scenario {i}", r.years, r.median) for i, (_, r, _) in enumerate(report.scenario_results)]
        measure = report.params["coverage"]["trend_denominator"]
        targets, breaks = report.params["targets"], report.break_years
        for lang in ("id", "en"):
            out[f"{code}-{lang}-trend"] = plots.to_svg(plots.trend_chart(report.table, lang, measure, breaks, targets))
            out[f"{code}-{lang}-split"] = plots.to_svg(plots.split_chart(report.table, lang))
            out[f"{code}-{lang}-scenarios"] = plots.to_svg(plots.fan_chart(report.table, frame, lang, targets, breaks, lines))
    return out


def test_shared_sizes_and_layouts_give_matplotlibs_own_bytes(reports, monkeypatch):
    shared = _all_charts(reports)
    again = _all_charts(reports)  # now every layout comes from the table
    assert svg_text.text_metrics.cache_info().hits > 0 and svg_text._LAYOUTS
    monkeypatch.setattr(svg_text, "_RENDERER_METRICS", None)
    monkeypatch.setattr(svg_text, "_SHARED", _Nowhere())
    alone = _all_charts(reports)
    assert shared == again == alone


def test_a_full_layout_table_starts_again_with_the_same_bytes(reports, monkeypatch):
    before = _all_charts(reports)
    monkeypatch.setattr(svg_text, "LAYOUTS_KEPT", 7)
    svg_text._LAYOUTS.clear()
    assert _all_charts(reports) == before
    assert 0 < len(svg_text._LAYOUTS) <= 7


def test_drawings_outside_shared_text_are_measured_by_matplotlib():
    """An analyst's figure (savefig outside shared_text) neither reads nor fills the tables."""
    svg_text._LAYOUTS.clear()
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [3, 1, 2], label="an analyst's own line")
    ax.set_title("a title no report has")
    ax.legend()
    fig.savefig(io.BytesIO(), format="svg")
    assert not svg_text._LAYOUTS
