"""Notebooks: stored without outputs, parameterized, runnable top to bottom in JupyterLab's kernel."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from analysis.data import PROJECT_ROOT
from analysis.report import SUMMARY_MIME

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
PARAMETERS = {
    "region_report.ipynb": {"region", "params_path", "lang", "data_dir"},
    "overview.ipynb": {"lang", "params_path", "data_dir"},
}


def test_the_published_notebooks_are_all_here():
    assert {p.name for p in NOTEBOOKS} >= set(PARAMETERS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.source[:40])
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata, path.name
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_parameters_cell_first(path: Path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code[0] is tagged[0], path.name
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line and not line.startswith("#")}
    assert names == PARAMETERS.get(path.name, names), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_the_project_kernel(path: Path):
    """JupyterLab (``make lab``) opens the notebook in this environment's Python."""
    from jupyter_client.kernelspec import KernelSpecManager

    name = nbformat.read(path, as_version=4).metadata["kernelspec"]["name"]
    spec = KernelSpecManager().get_kernel_spec(name)
    assert Path(spec.argv[0]).name.startswith("python")
    assert spec.argv[0] in ("python", "python3", sys.executable) or Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_with_default_parameters(path: Path):
    """As in JupyterLab's "Run all": no error, nothing on stderr, charts shown inline as HTML."""
    import papermill

    nb = papermill.execute_notebook(str(path), None, kernel_name="python3", progress_bar=False, log_output=False,
                                    cwd=str(path.parent))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], path.name
    html = [o.data["text/html"] for o in outputs if o.output_type in ("display_data", "execute_result") and "text/html" in o.data]
    assert any("<h1>" in h for h in html) and any("<img " in h for h in html), path.name
    assert any(SUMMARY_MIME in o.get("data", {}) for o in outputs), path.name
