"""Running report tasks: warm in-process kernels in worker processes, or on a Dask cluster.

A ``Worker`` owns one IPython kernel running *in its own process* (``ipykernel.inprocess``) and
one nbconvert exporter, and renders one report after another: the notebook is parameterized by
Papermill, its cells run on the warm kernel's shell (``analysis.build.inprocess``: the outputs nbclient
would collect, without the kernel messages), and the page is exported in memory. The kernel
shares the process's imports (pandas, matplotlib, Cakupan) and its dataset cache, so a report
costs only its own cells: no kernel process to start, no sockets, no messages serialized. Workers never write files: they return the page and the summary, and the
build (which holds the output lock) writes them, so a crashed worker cannot touch the output.

Because the kernel lives in the worker's process, a report that crashes (``os._exit``, a
segfault) or hangs takes the process with it. ``LocalExecutor`` therefore runs workers in child
processes it watches: the report that was running is recorded as failed, the process replaced,
and the rest of the queue carries on. On Dask the nanny replaces a dead worker the same way.

- ``LocalExecutor``: ``jobs`` worker processes forked from a server that imported the heavy
  modules once (``analysis.build.preload``: started early, so the imports overlap the build's own start);
- ``DaskExecutor``: dask.distributed, a loopback ``LocalCluster`` or an existing scheduler, with one
  warm worker per Dask worker process kept in a module-level cache.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import hashlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property
from multiprocessing import connection, get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from analysis.data.portfolio import REGION
from analysis.build.preload import warm_up

# jsonschema (under nbformat) imports this optional IRI-syntax checker when it is installed, and
# building its grammar costs 0.8 s in every process; notebooks never need IRI format checks.
sys.modules.setdefault("rfc3987_syntax", None)
# ipykernel imports the debugger (debugpy) when a kernel starts, if it can. An in-process kernel
# has no control channel a debugger could attach to, so it is never used; importing it costs
# 0.2 s per worker and prints "Debugger warning: It seems that frozen modules are being used" on
# every build. Without it ipykernel starts its kernels without a debugger, as it is designed to.
sys.modules.setdefault("debugpy", None)

KERNEL_NAME = "python3"
# A report that has not finished in this time is hung: its worker process is killed.
TASK_TIMEOUT = 600.0


@dataclass(frozen=True)
class Task:
    kode: str
    lang: str
    key: str
    notebook: str = REGION


@dataclass(frozen=True)
class Job:
    """What every worker needs, sent once per worker rather than with each task."""

    notebooks: tuple[tuple[str, str], ...]  # (name, notebook JSON text): remote workers need not share files
    params_path: str
    data_dir: str
    languages: tuple[str, ...]
    built: str  # ISO timestamp shown on pages

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
    files: dict[str, str] = field(default_factory=dict)  # the page's CSV downloads, by file name


def describe(exc: BaseException) -> str:
    """One readable line: the exception a notebook cell raised, without the traceback."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:500]


def _template(text: str):
    """The notebook as Papermill's loader prepares it (tags on every cell, papermill metadata), at
    the current format version so that parameterizing a copy never changes its cells."""
    import nbformat

    nb = nbformat.v4.upgrade(nbformat.reads(text, as_version=4))
    nb.metadata.setdefault("papermill", {"parameters": {}})
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    return nb


def _fresh_copy(template):  # noqa: ANN001, ANN202 - NotebookNode
    """A copy of the template to parameterize and fill: its own metadata and cell list, cells copied
    one level deep (a deep copy of the whole notebook cost 5% of a report; cell metadata is never changed)."""
    from nbformat import NotebookNode

    nb = NotebookNode(template)
    nb.metadata = copy.deepcopy(template.metadata)
    nb.cells = [NotebookNode(cell) for cell in template.cells]
    return nb


def _parameters(job: Job, task: Task) -> dict[str, str]:
    common = {"params_path": job.params_path, "lang": task.lang, "data_dir": job.data_dir}
    return {"region": task.kode, **common} if task.notebook == REGION else common


class Worker:
    """One warm in-process kernel and one exporter; renders reports one after another."""

    def __init__(self, job: Job):
        from ipykernel.inprocess.manager import InProcessKernelManager
        from traitlets.config import Config

        from analysis.pages.render import make_exporter

        self.job = job
        self.templates = {name: _template(text) for name, text in job.notebooks}
        self.exporter = make_exporter()
        self.built = dt.datetime.fromisoformat(job.built)
        # No IPython history (an SQLite write per cell, shared by every kernel) and no output cache
        # (it would keep every report's results alive): both cost time and memory over many reports.
        config = Config()
        config.HistoryManager.enabled = False
        config.InteractiveShell.cache_size = 0
        self.km = InProcessKernelManager(config=config)
        self.km.start_kernel()

    def render(self, task: Task) -> Outcome:
        from analysis.pages import downloads
        from analysis.pages.render import extract_summary, render_report

        start = time.perf_counter()
        try:
            nb = self._execute(task)
            summary = extract_summary(nb)
            if summary is None:
                raise RuntimeError("the notebook published no summary")
            files = downloads.files(summary)
            page = render_report(nb, summary, list(self.job.languages), self.exporter, self.built, files)
        except Exception as exc:  # one failing region never stops the others
            return Outcome(task, round(time.perf_counter() - start, 3), error=describe(exc))
        return Outcome(task, round(time.perf_counter() - start, 3), page, summary, files=files)

    def _execute(self, task: Task):
        """Papermill-parameterize the notebook and run its cells on the warm kernel's shell."""
        from papermill.parameterize import parameterize_notebook

        from analysis.build.inprocess import run_notebook

        # Each report starts from an empty namespace; imported modules and the cached dataset stay warm.
        self.km.kernel.shell.reset(new_session=False)
        nb = parameterize_notebook(_fresh_copy(self.templates[task.notebook]), _parameters(self.job, task),
                                   kernel_name=KERNEL_NAME, language="python")
        return run_notebook(self.km.kernel.shell, nb)

    def close(self) -> None:
        self.km.shutdown_kernel()


# --- local processes ---------------------------------------------------------------------

# A report allocates hundreds of thousands of short-lived objects (chart artists, data frames);
# collecting the youngest generation every 700 of them costs about 5% of a report's CPU.
GC_THRESHOLD = (50_000, 20, 100)


def _watch_build(lifeline) -> None:
    """Exit when the build process is gone, even after kill -9: an orphan must not linger.

    ``lifeline`` is the read end of a pipe whose only write end the build holds, so it reaches
    end-of-file exactly when the build dies.
    """
    try:
        lifeline.recv_bytes()
    except (EOFError, OSError):
        pass
    os._exit(1)


def _serve(job: Job, conn, lifeline) -> None:
    """Worker process: render each task received, answer with its outcome, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides when to stop
    threading.Thread(target=_watch_build, args=(lifeline,), daemon=True).start()
    try:
        worker = Worker(job)
    except Exception as exc:  # every report of this worker fails with the reason
        worker, broken = None, f"the worker could not start: {describe(exc)}"
    gc.freeze()  # the kernel and the exporter live as long as the process: keep them out of every collection
    gc.set_threshold(*GC_THRESHOLD)
    while (task := conn.recv()) is not None:
        conn.send(worker.render(task) if worker else Outcome(task, 0.0, error=broken))
    if worker:
        worker.close()


@dataclass
class _Process:
    """A worker process seen from the build: its pipe and the task it is running."""

    process: BaseProcess
    conn: Connection
    task: Task | None = None
    started: float = 0.0
    queue: deque = field(default_factory=deque)  # the rest of its region's languages


class LocalExecutor:
    """``jobs`` worker processes on this machine, each with a warm in-process kernel.

    Processes come from a fork server that has imported the heavy modules once, so starting one
    costs a fork. A process that dies (a crashing report) or overruns ``TASK_TIMEOUT`` (a hung
    report, then killed) fails only the report it was running; a fresh process takes the rest.
    """

    def __init__(self, jobs: int = 0, timeout: float = TASK_TIMEOUT):
        self.jobs = jobs or os.cpu_count() or 1
        self.timeout = timeout

    def close(self) -> None:
        """Nothing to release: workers live only as long as one ``run``."""

    def run(self, job: Job, groups: Iterable[list[Task]], total: int) -> Iterator[Outcome]:
        warm_up()
        context = get_context("forkserver")
        lifeline, held = context.Pipe(duplex=False)
        queue = iter(groups)
        pool: list[_Process] = []

        def start() -> _Process:
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(job, theirs, lifeline), daemon=True)
            process.start()
            theirs.close()
            return _Process(process, mine)

        def feed(worker: _Process) -> None:
            """Send the worker its next task (its region's next language, else a new region), if any."""
            if not worker.queue:
                worker.queue.extend(next(queue, ()))
            if worker.queue:
                worker.task, worker.started = worker.queue.popleft(), time.monotonic()
                worker.conn.send(worker.task)

        try:
            for _ in range(max(1, min(self.jobs, total))):
                worker = start()
                pool.append(worker)
                feed(worker)
            while any(w.task for w in pool):
                busy = [w for w in pool if w.task]
                deadline = min(w.started for w in busy) + self.timeout
                ready = connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                                        timeout=max(0.0, deadline - time.monotonic()))
                for worker in busy:
                    outcome = self._collect(worker, ready)
                    if outcome is None:
                        continue
                    yield outcome
                    if not worker.process.is_alive():  # replaced; it keeps its region's other languages
                        replacement = start()
                        replacement.queue = worker.queue
                        pool[pool.index(worker)] = worker = replacement
                    feed(worker)
        finally:  # also when the build stops early (--fail-fast, a signal): busy workers are stopped
            for worker in pool:
                if worker.task is None and worker.process.is_alive():
                    with suppress(OSError):  # it may have died just now
                        worker.conn.send(None)
                else:
                    worker.process.kill()
            for worker in pool:
                worker.process.join(timeout=10)
                if worker.process.is_alive():
                    worker.process.kill()
                    worker.process.join()
                worker.conn.close()
            lifeline.close()
            held.close()

    def _collect(self, worker: _Process, ready: list) -> Outcome | None:
        """The outcome of the worker's task if it is done, died or overran; None while it runs."""
        task, seconds = worker.task, round(time.monotonic() - worker.started, 3)
        if worker.conn in ready:
            try:
                outcome = worker.conn.recv()
            except (EOFError, OSError):  # died while answering
                outcome = None
            if outcome is not None:
                worker.task = None
                return outcome
        if worker.process.sentinel in ready or not worker.process.is_alive():
            worker.process.join()
            error = f"DeadKernelError: the worker process died (exit code {worker.process.exitcode}) while running this report"
        elif seconds >= self.timeout:
            worker.process.kill()
            worker.process.join()
            error = f"TimeoutError: no result after {self.timeout:.0f} s; the worker process was stopped"
        else:
            return None
        worker.task = None
        return Outcome(task, seconds, error=error)


# --- dask.distributed -------------------------------------------------------------------

# The warm worker of this Dask worker process for each job; one in-process kernel per process, so
# the threads of a multi-threaded Dask worker take turns (run workers with one thread each).
_DASK_WORKERS: dict[str, Worker] = {}
_DASK_LOCK = threading.Lock()


def _render_on_dask(job: Job, group: list[Task]) -> list[Outcome]:
    with _DASK_LOCK:
        worker = _DASK_WORKERS.get(job.digest)
        if worker is None:
            worker = _DASK_WORKERS[job.digest] = Worker(job)
        return [worker.render(task) for task in group]


def _close_dask_workers(digest: str) -> None:
    with _DASK_LOCK:
        worker = _DASK_WORKERS.pop(digest, None)
        if worker is not None:
            worker.close()


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
                                   host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
                                   preload=["analysis.build.worker_server"])
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
