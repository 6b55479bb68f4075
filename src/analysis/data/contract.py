"""The data contract: load a data directory and validate every row before any work starts.

A data directory holds:

- ``participants.csv``: kode, periode, segmen, peserta_aktif, sumber
- ``workforce.csv``: kode, periode, penduduk_bekerja, pekerja_berhak, sumber
- optional ``regions.csv`` (kode, nama, tingkat, kode_induk) adding to or overriding the tree,
- optional ``sources.csv`` (sumber, judul, url, lisensi, optional judul_en, lisensi_en) describing
  each ``sumber`` value,
- optional ``breaks.csv`` (kode, periode, ukuran, catatan, optional catatan_en, jenis): definition (or, ``jenis`` wilayah, territory) changes
  to mark on charts,
- optional ``references.csv`` (kode, periode, indikator, nilai, sumber): published figures in percent,
  ``cakupan`` (coverage, compared with Cakupan's own computation) or ``ucj`` (Universal Coverage
  Jamsostek, the indicator the national targets are set on, shown beside Cakupan's ratio).

Columns ending in ``_en`` hold the English text of a note; English pages show it where present.

``participants`` and ``workforce`` may be stored as ``.parquet`` files (same columns) instead of CSV,
never both for the same table.

Rows whose ``sumber`` starts with ``sintetis`` are synthetic (the sample panel); reports that
use any of them carry a visible banner.

CSV files are read only where their meaning is certain (README, "When the data is wrong"): UTF-8
with or without a byte order mark, ``,`` or ``;`` between values (told apart by the header line),
any line ending, empty lines skipped, counts with thousands grouped by two or more separators
(``5.900.000``) or by one where the file or column shows the convention. Everything else is
refused with its file, line, column and value: other encodings, rows with more values than the
header, an ambiguous ``5.900``, files above ``MAX_CSV_BYTES``.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.problems import InputError, Problem, expect, input_problem, problem
from analysis.core.writing import folder_lock
from analysis.data.regions import REGION_COLUMNS, ROOT, RegionTree, is_valid_code, load_regions, lookalike, parent_of, validate_region_rows

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # src/analysis/data/contract.py
DATA_ROOT = PROJECT_ROOT / "data"
BUNDLED_DIR = DATA_ROOT / "bundled"
RAW_DIR = DATA_ROOT / "raw"
REGION_TREE_FILE = RAW_DIR / "wilayah_kemendagri_2025.csv.gz"

SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
TOTAL = "TOTAL"  # all segments together, where a source publishes no split
SYNTHETIC_PREFIX = "sintetis"
PERIOD_RE = re.compile(r"^(19|20)[0-9][0-9](-(0[1-9]|1[0-2]))?$")  # ASCII digits only

PARTICIPANT_COLUMNS = ("kode", "periode", "segmen", "peserta_aktif", "sumber")
WORKFORCE_COLUMNS = ("kode", "periode", "penduduk_bekerja", "pekerja_berhak", "sumber")
SOURCE_COLUMNS = ("sumber", "judul", "url", "lisensi", "judul_en", "lisensi_en")
BREAK_COLUMNS = ("kode", "periode", "ukuran", "catatan", "catatan_en", "jenis")
BREAK_KINDS = ("", "definisi", "wilayah")  # empty = definisi; wilayah = a change of territory (a province split)
BREAK_REQUIRED = ("kode", "periode", "ukuran", "catatan")
REFERENCE_COLUMNS = ("kode", "periode", "indikator", "nilai", "sumber")
REFERENCE_INDICATORS = ("cakupan", "ucj")
MEASURES = ("peserta_aktif", "penduduk_bekerja", "pekerja_berhak")

# A CSV above this size is refused before it is read: a national desa panel by year fits (about
# 170 MB); anything larger belongs in Parquet, several times smaller and read without parsing text.
MAX_CSV_BYTES = 256 * 1024 * 1024
DELIMITERS = (",", ";")  # ';' is what Excel writes under an Indonesian locale
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never in a real table: a corrupt or binary file
MAX_COUNT = 400_000_000  # more people than live in Indonesia: a count above it is a typing or unit error
# A single separator before three digits is 5900 in Indonesian and 5.9 in English writing ...
AMBIGUOUS_RE = r"[1-9][0-9]{0,2}[.,][0-9]{3}"


def _grouped(separator: str, least: int) -> str:
    """Thousands grouped by ``separator``; two or more groups can only be a whole number (5.900.000)."""
    return rf"[1-9][0-9]{{0,2}}(?:\{separator}[0-9]{{3}}){{{least},}}"


@dataclass
class Dataset:
    """Validated panel: long tables with integer counts and parsed periods."""

    directory: Path
    regions: RegionTree
    participants: pd.DataFrame  # kode, periode, segmen, peserta_aktif, sumber, tahun, bulan, sintetis
    workforce: pd.DataFrame  # kode, periode, penduduk_bekerja, pekerja_berhak, sumber, tahun, bulan, sintetis
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SOURCE_COLUMNS))
    breaks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BREAK_COLUMNS))
    references: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REFERENCE_COLUMNS))
    # Tables computed from this panel once and reused by every report of a process (analysis.model.metrics
    # keys them); the panel is never changed after loading, so they never go stale (`replace` starts afresh).
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def reporting(self) -> frozenset[str]:
        """Codes with at least one participant or workforce row (most of the tree has none)."""
        return frozenset(self.participants["kode"]).union(self.workforce["kode"])


PARQUET_TABLES = ("participants", "workforce")  # tables that may be stored as .parquet instead of .csv


def _table_path(directory: Path, name: str) -> Path:
    """``name.csv``, or ``name.parquet`` when only the Parquet file is there."""
    csv_path, parquet_path = directory / f"{name}.csv", directory / f"{name}.parquet"
    return parquet_path if parquet_path.exists() and not csv_path.exists() else csv_path


def _arrow_as_text(column):
    """One Parquet column as the text a CSV would hold: whole numbers without '.0', missing as ''."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_floating(kind):
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, kind), column)
        finite = pc.drop_null(column)
        whole = pc.all(pc.and_(pc.equal(pc.floor(finite), finite), pc.less(pc.abs(finite), 2.0**53))).as_py()
        if whole is not False:
            column = column.cast(pa.int64())
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        try:
            column = column.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            column = pa.array([None if v is None else str(v) for v in column.to_pylist()], type=pa.string())
    return column.fill_null("")


def _read_parquet_text(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return pd.DataFrame({name: pd.Series(_arrow_as_text(col).to_pandas(), dtype="str")
                         for name, col in zip(table.column_names, table.columns, strict=True)}, columns=table.column_names)


def _locate_byte(raw: bytes, offset: int, delimiter: str) -> tuple[int, str | None, bytes]:
    """Line, column name and field bytes around ``raw[offset]`` (for a byte that cannot be read)."""
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    end = raw.find(b"\n", offset)
    end = len(raw) if end < 0 else end
    sep = delimiter.encode()
    header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", "replace")], delimiter=delimiter), [])
    index = max(len(next(csv.reader([raw[start:offset].decode("utf-8", "replace")], delimiter=delimiter), [])) - 1, 0)
    column = header[index] if line > 1 and index < len(header) else None
    field_start, field_end = raw.rfind(sep, start, offset), raw.find(sep, offset, end)
    return line, column, raw[start if field_start < 0 else field_start + 1:end if field_end < 0 else field_end].rstrip(b"\r")


def _sniff(header: str, columns: tuple[str, ...]) -> str:
    """The delimiter that splits the header line into the most expected column names (',' on a tie)."""
    return max(DELIMITERS, key=lambda d: len(set(next(csv.reader([header], delimiter=d), [])) & set(columns)))


def _unreadable(raw: bytes, path: Path, delimiter: str) -> Problem | None:
    """The first byte that makes the file something other than UTF-8 text, if any."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return problem(path, 1, None, raw[:8], expect("data.expect.utf16"))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column, value = _locate_byte(raw, exc.start, delimiter)
        return problem(path, line, column, value, expect("data.expect.utf8", byte=f"{raw[exc.start]:02X}"))
    control = CONTROL_BYTES.search(raw)
    if control:
        line, column, value = _locate_byte(raw, control.start(), delimiter)
        return problem(path, line, column, value, expect("data.expect.no_control", code=f"{raw[control.start()]:04X}"))
    return None


def _long_rows(text: str, delimiter: str, width: int, path: Path) -> list[Problem]:
    """Rows with more values than the header, or a quote never closed (the parser only names the first)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out, start = [], 1
    try:
        for row in reader:
            if len(row) > width:
                out.append(problem(path, start, None, delimiter.join(row),
                                   expect("data.expect.width", width=width, found=len(row), delimiter=delimiter)))
            start = reader.line_num + 1
    except csv.Error as exc:
        closing = "unexpected end of data" in str(exc)
        out.append(problem(path, start, None, text.split("\n", start)[start - 1].rstrip("\r"),
                           expect("data.expect.closing_quote" if closing else "data.expect.quoting")))
    return out


def _other_delimiter(table: pd.DataFrame, delimiter: str) -> pd.Series:
    """Rows written with the other delimiter (a ',' line pasted into a ';' file): one value holding them all."""
    if len(table.columns) < 2:
        return pd.Series(False, index=table.index)
    suspect = table.iloc[:, -1] == ""
    if suspect.any():
        suspect &= (table.iloc[:, 1:] == "").all(axis=1) & table.iloc[:, 0].str.contains(";" if delimiter == "," else ",", regex=False)
    return suspect


def _record_lines(table: pd.DataFrame, quoted: bool) -> np.ndarray:
    """The line on which each parsed record starts: only a quoted value can hold a line break."""
    lines = np.arange(1, len(table) + 1)
    if quoted:
        breaks = sum(table[c].str.count("\n").to_numpy() for c in table.columns)
        lines += np.concatenate([[0], np.cumsum(breaks)[:-1]])
    return lines


def _read_csv_text(path: Path, columns: tuple[str, ...]) -> tuple[pd.DataFrame, list[Problem]]:
    """Every cell as text, indexed by line number minus 2, with the header as column names.

    The index keeps each record's own line (header = line 1) across skipped empty lines and line
    breaks inside quoted values, so a problem always names the line an editor shows.
    """
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        return pd.DataFrame(), [problem(path, None, None, f"{size} bytes",
                                        expect("data.expect.size", limit=MAX_CSV_BYTES // 2**20, stem=path.stem))]
    raw = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    first = raw.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    delimiter = _sniff(first, columns)
    unreadable = _unreadable(raw, path, delimiter)
    if unreadable:
        return pd.DataFrame(), [unreadable]
    if not first.strip():
        return pd.DataFrame(), [problem(path, 1, None, first, expect("data.expect.header", columns=",".join(columns)))]
    try:
        table = pd.read_csv(io.BytesIO(raw), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, index_col=False, encoding="utf-8")
    except pd.errors.ParserError as exc:
        header = next(csv.reader([first], delimiter=delimiter))
        return pd.DataFrame(), _long_rows(raw.decode("utf-8"), delimiter, len(header), path) or [
            problem(path, None, None, str(exc).strip()[:200], expect("data.expect.csv"))]
    lines = _record_lines(table, quoted=b'"' in raw)[1:]
    header, table = list(table.iloc[0]), table.iloc[1:]
    blank = (table[table.columns[0]] == "").to_numpy()
    if blank.any():  # empty lines (or Excel's ',,,,' rows) carry nothing
        blank = blank & (table == "").all(axis=1).to_numpy()
        table, lines = table[~blank], lines[~blank]
    table.index = pd.Index(lines - 2)
    table.columns = header
    mixed = _other_delimiter(table, delimiter)
    if mixed.any():
        return pd.DataFrame(), [problem(path, int(line), None, value, expect("data.expect.delimiter", delimiter=delimiter))
                                for line, value in zip(_lines(mixed), table.iloc[:, 0][mixed])]
    if delimiter == ";":  # Excel writes ';' where the decimal mark is ',': '.' then groups thousands
        table.attrs["thousands"] = "."
    return table, []


def _read_table(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a CSV (or, for participants/workforce, a Parquet file) as text, checking the header.

    Values are validated by the caller. Parquet cells become the text a CSV would hold (whole numbers
    without '.0', missing as ''), so one validation serves both formats and a problem's line number is
    the row's line in the equivalent CSV (header = line 1). The index is the line number minus 2.
    """
    if path.stem in PARQUET_TABLES and path.suffix in (".csv", ".parquet"):
        csv_path, parquet_path = path.with_suffix(".csv"), path.with_suffix(".parquet")
        if csv_path.exists() and parquet_path.exists():
            return pd.DataFrame(columns=columns), [problem(
                parquet_path, None, None, f"{csv_path.name}, {parquet_path.name}",  # both names, no word to translate
                expect("data.expect.one_format", csv=csv_path.name, parquet=parquet_path.name))]
    odd = input_problem(path, "file")  # a folder, pipe, device or link loop: named, never opened
    if odd is not None:
        return pd.DataFrame(columns=columns), [odd]
    if not path.is_file():
        return pd.DataFrame(columns=columns), [problem(path, None, None, None,
                                                       expect("data.expect.file", name=path.name, columns=", ".join(columns)))]
    if path.suffix == ".parquet":
        try:
            df = _read_parquet_text(path)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            return pd.DataFrame(columns=columns), [problem(path, None, None, str(exc)[:200], expect("data.expect.parquet"))]
    else:
        df, problems = _read_csv_text(path, columns)
        if problems:
            return pd.DataFrame(columns=columns), problems
    problems = []
    names = list(df.columns)
    for col in required:
        if col not in df.columns:
            problems.append(problem(path, 1, col, None, expect("data.expect.column", column=col, columns=", ".join(columns))))
    for i, col in enumerate(names):
        if col not in columns:
            problems.append(problem(path, 1, col, col, expect("data.expect.only_columns", columns=", ".join(columns))))
        elif col in names[:i]:
            problems.append(problem(path, 1, col, col, expect("data.expect.column_once")))
    if problems:
        return pd.DataFrame(columns=columns), problems
    for col in columns:
        if col not in df.columns:
            df[col] = ""
    return df[list(columns)], problems


_read_csv = _read_table  # the former name, for callers written before Parquet support


def _lines(mask: pd.Series) -> np.ndarray:
    """Line numbers of the flagged rows: a table's index is its line number minus 2 (header = line 1)."""
    return mask.index.to_numpy()[np.flatnonzero(mask.to_numpy())] + 2


def _flag(df: pd.DataFrame, mask: pd.Series, column: str, path: Path, key: str | pd.Series, out: list[Problem],
          **values: object) -> None:
    """One problem per flagged row, naming its line and its value in ``column``; the expectation is the
    message ``key`` with ``values`` (each of them, and the key, either one for all rows or a Series by row)."""
    positions = np.flatnonzero(mask.to_numpy())
    if not len(positions):
        return

    def by_row(given: object) -> list:
        return list(given.iloc[positions]) if isinstance(given, pd.Series) else [given] * len(positions)

    keys, named = by_row(key), {name: by_row(v) for name, v in values.items()}
    cells = df[column].iloc[positions].to_numpy()
    out.extend(problem(path, int(line), column, cell, expect(keys[i], **{name: v[i] for name, v in named.items()}))
               for i, (line, cell) in enumerate(zip(_lines(mask), cells)))


def _check_codes(df: pd.DataFrame, path: Path, regions: RegionTree, out: list[Problem]) -> None:
    codes = df["kode"]
    # Each distinct code is checked once: a long panel repeats every code for each period and segment.
    ids, uniques = pd.factorize(codes, use_na_sentinel=False)
    shape_ok = np.fromiter((is_valid_code(u) for u in uniques), dtype=bool, count=len(uniques))
    known = regions.table.index.get_indexer(pd.Index(uniques)) >= 0  # the tree's index is unique
    odd = np.array([lookalike(u) or "" for u in uniques], dtype=object)[ids]  # a full-width or Arabic-Indic digit, named
    key = pd.Series(np.where(odd != "", "regions.expect.ascii_digits", "data.expect.code"), index=df.index)
    _flag(df, pd.Series(~shape_ok[ids], index=df.index), "kode", path, key, out, character=pd.Series(odd, index=df.index))
    _flag(df, pd.Series((shape_ok & ~known)[ids], index=df.index), "kode", path, "data.expect.in_tree", out)


def current_period(today: date | None = None) -> str:
    """This month as ``YYYY-MM`` (UTC): no figure can describe a later period."""
    today = today or datetime.now(timezone.utc).date()
    return f"{today.year:04d}-{today.month:02d}"


def _check_periods(df: pd.DataFrame, path: Path, out: list[Problem], today: date | None = None) -> None:
    """Periods are YYYY or YYYY-MM and not after this month (a bare year: not after this year).

    The clock is the real one, not SOURCE_DATE_EPOCH: a reproducible build pins its timestamp,
    while a row dated in the future (2099-12) is a typing error whenever the build runs.
    """
    shaped = df["periode"].str.fullmatch(PERIOD_RE)
    _flag(df, ~shaped, "periode", path, "data.expect.period", out)
    now = current_period(today)
    # Compared as text: YYYY-MM sorts by time, and a bare year is its own December.
    as_month = df["periode"].where(df["periode"].str.len() != 4, df["periode"] + "-01")
    _flag(df, shaped & (as_month > now), "periode", path, "data.expect.period_begun", out, now=now)


def _plain_digits(text: pd.Series) -> pd.Series | None:
    """Int64 values (NA where empty) when every cell is 1-15 ASCII digits or empty; otherwise None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(text) == 0:
        return None
    try:
        arr = pa.array(text.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) or arr.null_count:
        return None
    if not pc.all(pc.match_substring_regex(arr, r"^([0-9]{1,15})?$")).as_py():
        return None
    parsed = pc.cast(pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr), pa.int64())
    mask = parsed.is_null().to_numpy(zero_copy_only=False)
    data = parsed.fill_null(0).to_numpy(zero_copy_only=False)
    return pd.Series(pd.arrays.IntegerArray(data, mask), index=text.index, name=text.name)


def _thousands(text: pd.Series, declared: str | None) -> str | None:
    """The separator that groups thousands in a count column: declared by the file (';' files come
    from decimal-comma locales, so '.' groups), else shown by a value only grouping explains
    (5.900.000), unless the column shows both kinds."""
    if declared:
        return declared
    shown = [sep for sep in ".," if text.str.fullmatch(_grouped(sep, 2)).any()]
    return shown[0] if len(shown) == 1 else None


def _parse_counts(df: pd.DataFrame, column: str, path: Path, out: list[Problem], optional: bool = False) -> pd.Series:
    """Whole non-negative numbers; empty allowed only for optional columns.

    Thousands separators are read where their meaning is certain (see ``_thousands``); without that
    a single separator before three digits (5.900) is refused as ambiguous.
    """
    text = df[column].str.strip()
    empty = text == ""
    values = _plain_digits(text)
    ambiguous = huge = pd.Series(False, index=text.index)
    if values is not None:  # fast path: every cell is digits or empty, so only empties can be wrong
        bad = empty & (not optional)
    else:
        sep = _thousands(text, df.attrs.get("thousands"))
        if sep:
            grouped = text.str.fullmatch(_grouped(sep, 1))
            unread = text.str.contains("[.,]") & ~grouped  # the other mark is a decimal: not whole people
        else:
            grouped = text.str.fullmatch(_grouped(".", 2)) | text.str.fullmatch(_grouped(",", 2))
            ambiguous = unread = text.str.fullmatch(AMBIGUOUS_RE)
        plain = text.where(~grouped, text.str.replace(r"[.,]", "", regex=True))
        values = pd.to_numeric(plain.where(~empty & ~unread), errors="coerce")
        whole = np.isfinite(values) & (values >= 0) & (values == np.floor(values))
        huge = whole & (values >= 2**63)  # beyond any count, and beyond Int64
        bad = (~empty & (~whole | huge)) | (empty & (not optional))
    key = pd.Series("data.expect.count_or_empty" if optional else "data.expect.count", index=text.index)
    _flag(df, bad, column, path, key.mask(ambiguous, "data.expect.ambiguous").mask(huge, "data.expect.ceiling"), out, limit=MAX_COUNT)
    return values.where(~bad).astype("Int64")


def _check_ceiling(df: pd.DataFrame, counts: pd.Series, column: str, path: Path, out: list[Problem]) -> None:
    over = (counts > MAX_COUNT).fillna(False).astype(bool)
    _flag(df, over, column, path, "data.expect.ceiling", out, limit=MAX_COUNT)


def _check_duplicates(df: pd.DataFrame, key: list[str], path: Path, out: list[Problem]) -> None:
    dup = df.duplicated(key, keep="first")
    if not dup.any():
        return
    group = df.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    first_of_group = np.unique(group, return_index=True)[1]  # ngroup numbers groups 0..n-1
    first_line = df.index.to_numpy()[first_of_group] + 2
    columns = [df[k].to_numpy() for k in key]
    for i, line in zip(np.flatnonzero(dup.to_numpy()), _lines(dup)):
        out.append(problem(path, int(line), ",".join(key), ",".join(c[i] for c in columns),
                           expect("data.expect.unique", line=int(first_line[group[i]]))))


def _check_sources(df: pd.DataFrame, path: Path, out: list[Problem]) -> None:
    _flag(df, df["sumber"].str.strip() == "", "sumber", path, "data.expect.source", out)


def _add_time(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    # Parsed once per distinct period (a long panel repeats a handful of them).
    ids, periods = pd.factorize(df["periode"], use_na_sentinel=False)
    df["tahun"] = np.array([int(p[:4]) for p in periods], dtype=np.int64)[ids]
    # A bare year counts as that year's final figure (month 12) when picking the latest of a year.
    df["bulan"] = np.array([int(p[5:7] or "12") for p in periods], dtype=np.int64)[ids]
    df["sintetis"] = df["sumber"].str.startswith(SYNTHETIC_PREFIX)
    return df


def validate_participants(df: pd.DataFrame, path: Path, regions: RegionTree, out: list[Problem]) -> pd.DataFrame:
    _check_codes(df, path, regions, out)
    _check_periods(df, path, out)
    _flag(df, ~df["segmen"].isin(SEGMENTS + (TOTAL,)), "segmen", path, "cli.expect.choice", out, choices=", ".join(SEGMENTS + (TOTAL,)))
    counts = _parse_counts(df, "peserta_aktif", path, out)
    _check_ceiling(df, counts, "peserta_aktif", path, out)
    _check_sources(df, path, out)
    _check_duplicates(df, ["kode", "periode", "segmen"], path, out)
    return df.assign(peserta_aktif=counts)


def validate_workforce(df: pd.DataFrame, path: Path, regions: RegionTree, out: list[Problem]) -> pd.DataFrame:
    _check_codes(df, path, regions, out)
    _check_periods(df, path, out)
    employed = _parse_counts(df, "penduduk_bekerja", path, out, optional=True)
    eligible = _parse_counts(df, "pekerja_berhak", path, out, optional=True)
    _check_ceiling(df, employed, "penduduk_bekerja", path, out)
    _check_ceiling(df, eligible, "pekerja_berhak", path, out)
    neither = employed.isna() & eligible.isna() & (df["penduduk_bekerja"].str.strip() == "") & (df["pekerja_berhak"].str.strip() == "")
    _flag(df, neither, "penduduk_bekerja", path, "data.expect.a_count", out)
    over = (eligible > employed).fillna(False).astype(bool)
    _flag(df, over, "pekerja_berhak", path, "data.expect.eligible", out, employed=df["penduduk_bekerja"])
    _check_sources(df, path, out)
    _check_duplicates(df, ["kode", "periode"], path, out)
    return df.assign(penduduk_bekerja=employed, pekerja_berhak=eligible)


def _load_keyed(path: Path, columns: tuple[str, ...], regions: RegionTree, out: list[Problem],
                required: tuple[str, ...] | None = None) -> tuple[pd.DataFrame, bool]:
    """An optional table keyed by region and period; True when its codes and periods were checked."""
    if not os.path.lexists(path):
        return pd.DataFrame(columns=columns), False
    df, problems = _read_table(path, columns, required or columns)
    out.extend(problems)
    if problems:
        return df, False
    _check_codes(df, path, regions, out)
    _check_periods(df, path, out)
    return df, True


def _load_breaks(path: Path, regions: RegionTree, out: list[Problem]) -> pd.DataFrame:
    df, checked = _load_keyed(path, BREAK_COLUMNS, regions, out, BREAK_REQUIRED)
    if not checked:
        return df
    _flag(df, ~df["ukuran"].isin(MEASURES), "ukuran", path, "cli.expect.choice", out, choices=", ".join(MEASURES))
    _flag(df, ~df["jenis"].isin(BREAK_KINDS), "jenis", path, "cli.expect.choice", out, choices=", ".join(BREAK_KINDS[1:]))
    return df


def _load_references(path: Path, regions: RegionTree, out: list[Problem]) -> pd.DataFrame:
    df, checked = _load_keyed(path, REFERENCE_COLUMNS, regions, out)
    if not checked:
        return df
    _check_sources(df, path, out)
    _flag(df, ~df["indikator"].isin(REFERENCE_INDICATORS), "indikator", path, "cli.expect.choice", out,
          choices=", ".join(REFERENCE_INDICATORS))
    values = pd.to_numeric(df["nilai"], errors="coerce")
    _flag(df, ~(np.isfinite(values) & (values >= 0)), "nilai", path, "data.expect.percent", out)
    return df.assign(nilai=values)


def _load_sources(path: Path, out: list[Problem]) -> pd.DataFrame:
    if not os.path.lexists(path):
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    df, problems = _read_table(path, SOURCE_COLUMNS, ("sumber", "judul"))
    out.extend(problems)
    _check_duplicates(df, ["sumber"], path, out)
    return df


def _region_rows(path: Path, tree: RegionTree) -> tuple[pd.DataFrame, list[Problem]]:
    """``regions.csv`` read like the data tables and checked row by row, each problem at its line."""
    df, problems = _read_table(path, REGION_COLUMNS, REGION_COLUMNS)
    if problems:
        return df, problems
    line_of = df.index.to_numpy() + 2
    problems = [dataclasses.replace(p, line=int(line_of[p.line - 2])) for p in validate_region_rows(df.reset_index(drop=True), path)]
    _flag(df, df["nama"].str.strip() == "", "nama", path, "data.expect.name", problems)
    parents = pd.Series([(parent_of(c) if is_valid_code(c) else None) or ROOT for c in df["kode"]], index=df.index, dtype="str")
    orphan = ~(parents.isin(tree.table.index) | parents.isin(df["kode"]))
    _flag(df, orphan, "kode_induk", path, "data.expect.parent_add", problems, kode=df["kode"], parent=parents)
    _check_duplicates(df, ["kode"], path, problems)
    return df, problems


def load_region_tree(directory: Path) -> RegionTree:
    """The Kemendagri tree with the directory's ``regions.csv`` added or overriding, validated like the data."""
    tree = load_regions(REGION_TREE_FILE)
    path = directory / "regions.csv"
    if not os.path.lexists(path):
        return tree
    extra, problems = _region_rows(path, tree)
    if problems:
        raise InputError(problems)
    table = pd.concat([tree.table.reset_index(), extra[list(REGION_COLUMNS)]], ignore_index=True)
    table.loc[(table["tingkat"] == "provinsi") & (table["kode_induk"] == ""), "kode_induk"] = ROOT
    return RegionTree(table.drop_duplicates("kode", keep="last").set_index("kode"))


def load_dataset(directory: str | Path | None = None) -> Dataset:
    """Load and validate a data directory; raises InputError listing every problem found."""
    directory = Path(directory) if directory is not None else BUNDLED_DIR
    odd = input_problem(directory, "folder")
    if odd is not None:
        raise InputError([odd])
    if not directory.is_dir():
        raise InputError([problem(directory, None, None, str(directory), expect("data.expect.directory"))])
    with folder_lock(directory, exclusive=False):  # an import replacing files waits until these are read
        return _load_dataset(directory)


def _load_dataset(directory: Path) -> Dataset:
    regions = load_region_tree(directory)
    problems: list[Problem] = []
    p_path, w_path = _table_path(directory, "participants"), _table_path(directory, "workforce")
    participants, found = _read_table(p_path, PARTICIPANT_COLUMNS, PARTICIPANT_COLUMNS)
    problems += found
    if not found:
        participants = validate_participants(participants, p_path, regions, problems)
    workforce, found = _read_table(w_path, WORKFORCE_COLUMNS, ("kode", "periode", "penduduk_bekerja", "sumber"))
    problems += found
    if not found:
        workforce = validate_workforce(workforce, w_path, regions, problems)
    breaks = _load_breaks(directory / "breaks.csv", regions, problems)
    sources = _load_sources(directory / "sources.csv", problems)
    references = _load_references(directory / "references.csv", regions, problems)
    if problems:
        raise InputError(problems)
    tables = [t.reset_index(drop=True) for t in (_add_time(participants), _add_time(workforce), sources, breaks, references)]
    return Dataset(directory, regions, *tables)


def _fingerprint(directory: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.glob("*")) if p.is_file())


@lru_cache(maxsize=4)
def _cached(directory: str, fingerprint: tuple) -> Dataset:
    return load_dataset(directory)


def cached_dataset(directory: str | Path | None = None) -> Dataset:
    """Dataset loaded once per process (warm kernels build many reports from it)."""
    directory = Path(directory) if directory is not None else BUNDLED_DIR
    directory = directory.resolve()
    return _cached(str(directory), _fingerprint(directory) if directory.is_dir() else ())
