"""Running a notebook's code cells on an IPython shell in this process, without kernel messages.

nbclient drives a kernel through messages: each cell is a request, and each output a message
that is serialized, queued, handed across threads, validated against the notebook schema and
copied into the notebook. When the kernel lives in the worker's own process (``ipykernel``'s
in-process kernel) none of that carries information, and it cost a report about 40% of its CPU.
:func:`run_notebook` calls the kernel's shell directly and records what each cell shows (rich
displays, its value, printed text) as the nbformat outputs nbclient writes for the same cell, so
the page rendered from the notebook is the same (``tests/test_inprocess.py`` compares the two).
Two differences, both towards what Jupyter shows: printed text is kept (nbclient loses it with an
in-process kernel), and a trailing ``;`` hides a cell's value (nbclient's kernel, without input
history, cannot see the semicolon).

The cells run exactly as in a kernel: same shell, same display formatters, same namespace rules;
only where their outputs go differs. A cell that raises stops the notebook with
:class:`CellError`, which carries the exception's name and value as nbclient's error does.
"""

from __future__ import annotations

import contextlib
import io
from typing import TYPE_CHECKING

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from jupyter_client.session import json_packer, json_unpacker

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell
    from nbformat import NotebookNode


class CellError(Exception):
    """A cell raised; ``ename`` and ``evalue`` as nbclient's ``CellExecutionError`` carries them."""

    def __init__(self, ename: str, evalue: str, index: int):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.index = ename, evalue, index


class _Outputs:
    """What one cell shows, in order, as nbformat output dicts (``clear_output`` honoured)."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.clear_pending = False

    def add(self, output: dict) -> None:
        if self.clear_pending:
            self.items.clear()
            self.clear_pending = False
        self.items.append(output)

    def stream(self, name: str, text: str) -> None:
        """Printed text, joined to the previous output when that is the same stream (as Jupyter shows it)."""
        last = self.items[-1] if self.items and not self.clear_pending else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        elif text:
            self.add({"output_type": "stream", "name": name, "text": text})

    def clear(self, wait: bool) -> None:
        if wait:
            self.clear_pending = True
        else:
            self.items.clear()


def _bundle(data: dict) -> dict:
    """The mime bundle as it arrives through a kernel message: packed and unpacked as Jupyter does.

    A bundle of texts alone (HTML, plain text: most outputs) comes through unchanged, so it is only
    copied: packing a page of base64 charts to JSON and back cost 2% of a report.
    """
    if all(type(k) is str and type(v) is str for k, v in data.items()):
        return dict(data)
    return json_unpacker(json_packer(data))


class _Publisher(DisplayPublisher):
    """``display(...)`` calls of the running cell become ``display_data`` outputs.

    One per process, made without a shell: a publisher made with one registers two callbacks on the
    shell's events that are never removed, so a publisher per cell kept every report's outputs
    alive (1.7 MB a report) and made each cell call all the callbacks of the cells before it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.outputs = _Outputs()

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:  # noqa: ANN001, ARG002
        self.outputs.add({"output_type": "display_data", "data": _bundle(data), "metadata": _bundle(metadata or {})})

    def clear_output(self, wait: bool = False) -> None:
        self.outputs.clear(wait)


_PUBLISHER = _Publisher()


class _ResultHook:
    """The value of a cell's last expression becomes an ``execute_result`` (not after a trailing ';')."""

    def __init__(self, shell: InteractiveShell, outputs: _Outputs, source: str, count: int | None) -> None:
        self.shell, self.outputs, self.source, self.count = shell, outputs, source, count

    def __call__(self, value: object) -> None:
        if value is None or DisplayHook.semicolon_at_end_of_expression(self.source):
            return
        data, metadata = self.shell.display_formatter.format(value)
        if data:
            self.outputs.add({"output_type": "execute_result", "data": _bundle(data), "metadata": _bundle(metadata),
                              "execution_count": self.count})


class _Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` during a cell: text becomes stream outputs, in order with the displays."""

    def __init__(self, outputs: _Outputs, name: str) -> None:
        self.outputs, self.name = outputs, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.outputs.stream(self.name, text)
        return len(text)


def run_cell(shell: InteractiveShell, source: str, index: int) -> list[dict]:
    """Run one cell's source; its outputs, or :class:`CellError` when it raises."""
    outputs = _Outputs()
    saved_pub, saved_hook, saved_outputs = shell.display_pub, shell.display_trap.hook, _PUBLISHER.outputs
    shell.display_pub, _PUBLISHER.outputs = _PUBLISHER, outputs
    shell.display_trap.hook = _ResultHook(shell, outputs, source, shell.execution_count)
    try:
        with contextlib.redirect_stdout(_Stream(outputs, "stdout")), contextlib.redirect_stderr(_Stream(outputs, "stderr")):
            result = shell.run_cell(source, store_history=False)
    finally:
        shell.display_pub, shell.display_trap.hook, _PUBLISHER.outputs = saved_pub, saved_hook, saved_outputs
    if not result.success:
        exc = result.error_before_exec or result.error_in_exec
        raise CellError(type(exc).__name__, str(exc), index)
    return outputs.items


def run_notebook(shell: InteractiveShell, nb: NotebookNode) -> NotebookNode:
    """Run every code cell of ``nb`` in order on ``shell``, filling in their outputs (``nb`` is changed)."""
    from nbformat import from_dict

    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        cell.outputs = [from_dict(o) for o in run_cell(shell, cell.source, index)]
        cell.execution_count = shell.execution_count
    return nb
