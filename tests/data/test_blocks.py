"""Multi-measure BPS tables: the block ``--measure`` names is imported; without it, one short refusal lists the blocks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.problems import InputError
from analysis.data.contract import RAW_DIR
from analysis.data.importers import import_files

FIXTURES = Path(__file__).parent / "fixtures"
AK = FIXTURES / "bps_ak_provinsi_2025.csv"
YEAR_MEASURE = FIXTURES / "bps_kegiatan_tahun_ukuran.csv"
SOURCE = "BPS Angkatan Kerja menurut Provinsi 2025 (uji)"
# The fixture's province order (BPS order) as Kemendagri codes.
ORDER = ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53",
         "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "92", "96", "91", "93", "94", "95"]


def august(year: int) -> dict[str, int]:
    """Employed population per province, August round: the real figures the fixtures copy."""
    raw = pd.read_csv(RAW_DIR / "bps_sakernas_provinsi_agustus_2022_2025.csv", dtype=str)
    rows = raw[raw["periode"] == f"{year}-08"]
    return dict(zip(rows["kode_kemendagri"], rows["penduduk_bekerja"].astype(int), strict=True))


def workforce(directory: Path) -> dict[tuple[str, str], int]:
    df = pd.read_csv(directory / "workforce.csv", dtype=str)
    return {(k, p): int(v) for k, p, v in zip(df["kode"], df["periode"], df["penduduk_bekerja"], strict=True)}


def cakupan_import(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "import", *args], capture_output=True, text=True,
                          env={**os.environ, "CAKUPAN_LANG": "en"})


def run(files, into, measure=None, **options):
    return import_files(options.pop("fmt", "bps-wide"), [Path(f) for f in files], Path(into), measure, None, SOURCE, False, **options)


def test_the_employed_block_of_the_ak_table_imports_with_measure(tmp_path):
    report = run([AK], tmp_path / "d", measure="penduduk_bekerja")
    aug = august(2025)
    expected = {(code, "2025-08"): aug[code] for code in ORDER}
    expected |= {(code, "2025-02"): aug[code] - 1000 * (i + 1) for i, code in enumerate(ORDER)}  # the fixture's test values
    assert workforce(tmp_path / "d") == expected  # 38 provinces × 2 periods, no ID row
    assert report.measure_from == "'Bekerja'" and report.added == 76
    notes = report.files[0].notes
    assert ("block 'Bekerja' (columns 2–3) imported; 'Jumlah Pengangguran' (columns 4–5) not imported; "
            "'Jumlah AK' (columns 6–7) not imported; '% Bekerja / AK' (columns 8–9): percent, ignored") in notes
    assert ("line 44 'INDONESIA' is the total of 38 rows: 2025-02 equal; 2025-08 equal; "
            "not imported (--with-total imports it for ID)") in notes
    assert sum(aug.values()) == 146_542_264  # the total row's August cell, the BPS national figure


def test_without_measure_the_refusal_names_the_block_and_the_option(tmp_path):
    done = cakupan_import("bps-wide", str(AK), "--into", str(tmp_path / "d"), "--source", SOURCE)
    assert done.returncode == 2 and not (tmp_path / "d").exists()
    lines = done.stderr.splitlines()
    assert len(lines) < 15
    assert lines[0] == ("cakupan import: refused, nothing written: the table holds 4 measure blocks side by side; "
                        "choose one with --measure (4 problems):")
    assert lines[1] == f"{AK}:3: value 'Bekerja': expected --measure penduduk_bekerja to import this block (columns 2–3: employed people)"
    assert lines[4] == f"{AK}:3: value '% Bekerja / AK': expected not imported (columns 8–9: percent values, ignored)"


def test_with_total_imports_the_national_row(tmp_path):
    run([AK], tmp_path / "d", measure="penduduk_bekerja", with_total=True)
    got = workforce(tmp_path / "d")
    assert got[("ID", "2025-08")] == 146_542_264 and len(got) == 78
    assert got[("ID", "2025-02")] == sum(v for (k, p), v in got.items() if p == "2025-02" and k != "ID")


def test_title_names_the_table_block_names_the_measure(tmp_path):
    """The AK table cut by hand to its 'Bekerja' block: --measure imports it; a contradicting block stays refused."""
    cut = tmp_path / "bekerja.csv"
    rows = [line.split(",")[:3] for line in AK.read_text().splitlines()[1:]]
    cut.write_text("\n".join(",".join(r) for r in rows) + "\n")
    run([cut], tmp_path / "d", measure="penduduk_bekerja")
    assert len(workforce(tmp_path / "d")) == 76
    with pytest.raises(InputError) as exc:  # without --measure the title (labour force) and the block disagree
        run([cut], tmp_path / "e")
    assert "'Angkatan Kerja (AK) menurut Provinsi (Orang)': something else; 'Bekerja': employed people" in exc.value.problems[0].expected

    cut.write_text(cut.read_text().replace(",Bekerja,", ",Peserta Aktif,"))
    with pytest.raises(InputError) as exc:
        run([cut], tmp_path / "f", measure="penduduk_bekerja")
    (p,) = exc.value.problems
    assert (p.line, p.value) == (2, "Peserta Aktif")
    assert p.expected == "a table of penduduk_bekerja; this table counts participants ('Peserta Aktif'): pass --measure peserta_aktif"


def test_year_over_measure(tmp_path):
    with pytest.raises(InputError) as exc:
        run([YEAR_MEASURE], tmp_path / "d", period_month="08")
    assert [p.value for p in exc.value.problems] == ["Penduduk Bekerja", "Pengangguran"]
    assert "columns 2, 4" in exc.value.problems[0].expected
    run([YEAR_MEASURE], tmp_path / "d", measure="penduduk_bekerja", period_month="08")
    a24, a25 = august(2024), august(2025)
    assert workforce(tmp_path / "d") == {**{(c, "2024-08"): a24[c] for c in ORDER}, **{(c, "2025-08"): a25[c] for c in ORDER}}
    with pytest.raises(InputError) as exc:
        run([YEAR_MEASURE], tmp_path / "e", measure="pekerja_berhak", period_month="08")
    assert exc.value.reason == "no block of the table counts pekerja_berhak"


def test_one_count_beside_percentages_needs_no_measure(tmp_path):
    src = tmp_path / "bekerja_persen.csv"
    src.write_text(",Penduduk Bekerja,,Persentase Pekerja Formal,\nProvinsi,2024,2025,2024,2025\n"
                   "ACEH,2508354,2561329,\"38,1\",\"39,2\"\nBALI,2584001,2600002,\"55,0\",\"55,3\"\n")
    report = run([src], tmp_path / "d")
    assert workforce(tmp_path / "d") == {("11", "2024"): 2508354, ("11", "2025"): 2561329, ("51", "2024"): 2584001, ("51", "2025"): 2600002}
    assert report.measure == "penduduk_bekerja"


def test_xlsx_with_merged_header_cells(tmp_path):
    """The AK layout as a BPS Excel download: block labels and years are merged cells over their columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [line.split(",") for line in AK.read_text().splitlines()]:
        sheet.append([int(c) if c.isdigit() else (float(c) if c.replace(".", "", 1).isdigit() else (c or None)) for c in row])
    sheet.merge_cells("B2:I2")
    for first, last in (("B", "C"), ("D", "E"), ("F", "G"), ("H", "I")):
        sheet.merge_cells(f"{first}3:{last}3")
        sheet.merge_cells(f"{first}4:{last}4")
    book.save(tmp_path / "ak.xlsx")
    run([tmp_path / "ak.xlsx"], tmp_path / "d", measure="penduduk_bekerja", fmt="xlsx")
    run([AK], tmp_path / "e", measure="penduduk_bekerja")
    assert workforce(tmp_path / "d") == workforce(tmp_path / "e") and len(workforce(tmp_path / "d")) == 76
