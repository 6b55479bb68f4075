"""A build with nothing to do is recognised from its stamp without the data; any change to what the
build read or left hands over to the full build."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main as command
from analysis.build import launch
from analysis.build import stamps
from analysis.core import writing
from analysis.data.contract import BUNDLED_DIR
from analysis.model.params import DEFAULT_PARAMS
from analysis.build.preload import MANIFEST_NAME


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    """One kab/kota report and its index, built by the command's entry point from copies of the data and parameters."""
    root = tmp_path_factory.mktemp("stamped")
    data, params, out = root / "data", root / "params.yaml", root / "out"
    shutil.copytree(BUNDLED_DIR, data)
    shutil.copy(DEFAULT_PARAMS, params)
    words = ["build", "--out", str(out), "--data", str(data), "--params", str(params), "--region", "32.73", "--lang", "id"]
    assert command(words) == 0
    return words, out, data, params


def _manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))


def test_a_complete_build_records_what_it_read_and_left(stamped):
    words, out, data, params = stamped
    stamp = _manifest(out)["stamp"]
    assert stamp["command"] == words and stamp["cwd"] == os.getcwd()
    assert str(data.resolve()) in stamp["folders"] and str(params.resolve()) in stamp["files"]
    assert {"id/32.73.html", "id/32.73.json", "index.html"} <= set(stamp["outputs"])
    assert stamp["outputs"]["id/backtest.html"] is None  # not there: its appearing would change the index
    assert stamp["index"] == "index.html"


def test_nothing_changed_is_recorded_as_the_full_check_would(stamped, monkeypatch):
    words, out, _, _ = stamped
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    page = (out / "id" / "32.73.html").stat().st_mtime_ns
    done = stamps.unchanged_build(words, out)
    assert done == stamps.Unchanged(regions=1, languages=1, reports=1, pages=0, index=out / "index.html")
    quick = _manifest(out)
    assert (out / "id" / "32.73.html").stat().st_mtime_ns == page
    assert [e["status"] for e in quick["reports"]] == ["skipped"] and quick["counts"] == {"skipped": 1}
    # The full check of the same build, without the stamp, records the same
    full = {k: v for k, v in quick.items() if k != "stamp"}
    writing.write_atomic(out / MANIFEST_NAME, writing.json_text(full))
    assert command(words) == 0
    assert {k: v for k, v in _manifest(out).items() if k != "stamp"} == full


def test_the_quick_answer_loads_neither_pandas_nor_the_command_line(stamped):
    words, _, _, _ = stamped
    code = "import sys; from analysis.__main__ import main; rc = main(sys.argv[1:]); print(rc, sorted({'pandas', 'analysis.cli'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code, *words], capture_output=True, text=True, timeout=120, cwd=os.getcwd())
    assert done.stdout.splitlines()[-1] == "0 []", done.stderr
    assert "built 0, skipped 1 (unchanged), failed 0" in done.stderr


def _change_file(path: Path):
    before = path.read_bytes()
    path.write_bytes(before.replace(b"\n", b"\n\n", 1))
    return lambda: path.write_bytes(before)


def _add_file(path: Path):
    path.write_text("kode\n", encoding="utf-8")
    return path.unlink


def _move_away(path: Path):
    aside = path.with_name(path.name + ".aside")
    path.rename(aside)
    return lambda: aside.rename(path)


def _touch(path: Path):
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    return lambda: os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


CHANGES = {
    "a data file's content": lambda out, data, params: _change_file(data / "participants.csv"),
    "a new file in the data folder": lambda out, data, params: _add_file(data / "regions_extra.csv"),
    "the parameters": lambda out, data, params: _change_file(params),
    "a page removed": lambda out, data, params: _move_away(out / "id" / "32.73.html"),
    "a summary edited": lambda out, data, params: _touch(out / "id" / "32.73.json"),
    "the index removed": lambda out, data, params: _move_away(out / "index.html"),
    "a backtest page the index would link": lambda out, data, params: _add_file(out / "id" / "backtest.html"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_hands_over_to_the_full_build(stamped, change):
    words, out, data, params = stamped
    undo = CHANGES[change](out, data, params)
    try:
        assert stamps.unchanged_build(words, out) is None
    finally:
        undo()
    assert stamps.unchanged_build(words, out) is not None  # the check follows contents, not the change's history


@pytest.mark.parametrize("other", [["--lang", "en"], ["--force"], ["--jobs", "1"]])
def test_other_words_hand_over_to_the_full_build(stamped, other):
    words, out, _, _ = stamped
    assert stamps.unchanged_build(words + other, out) is None
    if "--force" in other:
        assert not launch.nothing_to_do(words + other)


def test_a_folder_another_build_holds_hands_over(stamped):
    words, out, _, _ = stamped
    with open(out / writing.LOCK_NAME, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert stamps.unchanged_build(words, out) is None
    assert stamps.unchanged_build(words, out) is not None


def test_an_unreadable_or_foreign_stamp_hands_over(stamped, tmp_path):
    words, out, _, _ = stamped
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    good = _manifest(out)
    hand_edited = [{**good, "reports": [{"kode": 32}]}, {**good, "reports": "none"}, {**good, "stamp": {**good["stamp"], "index": None}},
                   {**good, "complete": False}]
    for broken in ("not json", "[]", json.dumps({"complete": True, "stamp": "x"}), json.dumps({"complete": True, "stamp": {"command": words}}),
                   *map(json.dumps, hand_edited)):
        (copy / MANIFEST_NAME).write_text(broken, encoding="utf-8")
        assert stamps.unchanged_build(words, copy) is None


def test_an_input_changed_while_the_build_runs_is_seen_by_the_next_build(tmp_path, monkeypatch):
    """The stamp holds the inputs as they were before the build read them, not after."""
    from analysis import cli

    params, out = tmp_path / "params.yaml", tmp_path / "out"
    shutil.copy(DEFAULT_PARAMS, params)
    words = ["build", "--out", str(out), "--params", str(params), "--region", "32.73", "--lang", "id"]
    read = cli.load_params

    def read_then_edit(path):  # noqa: ANN001, ANN202
        loaded = read(path)
        params.write_text(params.read_text(encoding="utf-8") + "# edited while the build ran\n", encoding="utf-8")
        return loaded

    monkeypatch.setattr(cli, "load_params", read_then_edit)
    assert command(words) == 0
    assert "stamp" in _manifest(out)
    assert stamps.unchanged_build(words, out) is None
