"""Report charts: reused figures never carry one chart into the next, same bytes every time, the
layout fits the labels, and importing Cakupan leaves an analyst's matplotlib alone."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import nbformat
import pytest

from analysis.pages import charts as plots
from analysis.pages.region_page import RegionReport


@pytest.fixture(scope="module")
def reports():
    return {code: RegionReport.load(code, None, "id", None) for code in ("32.73", "31", "ID")}


def _charts(report: RegionReport, lang: str) -> dict[str, bytes]:
    """Every report chart of a region, drawn in the order a report draws them."""
    table, targets, breaks = report.table, report.params["targets"], report.break_years
    frame = report.outlook.frame()
    lines = [(f"scenario {i}", r.years, r.median) for i, (_, r, _) in enumerate(report.scenario_results)]
    measure = report.params["coverage"]["trend_denominator"]
    return {
        "trend": plots.to_svg(plots.trend_chart(table, lang, measure, breaks, targets)),
        "split": plots.to_svg(plots.split_chart(table, lang)),
        "fan": plots.to_svg(plots.fan_chart(table, frame, lang, targets, breaks)),
        "scenarios": plots.to_svg(plots.fan_chart(table, frame, lang, targets, breaks, lines)),
    }


def test_a_chart_does_not_depend_on_the_charts_drawn_before_it(reports):
    plots._CHARTS.clear()
    fresh = _charts(reports["32.73"], "en")  # on new figures
    _charts(reports["31"], "id")  # DKI: ratios above 100%, other labels, other language
    _charts(reports["ID"], "en")
    again = _charts(reports["32.73"], "en")  # on figures that drew other regions in between
    assert again == fresh


def test_a_legend_is_kept_only_while_it_would_be_the_same(reports):
    """Same labels and looks: the legend object is kept; another language or another look: a new one."""
    report = reports["32.73"]
    measure = report.params["coverage"]["trend_denominator"]

    def legend(lang: str, targets: list[dict]):
        fig = plots.trend_chart(report.table, lang, measure, report.break_years, targets)
        svg = plots.to_svg(fig)
        return fig.axes[0].get_legend(), svg

    targets = report.params["targets"]
    first, svg = legend("en", targets)
    assert legend("en", targets)[0] is first
    other_language, _ = legend("id", targets)
    assert other_language is not first
    fewer, svg_fewer = legend("id", targets[:1])
    assert fewer is not other_language and len(fewer.get_texts()) == len(other_language.get_texts()) - 1
    plots._CHARTS.clear()
    assert legend("en", targets)[1] == svg  # a kept legend draws the bytes of a new one


def test_a_legend_follows_its_handles_looks_not_only_their_labels():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    blue, = ax.plot([1, 2], [1, 2], "o-", color=plots.BLUE, label="series")
    first = plots._legend(ax, [blue], ["series"], loc="upper left")
    assert plots._legend(ax, [blue], ["series"], loc="upper left") is first
    blue.set_marker("s")
    square = plots._legend(ax, [blue], ["series"], loc="upper left")
    assert square is not first and square.get_lines()[0].get_marker() == "s"
    assert plots._legend(ax, [blue], ["series"], loc="lower left") is not square


def test_charts_show_the_data_labels_and_legend_of_their_region(reports):
    en, dki = _charts(reports["32.73"], "en"), _charts(reports["31"], "id")
    trend = ET.fromstring(en["trend"])
    texts = "".join(trend.itertext())
    assert "Year" in texts and "Coverage (%)" in texts and "Tahun" not in texts
    assert "Tahun" in "".join(ET.fromstring(dki["trend"]).itertext())
    # DKI's coverage is above 100%: the axis goes past it, never clipped
    assert "140" in "".join(ET.fromstring(dki["trend"]).itertext())
    assert en["scenarios"].count(b"scenario ") == len(reports["32.73"].scenario_results)


def test_margins_fit_the_widest_tick_label(reports):
    """The left margin follows the y tick labels: national millions need more room than a kab/kota's."""
    small = plots.split_chart(reports["32.73"].table, "id")
    left_small = small.axes[0].get_position().x0
    large = plots.split_chart(reports["ID"].table, "id")
    left_large = large.axes[0].get_position().x0
    assert left_large > left_small
    labels = [t.get_text() for t in large.axes[0].get_yticklabels()]
    assert plots._text_width(max(labels, key=len), 10) < left_large * 7.2 * 72 - plots.LEFT_PAD + 0.01


def test_same_chart_same_bytes(reports):
    first = _charts(reports["32.73"], "id")
    assert _charts(reports["32.73"], "id") == first
    assert b"<dc:date>" not in first["trend"] and b"Matplotlib" not in first["trend"].split(b"<svg")[1][:400]


def test_importing_cakupan_leaves_the_matplotlib_backend_alone():
    code = ("import matplotlib; matplotlib.use('pdf'); import analysis.pages.region_page, analysis.pages.overview, analysis.pages.render, "
            "analysis.build.worker_server; print(matplotlib.get_backend())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "pdf"


def test_inline_plots_work_in_a_real_kernel_after_importing_cakupan(tmp_path):
    """An analyst imports the library in JupyterLab's kernel, then plots with pyplot, inline, as usual."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import analysis.pages.charts, analysis.pages.region_page, analysis.pages.overview"),
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([2020, 2024], [30.0, 31.4])\nplt.show()"),
        nbformat.v4.new_code_cell("%matplotlib inline\nplt.figure()\nplt.bar([1, 2], [3, 4])\nplt.show()"),
    ])
    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in nb.cells[1:]:
        kinds = [kind for output in cell.outputs for kind in output.get("data", {})]
        assert "image/png" in kinds, cell.outputs


def test_break_lines_pass_behind_the_trend_legend(reports):
    """National breaks fall where the legend sits: the legend box is opaque and drawn above them."""
    report = reports["ID"]
    assert report.break_years
    fig = plots.trend_chart(report.table, "en", report.params["coverage"]["trend_denominator"], report.break_years,
                            report.params["targets"])
    plots.to_svg(fig)  # draws the figure, so extents are known
    ax = fig.axes[0]
    legend = ax.get_legend()
    box = legend.get_window_extent()
    breaks = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    crossing = [line for line in breaks if box.x0 <= ax.transData.transform((line.get_xdata()[0], 0))[0] <= box.x1]
    assert crossing, "no break line crosses the legend: the check would prove nothing"
    frame = legend.get_frame()
    assert legend.get_frame_on() and frame.get_alpha() == 1 and frame.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert all(legend.get_zorder() > line.get_zorder() for line in crossing)
