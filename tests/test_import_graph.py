"""The import graph runs one way: data → analysis → plots → pages → batch → CLI.

Every ``analysis`` module is placed in one layer here; a module may import its own layer and the
layers below, never one above (also not inside a function: a lazy import is still a dependency).
A new module must be placed before this test passes, so the order is decided, not drifted into.
"""

from __future__ import annotations

import ast
from importlib.resources import files
from pathlib import Path

import pytest

LAYERS = [
    ("data", {"__init__", "writing", "errors", "messages", "regions", "data", "bundle", "sample", "importers", "destinations", "table_measures"}),
    ("analysis", {"metrics", "forecast", "scenarios", "ranking", "params", "checks", "backtest", "portfolio", "facts", "summary", "forecast_models", "frames", "downloads"}),
    ("plots", {"svg_text", "plots", "maps"}),
    ("pages", {"workbench", "explore", "standalone", "markup", "outlook_blocks", "report", "overview", "render", "backtest_report"}),
    ("batch", {"preload", "stamps", "inprocess", "executors", "warm", "batch"}),
    ("CLI", {"cli", "launch", "__main__"}),
]
LAYER = {module: i for i, (_, modules) in enumerate(LAYERS) for module in modules}
PACKAGE = Path(str(files("analysis")))


def imported_modules(source: str) -> set[str]:
    """``analysis`` modules a source imports, at any depth (module level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "analysis":  # from analysis import plots, report
                found |= {alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists()}
                found |= {"__init__"} if any(not (PACKAGE / f"{a.name}.py").exists() for a in node.names) else set()
            elif node.module.startswith("analysis."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("analysis.")}
    return found


def modules() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py"))


def test_every_module_has_a_layer():
    assert set(modules()) <= set(LAYER), f"place these modules in LAYERS: {sorted(set(modules()) - set(LAYER))}"


@pytest.mark.parametrize("module", modules())
def test_no_module_imports_a_higher_layer(module):
    source = (PACKAGE / f"{module}.py").read_text(encoding="utf-8")
    upward = {other: LAYERS[LAYER[other]][0] for other in imported_modules(source)
              if other in LAYER and LAYER[other] > LAYER[module]}
    assert not upward, f"{module} ({LAYERS[LAYER[module]][0]}) imports a higher layer: {upward}"


def test_the_check_sees_lazy_and_package_imports():
    source = "from analysis import plots, __version__\ndef f():\n    from analysis.batch import x\n    import analysis.cli\n"
    assert imported_modules(source) == {"plots", "__init__", "batch", "cli"}
