"""Build speed and memory, measured in one run on this machine (not a test: it takes a while).

    .venv/bin/python benchmarks/bench_build.py                 # everything, 1,000 desa reports
    .venv/bin/python benchmarks/bench_build.py --desa 200 --naive 5 --keep /tmp/bench

Steps, each in fresh processes:

(a) the naive loop: for each of the first ``--naive`` Jawa Barat kab/kota (default 10), the
    ``papermill`` CLI, then ``jupyter nbconvert --to html --no-input`` (a cold kernel and two new
    processes per report; every report costs the same, so a sample gives the cost per report);
(b) ``cakupan build --force --lang id`` of the 27 Jawa Barat kab/kota, start-up included;
(c) the default portfolio (national, provinces, Jawa Barat kab/kota, both languages), cold;
(d) the same again with nothing changed;
(e) desa reports from a synthetic desa panel (``cakupan sample --levels kecamatan desa``); with
    ``--desa`` below 1,000 the time for 1,000 is extrapolated and labelled so;
(f) one kab/kota report, one language, cold: what the first report waits for (start-up).

Peak memory is the largest total PSS (proportional set size: shared pages counted once) of the
command and all its descendants (workers and kernels), sampled every 0.5 s (``SAMPLE_EVERY``); a
command that ends before the first sample (an unchanged build) reports its own CPU time and
largest resident size instead.
Goals (issue 16) are printed next to the measured values. The extrapolations assume the per-report cost of (e) for
every village, in every language of the parameters; on a Dask cluster they assume one warm kernel
per worker and no other bottleneck (a task is seconds of work and a few kilobytes of traffic).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "region_report.ipynb"
JABAR = [f"32.{i:02d}" for i in range(1, 19)] + [f"32.{i}" for i in range(71, 80)]  # the 27 kab/kota
DESA_WITHIN = ["32.04", "32.03", "32.05"]  # Kab. Bandung, Cianjur, Garut: 1,082 desa
ALL_DESA = 83_762
DASK_WORKERS = 32
# Seconds between memory samples. A PSS sample reads every process's page tables: about 10 ms of
# CPU per process, so sampling five processes every 0.2 s took a quarter of one of the two cores
# from the build it measured (and less from the one-process naive loop).
SAMPLE_EVERY = 0.5


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    stderr: str
    cpu: float = 0.0  # CPU seconds (user + system) of the command and all its descendants


def _tree_sample(process: psutil.Process, cpu: dict[int, float]) -> float:
    """Total PSS of a process tree in MB; records each process's CPU seconds so far in ``cpu``."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            with p.oneshot():
                info = p.memory_full_info()
                times = p.cpu_times()
            total += getattr(info, "pss", info.rss)
            cpu[p.pid] = times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total / 2**20


def run(command: list[str], env: dict | None = None, cwd: Path | None = None, check: bool = True) -> Measure:
    """Run a command, timing it and sampling the memory of its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, done, cpu = 0.0, threading.Event(), {}

    def sample() -> None:
        nonlocal peak
        try:
            watched = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:  # already ended
            return
        while not done.wait(SAMPLE_EVERY):
            try:
                peak = max(peak, _tree_sample(watched, cpu))
            except psutil.NoSuchProcess:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # the command's own resource use, for one too quick to sample
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if check and proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:4])} ... failed ({proc.returncode}):\n{stderr[-2000:]}")
    own = usage.ru_utime + usage.ru_stime  # the command and the descendants it waited for: exact, but not every process
    if not cpu:  # ended before the first sample: its own CPU time and resident size (RSS, not PSS)
        return Measure(seconds, usage.ru_maxrss / 1024, stderr, own)
    return Measure(seconds, peak, stderr, max(sum(cpu.values()), own))


def naive(work: Path, regions: list[str]) -> Measure:
    """Papermill CLI then nbconvert CLI, one report at a time (what a notebook user would script)."""
    total, peak, cpu = 0.0, 0.0, 0.0
    for region in regions:
        executed = work / f"naive-{region}.ipynb"
        m1 = run([str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "region", region, "-p", "lang", "id",
                  "-k", "python3", "--no-progress-bar"], cwd=NOTEBOOK.parent)
        m2 = run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        total += m1.seconds + m2.seconds
        peak = max(peak, m1.peak_mb, m2.peak_mb)
        cpu += m1.cpu + m2.cpu
    return Measure(total, peak, "", cpu)


def cakupan(*args: str) -> Measure:
    return run([str(BIN / "cakupan"), *args])


def manifest_counts(out: Path) -> dict[str, int]:
    doc = json.loads((out / "build.json").read_text(encoding="utf-8"))
    counts = dict(doc["counts"])
    for page in doc.get("pages", []):
        counts[page["status"]] = counts.get(page["status"], 0) + 1
    return counts


def desa_codes(data: Path, count: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from analysis.data.contract import REGION_TREE_FILE
    from analysis.data.regions import load_regions

    regions = load_regions(REGION_TREE_FILE)
    return [code for parent in DESA_WITHIN for code in regions.codes("desa", within=parent)][:count]


GOAL_RATIO, GOAL_COLD, GOAL_UNCHANGED, GOAL_DESA, GOAL_DESA_MB = 25.0, 30.0, 1.0, 250.0, 1024.0


def step(rows: list, name: str, n: int, measure: Measure, counts: dict | str) -> None:
    """Record a step and print it at once (a long run shows its progress; an interrupted one its results)."""
    rows.append((name, n, measure, counts))
    status = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) if counts else ""
    print(f"  {name}: {n} reports in {measure.seconds:.1f} s ({measure.cpu:.1f} s CPU), peak {measure.peak_mb:.0f} MB {status}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--desa", type=int, default=1000, help="desa reports in step (e) (default 1000; fewer are extrapolated)")
    parser.add_argument("--naive", type=int, default=10, help="kab/kota reports in the naive loop (a) (default 10)")
    parser.add_argument("--jobs", type=int, default=0, help="workers for cakupan build (default: all cores)")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one, removed)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="cakupan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    jobs = args.jobs or os.cpu_count() or 1
    job_args = ["--jobs", str(jobs)]
    rows = []
    try:
        print(f"cakupan build benchmark: {os.cpu_count()} cores, {jobs} workers, {psutil.virtual_memory().total / 2**30:.0f} GB, "
              f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; work in {work}", flush=True)
        naive_regions = JABAR[:args.naive]
        step(rows, "(a) naive papermill + nbconvert CLI", len(naive_regions), naive(work, naive_regions), "")
        out = work / "jabar"
        b = cakupan("build", "--force", "--out", str(out), "--region", *JABAR, "--lang", "id", *job_args)
        step(rows, "(b) cakupan build --force, 27 kab/kota", len(JABAR), b, manifest_counts(out))
        out = work / "portfolio"
        c = cakupan("build", "--out", str(out), *job_args)
        counts = manifest_counts(out)
        step(rows, "(c) default portfolio, cold", sum(counts.values()), c, counts)
        d = cakupan("build", "--out", str(out), *job_args)
        step(rows, "(d) default portfolio, unchanged", sum(counts.values()), d, manifest_counts(out))
        data = work / "desa-data"
        cakupan("sample", "--levels", "kecamatan", "desa", "--within", *DESA_WITHIN, "--out", str(data))
        out = work / "desa"
        codes = desa_codes(data, args.desa)
        e = cakupan("build", "--data", str(data), "--out", str(out), "--region", *codes, "--lang", "id", *job_args)
        step(rows, f"(e) desa reports (from {len(codes)} desa)", len(codes), e, manifest_counts(out))
        out = work / "first"
        f = cakupan("build", "--force", "--out", str(out), "--region", "32.73", "--lang", "id", *job_args)
        step(rows, "(f) one report, cold (start-up + 1)", 1, f, manifest_counts(out))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report(rows, jobs)


def report(rows: list, jobs: int) -> None:
    print()
    print(f"{'step':40} {'reports':>8} {'seconds':>9} {'s/report':>9} {'CPU s':>8} {'peak MB':>8}  statuses")
    for name, n, m, counts in rows:
        status = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) if counts else ""
        print(f"{name:40} {n:>8} {m.seconds:>9.1f} {m.seconds / n:>9.3f} {m.cpu:>8.1f} {m.peak_mb:>8.0f}  {status}")
    (a, na), (b, nb), (c, _), (d, _), (e, ne), (f, _) = [(m, n) for _, n, m, _ in rows]
    naive_per_report = a.seconds / na
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    ratio = naive_per_report / (b.seconds / nb)
    print(f"\nnaive / cakupan per report, 27 kab/kota, start-up included: {ratio:.1f}x   (goal >= {GOAL_RATIO:.0f}x: {verdict(ratio >= GOAL_RATIO)})")
    if a.cpu and b.cpu:  # CPU time depends less than wall time on what else the machine runs
        print(f"  the same in CPU seconds (all processes of each): {(a.cpu / na) / (b.cpu / nb):.1f}x")
    print(f"default portfolio cold: {c.seconds:.1f} s   (goal <= {GOAL_COLD:.0f} s: {verdict(c.seconds <= GOAL_COLD)})")
    print(f"default portfolio unchanged: {d.seconds:.2f} s   (goal <= {GOAL_UNCHANGED:.0f} s: {verdict(d.seconds <= GOAL_UNCHANGED)})")
    desa_1000 = e.seconds if ne == 1000 else f.seconds + (e.seconds - f.seconds) * 1000 / ne
    label = "measured" if ne == 1000 else f"EXTRAPOLATED from {ne} (start-up as in (f) + per-report cost x 1000)"
    print(f"1,000 desa reports: {desa_1000:.0f} s, {label}   (goal <= {GOAL_DESA:.0f} s: {verdict(desa_1000 <= GOAL_DESA)})")
    print(f"peak memory at {ne} desa reports: {e.peak_mb:.0f} MB   (goal < {GOAL_DESA_MB:.0f} MB: {verdict(e.peak_mb < GOAL_DESA_MB)})")
    print(f"first report waits (start-up): {f.seconds:.1f} s; naive / cakupan per report, default portfolio: "
          f"{naive_per_report / (c.seconds / rows[2][1]):.1f}x")
    per_report = e.seconds / ne
    reports = ALL_DESA * 2
    print(f"all {ALL_DESA:,} desa x 2 languages = {reports:,} reports at {per_report:.3f} s/report:")
    print(f"  this machine ({jobs} workers): {reports * per_report / 3600:.1f} h")
    print(f"  {DASK_WORKERS}-worker Dask cluster (same cores): {reports * per_report * jobs / DASK_WORKERS / 3600:.1f} h")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
