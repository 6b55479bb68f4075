"""The README and every page of docs/ say only what runs.

Each ``sh`` block runs for real, as a reader would type it, in a fresh folder that holds the
project's data, notebooks, parameters and examples, so every block stands on its own (``make``
lines name a target of the Makefile instead: they are what runs this suite). A line whose comment ends in ``docs-test: not run (REASON)`` is only parsed: it says
why (minutes of benchmarks, a package install). Transcripts (``$ cakupan ...`` followed by what it
prints) that need no input of their own run too, and print what the page shows; the others
parse with the real command line.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.cli import parse

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
SHARED = ("data", "notebooks", "params", "docs")  # what a reader's folder holds of the project
NOT_RUN = re.compile(r"#.*docs-test: not run \((?P<why>[^)]+)\)\s*$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    text: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"^```sh\n(.*?)^```", text, re.S | re.M):
            found.append(Block(page, text[:m.start()].count("\n") + 1, m.group(1)))
    return found


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and blank lines left out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]


def make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def reader_folder(tmp: Path) -> Path:
    """A fresh folder as a reader's checkout looks: the project's folders linked (the blocks only
    read them; what they write lands beside them), its .venv the one running these tests."""
    for name in SHARED:
        (tmp / name).symlink_to(ROOT / name, target_is_directory=True)
    (tmp / ".venv").symlink_to(BIN.parent)
    return tmp


BLOCKS = blocks()


def test_the_docs_have_shell_blocks_and_the_readme_links_every_page():
    assert len(BLOCKS) >= 8
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in PAGES[1:]:
        assert f"(docs/{page.name})" in readme, f"README does not link {page.name}"


def script(block: Block) -> str:
    """The block's commands as one bash script; ``make`` lines and lines not run are checked instead."""
    lines = ["set -euo pipefail"]
    for line in commands(block.text):
        words = shlex.split(NOT_RUN.sub("", line), comments=True)
        if words[0] == "make":
            assert set(words[1:]) <= make_targets(), f"{block.name}: no such make target in {line!r}"
        elif NOT_RUN.search(line):
            if words[0].endswith("cakupan"):
                parse(words[1:], "en")
        else:
            lines.append(line)
    return "\n".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("block", BLOCKS, ids=[b.name for b in BLOCKS])
def test_every_shell_block_runs_as_written(block, tmp_path):
    folder = reader_folder(tmp_path)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "CAKUPAN_LANG": "en"}
    done = subprocess.run(["bash", "-c", script(block)], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{block.name} exited {done.returncode}\n{done.stdout}\n{done.stderr}"


def transcripts() -> list[tuple[str, str, str]]:
    """(where, command, what the page shows it print) for every ``$ cakupan`` line of a transcript."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"^\$ (?P<cmd>[^\n]*cakupan [^\n]*)\n(?P<out>(?:(?!\$ |```)[^\n]*\n)*)", text, re.M):
            found.append((f"{page.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}", m.group("cmd"), m.group("out")))
    return found


TRANSCRIPTS = transcripts()


@pytest.mark.parametrize("where, command, shown", TRANSCRIPTS, ids=[t[0] for t in TRANSCRIPTS])
def test_every_transcript_parses_and_those_without_inputs_print_what_is_shown(where, command, shown, tmp_path):
    words = shlex.split(command)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "CAKUPAN_LANG": "en"}
    while "=" in words[0]:  # CAKUPAN_LANG=id cakupan ...
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    lang = env["CAKUPAN_LANG"]
    names_a_file = any(w.endswith((".csv", ".yaml", ".txt")) or w in {"bad", "mydata", "other"} for w in words)
    if names_a_file:  # its inputs are described on the page, not given: the words must still parse
        try:
            parse(words[1:], lang)
        except SystemExit as done:  # a usage error the transcript shows as such
            assert done.code == 2 and "(exit 2)" in shown, where
        return
    done = subprocess.run(words, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    printed = done.stderr + done.stdout + f"(exit {done.returncode})\n"
    assert printed.strip() == shown.strip(), where
