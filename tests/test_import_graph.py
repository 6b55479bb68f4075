"""The import graph runs one way, by folder: core → data → model → pages → lab / build → CLI.

A module of ``analysis/<layer>/`` imports its own layer and the layers below, never one above (also
not inside a function or under ``TYPE_CHECKING``: a lazy import is still a dependency); ``lab`` and
``build`` stand side by side and import neither each other. No two modules import each other, at
any distance (no circle). The package's top (``__init__``, ``__main__``, ``cli``) may import any
layer; a new folder must be given a rank here before this test passes.
"""

from __future__ import annotations

import ast
from importlib.resources import files
from pathlib import Path

import pytest

PACKAGE = Path(str(files("analysis")))
RANK = {"core": 0, "data": 1, "model": 2, "pages": 3, "lab": 4, "build": 4, "": 5}  # "" is the package's top
TOP = {"__init__", "__main__", "cli"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANK) else ""


def resolve(name: str) -> str | None:
    """The ``analysis`` module a dotted name stands for (``analysis.pages.charts.img_tag`` → ``analysis.pages.charts``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_modules(source: str, importer: str = "") -> set[str]:
    """``analysis`` modules a source imports, at any depth (module level, inside functions, under TYPE_CHECKING)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "analysis":
            names = [a.name for a in node.names if not (node.module == "analysis" and a.name == "__version__")]
            # the version, which every layer may print, is the one name taken from the package's top
            for name in names:
                target = resolve(f"{node.module}.{name}")
                found.add(target if target and target != f"{node.module}" else resolve(node.module) or node.module)
        elif isinstance(node, ast.Import):
            found |= {resolve(a.name) or a.name for a in node.names if a.name.split(".")[0] == "analysis"}
    found.discard(importer)
    return found


GRAPH = {m: imported_modules(p.read_text(encoding="utf-8"), m) for m, p in MODULES.items()}


def test_the_package_top_holds_only_the_entry_points_and_the_layer_folders():
    top = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    assert top == {"__init__.py", "__main__.py", "cli.py"} | {name for name in RANK if name}


def test_every_folder_is_a_layer():
    assert {layer(m) for m in MODULES} <= set(RANK)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module):
    mine = layer(module)
    upward = {other for other in GRAPH[module]
              if other in MODULES and layer(other) != mine and RANK[layer(other)] >= RANK[mine]
              and not (mine == "" and layer(other) != "")}
    assert not upward, f"{module} ({mine or 'top'}) imports a layer at or above its own: {sorted(upward)}"


def test_no_import_circle():
    """Depth-first search for a cycle in the module graph (the package's ``__init__`` aside: every
    module imports ``__version__`` from it, and it loads its public names only on first use)."""
    graph = {m: {o for o in deps if o in MODULES and o != "analysis"} for m, deps in GRAPH.items() if m != "analysis"}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import circle: " + " → ".join(path[path.index(nxt):] + [node, nxt]) if nxt in path else f"{node} → {nxt}")
            if nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_the_public_face_names_what_notebooks_import():
    import analysis

    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
    for notebook in sorted((PACKAGE.parents[1] / "notebooks").glob("*.ipynb")):
        source = "\n".join("".join(c["source"]) for c in __import__("json").loads(notebook.read_text())["cells"] if c["cell_type"] == "code")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "analysis":
                assert {a.name for a in node.names} <= set(analysis.__all__), notebook.name


def test_the_check_sees_lazy_typing_and_package_imports():
    source = ("from analysis import __version__, RegionReport\nfrom analysis.pages import charts\ndef f():\n    from analysis.build.engine import build\n"
              "    import analysis.cli\nif TYPE_CHECKING:\n    from analysis.core.problems import Problem\n")
    assert imported_modules(source) == {"analysis.pages.charts", "analysis.build.engine", "analysis.cli",
                                        "analysis.core.problems", "analysis"}
