"""Stopping a build at any point (SIGKILL, SIGTERM, Ctrl-C) never leaves a half-written page or a
corrupt manifest, leaves no process behind, and the next build completes only what is missing.
Two builds into one folder: the second is refused while the first runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from tests.build.test_engine import cli_with_notebook, write_probe_notebook

REGIONS = [f"32.{i:02d}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    return write_probe_notebook(tmp_path_factory.mktemp("nb") / "probe.ipynb")


def start(probe: Path, out: Path, sleep: str) -> subprocess.Popen:
    """A build in its own session, so a signal can go to its whole process group as Ctrl-C would."""
    command = cli_with_notebook(probe) + ["build", "--out", str(out), "--region", *REGIONS, "--lang", "id", "--jobs", "2"]
    env = {**os.environ, "CAKUPAN_PROBE_SLEEP": sleep, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_pages(out: Path, count: int, build: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "id").glob("*.html"))) < count:
        assert build.poll() is None, build.communicate()
        assert time.monotonic() < deadline, "the build made no progress"
        time.sleep(0.1)


def assert_consistent(out: Path) -> int:
    """Every visible page is whole, every summary parses, and so does the manifest. Returns the pages."""
    pages = list((out / "id").glob("*.html"))
    for page in pages:
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
    for path in [*(out / "id").glob("*.json"), *out.glob("build.json")]:
        json.loads(path.read_text(encoding="utf-8"))
    assert not [p for p in out.rglob("*") if p.suffix in (".html", ".json") and p.name.startswith(".")]
    return len(pages)


def assert_all_gone(processes: list[psutil.Process], timeout: float = 20) -> None:
    gone, alive = psutil.wait_procs(processes, timeout=timeout)
    assert not alive, [p.cmdline() for p in alive]


@pytest.mark.parametrize("how", ["kill", "term", "ctrl-c"])
def test_a_stopped_build_is_consistent_and_the_next_one_completes_it(tmp_path, probe, how):
    out = tmp_path / "out"
    build = start(probe, out, sleep="0.5")
    wait_for_pages(out, 2, build)
    family = psutil.Process(build.pid).children(recursive=True)
    assert len(family) >= 3  # fork server and two workers (their kernels run inside them)
    if how == "kill":
        build.kill()
    elif how == "term":
        build.terminate()
    else:
        os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == {"kill": -9, "term": 143, "ctrl-c": 130}[how], stderr
    assert_all_gone(family)
    done = assert_consistent(out)
    assert 2 <= done < len(REGIONS)
    if how != "kill":
        assert "interrupted; finished reports are kept" in stderr
        manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
        assert manifest["complete"] is False and manifest["counts"].get("built", 0) >= done

    rerun = start(probe, out, sleep="0")
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"built {len(REGIONS) - done}, skipped {done} (unchanged), failed 0" in stderr
    assert assert_consistent(out) == len(REGIONS)
    assert not list(out.rglob("*.tmp"))
    assert json.loads((out / "build.json").read_text(encoding="utf-8"))["complete"] is True


def test_a_second_build_into_the_same_folder_is_refused(tmp_path, probe):
    out = tmp_path / "out"
    first = start(probe, out, sleep="3")
    try:
        wait_for_pages(out, 1, first)
        second = start(probe, out, sleep="0")
        _, stderr = second.communicate(timeout=120)
        assert second.returncode == 2
        assert f"another build is writing to {out} (pid {first.pid}); nothing written" in stderr
        assert first.poll() is None and (out / ".cakupan.lock").read_text() == f"{first.pid}\n"
    finally:
        first.terminate()
        first.communicate(timeout=120)
    assert first.returncode == 143
