"""A wide table's header read as a hierarchy: each column's period and the block label above it."""

from __future__ import annotations

import csv
import io

import pytest

from analysis.data.importers.cells import header_month, parse_period
from analysis.data.importers.common import Grid
from analysis.data.importers.headers import PERCENT, columns_text, kind_of, read_header


def grid(text: str) -> Grid:
    rows = list(csv.reader(io.StringIO(text)))
    return Grid(rows, list(range(1, len(rows) + 1)))


AK_HEAD = ("38 Provinsi,,,,,,,,\n,Angkatan Kerja (AK) menurut Provinsi (Orang),,,,,,,\n"
           ",Bekerja,,Jumlah Pengangguran,,Jumlah AK,,% Bekerja / AK,\n,2025,,2025,,2025,,2025,\n"
           ",Februari,Agustus,Februari,Agustus,Februari,Agustus,Februari,Agustus\nACEH,1,2,3,4,5,6,7.5,8.5\n")


def test_measure_year_month():
    h = read_header(grid(AK_HEAD))
    assert h.rows == [0, 1, 2, 3, 4]
    assert [(c.index, c.year, c.month, c.name) for c in h.columns.values()][:3] == [
        (1, 2025, 2, "2025 Februari"), (2, 2025, 8, "2025 Agustus"), (3, 2025, 2, "2025 Februari")]
    assert [(b.label, b.kind, b.columns) for b in h.blocks] == [
        ("Bekerja", "penduduk_bekerja", [1, 2]), ("Jumlah Pengangguran", "other", [3, 4]), ("Jumlah AK", "other", [5, 6]),
        ("% Bekerja / AK", PERCENT, [7, 8])]
    assert h.titles == [(0, "38 Provinsi"), (1, "Angkatan Kerja (AK) menurut Provinsi (Orang)")]


def test_year_measure_and_a_new_parent_ends_a_span():
    # 2024 spans columns 1-2; 2025 has a single column: its month row stays empty there (a year-only column).
    h = read_header(grid("Provinsi,2024,,2025,\n,Bekerja,Pengangguran,Bekerja,\n,Februari,Agustus,,\nAceh,1,2,3,4\n"))
    cols = {j: (c.year, c.month) for j, c in h.columns.items()}
    assert cols == {1: (2024, 2), 2: (2024, 8), 3: (2025, None), 4: (2025, None)}
    assert [(b.label, b.columns) for b in h.blocks] == [("Bekerja", [1, 3, 4]), ("Pengangguran", [2])]


def test_period_words_are_months():
    h = read_header(grid("Provinsi,2024,,2025\n,Semester I,Semester II,Triwulan III\nAceh,1,2,3\n"))
    assert [(c.year, c.month) for c in h.columns.values()] == [(2024, 6), (2024, 12), (2025, 9)]
    assert h.words == [("Semester I", 6), ("Semester II", 12), ("Triwulan III", 9)]


@pytest.mark.parametrize("cell, month", [("Februari", 2), ("Agustus", 8), ("August", 8), ("Agt.", 8), ("Semester I", 6),
                                         ("Sem. 2", 12), ("Triwulan III", 9), ("TW IV", 12), ("Q1", 3), ("Semester III", None),
                                         ("Bekerja", None)])
def test_header_month(cell, month):
    assert header_month(cell) == month


@pytest.mark.parametrize("cell, period", [("Semester I 2025", (2025, 6)), ("Triwulan III 2024", (2024, 9)), ("2024 Q4", (2024, 12)),
                                          ("Jumlah 2023", None)])
def test_period_words_with_a_year(cell, period):
    assert parse_period(cell) == period


@pytest.mark.parametrize("label, kind", [("Bekerja", "penduduk_bekerja"), ("Penduduk Bekerja", "penduduk_bekerja"),
                                         ("Angkatan Kerja", "other"), ("Jumlah AK", "other"), ("Jumlah Pengangguran", "other"),
                                         ("% Bekerja / AK", PERCENT), ("Tingkat Pengangguran Terbuka", PERCENT),
                                         ("Peserta Aktif", "peserta_aktif"), ("Orang", None)])
def test_kind_of(label, kind):
    assert kind_of(label) == kind


def test_columns_text():
    assert (columns_text([1, 2]), columns_text([1, 3]), columns_text([7])) == ("2–3", "2, 4", "8")


def test_no_period_row():
    assert read_header(grid("Provinsi,Bekerja\nAceh,1\n")) is None
