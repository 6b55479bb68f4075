"""Cells as numbers and periods: Indonesian and English number styles, month words, ``YYYY-MM``."""


from __future__ import annotations

import datetime as dt
import numbers
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from analysis.core.messages import cli_language, t
from analysis.core.problems import Problem, problem
from analysis.data.importers.common import (
    MISSING,
    MONTHS,
    YEAR_RE,
    FileReport,
    RefusedImport,
    is_nan,
    say,
)
from analysis.data.importers.grid import cell_text

# --------------------------------------------------------------------------------------------
# Numbers


_ID_EVIDENCE = re.compile(r"^([0-9]{1,3}(\.[0-9]{3}){2,}(,[0-9]+)?|[0-9]{1,3}(\.[0-9]{3})+,[0-9]+|[0-9]+,([0-9]{1,2}|[0-9]{4,}))$")
_EN_EVIDENCE = re.compile(r"^([0-9]{1,3}(,[0-9]{3}){2,}(\.[0-9]+)?|[0-9]{1,3}(,[0-9]{3})+\.[0-9]+|[0-9]+\.([0-9]{1,2}|[0-9]{4,}))$")
_ID_NUMBER = re.compile(r"^([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$")
_EN_NUMBER = re.compile(r"^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def _compact_number(text: str) -> str:
    return _SPACES.sub("", text)


def is_missing(cell: object) -> bool:
    return cell is None or is_nan(cell) or (isinstance(cell, str) and _compact_number(cell).upper() in MISSING)


def number_style(cells: list[tuple[int, str, object]], path: Path) -> str:
    """'id' (5.900.000; 31,4) or 'en' (5,900,000; 31.4) from the text cells that decide it; 'id' if none do.

    ``cells`` are (line, column, value). A file with cells of both styles is refused.
    """
    first: dict[str, tuple[int, str, str]] = {}
    for line, column, cell in cells:
        if not isinstance(cell, str):
            continue
        text = _compact_number(cell)
        for style, pattern in (("id", _ID_EVIDENCE), ("en", _EN_EVIDENCE)):
            if style not in first and pattern.match(text):
                first[style] = (line, column, cell)
    if len(first) == 2:
        line, column, cell = first["en"]
        id_line = first["id"][0]
        raise RefusedImport(say("import.reason.two_formats"), [problem(
            path, line, column, cell, say("import.expect.one_format", line=id_line))])
    return "en" if "en" in first else "id"


def cell_count(value: object, report: FileReport, scale: int, line: int, column: str, problems: list[Problem]) -> int | None:
    """The count in a data cell; None for an empty cell (counted as missing) or a bad one (a problem)."""
    if is_missing(value):
        report.missing += 1
        return None
    try:
        return parse_count(value, report.number_style, scale)
    except ValueError as exc:
        problems.append(problem(report.path, line, column, cell_text(value), str(exc)))
        return None


def parse_count(cell: object, style: str, scale: int = 1) -> int:
    """A head count from a cell; raises ValueError with the expectation when it is not one."""
    if isinstance(cell, bool):
        raise ValueError(say("import.expect.count"))
    if isinstance(cell, numbers.Integral):  # Excel cells arrive as numbers
        value = Decimal(int(cell))
    elif isinstance(cell, numbers.Real):
        value = Decimal(repr(float(cell)))
        if not value.is_finite():
            raise ValueError(say("import.expect.count"))
    else:
        text = _compact_number(str(cell))
        pattern = _ID_NUMBER if style == "id" else _EN_NUMBER
        if not pattern.match(text):
            fmt = say("import.format.id" if style == "id" else "import.format.en")
            raise ValueError(say("import.expect.count_written", fmt=fmt))
        text = text.replace(".", "").replace(",", ".") if style == "id" else text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise ValueError(say("import.expect.count")) from None
    value *= scale
    if value < 0:
        raise ValueError(say("import.expect.count_positive"))
    if value != value.to_integral_value():
        raise ValueError(say("import.expect.whole_ribu" if scale == 1000 else "import.expect.whole"))
    return int(value)


# --------------------------------------------------------------------------------------------
# Periods


def parse_month(cell: object) -> int | None:
    text = cell_text(cell).upper().rstrip(".")
    return MONTHS.get(text)


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_PERIOD_WORDS = (  # BPS period words: the period ends in month (number × months per period)
    (re.compile(r"^(?:SEMESTER|SEM)\.?\s*(I{1,2}|[12])$"), 6),
    (re.compile(r"^(?:TRIWULAN|TRIWULANAN|TW|KUARTAL|QUARTER|Q)\.?\s*(I{1,3}|IV|[1-4])$"), 3),
)


def period_word_month(cell: object) -> int | None:
    """The last month of a BPS period word: 'Semester I' → 6, 'Triwulan III' → 9, 'Q4' → 12 (None otherwise)."""
    text = re.sub(r"\s+", " ", cell_text(cell).upper()).strip()
    for pattern, months in _PERIOD_WORDS:
        m = pattern.match(text)
        if m:
            number = m.group(1)
            return months * (_ROMAN[number] if number in _ROMAN else int(number))
    return None


def header_month(cell: object) -> int | None:
    """A month name (Februari, Aug.) or a BPS period word (Semester I, Triwulan III) under a year, as a month."""
    return parse_month(cell) or period_word_month(cell)


def _strip_marker(text: str) -> str:
    """Drop footnote markers like '2023*', '2023*)', '2023¹', '2023 1)'."""
    return re.sub(r"(\s*\*+\)?|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\s+\d\))$", "", text.strip())


def parse_period(cell: object) -> tuple[int, int | None] | None:
    """(year, month or None) from a column header, or None when it is no period."""
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.year, cell.month
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if float(cell).is_integer() and 1900 <= cell <= 2099:
            return int(cell), None
        return None
    text = _strip_marker(cell_text(cell))
    if YEAR_RE.match(text):
        return int(text), None
    m = re.match(r"^((?:19|20)\d\d)[-/.](\d{1,2})$", text) or re.match(r"^(\d{1,2})[-/.]((?:19|20)\d\d)$", text)
    if m:
        a, b = m.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        return (year, month) if 1 <= month <= 12 else None
    m = re.match(r"^([A-Za-z][A-Za-z0-9 .]*?)[\s-]*((?:19|20)\d\d)$", text) or re.match(r"^((?:19|20)\d\d)[\s-]*([A-Za-z][A-Za-z0-9 .]*)$", text)
    if m:
        a, b = m.groups()
        word, year = (b, a) if a.isdigit() else (a, b)
        month = header_month(word.strip())
        return (int(year), month) if month else None
    return None


def periode_text(year: int, month: int | None, period_month: str | None) -> str:
    if month is None and period_month is not None:
        return f"{year:04d}-{period_month}"
    return f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"


def period_month_of(value: object) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}", text) and 1 <= int(text) <= 12:
        return f"{int(text):02d}"
    lang = cli_language()
    raise RefusedImport(t("import.reason.arguments", lang), [problem("--period-month", None, None, value, t("import.expect.period_month", lang))])
