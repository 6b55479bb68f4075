"""A build with nothing to do, recognised without loading the data (``make``'s question, asked first).

A build that completes without a failure records in its manifest what it was made from
(``stamp``): its command-line words and working folder, a sha256 of each folder and file it
read (the package's code and templates, the notebooks, the parameters, the data folder, the
published files under ``data/raw``: a few MB, hashed in milliseconds) and the size and
modification time of every page, summary and index it left. The next build with the same words
compares those first. When nothing differs, every report is current, so the build only rewrites
its manifest (every report ``skipped``, as the full check would record them), without importing
pandas or reading the data: 0.2 s instead of a second. Any difference, a missing or unreadable
stamp, ``--force`` or a build holding the folder hands over to the full build, which decides
report by report as before. Index pages are left as they are (the full check rewrites them with
the new build time).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis import __version__
from analysis.build.preload import MANIFEST_NAME
from analysis.core.problems import InputError
from analysis.core.writing import BuildLock, BuildLocked, WriteError, build_time, json_text, write_atomic


def _folder_digest(folder: Path) -> str:
    """sha256 of every file under ``folder`` (names and contents; Python's byte-code caches left out)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _file_digest(path: Path) -> str | None:
    """sha256 of a regular file; None for anything else (missing, a folder, a pipe: never opened)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _stat(path: Path) -> list[int] | None:
    """Size and modification time; None for a file that is not there (an index links a page only if it is)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return [info.st_size, info.st_mtime_ns]


def inputs(folders: Iterable[Path], files: Iterable[Path]) -> dict:
    """Digests of what a build is about to read; taken before it reads anything, so that a file
    changed while it runs is seen as changed by the next build."""
    return {"folders": {str(Path(f).resolve()): _folder_digest(Path(f)) for f in folders},
            "files": {str(Path(f).resolve()): _file_digest(Path(f)) for f in files}}


def record(command: Sequence[str], read: dict, out: Path, outputs: Iterable[Path], index: str) -> dict:
    """The stamp of a build that just completed: its words, what it read (:func:`inputs`) and what it
    left (paths under ``out``)."""
    return {"command": list(command), "cwd": os.getcwd(), "version": __version__, **read,
            "outputs": {Path(p).relative_to(out).as_posix(): _stat(Path(p)) for p in outputs}, "index": index}


def _unchanged(stamp: dict, command: Sequence[str], out: Path) -> bool:
    """Whether the stamp is for these words here and nothing it lists has changed."""
    if stamp.get("command") != list(command) or stamp.get("cwd") != os.getcwd() or stamp.get("version") != __version__:
        return False
    try:
        return (all(_folder_digest(Path(f)) == digest for f, digest in stamp["folders"].items())
                and all(_file_digest(Path(f)) == digest for f, digest in stamp["files"].items())
                and all(_stat(out / name) == seen for name, seen in stamp["outputs"].items()))
    except (OSError, KeyError, TypeError, AttributeError):  # a file gone, or not a stamp this version wrote
        return False


@dataclass(frozen=True)
class Unchanged:
    """What a build with nothing to do reports: reports and other pages (all skipped), the index."""

    regions: int
    languages: int
    reports: int
    pages: int
    index: Path


def unchanged_build(command: Sequence[str], out: Path) -> Unchanged | None:
    """Record a build of ``command`` into ``out`` with nothing to do and say so; None when there may be
    work (or another build holds ``out``): the full build then decides."""
    manifest = out / MANIFEST_NAME
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        stamp = doc["stamp"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(stamp, dict) or not isinstance(stamp.get("index"), str) or not doc.get("complete"):
        return None
    reports, pages = doc.get("reports", []), doc.get("pages", [])
    entries = [*reports, *pages] if isinstance(reports, list) and isinstance(pages, list) else [None]
    if not all(isinstance(e, dict) and isinstance(e.get("kode"), str) and isinstance(e.get("lang"), str) for e in entries):
        return None
    if not _unchanged(stamp, command, out):
        return None
    try:
        with BuildLock(out):
            if json.loads(manifest.read_text(encoding="utf-8")) != doc:  # another build finished meanwhile
                return None
            for entry in entries:
                entry.update(status="skipped", seconds=0.0, error=None)
            doc.update(built=build_time().isoformat(), counts={"skipped": len(reports)} if reports else {})
            write_atomic(manifest, json_text(doc))
    except (BuildLocked, WriteError, InputError, OSError):  # busy, a folder now refused, a bad clock: the full build says which
        return None
    return Unchanged(len({e["kode"] for e in reports}), len({e["lang"] for e in entries}), len(reports), len(pages),
                     out / stamp["index"])
