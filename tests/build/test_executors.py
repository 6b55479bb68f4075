"""Worker processes: what a build prints is the build's own messages, nothing from the kernel machinery."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_successful_build_prints_no_debugger_warning(tmp_path):
    """ipykernel would import debugpy, which warns about frozen modules on every cold build (four lines)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(tmp_path / "out"), "--region", "32.73",
                           "--lang", "id", "--jobs", "1"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "id" / "32.73.html").exists()
    assert "Debugger warning" not in done.stderr and "frozen modules" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
