"""Bring your own data: ``cakupan import`` merges published tables into a data directory.

Formats
-------
``opendata-jabar``
    Open Data Jabar layout, one row per kab/kota and year:
    ``id,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,<measure>,satuan,tahun``.
    ``kode_kabupaten_kota`` is the 4-digit code (3273 = Kota Bandung = 32.73). The name is checked
    against the region tree; ``satuan`` must be a head count (ORANG, JIWA, ...) or ``RIBU ...``
    (thousands, multiplied by 1000).
``bps-wide``
    A BPS web-table export: regions as rows, years (or year-months) as columns, with title and
    footnote rows around it, ``-`` or ``...`` for missing cells and Indonesian number formats.
    Every region name must match the region tree; otherwise nothing is imported.
``xlsx``
    Either layout from an Excel sheet (``--sheet NAME``; the first sheet by default).

Every imported row gets ``sumber = "<--source text> [<file name>]"`` and an entry in ``sources.csv``.
A key that already holds a different value is a conflict: all of them are listed and nothing is
written unless ``--replace`` is given. Synthetic rows (``sumber`` starting with ``sintetis``) are
placeholders and are replaced by imported figures without ``--replace`` (the report says so).
The merged directory is validated with :func:`analysis.data.load_dataset` before any file is replaced.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import difflib
import io
import numbers
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from analysis import data as datamod
from analysis.data import (PARTICIPANT_COLUMNS, REGION_TREE_FILE, SEGMENTS, SOURCE_COLUMNS,
                           SYNTHETIC_PREFIX, TOTAL, WORKFORCE_COLUMNS, load_dataset)
from analysis.destinations import output_problems
from analysis.errors import InputError, Problem, problem
from analysis.messages import cli_language, render_problems, t, tn
from analysis.table_measures import IMPORT_MEASURES, Clue, decide_measure, measure_of
from analysis.regions import ROOT, RegionTree, load_regions

FORMATS = ("opendata-jabar", "bps-wide", "xlsx")
WORKFORCE_MEASURES = ("penduduk_bekerja", "pekerja_berhak")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXIT_OK, EXIT_INVALID = 0, 2

# Open Data Jabar columns other than the measure.
ODJ_COLUMNS = ("id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota", "satuan", "tahun", "bulan")
ODJ_REQUIRED = ("kode_kabupaten_kota", "nama_kabupaten_kota", "satuan", "tahun")
ODJ_LAYOUT = "id,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,<measure>,satuan,tahun[,bulan]"
HEAD_COUNT_UNITS = {"ORANG", "JIWA", "PERSON", "PERSONS", "PEOPLE", "PEKERJA", "TENAGAKERJA", "PESERTA", "ORANGJIWA", "JIWAORANG"}
THOUSAND_UNITS = {"RIBU", "RIBUORANG", "RIBUJIWA", "RIBUPEKERJA", "RIBUPESERTA"}
MISSING = {"", "-", "–", "—", "..", "...", "…", "NA", "N/A", "N.A.", "N.A"}
FOOTER_RE = re.compile(r"^\s*(sumber|source|catatan|note|notes|keterangan|ket\.|\*|¹|²|³|\d\))", re.IGNORECASE)
TOTAL_LABELS = {"JUMLAH", "TOTAL", "JUMLAHTOTAL"}
NATIONAL_LABELS = {"INDONESIA", "NASIONAL"}
YEAR_RE = re.compile(r"^(19|20)\d\d$")
URL_RE = re.compile(r"https?://\S+")

MONTHS = {
    "JAN": 1, "JANUARI": 1, "JANUARY": 1, "FEB": 2, "PEB": 2, "FEBRUARI": 2, "PEBRUARI": 2, "FEBRUARY": 2,
    "MAR": 3, "MARET": 3, "MARCH": 3, "APR": 4, "APRIL": 4, "MEI": 5, "MAY": 5, "JUN": 6, "JUNI": 6, "JUNE": 6,
    "JUL": 7, "JULI": 7, "JULY": 7, "AGU": 8, "AGT": 8, "AGS": 8, "AGUS": 8, "AGUSTUS": 8, "AUG": 8, "AUGUST": 8,
    "SEP": 9, "SEPT": 9, "SEPTEMBER": 9, "OKT": 10, "OKTOBER": 10, "OCT": 10, "OCTOBER": 10,
    "NOV": 11, "NOP": 11, "NOVEMBER": 11, "NOPEMBER": 11, "DES": 12, "DESEMBER": 12, "DEC": 12, "DECEMBER": 12,
}

# Common spellings of province names that differ from the Kemendagri tree (compact keys, see _parse_name).
PROVINCE_ALIASES = {
    "11": ("NAD", "NANGGROEACEHDARUSSALAM", "DIACEH"),
    "19": ("BANGKABELITUNG", "BABEL"),
    "21": ("KEPRI",),
    "31": ("DKIJAKARTA", "DKI", "JAKARTA", "DAERAHKHUSUSJAKARTA", "DKIJAKARTARAYA"),
    "34": ("DIYOGYAKARTA", "DIY", "YOGYAKARTA", "DAERAHISTIMEWAYOGYAKARTA"),
    "52": ("NTB",),
    "53": ("NTT",),
}


# --------------------------------------------------------------------------------------------
# Report


@dataclass
class FileReport:
    """How one input file was read."""

    path: Path
    layout: str = ""
    encoding: str = "utf-8"
    delimiter: str | None = None
    sheet: str | None = None
    number_style: str = "id"
    scale_note: str = ""
    sumber: str = ""
    records: int = 0
    missing: int = 0
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (line, text) of skipped rows
    notes: list[str] = field(default_factory=list)
    name_mismatches: list[str] = field(default_factory=list)
    clues: list[Clue] = field(default_factory=list)  # what the table's labels say it counts


@dataclass
class ImportReport:
    """What an import did (or, when ``written`` is False, would have done)."""

    into: Path
    table: str
    measure: str
    segment: str | None
    files: list[FileReport] = field(default_factory=list)
    added: int = 0
    filled: int = 0
    replaced: int = 0
    replaced_synthetic: int = 0
    unchanged: int = 0
    changes: list[tuple[str, int, str, str, str, str, str]] = field(default_factory=list)  # file, line, kode, periode, segmen, old, new
    name_mismatches: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    used_sources: set[str] = field(default_factory=set)
    created: bool = False
    written: bool = False
    measure_from: str = ""  # the label that named the measure, or that --measure gave it
    lang: str = "en"  # of the summary

    def summary(self) -> str:
        lang = self.lang
        seg = f" (segmen {self.segment})" if self.segment else ""
        lines = [t("import.summary.head", lang, measure=self.measure, segment=seg, table=self.into / self.table, why=self.measure_from)
                 + (t("import.summary.new_dir", lang) if self.created else "")]
        for f in self.files:
            how = [f.layout, f.encoding]
            if f.delimiter and f.delimiter != ",":
                how.append(t("import.summary.delimiter", lang, delimiter={"\t": "tab"}.get(f.delimiter, repr(f.delimiter))))
            if f.sheet:
                how.append(t("import.summary.sheet", lang, sheet=repr(f.sheet)))
            how.append(t(f"import.summary.numbers_{f.number_style}", lang))
            if f.scale_note:
                how.append(f.scale_note)
            lines.append("  " + tn("import.summary.file", lang, f.records, path=f.path, missing=f.missing, how=", ".join(how)))
            lines.append(f"    sumber: {f.sumber}")
            for note in f.notes:
                lines.append("    " + t("import.summary.note", lang, note=note))
            for line, text in f.ignored[:10]:
                lines.append("    " + t("import.summary.ignored", lang, line=line, text=text))
            if len(f.ignored) > 10:
                lines.append("    " + t("import.summary.more_ignored", lang, count=len(f.ignored) - 10))
        lines.append("  " + t("import.summary.rows", lang, added=self.added, filled=self.filled, replaced=self.replaced,
                               synthetic=self.replaced_synthetic, unchanged=self.unchanged))
        for file, line, kode, periode, segmen, old, new in self.changes[:20]:
            key = f"{kode} {periode}" + (f" {segmen}" if segmen else "")
            lines.append("    " + t("import.summary.replaced", lang, key=key, old=old, new=new, where=f"{file}:{line}"))
        if len(self.changes) > 20:
            lines.append("    " + t("import.summary.more_replaced", lang, count=len(self.changes) - 20))
        if self.name_mismatches:
            lines.append("  " + t("import.summary.mismatches", lang, count=len(self.name_mismatches)))
            lines.extend(f"    {m}" for m in self.name_mismatches)
        else:
            lines.append("  " + t("import.summary.no_unmatched", lang))
        if self.sources_added:
            lines.append(f"  sources.csv: {', '.join(self.sources_added)}")
        if self.written:
            lines.append("  " + t("import.summary.written", lang))
        elif not self.used_sources:
            lines.append("  " + t("import.summary.nothing_to_change", lang))
        else:
            lines.append("  " + t("import.summary.nothing_written", lang))
        return "\n".join(lines)


class RefusedImport(InputError):
    """An import that was refused; nothing was written."""

    def __init__(self, reason: str, problems: list[Problem], unmatched: list[str] | None = None):
        self.reason = reason
        self.unmatched = list(unmatched or [])
        super().__init__(problems)


# --------------------------------------------------------------------------------------------
# Reading files into a grid of cells


@dataclass
class Grid:
    rows: list[list[object]]  # text cells (str) from CSV; str/int/float/datetime/None from Excel
    lines: list[int]  # line number (CSV) or row number (Excel) of each row


def _t(key: str, **values: object) -> str:
    """Message ``key`` in the command line's language."""
    return t(key, cli_language(), **values)


def _decode(raw: bytes, report: FileReport) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        report.encoding = "utf-8 with BOM"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.encoding = "utf-16"
        return raw.decode("utf-16")
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
        report.notes.append(_t("import.note.encoding", byte=bad, offset=exc.start, encoding=report.encoding))
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
        raise RefusedImport(_t("import.reason.csv"), [problem(path, reader.line_num, None, str(exc), _t("import.expect.csv"))]) from exc
    return Grid(rows, lines)


def _read_excel_grid(path: Path, sheet: str | None, report: FileReport) -> Grid:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl/zipfile raise several types for unreadable workbooks
        raise RefusedImport(_t("import.reason.workbook"), [problem(path, None, None, str(exc)[:120], _t("import.expect.workbook"))]) from exc
    with book:
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise RefusedImport(_t("import.reason.sheet"), [problem(path, None, "--sheet", sheet, _t("import.expect.sheet", sheets=", ".join(map(repr, names))))])
        name = sheet if sheet is not None else names[0]
        frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
    report.sheet = name
    rows = [[None if _is_nan(v) else (v.strip() if isinstance(v, str) else v) for v in row] for row in frame.itertuples(index=False)]
    return Grid(rows, [int(i) + 1 for i in frame.index])  # header=None keeps blank rows: index + 1 is the Excel row


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value


def read_grid(path: Path, sheet: str | None, report: FileReport) -> Grid:
    if not path.is_file():
        raise RefusedImport(_t("import.reason.not_found"), [problem(path, None, None, str(path), _t("import.expect.readable"))])
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise RefusedImport(_t("import.reason.xls"), [problem(path, None, None, path.name, _t("import.expect.xls"))])
    if suffix in EXCEL_SUFFIXES:
        return _read_excel_grid(path, sheet, report)
    if sheet is not None:
        raise RefusedImport(_t("import.reason.sheet_option"), [problem("--sheet", None, None, sheet, _t("import.expect.no_sheet", name=path.name))])
    return _read_text_grid(path, report)


def _text(cell: object) -> str:
    """A cell as text: whole floats without '.0', dates as ISO, empty for missing."""
    if cell is None or _is_nan(cell):
        return ""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.isoformat()[:10]
    return str(cell).strip()


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
    return cell is None or _is_nan(cell) or (isinstance(cell, str) and _compact_number(cell).upper() in MISSING)


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
        raise RefusedImport(_t("import.reason.two_formats"), [problem(
            path, line, column, cell, _t("import.expect.one_format", line=id_line))])
    return "en" if "en" in first else "id"


def _cell_count(value: object, report: FileReport, scale: int, line: int, column: str, problems: list[Problem]) -> int | None:
    """The count in a data cell; None for an empty cell (counted as missing) or a bad one (a problem)."""
    if is_missing(value):
        report.missing += 1
        return None
    try:
        return parse_count(value, report.number_style, scale)
    except ValueError as exc:
        problems.append(problem(report.path, line, column, _text(value), str(exc)))
        return None


def parse_count(cell: object, style: str, scale: int = 1) -> int:
    """A head count from a cell; raises ValueError with the expectation when it is not one."""
    if isinstance(cell, bool):
        raise ValueError(_t("import.expect.count"))
    if isinstance(cell, numbers.Integral):  # Excel cells arrive as numbers
        value = Decimal(int(cell))
    elif isinstance(cell, numbers.Real):
        value = Decimal(repr(float(cell)))
        if not value.is_finite():
            raise ValueError(_t("import.expect.count"))
    else:
        text = _compact_number(str(cell))
        pattern = _ID_NUMBER if style == "id" else _EN_NUMBER
        if not pattern.match(text):
            fmt = _t("import.format.id" if style == "id" else "import.format.en")
            raise ValueError(_t("import.expect.count_written", fmt=fmt))
        text = text.replace(".", "").replace(",", ".") if style == "id" else text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise ValueError(_t("import.expect.count")) from None
    value *= scale
    if value < 0:
        raise ValueError(_t("import.expect.count_positive"))
    if value != value.to_integral_value():
        raise ValueError(_t("import.expect.whole_ribu" if scale == 1000 else "import.expect.whole"))
    return int(value)


# --------------------------------------------------------------------------------------------
# Periods


def parse_month(cell: object) -> int | None:
    text = _text(cell).upper().rstrip(".")
    return MONTHS.get(text)


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
    text = _strip_marker(_text(cell))
    if YEAR_RE.match(text):
        return int(text), None
    m = re.match(r"^((?:19|20)\d\d)[-/.](\d{1,2})$", text) or re.match(r"^(\d{1,2})[-/.]((?:19|20)\d\d)$", text)
    if m:
        a, b = m.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        return (year, month) if 1 <= month <= 12 else None
    m = re.match(r"^([A-Za-z]+)\.?[\s-]*((?:19|20)\d\d)$", text) or re.match(r"^((?:19|20)\d\d)[\s-]*([A-Za-z]+)\.?$", text)
    if m:
        a, b = m.groups()
        word, year = (b, a) if a.isdigit() else (a, b)
        month = MONTHS.get(word.upper())
        return (int(year), month) if month else None
    return None


def periode_text(year: int, month: int | None, period_month: str | None) -> str:
    if month is None and period_month is not None:
        return f"{year:04d}-{period_month}"
    return f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"


def _period_month(value: object) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}", text) and 1 <= int(text) <= 12:
        return f"{int(text):02d}"
    lang = cli_language()
    raise RefusedImport(t("import.reason.arguments", lang), [problem("--period-month", None, None, value, t("import.expect.period_month", lang))])


# --------------------------------------------------------------------------------------------
# Region names


_KIND_PREFIX = {"PROVINSI": "prov", "PROV": "prov", "PROPINSI": "prov", "PROP": "prov",
                "KABUPATEN": "kab", "KAB": "kab", "KOTA": "kota", "KOTAMADYA": "kota", "KOTAMADIA": "kota"}
_TOKEN_EXPAND = {"KEP": "KEPULAUAN", "KEPL": "KEPULAUAN", "ADM": "ADMINISTRASI", "ADMIN": "ADMINISTRASI", "SUMATRA": "SUMATERA"}


def _tokens(name: object) -> list[str]:
    text = re.sub(r"[*¹²³⁴⁵⁶⁷⁸⁹⁰]+|\s+\d\)\s*$|\s*\(\d\)\s*$", " ", str(name))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = re.sub(r"['’`]", "", text)
    tokens: list[str] = []
    letters = False  # is the last token a run of single letters?
    for tok in re.findall(r"[A-Z0-9]+", text):  # "D.I. Yogyakarta" -> DI YOGYAKARTA, "D K I" -> DKI
        single = len(tok) == 1 and tok.isalpha()
        if single and letters:
            tokens[-1] += tok
        else:
            tokens.append(tok)
        letters = single
    return [_TOKEN_EXPAND.get(t, t) for t in tokens]


def _parse_name(name: object) -> tuple[str | None, str]:
    """(kind, compact base): kind is 'prov', 'kab', 'kota' or None (no prefix)."""
    tokens = _tokens(name)
    kind = None
    if len(tokens) > 1 and tokens[0] in _KIND_PREFIX:
        kind = _KIND_PREFIX[tokens[0]]
        tokens = tokens[1:]
        if kind in ("kab", "kota") and len(tokens) > 1 and tokens[0] == "ADMINISTRASI":
            tokens = tokens[1:]
    return kind, "".join(tokens)


class NameIndex:
    """Province and kab/kota names of the region tree with the spellings tables use."""

    def __init__(self, regions: RegionTree):
        self.regions = regions
        self.prov: dict[str, list[str]] = {}
        self.kab: dict[str, list[str]] = {}
        self.kota: dict[str, list[str]] = {}
        table = regions.table
        for code, name in table.loc[table["tingkat"] == "provinsi", "nama"].items():
            keys = {_parse_name(name)[1], *PROVINCE_ALIASES.get(code, ())}
            for key in keys:
                self.prov.setdefault(key, []).append(code)
        for code, name in table.loc[table["tingkat"] == "kabkota", "nama"].items():
            kind, base = _parse_name(name)
            target = self.kota if kind == "kota" else self.kab
            target.setdefault(base, []).append(code)

    def candidates(self, label: str) -> list[str]:
        kind, base = _parse_name(label)
        if kind is None and base in NATIONAL_LABELS:
            return [ROOT]
        if kind == "prov":
            return list(self.prov.get(base, []))
        if kind == "kab":
            return list(self.kab.get(base, []))
        if kind == "kota":
            return list(self.kota.get(base, [])) or list(self.kab.get("KOTA" + base, []))
        return list(dict.fromkeys(self.prov.get(base, []) + self.kab.get(base, []) + self.kota.get(base, [])))

    def suggestions(self, label: str, n: int = 3) -> list[str]:
        kind, base = _parse_name(label)
        pool = {"prov": [self.prov], "kab": [self.kab], "kota": [self.kota]}.get(kind, [self.prov, self.kab, self.kota])
        keys = {k: codes for d in pool for k, codes in d.items()}
        out = []
        for key in difflib.get_close_matches(base, list(keys), n=n, cutoff=0.75):
            out.extend(f"{c} {self.regions.name(c).strip()}" for c in keys[key])
        return list(dict.fromkeys(out))[:n]

    def same_region(self, label: str, code: str) -> bool:
        """Does the label name ``code`` (tolerating case, KAB./KABUPATEN, KOTA, no prefix, aliases)?"""
        if code in self.candidates(label):
            return True
        kind, base = _parse_name(label)
        tree_kind, tree_base = _parse_name(self.regions.name(code))
        return base == tree_base and kind in (None, tree_kind)


def _describe(regions: RegionTree, codes: list[str]) -> str:
    return ", ".join(f"{c} {regions.name(c).strip()}" for c in codes)


# --------------------------------------------------------------------------------------------
# Layouts → records


@dataclass
class Record:
    kode: str
    periode: str
    value: int
    line: int
    column: str


def _add_clue(report: FileReport, line: int | None, column: str | None, text: str) -> None:
    measure = measure_of(text)
    if measure is not None:
        report.clues.append(Clue(line, column, text, measure))


def _unit_scale(text: str) -> int | None:
    """1 for head counts, 1000 for thousands, None when the unit is not a count of people."""
    key = re.sub(r"[^A-Z]", "", text.upper())
    if key in HEAD_COUNT_UNITS:
        return 1
    if key in THOUSAND_UNITS:
        return 1000
    return None


def _odj_code(cell: object) -> str | None:
    text = _text(cell)
    if re.fullmatch(r"\d{4}", text):
        return f"{text[:2]}.{text[2:]}"
    if re.fullmatch(r"\d{2}(\.\d{2})?", text):
        return text
    return None


def _header_index(grid: Grid) -> int | None:
    for i, row in enumerate(grid.rows):
        if any(_text(c) for c in row):
            return i
    return None


def is_opendata_jabar(grid: Grid) -> bool:
    i = _header_index(grid)
    return i is not None and "kode_kabupaten_kota" in [_text(c).lower() for c in grid.rows[i]]


def parse_opendata_jabar(grid: Grid, path: Path, names: NameIndex, period_month: str | None,
                         report: FileReport) -> tuple[list[Record], list[Problem]]:
    report.layout = "Open Data Jabar"
    problems: list[Problem] = []
    h = _header_index(grid)
    if h is None:
        return [], [problem(path, 1, None, "", _t("import.expect.odj_header", layout=ODJ_LAYOUT))]
    header = [_text(c).lower().lstrip("\ufeff") for c in grid.rows[h]]
    hline = grid.lines[h]
    for col in ODJ_REQUIRED:
        if col not in header:
            problems.append(problem(path, hline, col, None, _t("import.expect.odj_column", column=col, layout=ODJ_LAYOUT)))
    extra = [c for c in header if c and c not in ODJ_COLUMNS]
    if not extra:
        problems.append(problem(path, hline, None, ",".join(header), _t("import.expect.measure_column", columns=", ".join(ODJ_COLUMNS))))
    elif len(extra) > 1:
        problems.append(problem(path, hline, None, ", ".join(extra),
                                _t("import.expect.one_measure_column", columns=", ".join(ODJ_COLUMNS))))
    if problems:
        return [], problems
    measure_col = extra[0]
    _add_clue(report, hline, measure_col, measure_col)
    pos = {name: header.index(name) for name in header if name}
    rows = [(grid.lines[i], row) for i, row in enumerate(grid.rows) if i > h and any(_text(c) for c in row)]

    def cell(row: list[object], name: str) -> object:
        j = pos.get(name)
        return row[j] if j is not None and j < len(row) else None

    report.number_style = number_style([(line, measure_col, cell(row, measure_col)) for line, row in rows], path)
    scales: set[int] = set()
    records: list[Record] = []
    for line, row in rows:
        if len(row) > len(header) and any(_text(c) for c in row[len(header):]):
            problems.append(problem(path, line, None, _text(row[len(header)]), _t("import.expect.cells", count=len(header))))
            continue
        raw_code, label = cell(row, "kode_kabupaten_kota"), _text(cell(row, "nama_kabupaten_kota"))
        code = _odj_code(raw_code)
        if code is None:
            problems.append(problem(path, line, "kode_kabupaten_kota", _text(raw_code), _t("import.expect.odj_code")))
            continue
        if code not in names.regions:
            problems.append(problem(path, line, "kode_kabupaten_kota", _text(raw_code), _t("import.expect.odj_in_tree", code=code)))
            continue
        prov = _text(cell(row, "kode_provinsi"))
        if prov and prov != code[:2]:
            problems.append(problem(path, line, "kode_provinsi", prov, _t("import.expect.province_of", province=code[:2], code=_text(raw_code))))
        tree_name = names.regions.name(code).strip()
        if not names.same_region(label, code):
            others = [c for c in names.candidates(label) if c != code]
            if others:
                problems.append(problem(path, line, "nama_kabupaten_kota", label,
                                        _t("import.expect.name_of", code=code, name=tree_name, label=label, others=_describe(names.regions, others))))
                continue
            report.name_mismatches.append(_t("import.note.mismatch", line=line, code=code, name=tree_name, label=label))
        unit = _text(cell(row, "satuan"))
        if not any(c.column == "satuan" and c.text == unit for c in report.clues):
            _add_clue(report, line, "satuan", unit)
        scale = _unit_scale(unit)
        if scale is None:
            problems.append(problem(path, line, "satuan", unit, _t("import.expect.satuan")))
            continue
        year_text = _text(cell(row, "tahun"))
        if not YEAR_RE.match(year_text):
            problems.append(problem(path, line, "tahun", year_text, _t("import.expect.year")))
            continue
        month_text = _text(cell(row, "bulan"))  # optional: some Open Data Jabar tables are monthly
        month = None
        if month_text:
            month = int(month_text) if re.fullmatch(r"\d{1,2}", month_text) and 1 <= int(month_text) <= 12 else parse_month(month_text)
            if month is None:
                problems.append(problem(path, line, "bulan", month_text, _t("import.expect.month")))
                continue
        count = _cell_count(cell(row, measure_col), report, scale, line, measure_col, problems)
        if count is None:
            continue
        scales.add(scale)
        records.append(Record(code, periode_text(int(year_text), month, period_month), count, line, measure_col))
    if 1000 in scales:
        report.scale_note = _t("import.note.satuan_ribu")
    return records, problems


def _unit_of_titles(texts: list[tuple[int, str]], path: Path) -> tuple[int, list[Problem]]:
    for line, text in texts:
        upper = text.upper()
        if re.search(r"\bPERSEN(TASE)?\b|%|\bPERCENT(AGE)?\b", upper):
            return 1, [problem(path, line, None, text, _t("import.expect.not_percent"))]
        if re.search(r"\bJUTA\b|\bMILLION", upper):
            return 1, [problem(path, line, None, text, _t("import.expect.not_millions"))]
    for _, text in texts:
        if re.search(r"\bRIBU\b|\bTHOUSAND", text.upper()):
            return 1000, []
    return 1, []


def _resolve_names(labels: list[tuple[int, str]], names: NameIndex, path: Path, column: str | None,
                   report: FileReport) -> tuple[dict[int, str], list[Problem], list[str]]:
    """Code for each data line; unmatched and ambiguous names become problems (all of them)."""
    regions = names.regions
    cands = {line: names.candidates(label) for line, label in labels}
    explicit = {c[0] for c in cands.values() if len(c) == 1}
    has_kabkota = any(regions.level(c) == "kabkota" for c in explicit)
    home = {c[:2] for c in explicit if regions.level(c) == "kabkota"}  # provinces of the kab/kota named explicitly
    out: dict[int, str] = {}
    problems: list[Problem] = []
    unmatched: list[str] = []
    for line, label in labels:
        found = cands[line]
        if len(found) > 1:  # drop regions that another line names explicitly (Bogor vs Kota Bogor)
            found = [c for c in found if c not in explicit] or found
        if len(found) > 1 and len(home) == 1:  # a one-province table: Banjar in Jawa Barat is Kota Banjar
            found = [c for c in found if c[:2] in home] or found
            if len(found) == 1:
                report.notes.append(_t("import.note.read_as_home", line=line, label=label, region=_describe(regions, found), province=next(iter(home))))
        if len(found) > 1 and not has_kabkota and any(regions.level(c) == "provinsi" for c in found):
            found = [c for c in found if regions.level(c) == "provinsi"]
            if len(found) == 1:
                report.notes.append(_t("import.note.read_as_province", line=line, label=label, region=_describe(regions, found)))
        if len(found) == 1:
            out[line] = found[0]
            continue
        if not found:
            unmatched.append(label)
            hint = names.suggestions(label)
            problems.append(problem(path, line, column, label, _t("import.expect.name_closest", closest="; ".join(hint)) if hint
                                    else _t("import.expect.name")))
        else:
            unmatched.append(label)
            problems.append(problem(path, line, column, label, _t("import.expect.ambiguous", regions=_describe(regions, found))))
    return out, problems, unmatched


def parse_bps_wide(grid: Grid, path: Path, names: NameIndex, period_month: str | None,
                   report: FileReport) -> tuple[list[Record], list[Problem], list[str]]:
    report.layout = _t("import.layout.bps")
    rows, lines = grid.rows, grid.lines
    if is_opendata_jabar(grid):
        return [], [problem(path, grid.lines[_header_index(grid)], "kode_kabupaten_kota", None,
                            _t("import.expect.bps_not_odj"))], []
    header = None
    for i, row in enumerate(rows):  # the first row whose cells (after the first) are mostly periods
        filled = sum(1 for c in row[1:] if _text(c))
        if filled and sum(parse_period(c) is not None for c in row[1:]) * 2 >= filled:
            header = i
            break
    if header is None:
        return [], [problem(path, None, None, None, _t("import.expect.period_header"))], []
    head = rows[header]
    periods: dict[int, tuple[int, int | None]] = {j: p for j, c in enumerate(head) if j > 0 and (p := parse_period(c)) is not None}
    header_rows = [header]
    # A second header row of months under the years ("2023" over "Februari", "Agustus").
    if header + 1 < len(rows):
        below = rows[header + 1]
        months = {j: m for j, c in enumerate(below) if (m := parse_month(c)) is not None}
        if months:
            year = None
            combined: dict[int, tuple[int, int | None]] = {}
            first = min(periods)
            for j in range(first, max(len(head), len(below))):
                p = parse_period(head[j]) if j < len(head) else None
                if p is not None:
                    year = p[0]
                if j in months and year is not None:
                    combined[j] = (year, months[j])
                elif p is not None:
                    combined[j] = p
            periods = combined
            header_rows.append(header + 1)
    if not periods:
        return [], [problem(path, lines[header], None, None, _t("import.expect.period_titles"))], []
    first_col = min(periods)
    col_names = {j: _text(head[j]) for j in periods}
    if len(header_rows) > 1:
        below = rows[header + 1]
        col_names = {j: f"{periods[j][0]} {_text(below[j])}" if j < len(below) and _text(below[j]) else _text(head[j]) for j in periods}
    problems: list[Problem] = []
    seen: dict[tuple[int, int | None], int] = {}
    for j, p in sorted(periods.items()):
        if p in seen:
            problems.append(problem(path, lines[header], col_names[j], col_names[j],
                                    _t("import.expect.period_once", column=seen[p] + 1)))
        seen.setdefault(p, j)
    start = header_rows[-1] + 1
    # Unit rows under the header ("", "Orang", "Orang") belong to the header.
    while start < len(rows) and not _text(rows[start][0] if rows[start] else "") and any(
            _text(c) for c in rows[start][1:]) and not any(re.search(r"\d", _text(c)) for c in rows[start][1:]):
        header_rows.append(start)
        start += 1
    body: list[tuple[int, list[object]]] = []
    for i in range(start, len(rows)):
        row = rows[i]
        first_text = next((_text(c) for c in row if _text(c)), "")
        if first_text and FOOTER_RE.match(first_text):
            report.ignored.extend((lines[k], next((_text(c) for c in rows[k] if _text(c)), "")[:60])
                                  for k in range(i, len(rows)) if any(_text(c) for c in rows[k]))
            break
        body.append((lines[i], row))
    # The label column: left of the periods, holding the most non-numeric text.
    scores = {j: sum(1 for _, r in body if j < len(r) and _text(r[j]) and not re.fullmatch(r"[\d.,\s]+", _text(r[j])))
              for j in range(first_col)}
    if not scores or max(scores.values()) == 0:
        return [], problems + [problem(path, lines[header], None, None, _t("import.expect.label_column"))], []
    label_col = max(scores, key=lambda j: (scores[j], -j))
    titles = [(lines[k], _text(c)) for k in range(0, header_rows[-1] + 1) for c in rows[k] if isinstance(c, str) and _text(c)]
    for line, text in titles:
        if not FOOTER_RE.match(text):
            _add_clue(report, line, None, text)
    scale, unit_problems = _unit_of_titles(titles, path)
    problems += unit_problems
    if scale == 1000:
        report.scale_note = _t("import.note.title_ribu")
    data: list[tuple[int, str, list[tuple[int, object]]]] = []
    for line, row in body:
        label = _text(row[label_col]) if label_col < len(row) else ""
        cells = [(j, row[j] if j < len(row) else None) for j in sorted(periods)]
        blank = all(_text(v) == "" for _, v in cells)
        if blank:
            if label:
                report.ignored.append((line, label[:60]))
            continue
        if not label:
            problems.append(problem(path, line, _text(head[label_col]) or None, "", _t("import.expect.label")))
            continue
        if _parse_name(label)[1] in TOTAL_LABELS:
            report.ignored.append((line, _t("import.note.total_row", label=label)))
            continue
        data.append((line, label, cells))
    codes, name_problems, unmatched = _resolve_names([(line, label) for line, label, _ in data], names, path,
                                                     _text(head[label_col]) or None, report)
    problems += name_problems
    report.number_style = number_style([(line, col_names[j], v) for line, _, cells in data for j, v in cells], path)
    records: list[Record] = []
    for line, _, cells in data:
        code = codes.get(line)
        for j, value in cells:
            column = col_names[j]
            count = _cell_count(value, report, scale, line, column, problems)
            if count is not None and code is not None:
                year, month = periods[j]
                records.append(Record(code, periode_text(year, month, period_month), count, line, column))
    return records, problems, unmatched


# --------------------------------------------------------------------------------------------
# Merging into a data directory


def _sumber_key(source: str, path: Path) -> str:
    return f"{source} [{path.name}]"


def _check_arguments(fmt: str, files: list[Path], into: Path, measure: str | None, source: str, lang: str) -> list[Problem]:
    out = []
    if fmt not in FORMATS:
        out.append(problem("format", None, None, fmt, t("cli.expect.choice", lang, choices=", ".join(FORMATS))))
    if not files:
        out.append(problem("files", None, None, "", t("import.expect.files", lang)))
    if measure is not None and measure not in IMPORT_MEASURES:
        out.append(problem("--measure", None, None, measure, t("cli.expect.choice", lang, choices=", ".join(IMPORT_MEASURES))))
    if not source or not source.strip() or "\n" in source or "\r" in source:
        out.append(problem("--source", None, None, source, t("import.expect.source", lang)))
    if fmt == "xlsx":
        for f in files:
            if f.suffix.lower() not in EXCEL_SUFFIXES:
                out.append(problem(f, None, None, f.name, t("import.expect.xlsx", lang)))
    return out + output_problems(str(into), "--into", lang=lang)


def _segment_problems(measure: str, segment: str | None, why: str, lang: str) -> list[Problem]:
    segments = SEGMENTS + (TOTAL,)
    if measure == "peserta_aktif" and segment not in segments:
        return [problem("--segment", None, None, segment, t("import.expect.segment", lang, segments="|".join(segments), label=why))]
    if measure != "peserta_aktif" and segment:
        return [problem("--segment", None, None, segment, t("import.expect.no_segment", lang, measure=measure))]
    return []


def _read_existing(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> pd.DataFrame:
    df, found = datamod._read_table(path, columns, required)
    if found:
        raise RefusedImport(t("import.reason.unreadable", cli_language(), name=path.name), found)
    return df.reset_index(drop=True)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})


def _as_int(text: str) -> int | str:
    return int(text) if re.fullmatch(r"[0-9]+", text.strip()) else text


def _merge(table: pd.DataFrame, key: list[str], measure: str, other: str | None, incoming: list[tuple[dict, Record, str, str]],
           replace: bool, report: ImportReport, table_name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply incoming (key values, record, sumber, file) to the table (text columns); conflicts as problems."""
    conflicts: list[Problem] = []
    table = table.copy()
    first = ~table.duplicated(key, keep="first")
    index = pd.MultiIndex.from_frame(table.loc[first, key]) if len(key) > 1 else pd.Index(table.loc[first, key[0]])
    rows_of_first = table.index[first]
    wanted = [tuple(k[c] for c in key) for k, _, _, _ in incoming]
    positions = index.get_indexer(pd.MultiIndex.from_tuples(wanted, names=key) if len(key) > 1 else pd.Index([w[0] for w in wanted])) \
        if wanted else []
    measure_values = table[measure].to_numpy(dtype=object).copy()
    sumber_values = table["sumber"].to_numpy(dtype=object).copy()
    other_values = table[other].to_numpy(dtype=object) if other else None
    new_rows = []
    for (keyvals, rec, sumber, file), pos in zip(incoming, positions, strict=True):
        new = str(rec.value)
        segmen = keyvals.get("segmen", "")
        if pos < 0:
            row = {c: "" for c in table.columns}
            row.update(keyvals)
            row[measure], row["sumber"] = new, sumber
            new_rows.append(row)
            report.added += 1
            report.used_sources.add(sumber)
            continue
        i = rows_of_first[pos]
        old_text = str(measure_values[i]).strip()
        old_sumber = str(sumber_values[i])
        if old_text == "":
            report.filled += 1
        elif _as_int(old_text) == rec.value:
            report.unchanged += 1
            continue
        elif old_sumber.startswith(SYNTHETIC_PREFIX) and " + " not in old_sumber and not sumber.startswith(SYNTHETIC_PREFIX):
            # a placeholder of the sample panel (a combined source may hold a real figure: that is a conflict)
            report.replaced_synthetic += 1
        elif replace:
            report.replaced += 1
            report.changes.append((file, rec.line, rec.kode, rec.periode, segmen, old_text, new))
        else:
            seg = f", segmen {segmen}" if segmen else ""
            conflicts.append(problem(file, rec.line, rec.column, new, _t("import.expect.conflict", table=table_name, kode=rec.kode,
                                                                         periode=rec.periode, segment=seg, old=old_text, new=new)))
            continue
        measure_values[i] = new
        report.used_sources.add(sumber)
        keeps_other = other_values is not None and str(other_values[i]).strip() != "" and old_sumber != sumber
        if keeps_other and sumber not in old_sumber.split(" + "):
            sumber_values[i] = f"{old_sumber} + {sumber}"  # the row's other column still comes from the old source
        elif not keeps_other:
            sumber_values[i] = sumber
    table[measure] = pd.Series(measure_values, index=table.index, dtype="str")
    table["sumber"] = pd.Series(sumber_values, index=table.index, dtype="str")
    if new_rows:
        added = pd.DataFrame(new_rows, columns=table.columns).sort_values(key, kind="stable")
        table = pd.concat([table, added.astype("str")], ignore_index=True)
    return table, conflicts


def _write_table(df: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        out = df.copy()
        for col in ("peserta_aktif", "penduduk_bekerja", "pekerja_berhak"):
            if col in out.columns:
                out[col] = pd.to_numeric(out[col].replace("", None), errors="raise").astype("Int64")
        out.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _upsert_source(sources: pd.DataFrame, key: str, source: str) -> tuple[pd.DataFrame, bool]:
    url = URL_RE.search(source)
    entry = {"sumber": key, "judul": source, "url": url.group(0) if url else "", "lisensi": "", "judul_en": "", "lisensi_en": ""}
    hit = sources.index[sources["sumber"] == key]
    if len(hit):
        i = hit[0]
        if sources.at[i, "judul"] == entry["judul"] and sources.at[i, "url"] == entry["url"]:
            return sources, False
        sources = sources.copy()
        sources.at[i, "judul"], sources.at[i, "url"] = entry["judul"], entry["url"]
        return sources, True
    return pd.concat([sources, pd.DataFrame([entry], columns=list(SOURCE_COLUMNS)).astype("str")], ignore_index=True), True


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _relabel(problems: list[Problem], stage: Path, into: Path) -> list[Problem]:
    prefix = str(stage)
    return [dataclasses.replace(p, file=str(into) + p.file[len(prefix):]) if p.file.startswith(prefix) else p for p in problems]


def _commit(into: Path, tables: dict[str, pd.DataFrame], create: bool) -> None:
    """Write tables next to the existing files in a staging directory, validate, then move them in.

    The staging directory sits inside ``into`` (or next to it when ``into`` is new), so every move is
    a rename on one file system.
    """
    if create:
        parent = into.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{into.name}.import-", dir=parent))
    else:
        stage = Path(tempfile.mkdtemp(prefix=".import-", dir=into.absolute()))
    try:
        if not create:
            for item in into.iterdir():
                if item.is_file() and item.name not in tables and (item.suffix in (".csv", ".parquet")):
                    _link_or_copy(item, stage / item.name)
        for name, df in tables.items():
            _write_table(df, stage / name)
        try:
            load_dataset(stage)
        except InputError as exc:
            raise RefusedImport(t("import.reason.invalid_after", cli_language(), into=into), _relabel(exc.problems, stage, into)) from None
        if create:
            os.replace(stage, into)
            return
        # sources.csv first: if anything stops halfway, an extra source entry is harmless.
        for name in sorted(tables, key=lambda n: n != "sources.csv"):
            os.replace(stage / name, into / name)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def import_files(fmt: str, files: list[Path | str], into: Path | str, measure: str | None, segment: str | None, source: str,
                 replace: bool, sheet: str | None = None, period_month: str | int | None = None) -> ImportReport:
    """Import published tables into a data directory; raises :class:`RefusedImport` (an InputError) and writes nothing on any problem.

    ``measure`` None: read it from the table (column name, satuan, title); a table that does not say,
    or whose labels disagree, is refused, and so is a ``measure`` the table contradicts.
    """
    lang = cli_language()
    files = [Path(f) for f in files]
    into = Path(into)
    source = (source or "").strip()
    bad = _check_arguments(fmt, files, into, measure, source, lang)
    if bad:
        raise RefusedImport(t("import.reason.arguments", lang), bad)
    month = _period_month(period_month)
    create = not into.exists()
    regions = datamod.load_region_tree(into) if not create else load_regions(REGION_TREE_FILE)
    names = NameIndex(regions)
    problems: list[Problem] = []
    unmatched: list[str] = []
    parsed: list[tuple[FileReport, list[Record]]] = []
    for path in files:
        fr = FileReport(path=path)
        try:
            grid = read_grid(path, sheet, fr)
            odj = fmt == "opendata-jabar" or (fmt == "xlsx" and is_opendata_jabar(grid))
            if odj:
                records, found = parse_opendata_jabar(grid, path, names, month, fr)
                missing_names: list[str] = []
            else:
                records, found, missing_names = parse_bps_wide(grid, path, names, month, fr)
        except RefusedImport as exc:
            problems += exc.problems
            records = []
        else:
            problems += found
            unmatched += missing_names
        parsed.append((fr, records))
    chosen, why, found = decide_measure(measure, [(fr.path, fr.clues) for fr, _ in parsed], lang)
    arguments = _segment_problems(chosen, segment, why, lang) if chosen is not None else []
    problems = found + arguments + problems
    if problems:
        if unmatched:
            reason = t("import.reason.names", lang)
        elif found:
            reason = t("import.reason.measure", lang)
        else:
            reason = t("import.reason.arguments" if len(arguments) == len(problems) else "import.reason.input", lang)
        raise RefusedImport(reason, problems, unmatched)
    assert chosen is not None  # no problem means the measure is known
    measure = chosen
    workforce = measure in WORKFORCE_MEASURES
    table_stem = "workforce" if workforce else "participants"
    columns = WORKFORCE_COLUMNS if workforce else PARTICIPANT_COLUMNS
    table_path = datamod._table_path(into, table_stem) if not create else into / f"{table_stem}.csv"
    report = ImportReport(into=into, table=table_path.name, measure=measure, segment=segment if not workforce else None,
                          created=create, measure_from=why, lang=lang)
    incoming: list[tuple[dict, Record, str, str]] = []
    for fr, records in parsed:
        report.files.append(fr)
        report.name_mismatches += [f"{fr.path}: {n}" for n in fr.name_mismatches]
        fr.records = len(records)
        fr.sumber = _sumber_key(source, fr.path)
        for rec in records:
            keyvals = {"kode": rec.kode, "periode": rec.periode}
            if not workforce:
                keyvals["segmen"] = segment
            incoming.append((keyvals, rec, fr.sumber, str(fr.path)))
    problems += _duplicates(incoming)
    if problems:
        raise RefusedImport(t("import.reason.input", lang), problems)

    key = ["kode", "periode"] + ([] if workforce else ["segmen"])
    if create:
        table = _empty(columns)
    elif table_path.exists():
        table = _read_existing(table_path, columns, ("kode", "periode", measure, "sumber"))
    else:
        table = _empty(columns)
    incoming = _dedupe(incoming)
    other = ("pekerja_berhak" if measure == "penduduk_bekerja" else "penduduk_bekerja") if workforce else None
    merged, conflicts = _merge(table, key, measure, other, incoming, replace, report, table_path.name)
    if conflicts:
        raise RefusedImport(tn("import.reason.conflicts", lang, len(conflicts), table=table_path.name), conflicts)

    sources_path = into / "sources.csv"
    sources = _read_existing(sources_path, SOURCE_COLUMNS, ("sumber", "judul")) if sources_path.exists() else _empty(SOURCE_COLUMNS)
    for fr in report.files:
        if fr.sumber in report.used_sources:
            sources, changed = _upsert_source(sources, fr.sumber, source)
            if changed:
                report.sources_added.append(fr.sumber)
    if not create and not report.used_sources:
        return report  # every value is already there: leave the files (and their timestamps) alone
    tables = {table_path.name: merged, "sources.csv": sources}
    if create or not datamod._table_path(into, "participants").exists():
        tables.setdefault("participants.csv", _empty(PARTICIPANT_COLUMNS))
    if create or not datamod._table_path(into, "workforce").exists():
        tables.setdefault("workforce.csv", _empty(WORKFORCE_COLUMNS))
    _commit(into, tables, create)
    report.written = True
    return report


def _duplicates(incoming: list[tuple[dict, Record, str, str]]) -> list[Problem]:
    """The same key twice in the input with different values (identical repeats are fine)."""
    seen: dict[tuple, tuple[Record, str]] = {}
    out = []
    for keyvals, rec, _, file in incoming:
        k = tuple(keyvals.values())
        if k in seen and seen[k][0].value != rec.value:
            prev, prev_file = seen[k]
            out.append(problem(file, rec.line, rec.column, rec.value,
                               _t("import.expect.one_value", kode=rec.kode, periode=rec.periode, where=f"{prev_file}:{prev.line}", value=prev.value)))
        seen.setdefault(k, (rec, file))
    return out


def _dedupe(incoming: list[tuple[dict, Record, str, str]]) -> list[tuple[dict, Record, str, str]]:
    seen, out = set(), []
    for item in incoming:
        k = tuple(item[0].values())
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


# --------------------------------------------------------------------------------------------
# Parquet conversion and the command line


def to_parquet(directory: Path | str) -> list[Path]:
    """Replace participants.csv and workforce.csv of a valid data directory by Parquet files.

    The directory is validated before and after. The CSV files are removed, because a directory may
    not hold both formats of one table; if this stops halfway, loading names both files.
    """
    directory = Path(directory)
    load_dataset(directory)
    written = []
    for stem, columns in (("participants", PARTICIPANT_COLUMNS), ("workforce", WORKFORCE_COLUMNS)):
        csv_path = directory / f"{stem}.csv"
        if not csv_path.exists():
            continue
        df = _read_existing(csv_path, columns, columns[:2])
        tmp = directory / f".{stem}.tmp.parquet"
        _write_table(df, tmp)
        os.replace(tmp, directory / f"{stem}.parquet")
        csv_path.unlink()
        written.append(directory / f"{stem}.parquet")
    load_dataset(directory)
    return written


def main(ns: argparse.Namespace) -> int:
    """``cakupan import``: print a summary; 0 when written, 2 when refused (nothing written)."""
    lang = cli_language()
    try:
        report = import_files(ns.format, list(ns.files), Path(ns.into), ns.measure, getattr(ns, "segment", None), ns.source,
                              bool(getattr(ns, "replace", False)), sheet=getattr(ns, "sheet", None),
                              period_month=getattr(ns, "period_month", None))
    except InputError as exc:
        reason = getattr(exc, "reason", t("import.reason.input", lang))
        print(tn("import.refused", lang, len(exc.problems), reason=reason), file=sys.stderr)
        print(render_problems(exc.problems, lang, limit=200), file=sys.stderr)
        names = list(dict.fromkeys(getattr(exc, "unmatched", [])))
        if names:
            print(t("import.unmatched", lang, count=len(names), names="; ".join(names)), file=sys.stderr)
        return EXIT_INVALID
    print(report.summary())
    return EXIT_OK
