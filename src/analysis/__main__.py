"""The ``cakupan`` command and ``python -m analysis``: a build with nothing to do ends before the
command line is imported; a build with reports to render starts its worker server first, so the
server's imports overlap the command line's (``analysis.build.launch``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from analysis.build.launch import nothing_to_do, will_build_reports
from analysis.build.preload import warm_up


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if nothing_to_do(words):
        return 0
    if will_build_reports(words):
        warm_up()
    from analysis.cli import main as command_line  # the heavy imports, now overlapping the server's

    return command_line(words)


if __name__ == "__main__":
    raise SystemExit(main())
