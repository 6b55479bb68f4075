"""The published page from any executed notebook, with plain nbconvert.

``jupyter nbconvert --to html --template cakupan OUT.ipynb`` finds the ``cakupan`` template
where the package installs it (``share/jupyter/nbconvert/templates/cakupan``, on the Jupyter data
path), and the template's ``conf.json`` runs :class:`PagePreprocessor`. From the summary the
notebook published (``publish(...)``), it gives the template what ``cakupan build`` gives it
(title, language, stylesheet, footer) and the page's data downloads; outside a build it also
hands nbconvert the CSV files to write next to the page. Inside ``cakupan build`` the resources
are already there and only the download links are added; the build writes the files itself.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor

from analysis import __version__
from analysis.pages import downloads
from analysis.pages.navigation import navigate
from analysis.pages.notebook_display import PAGE_MIME
from analysis.core.messages import fmt_datetime, t
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


class PagePreprocessor(Preprocessor):
    """Fills ``resources["cakupan"]`` from the notebook's summary (see the module notes)."""

    def preprocess(self, nb, resources: dict):  # noqa: ANN001, ANN201 - nbconvert's interface
        summary = extract_summary(nb)
        if summary is None:
            raise ValueError("this notebook holds no Cakupan summary: execute it first (papermill, or Run All in JupyterLab), "
                             "then convert the executed copy")
        if "cakupan" not in resources:
            resources["cakupan"] = page_resources(nb, summary)
            files = downloads.files(summary)
            # "./": nbconvert writes outputs under their folder, which must not be empty for a page in the current folder
            resources.setdefault("outputs", {}).update({f"./{name}": text.encode("utf-8") for name, text in files.items()})
            resources["cakupan"]["downloads"] = downloads.links(summary, files)
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
