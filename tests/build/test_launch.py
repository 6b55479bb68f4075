"""The command's entry point starts a build's worker server early only when the words say a build will run reports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.build import launch
from analysis.build.preload import MANIFEST_NAME


@pytest.mark.parametrize(("words", "expected"), [
    (["build", "--force"], True),
    (["build", "--region", "32.73", "--lang", "id", "--force", "--out", "elsewhere"], True),
    (["build", "--executor", "dask", "--force"], False),
    (["build", "--executor=dask", "--force"], False),
    (["build", "--executor", "local", "--force"], True),
    (["build", "--force", "--help"], False),
    (["validate"], False),
    (["import", "bps", "x.csv"], False),
    ([], False),
])
def test_the_guess_follows_the_words(words, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert launch.will_build_reports(words) is expected


def test_an_earlier_build_in_the_output_folder_means_no_early_server(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert launch.will_build_reports(["build"]) and launch.will_build_reports(["build", "--out=mine"])
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / MANIFEST_NAME).write_text("{}")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / MANIFEST_NAME).write_text("{}")
    assert not launch.will_build_reports(["build"]) and not launch.will_build_reports(["build", "--out=mine"])
    assert not launch.will_build_reports(["build", "--out", "mine", "--lang", "id"])
    assert launch.will_build_reports(["build", "--out", "mine", "--force"])


def test_python_dash_m_analysis_is_the_command():
    done = subprocess.run([sys.executable, "-m", "analysis", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("cakupan ")
