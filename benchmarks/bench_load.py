"""Load + validate a desa-level panel stored as CSV and as Parquet, side by side.

    .venv/bin/python benchmarks/bench_load.py            # every desa in the tree (≈3.35 M participant rows)
    .venv/bin/python benchmarks/bench_load.py --villages 5000 --repeat 3

The panel has every desa code of the Kemendagri tree × 10 years × 4 segments in participants
and desa × 10 years in workforce. Each load runs in a fresh Python process so that its peak
resident memory (VmHWM) is its own; the baseline is the same process after imports. Wall time
depends on other load on the machine; CPU time (user + system, all threads) less so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time

def peak_mb():
    # VmHWM is this process's own peak RSS; ru_maxrss can carry the parent's peak over fork+exec.
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

import analysis.data.contract as data
base = peak_mb()
t, c = time.perf_counter(), cpu()
ds = data.load_dataset(sys.argv[1])
seconds, cpu_seconds = time.perf_counter() - t, cpu() - c
print(json.dumps({"seconds": seconds, "cpu": cpu_seconds, "peak_mb": peak_mb(), "base_mb": base,
                  "participants": len(ds.participants), "workforce": len(ds.workforce)}))
"""


def make_panel(directory: Path, villages: int | None, years: range) -> tuple[Path, Path, float]:
    import numpy as np
    import pandas as pd

    from analysis.data.contract import REGION_TREE_FILE, SEGMENTS
    from analysis.data.regions import load_regions

    started = time.perf_counter()
    desa = np.array(load_regions(REGION_TREE_FILE).codes("desa")[:villages], dtype=object)
    rng = np.random.default_rng(20240827)
    ys = [str(y) for y in years]
    segs = np.array(SEGMENTS, dtype=object)
    n = len(desa) * len(ys) * len(segs)
    participants = pd.DataFrame({
        "kode": np.repeat(desa, len(ys) * len(segs)),
        "periode": np.tile(np.repeat(np.array([f"{y}-12" for y in ys], dtype=object), len(segs)), len(desa)),
        "segmen": np.tile(segs, len(desa) * len(ys)),
        "peserta_aktif": rng.integers(0, 5000, n),
        "sumber": "bench-desa",
    })
    employed = rng.integers(500, 20000, len(desa) * len(ys))
    workforce = pd.DataFrame({
        "kode": np.repeat(desa, len(ys)),
        "periode": np.tile(np.array([f"{y}-08" for y in ys], dtype=object), len(desa)),
        "penduduk_bekerja": employed,
        "pekerja_berhak": (employed * 0.6).astype(np.int64),
        "sumber": "bench-desa",
    })
    csv_dir, pq_dir = directory / "csv", directory / "parquet"
    for d in (csv_dir, pq_dir):
        d.mkdir(parents=True, exist_ok=True)
    participants.to_csv(csv_dir / "participants.csv", index=False, lineterminator="\n")
    workforce.to_csv(csv_dir / "workforce.csv", index=False, lineterminator="\n")
    participants.to_parquet(pq_dir / "participants.parquet", index=False)
    workforce.to_parquet(pq_dir / "workforce.parquet", index=False)
    return csv_dir, pq_dir, time.perf_counter() - started


def measure(directory: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(directory)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"loading {directory} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def size_mb(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.iterdir()) / 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--villages", type=int, default=None, help="number of desa (default: all in the tree)")
    ap.add_argument("--years", type=int, default=10, help="years per desa (default 10)")
    ap.add_argument("--repeat", type=int, default=1, help="loads per format; the fastest is shown")
    ap.add_argument("--keep", type=Path, default=None, help="write the panel here and keep it")
    ns = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cakupan-bench-") as tmp:
        root = ns.keep or Path(tmp)
        csv_dir, pq_dir, made = make_panel(root, ns.villages, range(2015, 2015 + ns.years))
        results = {}
        for name, d in (("CSV", csv_dir), ("Parquet", pq_dir)):
            runs = [measure(d) for _ in range(ns.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            best["peak_mb"] = max(r["peak_mb"] for r in runs)
            best["size_mb"] = size_mb(d)
            results[name] = best
        first = next(iter(results.values()))
        print(f"desa panel: {first['participants']:,} participant rows + {first['workforce']:,} workforce rows "
              f"(generated in {made:.1f}s, python {sys.version.split()[0]})")
        print(f"{'format':<8} {'on disk':>10} {'load+validate':>14} {'CPU':>8} {'peak RSS':>10} {'after imports':>14}")
        for name, r in results.items():
            print(f"{name:<8} {r['size_mb']:>8.0f}MB {r['seconds']:>13.2f}s {r['cpu']:>7.1f}s {r['peak_mb']:>8.0f}MB {r['base_mb']:>12.0f}MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
