"""The writing layer: atomic, never through a link, every refusal of the system a message naming the
path; the folder locks; the spreadsheet-safe cell."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core import writing
from analysis.core.messages import t
from analysis.core.problems import InputError
from analysis.core.writing import FORMULA_START, BuildLock, BuildLocked, FolderBusy, WriteError, folder_lock, safe_cell, write_atomic, write_files


def _fail_after(monkeypatch, error: int, written: int = 5) -> None:
    """The disk refuses after ``written`` bytes of the temporary file (a full disk, a quota, ...)."""
    real = writing._write_all

    def half(fd: int, data: bytes) -> None:
        real(fd, data[:written])
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(writing, "_write_all", half)


@pytest.mark.parametrize("error, kind", [(errno.ENOSPC, "full"), (errno.EDQUOT, "full"), (errno.EIO, "other")])
def test_a_write_interrupted_before_the_rename_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch, error, kind):
    page = tmp_path / "id" / "32.html"
    write_atomic(page, "<p>old page</p>")
    _fail_after(monkeypatch, error)
    with pytest.raises(WriteError) as err:
        write_atomic(page, "<p>new page, much longer than five bytes</p>")
    assert page.read_text() == "<p>old page</p>"  # a write straight to the final name would leave '<p>ne'
    assert sorted(p.name for p in page.parent.iterdir()) == ["32.html"]
    assert (err.value.kind, err.value.path) == (kind, page)


def test_files_written_as_one_group_keep_every_old_file_when_one_is_refused(tmp_path, monkeypatch):
    csv, page, summary = (tmp_path / "en" / name for name in ("32.years.csv", "32.html", "32.json"))
    write_files({csv: "old csv", page: "old page"})
    real = writing._write_all

    def refuse_the_summary(fd: int, data: bytes) -> None:
        if data.startswith(b"new summary"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(writing, "_write_all", refuse_the_summary)
    with pytest.raises(WriteError) as err:
        write_files({csv: "new csv", page: "new page", summary: "new summary"})
    assert (err.value.kind, err.value.path) == ("full", summary)
    assert (csv.read_text(), page.read_text()) == ("old csv", "old page")  # written, but never renamed
    assert sorted(p.name for p in csv.parent.iterdir()) == ["32.html", "32.years.csv"]
    monkeypatch.setattr(writing, "_write_all", real)
    write_files({csv: "new csv", page: "new page", summary: "new summary"})
    assert [p.read_text() for p in (csv, page, summary)] == ["new csv", "new page", "new summary"]


def test_a_group_renames_in_the_order_given(tmp_path, monkeypatch):
    """The summary, whose input hash marks a report complete, is renamed last."""
    renamed, real = [], writing.replace
    monkeypatch.setattr(writing, "replace", lambda source, target: (renamed.append(target.name), real(source, target)))
    write_files({tmp_path / name: name for name in ("b.csv", "a.html", "c.json")})
    assert renamed == ["b.csv", "a.html", "c.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.csv", "c.json"]


@pytest.mark.parametrize("error, kind, words", [
    (errno.EACCES, "denied", "no permission to write"), (errno.EROFS, "read_only", "read-only file system"),
    (errno.ENOSPC, "full", "the disk is full"), (errno.ENAMETOOLONG, "too_long", "too long"),
    (errno.ELOOP, "link", "symbolic link"), (errno.EISDIR, "not_file", "not a regular file"),
    (errno.ENOTDIR, "not_folder", "not a folder"), (errno.EIO, "other", os.strerror(errno.EIO)),
])
def test_every_refusal_is_one_paragraph_naming_the_path_in_both_languages(tmp_path, error, kind, words):
    exc = WriteError.from_os(tmp_path / "x.html", OSError(error, os.strerror(error)))
    assert exc.kind == kind
    english, indonesian = exc.message("en"), exc.message("id")
    assert words in english and str(tmp_path / "x.html") in english and "\n" not in english
    assert str(tmp_path / "x.html") in indonesian and indonesian != english
    assert indonesian == t(f"writing.{kind}", "id", path=tmp_path / "x.html", error=os.strerror(error))


def test_a_link_at_the_target_is_refused_and_what_it_points_to_is_untouched(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").symlink_to(outside)
    with pytest.raises(WriteError) as err:
        write_atomic(out / "index.html", "<p>page</p>")
    assert (err.value.kind, err.value.path) == ("link", out / "index.html")
    assert outside.read_text() == "keep me" and (out / "index.html").is_symlink()


def test_a_folder_or_a_pipe_at_the_target_is_refused(tmp_path):
    (tmp_path / "a.html").mkdir()
    os.mkfifo(tmp_path / "b.html")
    for name in ("a.html", "b.html"):
        with pytest.raises(WriteError) as err:
            write_atomic(tmp_path / name, "x")
        assert err.value.kind == "not_file"


def test_a_linked_folder_inside_the_output_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "id").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(WriteError) as err:
        write_atomic(out / "id" / "32.html", "x", root=out)
    assert (err.value.kind, err.value.path) == ("link", out / "id")
    assert list(elsewhere.iterdir()) == []
    linked_out = tmp_path / "linked"
    linked_out.symlink_to(out, target_is_directory=True)  # the folder the user names may itself be a link
    write_atomic(linked_out / "index.html", "x", root=linked_out)
    assert (out / "index.html").read_text() == "x"


def test_lock_refuses_a_live_build_and_takes_over_a_dead_ones(tmp_path):
    (tmp_path / writing.LOCK_NAME).write_text("999999999999\n")  # stale: nobody holds it
    with BuildLock(tmp_path) as lock:
        assert (tmp_path / writing.LOCK_NAME).read_text() == f"{os.getpid()}\n"  # the longer stale pid is gone
        with pytest.raises(BuildLocked, match=rf"another build is writing to {tmp_path} \(pid {os.getpid()}\)"):
            BuildLock(tmp_path).__enter__()
    assert lock.fd is None
    with BuildLock(tmp_path):  # released on exit
        pass


def test_lock_is_held_by_an_open_file_not_by_the_pid(tmp_path):
    with open(tmp_path / writing.LOCK_NAME, "w") as other:
        other.write("4242\n")
        other.flush()
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(BuildLocked, match=r"\(pid 4242\)"):
            BuildLock(tmp_path).__enter__()


def test_the_lock_makes_its_folder_and_names_an_unknown_holder(tmp_path):
    out = tmp_path / "new" / "out"
    with BuildLock(out):
        assert stat.S_IMODE((out / writing.LOCK_NAME).stat().st_mode) == 0o644 & ~writing._UMASK
        with open(out / writing.LOCK_NAME, "w"):  # a holder that wrote nothing (the file emptied meanwhile)
            pass
        with pytest.raises(BuildLocked, match=r"\(pid unknown\)"):
            BuildLock(out).__enter__()
    (out / writing.LOCK_NAME).write_text("x" * 40 + "\n")
    with open(out / writing.LOCK_NAME) as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(BuildLocked) as err:
            BuildLock(out).__enter__()
    assert err.value.holder == "x" * 32  # the first 32 bytes name it: a huge lock file is never read whole


def test_the_lock_file_is_never_opened_through_a_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / writing.LOCK_NAME).symlink_to(victim)
    with pytest.raises(WriteError) as err, BuildLock(out):
        pass
    assert err.value.kind == "link" and victim.read_text() == "precious"


def test_a_pipe_as_the_lock_file_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / writing.LOCK_NAME)
    started = time.monotonic()
    with pytest.raises(WriteError) as err, BuildLock(tmp_path):
        pass
    assert err.value.kind == "not_file" and time.monotonic() - started < 1


def test_an_exclusive_folder_lock_waits_says_so_then_gives_up(tmp_path, monkeypatch):
    monkeypatch.setenv("CAKUPAN_LOCK_WAIT", "0.3")
    fd = os.open(tmp_path, os.O_RDONLY)  # another holder: a lock on another open of the folder
    fcntl.flock(fd, fcntl.LOCK_SH)
    told = []
    try:
        with pytest.raises(FolderBusy), folder_lock(tmp_path, exclusive=True, waiting=lambda f, s: told.append((f, s))):
            pass
        with folder_lock(tmp_path, exclusive=False, waiting=lambda f, s: told.append("shared")):  # readers share
            with folder_lock(tmp_path, exclusive=True):  # taken again in this process: no wait
                pass
    finally:
        os.close(fd)
    assert told == [(tmp_path, 0.3)]
    with folder_lock(tmp_path, exclusive=True):  # free again
        pass
    assert list(tmp_path.iterdir()) == []  # no lock file in a data folder


def test_a_second_process_waits_for_the_folder_lock(tmp_path):
    script = ("import sys, time; from pathlib import Path; from analysis.core.writing import folder_lock\n"
              "with folder_lock(Path(sys.argv[1]), exclusive=True):\n    print('held', flush=True); time.sleep(1.0)\n")
    holder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    started = time.monotonic()
    told = []
    with folder_lock(tmp_path, exclusive=True, waiting=lambda f, s: told.append(f)):
        waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert told == [tmp_path] and waited > 0.3


def test_safe_cell_on_hand_picked_values():
    assert safe_cell('=HYPERLINK("http://x","click")') == '\'=HYPERLINK("http://x","click")'
    assert [safe_cell(v) for v in ("+1", "-2.5", "-", "@x", "\tx", "Kota Bandung", 3, -1.5)] == [
        "+1", "-2.5", "'-", "'@x", "'\tx", "Kota Bandung", 3, -1.5]
    assert safe_cell("\r=1") == "'\n=1" and safe_cell("a\r\nb") == "a\nb"


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_safe_cell_never_leaves_a_live_formula(text):
    cell = safe_cell(text)
    assert "\r" not in cell
    assert not cell.startswith(FORMULA_START) or writing._NUMBER.fullmatch(cell)
    assert cell.removeprefix("'") == text.replace("\r\n", "\n").replace("\r", "\n") or cell == text.replace("\r\n", "\n").replace("\r", "\n")


def test_nothing_in_the_package_writes_around_the_layer():
    """Every file the project writes goes through :mod:`analysis.core.writing` (this test finds a new
    ``open(..., "w")``, ``to_csv(path)``, ``write_text`` or ``os.replace`` elsewhere)."""
    import re

    root = Path(writing.__file__).parents[1]
    pattern = re.compile(r"""open\([^)]*["'][wax]b?["']|\.write_text\(|\.write_bytes\(|\.to_csv\([^)]*(?:path|tmp|file)|"""
                         r"""\.to_parquet\((?!buffer)|os\.replace\(|shutil\.copy|json\.dump\(|\.to_excel\(""")
    found = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py") if p.name != "writing.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert found == []


def test_a_written_file_has_the_umask_mode_and_a_temporary_the_build_can_sweep(tmp_path, monkeypatch):
    """Pages are readable as any file the user makes (mkstemp's 0600 is widened to the umask's mode),
    and a temporary is named ``.<name>.*.tmp``, which a later build removes if this one is killed."""
    seen = []
    real = writing._write_all

    def spy(fd, data):
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd, data)

    monkeypatch.setattr(writing, "_write_all", spy)
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "32.html", b"<p>x</p>")
    finally:
        os.umask(umask)
    assert (tmp_path / "32.html").read_bytes() == b"<p>x</p>"
    assert oct((tmp_path / "32.html").stat().st_mode & 0o777) == oct(0o666 & ~writing._UMASK)
    (temporary,) = seen
    name = Path(temporary).name
    assert name.startswith(".32.html.") and name.endswith(".tmp") and Path(temporary).parent == tmp_path


def test_replace_refuses_a_link_and_moves_a_file(tmp_path):
    (tmp_path / "new.csv").write_text("new")
    (tmp_path / "target.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(WriteError) as err:
        writing.replace(tmp_path / "new.csv", tmp_path / "target.csv")
    assert (err.value.kind, err.value.path) == ("link", tmp_path / "target.csv")
    (tmp_path / "target.csv").unlink()
    writing.replace(tmp_path / "new.csv", tmp_path / "target.csv")
    assert (tmp_path / "target.csv").read_text() == "new" and not (tmp_path / "new.csv").exists()


@pytest.mark.parametrize("epoch", ["abc", "1.5", "-1", " 1700000000", "\uff13\uff12", "99999999999999"])
def test_a_malformed_source_date_epoch_is_refused_by_name(monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(InputError) as err:
        writing.build_time()
    (p,) = err.value.problems
    assert (p.file, p.value) == ("SOURCE_DATE_EPOCH", epoch) and "seconds since 1970-01-01 UTC" in p.expected


def test_source_date_epoch_pins_the_build_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert writing.build_time().isoformat() == "2023-11-14T22:13:20+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")  # set to nothing: the clock, as when unset
    assert abs((writing.build_time() - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 5


def test_folders_are_made_on_the_way_and_a_file_in_the_way_is_named(tmp_path):
    write_atomic(tmp_path / "out" / "en" / "32.html", "<p>x</p>", root=tmp_path / "out")
    assert (tmp_path / "out" / "en" / "32.html").read_text() == "<p>x</p>"
    (tmp_path / "out" / "id").write_text("a file where the Indonesian pages go")
    for target in (tmp_path / "out" / "id" / "32.html", tmp_path / "out" / "id" / "deeper" / "32.html"):
        with pytest.raises(WriteError) as err:
            write_atomic(target, "<p>x</p>", root=tmp_path / "out")
        assert (err.value.kind, err.value.path) == ("not_folder", tmp_path / "out" / "id")
        assert "part of the path" in err.value.message("en") and str(tmp_path / "out" / "id") in err.value.message("en")


def test_a_refusal_before_anything_is_written_names_the_file(tmp_path):
    too_long = tmp_path / ("x" * 300 + ".html")
    with pytest.raises(WriteError) as err:
        write_atomic(too_long, "<p>x</p>")
    assert (err.value.kind, err.value.path) == ("too_long", too_long) and str(too_long) in str(err.value)
    with pytest.raises(WriteError) as err:
        writing.replace(tmp_path / "never-written.tmp", tmp_path / "32.html")
    assert (err.value.kind, err.value.path, err.value.detail) == ("other", tmp_path / "32.html", os.strerror(errno.ENOENT))


def test_the_lock_is_not_inherited_and_a_refused_pid_write_is_named(tmp_path, monkeypatch):
    with BuildLock(tmp_path) as lock:
        assert not os.get_inheritable(lock.fd)  # a worker started during the build does not hold it after the build
    (tmp_path / writing.LOCK_NAME).write_bytes(b"\xff42\n")
    with open(tmp_path / writing.LOCK_NAME) as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(BuildLocked) as err:
            BuildLock(tmp_path).__enter__()
    assert err.value.holder == "\ufffd42"  # bytes that are not text still name the holder

    def full(fd, data, offset):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writing.os, "pwrite", full)
    with pytest.raises(WriteError) as err, BuildLock(tmp_path):
        pass
    assert (err.value.kind, err.value.path) == ("full", tmp_path / writing.LOCK_NAME)


def test_json_is_written_in_one_layout_and_waiting_is_said(tmp_path, capsys, monkeypatch):
    assert writing.json_text({"b": 1, "a": ["é", None]}) == '{\n "a": [\n  "é",\n  null\n ],\n "b": 1\n}\n'
    monkeypatch.setenv("CAKUPAN_LANG", "en")
    writing.say_waiting(tmp_path, 120.0)
    assert capsys.readouterr().err == t("lock.waiting", "en", folder=tmp_path, seconds="120") + "\n"


def test_an_error_without_an_errno_and_a_dangling_link_on_the_way_are_named(tmp_path):
    odd = WriteError.from_os(tmp_path / "x.html", OSError("no errno given"))
    assert (odd.kind, odd.detail) == ("other", "no errno given")
    (tmp_path / "en").symlink_to(tmp_path / "nowhere")
    with pytest.raises(WriteError) as err:
        write_atomic(tmp_path / "en" / "32.html", "<p>x</p>", root=tmp_path)
    assert (err.value.kind, err.value.path) == ("not_folder", tmp_path / "en")
