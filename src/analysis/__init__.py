"""Cakupan: coverage of Indonesian workers by BPJS Ketenagakerjaan (jamsostek).

The package is layered; a module imports its own layer and those below, never one above:

    core → data → model → pages → lab / build → cli (and ``__main__``, the ``cakupan`` command)

``core`` problems, messages, safe writing; ``data`` the data contract, region tree and importers;
``model`` metrics, forecasts, scenarios and each region's facts; ``pages`` the page blocks, charts
and HTML; ``lab`` what notebooks use in JupyterLab; ``build`` the batch engine and its workers.
``docs/architecture.md`` has the diagram. What notebooks and users import is named in
``__all__`` below and loaded on first use, so ``import analysis`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cakupan")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+src"

# public name → the module that holds it
_PUBLIC = {
    "RegionReport": "analysis.pages.region_page",
    "publish": "analysis.pages.region_page",
    "Overview": "analysis.pages.overview",
    "NotLoaded": "analysis.lab.parameters",
    "text_params": "analysis.lab.parameters",
    "LeverBoard": "analysis.lab.explore",
    "comparison": "analysis.lab.explore",
    "comparison_table": "analysis.lab.explore",
    "load_reports": "analysis.lab.explore",
    "move_levers": "analysis.lab.explore",
    "parse_codes": "analysis.lab.explore",
    "load_dataset": "analysis.data.contract",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> object:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
