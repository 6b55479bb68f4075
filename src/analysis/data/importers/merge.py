"""Merging what the files hold into a data folder: arguments, conflicts, sources and the import itself."""


from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.messages import cli_language, t, tn
from analysis.core.problems import Problem, problem
from analysis.data import contract as datamod
from analysis.data.contract import (
    PARTICIPANT_COLUMNS,
    REGION_TREE_FILE,
    SEGMENTS,
    SOURCE_COLUMNS,
    SYNTHETIC_PREFIX,
    TOTAL,
    WORKFORCE_COLUMNS,
)
from analysis.data.destinations import output_problems
from analysis.data.importers.bps_wide import parse_bps_wide
from analysis.data.importers.cells import period_month_of
from analysis.data.importers.common import (
    EXCEL_SUFFIXES,
    FORMATS,
    WORKFORCE_MEASURES,
    FileReport,
    ImportReport,
    RefusedImport,
    say,
)
from analysis.data.importers.grid import read_grid
from analysis.data.importers.measures import (
    IMPORT_MEASURES,
    decide_measure,
)
from analysis.data.importers.names import NameIndex
from analysis.data.importers.opendata_jabar import (
    Record,
    is_opendata_jabar,
    parse_opendata_jabar,
)
from analysis.data.importers.staging import commit, data_folder_lock, upsert_source
from analysis.data.regions import load_regions

# --------------------------------------------------------------------------------------------
# Merging into a data directory


def sumber_key(source: str, path: Path) -> str:
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


def read_existing(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> pd.DataFrame:
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
            conflicts.append(problem(file, rec.line, rec.column, new, say("import.expect.conflict", table=table_name, kode=rec.kode,
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



def import_files(fmt: str, files: list[Path | str], into: Path | str, measure: str | None, segment: str | None, source: str,
                 replace: bool, sheet: str | None = None, period_month: str | int | None = None,
                 with_total: bool = False) -> ImportReport:
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
    month = period_month_of(period_month)
    with data_folder_lock(into):  # from reading the folder to the last rename: imports and builds take turns
        return _import_locked(fmt, files, into, measure, segment, source, replace, sheet, month, lang, with_total)


def _import_locked(fmt: str, files: list[Path], into: Path, measure: str | None, segment: str | None, source: str,
                   replace: bool, sheet: str | None, month: str | None, lang: str, with_total: bool = False) -> ImportReport:
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
                records, found, missing_names = parse_bps_wide(grid, path, names, month, fr, measure, with_total)
        except RefusedImport as exc:
            problems += exc.problems
            records = []
        else:
            problems += found
            unmatched += missing_names
        parsed.append((fr, records))
    chosen, why, found = decide_measure(measure, [(fr.path, fr.clues) for fr, _ in parsed if not fr.refusal], lang)
    arguments = _segment_problems(chosen, segment, why, lang) if chosen is not None else []
    problems = found + arguments + problems
    if problems:
        refusals = [fr.refusal for fr, _ in parsed if fr.refusal]
        if refusals:
            reason = refusals[0]
        elif unmatched:
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
        fr.sumber = sumber_key(source, fr.path)
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
        table = read_existing(table_path, columns, ("kode", "periode", measure, "sumber"))
    else:
        table = _empty(columns)
    incoming = _dedupe(incoming)
    other = ("pekerja_berhak" if measure == "penduduk_bekerja" else "penduduk_bekerja") if workforce else None
    merged, conflicts = _merge(table, key, measure, other, incoming, replace, report, table_path.name)
    if conflicts:
        raise RefusedImport(tn("import.reason.conflicts", lang, len(conflicts), table=table_path.name), conflicts)

    sources_path = into / "sources.csv"
    sources = read_existing(sources_path, SOURCE_COLUMNS, ("sumber", "judul")) if sources_path.exists() else _empty(SOURCE_COLUMNS)
    for fr in report.files:
        if fr.sumber in report.used_sources:
            sources, changed = upsert_source(sources, fr.sumber, source)
            if changed:
                report.sources_added.append(fr.sumber)
    if not create and not report.used_sources:
        return report  # every value is already there: leave the files (and their timestamps) alone
    tables = {table_path.name: merged, "sources.csv": sources}
    if create or not datamod._table_path(into, "participants").exists():
        tables.setdefault("participants.csv", _empty(PARTICIPANT_COLUMNS))
    if create or not datamod._table_path(into, "workforce").exists():
        tables.setdefault("workforce.csv", _empty(WORKFORCE_COLUMNS))
    commit(into, tables, create)
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
                               say("import.expect.one_value", kode=rec.kode, periode=rec.periode, where=f"{prev_file}:{prev.line}", value=prev.value)))
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
