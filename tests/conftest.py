"""Shared fixtures.

``built_portfolio``: a small published portfolio built once per test session by the real
command line (``cakupan build --region ID 32 31 32.73``, both languages, the national overview
and the index), with ``SOURCE_DATE_EPOCH`` set. Under pytest-xdist the workers share one build (a
file lock in the session's common temporary folder), so any test may use it cheaply. Treat it as
read-only: it is shared.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# Command-line messages follow the locale; tests read the English ones whatever the machine's locale.
os.environ["CAKUPAN_LANG"] = "en"

PORTFOLIO_REGIONS = ("ID", "32", "31", "32.73")
PORTFOLIO_EPOCH = 1_700_000_000  # 14 Nov 2023 22:13:20 UTC: every page's build time


@dataclass(frozen=True)
class Portfolio:
    """Where the shared portfolio is and what it holds."""

    root: Path
    regions: tuple[str, ...]
    languages: tuple[str, ...]
    built: dt.datetime

    def page(self, lang: str, stem: str) -> Path:
        return self.root / lang / f"{stem}.html"

    def index(self, lang: str) -> Path:
        return self.root / ("index.html" if lang == self.languages[0] else f"index-{lang}.html")

    def html_pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))


def _build(out: Path) -> None:
    """The region reports and the overview, by the command line."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(PORTFOLIO_EPOCH)}
    command = [sys.executable, "-m", "analysis", "build", "--out", str(out), "--jobs", "2", "--region", *PORTFOLIO_REGIONS]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"cakupan build failed ({done.returncode}):\n{done.stderr[-3000:]}")


@pytest.fixture(scope="session")
def built_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # common to all workers of this session
    root = shared / "cakupan-portfolio"
    with open(shared / "cakupan-portfolio.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = root / ".complete"
        if not done.exists():
            _build(root)
            done.touch()
    return Portfolio(root, PORTFOLIO_REGIONS, ("id", "en"), dt.datetime.fromtimestamp(PORTFOLIO_EPOCH, tz=dt.timezone.utc))
