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
    """Every report chart of a region, drawn in the order a report draws them (short trend with its
    forecast, split, long view, scenarios; headings and, for sample regions, the sample stamp)."""
    table, targets, breaks = report.table, report.params["targets"], report.break_years
    frame = report.outlook.frame()
    lines = [(f"scenario {i}", r.years, r.median) for i, (_, r, _) in enumerate(report.scenario_results)]
    measure = report.params["coverage"]["trend_denominator"]
    end = plots.short_end(report.outlook.last_year, targets, report.params["horizon"])
    return {
        "trend": plots.to_svg(plots.trend_chart(table, lang, measure, breaks, targets, end, (), frame.loc[:end], f"trend {report.code}")),
        "split": plots.to_svg(plots.split_chart(table, lang, f"split {report.code}")),
        "fan": plots.to_svg(plots.fan_chart(table, frame, lang, targets, breaks, title=f"long {report.code}")),
        "scenarios": plots.to_svg(plots.fan_chart(table, frame, lang, targets, breaks, lines, f"scenarios {report.code}")),
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
    assert "150" in "".join(ET.fromstring(dki["trend"]).itertext())
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


# --- charts that read at a glance (issue 24) and keep their marks (issue 23) ----------------------

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: bytes) -> list[str]:
    return [(el.text or "") for el in ET.fromstring(svg).iter(f"{SVG}text")]


def _page_svgs(html: str) -> list[bytes]:
    import base64
    import re

    return [base64.b64decode(m) for m in re.findall(r'data:image/svg\+xml;base64,([^"]+)"', html)]


def test_the_short_view_ends_the_year_after_the_next_target():
    targets = [{"year": 2029}, {"year": 2045}]
    assert plots.short_end(2023, targets, 2045) == 2030  # RPJMN 2029, then one more year
    assert plots.short_end(2024, targets, 2045) == 2030
    assert plots.short_end(2027, targets, 2045) == 2030  # at least three years past the data
    assert plots.short_end(2028, targets, 2045) == 2031
    assert plots.short_end(2030, targets, 2045) == 2046 - 1  # next target 2045: capped at the horizon
    assert plots.short_end(2023, [], 2035) == 2026


def test_the_trend_chart_ends_at_the_short_horizon_with_its_forecast(reports):
    report = reports["ID"]
    targets, frame = report.params["targets"], report.outlook.frame()
    end = plots.short_end(report.outlook.last_year, targets, report.params["horizon"])
    assert end == 2030 and frame.index[-1] == 2045
    fig = plots.trend_chart(report.table, "en", report.params["coverage"]["trend_denominator"], report.break_years, targets,
                            end, (), frame.loc[:end], "t")
    ax = fig.axes[0]
    assert ax.get_xlim()[1] == pytest.approx(end + 0.7)
    median = [line for line in ax.get_lines() if line.get_label() == plots.t("forecast.legend.median", "en")]
    assert len(median) == 1 and median[0].get_xdata()[-1] == 2030 and median[0].get_xdata()[0] == report.outlook.last_year
    labels = ax.get_legend_handles_labels()[1]
    assert any("RPJMN" in label for label in labels) and not any("RPJPN" in label for label in labels)  # 2045: the long view


def test_a_region_page_has_the_short_trend_and_the_long_view(reports):
    report = reports["ID"]
    (trend,) = _page_svgs(report.trend())
    (long_view,) = _page_svgs(report.forecast())
    trend_text, long_text = " ".join(_texts(trend)), " ".join(_texts(long_view))
    assert plots.t("chart.period.forecast", "id", end=2030) in trend_text and "2044" not in trend_text
    assert plots.t("chart.title.long", "id", region=report.name, end=2045) in long_text
    assert plots.t("chart.period.forecast", "id", end=2045) in long_text
    assert 'alt="' + plots.t("chart.alt.long_view", "id", region=report.name, last=2024, last_value="X", end=2045, median="Y",
                             lo80="", hi80="", lo95="", hi95="", targets="").split(":")[0] in report.forecast()


def test_every_image_says_what_it_is_its_years_and_its_source(reports):
    report = reports["32.73"]
    blocks = {"trend": report.trend(), "split": report.split(), "forecast": report.forecast(), "scenarios": report.scenarios()}
    source = plots.t("chart.source", "id")
    for name, html in blocks.items():
        (svg,) = _page_svgs(html)
        text = " ".join(_texts(svg))
        assert report.name in text and source in text, name
        assert "data 2015–2023" in text, (name, text)


def test_sample_bars_are_drawn_hollow_and_the_legend_says_so(reports):
    from matplotlib.collections import PolyCollection

    table = reports["31"].table  # DKI: sample years and the official December 2023 split
    rows = table.dropna(subset=["peserta"])
    assert rows["sintetis_peserta"].any() and not rows["sintetis_peserta"].all()
    fig = plots.split_chart(table, "en", "t")
    bars = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    hollow = [c for c in bars if tuple(c.get_facecolor()[0][:3]) == (1.0, 1.0, 1.0)]
    filled = [c for c in bars if c not in hollow]
    sample_years = set(rows.loc[rows["sintetis_peserta"], "tahun"])
    official_years = set(rows.loc[~rows["sintetis_peserta"], "tahun"])
    # every hollow bar sits on a sample year, every filled bar on an official one
    assert {round(p.vertices[:4, 0].mean()) for c in hollow for p in c.get_paths()} == sample_years
    assert {round(p.vertices[:4, 0].mean()) for c in filled for p in c.get_paths()} == official_years
    assert all(c.get_hatch() for c in hollow if tuple(c.get_edgecolor()[0][:3]) != plots.matplotlib.colors.to_rgb(plots.BLUE))
    assert plots.t("trend.legend.sample", "en") in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_a_chart_drawn_mostly_from_sample_data_says_so_inside_the_image(reports):
    sample, official = reports["32.73"], reports["ID"]
    stamp = "◇ " + plots.t("banner.sample.short", "id").upper()
    assert stamp in _texts(_charts(sample, "id")["trend"])
    assert stamp not in " ".join(_texts(_charts(official, "id")["trend"]))
    # and the alt text says what the image says
    assert plots.t("chart.alt.sample", "id") in sample.trend() and plots.t("chart.alt.sample", "id") not in official.trend()
    assert plots.mostly_sample([True, True, False]) and not plots.mostly_sample([True, False]) and not plots.mostly_sample([])


def test_coinciding_scenario_lines_are_drawn_once_and_named_together():
    import numpy as np
    import pandas as pd

    years = np.arange(2024, 2031)
    table = pd.DataFrame({"tahun": [2022, 2023], "cakupan_tren": [0.2, 0.21], "sintetis": [False, False]})
    frame = pd.DataFrame({k: np.linspace(0.21, 0.25, 7) for k in ("median", "lo80", "hi80", "lo95", "hi95")}, index=years)
    same = np.linspace(0.21, 0.27, 7)
    lines = [("Pasar", years, same), ("UKM", years, same + 0.01), ("E-commerce", years, same.copy())]
    assert plots.same_lines(lines) == [[0, 2], [1]]
    fig = plots.fan_chart(table, frame, "id", lines=lines, title="t")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert plots.t("chart.lines.same", "id", names="Pasar = E-commerce") + " 27,0%" in texts
    assert "UKM 28,0%" in texts and not [t for t in texts if t.startswith("E-commerce")]
    drawn = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) == len(years) and line.get_xdata()[0] == 2024]
    assert len(drawn) == 2  # one line for the pair, one for UKM


def test_direct_labels_never_overlap():
    assert plots._spread([1.0, 1.0, 1.0], 0.5, 0.0, 10.0) == [1.0, 1.5, 2.0]
    assert plots._spread([9.9, 10.0], 0.5, 0.0, 10.0) == [9.5, 10.0]  # pushed past the top: moved down
    assert plots._spread([3.0, 7.0], 0.5, 0.0, 10.0) == [3.0, 7.0]  # apart already: where the lines end


def test_a_region_page_names_its_coinciding_scenarios(reports):
    """Jawa Barat kab/kota: the Pasar and E-commerce levers are the same size, so their lines coincide."""
    report = reports["32.73"]
    html = report.scenarios()
    (svg,) = _page_svgs(html)
    pair = [plots.t("lever.pasar", "id"), plots.t("lever.ecommerce", "id")]
    assert any(text.startswith(plots.t("chart.lines.same", "id", names=" = ".join(pair))) for text in _texts(svg))
    assert plots.t("chart.alt.same", "id", names=" = ".join(pair)) in html
