"""The header of a BPS wide table read as a hierarchy: measure / year / month, or year / measure.

Why: BPS serves several measures side by side ("Bekerja", "Jumlah Pengangguran", "% Bekerja / AK"),
each block spanning its periods, with a label cell written once over its span (a merged cell in
Excel, empty cells in the CSV). Each column gets its period and the chain of labels above it; the
innermost label that says what is counted names the column's block.
"""


from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.data.importers.cells import header_month, parse_period
from analysis.data.importers.common import Grid
from analysis.data.importers.grid import cell_text
from analysis.data.importers.measures import measure_of

PERCENT = "percent"  # the kind of a block of shares or rates: never imported
_PERCENT_WORDS = re.compile(r"%|\bPERSEN(TASE)?\b|\bPERCENT(AGE)?\b|\bTINGKAT\b|\bRASIO\b|\bRATE\b|\bTPT\b|\bTPAK\b")
_PLAIN_NUMBER = re.compile(r"^[\d.,\s%()+-]+$")


@dataclass
class Column:
    index: int  # in the grid row
    year: int
    month: int | None
    name: str  # as messages show it: "2025 Februari"
    labels: list[tuple[int, str]]  # (header row, text) above it that are neither period nor month, top first


@dataclass
class Block:
    """Columns that count one thing: the label over them and what it says is counted."""

    label: str  # "" for columns no label names
    row: int | None  # header row of the label
    kind: str | None  # one of IMPORT_MEASURES, OTHER_MEASURE, PERCENT, or None (the label says nothing)
    columns: list[int] = field(default_factory=list)


@dataclass
class Header:
    rows: list[int]  # grid rows of the header, top first
    columns: dict[int, Column]
    blocks: list[Block]
    titles: list[tuple[int, str]]  # (row, text) of header cells that are no block label, period or month
    words: list[tuple[str, int]]  # BPS period words read as months: ('Semester I', 6)


def kind_of(label: str) -> str | None:
    """What a header label says its columns hold: a measure, something else, percent, or nothing."""
    if _PERCENT_WORDS.search(label.upper()):
        return PERCENT
    return measure_of(label)


def columns_text(columns: list[int]) -> str:
    """Grid columns as people count them (1-based): '2–3', '2, 4', '8'."""
    numbers = sorted(j + 1 for j in columns)
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(map(str, numbers))


def _period_row(rows: list[list[object]]) -> int | None:
    """The first row whose cells after the first are mostly periods (years or year-months)."""
    for i, row in enumerate(rows):
        filled = sum(1 for c in row[1:] if cell_text(c))
        if filled and sum(parse_period(c) is not None for c in row[1:]) * 2 >= filled:
            return i
    return None


def _continues_header(row: list[object]) -> bool:
    """A row under the periods that still belongs to the header: no region label, labels or months only."""
    texts = [cell_text(c) for c in row[1:] if cell_text(c)]
    if (row and cell_text(row[0])) or not texts:
        return False
    if all(parse_period(t) is not None for t in texts):
        return True
    return not any(_PLAIN_NUMBER.match(t) for t in texts)


def _spans(rows: list[list[object]], header: list[int], width: int) -> dict[int, list[str]]:
    """Each header row's cells with a label written once carried over its span (until the next
    label in that row, or a new label in a row above it: a new parent starts a new span)."""
    out: dict[int, list[str]] = {}
    above: list[list[str]] = []
    for r in header:
        raw = [cell_text(rows[r][j]) if j < len(rows[r]) else "" for j in range(width)]
        filled = list(raw)
        for j in range(2, width):
            if not raw[j] and not any(a[j] for a in above):
                filled[j] = filled[j - 1]
        above.append(raw)
        out[r] = filled
    return out


def read_header(grid: Grid) -> Header | None:
    """The header of the table in ``grid``; None when no row holds periods."""
    rows = grid.rows
    first = _period_row(rows)
    if first is None:
        return None
    header = [i for i in range(first + 1) if any(cell_text(c) for c in rows[i])]
    nxt = first + 1
    while nxt < len(rows) and _continues_header(rows[nxt]):
        header.append(nxt)
        nxt += 1
    width = max(len(rows[r]) for r in header)
    spans = _spans(rows, header, width)
    columns: dict[int, Column] = {}
    words: list[tuple[str, int]] = []
    used: set[tuple[int, str]] = set()  # header cells read as periods or months
    for j in range(1, width):
        year = month = None
        parts: list[str] = []
        labels: list[tuple[int, str]] = []
        for r in header:
            text = spans[r][j]
            if not text:
                continue
            period = parse_period(text)
            sub = header_month(text) if period is None else None
            if period is not None:
                year, month = period[0], period[1] if period[1] is not None else month
                parts.append(text)
                used.add((r, text))
            elif sub is not None:
                month = sub
                parts.append(text)
                used.add((r, text))
                if not (re.fullmatch(r"[A-Za-z]+\.?", text)):
                    words.append((text, sub))
            else:
                labels.append((r, text))
        if year is not None:
            columns[j] = Column(j, year, month, " ".join(parts), labels)
    blocks: dict[str, Block] = {}
    for j, col in columns.items():
        named = [(r, text, kind) for r, text in col.labels if (kind := kind_of(text)) is not None]
        r, text, kind = named[-1] if named else (None, "", None)
        blocks.setdefault(text, Block(text, r, kind)).columns.append(j)
    labels = {(b.row, b.label) for b in blocks.values()}
    titles = [(r, cell_text(c)) for r in header for c in rows[r] if cell_text(c)]
    titles = [(r, text) for r, text in dict.fromkeys(titles) if (r, text) not in labels and (r, text) not in used]
    return Header(header, columns, list(blocks.values()), titles, list(dict.fromkeys(words)))
