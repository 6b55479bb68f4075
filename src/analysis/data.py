"""The data contract: load a data directory and validate every row before any work starts.

A data directory holds:

- ``participants.csv``: kode, periode, segmen, peserta_aktif, sumber
- ``workforce.csv``: kode, periode, penduduk_bekerja, pekerja_berhak, sumber
- optional ``regions.csv`` (kode, nama, tingkat, kode_induk) adding to or overriding the tree,
- optional ``sources.csv`` (sumber, judul, url, lisensi) describing each ``sumber`` value,
- optional ``breaks.csv`` (kode, periode, ukuran, catatan): definition changes to mark on charts,
- optional ``references.csv`` (kode, periode, indikator, nilai, sumber): published figures (coverage
  in percent) that reports compare with their own computation.

``participants`` and ``workforce`` may be stored as ``.parquet`` files (same columns) instead of CSV,
never both for the same table.

Rows whose ``sumber`` starts with ``sintetis`` are synthetic (the sample panel); reports that
use any of them carry a visible banner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError, Problem, problem
from analysis.regions import RegionTree, is_valid_code, load_regions

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = PROJECT_ROOT / "data"
BUNDLED_DIR = DATA_ROOT / "bundled"
RAW_DIR = DATA_ROOT / "raw"
REGION_TREE_FILE = RAW_DIR / "wilayah_kemendagri_2025.csv.gz"

SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
TOTAL = "TOTAL"  # all segments together, where a source publishes no split
SYNTHETIC_PREFIX = "sintetis"
PERIOD_RE = re.compile(r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$")

PARTICIPANT_COLUMNS = ("kode", "periode", "segmen", "peserta_aktif", "sumber")
WORKFORCE_COLUMNS = ("kode", "periode", "penduduk_bekerja", "pekerja_berhak", "sumber")
SOURCE_COLUMNS = ("sumber", "judul", "url", "lisensi")
BREAK_COLUMNS = ("kode", "periode", "ukuran", "catatan")
REFERENCE_COLUMNS = ("kode", "periode", "indikator", "nilai", "sumber")
REFERENCE_INDICATORS = ("cakupan",)
MEASURES = ("peserta_aktif", "penduduk_bekerja", "pekerja_berhak")


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


def _read_table(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a CSV (or, for participants/workforce, a Parquet file) as text, checking the header.

    Values are validated by the caller. Parquet cells become the text a CSV would hold (whole numbers
    without '.0', missing as ''), so one validation serves both formats and a problem's line number is
    the row's line in the equivalent CSV (header = line 1). A UTF-8 byte order mark is accepted.
    """
    if path.stem in PARQUET_TABLES and path.suffix in (".csv", ".parquet"):
        csv_path, parquet_path = path.with_suffix(".csv"), path.with_suffix(".parquet")
        if csv_path.exists() and parquet_path.exists():
            return pd.DataFrame(columns=columns), [problem(
                parquet_path, None, None, f"{csv_path.name} and {parquet_path.name}",
                f"only one of {csv_path.name} or {parquet_path.name} in a data directory (remove the one that is out of date)")]
    if not path.exists():
        return pd.DataFrame(columns=columns), [problem(path, None, None, None, f"a file {path.name} with columns {', '.join(columns)}")]
    if path.suffix == ".parquet":
        try:
            df = _read_parquet_text(path)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            return pd.DataFrame(columns=columns), [problem(path, None, None, str(exc)[:200], "a readable Parquet file")]
    else:
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:
            return pd.DataFrame(columns=columns), [problem(path, 1, None, "", f"a header line {','.join(columns)}")]
        except UnicodeDecodeError as exc:
            return pd.DataFrame(columns=columns), [problem(path, None, None, exc.object[exc.start:exc.start + 8], "UTF-8 text")]
    problems = []
    for col in required:
        if col not in df.columns:
            problems.append(problem(path, 1, col, None, f"a column named '{col}' (columns: {', '.join(columns)})"))
    for col in df.columns:
        if col not in columns:
            problems.append(problem(path, 1, col, col, f"only the columns {', '.join(columns)}"))
    for col in columns:
        if col not in df.columns:
            df[col] = ""
    return df[list(columns)], problems


_read_csv = _read_table  # the former name, for callers written before Parquet support


def _lines(mask: pd.Series) -> np.ndarray:
    return np.flatnonzero(mask.to_numpy()) + 2  # header is line 1


def _check_codes(df: pd.DataFrame, path: Path, regions: RegionTree, out: list[Problem]) -> None:
    codes = df["kode"]
    # Each distinct code is checked once: a long panel repeats every code for each period and segment.
    ids, uniques = pd.factorize(codes, use_na_sentinel=False)
    shape_ok = np.fromiter((is_valid_code(u) for u in uniques), dtype=bool, count=len(uniques))
    known = regions.table.index.get_indexer(pd.Index(uniques)) >= 0  # the tree's index is unique
    bad_shape = pd.Series(~shape_ok[ids])
    for line in _lines(bad_shape):
        out.append(problem(path, int(line), "kode", codes.iat[line - 2], "a Kemendagri code like ID, 32, 32.04 or 32.04.16.2001"))
    unknown = pd.Series((shape_ok & ~known)[ids])
    for line in _lines(unknown):
        out.append(problem(path, int(line), "kode", codes.iat[line - 2], "a code present in the region tree (add it to regions.csv)"))


def _check_periods(df: pd.DataFrame, path: Path, out: list[Problem]) -> None:
    bad = ~df["periode"].str.fullmatch(PERIOD_RE)
    for line in _lines(bad):
        out.append(problem(path, int(line), "periode", df["periode"].iat[line - 2], "a period YYYY or YYYY-MM"))


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


def _parse_counts(df: pd.DataFrame, column: str, path: Path, out: list[Problem], optional: bool = False) -> pd.Series:
    """Whole non-negative numbers; empty allowed only for optional columns."""
    text = df[column].str.strip()
    empty = text == ""
    values = _plain_digits(text)
    if values is not None:  # fast path: every cell is digits or empty, so only empties can be wrong
        bad = empty & (not optional)
    else:
        values = pd.to_numeric(text.where(~empty), errors="coerce")
        bad = (~empty & (values.isna() | (values < 0) | (values != np.floor(values)))) | (empty & (not optional))
    for line in _lines(bad):
        expected = "a whole number of people, 0 or more" + (" (or empty)" if optional else "")
        out.append(problem(path, int(line), column, df[column].iat[line - 2], expected))
    return values.where(~bad).astype("Int64")


def _check_duplicates(df: pd.DataFrame, key: list[str], path: Path, out: list[Problem]) -> None:
    dup = df.duplicated(key, keep="first")
    if not dup.any():
        return
    group = df.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    first_of_group = np.unique(group, return_index=True)[1]  # ngroup numbers groups 0..n-1
    columns = [df[k].to_numpy() for k in key]
    for line in _lines(dup):
        i = line - 2
        first = int(first_of_group[group[i]]) + 2
        out.append(problem(path, int(line), ",".join(key), ",".join(c[i] for c in columns), f"a unique key; the same key is on line {first}"))


def _check_sources(df: pd.DataFrame, path: Path, out: list[Problem]) -> None:
    for line in _lines(df["sumber"].str.strip() == ""):
        out.append(problem(path, int(line), "sumber", "", "the source of the figure (never empty)"))


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
    bad_seg = ~df["segmen"].isin(SEGMENTS + (TOTAL,))
    for line in _lines(bad_seg):
        out.append(problem(path, int(line), "segmen", df["segmen"].iat[line - 2], f"one of {', '.join(SEGMENTS + (TOTAL,))}"))
    counts = _parse_counts(df, "peserta_aktif", path, out)
    _check_sources(df, path, out)
    _check_duplicates(df, ["kode", "periode", "segmen"], path, out)
    df = df.assign(peserta_aktif=counts)
    return df


def validate_workforce(df: pd.DataFrame, path: Path, regions: RegionTree, out: list[Problem]) -> pd.DataFrame:
    _check_codes(df, path, regions, out)
    _check_periods(df, path, out)
    employed = _parse_counts(df, "penduduk_bekerja", path, out, optional=True)
    eligible = _parse_counts(df, "pekerja_berhak", path, out, optional=True)
    neither = employed.isna() & eligible.isna() & (df["penduduk_bekerja"].str.strip() == "") & (df["pekerja_berhak"].str.strip() == "")
    for line in _lines(neither):
        out.append(problem(path, int(line), "penduduk_bekerja", "", "a count in penduduk_bekerja or pekerja_berhak"))
    over = (eligible > employed).fillna(False).astype(bool)
    for line in _lines(over):
        out.append(problem(path, int(line), "pekerja_berhak", df["pekerja_berhak"].iat[line - 2],
                           f"at most penduduk_bekerja ({df['penduduk_bekerja'].iat[line - 2]}): the eligible are a subset of the employed"))
    _check_sources(df, path, out)
    _check_duplicates(df, ["kode", "periode"], path, out)
    return df.assign(penduduk_bekerja=employed, pekerja_berhak=eligible)


def _load_breaks(path: Path, regions: RegionTree, out: list[Problem]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=BREAK_COLUMNS)
    df, problems = _read_table(path, BREAK_COLUMNS, BREAK_COLUMNS)
    out.extend(problems)
    if problems:
        return df
    _check_codes(df, path, regions, out)
    _check_periods(df, path, out)
    for line in _lines(~df["ukuran"].isin(MEASURES)):
        out.append(problem(path, int(line), "ukuran", df["ukuran"].iat[line - 2], f"one of {', '.join(MEASURES)}"))
    return df


def _load_references(path: Path, regions: RegionTree, out: list[Problem]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=REFERENCE_COLUMNS)
    df, problems = _read_table(path, REFERENCE_COLUMNS, REFERENCE_COLUMNS)
    out.extend(problems)
    if problems:
        return df
    _check_codes(df, path, regions, out)
    _check_periods(df, path, out)
    _check_sources(df, path, out)
    for line in _lines(~df["indikator"].isin(REFERENCE_INDICATORS)):
        out.append(problem(path, int(line), "indikator", df["indikator"].iat[line - 2], f"one of {', '.join(REFERENCE_INDICATORS)}"))
    values = pd.to_numeric(df["nilai"], errors="coerce")
    for line in _lines(values.isna() | (values < 0)):
        out.append(problem(path, int(line), "nilai", df["nilai"].iat[line - 2], "a percentage written with a decimal point, e.g. 31.4"))
    return df.assign(nilai=values)


def _load_sources(path: Path, out: list[Problem]) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    df, problems = _read_table(path, SOURCE_COLUMNS, ("sumber", "judul"))
    out.extend(problems)
    _check_duplicates(df, ["sumber"], path, out)
    return df


def load_dataset(directory: str | Path | None = None) -> Dataset:
    """Load and validate a data directory; raises InputError listing every problem found."""
    directory = Path(directory) if directory is not None else BUNDLED_DIR
    if not directory.is_dir():
        raise InputError([problem(directory, None, None, str(directory), "a data directory with participants.csv and workforce.csv")])
    regions = load_regions(REGION_TREE_FILE, directory / "regions.csv")
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
    return Dataset(directory, regions, _add_time(participants), _add_time(workforce), sources, breaks, references)


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
