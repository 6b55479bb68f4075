"""JupyterLab display: scoped stylesheet, blocks as the page shows them, checked parameters, compact reprs."""

from __future__ import annotations

import re

import pytest

from analysis.lab import parameters
from analysis.pages import frames
from analysis.pages import notebook_display as workbench
from analysis.core.messages import fmt_pct
from analysis.pages.overview import Overview
from analysis.pages.region_page import RegionReport


def test_scope_css_prefixes_every_selector_and_keeps_media_queries():
    css = """/* c */ :root { --x: 1; } body { margin: 0; } h1, .a b { color: red; }
    @media (max-width: 40rem) { td.num { white-space: normal; } }
    @media print { @page { margin: 15mm; } a { color: inherit; } }"""
    scoped = workbench.scope_css(css)
    w = ".cakupan-nb.cakupan-nb.cakupan-nb"  # one element, specificity above JupyterLab's own output rules
    assert scoped.splitlines()[:3] == [f"{w} {{--x: 1;}}", f"{w} {{margin: 0;}}", f"{w} h1,{w} .a b {{color: red;}}"]
    assert f"@media (max-width: 40rem) {{\n{w} td.num {{white-space: normal;}}\n}}" in scoped
    assert "@page" not in scoped and f"@media print {{\n{w} a {{color: inherit;}}\n}}" in scoped


def test_the_notebook_stylesheet_restyles_nothing_outside_the_wrapper():
    css = workbench.notebook_css()
    rules = re.sub(r"@media[^{]*\{", "", css)
    selectors = [s.strip() for head in re.findall(r"([^{}]+)\{[^{}]*\}", rules) for s in head.split(",") if s.strip()]
    w = workbench.SCOPED
    assert selectors and all(s == w or s.startswith(w + " ") for s in selectors)
    assert f"{w} .banner" in selectors and f"{w} table.data" in selectors


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


def test_an_unknown_language_parameter_is_refused_in_both_languages():
    with pytest.raises(ValueError) as caught:
        parameters.text_params("fr", region="32")
    assert str(caught.value) == ("Parameter 'lang' = 'fr' bukan bahasa laporan: pilih salah satu dari id, en. / "
                                 "Parameter 'lang' = 'fr' is not a report language: choose one of id, en.")


def test_a_block_shows_as_one_line_of_plain_text():
    from IPython.core.formatters import DisplayFormatter

    block = RegionReport.load("32.73", None, "en").trend()
    data, _ = DisplayFormatter().format(block)
    assert data["text/plain"] == "<Cakupan block: Coverage trend>"
    assert data[workbench.PAGE_MIME] == str(block) and "<style>" in data["text/html"]  # outside a kernel: styled every time


@pytest.fixture(scope="module")
def kernel():
    """The project's kernel ("Python (Cakupan)") with Kota Bandung's report loaded; a client to it."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="cakupan")
    try:
        _run(client, 'from analysis import RegionReport\nreport = RegionReport.load("32.73", None, "en")', "load")
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _run(client, code: str, cell: str) -> list[dict]:
    """Run ``code`` as JupyterLab runs cell ``cell`` (its id in the request's metadata); its display outputs."""
    msg = client.session.msg("execute_request", {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                                 "allow_stdin": False, "stop_on_error": True}, metadata={"cellId": cell})
    client.shell_channel.send(msg)
    outputs = []
    while True:
        reply = client.get_iopub_msg(timeout=120)
        if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        kind = reply["msg_type"]
        if kind == "error":
            raise AssertionError("\n".join(reply["content"]["traceback"]))
        if kind in ("display_data", "execute_result"):
            outputs.append(reply["content"]["data"])
        if kind == "status" and reply["content"]["execution_state"] == "idle":
            return outputs


def test_the_stylesheet_rides_on_one_output_per_notebook(kernel):
    def styled(code: str, cell: str) -> bool:
        (data,) = _run(kernel, code, cell)
        return "<style>" in data["text/html"]

    assert styled("report.title()", "cell-1")  # the first block of the session carries it
    assert not styled("report.trend()", "cell-2") and not styled("report.gap()", "cell-3")
    assert styled("report.title()", "cell-1")  # its cell run again: carried again
    assert not styled("report.trend()", "cell-2")


def test_tab_completion_lists_every_frame(kernel):
    sent = kernel.complete("report.frames.", len("report.frames."))
    reply = kernel.get_shell_msg(timeout=120)
    while reply["parent_header"].get("msg_id") != sent:  # the replies to the cells run before
        reply = kernel.get_shell_msg(timeout=120)
    assert set(frames.SECTIONS) <= set(reply["content"]["matches"])
    (data,) = [d for d in _run(kernel, "report.frames", "cell-4")]
    assert all(f">{name}<" in data["text/html"] for name in frames.SECTIONS)


def _inspect(client, code: str) -> str:
    """What ``code?`` (or Shift+Tab in JupyterLab) shows, as plain text without colours."""
    sent = client.inspect(code, len(code), detail_level=0)
    reply = client.get_shell_msg(timeout=120)
    while reply["parent_header"].get("msg_id") != sent:
        reply = client.get_shell_msg(timeout=120)
    return re.sub(r"\x1b\[[0-9;]*m", "", reply["content"]["data"]["text/plain"])


def test_a_frame_and_a_block_explain_themselves_where_ipython_looks(kernel):
    """``report.frames.trend?`` lists the columns with their dtype and meaning, ``report.frames?`` every frame, ``report.trend?`` the block."""
    described = frames.describe("trend")
    assert "cakupan_tren" in described and "float64" in described and "active participants" in described
    shown = _inspect(kernel, "report.frames.trend")
    assert all(line.strip() in shown for line in described.splitlines() if line.strip())
    shown = _inspect(kernel, "report.frames")
    assert all(f"{name}: {frames.FRAMES[name][0]}" in shown for name in frames.SECTIONS)
    assert "report.frames.trend" in _inspect(kernel, "report.trend")
