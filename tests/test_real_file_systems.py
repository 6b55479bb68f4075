"""The command against real refusals of the operating system, not simulated ones: a small tmpfs that
fills up, and the same file system remounted read-only (``chmod`` would not do: the tests may run as
root, whom permissions do not stop). Each case runs in a user and mount namespace of its own
(``unshare -rm``), so nothing is mounted on the machine itself.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.data.contract import BUNDLED_DIR, PROJECT_ROOT


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="needs `unshare -rm` (user and mount namespaces)")

CAKUPAN = f"CAKUPAN_LANG=en PYTHONWARNINGS=ignore {shlex.quote(sys.executable)} -m analysis"
EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "od_penduduk_bekerja.csv"


def _steps(tmp_path: Path, size: str, steps: list[str]) -> list[tuple[int, str]]:
    """Mount a tmpfs of ``size`` at ``tmp_path/disk``, run each shell step there in turn, and return
    each step's exit status and standard error (steps see ``$DISK``)."""
    disk, logs = tmp_path / "disk", tmp_path / "logs"
    disk.mkdir()
    logs.mkdir()
    lines = [f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(disk))} || exit 99", f"DISK={shlex.quote(str(disk))}",
             f"cd {shlex.quote(str(PROJECT_ROOT))}"]
    for i, step in enumerate(steps):
        lines.append(f"( {step} ) >/dev/null 2>{logs}/{i}.err; echo $? >{logs}/{i}.rc")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", "\n".join(lines)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return [(int((logs / f"{i}.rc").read_text()), (logs / f"{i}.err").read_text()) for i in range(len(steps))]


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _fill(leave_kb: int) -> str:
    """A shell step that fills ``$DISK`` but for ``leave_kb`` KB."""
    return (f"avail=$(df -k \"$DISK\" | awk 'NR==2 {{print $4}}'); "
            f"head -c $(( (avail - {leave_kb}) * 1024 )) /dev/zero > \"$DISK/filler\"")


def test_a_disk_that_fills_mid_build_fails_the_reports_and_leaves_every_earlier_file(tmp_path):
    """A full disk: each report fails alone (exit 1, listed), and its page, downloads and summary all
    stay as the earlier build left them: never a new CSV beside an old page, never a temporary."""
    build = f"{CAKUPAN} build --region 32 --lang en --out $DISK/out"
    other = tmp_path / "other.yaml"  # another target: the second build's downloads differ from the first's
    other.write_text((PROJECT_ROOT / "params" / "default.yaml").read_text().replace("percent: 43.92", "percent: 45.5"))
    snapshot = f"cp -a $DISK/out {tmp_path}/before"
    results = _steps(tmp_path, "3m", [build, snapshot, _fill(40), f"{build} --params {other}", f"cp -a $DISK/out {tmp_path}/after"])
    (built, _), _, _, (full, err), _ = results
    assert built == 0
    assert full == 1, err
    assert "Traceback" not in err
    assert f"failed 32 (en): cakupan: the disk is full while writing {tmp_path}/disk/out/en/32." in err
    before, after = _digests(tmp_path / "before"), _digests(tmp_path / "after")
    report = {name for name in before if name.startswith("en/32.")}
    assert len(report) >= 6 and {name: after.get(name) for name in report} == {name: before[name] for name in report}
    assert not [name for name in after if name.endswith(".tmp")]


def test_a_read_only_output_or_data_folder_is_named_with_exit_2(tmp_path):
    """Read-only after a build: the same words (whose stamp says there is nothing to do, but whose
    manifest cannot be rewritten), a forced build and an import are each refused by name."""
    build = f"{CAKUPAN} build --region 32 --lang en --out $DISK/out"
    import_ = (f"{CAKUPAN} import opendata-jabar {EXAMPLE} --into $DISK/data --measure penduduk_bekerja "
               f"--source od --period-month 08")
    results = _steps(tmp_path, "4m", [build, f"cp -r {BUNDLED_DIR} $DISK/data", "mount -o remount,ro $DISK",
                                      build, f"{build} --force", import_])
    assert [rc for rc, _ in results[:3]] == [0, 0, 0], results
    for (rc, err), folder in zip(results[3:], ["out", "out", "data"]):
        assert rc == 2 and "Traceback" not in err, err
        assert f"{tmp_path}/disk/{folder} is not writable" in err and len(err.strip().splitlines()) <= 2, err


def test_a_disk_that_fills_during_an_import_changes_nothing_and_leaves_no_staging(tmp_path):
    import_ = (f"{CAKUPAN} import opendata-jabar {EXAMPLE} --into $DISK/data --measure penduduk_bekerja "
               f"--source od --period-month 08")
    fresh_data = f"cp -r {BUNDLED_DIR} $DISK/data && rm $DISK/data/workforce.csv"  # the example's rows are new there
    results = _steps(tmp_path, "2m", [fresh_data, _fill(0), f"cp -a $DISK/data {tmp_path}/before",
                                      import_, f"cp -a $DISK/data {tmp_path}/after", "rm $DISK/filler", import_,
                                      f"cp -a $DISK/data {tmp_path}/later"])
    (rc, err), (again, later_err) = results[3], results[6]
    assert rc == 2 and "Traceback" not in err, err
    assert err.startswith(f"cakupan: the disk is full while writing {tmp_path}/disk/data/"), err
    assert _digests(tmp_path / "after") == _digests(tmp_path / "before")
    assert sorted(p.name for p in (tmp_path / "after").iterdir()) == sorted(p.name for p in (tmp_path / "before").iterdir())
    assert again == 0, later_err
    assert "od," in (tmp_path / "later" / "sources.csv").read_text() and (tmp_path / "later" / "workforce.csv").exists()
