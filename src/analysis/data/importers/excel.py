"""Reading an Excel sheet into the same grid as a CSV (``xlsx`` format)."""


from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
from defusedxml import DefusedXmlException

from analysis.core.problems import problem
from analysis.data.importers.common import FileReport, Grid, RefusedImport, is_nan, say


PROLOG_BYTES = 1 << 20  # a DTD comes before an XML part's first element: its first MB says
MAX_UNPACKED_BYTES = 256 << 20  # a workbook of a few thousand rows unpacks to a few MB; a zip bomb to GBs
DTD_MARKS = tuple(mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


def _declares_dtd(path: Path) -> str | None:
    """The first part of the workbook that declares a DTD or entities (a workbook Excel writes has none;
    one that does can make an XML parser fetch files or expand entities without end), else None."""
    try:
        with zipfile.ZipFile(path) as book:
            for part in book.infolist():
                if part.filename.endswith((".xml", ".rels", ".vml")):
                    with book.open(part) as fh:
                        if any(mark in fh.read(PROLOG_BYTES) for mark in DTD_MARKS):
                            return part.filename
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return None  # not a readable zip: openpyxl names that below
    return None


def _refuse_bomb(path: Path) -> None:
    """Refuse a workbook whose parts would unpack past :data:`MAX_UNPACKED_BYTES` (zip records each
    part's size, and Python's zip reader stops at it: the sum bounds what a parser could be fed)."""
    try:
        with zipfile.ZipFile(path) as book:
            unpacked = sum(part.file_size for part in book.infolist())
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return  # not a readable zip: openpyxl names that below
    if unpacked > MAX_UNPACKED_BYTES:
        sizes = {"limit": MAX_UNPACKED_BYTES >> 20, "size": unpacked >> 20, "packed": path.stat().st_size >> 10}
        raise RefusedImport(say("import.reason.size"), [problem(path, None, None, f"{unpacked} bytes", say("import.expect.unpacked", **sizes))])


def _refuse_dtd(path: Path, part: str) -> RefusedImport:
    return RefusedImport(say("import.reason.workbook"), [problem(path, None, None, part, say("import.expect.xml_entities", part=part))])


def _defused(exc: BaseException | None) -> DefusedXmlException | None:
    """defusedxml's refusal, where openpyxl wrapped it in its own error."""
    while exc is not None and not isinstance(exc, DefusedXmlException):
        exc = exc.__cause__ or exc.__context__
    return exc


def read_excel_grid(path: Path, sheet: str | None, report: FileReport) -> Grid:
    _refuse_bomb(path)
    part = _declares_dtd(path)
    if part is not None:
        raise _refuse_dtd(path, part)
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl/zipfile raise several types for unreadable workbooks
        if _defused(exc) is not None:  # openpyxl parses with defusedxml: an entity past the first MB is refused there
            raise _refuse_dtd(path, type(_defused(exc)).__name__) from None
        raise RefusedImport(say("import.reason.workbook"), [problem(path, None, None, str(exc)[:120], say("import.expect.workbook"))]) from exc
    with book:
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise RefusedImport(say("import.reason.sheet"), [problem(path, None, "--sheet", sheet, say("import.expect.sheet", sheets=", ".join(map(repr, names))))])
        name = sheet if sheet is not None else names[0]
        try:
            frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
        except Exception as exc:
            if _defused(exc) is None:
                raise
            raise _refuse_dtd(path, type(_defused(exc)).__name__) from None
    report.sheet = name
    rows = [[None if is_nan(v) else (v.strip() if isinstance(v, str) else v) for v in row] for row in frame.itertuples(index=False)]
    return Grid(rows, [int(i) + 1 for i in frame.index])  # header=None keeps blank rows: index + 1 is the Excel row
