"""Errors that point at the exact place in the input that is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One defect in an input file: where it is, what was found, what was expected."""

    file: str
    line: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column is not None:
            where += f": column '{self.column}'"
        value = repr(self.value) if self.value is not None else "(none)"
        if len(value) > 80:
            value = value[:77] + "..."
        return f"{where}: value {value}: expected {self.expected}"


class InputError(Exception):
    """Raised when input is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self, limit: int = 50) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


def problem(file: str | Path, line: int | None, column: str | None, value: object, expected: str) -> Problem:
    return Problem(str(file), line, column, value, expected)
