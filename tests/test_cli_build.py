"""``cakupan build`` from the command line: exit codes, nothing written on bad input, reproducible pages."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys

import pytest
from tests.conftest import PORTFOLIO_EPOCH
from tests.build.test_engine import BAD, GOOD, cli_with_notebook, failing_data, same_files, write_probe_notebook

from analysis.core import writing
from analysis.cli import main


def cakupan(*args: str, prefix: list[str] | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    command = (prefix or [sys.executable, "-m", "analysis"]) + list(args)
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})})


@pytest.mark.parametrize("args, named", [
    (["--region", "../../etc"], "--region"),
    (["--region", "32.99"], "32.99"),
    (["--region", "32", "--lang", "en", "--params", "{params}"], "--lang"),
    (["--region", "32", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--region", "32", "--jobs", "-1"], "--jobs"),
    (["--level", "provinsi", "--region", "32.73"], "--level"),
    (["--region", "32", "--params", "{missing}"], "missing.yaml"),
])
def test_invalid_input_exits_2_and_writes_nothing(tmp_path, capsys, args, named):
    params = tmp_path / "id-only.yaml"
    params.write_text("languages: [id]\n", encoding="utf-8")
    args = [a.format(params=params, missing=tmp_path / "missing.yaml") for a in args]
    out = tmp_path / "out"
    assert main(["build", "--out", str(out), *args]) == 2
    assert named in capsys.readouterr().err
    assert not out.exists()


def test_unreachable_scheduler_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--region", "32", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not out.exists()


def test_a_held_lock_is_refused_with_the_holders_pid(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / writing.LOCK_NAME, "w") as lock:
        lock.write("31337\n")
        lock.flush()
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert main(["build", "--out", str(out), "--region", "32"]) == 2
    assert f"another build is writing to {out} (pid 31337)" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == [writing.LOCK_NAME]


def test_some_regions_failing_exits_1_after_building_the_rest(tmp_path):
    probe = write_probe_notebook(tmp_path / "probe.ipynb")
    data, out = failing_data(tmp_path), tmp_path / "out"
    result = cakupan("build", "--data", str(data), "--out", str(out), "--region", BAD, *GOOD, "--lang", "id", "--jobs", "2",
                     prefix=cli_with_notebook(probe))
    assert result.returncode == 1, result.stderr
    assert f"failed {BAD} (id): ValueError: designed to fail for {BAD}" in result.stderr
    assert "built 2, skipped 0 (unchanged), failed 1" in result.stderr
    assert result.stdout.strip() == str((out / "index.html").resolve())
    assert all((out / "id" / f"{code}.html").exists() for code in GOOD)
    assert "stamp" not in json.loads((out / "build.json").read_text())  # a build with failures is never "nothing to do"

    again = cakupan("build", "--data", str(data), "--out", str(out), "--region", *GOOD, "--lang", "id", prefix=cli_with_notebook(probe))
    assert again.returncode == 0 and "built 0, skipped 2 (unchanged), failed 0" in again.stderr


def test_fail_fast_exits_1_at_the_first_failure(tmp_path):
    probe = write_probe_notebook(tmp_path / "probe.ipynb")
    data, out = failing_data(tmp_path), tmp_path / "out"
    result = cakupan("build", "--data", str(data), "--out", str(out), "--region", BAD, *GOOD, "--lang", "id", "--jobs", "1", "--fail-fast",
                     prefix=cli_with_notebook(probe))
    assert result.returncode == 1
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in manifest["reports"]] == ["failed"] and manifest["complete"] is False


def test_real_report_rebuilds_are_byte_identical(tmp_path, built_portfolio):
    """The same region built again, in another folder by another process, gives the same bytes."""
    out = tmp_path / "again"
    result = cakupan("build", "--out", str(out), "--region", "32.73", "--jobs", "1", env={"SOURCE_DATE_EPOCH": str(PORTFOLIO_EPOCH)})
    assert result.returncode == 0, result.stderr
    for lang in ("id", "en"):
        for suffix in ("html", "json"):
            name = f"{lang}/32.73.{suffix}"
            assert (out / name).read_bytes() == (built_portfolio.root / name).read_bytes(), name
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert {(e["kode"], e["lang"], e["status"], e["output"]) for e in manifest["reports"]} == {
        ("32.73", "id", "built", "id/32.73.html"), ("32.73", "en", "built", "en/32.73.html")}

    unchanged = cakupan("build", "--out", str(out), "--region", "32.73", env={"SOURCE_DATE_EPOCH": str(PORTFOLIO_EPOCH)})
    assert unchanged.returncode == 0 and "built 0, skipped 2 (unchanged), failed 0" in unchanged.stderr
    copy = tmp_path / "copy"
    assert cakupan("build", "--out", str(copy), "--region", "32.73", "--force", env={"SOURCE_DATE_EPOCH": str(PORTFOLIO_EPOCH)}).returncode == 0
    assert same_files(out, copy)


def test_sample_levels_write_a_desa_panel_and_refuse_the_bundled_folder(tmp_path):
    out = tmp_path / "desa"
    result = cakupan("sample", "--levels", "kecamatan", "desa", "--within", "32.73.01", "--out", str(out))
    assert result.returncode == 0, result.stderr
    participants = (out / "participants.csv").read_text(encoding="utf-8")
    assert "32.73.01.1001," in participants and "sintetis:cakupan-sample-wilayah-v1" in participants
    assert cakupan("sample", "--levels", "desa", "--within", "32.99").returncode == 2
    refused = cakupan("sample", "--levels", "desa", "--within", "32.73.01")
    assert refused.returncode == 2 and "--out" in refused.stderr
