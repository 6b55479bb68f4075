"""The published page from any executed notebook, with plain nbconvert.

``jupyter nbconvert --to html --template cakupan OUT.ipynb`` finds the ``cakupan`` template
where the package installs it (``share/jupyter/nbconvert/templates/cakupan``, on the Jupyter data
path), and the template's ``conf.json`` runs :class:`PagePreprocessor`. From the summary the
notebook published (``publish(...)``), it gives the template what ``cakupan build`` gives it
(title, language, stylesheet, footer) and the page's data downloads; outside a build it also
hands nbconvert the CSV files to write next to the page. Inside ``cakupan build`` the resources
are already there and only the download links are added; the build writes the files itself. For
a page of one file (:class:`analysis.pages.exporter.PageExporter`, JupyterLab's export) the CSV
files go inside the page as ``data:`` links. A notebook that published nothing (no ``publish(...)``
cell, or not executed) is refused in one line.
"""

from __future__ import annotations

import base64
from typing import NoReturn

from nbconvert.preprocessors import Preprocessor

from analysis import __version__
from analysis.pages import downloads
from analysis.core.messages import fmt_datetime, t, t_each
from analysis.pages.exporter import SINGLE_FILE
from analysis.pages.navigation import navigate
from analysis.pages.notebook_display import PAGE_MIME
from analysis.pages.render import CSS, extract_summary, params_line
from analysis.core.writing import build_time


def page_resources(nb, summary: dict) -> dict:  # noqa: ANN001 - a NotebookNode
    """What the template needs for a page that stands alone (no portfolio around it: no navigation)."""
    lang = summary["lang"]
    return {
        "lang": lang, "title": summary["title"], "css": CSS, "version": __version__, "nav": [],
        "nav_label": t("nav.label", lang), "skip_label": t("nav.skip", lang),
        "built_line": t("sources.built", lang, version=__version__, time=fmt_datetime(build_time(), lang)),
        "params_line": params_line(nb, lang),
    }


def data_link(text: str) -> str:
    """A CSV file as a ``data:`` link, so a page of one file still offers its data."""
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def refuse(message: str) -> NoReturn:
    """Stop the conversion with ``message``: on ``jupyter nbconvert``'s command line as one line and
    exit status 2 (not a traceback); elsewhere (JupyterLab's export, a build) as an exception."""
    from nbconvert.nbconvertapp import NbConvertApp

    if NbConvertApp.initialized():
        app = NbConvertApp.instance()
        app.log.error(message)
        app.exit(2)
    raise ValueError(message)


class PagePreprocessor(Preprocessor):
    """Fills ``resources["cakupan"]`` from the notebook's summary (see the module notes)."""

    def preprocess(self, nb, resources: dict):  # noqa: ANN001, ANN201 - nbconvert's interface
        summary = extract_summary(nb)
        if summary is None:
            name = (resources.get("metadata") or {}).get("name") or "notebook"
            refuse(t_each("workbench.export.no_summary", name=f"{name}.ipynb"))
        if "cakupan" not in resources:
            resources["cakupan"] = page_resources(nb, summary)
            files = downloads.files(summary)
            links = downloads.links(summary, files)
            if resources.get(SINGLE_FILE):  # one file (JupyterLab's export): the CSV files inside the page
                links = [(data_link(files[name]), label) for name, label in links]
            else:  # "./": nbconvert writes outputs under their folder, which must not be empty for a page in the current folder
                resources.setdefault("outputs", {}).update({f"./{name}": text.encode("utf-8") for name, text in files.items()})
            resources["cakupan"]["downloads"] = links
        if "downloads" not in resources["cakupan"]:  # a build gives them (analysis.pages.render.render_report)
            resources["cakupan"]["downloads"] = downloads.links(summary)
        resources["cakupan"].setdefault("downloads_title", t("downloads.title", summary["lang"]))
        resources["cakupan"].setdefault("downloads_lead", t("downloads.lead", summary["lang"]))
        resources["cakupan"].setdefault("self_label", t("nav.self", summary["lang"]))
        _navigate(nb, resources["cakupan"])
        return nb, resources


def _navigate(nb, page: dict) -> None:  # noqa: ANN001 - a NotebookNode
    """The page's blocks with the first use of each term linked to the glossary and the table of contents
    (``analysis.pages.navigation``), the downloads section the template adds included."""
    outputs = [out for cell in nb.cells for out in cell.get("outputs", []) if PAGE_MIME in out.get("data", {})]
    after = [("unduh", page["downloads_title"])] if page.get("downloads") else []
    for out, block in zip(outputs, navigate([out["data"][PAGE_MIME] for out in outputs], page["lang"], after)):
        out["data"][PAGE_MIME] = block
