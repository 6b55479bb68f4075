"""Batch engine: build many region reports fast, incrementally and with failures isolated.

Each worker keeps one warm Jupyter kernel and one nbconvert exporter for its whole life and
executes the Papermill-parameterized notebook for one region after another (the dataset is
loaded once per kernel). Each report's key is a hash of the notebook, the parameters, the
region's slice of the data and the code, so unchanged reports are skipped. Every file is written
atomically, so an interrupted build never leaves a half-written page, and the next build only
does what is missing.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.resources import files
from multiprocessing import get_context
from pathlib import Path

import nbformat
import pandas as pd

from analysis import __version__
from analysis.data import PROJECT_ROOT, Dataset
from analysis.params import params_digest
from analysis.regions import LEVELS, ROOT, RegionTree
from analysis.render import build_time, extract_summary, json_text, make_exporter, render_index, render_report, write_atomic

NOTEBOOK = PROJECT_ROOT / "notebooks" / "region_report.ipynb"
KERNEL_NAME = "python3"
CELL_TIMEOUT = 600


@dataclass(frozen=True)
class Task:
    kode: str
    lang: str
    key: str


@dataclass
class Result:
    kode: str
    lang: str
    status: str  # built, skipped, failed
    output: str | None
    seconds: float
    input_hash: str
    error: str | None = None
    summary: dict | None = None

    def manifest_entry(self) -> dict:
        entry = asdict(self)
        entry.pop("summary")
        return entry


# --- selection and keys ------------------------------------------------------------------

def select_regions(regions: RegionTree, params: dict, levels: list[str] | None = None, codes: list[str] | None = None) -> list[str]:
    """Regions to build: explicit codes, or every region of the chosen levels (within the parents set in params)."""
    if codes:
        return list(dict.fromkeys(codes))
    chosen = []
    for level in levels or params["levels"]:
        if level == "nasional":
            chosen.append(ROOT)
            continue
        parents = params.get("within", {}).get(level) or [None]
        for parent in parents:
            chosen += regions.codes(level, within=parent)
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(dict.fromkeys(chosen), key=lambda c: (order[regions.level(c)], c))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of the package's code, templates and messages: a code change rebuilds reports."""
    h = hashlib.sha256(__version__.encode())
    root = Path(str(files("analysis")))
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".yaml", ".j2", ".css", ".json"} and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _row_digests(table: pd.DataFrame) -> dict[str, str]:
    """sha256 of each region's rows (in a stable order), computed in one pass over the table."""
    if table.empty:
        return {}
    ordered = table.sort_values(list(table.columns[:3]), kind="stable")
    hashes = pd.util.hash_pandas_object(ordered.astype(str), index=False).to_numpy()
    out = {}
    codes = ordered["kode"].to_numpy()
    start = 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            out[codes[start]] = hashlib.sha256(hashes[start:i].tobytes()).hexdigest()
            start = i
    return out


def task_keys(ds: Dataset, params: dict, notebook: Path, codes: list[str], langs: list[str]) -> dict[tuple[str, str], str]:
    """Input hash of every (region, language) report."""
    base = hashlib.sha256()
    base.update(notebook.read_bytes())
    base.update(params_digest(params).encode())
    base.update(code_digest().encode())
    base.update(ds.sources.to_csv(index=False).encode())
    participants, workforce = _row_digests(ds.participants), _row_digests(ds.workforce)
    breaks = _row_digests(ds.breaks)
    keys = {}
    for code in codes:
        h = base.copy()
        lineage = [code, *ds.regions.ancestors(code)]
        for c in lineage:
            h.update(f"|{c}|{ds.regions.name(c)}|{breaks.get(c, '')}".encode())
        h.update(f"|p{participants.get(code, '')}|w{workforce.get(code, '')}".encode())
        for lang in langs:
            keys[(code, lang)] = hashlib.sha256(h.digest() + lang.encode()).hexdigest()
    return keys


def output_paths(out: Path, task: Task) -> tuple[Path, Path]:
    return out / task.lang / f"{task.kode}.html", out / task.lang / f"{task.kode}.json"


def is_current(out: Path, task: Task) -> dict | None:
    """The stored summary when the report exists and was built from the same inputs."""
    html_path, json_path = output_paths(out, task)
    if not (html_path.exists() and json_path.exists()):
        return None
    try:
        stored = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored if stored.get("input_hash") == task.key else None


# --- the worker --------------------------------------------------------------------------

class Worker:
    """One warm kernel and one exporter; builds reports one after another."""

    def __init__(self, notebook: Path, params_path: str, data_dir: str, languages: list[str], out: Path, built: dt.datetime):
        from jupyter_client.manager import KernelManager

        self.template = nbformat.read(notebook, as_version=4)
        self.params_path, self.data_dir, self.languages, self.out, self.built = params_path, data_dir, languages, out, built
        self.exporter = make_exporter()
        # IPC sockets in a private folder: no TCP ports, nothing reachable from outside this machine.
        self.sockets = tempfile.mkdtemp(prefix="cakupan-kernel-")
        self.km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(self.sockets, "k"),
                                connection_file=os.path.join(self.sockets, "kernel.json"))
        self.km.start_kernel(env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"}, cwd=str(notebook.parent))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def _execute(self, task: Task) -> nbformat.NotebookNode:
        import papermill

        nb = copy.deepcopy(self.template)
        # The kernel is shared by successive reports: start each from an empty namespace.
        nb.cells.insert(0, nbformat.v4.new_code_cell("get_ipython().run_line_magic('reset', '-f')", id="cakupan-reset"))
        return papermill.execute_notebook(
            nb, None,
            parameters={"region": task.kode, "params_path": self.params_path, "lang": task.lang, "data_dir": self.data_dir},
            kernel_name=KERNEL_NAME, km=self.km, kc=self.kc, progress_bar=False, log_output=False,
            execution_timeout=CELL_TIMEOUT,
        )

    def build(self, task: Task) -> Result:
        start = time.perf_counter()
        html_path, json_path = output_paths(self.out, task)
        try:
            nb = self._execute(task)
            summary = extract_summary(nb)
            if summary is None:
                raise RuntimeError("the notebook published no summary")
            page = render_report(nb, summary, self.languages, self.exporter, self.built)
            write_atomic(html_path, page)
            # The JSON goes last: its input hash marks the report as complete.
            write_atomic(json_path, json_text({**summary, "input_hash": task.key, "version": __version__, "built": self.built.isoformat()}))
        except Exception as exc:  # one failing region never stops the others
            if not self.km.is_alive():
                self.restart()
            return Result(task.kode, task.lang, "failed", None, round(time.perf_counter() - start, 3), task.key, _describe(exc))
        return Result(task.kode, task.lang, "built", str(html_path.relative_to(self.out)), round(time.perf_counter() - start, 3), task.key, None, summary)

    def restart(self) -> None:
        self.kc.stop_channels()
        self.km.restart_kernel(now=True)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


def _describe(exc: BaseException) -> str:
    """One readable line: the exception a notebook cell raised, without the traceback."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:500]


_WORKER: Worker | None = None


def _init_worker(*args) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _WORKER = Worker(*args)
    import atexit

    atexit.register(_WORKER.close)


def _run_task(task: Task) -> Result:
    assert _WORKER is not None
    return _WORKER.build(task)


# --- the build ---------------------------------------------------------------------------

@dataclass
class BuildOptions:
    out: Path
    params: dict
    params_path: str = ""
    data_dir: str = ""
    notebook: Path = NOTEBOOK
    jobs: int = 0
    force: bool = False
    fail_fast: bool = False
    languages: list[str] | None = None
    progress: Callable[[int, int, Result], None] | None = None


def run_local(tasks: list[Task], opts: BuildOptions, built: dt.datetime) -> Iterator[Result]:
    """Run tasks on ``jobs`` warm workers (in this process when jobs is 1)."""
    args = (opts.notebook, opts.params_path, opts.data_dir, opts.params["languages"], opts.out, built)
    jobs = max(1, min(opts.jobs or os.cpu_count() or 1, len(tasks)))
    if jobs == 1:
        worker = Worker(*args)
        try:
            for task in tasks:
                yield worker.build(task)
        finally:
            worker.close()
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_init_worker, initargs=args) as pool:
        pending: set[Future] = set()
        queue = iter(tasks)
        try:
            for task in queue:
                pending.add(pool.submit(_run_task, task))
                if len(pending) >= jobs * 2:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(_run_task, nxt))
        finally:
            for future in pending:
                future.cancel()


class Manifest:
    """``build.json``: one entry per report, rewritten atomically as the build goes."""

    def __init__(self, path: Path, built: dt.datetime):
        self.path, self.built = path, built
        self.entries: dict[tuple[str, str], dict] = {}
        self._last_flush = 0.0

    def add(self, result: Result) -> None:
        self.entries[(result.kode, result.lang)] = result.manifest_entry()
        if time.monotonic() - self._last_flush > 2:
            self.flush()

    def flush(self, complete: bool = False) -> None:
        counts: dict[str, int] = {}
        for e in self.entries.values():
            counts[e["status"]] = counts.get(e["status"], 0) + 1
        doc = {"version": __version__, "built": self.built.isoformat(), "complete": complete, "counts": counts,
               "reports": [self.entries[k] for k in sorted(self.entries)]}
        write_atomic(self.path, json_text(doc))
        self._last_flush = time.monotonic()


def build(ds: Dataset, codes: list[str], opts: BuildOptions) -> list[Result]:
    """Build every (region, language) report; returns one result per report."""
    built = build_time()
    langs = opts.languages or opts.params["languages"]
    keys = task_keys(ds, opts.params, opts.notebook, codes, langs)
    tasks, results = [], []
    manifest = Manifest(opts.out / "build.json", built)
    for code in codes:
        for lang in langs:
            task = Task(code, lang, keys[(code, lang)])
            stored = None if opts.force else is_current(opts.out, task)
            if stored is not None:
                result = Result(code, lang, "skipped", str(output_paths(opts.out, task)[0].relative_to(opts.out)), 0.0, task.key, None, stored)
                results.append(result)
                manifest.add(result)
            else:
                tasks.append(task)
    total = len(results) + len(tasks)
    for result in results:
        if opts.progress:
            opts.progress(results.index(result) + 1, total, result)
    interrupted = None
    if tasks:
        stream = run_local(tasks, opts, built)
        try:
            for result in stream:
                results.append(result)
                manifest.add(result)
                if opts.progress:
                    opts.progress(len(results), total, result)
                if opts.fail_fast and result.status == "failed":
                    break
        except KeyboardInterrupt as exc:
            interrupted = exc
        finally:
            stream.close()
    manifest.flush(complete=interrupted is None and len(results) == total)
    if interrupted is not None:
        raise interrupted
    write_indexes(ds.regions, results, opts, built)
    return results


def write_indexes(regions: RegionTree, results: list[Result], opts: BuildOptions, built: dt.datetime) -> None:
    """``index.html`` (first language) and ``index-<lang>.html`` for the others."""
    languages = opts.params["languages"]
    for lang in {r.lang for r in results}:
        entries = []
        for r in results:
            if r.lang != lang:
                continue
            entry = {"kode": r.kode, "status": r.status, **(r.summary or {})}
            entry.setdefault("nama", regions.name(r.kode) if r.kode in regions else r.kode)
            entry.setdefault("tingkat", regions.level(r.kode) if r.kode in regions else "")
            entries.append(entry)
        links = [(f"{lang}/backtest.html", "Backtest")] if (opts.out / lang / "backtest.html").exists() else []
        name = "index.html" if lang == languages[0] else f"index-{lang}.html"
        write_atomic(opts.out / name, render_index(entries, lang, languages, built, links))


def progress_printer(stream=sys.stderr) -> Callable[[int, int, Result], None]:
    """tqdm bar on a terminal; plain periodic lines otherwise."""
    if stream.isatty():
        from tqdm import tqdm

        bar = None

        def update(done: int, total: int, result: Result) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="report", file=stream, dynamic_ncols=True)
            bar.update(1)
            bar.set_postfix_str(f"{result.kode} {result.lang} {result.status}", refresh=False)
            if done == total:
                bar.close()

        return update
    state = {"last": 0.0, "start": time.monotonic()}

    def plain(done: int, total: int, result: Result) -> None:
        now = time.monotonic()
        if done == total or now - state["last"] >= 5 or result.status == "failed":
            elapsed = now - state["start"]
            rate = done / elapsed if elapsed > 0 else 0.0
            eta = (total - done) / rate if rate > 0 else 0.0
            print(f"[{done}/{total}] {rate:.1f} reports/s, eta {eta:.0f}s; last {result.kode} {result.lang} {result.status}", file=stream, flush=True)
            state["last"] = now

    return plain


def summarize(results: Iterable[Result]) -> dict[str, int]:
    counts: dict[str, int] = {"built": 0, "skipped": 0, "failed": 0}
    for r in results:
        counts[r.status] += 1
    return counts
