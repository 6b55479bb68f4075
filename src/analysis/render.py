"""Rendering executed notebooks, the national overview and the portfolio index to self-contained HTML.

One nbconvert ``HTMLExporter`` with Cakupan's own template (no require.js, MathJax or any other
external resource), created once per worker and reused. Files are written atomically. Every page
links only to pages of the same portfolio (relative links) and loads nothing: styles, charts and
the index's small script are inline.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from analysis import __version__
from analysis.data import PROJECT_ROOT
from analysis.messages import fmt_datetime, fmt_pct, t
from analysis.params import load_params, params_digest
from analysis.regions import LEVELS, ROOT, is_valid_code, parent_of
from analysis.report import SUMMARY_MIME

if TYPE_CHECKING:
    import nbformat
    from jupyter_client import KernelManager
    from nbconvert import HTMLExporter

TEMPLATE_DIR = Path(str(files("analysis").joinpath("templates")))
CSS = (TEMPLATE_DIR / "cakupan" / "style.css").read_text(encoding="utf-8")
OVERVIEW_NOTEBOOK = PROJECT_ROOT / "notebooks" / "overview.ipynb"
OVERVIEW = "overview"  # file stem of the overview page in each language folder


def build_time() -> dt.datetime:
    """Build timestamp: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def make_exporter() -> HTMLExporter:
    from nbconvert import HTMLExporter  # heavy: imported only where pages are rendered

    return HTMLExporter(template_name="cakupan", extra_template_basedirs=[str(TEMPLATE_DIR)], exclude_input=True)


def extract_summary(nb: nbformat.NotebookNode) -> dict | None:
    """The summary the notebook published (see ``analysis.report.publish``)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if SUMMARY_MIME in output.get("data", {}):
                data = output["data"][SUMMARY_MIME]
                return json.loads(data) if isinstance(data, str) else dict(data)
    return None


def other_language(lang: str, languages: list[str]) -> str | None:
    others = [x for x in languages if x != lang]
    return others[0] if others else None


def index_name(lang: str, languages: list[str]) -> str:
    """``index.html`` for the first language, ``index-<lang>.html`` for the others."""
    return "index.html" if lang == languages[0] else f"index-{lang}.html"


@lru_cache(maxsize=8)
def _params_digest(params_path: str | None) -> str:
    """Digest of the parameters as loaded (defaults included); one build reads one file."""
    return params_digest(load_params(params_path))


def params_line(nb: nbformat.NotebookNode, lang: str) -> str:
    """Which parameter file and data folder the notebook ran with (names only, never a local path)."""
    used = nb.metadata.get("papermill", {}).get("parameters", {})
    params_path = used.get("params_path") or None
    return t("footer.params", lang, file=Path(params_path).name if params_path else "default.yaml",
             digest=_params_digest(params_path)[:12], data=Path(used["data_dir"]).name if used.get("data_dir") else "bundled")


def render_report(nb: nbformat.NotebookNode, summary: dict, languages: list[str], exporter: HTMLExporter, built: dt.datetime) -> str:
    """One page (a region report or the overview) from its executed notebook."""
    lang = summary["lang"]
    other = other_language(lang, languages)
    nav = [(f"../{index_name(lang, languages)}", t("nav.index", lang), None)]
    if summary["kode"] != OVERVIEW:
        nav.append((f"{OVERVIEW}.html", t("nav.overview", lang), None))
    if other:
        nav.append((f"../{other}/{summary['kode']}.html", t("index.other_language", lang), other))
    resources = {
        "cakupan": {
            "lang": lang,
            "title": summary["title"],
            "css": CSS,
            "version": __version__,
            "nav": nav,
            "nav_label": t("nav.label", lang),
            "skip_label": t("nav.skip", lang),
            "built_line": t("sources.built", lang, version=__version__, time=fmt_datetime(built, lang)),
            "params_line": params_line(nb, lang),
        }
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_text(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


_INDEX = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True, keep_trailing_newline=True)


def index_links(out: Path, lang: str) -> list[tuple[str, str]]:
    """Pages besides the regions that the index of ``lang`` links to, when they were built."""
    return [(f"{lang}/backtest.html", t("index.backtest", lang))] if (out / lang / "backtest.html").exists() else []


def _index_row(entry: dict, lang: str) -> dict:
    latest = entry.get("latest") or {}
    share = latest.get("cakupan")
    return {
        "kode": entry["kode"], "nama": entry.get("nama", entry["kode"]),
        "href": f"{lang}/{entry['kode']}.html" if entry.get("status") in ("built", "skipped") else None,
        "coverage": fmt_pct(share, lang) + (" ◇" if latest.get("sintetis") else "") if share is not None else "–",
        "coverage_sort": share if share is not None else -1,
        "year": latest.get("tahun", ""),
        "sample": bool(entry.get("sintetis")), "failed": entry.get("status") == "failed",
    }


def index_groups(entries: list[dict], lang: str) -> list[dict]:
    """Entries grouped by level (national first) and, below provinces, by parent; codes in order."""
    names = {e["kode"]: e.get("nama") for e in entries}
    groups: dict[tuple[int, str], dict] = {}
    for e in sorted(entries, key=lambda e: e["kode"]):
        level = e.get("tingkat") or ""
        parent = e.get("induk") or (parent_of(e["kode"]) if is_valid_code(e["kode"]) else None) or ""
        key = (LEVELS.index(level) if level in LEVELS else len(LEVELS), parent if level not in ("nasional", "provinsi") else "")
        if key not in groups:
            label = t(f"level.{level}", lang) if level in LEVELS else level
            if key[1] and key[1] != ROOT:
                label = t("index.group", lang, level=label, parent=e.get("induk_nama") or names.get(key[1]) or key[1])
            groups[key] = {"id": "g-" + "-".join(filter(None, (level, key[1]))).replace(".", "-"), "title": label, "rows": []}
        groups[key]["rows"].append(_index_row(e, lang))
    return [groups[k] for k in sorted(groups)]


def render_index(entries: list[dict], lang: str, languages: list[str], built: dt.datetime, extra_links: list[tuple[str, str]] = ()) -> str:
    """The portfolio index for one language: every region with its headline coverage and a link,
    grouped by level and parent, filterable and sortable offline (a small inline script)."""
    other = other_language(lang, languages)
    links = [(f"{lang}/{OVERVIEW}.html", t("nav.overview", lang)), *extra_links]
    return _INDEX.get_template("index.html.j2").render(
        lang=lang, groups=index_groups(entries, lang), count=len(entries), css=CSS, t=lambda key, **kw: t(key, lang, **kw),
        version=__version__, built_line=t("sources.built", lang, version=__version__, time=fmt_datetime(built, lang)),
        other=other, other_href=index_name(other, languages) if other else None,
        other_label=t("index.other_language", lang) if other else None, links=links,
    )


# --- the national overview -----------------------------------------------------------------

def overview_key(params: dict, data_dir: str, lang: str) -> str:
    """Input hash of one overview page: notebook, parameters, code, data files, boundaries, language."""
    from analysis.batch import code_digest
    from analysis.data import BUNDLED_DIR, REGION_TREE_FILE
    from analysis.maps import GEO_DIR

    h = hashlib.sha256()
    h.update(OVERVIEW_NOTEBOOK.read_bytes())
    h.update(params_digest(params).encode())
    h.update(code_digest().encode())
    data = Path(data_dir) if data_dir else BUNDLED_DIR
    for path in sorted([p for p in data.iterdir() if p.is_file()]) + [REGION_TREE_FILE, *sorted(GEO_DIR.glob("*.geojson"))]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(lang.encode())
    return h.hexdigest()


@contextmanager
def private_kernel(cwd: Path, kernel_name: str = "python3") -> Iterator[KernelManager]:
    """A started Jupyter kernel on IPC sockets in a private folder (no TCP port, nothing reachable
    from outside this machine), shut down on exit. Successive notebooks share it, so imports, the
    dataset and module-level caches load once."""
    from jupyter_client.manager import KernelManager

    sockets = tempfile.mkdtemp(prefix="cakupan-kernel-")
    km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(sockets, "k"),
                       connection_file=os.path.join(sockets, "kernel.json"))
    km.start_kernel(env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"}, cwd=str(cwd))
    try:
        yield km
    finally:
        km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


def build_overview(out: Path, params_path: str = "", data_dir: str = "", langs: list[str] | None = None,
                   exporter: HTMLExporter | None = None, built: dt.datetime | None = None, force: bool = False) -> list[Path]:
    """Execute ``notebooks/overview.ipynb`` with Papermill for each language and write
    ``<out>/<lang>/overview.html`` (and ``overview.json``, whose input hash lets the next build
    skip an unchanged page). Returns the pages. A failing notebook raises, naming the cell's error.
    """
    import papermill

    params = load_params(params_path or None)
    languages = params["languages"]
    langs = langs or languages
    exporter = exporter or make_exporter()
    built = built or build_time()
    todo = {}
    for lang in langs:
        key = overview_key(params, data_dir, lang)
        html_path, json_path = out / lang / f"{OVERVIEW}.html", out / lang / f"{OVERVIEW}.json"
        if force or not html_path.exists() or _stored_hash(json_path) != key:
            todo[lang] = key
    if todo:
        import nbformat

        template = nbformat.read(OVERVIEW_NOTEBOOK, as_version=4)
        with private_kernel(OVERVIEW_NOTEBOOK.parent) as km:
            for lang, key in todo.items():
                nb = copy.deepcopy(template)
                # The kernel is shared by both languages: each run starts from an empty namespace.
                nb.cells.insert(0, nbformat.v4.new_code_cell("get_ipython().run_line_magic('reset', '-f')", id="cakupan-reset"))
                nb = papermill.execute_notebook(
                    nb, None, parameters={"lang": lang, "params_path": params_path, "data_dir": data_dir},
                    kernel_name="python3", km=km, progress_bar=False, log_output=False,
                )
                summary = extract_summary(nb)
                if summary is None:
                    raise RuntimeError("the overview notebook published no summary")
                write_atomic(out / lang / f"{OVERVIEW}.html", render_report(nb, summary, languages, exporter, built))
                write_atomic(out / lang / f"{OVERVIEW}.json",
                             json_text({**summary, "input_hash": key, "version": __version__, "built": built.isoformat()}))
    return [out / lang / f"{OVERVIEW}.html" for lang in langs]


def _stored_hash(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("input_hash")
    except (OSError, ValueError):
        return None
