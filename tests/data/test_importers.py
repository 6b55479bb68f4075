"""`cakupan import`: published tables (Open Data Jabar, BPS web tables, Excel) merged into a data directory."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data import importers
from analysis.data.contract import BUNDLED_DIR, RAW_DIR, load_dataset
from analysis.core.problems import InputError
from analysis.data.importers import import_files, parse_count, parse_period
from analysis.data.importers.common import RefusedImport

SOURCE = "BPS Sakernas Agustus via Open Data Jabar (uji)"
ODJ_HEADER = "id,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,jumlah_penduduk_bekerja,satuan,tahun"


def raw_jabar() -> pd.DataFrame:
    return pd.read_csv(RAW_DIR / "bps_jabar_kabkota_penduduk_bekerja_2011_2023.csv", dtype=str, keep_default_na=False)


def raw_provinces() -> pd.DataFrame:
    return pd.read_csv(RAW_DIR / "bps_sakernas_provinsi_agustus_2022_2025.csv", dtype=str, keep_default_na=False)


def jabar_value(kode: str, year: int) -> int:
    df = raw_jabar()
    return int(df.loc[(df["kode_kemendagri"] == kode) & (df["tahun"] == str(year)), "penduduk_bekerja"].iat[0])


def province_value(kode: str, year: int) -> int:
    df = raw_provinces()
    return int(df.loc[(df["kode_kemendagri"] == kode) & (df["periode"] == f"{year}-08"), "penduduk_bekerja"].iat[0])


def dots(n: int) -> str:
    """5900000 -> '5.900.000' (Indonesian thousands separator)."""
    return f"{n:,}".replace(",", ".")


ODJ_ROWS = [("3201", "KABUPATEN BOGOR", 2022), ("3201", "KABUPATEN BOGOR", 2023), ("3204", "KAB. BANDUNG", 2023),
            ("3273", "KOTA BANDUNG", 2022), ("3273", "Kota Bandung", 2023)]


def odj_text(rows=ODJ_ROWS, sep=",", fmt=str, satuan="ORANG", value=None) -> str:
    lines = [ODJ_HEADER.replace(",", sep)]
    for i, (code, name, year) in enumerate(rows, start=1):
        v = value(code, year) if value else fmt(jabar_value(f"{code[:2]}.{code[2:]}", year))
        lines.append(sep.join([str(i), "32", "JAWA BARAT", code, name, v, satuan, str(year)]))
    return "\n".join(lines) + "\n"


def expected_odj(periode_suffix: str = "", file: str = "odj.csv") -> list[tuple]:
    return sorted((f"{c[:2]}.{c[2:]}", f"{y}{periode_suffix}", str(jabar_value(f"{c[:2]}.{c[2:]}", y)), "", f"{SOURCE} [{file}]")
                  for c, _, y in ODJ_ROWS)


def rows_of(directory: Path, name: str = "workforce.csv") -> list[tuple]:
    df = pd.read_csv(directory / name, dtype=str, keep_default_na=False)
    return [tuple(r) for r in df.itertuples(index=False)]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    target = tmp_path / "mydata"
    shutil.copytree(BUNDLED_DIR, target)
    return target


def run(fmt, files, into, measure="penduduk_bekerja", segment=None, source=SOURCE, replace=False, sheet=None, period_month=None,
        with_total=False):
    return import_files(fmt, [Path(f) for f in files], Path(into), measure, segment, source, replace, sheet=sheet, period_month=period_month,
                        with_total=with_total)


# ---------------------------------------------------------------- Open Data Jabar


def test_opendata_jabar_into_new_directory(tmp_path):
    src = tmp_path / "odj.csv"
    src.write_text(odj_text(), encoding="utf-8")
    into = tmp_path / "mydata"
    report = run("opendata-jabar", [src], into)
    assert report.written and report.created and report.added == 5
    assert sorted(rows_of(into)) == expected_odj()
    assert rows_of(into, "sources.csv") == [(f"{SOURCE} [odj.csv]", SOURCE, "", "", "", "")]  # judul_en, lisensi_en empty
    assert rows_of(into, "participants.csv") == []
    ds = load_dataset(into)
    assert ds.workforce.loc[ds.workforce["kode"] == "32.73", "penduduk_bekerja"].tolist() == [jabar_value("32.73", 2022), jabar_value("32.73", 2023)]
    assert not list(tmp_path.glob(".mydata.import-*"))


def test_opendata_jabar_bom_semicolons_crlf_thousand_dots(tmp_path):
    src = tmp_path / "odj.csv"
    src.write_bytes(b"\xef\xbb\xbf" + odj_text(sep=";", fmt=dots).replace("\n", "\r\n").encode("utf-8"))
    report = run("opendata-jabar", [src], tmp_path / "mydata")
    assert sorted(rows_of(tmp_path / "mydata")) == expected_odj()
    f = report.files[0]
    assert (f.encoding, f.delimiter, f.number_style) == ("utf-8 with BOM", ";", "id")


def test_opendata_jabar_period_month_matches_bundled_rows(bundled_copy, tmp_path):
    """The same Sakernas August figures as the bundled data: nothing changes, files are not touched."""
    src = tmp_path / "odj.csv"
    src.write_text(odj_text(), encoding="utf-8")
    before = snapshot(bundled_copy)
    report = run("opendata-jabar", [src], bundled_copy, period_month="8")
    assert (report.added, report.unchanged, report.replaced) == (0, 5, 0)
    assert not report.written and "nothing to change" in report.summary()
    assert snapshot(bundled_copy) == before


def test_opendata_jabar_ribu_is_multiplied_and_percent_refused(tmp_path):
    rows = [("3273", "KOTA BANDUNG", 2023), ("3277", "KOTA CIMAHI", 2023)]
    src = tmp_path / "ribu.csv"
    src.write_text(odj_text(rows, value=lambda c, y: {"3273": '"1.202,485"', "3277": "\"279,5\""}[c], satuan="RIBU ORANG"), encoding="utf-8")
    report = run("opendata-jabar", [src], tmp_path / "d")
    assert [r[:3] for r in sorted(rows_of(tmp_path / "d"))] == [("32.73", "2023", "1202485"), ("32.77", "2023", "279500")]
    assert "RIBU" in report.files[0].scale_note

    src.write_text(odj_text(rows, value=lambda c, y: "\"31,4\"", satuan="PERSEN"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run("opendata-jabar", [src], tmp_path / "e")
    assert [(p.line, p.column, p.value) for p in exc.value.problems] == [(2, "satuan", "PERSEN"), (3, "satuan", "PERSEN")]
    assert "count of people: ORANG, JIWA, PERSON, PEKERJA or PESERTA" in exc.value.problems[0].expected  # every accepted unit
    assert not (tmp_path / "e").exists()


def test_opendata_jabar_name_checks(tmp_path):
    # A name of another region is an error (with both spellings); an unknown spelling is reported and imported by code.
    rows = [("3204", "KOTA BANDUNG", 2023), ("3273", "BANDUNG", 2023), ("3201", "KAB BOGOR SELATAN", 2023)]
    src = tmp_path / "names.csv"
    src.write_text(odj_text(rows, value=lambda c, y: "1000"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run("opendata-jabar", [src], tmp_path / "d")
    [p] = exc.value.problems
    assert (p.file, p.line, p.column, p.value) == (str(src), 2, "nama_kabupaten_kota", "KOTA BANDUNG")
    assert "Kabupaten Bandung" in p.expected and "32.73 Kota Bandung" in p.expected

    src.write_text(odj_text(rows[1:], value=lambda c, y: "1000"), encoding="utf-8")
    report = run("opendata-jabar", [src], tmp_path / "d")
    assert report.added == 2
    assert report.name_mismatches == [f"{src}: line 3: 32.01 is 'Kabupaten Bogor' in the region tree but 'KAB BOGOR SELATAN' in the file"]
    assert "KAB BOGOR SELATAN" in report.summary()


def test_opendata_jabar_problems_name_file_line_column_value(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text(ODJ_HEADER + "\n"
                   "1,32,JAWA BARAT,32X3,KOTA BANDUNG,100,ORANG,2023\n"
                   "2,32,JAWA BARAT,3299,KOTA ENTAH,100,ORANG,2023\n"
                   "3,33,JAWA BARAT,3273,KOTA BANDUNG,100,ORANG,2023\n"
                   "4,32,JAWA BARAT,3277,KOTA CIMAHI,12.5,ORANG,2023\n"
                   "5,32,JAWA BARAT,3277,KOTA CIMAHI,100,ORANG,tahun 2023\n"
                   "6,32,JAWA BARAT,3278,KOTA TASIKMALAYA,-,ORANG,2023\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run("opendata-jabar", [src], tmp_path / "d")
    got = [(p.file, p.line, p.column, p.value) for p in exc.value.problems]
    assert got == [(str(src), 2, "kode_kabupaten_kota", "32X3"), (str(src), 3, "kode_kabupaten_kota", "3299"),
                   (str(src), 4, "kode_provinsi", "33"), (str(src), 5, "jumlah_penduduk_bekerja", "12.5"),
                   (str(src), 6, "tahun", "tahun 2023")]
    assert "whole number" in exc.value.problems[3].expected


def test_opendata_jabar_monthly_table_with_bulan(tmp_path):
    src = tmp_path / "peserta_bulanan.csv"
    src.write_text("id,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,jumlah_peserta_aktif,satuan,tahun,bulan\n"
                   "1,32,JAWA BARAT,3273,KOTA BANDUNG,412.345,PESERTA,2024,JUNI\n"
                   "2,32,JAWA BARAT,3273,KOTA BANDUNG,415.002,PESERTA,2024,12\n")
    run("opendata-jabar", [src], tmp_path / "d", measure="peserta_aktif", segment="TOTAL", period_month="08")
    assert [r[:4] for r in rows_of(tmp_path / "d", "participants.csv")] == [
        ("32.73", "2024-06", "TOTAL", "412345"), ("32.73", "2024-12", "TOTAL", "415002")]


def test_opendata_jabar_needs_one_measure_column(tmp_path):
    src = tmp_path / "two.csv"
    src.write_text(ODJ_HEADER.replace("satuan", "jenis_kelamin,satuan") + "\n1,32,JAWA BARAT,3273,KOTA BANDUNG,10,L,ORANG,2023\n")
    with pytest.raises(InputError, match="exactly one measure column"):
        run("opendata-jabar", [src], tmp_path / "d")


# ---------------------------------------------------------------- merging, conflicts, replace


def test_conflicts_are_listed_and_nothing_written_then_replace(bundled_copy, tmp_path):
    v22, v23 = jabar_value("32.73", 2022), jabar_value("32.73", 2023)
    src = tmp_path / "revisi.csv"
    src.write_text(odj_text([("3273", "KOTA BANDUNG", 2022), ("3273", "KOTA BANDUNG", 2023), ("3204", "KAB. BANDUNG", 2023)],
                            value=lambda c, y: {2022: str(v22 + 1), 2023: str(v23 - 5)}[y] if c == "3273" else str(jabar_value("32.04", y))))
    before = snapshot(bundled_copy)
    with pytest.raises(InputError) as exc:
        run("opendata-jabar", [src], bundled_copy, period_month="08")
    conflicts = exc.value.problems
    assert [(p.file, p.line, p.value) for p in conflicts] == [(str(src), 2, str(v22 + 1)), (str(src), 3, str(v23 - 5))]
    assert f"kode 32.73, periode 2022-08 (old {v22}, new {v22 + 1})" in conflicts[0].expected
    assert "--replace" in conflicts[0].expected
    assert snapshot(bundled_copy) == before

    report = run("opendata-jabar", [src], bundled_copy, period_month="08", replace=True)
    assert (report.replaced, report.unchanged, report.added) == (2, 1, 0)
    assert report.changes == [(str(src), 2, "32.73", "2022-08", "", str(v22), str(v22 + 1)),
                              (str(src), 3, "32.73", "2023-08", "", str(v23), str(v23 - 5))]
    rows = {r[:2]: r for r in rows_of(bundled_copy)}
    assert rows[("32.73", "2022-08")] == ("32.73", "2022-08", str(v22 + 1), "", f"{SOURCE} [revisi.csv]")
    assert rows[("32.04", "2023-08")][4] == "bps-jabar-kabkota"  # unchanged rows keep their source
    assert len(rows_of(bundled_copy)) == len(before_rows := pd.read_csv(BUNDLED_DIR / "workforce.csv")) and len(before_rows) > 700
    assert rows_of(bundled_copy, "sources.csv")[-1] == (f"{SOURCE} [revisi.csv]", SOURCE, "", "", "", "")
    load_dataset(bundled_copy)


def test_synthetic_rows_are_replaced_without_flag(bundled_copy, tmp_path):
    src = tmp_path / "odj2024.csv"
    src.write_text(odj_text([("3273", "KOTA BANDUNG", 2024)], value=lambda c, y: "1250000"))
    report = run("opendata-jabar", [src], bundled_copy, period_month="08")
    assert (report.replaced_synthetic, report.replaced) == (1, 0)
    rows = {r[:2]: r for r in rows_of(bundled_copy)}
    assert rows[("32.73", "2024-08")] == ("32.73", "2024-08", "1250000", "", f"{SOURCE} [odj2024.csv]")
    assert not load_dataset(bundled_copy).workforce.query("kode == '32.73' and periode == '2024-08'")["sintetis"].any()


def test_filling_a_column_keeps_both_sources_and_validation_guards(bundled_copy, tmp_path):
    src = tmp_path / "berhak.csv"
    src.write_text("Pekerja yang berhak ikut BPJS Ketenagakerjaan (orang)\nKab/Kota,2023-08\nKota Bandung,900.000\n")
    report = run("bps-wide", [src], bundled_copy, measure="pekerja_berhak", source="Perkiraan Disnaker")
    assert report.filled == 1
    rows = {r[:2]: r for r in rows_of(bundled_copy)}
    assert rows[("32.73", "2023-08")] == ("32.73", "2023-08", str(jabar_value("32.73", 2023)), "900000",
                                          "bps-jabar-kabkota + Perkiraan Disnaker [berhak.csv]")

    # More eligible than employed: the merged directory would be invalid, so nothing is written.
    src.write_text("Kab/Kota,2022-08\nKota Bandung,5.000.000\n")
    before = snapshot(bundled_copy)
    with pytest.raises(InputError) as exc:
        run("bps-wide", [src], bundled_copy, measure="pekerja_berhak", source="Perkiraan Disnaker")
    [p] = exc.value.problems
    assert p.file == str(bundled_copy / "workforce.csv") and p.column == "pekerja_berhak" and p.value == "5000000"
    assert snapshot(bundled_copy) == before
    assert not list(bundled_copy.glob(".import-*"))


def test_duplicate_keys_in_the_input_are_refused(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("Provinsi,2023\nAceh,100\n")
    b.write_text("Provinsi,2023\nACEH,101\n")
    with pytest.raises(InputError) as exc:
        run("bps-wide", [a, b], tmp_path / "d")
    [p] = exc.value.problems
    assert (p.file, p.line, p.value) == (str(b), 2, 101) and f"{a}:2 gives 100" in p.expected
    assert not (tmp_path / "d").exists()


def test_bundled_directory_itself_is_refused(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("Provinsi,2023\nAceh,100\n")
    with pytest.raises(InputError, match="copy it first"):
        run("bps-wide", [src], BUNDLED_DIR)


# ---------------------------------------------------------------- BPS wide tables


BPS_PROVINCES = [  # label as printed in the export, code
    ("ACEH", "11"), ("Kep. Bangka Belitung", "19"), ("DKI Jakarta", "31"), ("Prov. Jawa Barat", "32"),
    ("DI Yogyakarta", "34"), ("Papua Barat Daya", "96"),
]


def bps_provinces_text(sep=";", missing="-") -> str:
    lines = ['"Penduduk Berumur 15 Tahun Ke Atas yang Bekerja Menurut Provinsi (Orang)"', "",
             sep.join(["Provinsi", "Penduduk Bekerja (Orang)", "", ""]),
             sep.join(["", "2022", "2023", "2024"])]
    for label, code in BPS_PROVINCES:
        cells = []
        for year in (2022, 2023, 2024):
            if code == "96" and year < 2024:
                cells.append(missing if year == 2022 else "...")
            else:
                cells.append(dots(province_value(code, year)))
        lines.append(sep.join([label] + cells))
    lines += ["", '"Sumber: Badan Pusat Statistik, Survei Angkatan Kerja Nasional (Sakernas) Agustus"',
              '"Catatan: Papua Barat Daya dibentuk 2022; - data tidak tersedia"']
    return "\n".join(lines) + "\n"


def expected_provinces(periode_suffix="-08", file="bps.csv"):
    return sorted((code, f"{y}{periode_suffix}", str(province_value(code, y)), "", f"{SOURCE} [{file}]")
                  for _, code in BPS_PROVINCES for y in (2022, 2023, 2024) if not (code == "96" and y < 2024))


def test_bps_wide_provinces_with_titles_footnotes_and_variants(tmp_path):
    src = tmp_path / "bps.csv"
    src.write_bytes(b"\xef\xbb\xbf" + bps_provinces_text().replace("\n", "\r\n").encode())
    report = run("bps-wide", [src], tmp_path / "d", period_month="08")
    assert sorted(rows_of(tmp_path / "d")) == expected_provinces()
    f = report.files[0]
    assert (f.records, f.missing, f.delimiter) == (16, 2, ";")
    assert [text[:7] for _, text in f.ignored] == ["Sumber:", "Catatan"]


def test_bps_wide_merges_with_bundled_sakernas_rows(bundled_copy, tmp_path):
    src = tmp_path / "bps.csv"
    src.write_text(bps_provinces_text(sep=","), encoding="utf-8")
    report = run("bps-wide", [src], bundled_copy, period_month="08")
    assert (report.unchanged, report.added, report.replaced) == (16, 0, 0)


def test_bps_wide_cp1252_fallback_is_reported(tmp_path):
    src = tmp_path / "bps.csv"
    text = bps_provinces_text().replace("(Orang)", "– Agustus (Orang)")
    src.write_bytes(text.encode("cp1252"))
    report = run("bps-wide", [src], tmp_path / "d", period_month="08")
    assert report.files[0].encoding == "cp1252"
    assert "not valid UTF-8" in report.files[0].notes[0] and "cp1252" in report.summary()
    assert sorted(rows_of(tmp_path / "d")) == expected_provinces()


def test_bps_wide_unmatched_names_are_all_listed_and_nothing_written(tmp_path, capsys):
    src = tmp_path / "bps.csv"
    src.write_text("Provinsi,2023\nAceh,1\nJawa Baratt,2\nSumatra Utara,3\nKalimantan Tenggara,4\n")
    with pytest.raises(RefusedImport) as exc:
        run("bps-wide", [src], tmp_path / "d")
    assert exc.value.unmatched == ["Jawa Baratt", "Kalimantan Tenggara"]
    assert [(p.line, p.value) for p in exc.value.problems] == [(3, "Jawa Baratt"), (5, "Kalimantan Tenggara")]
    assert "32 Jawa Barat" in exc.value.problems[0].expected  # closest match suggested
    assert not (tmp_path / "d").exists()

    ns = argparse.Namespace(format="bps-wide", files=[str(src)], into=str(tmp_path / "d"), measure="penduduk_bekerja",
                            segment=None, source=SOURCE, replace=False, sheet=None, period_month=None)
    assert importers.main(ns) == 2
    err = capsys.readouterr().err
    assert "nothing written" in err and "unmatched names (2): Jawa Baratt; Kalimantan Tenggara" in err


def test_bps_wide_two_header_rows_with_months(tmp_path):
    src = tmp_path / "semester.csv"
    src.write_text("Provinsi,2023,,2024,\n,Februari,Agustus,Februari,Agustus\n"
                   'Jawa Barat,"24.580.000","23.503.598",...,"24.417.110"\n'
                   "D.I. Yogyakarta,2.200.000,2.139.710,-,2.182.769\n")
    run("bps-wide", [src], tmp_path / "d", period_month="12")  # --period-month only applies to year-only columns
    assert [r[:3] for r in sorted(rows_of(tmp_path / "d"))] == [
        ("32", "2023-02", "24580000"), ("32", "2023-08", "23503598"), ("32", "2024-08", "24417110"),
        ("34", "2023-02", "2200000"), ("34", "2023-08", "2139710"), ("34", "2024-08", "2182769")]


def test_bps_wide_unit_row_under_the_header(tmp_path):
    src = tmp_path / "unit.csv"
    src.write_text("Provinsi,2022,2023\n,Ribu Orang,Ribu Orang\nAceh,\"2.394,99\",\"2.447,35\"\n")
    report = run("bps-wide", [src], tmp_path / "d")
    assert [r[:3] for r in rows_of(tmp_path / "d")] == [("11", "2022", "2394990"), ("11", "2023", "2447350")]
    assert report.files[0].scale_note


def test_bps_wide_kabkota_names_bps_style(tmp_path):
    src = tmp_path / "jabar.csv"
    src.write_text("Penduduk Bekerja menurut Kabupaten/Kota di Jawa Barat (Jiwa)\n"
                   "Kabupaten/Kota;2023\n"
                   "Bogor;2.466.000\nBandung;1.700.000\nBandung Barat;780.000\nKota Bogor;480.000\n"
                   "KOTA BANDUNG;1.202.485\nBanjar;90.000\nJumlah;6.718.485\nJawa Barat;23.503.598\n")
    # The province under its kab/kota is their total row: checked and reported; imported for 32 with --with-total only.
    report = run("bps-wide", [src], tmp_path / "d", with_total=True)
    got = {r[0]: r[2] for r in rows_of(tmp_path / "d")}
    assert got == {"32.01": "2466000", "32.04": "1700000", "32.17": "780000", "32.71": "480000",
                   "32.73": "1202485", "32.79": "90000", "32": "23503598"}
    assert any("Jumlah" in text for _, text in report.files[0].ignored)
    assert "line 9 'Jumlah' is the total of 6 rows: 2023 equal; not imported" in report.files[0].notes
    assert ("line 10 'Jawa Barat' is the total of 6 rows: 2023 differs by +16,785,113 (23,503,598 against a sum of 6,718,485); "
            "imported for 32 (--with-total)") in report.files[0].notes
    run("bps-wide", [src], tmp_path / "e")
    assert "32" not in {r[0] for r in rows_of(tmp_path / "e")}
    assert any("'Banjar' read as 32.79 Kota Banjar" in n for n in report.files[0].notes)


def test_bps_wide_ambiguous_bare_name_is_refused(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("Kabupaten/Kota,2023\nBogor,1\nKabupaten Sukabumi,2\n")
    with pytest.raises(InputError) as exc:
        run("bps-wide", [src], tmp_path / "d")
    [p] = exc.value.problems
    assert p.value == "Bogor" and "32.01 Kabupaten Bogor, 32.71 Kota Bogor" in p.expected


def test_bps_wide_units_in_title(tmp_path):
    src = tmp_path / "ribu.csv"
    src.write_text("Penduduk yang Bekerja (Ribu Orang)\nProvinsi,2023\nAceh,\"2.447,35\"\nBali,\"2.584\"\n")
    report = run("bps-wide", [src], tmp_path / "d")
    assert [r[:3] for r in rows_of(tmp_path / "d")] == [("11", "2023", "2447350"), ("51", "2023", "2584000")]
    assert "ribu" in report.files[0].scale_note

    src.write_text("Tingkat Pengangguran Terbuka (Persen)\nProvinsi,2023\nAceh,\"6,03\"\n")
    with pytest.raises(InputError, match="percent"):
        run("bps-wide", [src], tmp_path / "e")


def test_number_styles_english_and_mixed(tmp_path):
    src = tmp_path / "en.csv"
    src.write_text('Provinsi,2023\nAceh,"2,447,345"\nBali,"2,584,001"\n')
    report = run("bps-wide", [src], tmp_path / "d")
    assert report.files[0].number_style == "en"
    assert [r[2] for r in rows_of(tmp_path / "d")] == ["2447345", "2584001"]

    src.write_text('Provinsi,2023\nAceh,"2,447,345"\nBali,"2.584.001"\n')
    with pytest.raises(InputError) as exc:
        run("bps-wide", [src], tmp_path / "e")
    assert "one format throughout" in exc.value.problems[0].expected


# ---------------------------------------------------------------- Excel


def test_xlsx_both_layouts_and_sheet_choice(tmp_path):
    book = tmp_path / "tabel.xlsx"
    wide = pd.DataFrame([["Penduduk Bekerja (Orang)", None, None], [None, None, None], ["Provinsi", 2022, 2023],
                         ["Aceh", province_value("11", 2022), province_value("11", 2023)], ["Bali", "-", 2584000],
                         ["Sumber: BPS", None, None]])
    odj = pd.DataFrame([[1, 32, "JAWA BARAT", 3273, "KOTA BANDUNG", jabar_value("32.73", 2023), "ORANG", 2023]],
                       columns=ODJ_HEADER.split(","))
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        pd.DataFrame([["Catatan: lembar ini kosong"]]).to_excel(xl, sheet_name="Catatan", header=False, index=False)
        wide.to_excel(xl, sheet_name="Provinsi", header=False, index=False)
        odj.to_excel(xl, sheet_name="KabKota", index=False)
    run("xlsx", [book], tmp_path / "d", sheet="Provinsi", period_month="08")
    assert [r[:3] for r in sorted(rows_of(tmp_path / "d"))] == [
        ("11", "2022-08", str(province_value("11", 2022))), ("11", "2023-08", str(province_value("11", 2023))),
        ("51", "2023-08", "2584000")]
    report = run("xlsx", [book], tmp_path / "d", sheet="KabKota", period_month="08")
    assert report.files[0].layout == "Open Data Jabar" and report.added == 1
    assert ("32.73", "2023-08", str(jabar_value("32.73", 2023))) in [r[:3] for r in rows_of(tmp_path / "d")]

    with pytest.raises(InputError) as exc:
        run("xlsx", [book], tmp_path / "d", sheet="Data")
    assert exc.value.problems[0].column == "--sheet" and "'Provinsi'" in exc.value.problems[0].expected
    with pytest.raises(InputError, match="no --sheet for a text file"):
        (tmp_path / "a.csv").write_text("Provinsi,2023\nAceh,1\n")
        run("bps-wide", [tmp_path / "a.csv"], tmp_path / "d", sheet="Provinsi")


# ---------------------------------------------------------------- participants, arguments, CLI


def test_peserta_aktif_goes_to_participants_with_segment(tmp_path):
    src = tmp_path / "peserta.csv"
    src.write_text("Peserta aktif BPJS Ketenagakerjaan (orang)\nProvinsi,Desember 2023\nAceh,331.000\nBali,900.123\n")
    report = run("bps-wide", [src], tmp_path / "d", measure="peserta_aktif", segment="BPU", source="Kemnaker Satu Data")
    assert report.table == "participants.csv"
    assert rows_of(tmp_path / "d", "participants.csv") == [
        ("11", "2023-12", "BPU", "331000", "Kemnaker Satu Data [peserta.csv]"),
        ("51", "2023-12", "BPU", "900123", "Kemnaker Satu Data [peserta.csv]")]
    assert rows_of(tmp_path / "d") == []


@pytest.mark.parametrize("measure, segment, source, period, expected", [
    ("peserta_aktif", None, SOURCE, None, "--segment"),
    ("penduduk_bekerja", "PU", SOURCE, None, "--segment"),
    ("pengangguran", None, SOURCE, None, "--measure"),
    ("penduduk_bekerja", None, "  ", None, "--source"),
    ("penduduk_bekerja", None, SOURCE, "13", "--period-month"),
])
def test_bad_arguments(tmp_path, measure, segment, source, period, expected):
    src = tmp_path / "a.csv"
    src.write_text("Provinsi,2023\nAceh,1\n")
    with pytest.raises(InputError) as exc:
        run("bps-wide", [src], tmp_path / "d", measure=measure, segment=segment, source=source, period_month=period)
    p = exc.value.problems[0]
    assert (p.file, p.line, p.column) == (expected, None, None) and str(p).startswith(f"{expected}: value ")
    assert not (tmp_path / "d").exists()


def test_main_prints_summary_and_returns_0(tmp_path, capsys):
    src = tmp_path / "odj.csv"
    src.write_text(odj_text())
    ns = argparse.Namespace(format="opendata-jabar", files=[str(src)], into=str(tmp_path / "mydata"), measure="penduduk_bekerja",
                            segment=None, source=SOURCE, replace=False, sheet=None, period_month="08")
    assert importers.main(ns) == 0
    out = capsys.readouterr().out
    assert "rows added 5, filled 0, replaced 0 (+0 synthetic), unchanged 0" in out
    assert "unmatched names: none" in out and "written and validated" in out


def test_import_into_parquet_directory_keeps_parquet(bundled_copy, tmp_path):
    importers.to_parquet(bundled_copy)
    assert not (bundled_copy / "workforce.csv").exists()
    csv_version = load_dataset(BUNDLED_DIR)
    src = tmp_path / "bps.csv"
    src.write_text("Provinsi,2010\nAceh,2.600.000\n")
    report = run("bps-wide", [src], bundled_copy, period_month="08")
    assert report.table == "workforce.parquet" and report.added == 1
    assert not (bundled_copy / "workforce.csv").exists()
    ds = load_dataset(bundled_copy)
    assert len(ds.workforce) == len(csv_version.workforce) + 1
    assert ds.workforce.iloc[-1][["kode", "periode", "penduduk_bekerja"]].tolist() == ["11", "2010-08", 2600000]


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize("cell, style, scale, value", [
    ("5.900.000", "id", 1, 5900000), ("1.234", "id", 1, 1234), ("31,4", "id", 1000, 31400), ("1.202,485", "id", 1000, 1202485),
    ("5,900,000", "en", 1, 5900000), ("1852165.0", "en", 1, 1852165), (" 12 345 ", "id", 1, 12345), ("0", "id", 1, 0),
    (2584000, "id", 1, 2584000), (2584000.0, "id", 1, 2584000), (2.5, "id", 1000, 2500),
])
def test_parse_count(cell, style, scale, value):
    assert parse_count(cell, style, scale) == value


@pytest.mark.parametrize("cell, style, scale", [("31,4", "id", 1), ("-5", "id", 1), ("12a", "id", 1), ("1.23.4", "id", 1),
                                                ("1,2345", "id", 1000), (2.5, "id", 1), (True, "id", 1)])
def test_parse_count_rejects(cell, style, scale):
    with pytest.raises(ValueError):
        parse_count(cell, style, scale)


@pytest.mark.parametrize("cell, period", [
    ("2023", (2023, None)), (2023, (2023, None)), (2023.0, (2023, None)), ("2023*", (2023, None)), ("2023¹", (2023, None)),
    ("2023-08", (2023, 8)), ("08/2023", (2023, 8)), ("Agustus 2023", (2023, 8)), ("Agt 2023", (2023, 8)),
    ("Feb-2024", (2024, 2)), ("2024 Februari", (2024, 2)), ("Provinsi", None), ("2023-13", None), ("1850", None),
])
def test_parse_period(cell, period):
    assert parse_period(cell) == period


@given(st.integers(min_value=0, max_value=10**13))
@settings(max_examples=200, deadline=None)
def test_indonesian_and_english_formats_round_trip(n):
    assert parse_count(dots(n), "id") == n
    assert parse_count(f"{n:,}", "en") == n
    assert parse_count(f"{n / 1000:.3f}".replace(".", ","), "id", scale=1000) == n


# ---------------------------------------------------------------- what the table counts


PESERTA_HEADER = ODJ_HEADER.replace("jumlah_penduduk_bekerja", "jumlah_peserta_aktif_bpjs_ketenagakerjaan")
PESERTA_ROWS = [("3273", "KOTA BANDUNG", 612345), ("3204", "KAB. BANDUNG", 498765)]


def peserta_odj(path: Path, header: str = PESERTA_HEADER, satuan: str = "PESERTA") -> Path:
    lines = [header] + [f"{i},32,JAWA BARAT,{code},{name},{value},{satuan},2024" for i, (code, name, value) in enumerate(PESERTA_ROWS, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cakupan_import(*args: str, lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "import", *args], capture_output=True, text=True,
                          env={**os.environ, "CAKUPAN_LANG": lang})


def test_a_participants_table_never_lands_in_workforce_by_default(bundled_copy, tmp_path):
    src = peserta_odj(tmp_path / "peserta.csv")
    before = snapshot(bundled_copy)
    refused = cakupan_import("opendata-jabar", str(src), "--into", str(bundled_copy), "--source", "BPJS Ketenagakerjaan Jabar")
    assert refused.returncode == 2
    assert ("--segment: value (none): expected one of PU|BPU|JAKON|PMI|TOTAL: this table counts participants "
            "(column 'jumlah_peserta_aktif_bpjs_ketenagakerjaan'); add --segment") in refused.stderr
    assert snapshot(bundled_copy) == before

    contradicted = cakupan_import("opendata-jabar", str(src), "--into", str(bundled_copy), "--source", "x", "--measure", "penduduk_bekerja")
    assert contradicted.returncode == 2
    assert (f"{src}:1: column 'jumlah_peserta_aktif_bpjs_ketenagakerjaan': value 'jumlah_peserta_aktif_bpjs_ketenagakerjaan': "
            "expected a table of penduduk_bekerja; this table counts participants (column 'jumlah_peserta_aktif_bpjs_ketenagakerjaan'): "
            "pass --measure peserta_aktif") in contradicted.stderr
    assert snapshot(bundled_copy) == before

    inferred = cakupan_import("opendata-jabar", str(src), "--into", str(bundled_copy), "--source", "BPJS Ketenagakerjaan Jabar",
                              "--segment", "TOTAL")
    assert inferred.returncode == 0, inferred.stderr
    assert "cakupan import: peserta_aktif (segmen TOTAL) → " in inferred.stdout
    assert "(measure from column 'jumlah_peserta_aktif_bpjs_ketenagakerjaan')" in inferred.stdout
    after = snapshot(bundled_copy)
    assert after["workforce.csv"] == before["workforce.csv"]
    added = [r for r in rows_of(bundled_copy, "participants.csv") if r[4].startswith("BPJS Ketenagakerjaan Jabar")]
    assert sorted(r[:4] for r in added) == [("32.04", "2024", "TOTAL", "498765"), ("32.73", "2024", "TOTAL", "612345")]


def test_satuan_alone_names_the_measure(tmp_path):
    src = peserta_odj(tmp_path / "p.csv", header=ODJ_HEADER.replace("jumlah_penduduk_bekerja", "jumlah"))
    with pytest.raises(InputError) as exc:
        run("opendata-jabar", [src], tmp_path / "d")  # --measure penduduk_bekerja
    (p,) = exc.value.problems
    assert (p.line, p.column, p.value) == (2, "satuan", "PESERTA")
    assert p.expected == "a table of penduduk_bekerja; this table counts participants (satuan PESERTA): pass --measure peserta_aktif"
    report = run("opendata-jabar", [src], tmp_path / "d", measure=None, segment="PU")
    assert (report.measure, report.table, report.measure_from) == ("peserta_aktif", "participants.csv", "satuan PESERTA")
    assert rows_of(tmp_path / "d") == []


@pytest.mark.parametrize("title, measure", [
    ("Jumlah Peserta Aktif BPJS Ketenagakerjaan Menurut Provinsi", "peserta_aktif"),
    ("Penduduk Berumur 15 Tahun Ke Atas yang Bekerja Menurut Provinsi (Orang)", "penduduk_bekerja"),
    ("Pekerja yang Berhak atas Jaminan Sosial Ketenagakerjaan", "pekerja_berhak"),
])
def test_bps_title_names_the_measure(tmp_path, title, measure):
    src = tmp_path / "bps.csv"
    src.write_text(f'"{title}"\nProvinsi,2023\nAceh,"2.447.345"\nBali,"2.584.001"\n', encoding="utf-8")
    report = run("bps-wide", [src], tmp_path / "d", measure=None, segment="TOTAL" if measure == "peserta_aktif" else None)
    assert report.measure == measure and report.measure_from.startswith(repr(title)[:40])
    table = "participants.csv" if measure == "peserta_aktif" else "workforce.csv"
    assert len(rows_of(tmp_path / "d", table)) == 2


@pytest.mark.parametrize("text, expected", [
    ('Provinsi,2023\nAceh,"2.447.345"\n', "a table that says what it counts"),
    ('"Penduduk Bekerja"\nProvinsi,2023\n,Peserta\nAceh,"2.447.345"\n', "labels that agree on what is counted; here 'Penduduk Bekerja': "
                                                                        "employed people; 'Peserta': participants"),
    ('"Jumlah Penduduk Tidak Bekerja"\nProvinsi,2023\nAceh,"2.447.345"\n', "names something else"),
    ('"Jumlah Perusahaan Peserta BPJS"\nProvinsi,2023\nAceh,"245"\n', "names something else"),
])
def test_unclear_tables_are_refused_without_measure(tmp_path, text, expected):
    src = tmp_path / "bps.csv"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run("bps-wide", [src], tmp_path / "d", measure=None)
    assert expected in exc.value.problems[0].expected and str(src) == exc.value.problems[0].file
    assert not (tmp_path / "d").exists()


def test_import_speaks_indonesian_with_cakupan_lang_id(tmp_path):
    src = peserta_odj(tmp_path / "peserta.csv")
    into = tmp_path / "mydata"
    done = cakupan_import("opendata-jabar", str(src), "--into", str(into), "--source", "s", "--measure", "pekerja_berhak", lang="id")
    assert done.returncode == 2 and not into.exists()
    assert "cakupan import: ditolak, tidak ada yang ditulis: tidak jelas apa yang dihitung tabel (1 masalah):" in done.stderr
    assert (f"{src}:1: kolom 'jumlah_peserta_aktif_bpjs_ketenagakerjaan': nilai 'jumlah_peserta_aktif_bpjs_ketenagakerjaan': "
            "diharapkan tabel pekerja_berhak; tabel ini menghitung peserta") in done.stderr
    done = cakupan_import("opendata-jabar", str(src), "--into", str(into), "--source", "s", "--segment", "BPU", lang="id")
    assert done.returncode == 0, done.stderr
    assert "(direktori data baru)" in done.stdout and "2 nilai, 0 sel kosong dilewati" in done.stdout
    assert "baris ditambah 2" in done.stdout and "ditulis dan divalidasi" in done.stdout


def test_one_conflict_is_singular(bundled_copy, tmp_path):
    src = tmp_path / "odj.csv"
    src.write_text(odj_text(rows=[("3273", "KOTA BANDUNG", 2023)], value=lambda c, y: "1"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run("opendata-jabar", [src], bundled_copy, period_month="08")
    assert exc.value.reason == "1 value differs from the one already in workforce.csv (use --replace to overwrite)"
