"""Reading an Excel sheet into the same grid as a CSV (``xlsx`` format)."""


from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.problems import problem
from analysis.data.importers.common import FileReport, Grid, RefusedImport, is_nan, say


def read_excel_grid(path: Path, sheet: str | None, report: FileReport) -> Grid:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl/zipfile raise several types for unreadable workbooks
        raise RefusedImport(say("import.reason.workbook"), [problem(path, None, None, str(exc)[:120], say("import.expect.workbook"))]) from exc
    with book:
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise RefusedImport(say("import.reason.sheet"), [problem(path, None, "--sheet", sheet, say("import.expect.sheet", sheets=", ".join(map(repr, names))))])
        name = sheet if sheet is not None else names[0]
        frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
    report.sheet = name
    rows = [[None if is_nan(v) else (v.strip() if isinstance(v, str) else v) for v in row] for row in frame.itertuples(index=False)]
    return Grid(rows, [int(i) + 1 for i in frame.index])  # header=None keeps blank rows: index + 1 is the Excel row
