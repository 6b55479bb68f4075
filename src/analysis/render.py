"""Rendering executed notebooks and the portfolio index to self-contained HTML.

One nbconvert ``HTMLExporter`` with Cakupan's own template (no require.js, MathJax or any other
external resource), created once per worker and reused. Files are written atomically.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import tempfile
from importlib.resources import files
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

from analysis import __version__
from analysis.messages import fmt_datetime, fmt_pct, t
from analysis.report import SUMMARY_MIME

TEMPLATE_DIR = Path(str(files("analysis").joinpath("templates")))
CSS = (TEMPLATE_DIR / "cakupan" / "style.css").read_text(encoding="utf-8")


def build_time() -> dt.datetime:
    """Build timestamp: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def make_exporter() -> HTMLExporter:
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


def render_report(nb: nbformat.NotebookNode, summary: dict, languages: list[str], exporter: HTMLExporter, built: dt.datetime) -> str:
    lang = summary["lang"]
    other = other_language(lang, languages)
    resources = {
        "cakupan": {
            "lang": lang,
            "title": summary["title"],
            "css": CSS,
            "version": __version__,
            "index_label": t("index.title", lang),
            "other_lang": other,
            "other_lang_href": f"../{other}/{summary['kode']}.html" if other else None,
            "other_lang_label": t("index.other_language", lang) if other else None,
            "built_line": t("sources.built", lang, version=__version__, time=fmt_datetime(built, lang)),
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


def render_index(entries: list[dict], lang: str, languages: list[str], built: dt.datetime, extra_links: list[tuple[str, str]] = ()) -> str:
    """The portfolio index for one language: every region, headline coverage and a link."""
    rows = []
    for e in entries:
        latest = e.get("latest") or {}
        rows.append({
            "kode": e["kode"], "nama": e.get("nama", e["kode"]), "tingkat": t(f"level.{e['tingkat']}", lang) if e.get("tingkat") else "",
            "level_key": e.get("tingkat", ""), "induk": e.get("induk_nama", ""),
            "href": f"{lang}/{e['kode']}.html" if e.get("status") in ("built", "skipped") else None,
            "coverage": fmt_pct(latest.get("cakupan"), lang) if latest else "–",
            "coverage_sort": latest.get("cakupan") if latest and latest.get("cakupan") is not None else -1,
            "year": latest.get("tahun", "") if latest else "",
            "sample": bool(e.get("sintetis")), "failed": e.get("status") == "failed",
        })
    template = _INDEX.get_template("index.html.j2")
    other = other_language(lang, languages)
    return template.render(
        lang=lang, rows=rows, css=CSS, t=lambda key, **kw: t(key, lang, **kw), version=__version__,
        built_line=t("sources.built", lang, version=__version__, time=fmt_datetime(built, lang)),
        other=other, other_label=t("index.other_language", lang) if other else None, extra_links=list(extra_links),
        escape=html.escape,
    )
