"""Errors that point at the exact place in the input that is wrong."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.messages import t


@dataclass(frozen=True)
class Expectation:
    """What was expected, as a message of the catalogue: its key and named values (kept verbatim),
    so the reader's language is chosen when the problem is printed, not where it is found."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str) -> str:
        return t(self.key, lang, **dict(self.values))


def expect(key: str, **values: object) -> Expectation:
    return Expectation(key, tuple(values.items()))


@dataclass(frozen=True)
class Problem:
    """One defect in an input file: where it is, what was found, what was expected.

    ``expected`` is the English text (or a text already in the reader's language, for callers that
    know it); ``said``, where given, is the same expectation as a catalogue message for any language.
    """

    file: str
    line: int | None
    column: str | None
    value: object
    expected: str
    said: Expectation | None = field(default=None, compare=False)  # equal problems say the same English text

    def expectation(self, lang: str) -> str:
        """What was expected, in ``lang`` where the catalogue says it, else as written."""
        return self.said.text(lang) if self.said else self.expected

    def __str__(self) -> str:
        return render_problem(self, "en")


class InputError(Exception):
    """Raised when input is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self, limit: int = 50) -> str:
        """The problems in English (the command line prints them in its own language)."""
        return render_problems(self.problems, "en", limit)


def problem(file: str | Path, line: int | None, column: str | None, value: object, expected: str | Expectation) -> Problem:
    """A problem; an ``Expectation`` is stored with its English text, for any reader of ``expected``."""
    if isinstance(expected, Expectation):
        return Problem(str(file), line, column, value, expected.text("en"), expected)
    return Problem(str(file), line, column, value, expected)


MAX_SHOWN = 240  # characters of a value shown in a problem line


def render_problem(p: Problem, lang: str) -> str:
    """One problem in ``lang``: file, line, column and value verbatim, the words around them translated."""
    where = p.file + (f":{p.line}" if p.line is not None else "")
    if p.column is not None:
        where += ": " + t("cli.problem.column", lang, column=p.column)
    value = repr(p.value) if p.value is not None else t("cli.problem.none", lang)
    if len(value) > MAX_SHOWN:  # a whole damaged line can be huge; both ends of a long path matter
        value = value[:MAX_SHOWN // 2] + "..." + value[-(MAX_SHOWN // 2 - 3):]
    return f"{where}: {t('cli.problem.value', lang, value=value)}: {t('cli.problem.expected', lang, expected=p.expectation(lang))}"


def render_problems(problems: list[Problem], lang: str, limit: int = 50) -> str:
    lines = [render_problem(p, lang) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(t("cli.problem.more", lang, count=len(problems) - limit))
    return "\n".join(lines)


def input_problem(path: str | Path, want: str) -> Problem | None:
    """Why ``path`` is not the input it should be (``want``: "file" or "folder"), asked of its
    metadata only (never opened, so a pipe cannot hang and a loop is named in microseconds);
    None when it is one. A missing input is left to the caller, which knows what it should hold."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        found = "loop" if exc.errno == errno.ELOOP else "unreadable"
        return problem(path, None, None, str(path), expect(f"reading.{want}.{found}", error=exc.strerror or str(exc)))
    if stat.S_ISREG(mode):
        found = "file"
    elif stat.S_ISDIR(mode):
        found = "folder"
    else:
        found = "fifo" if stat.S_ISFIFO(mode) else "device"
    if found == want:
        return None
    return problem(path, None, None, str(path), expect(f"reading.{want}.{found}"))
