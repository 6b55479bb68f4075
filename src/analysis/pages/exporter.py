"""The published page as an nbconvert exporter, for every route to it.

``cakupan build`` renders pages with it (:func:`analysis.pages.render.make_exporter`), and it is
the ``nbconvert.exporters`` entry point ``cakupan`` (``pyproject.toml``): so JupyterLab's File →
Save and Export Notebook As lists it ("Cakupan") and ``jupyter nbconvert --to cakupan OUT.ipynb``
runs it. Outside a build it makes one self-contained file: the page's CSV files ride inside it as
``data:`` links (JupyterLab would otherwise hand over a zip of page and files). The template
``cakupan`` and its preprocessor (:mod:`analysis.pages.preprocessor`) do the rest.
"""

from __future__ import annotations

from importlib.resources import files

from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from traitlets import Bool, default

TEMPLATES = str(files("analysis.pages").joinpath("templates"))
SINGLE_FILE = "cakupan_single_file"  # resources key: the page's CSV files go inside the page


class PageExporter(HTMLExporter):
    """The ``cakupan`` template with the notebook's code and prompts left out.

    The page is the template's output as it is: ``HTMLExporter`` would parse it again with
    BeautifulSoup (a quarter of the export, for pages of charts as data URIs) only to add alt text
    to images without any and ``tabindex`` to JupyterLab's cell classes, and Cakupan's template has
    neither (every chart carries its alt text). The notebook is validated once, after the
    preprocessors, instead of after each of them.
    """

    export_from_notebook = "Cakupan page"
    single_file = Bool(True, help="Put the page's CSV files inside it as data: links instead of next to it").tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "cakupan"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [TEMPLATES]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("optimistic_validation")
    def _optimistic_validation_default(self) -> bool:
        return True

    def from_notebook_node(self, nb, resources=None, **kw):  # noqa: ANN001, ANN201 - nbconvert's interface
        resources = {**(resources or {}), SINGLE_FILE: self.single_file}
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
