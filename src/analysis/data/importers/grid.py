"""Reading a CSV or text table into a grid of cells: encoding, delimiter, and the cell as text."""


from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

from analysis.core.problems import input_problem, problem
from analysis.data.importers.common import (
    EXCEL_SUFFIXES,
    FileReport,
    Grid,
    RefusedImport,
    is_nan,
    say,
)
from analysis.data.importers.excel import read_excel_grid

# --------------------------------------------------------------------------------------------
# Reading files into a grid of cells

MAX_TABLE_BYTES = 64 << 20  # a table to import (CSV, text or workbook file): read whole, so bounded


def _decode(raw: bytes, report: FileReport) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        report.encoding = "utf-8 with BOM"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.encoding = "utf-16"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:  # truncated (an odd byte, half a surrogate pair) or not UTF-16 after all
            byte = raw[exc.start:exc.start + 1].hex().upper() or "--"
            raise RefusedImport(say("import.reason.csv"), [problem(report.path, None, None, raw[exc.start:exc.end],
                                                                   say("import.expect.decodes", encoding="UTF-16", offset=exc.start,
                                                                       byte=byte))]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start:exc.start + 1].hex()
        try:
            text = raw.decode("cp1252")
            report.encoding = "cp1252"
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
            report.encoding = "latin-1"
        report.notes.append(say("import.note.encoding", byte=bad, offset=exc.start, encoding=report.encoding))
        return text


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving most lines the same number (> 1) of cells; ';' wins ties (decimal commas)."""
    sample = [line for line in text.splitlines() if line.strip()][:80]
    best, best_score = ",", (0, 0)
    for delim in (";", "\t", ",", "|"):
        widths = [len(r) for r in csv.reader(sample, delimiter=delim) if len(r) > 1]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if (count, width) > best_score:
            best, best_score = delim, (count, width)
    return best


def _read_text_grid(path: Path, report: FileReport) -> Grid:
    text = _decode(path.read_bytes(), report)
    delim = _sniff_delimiter(text)
    report.delimiter = delim
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows, lines, start = [], [], 1
    try:
        for record in reader:
            rows.append([c.strip() for c in record])
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RefusedImport(say("import.reason.csv"), [problem(path, reader.line_num, None, str(exc), say("import.expect.csv"))]) from exc
    return Grid(rows, lines)




def read_grid(path: Path, sheet: str | None, report: FileReport) -> Grid:
    odd = input_problem(path, "file")  # a folder, pipe or link loop: named, never opened
    if odd is not None:
        raise RefusedImport(say("import.reason.not_found"), [odd])
    if not path.is_file():
        raise RefusedImport(say("import.reason.not_found"), [problem(path, None, None, str(path), say("import.expect.readable"))])
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        raise RefusedImport(say("import.reason.size"), [problem(path, None, None, f"{size} bytes", say("import.expect.size", limit=MAX_TABLE_BYTES >> 20))])
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise RefusedImport(say("import.reason.xls"), [problem(path, None, None, path.name, say("import.expect.xls"))])
    if suffix in EXCEL_SUFFIXES:
        return read_excel_grid(path, sheet, report)
    if sheet is not None:
        raise RefusedImport(say("import.reason.sheet_option"), [problem("--sheet", None, None, sheet, say("import.expect.no_sheet", name=path.name))])
    return _read_text_grid(path, report)


def cell_text(cell: object) -> str:
    """A cell as text: whole floats without '.0', dates as ISO, empty for missing."""
    if cell is None or is_nan(cell):
        return ""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.isoformat()[:10]
    return str(cell).strip()
