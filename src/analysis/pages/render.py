"""Rendering executed notebooks, the national overview and the portfolio index to self-contained HTML.

One nbconvert ``HTMLExporter`` with Cakupan's own template (no require.js, MathJax or any other
external resource), created once per worker and reused. Files are written atomically. Every page
links only to pages of the same portfolio (relative links) and loads nothing: styles, charts and
the index's small script are inline.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from analysis import __version__
from analysis.pages import downloads, region_list
from analysis.pages.search import NORMALISE_JS, search_text
from analysis.core.messages import fmt_datetime, t
from analysis.model.params import load_params, params_digest
from analysis.data.portfolio import OVERVIEW
from analysis.data.regions import LEVELS, ROOT, is_valid_code, parent_of

if TYPE_CHECKING:
    import nbformat
    from nbconvert import HTMLExporter

TEMPLATE_DIR = Path(str(files("analysis.pages").joinpath("templates")))
CSS = (TEMPLATE_DIR / "cakupan" / "style.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def make_exporter() -> HTMLExporter:
    """The process's exporter (:class:`analysis.pages.exporter.PageExporter`), its template compiled
    once (it keeps no state between pages)."""
    from analysis.pages.exporter import PageExporter  # heavy (nbconvert): imported only where pages are rendered

    exporter = PageExporter()
    exporter.template  # noqa: B018 -- loads and compiles the template now
    return exporter


def extract_summary(nb: nbformat.NotebookNode) -> dict | None:
    """The summary the notebook published (see ``analysis.pages.region_page.publish``)."""
    from analysis.pages.region_page import SUMMARY_MIME  # here: deciding what is current must not import the chart stack

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


def render_report(nb: nbformat.NotebookNode, summary: dict, languages: list[str], exporter: HTMLExporter, built: dt.datetime,
                  files: dict[str, str] | None = None) -> str:
    """One page (a region report or the overview) from its executed notebook; ``files``: its
    downloads (``analysis.pages.downloads.files``) when already made, so the page lists them without
    building the tables again."""
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
    if files is not None:
        resources["cakupan"]["downloads"] = downloads.links(summary, files)
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


_INDEX = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True, keep_trailing_newline=True)


def index_extras(out: Path, lang: str) -> list[Path]:
    """Pages besides the regions that the index of ``lang`` links to when they exist (made by other commands)."""
    return [out / lang / "backtest.html"]


def index_links(out: Path, lang: str) -> list[tuple[str, str]]:
    """Links of the index of ``lang`` to the pages of :func:`index_extras` that exist."""
    return [(page.relative_to(out).as_posix(), t("index.backtest", lang)) for page in index_extras(out, lang) if page.exists()]


def _index_row(entry: dict, lang: str) -> dict:
    return {
        "kode": entry["kode"], "nama": entry.get("nama", entry["kode"]), "search": search_text(entry["kode"], entry.get("nama", "")),
        "href": f"{lang}/{entry['kode']}.html" if entry.get("status") in ("built", "skipped") else None,
        **region_list.index_cells(entry, lang), "failed": entry.get("status") == "failed",
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


def index_banner(groups: list[dict], lang: str) -> str | None:
    """The sample banner's text when the index shows any value marked ◇ (a headline, a status or a
    year reached that rests on sample rows), else None."""
    shows_sample = any(row[f"{cell}_sample"] for group in groups for row in group["rows"] for cell in ("coverage", "status", "reached"))
    return t("banner.sample", lang) if shows_sample else None


def render_index(entries: list[dict], lang: str, languages: list[str], built: dt.datetime, extra_links: list[tuple[str, str]] = (),
                 region_files: tuple[str, ...] = ()) -> str:
    """The portfolio index for one language: every region with its headline coverage and year, its
    status and a link, grouped by level and parent, searchable and sortable offline (a small inline
    script), with the sample banner when any value it shows rests on sample rows; ``region_files``: every
    region's status in one file (``regions.csv``, ``regions.json``), linked when the build wrote them."""
    other = other_language(lang, languages)
    links = [(f"{lang}/{OVERVIEW}.html", t("nav.overview", lang)), *extra_links]
    groups = index_groups(entries, lang)
    return _INDEX.get_template("index.html.j2").render(
        lang=lang, groups=groups, banner=index_banner(groups, lang), count=len(entries), css=CSS, t=lambda key, **kw: t(key, lang, **kw),
        version=__version__, built_line=t("sources.built", lang, version=__version__, time=fmt_datetime(built, lang)),
        other=other, other_href=index_name(other, languages) if other else None,
        other_label=t("index.other_language", lang) if other else None, links=links,
        region_files=region_files, normalise_js=NORMALISE_JS,
    )
