"""How every file Cakupan writes is written: regular files only, never through a symbolic link,
replaced atomically (a temporary file in the same folder, then a rename: never a half-written
file, the temporary removed on every failure), JSON in one layout, stamped with the build's time;
the folder locks that keep two builds, or an import and a build, from writing at once; and the
one rule that keeps CSV cells from being read as spreadsheet formulas.

Every refusal of the system (no permission, read-only or full file system, a name too long, a
link or a folder where a file should be, ...) becomes a :class:`WriteError` naming the path and
what to do, in the command line's language: the command line prints it, never a traceback.

Free of pandas and the chart stack, so that a build with nothing to do (``analysis.build.stamps``) can
rewrite its manifest without loading them.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from analysis.core.messages import cli_language, t
from analysis.core.problems import InputError, expect, problem

LOCK_NAME = ".cakupan.lock"
LOCK_WAIT_SECONDS = 120.0  # how long an import waits for the build or import holding its data folder


def build_time() -> dt.datetime:
    """Build timestamp: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now.

    A malformed value is refused (:class:`InputError`), as the reproducible-builds specification
    asks, rather than silently replaced by the clock: seconds since 1970 in ASCII digits."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:  # unset, or set to nothing as some CI systems do
        return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    if re.fullmatch(r"[0-9]{1,11}", epoch):  # up to year 5138: past that, no timestamp is meant
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    raise InputError([problem("SOURCE_DATE_EPOCH", None, None, epoch, expect("env.expect.source_date_epoch"))])


_UMASK = os.umask(0)
os.umask(_UMASK)

# errno -> message key (writing.<kind>); anything else is "writing.other" with the system's words
_KINDS = {
    errno.EACCES: "denied", errno.EPERM: "denied", errno.EROFS: "read_only", errno.ENOSPC: "full", errno.EDQUOT: "full",
    errno.ENAMETOOLONG: "too_long", errno.ELOOP: "link", errno.EISDIR: "not_file", errno.ENOTDIR: "not_folder",
}


class WriteError(Exception):
    """The system refused to write ``path`` (or Cakupan refused to write through a link there)."""

    def __init__(self, path: Path | str, kind: str, detail: str = ""):
        self.path, self.kind, self.detail = Path(path), kind, detail
        self.results: list | None = None  # a build's results so far, when it stopped on this error
        super().__init__(self.message("en"))

    @classmethod
    def from_os(cls, path: Path | str, exc: OSError) -> WriteError:
        return cls(path, _KINDS.get(exc.errno or 0, "other"), exc.strerror or str(exc))

    def message(self, lang: str | None = None) -> str:
        """One paragraph: what was refused, where, and what to do."""
        return t(f"writing.{self.kind}", lang or cli_language(), path=self.path, error=self.detail)


def check_target(path: Path) -> None:
    """Refuse a symbolic link or anything but a regular file at ``path`` (nothing there is fine)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise WriteError(path, "link")
    if not stat.S_ISREG(info.st_mode):
        raise WriteError(path, "not_file")


def make_folder(folder: Path, root: Path | None = None) -> None:
    """Create ``folder``; every folder below ``root`` on the way must be a real folder, not a link
    (``root`` itself, the user's choice, may be one). A file where a folder should be is named."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = next((p for p in reversed((folder, *folder.parents)) if p.exists() and not p.is_dir()), folder)
        raise WriteError(blocking, "not_folder") from None
    if root is None:
        return
    inner = folder.relative_to(root) if folder != root else Path()
    for depth in range(1, len(inner.parts) + 1):
        step = root.joinpath(*inner.parts[:depth])
        if not stat.S_ISDIR(os.lstat(step).st_mode):  # mkdir made it a folder, through any link: a link
            raise WriteError(step, "link")


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is out (the one place bytes reach the disk)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _stage(path: Path, payload: bytes, root: Path | None) -> str:
    """Write ``payload`` to a new temporary file beside ``path`` and return its name; on any
    failure the temporary is removed and a :class:`WriteError` names ``path``."""
    try:
        make_folder(path.parent, root)
        check_target(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # O_EXCL: never an existing name
    except OSError as exc:
        raise WriteError.from_os(path, exc) from None
    try:
        try:
            _write_all(fd, payload)
            os.fchmod(fd, 0o666 & ~_UMASK)
        finally:
            os.close(fd)
    except BaseException as exc:
        _discard(tmp)
        if isinstance(exc, OSError):
            raise WriteError.from_os(path, exc) from None
        raise
    return tmp


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def write_files(files: Mapping[Path, str | bytes], root: Path | None = None) -> None:
    """Write several files that belong together (a page, its CSVs and its summary) as one: every
    file goes to a temporary first, and only when all are written are they renamed, in the order
    given. A refusal while writing (a full disk, say) leaves every earlier file as it was, so a
    page is never left beside downloads from another build.

    A link or a non-regular file at a target is refused, never followed, and checked again just
    before its rename, which replaces only the name. ``root``: see
    :func:`make_folder`. Raises :class:`WriteError`; no temporary remains.
    """
    staged: list[tuple[Path, str]] = []
    try:
        for path, data in files.items():
            staged.append((path, _stage(path, data.encode("utf-8") if isinstance(data, str) else data, root)))
        while staged:
            path, tmp = staged[0]
            replace(Path(tmp), path)
            staged.pop(0)
    finally:
        for _, tmp in staged:
            _discard(tmp)


def write_atomic(path: Path, data: str | bytes, root: Path | None = None) -> None:
    """Write ``data`` to the regular file ``path``: a temporary file in the same folder, then a
    rename (:func:`write_files` with one file)."""
    write_files({path: data}, root)


def replace(source: Path, target: Path) -> None:
    """Rename ``source`` (a file this process wrote) over ``target``, refusing a link or folder there."""
    try:
        check_target(target)
        os.replace(source, target)
    except OSError as exc:
        raise WriteError.from_os(target, exc) from None


def json_text(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# ------------------------------------------------------------------ CSV cells in spreadsheets

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes Excel, LibreOffice or Sheets read a cell as a formula (OWASP)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, with a leading apostrophe (OWASP's rule),
    and a carriage return inside it as a line break (Python's CSV writer quotes a cell with a line
    feed, but not one with a bare CR, which readers take for the end of the row); every other value
    (numbers, a negative number written as text, empty cells) as it is."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


# ------------------------------------------------------------------ locks


class BuildLocked(Exception):
    """Another live build holds the output folder."""

    def __init__(self, out: Path, holder: str):
        super().__init__(f"another build is writing to {out} (pid {holder})")
        self.out, self.holder = out, holder


class BuildLock:
    """``.cakupan.lock`` in the output folder, locked (flock) for the whole build.

    The kernel drops the lock when its holder dies, even by kill -9, so a stale lock file left by a
    dead build is simply taken over; the pid inside only names the holder in the refusal. The lock
    file is opened without following a link and must be a regular file: a link planted there is
    refused (:class:`WriteError`), never truncated through.
    """

    def __init__(self, out: Path):
        self.out = out
        self.fd: int | None = None

    def __enter__(self) -> BuildLock:
        path = self.out / LOCK_NAME
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise WriteError.from_os(path, exc) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise WriteError(path, "not_file")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                raise BuildLocked(self.out, holder) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException as exc:
            os.close(fd)
            if isinstance(exc, OSError):
                raise WriteError.from_os(path, exc) from None
            raise
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class FolderBusy(Exception):
    """A data folder stayed locked by another import or build for longer than the wait."""

    def __init__(self, folder: Path, seconds: float):
        super().__init__(f"{folder} stayed busy for {seconds:g} s")
        self.folder, self.seconds = folder, seconds


_HELD: dict[tuple[int, int], int] = {}  # folders this process has locked (device, inode) -> depth


def _wait_seconds() -> float:
    try:
        return float(os.environ.get("CAKUPAN_LOCK_WAIT", LOCK_WAIT_SECONDS))
    except ValueError:
        return LOCK_WAIT_SECONDS


def say_waiting(folder: Path, seconds: float) -> None:
    print(t("lock.waiting", cli_language(), folder=folder, seconds=f"{seconds:g}"), file=sys.stderr, flush=True)


@contextmanager
def folder_lock(folder: Path, exclusive: bool, waiting: Callable[[Path, float], None] | None = say_waiting) -> Iterator[None]:
    """Lock a data folder itself (flock on the folder: no file is created in it, so the bundled data
    stays untouched): ``exclusive`` for an import, shared for whoever reads the tables. One that
    must wait says so once through ``waiting`` and waits up to ``CAKUPAN_LOCK_WAIT`` seconds
    (default 120), then raises :class:`FolderBusy`. Taken again inside this process, it is a no-op.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        yield  # not a folder (the callers name that problem themselves)
        return
    info = os.fstat(fd)
    key = (info.st_dev, info.st_ino)
    if key in _HELD:
        os.close(fd)
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    try:
        limit = _wait_seconds()
        deadline = time.monotonic() + limit
        told = False
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise FolderBusy(folder, limit) from None
                if not told and waiting is not None:
                    waiting(folder, limit)
                told = True
                time.sleep(0.05)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
    finally:
        os.close(fd)
