"""The BPS web-table layout: regions as rows, periods as columns, titles and footnotes around."""


from __future__ import annotations

import re
from pathlib import Path

from analysis.core.problems import Problem, problem
from analysis.data.importers.cells import (
    cell_count,
    number_style,
    parse_month,
    parse_period,
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
from analysis.data.importers.names import NameIndex, describe_codes, parse_name
from analysis.data.importers.opendata_jabar import (
    Record,
    add_clue,
    header_index,
    is_opendata_jabar,
)


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


def parse_bps_wide(grid: Grid, path: Path, names: NameIndex, period_month: str | None,
                   report: FileReport) -> tuple[list[Record], list[Problem], list[str]]:
    report.layout = say("import.layout.bps")
    rows, lines = grid.rows, grid.lines
    if is_opendata_jabar(grid):
        return [], [problem(path, grid.lines[header_index(grid)], "kode_kabupaten_kota", None,
                            say("import.expect.bps_not_odj"))], []
    header = None
    for i, row in enumerate(rows):  # the first row whose cells (after the first) are mostly periods
        filled = sum(1 for c in row[1:] if cell_text(c))
        if filled and sum(parse_period(c) is not None for c in row[1:]) * 2 >= filled:
            header = i
            break
    if header is None:
        return [], [problem(path, None, None, None, say("import.expect.period_header"))], []
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
        return [], [problem(path, lines[header], None, None, say("import.expect.period_titles"))], []
    first_col = min(periods)
    col_names = {j: cell_text(head[j]) for j in periods}
    if len(header_rows) > 1:
        below = rows[header + 1]
        col_names = {j: f"{periods[j][0]} {cell_text(below[j])}" if j < len(below) and cell_text(below[j]) else cell_text(head[j]) for j in periods}
    problems: list[Problem] = []
    seen: dict[tuple[int, int | None], int] = {}
    for j, p in sorted(periods.items()):
        if p in seen:
            problems.append(problem(path, lines[header], col_names[j], col_names[j],
                                    say("import.expect.period_once", column=seen[p] + 1)))
        seen.setdefault(p, j)
    start = header_rows[-1] + 1
    # Unit rows under the header ("", "Orang", "Orang") belong to the header.
    while start < len(rows) and not cell_text(rows[start][0] if rows[start] else "") and any(
            cell_text(c) for c in rows[start][1:]) and not any(re.search(r"\d", cell_text(c)) for c in rows[start][1:]):
        header_rows.append(start)
        start += 1
    body: list[tuple[int, list[object]]] = []
    for i in range(start, len(rows)):
        row = rows[i]
        first_text = next((cell_text(c) for c in row if cell_text(c)), "")
        if first_text and FOOTER_RE.match(first_text):
            report.ignored.extend((lines[k], next((cell_text(c) for c in rows[k] if cell_text(c)), "")[:60])
                                  for k in range(i, len(rows)) if any(cell_text(c) for c in rows[k]))
            break
        body.append((lines[i], row))
    # The label column: left of the periods, holding the most non-numeric text.
    scores = {j: sum(1 for _, r in body if j < len(r) and cell_text(r[j]) and not re.fullmatch(r"[\d.,\s]+", cell_text(r[j])))
              for j in range(first_col)}
    if not scores or max(scores.values()) == 0:
        return [], problems + [problem(path, lines[header], None, None, say("import.expect.label_column"))], []
    label_col = max(scores, key=lambda j: (scores[j], -j))
    titles = [(lines[k], cell_text(c)) for k in range(0, header_rows[-1] + 1) for c in rows[k] if isinstance(c, str) and cell_text(c)]
    for line, text in titles:
        if not FOOTER_RE.match(text):
            add_clue(report, line, None, text)
    scale, unit_problems = unit_of_titles(titles, path)
    problems += unit_problems
    if scale == 1000:
        report.scale_note = say("import.note.title_ribu")
    data: list[tuple[int, str, list[tuple[int, object]]]] = []
    for line, row in body:
        label = cell_text(row[label_col]) if label_col < len(row) else ""
        cells = [(j, row[j] if j < len(row) else None) for j in sorted(periods)]
        blank = all(cell_text(v) == "" for _, v in cells)
        if blank:
            if label:
                report.ignored.append((line, label[:60]))
            continue
        if not label:
            problems.append(problem(path, line, cell_text(head[label_col]) or None, "", say("import.expect.label")))
            continue
        if parse_name(label)[1] in TOTAL_LABELS:
            report.ignored.append((line, say("import.note.total_row", label=label)))
            continue
        data.append((line, label, cells))
    codes, name_problems, unmatched = _resolve_names([(line, label) for line, label, _ in data], names, path,
                                                     cell_text(head[label_col]) or None, report)
    problems += name_problems
    report.number_style = number_style([(line, col_names[j], v) for line, _, cells in data for j, v in cells], path)
    records: list[Record] = []
    for line, _, cells in data:
        code = codes.get(line)
        for j, value in cells:
            column = col_names[j]
            count = cell_count(value, report, scale, line, column, problems)
            if count is not None and code is not None:
                year, month = periods[j]
                records.append(Record(code, periode_text(year, month, period_month), count, line, column))
    return records, problems, unmatched
