"""The published page as an nbconvert exporter: the entry point JupyterLab lists, one self-contained
file, and a notebook without a page refused in one line."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.pages import downloads
from analysis.pages.exporter import PageExporter
from analysis.pages.notebook_display import block_bundle, footer_html
from analysis.pages.region_page import SUMMARY_MIME, RegionReport

BIN = Path(sys.executable).parent


def _executed(report: RegionReport) -> nbformat.NotebookNode:
    """A notebook as region_report.ipynb leaves it once run: a few blocks, then the published summary."""
    summary = report.summary()
    cells = [new_code_cell("block", outputs=[new_output("display_data", data=block_bundle(block))])
             for block in (report.title(), report.banner(), report.headline(), report.trend())]
    cells.append(new_code_cell("publish(report.summary())", outputs=[
        new_output("display_data", data={SUMMARY_MIME: summary, "text/html": footer_html(summary)})]))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "cakupan", "display_name": "Python (Cakupan)", "language": "python"}})


@pytest.fixture(scope="module")
def report() -> RegionReport:
    return RegionReport.load("32.73", None, "en")


def test_the_exporter_is_the_entry_point_jupyterlab_lists():
    from importlib.metadata import entry_points

    from nbconvert.exporters.base import get_export_names, get_exporter

    (point,) = entry_points(group="nbconvert.exporters", name="cakupan")
    assert point.load() is PageExporter and get_exporter("cakupan") is PageExporter and "cakupan" in get_export_names()
    assert PageExporter.output_mimetype == "text/html" and PageExporter().file_extension == ".html"


def test_one_self_contained_file_with_the_csv_files_inside(report):
    page, resources = PageExporter().from_notebook_node(_executed(report), resources={"metadata": {"name": "out"}})
    assert not resources.get("outputs")  # nothing next to the page: JupyterLab hands over this one file, not a zip
    def text(html: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    for block in (report.title(), report.headline(), report.trend()):  # the blocks as the build publishes them (terms
        assert text(str(block)) in text(page)  # link to the glossary on the page, so the words are compared, not the tags
    files = downloads.files(report.summary())
    links = re.findall(r'<a href="data:text/csv;charset=utf-8;base64,([^"]+)" download>', page)
    assert [base64.b64decode(link).decode("utf-8") for link in links] == list(files.values())
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.split('<section class="block" id="sources"')[0])
    assert "<script src" not in page and "cakupan-nb" not in page and "jp-InputPrompt" not in page


def test_the_build_keeps_its_files_next_to_the_page(report):
    exporter = PageExporter(single_file=False)
    page, resources = exporter.from_notebook_node(_executed(report), resources={"metadata": {"name": "out"}})
    assert set(resources["outputs"]) == {f"./{name}" for name in downloads.files(report.summary())}
    assert 'href="32.73.years.csv" download' in page and "data:text/csv" not in page


def test_a_notebook_without_a_page_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'explore.ipynb' holds no Cakupan page: it has no publish"):
        PageExporter().from_notebook_node(new_notebook(), resources={"metadata": {"name": "explore"}})
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), tmp_path / "explore.ipynb")
    for route in (["--to", "cakupan"], ["--to", "html", "--template", "cakupan"]):
        done = subprocess.run([str(BIN / "jupyter"), "nbconvert", *route, "explore.ipynb"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        (line,) = [x for x in done.stderr.splitlines() if "ERROR" in x]
        assert "publish(report.summary())" in line and not list(tmp_path.glob("*.html"))
