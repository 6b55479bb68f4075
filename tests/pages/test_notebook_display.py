"""JupyterLab display: scoped stylesheet, blocks as the page shows them, checked parameters, compact reprs."""

from __future__ import annotations

import re

import pytest

from analysis.lab import parameters
from analysis.pages import notebook_display as workbench
from analysis.core.messages import fmt_pct
from analysis.pages.overview import Overview
from analysis.pages.region_page import RegionReport


def test_scope_css_prefixes_every_selector_and_keeps_media_queries():
    css = """/* c */ :root { --x: 1; } body { margin: 0; } h1, .a b { color: red; }
    @media (max-width: 40rem) { td.num { white-space: normal; } }
    @media print { @page { margin: 15mm; } a { color: inherit; } }"""
    scoped = workbench.scope_css(css)
    assert scoped.splitlines()[:3] == [".cakupan-nb {--x: 1;}", ".cakupan-nb {margin: 0;}", ".cakupan-nb h1,.cakupan-nb .a b {color: red;}"]
    assert "@media (max-width: 40rem) {\n.cakupan-nb td.num {white-space: normal;}\n}" in scoped
    assert "@page" not in scoped and "@media print {\n.cakupan-nb a {color: inherit;}\n}" in scoped


def test_the_notebook_stylesheet_restyles_nothing_outside_the_wrapper():
    css = workbench.notebook_css()
    rules = re.sub(r"@media[^{]*\{", "", css)
    selectors = [s.strip() for head in re.findall(r"([^{}]+)\{[^{}]*\}", rules) for s in head.split(",") if s.strip()]
    assert selectors and all(s == ".cakupan-nb" or s.startswith(".cakupan-nb ") for s in selectors)
    assert ".cakupan-nb .banner" in selectors and ".cakupan-nb table.data" in selectors


def test_a_block_is_shown_styled_in_lab_and_unchanged_on_the_page():
    block = '<p><a href="31.html">DKI</a> <a href="https://bps.go.id">BPS</a> <a href="#x">x</a></p>'
    bundle = workbench.block_bundle(block)
    assert bundle[workbench.PAGE_MIME] == block
    lab = bundle["text/html"]
    assert lab.startswith('<div class="cakupan-nb"><style>') and lab.endswith("</div>")
    assert "<p>DKI <a" in lab and 'href="31.html"' not in lab  # a portfolio link would be a 404 inside Lab
    assert 'href="https://bps.go.id"' in lab and 'href="#x"' in lab


def test_report_blocks_carry_both_representations():
    report = RegionReport.load("32.73", None, "en")
    data = report.title()._repr_mimebundle_()
    assert data[workbench.PAGE_MIME] == str(report.title()) and "cakupan-nb" in data["text/html"]


@pytest.mark.parametrize("value", [32.73, 32, 3273.0])
def test_a_numeric_region_is_refused_with_the_way_to_pass_text(value):
    with pytest.raises(TypeError) as caught:
        parameters.text_params("en", region=value, params_path="", data_dir="")
    message = str(caught.value)
    assert f"-r region {value}" in message and type(value).__name__ in message and "'region'" in message


def test_text_params_pass_text_through_and_speak_the_language():
    assert parameters.text_params("id", region="32.73", data_dir="") == ("id", "32.73", "")
    with pytest.raises(TypeError, match="harus berupa teks"):
        parameters.text_params("id", region=32.73)
    with pytest.raises(TypeError, match="'lang'"):
        parameters.text_params(1, region="32")


def test_not_loaded_raises_on_any_use_but_stays_displayable():
    stand_in = parameters.NotLoaded("report")
    with pytest.raises(RuntimeError, match="No report is loaded"):
        stand_in.title()
    with pytest.raises(AttributeError):
        stand_in._repr_html_  # noqa: B018 -- IPython's lookup must not turn into an error
    assert repr(stand_in) == "<report: not loaded>"


def test_compact_repr_of_a_report():
    report = RegionReport.load("32", None, "en")
    text = repr(report)
    assert text.splitlines()[0] == "<RegionReport Jawa Barat (32, Province, en)>"
    latest = report.summary()["latest"]
    headline = f"coverage {latest['tahun']}: {fmt_pct(latest['cakupan'], 'en')}{' ◇' if latest['sintetis'] else ''}"
    assert f"{headline}; the report contains sample data (◇)" in text
    assert "frames: trend, segments, gaps, forecast, targets, pace, scenarios, ranking" in text
    assert len(text) < 400 and len(report._repr_html_()) < len(workbench.notebook_css()) + 1500


def test_compact_repr_of_the_overview():
    overview = Overview.load(None, "en")
    text = repr(overview)
    assert text.startswith("<Overview ") and len(text) < 400


def test_the_publish_cell_shows_the_footer_line():
    html = workbench.footer_html({"lang": "en"})
    assert html.startswith('<div class="cakupan-nb">') and 'class="built"' in html and "Summary published for cakupan build" in html
