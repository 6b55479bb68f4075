"""The Open Data Jabar layout: one row per kab/kota and year, with its unit column."""


from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.core.problems import Problem, problem
from analysis.data.importers.cells import (
    cell_count,
    number_style,
    parse_month,
    periode_text,
)
from analysis.data.importers.common import (
    HEAD_COUNT_UNITS,
    ODJ_COLUMNS,
    ODJ_LAYOUT,
    ODJ_REQUIRED,
    THOUSAND_UNITS,
    YEAR_RE,
    FileReport,
    Grid,
    say,
)
from analysis.data.importers.grid import cell_text
from analysis.data.importers.measures import (
    Clue,
    measure_of,
)
from analysis.data.importers.names import NameIndex, describe_codes

# --------------------------------------------------------------------------------------------
# Layouts → records


@dataclass
class Record:
    kode: str
    periode: str
    value: int
    line: int
    column: str


def add_clue(report: FileReport, line: int | None, column: str | None, text: str) -> None:
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
    text = cell_text(cell)
    if re.fullmatch(r"[0-9]{4}", text):  # ASCII digits: a look-alike is not a code
        return f"{text[:2]}.{text[2:]}"
    if re.fullmatch(r"[0-9]{2}(\.[0-9]{2})?", text):
        return text
    return None


def header_index(grid: Grid) -> int | None:
    for i, row in enumerate(grid.rows):
        if any(cell_text(c) for c in row):
            return i
    return None


def is_opendata_jabar(grid: Grid) -> bool:
    i = header_index(grid)
    return i is not None and "kode_kabupaten_kota" in [cell_text(c).lower() for c in grid.rows[i]]


def parse_opendata_jabar(grid: Grid, path: Path, names: NameIndex, period_month: str | None,
                         report: FileReport) -> tuple[list[Record], list[Problem]]:
    report.layout = "Open Data Jabar"
    problems: list[Problem] = []
    h = header_index(grid)
    if h is None:
        return [], [problem(path, 1, None, "", say("import.expect.odj_header", layout=ODJ_LAYOUT))]
    header = [cell_text(c).lower().lstrip("\ufeff") for c in grid.rows[h]]
    hline = grid.lines[h]
    for col in ODJ_REQUIRED:
        if col not in header:
            problems.append(problem(path, hline, col, None, say("import.expect.odj_column", column=col, layout=ODJ_LAYOUT)))
    extra = [c for c in header if c and c not in ODJ_COLUMNS]
    if not extra:
        problems.append(problem(path, hline, None, ",".join(header), say("import.expect.measure_column", columns=", ".join(ODJ_COLUMNS))))
    elif len(extra) > 1:
        problems.append(problem(path, hline, None, ", ".join(extra),
                                say("import.expect.one_measure_column", columns=", ".join(ODJ_COLUMNS))))
    if problems:
        return [], problems
    measure_col = extra[0]
    add_clue(report, hline, measure_col, measure_col)
    pos = {name: header.index(name) for name in header if name}
    rows = [(grid.lines[i], row) for i, row in enumerate(grid.rows) if i > h and any(cell_text(c) for c in row)]

    def cell(row: list[object], name: str) -> object:
        j = pos.get(name)
        return row[j] if j is not None and j < len(row) else None

    report.number_style = number_style([(line, measure_col, cell(row, measure_col)) for line, row in rows], path)
    scales: set[int] = set()
    records: list[Record] = []
    for line, row in rows:
        if len(row) > len(header) and any(cell_text(c) for c in row[len(header):]):
            problems.append(problem(path, line, None, cell_text(row[len(header)]), say("import.expect.cells", count=len(header))))
            continue
        raw_code, label = cell(row, "kode_kabupaten_kota"), cell_text(cell(row, "nama_kabupaten_kota"))
        code = _odj_code(raw_code)
        if code is None:
            problems.append(problem(path, line, "kode_kabupaten_kota", cell_text(raw_code), say("import.expect.odj_code")))
            continue
        if code not in names.regions:
            problems.append(problem(path, line, "kode_kabupaten_kota", cell_text(raw_code), say("import.expect.odj_in_tree", code=code)))
            continue
        prov = cell_text(cell(row, "kode_provinsi"))
        if prov and prov != code[:2]:
            problems.append(problem(path, line, "kode_provinsi", prov, say("import.expect.province_of", province=code[:2], code=cell_text(raw_code))))
        tree_name = names.regions.name(code).strip()
        if not names.same_region(label, code):
            others = [c for c in names.candidates(label) if c != code]
            if others:
                problems.append(problem(path, line, "nama_kabupaten_kota", label,
                                        say("import.expect.name_of", code=code, name=tree_name, label=label, others=describe_codes(names.regions, others))))
                continue
            report.name_mismatches.append(say("import.note.mismatch", line=line, code=code, name=tree_name, label=label))
        unit = cell_text(cell(row, "satuan"))
        if not any(c.column == "satuan" and c.text == unit for c in report.clues):
            add_clue(report, line, "satuan", unit)
        scale = _unit_scale(unit)
        if scale is None:
            problems.append(problem(path, line, "satuan", unit, say("import.expect.satuan")))
            continue
        year_text = cell_text(cell(row, "tahun"))
        if not YEAR_RE.match(year_text):
            problems.append(problem(path, line, "tahun", year_text, say("import.expect.year")))
            continue
        month_text = cell_text(cell(row, "bulan"))  # optional: some Open Data Jabar tables are monthly
        month = None
        if month_text:
            month = int(month_text) if re.fullmatch(r"\d{1,2}", month_text) and 1 <= int(month_text) <= 12 else parse_month(month_text)
            if month is None:
                problems.append(problem(path, line, "bulan", month_text, say("import.expect.month")))
                continue
        count = cell_count(cell(row, measure_col), report, scale, line, measure_col, problems)
        if count is None:
            continue
        scales.add(scale)
        records.append(Record(code, periode_text(int(year_text), month, period_month), count, line, measure_col))
    if 1000 in scales:
        report.scale_note = say("import.note.satuan_ribu")
    return records, problems
