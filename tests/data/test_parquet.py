"""Parquet data directories, and the vectorised validation that makes desa-level panels load fast."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data import contract as data
from analysis.data.contract import BUNDLED_DIR, REGION_TREE_FILE, load_dataset
from analysis.core.problems import InputError, problem
from analysis.data.importers import to_parquet
from analysis.data.regions import RegionTree, is_valid_code, load_regions


@pytest.fixture(scope="module")
def tree():
    return load_regions(REGION_TREE_FILE)


def desa_panel(tree, villages: int, years=range(2015, 2025), seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participants (village × year × 4 segments) and workforce (village × year) with integer columns."""
    rng = np.random.default_rng(seed)
    desa = np.array(tree.codes("desa")[:villages], dtype=object)
    years = [str(y) for y in years]
    segs = np.array(data.SEGMENTS, dtype=object)
    n = len(desa) * len(years) * len(segs)
    participants = pd.DataFrame({
        "kode": np.repeat(desa, len(years) * len(segs)),
        "periode": np.tile(np.repeat(np.array([f"{y}-12" for y in years], dtype=object), len(segs)), len(desa)),
        "segmen": np.tile(segs, len(desa) * len(years)),
        "peserta_aktif": rng.integers(0, 5000, n),
        "sumber": "uji-desa",
    })
    m = len(desa) * len(years)
    employed = rng.integers(500, 20000, m)
    eligible = pd.array((employed * 0.6).astype(int), dtype="Int64")
    eligible[::7] = pd.NA  # optional column: some cells empty
    workforce = pd.DataFrame({
        "kode": np.repeat(desa, len(years)),
        "periode": np.tile(np.array([f"{y}-08" for y in years], dtype=object), len(desa)),
        "penduduk_bekerja": employed, "pekerja_berhak": eligible, "sumber": "uji-desa",
    })
    return participants, workforce


def write_dir(directory: Path, participants: pd.DataFrame, workforce: pd.DataFrame, fmt: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, df in (("participants", participants), ("workforce", workforce)):
        if fmt == "csv":
            df.to_csv(directory / f"{name}.csv", index=False, lineterminator="\n")
        else:
            df.to_parquet(directory / f"{name}.parquet", index=False)
    return directory


def assert_same_dataset(a: data.Dataset, b: data.Dataset) -> None:
    for name in ("participants", "workforce", "sources", "breaks"):
        pd.testing.assert_frame_equal(getattr(a, name).reset_index(drop=True), getattr(b, name).reset_index(drop=True), check_dtype=True)


def test_bundled_as_parquet_loads_equal(tmp_path):
    target = tmp_path / "pq"
    shutil.copytree(BUNDLED_DIR, target)
    written = to_parquet(target)
    assert sorted(p.name for p in written) == ["participants.parquet", "workforce.parquet"]
    assert not (target / "participants.csv").exists()
    assert_same_dataset(load_dataset(BUNDLED_DIR), load_dataset(target))


def test_desa_panel_csv_equals_parquet(tmp_path, tree):
    participants, workforce = desa_panel(tree, villages=1250)  # 50,000 participant rows
    assert len(participants) == 50_000
    a = load_dataset(write_dir(tmp_path / "csv", participants, workforce, "csv"))
    b = load_dataset(write_dir(tmp_path / "pq", participants, workforce, "parquet"))
    assert_same_dataset(a, b)
    assert a.participants["peserta_aktif"].sum() == participants["peserta_aktif"].sum()
    assert a.workforce["pekerja_berhak"].isna().sum() == workforce["pekerja_berhak"].isna().sum()


def test_parquet_float_and_string_columns_read_like_csv(tmp_path, tree):
    """Floats that hold whole numbers (as pandas writes a column with gaps) read as '123', not '123.0'."""
    _, workforce = desa_panel(tree, villages=20)
    as_float = workforce.assign(pekerja_berhak=workforce["pekerja_berhak"].astype("float64"))
    as_text = workforce.astype({"penduduk_bekerja": str}).assign(pekerja_berhak=workforce["pekerja_berhak"].astype("string"))
    frames = []
    for name, wf in (("float", as_float), ("text", as_text), ("int", workforce)):
        d = tmp_path / name
        d.mkdir()
        (d / "participants.csv").write_text(",".join(data.PARTICIPANT_COLUMNS) + "\n")
        wf.to_parquet(d / "workforce.parquet", index=False)
        frames.append(load_dataset(d).workforce)
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_both_formats_for_one_table_is_an_error(tmp_path):
    target = tmp_path / "both"
    shutil.copytree(BUNDLED_DIR, target)
    pd.read_csv(target / "workforce.csv", dtype=str, keep_default_na=False).to_parquet(target / "workforce.parquet")
    with pytest.raises(InputError) as exc:
        load_dataset(target)
    [p] = exc.value.problems
    assert p.file == str(target / "workforce.parquet")
    assert p.expected.startswith("only one of workforce.csv or workforce.parquet")


def test_unreadable_parquet_is_a_problem(tmp_path):
    target = tmp_path / "bad"
    shutil.copytree(BUNDLED_DIR, target)
    (target / "participants.csv").unlink()
    (target / "participants.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputError) as exc:
        load_dataset(target)
    assert exc.value.problems[0].expected == "a readable Parquet file"


def test_parquet_problems_match_csv_problems(tmp_path, tree):
    """Same rows, same problems (line = the row's line in the equivalent CSV), only the file name differs."""
    participants, workforce = desa_panel(tree, villages=3)
    participants = participants.astype({"peserta_aktif": str})
    participants.loc[4, "kode"] = "32.99.99.9999"
    participants.loc[5, "periode"] = "2023-13"
    participants.loc[6, "segmen"] = "PNS"
    participants.loc[7, "peserta_aktif"] = "-3"
    participants.loc[9, ["kode", "periode", "segmen"]] = participants.loc[8, ["kode", "periode", "segmen"]].to_numpy()
    results = {}
    for fmt in ("csv", "parquet"):
        with pytest.raises(InputError) as exc:
            load_dataset(write_dir(tmp_path / fmt, participants, workforce, fmt))
        results[fmt] = [(Path(p.file).stem, p.line, p.column, p.value, p.expected) for p in exc.value.problems]
    assert results["csv"] == results["parquet"]
    assert [r[1:3] for r in results["csv"]] == [(6, "kode"), (7, "periode"), (8, "segmen"), (9, "peserta_aktif"), (11, "kode,periode,segmen")]


def test_utf8_bom_in_a_data_csv_is_accepted(tmp_path):
    target = tmp_path / "bom"
    shutil.copytree(BUNDLED_DIR, target)
    path = target / "participants.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_dataset(target).participants) == len(load_dataset(BUNDLED_DIR).participants)


# ------------------------------------------------------------------ vectorised validation = the original


def reference_check_codes(df, path, regions, out):  # the row-by-row version it replaces
    codes = df["kode"]
    bad_shape = ~codes.map(is_valid_code).astype(bool)
    for line in data._lines(bad_shape):
        code = codes.iat[line - 2]
        odd = next((c for c in str(code) if not c.isascii()), None)  # a look-alike digit is named
        out.append(problem(path, int(line), "kode", code, "a Kemendagri code like ID, 32, 32.04 or 32.04.16.2001" if odd is None else
                           f"a code with ASCII digits 0-9; U+{ord(odd):04X} {unicodedata.name(odd, 'UNNAMED CHARACTER')} only looks like a "
                           "digit: type the code again"))
    unknown = ~bad_shape & ~codes.isin(regions.table.index)
    for line in data._lines(unknown):
        out.append(problem(path, int(line), "kode", codes.iat[line - 2], "a code present in the region tree (add it to regions.csv)"))


def reference_check_duplicates(df, key, path, out):
    dup = df.duplicated(key, keep="first")
    for line in data._lines(dup):
        row = df.iloc[line - 2]
        first = int(np.flatnonzero((df[key] == row[key]).all(axis=1).to_numpy())[0]) + 2
        out.append(problem(path, int(line), ",".join(key), ",".join(row[key]), f"a unique key; the same key is on line {first}"))


def reference_parse_counts(df, column, path, out, optional=False):
    text = df[column].str.strip()
    empty = text == ""
    values = pd.to_numeric(text.where(~empty), errors="coerce")
    bad = (~empty & (values.isna() | (values < 0) | (values != np.floor(values)))) | (empty & (not optional))
    for line in data._lines(bad):
        expected = "a whole number of people, 0 or more" + (" (or empty)" if optional else "")
        out.append(problem(path, int(line), column, df[column].iat[line - 2], expected))
    return values.where(~bad).astype("Int64")


def reference_add_time(df):
    df = df.copy()
    df["tahun"] = df["periode"].str[:4].astype(int)
    df["bulan"] = df["periode"].str[5:7].replace("", "12").astype(int)
    df["sintetis"] = df["sumber"].str.startswith(data.SYNTHETIC_PREFIX)
    return df


TRICKY = pd.DataFrame({
    "kode": ["32", "32.73", "x", "32.73", "ID", "32.73.01", "99", "32.73", "٣٢", "32.7", "32", "32.73"],
    "periode": ["2023", "2023-08", "2023", "2023-08", "2020", "2021", "2021", "2023-08", "2023", "2023", "2023", "2024-12"],
    "segmen": ["PU", "PU", "PU", "PU", "BPU", "PU", "PU", "JAKON", "PU", "PU", "PU", "PU"],
    "n": ["1", "007", "", " 5 ", "-1", "2.0", "2.5", "abc", "1e3", "+4", "1", "12345678901234567"],
    "sumber": ["a", "b", "c", "d", "sintetis:x", "e", "f", "g", "h", "i", "j", "k"],
}, dtype="str")


@pytest.mark.parametrize("frame", [TRICKY, TRICKY.iloc[:0], TRICKY.iloc[[0, 1, 3, 10, 10, 1]].reset_index(drop=True)])
def test_vectorised_validation_matches_original(tree, frame):
    path = Path("participants.csv")
    for key in (["kode", "periode"], ["kode", "periode", "segmen"], ["sumber"]):
        mine, ref = [], []
        data._check_duplicates(frame, key, path, mine)
        reference_check_duplicates(frame, key, path, ref)
        assert mine == ref
    mine, ref = [], []
    data._check_codes(frame, path, tree, mine)
    reference_check_codes(frame, path, tree, ref)
    assert mine == ref
    for optional in (False, True):
        digits = frame.assign(n=frame["n"].where(frame["n"].str.fullmatch(r"\s*[0-9]{0,15}\s*"), ""))
        assert len(frame) == 0 or data._plain_digits(digits["n"].str.strip()) is not None  # the fast path is exercised
        for f in (frame, digits):
            mine, ref = [], []
            got = data._parse_counts(f, "n", path, mine, optional)
            want = reference_parse_counts(f, "n", path, ref, optional)
            assert mine == ref
            pd.testing.assert_series_equal(got, want)
    valid = frame[frame["periode"].str.fullmatch(data.PERIOD_RE)].reset_index(drop=True)
    pd.testing.assert_frame_equal(data._add_time(valid), reference_add_time(valid))


def test_many_duplicates_are_fast_and_point_at_the_first_line(tree):
    participants, _ = desa_panel(tree, villages=500)
    doubled = pd.concat([participants, participants], ignore_index=True).astype(str)
    out = []
    data._check_duplicates(doubled, ["kode", "periode", "segmen"], Path("participants.csv"), out)
    assert len(out) == len(participants)
    assert (out[0].line, out[-1].line) == (len(participants) + 2, 2 * len(participants) + 1)
    assert out[-1].expected == f"a unique key; the same key is on line {len(participants) + 1}"


CELLS = {
    "kode": ["32", "32.73", "32.73.01", "ID", "99", "x", "", "32.7", "٣٢", "32.73.01.1001"],
    "periode": ["2023", "2023-08", "2023-13", "23", ""],
    "segmen": ["PU", "BPU", "TOTAL", "pns"],
    "n": ["0", "12", "007", "", " 5", "-1", "2.5", "1e3", "abc", "99999999999999"],
}


@pytest.fixture(scope="module")
def small_tree(tree):
    return RegionTree(tree.table.loc[["ID", "32", "32.73", "32.73.01"]])


@given(st.lists(st.tuples(*(st.sampled_from(v) for v in CELLS.values())), max_size=25))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_vectorised_validation_matches_original_on_random_frames(small_tree, rows):
    frame = pd.DataFrame(rows, columns=list(CELLS), dtype="str") if rows else pd.DataFrame({c: pd.Series([], dtype="str") for c in CELLS})
    path = Path("participants.csv")
    mine, ref = [], []
    data._check_codes(frame, path, small_tree, mine)
    reference_check_codes(frame, path, small_tree, ref)
    data._check_duplicates(frame, ["kode", "periode", "segmen"], path, mine)
    reference_check_duplicates(frame, ["kode", "periode", "segmen"], path, ref)
    got = data._parse_counts(frame, "n", path, mine, optional=True)
    want = reference_parse_counts(frame, "n", path, ref, optional=True)
    assert mine == ref
    pd.testing.assert_series_equal(got, want)


@pytest.mark.parametrize("values, kind, text", [
    ([1e15, float("nan"), None], None, ["1000000000000000", "", ""]),  # whole floats as integers; NaN and null missing
    ([1e15, 0.5], None, ["1e+15", "0.5"]),  # one fraction: every value stays as the float it is
    ([1e15, 2.0**53], None, ["1e+15", "9.007199254740992e+15"]),  # past 2**53 a float is no longer exact
    ([1, None], None, ["1", ""]),
    (["a", None], pa.large_string(), ["a", ""]),
    ([[1, 2], None], None, ["[1, 2]", ""]),  # a type Arrow cannot cast to text: Python's own text
    ([dt.date(2024, 12, 1), None], None, ["2024-12-01", ""]),
])
def test_a_parquet_column_reads_as_the_text_a_csv_would_hold(values, kind, text):
    assert data._arrow_as_text(pa.array(values, type=kind)).to_pylist() == text


def test_a_dictionary_column_reads_as_its_values():
    assert data._arrow_as_text(pa.array([1e15, 2.0, 1e15]).dictionary_encode()).to_pylist() == ["1000000000000000", "2", "1000000000000000"]
    assert data._arrow_as_text(pa.array(["32", "32.73", "32"]).dictionary_encode()).to_pylist() == ["32", "32.73", "32"]
