"""Imports write through the writing layer, one at a time per data folder, and clear what a killed
import left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import writing
from analysis.core.writing import WriteError
from analysis.data.contract import load_dataset
from analysis.data.importers import import_files
from analysis.data.importers.staging import data_folder_lock

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "od_penduduk_bekerja.csv"
BASE = ROOT / "tests" / "bad_inputs" / "base"


def _halves(tmp_path: Path) -> tuple[Path, Path]:
    """The example table split by year: two imports that each add rows and a source."""
    table = pd.read_csv(EXAMPLE, dtype=str)
    early, late = tmp_path / "early.csv", tmp_path / "late.csv"
    table[table["tahun"] < "2017"].to_csv(early, index=False)
    table[table["tahun"] >= "2017"].to_csv(late, index=False)
    return early, late


def test_two_concurrent_imports_both_land_with_their_provenance(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    early, late = _halves(tmp_path)
    command = [sys.executable, "-m", "analysis", "import", "opendata-jabar"]
    env = {**os.environ, "CAKUPAN_LANG": "en"}
    runs = [subprocess.Popen([*command, str(f), "--into", str(data), "--measure", "penduduk_bekerja", "--source", f"source {f.stem}",
                              "--period-month", "08"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for f in (early, late)]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert [code for code, _ in results] == [0, 0], results
    ds = load_dataset(data)
    keys = set(ds.sources["sumber"])
    assert {"source early [early.csv]", "source late [late.csv]"} <= keys
    imported = ds.workforce[ds.workforce["sumber"].str.startswith("source ")]
    years = set(pd.read_csv(EXAMPLE, dtype=str)["tahun"])
    assert set(imported["sumber"]) <= keys and set(imported["periode"].str[:4]) == years  # both halves, every row with its source
    assert not list(data.glob(".import-*"))


def test_a_stale_staging_folder_is_removed_by_the_next_import(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    stale = data / ".import-abc123"
    stale.mkdir()
    (stale / "participants.csv").write_text("half written")
    beside = tmp_path / ".new.import-xyz"  # a killed import that was creating tmp_path/new
    beside.mkdir()
    with data_folder_lock(data):
        assert not stale.exists() and beside.exists()
    with data_folder_lock(tmp_path / "new"):
        assert not beside.exists()
    assert not (tmp_path / "new").exists()


def test_a_full_disk_during_an_import_changes_nothing(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    early, _ = _halves(tmp_path)

    def full(fd, payload):
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(writing, "_write_all", full)
    with pytest.raises(WriteError) as err:
        import_files("opendata-jabar", [early], data, "penduduk_bekerja", None, "s", False, period_month="08")
    assert err.value.kind == "full"
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before  # no staging folder left either
