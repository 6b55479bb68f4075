"""The ``cakupan`` command (and ``python -m analysis``): starts a build's worker server first.

Importing the command line takes about a second (pandas, the data layer), and the worker server
about four more (``analysis.preload``). When the words of the command line say that a build will
run reports (``build``, local workers, and ``--force`` or no earlier build in ``--out``), the
server starts before the command line is imported, so the two overlap. This is only a guess made
from the words: ``analysis.cli`` then parses them and decides everything, and a wrong guess costs
time, never a result (an unused server exits with the command).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.preload import MANIFEST_NAME, warm_up

DEFAULT_OUT = "reports"  # --out: relative to the folder the command runs in, like any command-line tool


def _option(argv: Sequence[str], name: str) -> str | None:
    value = None
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith(name + "="):
            value = word[len(name) + 1:]
    return value


def will_build_reports(argv: Sequence[str]) -> bool:
    """Whether these command-line words surely start a local build with reports to render."""
    if not argv or argv[0] != "build" or {"-h", "--help"} & set(argv) or _option(argv, "--executor") not in (None, "local"):
        return False
    return "--force" in argv or not (Path(_option(argv, "--out") or DEFAULT_OUT) / MANIFEST_NAME).exists()


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if will_build_reports(words):
        warm_up()
    from analysis.cli import main as command_line  # the heavy imports, now overlapping the server's

    return command_line(words)
