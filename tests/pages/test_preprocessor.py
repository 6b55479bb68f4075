"""The papermill + nbconvert route: any executed notebook becomes the published page.

Real command lines, as an analyst types them: ``papermill`` with ``-p region 32.73`` (a float:
refused with the way to pass text), then ``-r region 32.73``, then ``jupyter nbconvert --to html
--template cakupan``, which must find the installed template and write a page like the one
``cakupan build`` publishes, with its CSV downloads next to it.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.pages import downloads
from analysis.data.contract import PROJECT_ROOT
from analysis.pages.render import extract_summary

BIN = Path(sys.executable).parent
NOTEBOOK = PROJECT_ROOT / "notebooks" / "region_report.ipynb"


def _main(page: str) -> tuple[list, str]:
    """Elements (name and attributes) and text of the page's main part, whatever the serialisation
    (nbconvert's command line re-serialises its HTML, ``cakupan build`` writes the template's output)."""
    from bs4 import BeautifulSoup

    main = BeautifulSoup(page, "html.parser").find("main")
    return [(el.name, sorted((k, str(v)) for k, v in el.attrs.items())) for el in main.find_all(True)], main.get_text()


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_papermill_refuses_a_numeric_region_with_the_way_to_pass_text(tmp_path):
    done = _run([str(BIN / "papermill"), str(NOTEBOOK), "out.ipynb", "-p", "region", "32.73", "--cwd", str(NOTEBOOK.parent),
                 "--no-progress-bar"], tmp_path)
    assert done.returncode != 0
    assert "TypeError" in done.stderr and "-r region 32.73" in done.stderr
    assert "is not in the region tree" not in done.stderr


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> tuple[Path, str, str]:
    work = tmp_path_factory.mktemp("standalone")
    done = _run([str(BIN / "papermill"), str(NOTEBOOK), "out.ipynb", "-r", "region", "32.73", "-p", "lang", "en",
                 "--cwd", str(NOTEBOOK.parent), "--no-progress-bar"], work)
    assert done.returncode == 0, done.stderr[-3000:]
    done = _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--template", "cakupan", "out.ipynb"], work)
    assert done.returncode == 0, done.stderr[-3000:]
    return work, (work / "out.html").read_text(encoding="utf-8"), done.stderr


def test_nbconvert_with_the_cakupan_template_gives_the_published_page(converted, built_portfolio):
    work, page, stderr = converted
    assert re.search(r'<html lang="en">', page) and "<title>Employment social security coverage: Kota Bandung</title>" in page
    assert "WARNING" not in stderr and "vnd.cakupan.summary+json" not in stderr  # no complaint about the summary output
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.split("</style>", 1)[1].split('<section class="block" id="sources"')[0])
    assert "jp-InputPrompt" not in page and "In&nbsp;[" not in page and "require.js" not in page and "MathJax" not in page
    assert "Markdown cells are notes for analysts" not in page and "report.frames" not in page  # analysts' markdown stays out
    assert "cakupan-nb" not in page  # the blocks as the page shows them, not JupyterLab's wrapped copies
    published = built_portfolio.page("en", "32.73").read_text(encoding="utf-8")
    for marker in ('<section class="block" id="headline">', '<div class="banner sample"', '<footer class="built">', 'id="unduh"'):
        assert (marker in page) == (marker in published), marker
    assert _main(page) == _main(published)  # the same blocks: elements, attributes and text
    assert 0.8 < len(page) / len(published) < 1.2


def test_the_csv_downloads_are_written_next_to_the_page(converted):
    work, page, _ = converted
    summary = extract_summary(nbformat.read(work / "out.ipynb", as_version=4))
    files = downloads.files(summary)
    assert files and {p.name for p in work.glob("*.csv")} == set(files)
    for name, text in files.items():
        assert (work / name).read_text(encoding="utf-8") == text
        assert f'href="{name}"' in page
    years = pd.read_csv(io.StringIO(files["32.73.years.csv"]))
    assert years["tahun"].is_monotonic_increasing and "sintetis" in years.columns
