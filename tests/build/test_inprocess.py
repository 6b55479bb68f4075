"""Cells run on the in-process shell give the outputs nbclient collects through kernel messages."""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest
from nbclient import NotebookClient
from papermill.parameterize import parameterize_notebook

from analysis.build.engine import NOTEBOOK, OVERVIEW_NOTEBOOK
from analysis.build.executors import KERNEL_NAME, Job, Task, Worker, _fresh_copy, _parameters
from analysis.build.inprocess import CellError, run_notebook
from analysis.data.portfolio import OVERVIEW, REGION
from analysis.pages.render import extract_summary, render_report

BUILT = "2026-01-02T03:04:05+00:00"


@pytest.fixture(scope="module")
def worker():
    job = Job(((REGION, NOTEBOOK.read_text()), (OVERVIEW, OVERVIEW_NOTEBOOK.read_text())), "", "", ("id", "en"), BUILT)
    w = Worker(job)
    yield w
    w.close()


def _cells(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def _through_nbclient(worker: Worker, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The same cells through nbclient and the kernel's messages (what builds did before)."""
    kc = worker.km.client()
    kc.start_channels()
    try:
        client = NotebookClient(nb, km=worker.km, kernel_name=KERNEL_NAME)
        client.kc = kc
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, store_history=False)
    finally:
        kc.stop_channels()
    return nb


def _outputs(nb: nbformat.NotebookNode) -> list[list[dict]]:
    """Outputs without execution counts (the kernel numbers them; pages never show them)."""
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])] for c in nb.cells]


def test_each_kind_of_output_is_recorded_as_nbclient_records_it(worker):
    sources = (
        "print('a'); print('b')",
        "import sys; print('warn', file=sys.stderr)",
        "from IPython.display import display, HTML; display(HTML('<b>x — ✓ \\u00e9</b>')); 1 + 1",  # text bundles pass unchanged
        "2 + 2;",  # a trailing semicolon hides the value
        "display({'application/vnd.t+json': {'k': (1, 2)}, 'text/plain': 'k'}, raw=True)",  # JSON types, as a message carries them
        "from IPython.display import clear_output; print('gone'); clear_output(); display(HTML('<i>kept</i>'))",
        "x = 3",
        "",
    )
    worker.km.kernel.shell.reset(new_session=False)
    ours = run_notebook(worker.km.kernel.shell, _cells(*sources))
    worker.km.kernel.shell.reset(new_session=False)
    theirs = _through_nbclient(worker, _cells(*sources))
    displays = [[o for o in cell if o["output_type"] != "stream"] for cell in _outputs(ours)]
    assert displays[:3] + displays[4:] == _outputs(theirs)[:3] + _outputs(theirs)[4:]
    # What nbclient misses with an in-process kernel: printed text, in order, and the trailing ';'
    assert _outputs(ours)[0] == [{"output_type": "stream", "name": "stdout", "text": "a\nb\n"}]
    assert _outputs(ours)[1] == [{"output_type": "stream", "name": "stderr", "text": "warn\n"}]
    assert _outputs(ours)[3] == [] and _outputs(theirs)[3][0]["data"]["text/plain"] == "4"
    assert _outputs(ours)[6] == []
    assert _outputs(ours)[4][0]["data"]["application/vnd.t+json"] == {"k": [1, 2]}
    assert [o["data"]["text/html"] for o in _outputs(ours)[5]] == ["<i>kept</i>"]


def test_cells_leave_nothing_behind_on_the_shell(worker):
    """A worker runs thousands of cells: none of them may leave a callback (and with it its outputs) on the shell."""
    shell = worker.km.kernel.shell
    kernels_publisher = shell.display_pub

    def callbacks() -> int:
        return sum(len(registered) for registered in shell.events.callbacks.values())

    run_notebook(shell, _cells("from IPython.display import display, HTML; display(HTML('<b>x</b>'))"))
    before = callbacks()
    nb = run_notebook(shell, _cells(*["display(HTML('<i>y</i>')); print('z'); 1"] * 25))
    assert [len(cell.outputs) for cell in nb.cells] == [3] * 25
    assert callbacks() == before
    assert shell.display_pub is kernels_publisher


def test_a_raising_cell_stops_the_notebook_with_its_name_and_value(worker):
    nb = _cells("a = 1", "raise ValueError('region 99 unknown')", "a = 2")
    worker.km.kernel.shell.reset(new_session=False)
    with pytest.raises(CellError) as caught:
        run_notebook(worker.km.kernel.shell, nb)
    assert (caught.value.ename, caught.value.evalue, caught.value.index) == ("ValueError", "region 99 unknown", 1)
    assert worker.km.kernel.shell.user_ns["a"] == 1  # the cell after it never ran


@pytest.mark.parametrize(("notebook", "code", "lang"), [(REGION, "32.73", "id"), (REGION, "ID", "en"), (OVERVIEW, "", "en")])
def test_pages_are_byte_identical_to_those_built_through_nbclient(worker, notebook, code, lang):
    task = Task(code, lang, "key", notebook)
    built = dt.datetime.fromisoformat(BUILT)
    pages = []
    for run in (lambda nb: run_notebook(worker.km.kernel.shell, nb), lambda nb: _through_nbclient(worker, nb)):
        worker.km.kernel.shell.reset(new_session=False)
        nb = parameterize_notebook(_fresh_copy(worker.templates[notebook]), _parameters(worker.job, task),
                                   kernel_name=KERNEL_NAME, language="python")
        nb = run(nb)
        summary = extract_summary(nb)
        pages.append((render_report(nb, summary, ["id", "en"], worker.exporter, built), summary))
    assert pages[0] == pages[1]
    assert pages[0][0].count("<section") >= 1


def test_parameterizing_a_copy_leaves_the_template_unchanged(worker):
    template = worker.templates[REGION]
    before = nbformat.writes(template)
    worker.render(Task("32.73", "id", "key", REGION))
    assert nbformat.writes(template) == before
