"""Running report tasks: warm kernels in local processes or on a Dask cluster.

A ``Worker`` owns one Jupyter kernel and one nbconvert exporter for its whole life and renders
one region after another: the notebook is parameterized by Papermill, its cells run on the warm
kernel (the dataset stays loaded there), and the page is exported in memory. Workers never write
files: they return the page and the summary, and the build (which holds the output lock) writes
them. That keeps every write in one process, so a crashed or orphaned worker cannot touch the
output folder, and a remote Dask cluster needs no write access to it.

Executors are small classes with one method, ``run(job, groups, total)``, yielding an ``Outcome``
per task in completion order. A group is the reports of one region (its languages): they run
back to back on the same kernel, so whatever the kernel caches for a region serves them all.

- ``LocalExecutor``: one worker in this process for one job, else processes from a fork server;
- ``DaskExecutor``: dask.distributed, a loopback ``LocalCluster`` or an existing scheduler, with a
  warm worker per Dask worker thread kept in a module-level cache of the Dask worker process.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import cached_property
from multiprocessing import get_context

from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"
CELL_TIMEOUT = 600
# No IPython history (an SQLite write per cell, shared by every kernel) and no output cache (it
# would keep every report's results alive): both cost time and memory across thousands of reports.
KERNEL_ARGS = ("--HistoryManager.enabled=False", "--InteractiveShell.cache_size=0")
# Each report starts from an empty namespace; imported modules and the cached dataset stay warm.
RESET_CODE = "get_ipython().reset(new_session=False)"


@dataclass(frozen=True)
class Task:
    kode: str
    lang: str
    key: str


@dataclass(frozen=True)
class Job:
    """What every worker needs, sent once per worker rather than with each task."""

    notebook: str  # notebook JSON text (remote workers need not share the file)
    params_path: str
    data_dir: str
    languages: tuple[str, ...]
    built: str  # ISO timestamp shown on pages
    cwd: str  # working directory of the kernels

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


@dataclass
class Outcome:
    """A rendered report (page and summary) or the reason it failed."""

    task: Task
    seconds: float
    page: str | None = None
    summary: dict | None = None
    error: str | None = None


def describe(exc: BaseException) -> str:
    """One readable line: the exception a notebook cell raised, without the traceback."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:500]


def _template(text: str):
    """The notebook as Papermill's loader prepares it (tags on every cell, papermill metadata)."""
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    nb.metadata.setdefault("papermill", {"parameters": {}})
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    return nb


class Worker:
    """One warm kernel and one exporter; renders reports one after another."""

    def __init__(self, job: Job):
        from jupyter_client.manager import AsyncKernelManager

        from analysis.render import make_exporter

        self.job = job
        self.template = _template(job.notebook)
        self.exporter = make_exporter()
        self.built = dt.datetime.fromisoformat(job.built)
        # IPC sockets in a private folder: no TCP ports, nothing reachable from outside this machine.
        self.sockets = tempfile.mkdtemp(prefix="cakupan-kernel-")
        # The asynchronous client lets nbclient notice a dead kernel at once; a blocking one would
        # wait for the cell timeout. Its coroutines run on this thread's loop (run_sync).
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(self.sockets, "k"),
                                     connection_file=os.path.join(self.sockets, "kernel.json"))
        env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
        run_sync(self.km.start_kernel)(extra_arguments=list(KERNEL_ARGS), env=env, cwd=job.cwd)
        self._connect()

    def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=120)

    def render(self, task: Task) -> Outcome:
        from analysis.render import extract_summary, render_report

        start = time.perf_counter()
        try:
            nb = self._execute(task)
            summary = extract_summary(nb)
            if summary is None:
                raise RuntimeError("the notebook published no summary")
            page = render_report(nb, summary, list(self.job.languages), self.exporter, self.built)
        except Exception as exc:  # one failing region never stops the others
            self._recover(exc)
            return Outcome(task, round(time.perf_counter() - start, 3), error=describe(exc))
        return Outcome(task, round(time.perf_counter() - start, 3), page, summary)

    def render_group(self, group: list[Task]) -> list[Outcome]:
        return [self.render(task) for task in group]

    def _execute(self, task: Task):
        """Papermill-parameterize the notebook and run its cells on the warm kernel."""
        from nbclient import NotebookClient
        from papermill.parameterize import parameterize_notebook

        reply = run_sync(self.kc.execute_interactive)(RESET_CODE, silent=True, store_history=False, timeout=60, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError("the kernel could not reset its namespace")
        parameters = {"region": task.kode, "params_path": self.job.params_path, "lang": task.lang, "data_dir": self.job.data_dir}
        nb = parameterize_notebook(copy.deepcopy(self.template), parameters, kernel_name=KERNEL_NAME, language="python")
        # nbclient directly, not papermill.execute_notebook: that one ignores the kernel client it is
        # given and connects a new one for every report (0.2 s, and its sockets are never closed).
        client = NotebookClient(nb, km=self.km, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT)
        client.kc = self.kc
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, store_history=False)
        return nb

    def _recover(self, exc: Exception) -> None:
        """After an error the kernel is reused; after a timeout (still busy) or a crash it is restarted."""
        if run_sync(self.km.is_alive)() and not isinstance(exc, TimeoutError):
            return
        self.kc.stop_channels()
        run_sync(self.km.restart_kernel)(now=True)
        self._connect()

    def close(self) -> None:
        try:
            self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)


# --- local processes ---------------------------------------------------------------------

_WORKER: Worker | None = None


# Imported once by the fork server, so that each worker process starts with them loaded.
PRELOAD = ["analysis.executors", "analysis.render", "nbclient", "papermill.parameterize", "jupyter_client.manager"]


def _watch_build(lifeline) -> None:
    """Exit when the build process is gone, even after kill -9: an orphan must not linger.

    ``lifeline`` is the read end of a pipe whose only write end the build holds, so it reaches
    end-of-file exactly when the build dies. The kernel notices this process exiting and stops too.
    """
    try:
        lifeline.recv_bytes()
    except (EOFError, OSError):
        pass
    os._exit(1)


def _start_worker(job: Job, lifeline) -> None:
    import signal
    from multiprocessing.util import Finalize

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides when to stop
    threading.Thread(target=_watch_build, args=(lifeline,), daemon=True).start()
    _WORKER = Worker(job)
    # Run when the pool stops this process (forked processes end without atexit handlers).
    Finalize(_WORKER, _WORKER.close, exitpriority=10)


def _render_here(group: list[Task]) -> list[Outcome]:
    assert _WORKER is not None
    return _WORKER.render_group(group)


class LocalExecutor:
    """``jobs`` warm workers on this machine: in this process for one job, worker processes otherwise.

    Worker processes come from a fork server that has imported the heavy modules once: starting
    them costs a fork each, not a fresh interpreter importing nbconvert, Papermill and pandas.
    """

    def __init__(self, jobs: int = 0):
        self.jobs = jobs or os.cpu_count() or 1

    def close(self) -> None:
        """Nothing to release: workers live only as long as one ``run``."""

    def run(self, job: Job, groups: Iterable[list[Task]], total: int) -> Iterator[Outcome]:
        jobs = max(1, min(self.jobs, total))
        if jobs == 1:
            worker = Worker(job)
            try:
                for group in groups:
                    yield from worker.render_group(group)
            finally:
                worker.close()
            return
        context = get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        lifeline, held = context.Pipe(duplex=False)
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(job, lifeline)) as pool:
                yield from _pool_stream(pool, groups, 2 * jobs)
        finally:
            lifeline.close()
            held.close()


def _pool_stream(pool: ProcessPoolExecutor, groups: Iterable[list[Task]], window: int) -> Iterator[Outcome]:
    """At most ``window`` groups in flight (memory stays flat); outcomes in completion order."""
    queue = iter(groups)
    pending: dict[Future, list[Task]] = {}
    try:
        for group in queue:
            pending[pool.submit(_render_here, group)] = group
            if len(pending) >= window:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                group = pending.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:  # a worker process died (e.g. killed): its reports failed
                    outcomes = [Outcome(task, 0.0, error=describe(exc)) for task in group]
                yield from outcomes
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(_render_here, nxt)] = nxt
    finally:
        for future in pending:
            future.cancel()


# --- dask.distributed -------------------------------------------------------------------

# Warm workers of this Dask worker process, one per (job, worker thread); they live across tasks.
_DASK_WORKERS: dict[tuple[str, int], Worker] = {}
_DASK_LOCK = threading.Lock()


def _render_on_dask(job: Job, group: list[Task]) -> list[Outcome]:
    key = (job.digest, threading.get_ident())
    worker = _DASK_WORKERS.get(key)
    if worker is None:
        worker = Worker(job)
        with _DASK_LOCK:
            _DASK_WORKERS[key] = worker
    return worker.render_group(group)


def _close_dask_workers(digest: str) -> None:
    with _DASK_LOCK:
        for key in [k for k in _DASK_WORKERS if k[0] == digest]:
            _DASK_WORKERS.pop(key).close()


class DaskExecutor:
    """The same tasks on dask.distributed: a loopback LocalCluster, or the scheduler at ``address``.

    Workers of an existing cluster need Cakupan installed and the same data and parameter paths.
    Their kernels are closed when the build ends.
    """

    def __init__(self, jobs: int = 0, address: str | None = None):
        self.jobs = jobs or os.cpu_count() or 1
        self.client = None
        if address:
            from distributed import Client

            # Connect now: an unreachable scheduler is refused before anything is written.
            self.client = Client(address, timeout="5s", set_as_default=False)

    def run(self, job: Job, groups: Iterable[list[Task]], total: int) -> Iterator[Outcome]:
        import logging

        from distributed import Client, LocalCluster

        cluster, client = None, self.client
        if client is None:
            cluster = LocalCluster(n_workers=max(1, min(self.jobs, total)), threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
            client = Client(cluster, set_as_default=False)
        try:
            shared = client.scatter(job, broadcast=True, hash=False)
            window = 2 * max(1, sum(client.nthreads().values()))
            yield from _dask_stream(client, shared, groups, window)
        finally:
            if cluster is not None:
                client.close()
                cluster.close()
            else:
                client.run(_close_dask_workers, job.digest)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def _dask_stream(client, job, groups: Iterable[list[Task]], window: int) -> Iterator[Outcome]:
    from distributed import as_completed

    queue = iter(groups)
    pending: dict[str, tuple[list[Task], object]] = {}
    running = as_completed(loop=client.loop)

    def submit(group: list[Task]) -> None:
        first = group[0]
        key = f"cakupan-{first.kode}-{hashlib.sha256(''.join(t.key for t in group).encode()).hexdigest()[:16]}"
        future = client.submit(_render_on_dask, job, group, key=key, pure=False)
        pending[future.key] = (group, future)
        running.add(future)

    try:
        for group in queue:
            submit(group)
            if len(pending) >= window:
                break
        for future in running:
            group, _ = pending.pop(future.key)
            try:
                outcomes = future.result()
            except Exception as exc:  # e.g. a worker died more often than the scheduler allows
                outcomes = [Outcome(task, 0.0, error=describe(exc)) for task in group]
            future.release()
            yield from outcomes
            nxt = next(queue, None)
            if nxt is not None:
                submit(nxt)
    finally:
        for _, future in pending.values():
            future.cancel()


def make_executor(name: str, jobs: int = 0, scheduler: str | None = None) -> LocalExecutor | DaskExecutor:
    return DaskExecutor(jobs, scheduler) if name == "dask" else LocalExecutor(jobs)
