"""``--executor dask``: the same reports on dask.distributed, byte for byte, on the loopback address."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from tests.conftest import PORTFOLIO_EPOCH
from tests.build.test_engine import GOOD, build, same_files, write_probe_notebook

from analysis.build import executors
from analysis.data.contract import BUNDLED_DIR, load_dataset

distributed = pytest.importorskip("distributed")


def test_local_cluster_pages_equal_the_local_executors(tmp_path, built_portfolio):
    out = tmp_path / "dask"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(PORTFOLIO_EPOCH), "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(out), "--region", "32.73", "--jobs", "2",
                             "--executor", "dask"], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    for lang in ("id", "en"):
        for suffix in ("html", "json"):
            name = f"{lang}/32.73.{suffix}"
            assert (out / name).read_bytes() == (built_portfolio.root / name).read_bytes(), name


def test_an_existing_scheduler_gets_the_same_tasks_and_keeps_no_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    probe = write_probe_notebook(tmp_path / "probe.ipynb")
    ds = load_dataset(BUNDLED_DIR)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        executor = executors.DaskExecutor(address=cluster.scheduler_address)
        try:
            build(ds, GOOD, tmp_path / "dask", probe, languages=["id", "en"], executor=executor)
            left = executor.client.run(lambda: len(executors._DASK_WORKERS))
        finally:
            executor.close()
    assert set(left.values()) == {0}
    build(ds, GOOD, tmp_path / "local", probe, languages=["id", "en"])
    assert same_files(tmp_path / "dask", tmp_path / "local")
