"""Folders the command line writes to, checked before any work starts.

Why here: ``build --out``, ``backtest --out``, ``sample --out`` and ``import --into`` share the same
rules (an existing file, a parent that is a file, a read-only place or the bundled data are refused
with exit 2 and nothing written), and the importers and the command line both need them.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from analysis.data.contract import BUNDLED_DIR
from analysis.core.problems import Problem, problem
from analysis.core.messages import cli_language, t

CLI = "command line"  # the "file" of a problem in the arguments
BUNDLED_NAMES = ("data", "bundled")  # <project>/data/bundled, next to data/raw and data/SOURCES.md


def is_bundled(directory: Path) -> bool:
    """Is ``directory`` (or a folder above it) a copy of the project's bundled data in place?

    Compared by what the folder is, not by how the package was installed: the bundled folder this
    package reads (also through symlinks or bind mounts), and any ``data/bundled`` folder that sits
    in a Cakupan project layout (``data/raw`` and ``data/SOURCES.md`` beside it), e.g. another
    checkout. A copy such as ``cp -r data/bundled mydata`` is not protected: it is the user's.
    """
    path = directory.absolute()
    for folder in (path, *path.parents):
        if not folder.exists():
            continue
        if BUNDLED_DIR.exists() and os.path.samefile(folder, BUNDLED_DIR):
            return True
        real = folder.resolve()
        if (real.parent.name, real.name) == BUNDLED_NAMES and (real.parent / "raw").is_dir() and (real.parent / "SOURCES.md").is_file():
            return True
    return False


def output_problems(value: str, option: str, data_dir: Path | None = None, bundled_ok: bool = False,
                    lang: str | None = None) -> list[Problem]:
    """Why the folder ``value`` given with ``option`` cannot receive output (empty when it can).

    ``data_dir``: the data directory of the same command, which the output must stay out of;
    ``bundled_ok``: the command regenerates the bundled data (``cakupan sample``).
    """
    lang = lang or cli_language()

    def bad(key: str, **values: object) -> list[Problem]:
        return [problem(option, None, None, value, t(key, lang, **values))]

    if not value.strip():
        return bad("cli.expect.folder_name")
    if "\0" in value:
        return bad("cli.expect.no_nul")
    try:
        return _place_problems(Path(value).absolute(), data_dir, bundled_ok, option, bad)
    except OSError as exc:  # a name too long for the file system, a symlink loop, ...
        return bad("cli.expect.usable_path", error=exc.strerror or exc)


def _place_problems(path: Path, data_dir: Path | None, bundled_ok: bool, option: str, bad: Callable[..., list[Problem]]) -> list[Problem]:
    if path.is_symlink() and not path.exists():
        return bad("cli.expect.usable_path", error=os.strerror(errno.ELOOP if _loops(path) else errno.ENOENT))
    if path.exists() and not path.is_dir():
        return bad("cli.expect.is_file")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return bad("cli.expect.parent_file", parent=existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        return bad("cli.expect.writable", parent=existing)
    if not bundled_ok and is_bundled(path):  # imports are refused with the way out; outputs as any data directory
        return bad("cli.expect.not_bundled") if option == "--into" else bad("cli.expect.not_data", data=BUNDLED_DIR)
    if data_dir is not None and (path == data_dir.absolute() or data_dir.absolute() in path.parents):
        return bad("cli.expect.not_data", data=data_dir)
    return []


def _loops(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a symlink loop so
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False
