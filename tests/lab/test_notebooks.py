"""Notebooks: stored without outputs, parameterized, runnable top to bottom in JupyterLab's kernel."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from analysis.data.contract import PROJECT_ROOT
from analysis.pages.region_page import SUMMARY_MIME

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
PARAMETERS = {
    "region_report.ipynb": {"region", "params_path", "lang", "data_dir"},
    "overview.ipynb": {"lang", "params_path", "data_dir"},
    "explore.ipynb": {"regions", "focus", "lang", "params_path", "data_dir"},
}
PUBLISHED = ("region_report.ipynb", "overview.ipynb")  # run by cakupan build: they publish a summary


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


def _kernel_language_info() -> dict:
    """``language_info`` as the project's kernel reports it (what JupyterLab writes into a notebook it opens)."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="cakupan")
    try:
        sent = client.kernel_info()
        reply = client.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != sent:
            reply = client.get_shell_msg(timeout=60)
        return reply["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_notebooks_carry_the_metadata_jupyterlab_writes_on_open():
    """Opening a notebook must not make it "modified": JupyterLab fills ``language_info`` from the
    kernel, so the committed notebooks hold it already, serialised as Jupyter writes them. Only the
    Python version may differ on another machine (this one's is committed)."""
    reported = _kernel_language_info()
    for path in NOTEBOOKS:
        raw = path.read_text(encoding="utf-8")
        nb = nbformat.reads(raw, as_version=4)
        stored = dict(nb.metadata["language_info"])
        assert {k: v for k, v in stored.items() if k != "version"} == {k: v for k, v in reported.items() if k != "version"}, path.name
        assert stored["version"].split(".")[:1] == reported["version"].split(".")[:1], path.name
        assert nbformat.writes(nb) + "\n" == raw, path.name  # byte for byte as Jupyter's contents manager saves it


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_the_project_kernel(path: Path):
    """JupyterLab (``make lab``) opens the notebook in this environment's Python: the kernel
    ``make`` installs, "Python (Cakupan)"."""
    from jupyter_client.kernelspec import KernelSpecManager

    kernelspec = nbformat.read(path, as_version=4).metadata["kernelspec"]
    assert (kernelspec["name"], kernelspec["display_name"]) == ("cakupan", "Python (Cakupan)")
    name = kernelspec["name"]
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
    assert any("<h1>" in h or "<h2>" in h for h in html) and any("<img " in h for h in html), path.name
    assert any(SUMMARY_MIME in o.get("data", {}) for o in outputs) == (path.name in PUBLISHED), path.name


def test_after_a_failed_load_later_cells_raise_instead_of_showing_the_previous_region():
    """Run the region notebook for 32.73, then again in the same kernel with ``region = 32.73``
    (a float, as papermill's ``-p`` gives it) and every cell allowed to fail."""
    from nbclient import NotebookClient

    nb = nbformat.read(PROJECT_ROOT / "notebooks" / "region_report.ipynb", as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source = parameters.source.replace('region = "32"', 'region = "32.73"')
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(PROJECT_ROOT / "notebooks")}})
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    with client.setup_kernel():
        for i, cell in code:
            client.execute_cell(cell, i)
        assert any("Kota Bandung" in o.get("data", {}).get("text/html", "") for _, c in code for o in c.outputs)
        parameters.source = parameters.source.replace('region = "32.73"', "region = 32.73")
        for i, cell in code:
            client.execute_cell(cell, i)
    load = code[1][1]
    assert [o.ename for o in load.outputs if o.output_type == "error"] == ["TypeError"]
    assert "-r region 32.73" in load.outputs[-1].evalue
    for _, cell in code[2:]:
        assert [o.ename for o in cell.outputs if o.output_type == "error"] == ["RuntimeError"], cell.source
        assert not [o for o in cell.outputs if o.output_type != "error"], cell.source  # nothing of Kota Bandung shown
