"""What the ``cakupan`` command (``analysis.__main__``) decides from its words alone, before it imports
the command line: a build with nothing to do ends here, any other build starts its worker server first.

A build whose words and inputs match its output folder's stamp (``analysis.build.stamps``) has nothing
to do: it is recorded and reported here, without importing the command line or the data.

Importing the command line takes about a second (pandas, the data layer), and the worker server
about four more (``analysis.build.preload``). When the words of the command line say that a build will
run reports (``build``, local workers, and ``--force`` or no earlier build in ``--out``), the
server starts before the command line is imported, so the two overlap. This is only a guess made
from the words: ``analysis.cli`` then parses them and decides everything, and a wrong guess costs
time, never a result (an unused server exits with the command).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from analysis import __version__
from analysis.build.preload import MANIFEST_NAME

DEFAULT_OUT = "reports"  # --out: relative to the folder the command runs in, like any command-line tool


def _option(argv: Sequence[str], name: str) -> str | None:
    value = None
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith(name + "="):
            value = word[len(name) + 1:]
    return value


def _out_folder(argv: Sequence[str]) -> Path:
    return Path(_option(argv, "--out") or DEFAULT_OUT)


def will_build_reports(argv: Sequence[str]) -> bool:
    """Whether these command-line words surely start a local build with reports to render."""
    if not argv or argv[0] != "build" or {"-h", "--help"} & set(argv) or _option(argv, "--executor") not in (None, "local"):
        return False
    try:
        return "--force" in argv or not (_out_folder(argv) / MANIFEST_NAME).exists()
    except OSError:  # a name too long, ...: the command line names it (exit 2); no server for that
        return False


def say_build_start(regions: int, languages: int, out: Path) -> None:
    """The first line of a build, on standard error in the command line's language."""
    from analysis.core.messages import cli_language, t, tn

    say = cli_language()
    print(t("cli.build.start", say, version=__version__, regions=tn("cli.count.regions", say, regions),
            languages=tn("cli.count.languages", say, languages), out=out.absolute()), file=sys.stderr)


def say_build_done(counts: dict[str, int], pages: dict[str, int], seconds: float, out: Path, index: Path) -> None:
    """A build's last line (reports and other pages by status, time taken), then its index on standard output."""
    from analysis.core.messages import cli_language, fmt_int, fmt_num, t

    say = cli_language()
    shown, shown_pages = ({k: fmt_int(v, say) for k, v in c.items()} for c in (counts, pages))
    print(t("cli.build.done", say, **shown, pages=t("cli.build.pages", say, **shown_pages) if any(pages.values()) else "",
            seconds=fmt_num(seconds, say), out=out.absolute()), file=sys.stderr)
    print(index.absolute())


def nothing_to_do(argv: Sequence[str]) -> bool:
    """Whether these words are a build its output folder's stamp shows to be done already (then recorded and reported)."""
    if not argv or argv[0] != "build" or {"--force", "-h", "--help"} & set(argv):
        return False
    from analysis.build.stamps import unchanged_build

    started = time.perf_counter()
    out = _out_folder(argv)
    done = unchanged_build(argv, out)
    if done is None:
        return False
    say_build_start(done.regions, done.languages, out)
    say_build_done({"built": 0, "skipped": done.reports, "failed": 0}, {"built": 0, "skipped": done.pages, "failed": 0},
                   time.perf_counter() - started, out, done.index)
    return True
