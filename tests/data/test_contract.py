"""Loading and validating a data directory."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import contract as data
from analysis.data.contract import BUNDLED_DIR, load_dataset
from analysis.core.problems import InputError


@pytest.fixture
def data_dir(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(BUNDLED_DIR, target)
    return target


def _append(path, line):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    return sum(1 for _ in open(path, encoding="utf-8"))


def test_bundled_data_is_valid():
    ds = load_dataset()
    assert {"kode", "periode", "segmen", "peserta_aktif", "sumber", "tahun", "bulan", "sintetis"} <= set(ds.participants)
    assert ds.participants["peserta_aktif"].min() >= 0
    assert set(ds.sources["sumber"]) >= {s for v in ds.participants["sumber"] for s in v.split(" + ")}


@pytest.mark.parametrize("row, column, expected", [
    ("32,2024-13,PU,5,x", "periode", "a period YYYY or YYYY-MM"),
    ("32,2024,PU,-5,x", "peserta_aktif", "a whole number of people, 0 or more"),
    ("32,2024,PU,lima,x", "peserta_aktif", "a whole number of people, 0 or more"),
    ("32,2024,PU,5.5,x", "peserta_aktif", "a whole number of people, 0 or more"),
    ("32,2024,XX,5,x", "segmen", "one of PU, BPU, JAKON, PMI, TOTAL"),
    ("32.99,2024,PU,5,x", "kode", "a code present in the region tree (add it to regions.csv)"),
    ("3204,2024,PU,5,x", "kode", "a Kemendagri code like ID, 32, 32.04 or 32.04.16.2001"),
    ("32,2024,PU,5,", "sumber", "the source of the figure (never empty)"),
])
def test_bad_participant_rows_name_file_line_column_and_value(data_dir, row, column, expected):
    line = _append(data_dir / "participants.csv", row)
    with pytest.raises(InputError) as err:
        load_dataset(data_dir)
    (p,) = err.value.problems
    assert p.file == str(data_dir / "participants.csv")
    assert (p.line, p.column) == (line, column)
    assert p.expected == expected
    assert f"participants.csv:{line}: column '{column}'" in str(p)


def test_duplicate_key_points_at_the_first_occurrence(data_dir):
    path = data_dir / "participants.csv"
    first = path.read_text(encoding="utf-8").splitlines()[1]
    line = _append(path, first)
    with pytest.raises(InputError) as err:
        load_dataset(data_dir)
    (p,) = err.value.problems
    assert p.line == line and "line 2" in p.expected


def test_eligible_above_employed_is_refused(data_dir):
    line = _append(data_dir / "workforce.csv", "32,2010,100,200,x")
    with pytest.raises(InputError) as err:
        load_dataset(data_dir)
    (p,) = err.value.problems
    assert (p.line, p.column, p.value) == (line, "pekerja_berhak", "200")


def test_every_problem_is_reported_not_just_the_first(data_dir):
    _append(data_dir / "participants.csv", "32,2024-13,PU,5,x")
    _append(data_dir / "participants.csv", "32,2024,PU,-1,x")
    _append(data_dir / "workforce.csv", "99,2024,1,,x")
    with pytest.raises(InputError) as err:
        load_dataset(data_dir)
    assert len(err.value.problems) == 3


def test_missing_file_and_column(data_dir):
    (data_dir / "workforce.csv").unlink()
    text = (data_dir / "participants.csv").read_text(encoding="utf-8").replace("peserta_aktif", "peserta", 1)
    (data_dir / "participants.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_dataset(data_dir)
    messages = [str(p) for p in err.value.problems]
    assert any("workforce.csv" in m and "a file workforce.csv" in m for m in messages)
    assert any("participants.csv:1: column 'peserta_aktif'" in m for m in messages)


def test_periods_after_this_month_are_refused_and_this_month_is_not():
    from datetime import date

    from analysis.data.contract import _check_periods
    table = pd.DataFrame({"periode": ["2026-11", "2026-12", "2026", "2027", "2025-12"]})
    out: list = []
    _check_periods(table, Path("participants.csv"), out, today=date(2026, 11, 29))
    assert [(p.line, p.value) for p in out] == [(3, "2026-12"), (5, "2027")]
    assert all("at the latest 2026-11" in p.expected for p in out)


def test_a_break_says_whether_the_territory_changed(data_dir):
    breaks = load_dataset(data_dir).breaks
    kinds = dict(zip(breaks["kode"] + " " + breaks["periode"], breaks["jenis"]))
    assert kinds["91 2024-08"] == kinds["92 2024-08"] == "wilayah" and kinds["ID 2020-08"] == ""
    # the column is optional: a breaks.csv without it is read, every break a change of definition
    path = data_dir / "breaks.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="jenis")
    table.to_csv(path, index=False)
    assert (load_dataset(data_dir).breaks["jenis"] == "").all()
    bad = pd.DataFrame([{"kode": "ID", "periode": "2021-08", "ukuran": "penduduk_bekerja", "catatan": "x", "catatan_en": "x",
                         "jenis": "pulau"}])
    pd.concat([table.assign(jenis=""), bad], ignore_index=True).to_csv(path, index=False)
    line = len(table) + 2  # header, the rows before, then the bad one
    with pytest.raises(InputError) as err:
        load_dataset(data_dir)
    (p,) = err.value.problems
    assert (p.line, p.column, p.value) == (line, "jenis", "pulau")


@pytest.mark.parametrize("raw, delimiter, expected", [
    (b"kode,nama,judul\n32,Jawa,ok\n33,Ciat\xe9ng,x\n", ",", (3, "nama", b"Ciat\xe9ng")),  # a middle field, third line
    (b"kode,nama\n\xe9x,y\n", ",", (2, "kode", b"\xe9x")),  # the first field: not the lines before it
    (b"kode,nama\n1,x\xe9\n2,y\n3,z", ",", (2, "nama", b"x\xe9")),  # the last field: up to its own line's end
    (b"kode,nama\n1,Ciat\xe9ng", ",", (2, "nama", b"Ciat\xe9ng")),  # the file's last bytes, no line break
    (b"kode,nama\r\n1,x\xe9 \r\n", ",", (2, "nama", b"x\xe9 ")),  # a Windows line end is not part of the value
    (b"kode;nama\n1;x\xe9y\n", ";", (2, "nama", b"x\xe9y")),  # the file's own delimiter
    (b"kode,nama\n1,2,\xe9\n", ",", (2, None, b"\xe9")),  # beyond the header's columns: no column name
    (b"ko\xe9de,nama\n1,2\n", ",", (1, None, b"ko\xe9de")),  # in the header itself
    (b",b\xe9\n", ",", (1, None, b"b\xe9")),  # after a delimiter at the file's first byte
    (b"\n\xe9x,y\n", ",", (2, None, b"\xe9x")),  # after an empty first line
    (b"kode,nama wilayah\n1,x\xe9\n", ",", (2, "nama wilayah", b"x\xe9")),  # a header name with a space
    (b"kode,nama\r\n1,X\xe9X\r\n", ",", (2, "nama", b"X\xe9X")),
])
def test_an_unreadable_byte_is_located_by_line_column_and_field(raw, delimiter, expected):
    """Hand-located: the line (1-based), the header's name for the field, and the field's bytes."""
    assert data._locate_byte(raw, raw.index(b"\xe9"), delimiter) == expected


def test_the_cached_dataset_is_the_folder_asked_for_and_reloads_when_a_file_changes(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(BUNDLED_DIR, folder)
    first = data.cached_dataset(folder)
    assert first.directory == folder.resolve() and data.cached_dataset(folder) is first  # once per process
    assert data.cached_dataset() is data.cached_dataset(BUNDLED_DIR) is not first
    participants = folder / "participants.csv"
    rows = participants.read_text(encoding="utf-8").splitlines(keepends=True)
    participants.write_text("".join(rows[:-1]), encoding="utf-8")  # one row fewer, and a new modification time
    second = data.cached_dataset(folder)
    assert second is not first and len(second.participants) == len(first.participants) - 1


@pytest.mark.parametrize("text, expected", [
    ('kode,"nama\n1,2\n', (1, 'kode,"nama', "closing double quote")),  # a quote the header never closes
    ('kode,nama\r\n1,"x\r\n', (2, '1,"x', "closing double quote")),  # its line, without the Windows line end
    ('kode,nama\n"x"y,1\n1,2,3\n', (2, '"x"y,1', "well-formed CSV quoting")),  # text after a closing quote
])
def test_a_quoting_error_names_the_line_it_starts_on(tmp_path, text, expected):
    (found,) = data._long_rows(text, ",", 2, tmp_path / "x.csv")
    assert (found.line, found.value) == expected[:2] and expected[2] in found.expected


def test_regions_csv_problems_keep_their_physical_lines_across_blank_lines(tmp_path):
    """A blank line shifts every later row: each problem still names the line an editor shows."""
    (tmp_path / "regions.csv").write_text("kode,nama,tingkat,kode_induk\n32.80,Kota Baru,kabkota,32\n\n"
                                          "../x,Bukan wilayah,kabkota,32\n32.81.01,Kecamatan Yatim,kecamatan,32.81\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        data.load_region_tree(tmp_path)
    assert sorted((p.line, p.column, p.value) for p in err.value.problems) == [(4, "kode", "../x"), (5, "kode_induk", "32.81")]
