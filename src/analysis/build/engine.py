"""Batch build: which reports to make, which are already current, and the bookkeeping around them.

Each report's key is a hash of the notebook, the parameters, the code, the region tree and the
data rows of the region's lineage and subtree, so unchanged reports are skipped. The rendering
itself happens on warm kernels (``analysis.build.executors``); this module alone writes into the output
folder, while holding its lock, and every file is written atomically: an interrupted build never
leaves a half-written page or manifest, and the next build only does what is missing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.build import stamps
from analysis.data.contract import PROJECT_ROOT, Dataset
from analysis.build.executors import DaskExecutor, Job, LocalExecutor, Outcome, Task
from analysis.core.messages import cli_language, fmt_num, t
from analysis.model.params import LANGUAGES, params_digest
from analysis.data.portfolio import OVERVIEW, REGION
from analysis.build.preload import MANIFEST_NAME
from analysis.data.regions import ROOT, RegionTree, is_valid_code
from analysis.core.writing import BuildLock, WriteError, build_time, json_text, write_atomic, write_files

NOTEBOOK = PROJECT_ROOT / "notebooks" / "region_report.ipynb"
OVERVIEW_NOTEBOOK = PROJECT_ROOT / "notebooks" / "overview.ipynb"
INDEX_LEVELS = ("nasional", "provinsi", "kabkota")  # on the main index; deeper levels get one page per kab/kota
INDEX_FIELDS = ("kode", "nama", "tingkat", "induk", "induk_nama", "sintetis", "latest")  # of a summary, for the index


# --- selection and keys ------------------------------------------------------------------

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


class DataDigests:
    """Digests of the data each report reads: a region's own rows, its ancestors' and its subtree's.

    Reports show their own rows, their ancestors' definition breaks and their children (ranking,
    reconciliation), so a key covers the lineage and the whole subtree. Codes sort so that a
    subtree is one contiguous run (``32`` < ``32.01`` < ``32.01.01`` < ``33``).
    """

    def __init__(self, ds: Dataset):
        tables = [_row_digests(t) for t in (ds.participants, ds.workforce, ds.references, ds.breaks)]
        self.own = {c: "|".join(t.get(c, "") for t in tables) for c in sorted(set().union(*tables))}
        self.codes = list(self.own)
        self._subtree: dict[str, str] = {}

    def subtree(self, code: str) -> str:
        if code not in self._subtree:
            lo, hi = (0, len(self.codes)) if code == ROOT else (bisect.bisect_left(self.codes, code), bisect.bisect_left(self.codes, code + "/"))
            h = hashlib.sha256()
            for c in self.codes[lo:hi]:
                h.update(f"{c}={self.own[c]};".encode())
            self._subtree[code] = h.hexdigest()
        return self._subtree[code]


def task_keys(ds: Dataset, params: dict, notebook: str, codes: list[str], langs: list[str]) -> dict[tuple[str, str], str]:
    """Input hash of every (region, language) report."""
    base = hashlib.sha256()
    for part in (notebook, params_digest(params), code_digest(), ds.sources.to_csv(index=False)):
        base.update(part.encode())
        base.update(b"\0")
    tree = ds.regions.table.reset_index()
    base.update(pd.util.hash_pandas_object(tree.astype(str), index=False).to_numpy().tobytes())
    data = DataDigests(ds)
    keys = {}
    for code in codes:
        h = base.copy()
        for ancestor in ds.regions.ancestors(code):
            h.update(f"|{ancestor}={data.own.get(ancestor, '')}".encode())
        h.update(f"|{code}:{data.subtree(code)}".encode())
        for lang in langs:
            keys[(code, lang)] = hashlib.sha256(h.digest() + lang.encode()).hexdigest()
    return keys


def overview_keys(params: dict, data_dir: str, notebook: str, langs: list[str]) -> dict[str, str]:
    """Input hash of the overview page in each language: notebook, parameters, code, every data
    file, the region tree and the published files it draws from (the boundaries are among them),
    read once for all languages; then the language.

    The whole of ``data/raw`` is hashed rather than the map module's boundary files, so that
    deciding whether the overview is current never imports the chart stack (1.1 MB to read).
    """
    from analysis.data.contract import BUNDLED_DIR, RAW_DIR, REGION_TREE_FILE

    h = hashlib.sha256()
    for part in (notebook, params_digest(params), code_digest()):
        h.update(part.encode())
        h.update(b"\0")
    data = Path(data_dir) if data_dir else BUNDLED_DIR
    raw = sorted(p for p in RAW_DIR.rglob("*") if p.is_file())
    for path in sorted([p for p in data.iterdir() if p.is_file()]) + [REGION_TREE_FILE, *raw]:
        h.update((path.relative_to(RAW_DIR).as_posix() if path in raw else path.name).encode())
        h.update(path.read_bytes())
    return {lang: hashlib.sha256(h.digest() + lang.encode()).hexdigest() for lang in langs}


def output_paths(out: Path, kode: str, lang: str) -> tuple[Path, Path]:
    """Page and summary of one report; the code is checked again so it can never leave ``out``."""
    if not (is_valid_code(kode) or kode == OVERVIEW) or lang not in LANGUAGES:
        raise ValueError(f"not a report name: {kode!r} {lang!r}")
    return out / lang / f"{kode}.html", out / lang / f"{kode}.json"


def is_current(out: Path, task: Task) -> dict | None:
    """The stored summary when the report exists and was built from the same inputs."""
    html_path, json_path = output_paths(out, task.kode, task.lang)
    if not html_path.exists():
        return None
    try:
        stored = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored if isinstance(stored, dict) and stored.get("input_hash") == task.key else None


# --- results, manifest, lock -------------------------------------------------------------

@dataclass
class Result:
    kode: str
    lang: str
    status: str  # built, skipped, failed
    output: str | None
    seconds: float
    input_hash: str
    error: str | None = None

    def manifest_entry(self) -> dict:
        return asdict(self)


class Manifest:
    """``build.json``: one entry per region report (``reports``) and per other page such as the
    national overview (``pages``), rewritten atomically as the build goes.

    Rewrites are spaced so that they never take more than a few percent of the build, however
    many reports it lists.
    """

    def __init__(self, path: Path, built: dt.datetime):
        self.path, self.built = path, built
        self.entries: dict[tuple[str, str], dict] = {}
        self.stamp: dict | None = None  # what a complete build without failures read and left (analysis.build.stamps)
        self._next_flush = 0.0

    def add(self, result: Result) -> None:
        self.entries[(result.kode, result.lang)] = result.manifest_entry()
        if time.monotonic() >= self._next_flush:
            self.flush()

    def flush(self, complete: bool = False) -> None:
        start = time.monotonic()
        reports = [self.entries[k] for k in sorted(self.entries) if is_valid_code(k[0])]
        counts: dict[str, int] = {}
        for e in reports:
            counts[e["status"]] = counts.get(e["status"], 0) + 1
        doc = {"version": __version__, "built": self.built.isoformat(), "complete": complete, "counts": counts, "reports": reports}
        pages = [self.entries[k] for k in sorted(self.entries) if not is_valid_code(k[0])]
        if pages:
            doc["pages"] = pages
        if self.stamp is not None:
            doc["stamp"] = self.stamp
        write_atomic(self.path, json_text(doc))
        now = time.monotonic()
        self._next_flush = now + max(2.0, 30 * (now - start))


class Interrupted(KeyboardInterrupt):
    """The build was stopped by a signal (SIGINT or SIGTERM); finished reports are kept."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM stop the build the same orderly way (manifest flushed, workers closed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _remove_stale_temporaries(out: Path, langs: Iterable[str]) -> None:
    """Temporary files of a build killed mid-write (never visible as pages, but not left to pile up)."""
    for folder in (out, *(out / lang for lang in langs)):
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)


# --- the build ---------------------------------------------------------------------------

@dataclass
class BuildOptions:
    out: Path
    params: dict
    params_path: str = ""
    data_dir: str = ""
    notebook: Path | None = None  # the region notebook (default: notebooks/region_report.ipynb)
    overview_notebook: Path | None = None  # default: notebooks/overview.ipynb
    jobs: int = 0
    force: bool = False
    fail_fast: bool = False
    languages: list[str] | None = None
    # A complete build without failures records both in its stamp (analysis.build.stamps): the command-line
    # words, and the digests of the inputs taken before they were read (stamps.inputs).
    command: list[str] | None = None
    read: dict | None = None
    progress: Callable[[int, int, Result], None] | None = None
    executor: LocalExecutor | DaskExecutor | None = None  # LocalExecutor(jobs) when not given


def index_entry(summary: dict) -> dict:
    """The few fields of a summary the index shows (kept for every report, so kept small); the
    region's ``status`` is kept as ``region_status``, apart from the build's status of the report."""
    entry = {k: summary[k] for k in INDEX_FIELDS if k in summary}
    if "status" in summary:
        entry["region_status"] = summary["status"]
    return entry


def _store(out: Path, outcome: Outcome, built: dt.datetime) -> Result:
    """Write one rendered report as one group: downloads, page, then the summary whose input hash
    marks it complete; a refusal leaves the report's earlier files, all of them, as they were."""
    task = outcome.task
    if outcome.error is not None:
        return Result(task.kode, task.lang, "failed", None, outcome.seconds, task.key, outcome.error)
    html_path, json_path = output_paths(out, task.kode, task.lang)
    files = {html_path.parent / name: text for name, text in outcome.files.items()}  # the page links them: renamed first
    files[html_path] = outcome.page
    files[json_path] = json_text({**outcome.summary, "input_hash": task.key, "version": __version__, "built": built.isoformat()})
    try:
        write_files(files, root=out)
    except WriteError as exc:  # this report fails (listed, exit 1); its earlier files all stay as they were
        return Result(task.kode, task.lang, "failed", None, outcome.seconds, task.key, exc.message())
    return Result(task.kode, task.lang, "built", html_path.relative_to(out).as_posix(), outcome.seconds, task.key)


def build(ds: Dataset, codes: list[str], opts: BuildOptions) -> list[Result]:
    """Build every (region, language) report, and the national overview when the national report
    is among them; returns one result per page reached.

    Raises ``BuildLocked`` when another build holds ``opts.out`` and ``Interrupted`` on SIGINT/SIGTERM.
    """
    built = build_time()
    langs = opts.languages or opts.params["languages"]
    notebooks = {REGION: (opts.notebook or NOTEBOOK).read_text(encoding="utf-8")}
    keys = task_keys(ds, opts.params, notebooks[REGION], codes, langs)
    # The overview first: the longest report starts while the regions fill the other workers.
    tasks = []
    if ROOT in codes:
        notebooks[OVERVIEW] = (opts.overview_notebook or OVERVIEW_NOTEBOOK).read_text(encoding="utf-8")
        keys_overview = overview_keys(opts.params, opts.data_dir, notebooks[OVERVIEW], langs)
        tasks += [Task(OVERVIEW, lang, keys_overview[lang], OVERVIEW) for lang in langs]
    tasks += [Task(code, lang, keys[(code, lang)]) for code in codes for lang in langs]
    with BuildLock(opts.out), _stop_on_signals():
        results: list[Result] = []
        try:
            _remove_stale_temporaries(opts.out, langs)
            manifest = Manifest(opts.out / MANIFEST_NAME, built)
            entries: dict[tuple[str, str], dict] = {}
            todo = []
            for task in tasks:
                stored = None if opts.force else is_current(opts.out, task)
                if stored is None:
                    todo.append(task)
                    continue
                results.append(Result(task.kode, task.lang, "skipped", f"{task.lang}/{task.kode}.html", 0.0, task.key))
                entries[(task.kode, task.lang)] = index_entry(stored)
            for i, result in enumerate(results, 1):
                manifest.add(result)
                if opts.progress:
                    opts.progress(i, len(tasks), result)
            complete = False
            try:
                job = Job(tuple(notebooks.items()), opts.params_path, opts.data_dir, tuple(opts.params["languages"]), built.isoformat())
                complete = not _run(todo, job, opts, built, manifest, results, entries, len(tasks)) if todo else True
            finally:
                manifest.flush(complete=complete)
            indexes = write_indexes(ds.regions, codes, langs, entries, results, opts, built)
            if complete and opts.command is not None and opts.read is not None and all(r.status != "failed" for r in results):
                manifest.stamp = _stamp(opts, results, indexes, langs)
                manifest.flush(complete=True)
        except WriteError as exc:  # the build had begun: what was built stays, the command line lists the rest (exit 1)
            exc.results = results
            raise
    return results


def build_inputs(params_path: str | None, data_dir: str | None, notebook: Path | None = None,
                 overview_notebook: Path | None = None) -> tuple[list[Path], list[Path]]:
    """The folders and files a build reads: the package (code, templates, messages), the data
    folder and the published files under data/raw; the notebooks and the parameters."""
    from analysis.data.contract import BUNDLED_DIR, RAW_DIR
    from analysis.model.params import DEFAULT_PARAMS

    folders = [Path(str(files("analysis"))), Path(data_dir) if data_dir else BUNDLED_DIR, RAW_DIR]
    return folders, [notebook or NOTEBOOK, overview_notebook or OVERVIEW_NOTEBOOK, Path(params_path) if params_path else DEFAULT_PARAMS]


def _stamp(opts: BuildOptions, results: list[Result], indexes: list[Path], langs: list[str]) -> dict:
    """What this build read and left, for the next build of the same words (``analysis.build.stamps``)."""
    from analysis.pages.render import index_extras, index_name

    pages = [path for r in results for path in output_paths(opts.out, r.kode, r.lang)]
    pages += [page for lang in langs for page in index_extras(opts.out, lang)]  # present or not: either way the indexes show it
    return stamps.record(opts.command, opts.read, opts.out, pages + indexes, index_name(langs[0], opts.params["languages"]))


def _run(tasks: list[Task], job: Job, opts: BuildOptions, built: dt.datetime, manifest: Manifest,
         results: list[Result], entries: dict, total: int) -> bool:
    """Render and store the tasks; True when stopped early by --fail-fast."""
    executor = opts.executor or LocalExecutor(opts.jobs)
    groups: dict[tuple[str, str], list[Task]] = {}
    for task in tasks:  # a page's languages together, on one kernel
        groups.setdefault((task.notebook, task.kode), []).append(task)
    stream = executor.run(job, groups.values(), len(groups))
    try:
        for outcome in stream:
            result = _store(opts.out, outcome, built)
            results.append(result)
            manifest.add(result)
            if outcome.summary is not None:
                entries[(result.kode, result.lang)] = index_entry(outcome.summary)
            if opts.progress:
                opts.progress(len(results), total, result)
            if opts.fail_fast and result.status == "failed":
                return True
    finally:
        stream.close()
    return False


def write_indexes(regions: RegionTree, codes: list[str], langs: list[str], entries: dict, results: list[Result],
                  opts: BuildOptions, built: dt.datetime) -> list[Path]:
    """Every region's status in one file (``regions.csv``, ``regions.json``: all levels, in the
    first language built) and the index of each language (``index.html`` for the first,
    ``index-<lang>.html`` for the others), which links them: files first, then the pages.

    Kecamatan and desa are listed on one page per kab/kota (``index-32.04.html``,
    ``index-en-32.04.html``), linked from the main index, so no page grows with the country.
    Returns the paths written.
    """
    from analysis.pages import region_list
    from analysis.pages.render import index_links, index_name, render_index

    status = {(r.kode, r.lang): r.status for r in results}
    languages = opts.params["languages"]
    written = []
    for lang in langs:
        main, deeper = [], {}
        for code in codes:
            if (code, lang) not in status:
                continue
            entry = {"kode": code, "status": status[(code, lang)], **entries.get((code, lang), {})}
            entry.setdefault("nama", regions.name(code))
            entry.setdefault("tingkat", regions.level(code))
            (main if entry["tingkat"] in INDEX_LEVELS else deeper.setdefault(code[:5], [])).append(entry)
        if lang == langs[0]:
            for file_name, text in region_list.files(main + [e for group in deeper.values() for e in group], lang).items():
                write_atomic(opts.out / file_name, text)
                written.append(opts.out / file_name)
        name = index_name(lang, languages)
        pages = {kab: name.replace(".html", f"-{kab}.html") for kab in deeper}
        label = f"{t('level.kecamatan', lang)} / {t('level.desa', lang)}"
        links = index_links(opts.out, lang) + [(pages[kab], f"{label}: {regions.name(kab)}") for kab in deeper]
        write_atomic(opts.out / name, render_index(main, lang, languages, built, links, region_list.FILES), root=opts.out)
        written.append(opts.out / name)
        for kab, group in deeper.items():
            write_atomic(opts.out / pages[kab], render_index(group, lang, languages, built, [(name, t("index.title", lang))], region_list.FILES), root=opts.out)
            written.append(opts.out / pages[kab])
    return written


def progress_printer(stream=sys.stderr, lang: str | None = None) -> Callable[[int, int, Result], None]:
    """tqdm bar on a terminal; plain periodic lines otherwise, in ``lang`` (default: the command
    line's language). Count, rate and ETA leave out the skipped reports (they come first and take
    no time, so they would make the rate meaningless)."""
    lang = lang or cli_language()
    skipped = 0
    if stream.isatty():
        from tqdm import tqdm

        bar = None

        def update(done: int, total: int, result: Result) -> None:
            nonlocal bar, skipped
            if bar is None and result.status == "skipped" and done < total:
                skipped += 1
                return
            if bar is None:
                bar = tqdm(total=total, initial=skipped, desc=t("cli.progress_bar.desc", lang), unit=t("cli.progress_bar.unit", lang),
                           file=stream, dynamic_ncols=True)
            bar.update(1)
            bar.set_postfix_str(f"{result.kode} {result.lang} {t(f'cli.status.{result.status}', lang)}", refresh=False)
            if done == total:
                bar.close()

        return update
    last, start = 0.0, time.monotonic()

    def plain(done: int, total: int, result: Result) -> None:
        nonlocal last, start, skipped
        now = time.monotonic()
        if result.status == "skipped" and done == skipped + 1:
            skipped, start = done, now
        if done == total or now - last >= 5 or result.status == "failed":
            rate = (done - skipped) / (now - start) if now > start else 0.0
            eta = f"{(total - done) / rate:.0f}s" if rate > 0 else "-"
            print(t("cli.progress", lang, done=done, total=total, skipped=skipped, rate=fmt_num(rate, lang, 2), eta=eta, kode=result.kode,
                    language=result.lang, status=t(f"cli.status.{result.status}", lang)), file=stream, flush=True)
            last = now

    return plain


def summarize(results: Iterable[Result]) -> dict:
    """Region reports by status, as ``build.json`` counts them, and the other pages (the national
    overview) apart under ``pages``."""
    counts: dict = {"built": 0, "skipped": 0, "failed": 0, "pages": {"built": 0, "skipped": 0, "failed": 0}}
    for r in results:
        (counts if is_valid_code(r.kode) else counts["pages"])[r.status] += 1
    return counts
