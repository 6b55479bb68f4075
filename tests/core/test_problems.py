"""Inputs are asked what they are before anything opens them."""

from __future__ import annotations

import os
import time

import pytest

from analysis.core.problems import input_problem


@pytest.fixture
def odd_things(tmp_path):
    (tmp_path / "file.yaml").write_text("a: 1\n")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "file.yaml")
    return tmp_path


@pytest.mark.parametrize("name, want, key", [
    ("file.yaml", "file", None), ("link.yaml", "file", None), ("missing", "file", None), ("folder", "folder", None),
    ("folder", "file", "reading.file.folder"), ("pipe", "file", "reading.file.fifo"), ("loop", "file", "reading.file.loop"),
    ("file.yaml", "folder", "reading.folder.file"), ("pipe", "folder", "reading.folder.fifo"), ("loop", "folder", "reading.folder.loop"),
])
def test_an_input_that_is_not_what_it_should_be_is_named_without_opening_it(odd_things, name, want, key):
    started = time.monotonic()
    found = input_problem(odd_things / name, want)
    assert time.monotonic() - started < 1  # a pipe never opened, so never waited on
    assert (found.said.key if found else None) == key
    if found:
        assert (found.file, found.value) == (str(odd_things / name), str(odd_things / name))


def test_a_device_is_not_a_file():
    assert input_problem("/dev/null", "file").said.key == "reading.file.device"


def test_a_long_value_keeps_both_ends_and_a_path_is_shown_whole():
    from analysis.core.problems import MAX_SHOWN, problem, render_problem

    path = "/tmp/" + "deep/" * 30 + "taken"  # 160 characters: a path is shown whole
    assert f"value '{path}':" in render_problem(problem("--out", None, None, path, "a folder"), "en")
    line = "32," + "x" * 1000 + ",END"
    shown = render_problem(problem("p.csv", 2, None, line, "a line"), "en")
    value = shown.split("value ", 1)[1].rsplit(": expected", 1)[0]
    assert len(value) == MAX_SHOWN and value.startswith("'32,xxx") and value.endswith("xxx,END'") and "..." in value
