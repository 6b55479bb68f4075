"""The BPS web-table layout: regions as rows, periods as columns (under measure blocks), titles and footnotes around."""


from __future__ import annotations

import re
from pathlib import Path

from analysis.core.problems import Problem, problem
from analysis.data.importers.blocks import choose_block
from analysis.data.importers.cells import (
    cell_count,
    number_style,
    periode_text,
)
from analysis.data.importers.common import (
    FOOTER_RE,
    TOTAL_LABELS,
    FileReport,
    Grid,
    say,
)
from analysis.data.importers.grid import cell_text
from analysis.data.importers.headers import PERCENT, Block, Column, Header, columns_text, read_header
from analysis.data.importers.names import NameIndex, describe_codes, parse_name
from analysis.data.importers.opendata_jabar import (
    Record,
    header_index,
    is_opendata_jabar,
)
from analysis.data.importers.totals import check_total, common_parent, named_totals


def unit_of_titles(texts: list[tuple[int, str]], path: Path) -> tuple[int, list[Problem]]:
    for line, text in texts:
        upper = text.upper()
        if re.search(r"\bPERSEN(TASE)?\b|%|\bPERCENT(AGE)?\b", upper):
            return 1, [problem(path, line, None, text, say("import.expect.not_percent"))]
        if re.search(r"\bJUTA\b|\bMILLION", upper):
            return 1, [problem(path, line, None, text, say("import.expect.not_millions"))]
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
                report.notes.append(say("import.note.read_as_home", line=line, label=label, region=describe_codes(regions, found), province=next(iter(home))))
        if len(found) > 1 and not has_kabkota and any(regions.level(c) == "provinsi" for c in found):
            found = [c for c in found if regions.level(c) == "provinsi"]
            if len(found) == 1:
                report.notes.append(say("import.note.read_as_province", line=line, label=label, region=describe_codes(regions, found)))
        if len(found) == 1:
            out[line] = found[0]
            continue
        if not found:
            unmatched.append(label)
            hint = names.suggestions(label)
            problems.append(problem(path, line, column, label, say("import.expect.name_closest", closest="; ".join(hint)) if hint
                                    else say("import.expect.name")))
        else:
            unmatched.append(label)
            problems.append(problem(path, line, column, label, say("import.expect.ambiguous", regions=describe_codes(regions, found))))
    return out, problems, unmatched


def _body(grid: Grid, start: int, report: FileReport) -> list[tuple[int, list[object]]]:
    """Rows under the header up to the footnotes (Sumber:, Catatan:, ...), which are listed as ignored."""
    rows, lines = grid.rows, grid.lines
    body: list[tuple[int, list[object]]] = []
    for i in range(start, len(rows)):
        first_text = next((cell_text(c) for c in rows[i] if cell_text(c)), "")
        if first_text and FOOTER_RE.match(first_text):
            report.ignored.extend((lines[k], next((cell_text(c) for c in rows[k] if cell_text(c)), "")[:60])
                                  for k in range(i, len(rows)) if any(cell_text(c) for c in rows[k]))
            break
        body.append((lines[i], rows[i]))
    return body


def _note_blocks(header: Header, chosen: Block, report: FileReport) -> None:
    if len(header.blocks) > 1:
        others = [say("import.block.percent" if b.kind == PERCENT else "import.block.other", label=b.label or "?",
                      columns=columns_text(b.columns)) for b in header.blocks if b is not chosen]
        report.notes.append(say("import.note.blocks", label=chosen.label, columns=columns_text(chosen.columns), others="; ".join(others)))
    for word, month in header.words:
        report.notes.append(say("import.note.period_word", word=word, month=f"{month:02d}"))


def parse_bps_wide(grid: Grid, path: Path, names: NameIndex, period_month: str | None, report: FileReport,
                   measure: str | None = None, with_total: bool = False) -> tuple[list[Record], list[Problem], list[str]]:
    report.layout = say("import.layout.bps")
    rows, lines = grid.rows, grid.lines
    if is_opendata_jabar(grid):
        return [], [problem(path, grid.lines[header_index(grid)], "kode_kabupaten_kota", None,
                            say("import.expect.bps_not_odj"))], []
    header = read_header(grid)
    if header is None:
        return [], [problem(path, None, None, None, say("import.expect.period_header"))], []
    if not header.columns:
        return [], [problem(path, lines[header.rows[-1]], None, None, say("import.expect.period_titles"))], []
    block, clues, refusal, problems = choose_block(header, measure, path, lines)
    report.clues += clues
    if block is None:
        report.refusal = refusal
        return [], problems, []
    _note_blocks(header, block, report)
    columns = [header.columns[j] for j in block.columns]
    seen: dict[tuple[int, int | None], int] = {}
    for col in columns:
        key = (col.year, col.month)
        if key in seen:
            problems.append(problem(path, lines[header.rows[-1]], col.name, col.name, say("import.expect.period_once", column=seen[key] + 1)))
        seen.setdefault(key, col.index)
    body = _body(grid, header.rows[-1] + 1, report)
    first_col = min(header.columns)
    # The label column: left of the periods, holding the most non-numeric text.
    scores = {j: sum(1 for _, r in body if j < len(r) and cell_text(r[j]) and not re.fullmatch(r"[\d.,\s]+", cell_text(r[j])))
              for j in range(first_col)}
    if not scores or max(scores.values()) == 0:
        return [], problems + [problem(path, lines[header.rows[-1]], None, None, say("import.expect.label_column"))], []
    label_col = max(scores, key=lambda j: (scores[j], -j))
    label_name = next((cell_text(rows[r][label_col]) for r in reversed(header.rows) if label_col < len(rows[r]) and cell_text(rows[r][label_col])), "") or None
    units = header.titles + [label for col in columns for label in col.labels if label[1] != block.label]
    scale, unit_problems = unit_of_titles([(lines[r], text) for r, text in dict.fromkeys(units)], path)
    problems += unit_problems
    if scale == 1000:
        report.scale_note = say("import.note.title_ribu")
    data: list[tuple[int, str, list[tuple[Column, object]]]] = []
    sums: list[tuple[int, str, list[tuple[Column, object]]]] = []  # Jumlah / Total rows
    for line, row in body:
        label = cell_text(row[label_col]) if label_col < len(row) else ""
        cells = [(col, row[col.index] if col.index < len(row) else None) for col in columns]
        if all(cell_text(v) == "" for _, v in cells):
            if label:
                report.ignored.append((line, label[:60]))
            continue
        if not label:
            problems.append(problem(path, line, label_name, "", say("import.expect.label")))
            continue
        (sums if parse_name(label)[1] in TOTAL_LABELS else data).append((line, label, cells))
    codes, name_problems, unmatched = _resolve_names([(line, label) for line, label, _ in data], names, path, label_name, report)
    problems += name_problems
    report.number_style = number_style([(line, col.name, v) for line, _, cells in data + sums for col, v in cells], path)
    values: dict[int, dict[str, int | None]] = {}
    for line, _, cells in data + sums:
        values[line] = {periode_text(col.year, col.month, period_month): cell_count(v, report, scale, line, col.name, problems)
                        for col, v in cells}
    totals = named_totals(codes, names.regions)
    parts = {line: code for line, code in codes.items() if line not in totals}
    sum_lines = {line for line, _, _ in sums}
    for line, label, _ in data + sums:
        if line in totals or line in sum_lines:
            parent = totals.get(line) if line in totals else common_parent(list(parts.values()), names.regions)
            children = [values[p] for p, code in parts.items() if parent is None or names.regions.parent(code) == parent]
            imported = with_total and line in totals
            report.notes.append(check_total(line, label, parent if line in totals else None, values[line], children, imported))
            if not imported:
                report.ignored.append((line, say("import.note.total_row", label=label)))
    months = sorted({col.month for col in columns if col.month is not None})
    if len(months) > 1:
        report.notes.append(say("import.note.months", months=", ".join(f"{m:02d}" for m in months)))
    records: list[Record] = []
    for line, _, cells in data:
        code = codes.get(line)
        if code is None or (line in totals and not with_total):
            continue
        for col, _ in cells:
            periode = periode_text(col.year, col.month, period_month)
            if values[line][periode] is not None:
                records.append(Record(code, periode, values[line][periode], line, col.name))
    return records, problems, unmatched
