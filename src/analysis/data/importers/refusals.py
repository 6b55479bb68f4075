"""A refusal short enough to read: problems of one kind grouped into one line (where, how many, first examples).

Why: a table with one systematic defect (a percent column, a repeated period) used to be refused
with one line per cell, 87 lines in which the one thing to fix was hard to find. ``--verbose``
still prints every problem.
"""


from __future__ import annotations

from analysis.core.messages import t
from analysis.core.problems import Problem, render_problem

SHORT_LIMIT = 12  # lines of problems in a refusal without --verbose
_EXAMPLES = 3


def _span(numbers: list[int], lang: str) -> str:
    if len(numbers) == 1:
        return t("import.group.line", lang, line=numbers[0])
    return t("import.group.lines", lang, first=numbers[0], last=numbers[-1], count=len(numbers))


def _group_line(found: list[Problem], lang: str) -> str:
    first = found[0]
    where = [first.file]
    lines = sorted({p.line for p in found if p.line is not None})
    if lines:
        where.append(_span(lines, lang))
    columns = list(dict.fromkeys(p.column for p in found if p.column is not None))
    if columns:
        shown = ", ".join(repr(c) for c in columns[:_EXAMPLES]) + (", ..." if len(columns) > _EXAMPLES else "")
        where.append(t("import.group.columns" if len(columns) > 1 else "cli.problem.column", lang, columns=shown, column=columns[0]))
    examples = list(dict.fromkeys("(none)" if p.value is None else repr(p.value) for p in found))
    shown = ", ".join(examples[:_EXAMPLES]) + (", ..." if len(examples) > _EXAMPLES else "")
    return t("import.group.problems", lang, where=": ".join(where[:2]) + "".join(", " + w for w in where[2:]),
             count=len(found), examples=shown, expected=first.expectation(lang))


def short_problems(problems: list[Problem], lang: str, limit: int = SHORT_LIMIT) -> str:
    """Problems with the same file and expectation as one line each; at most ``limit`` lines, then a count."""
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.expectation(lang)), []).append(p)
    out = [render_problem(found[0], lang) if len(found) == 1 else _group_line(found, lang) for found in groups.values()]
    grouped = len(out) < len(problems)
    if len(out) > limit:
        rest = sum(len(found) for found in list(groups.values())[limit:])
        out = out[:limit] + [t("import.group.more", lang, count=rest)]
    elif grouped:
        out.append(t("import.group.verbose", lang))
    return "\n".join(out)
