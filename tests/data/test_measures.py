"""What a table counts, from its labels: the words that decide, and the refusals."""

from pathlib import Path

import pytest

from analysis.data.importers.measures import Clue, decide_measure, measure_of


@pytest.mark.parametrize("label, measure", [
    ("jumlah_peserta_aktif_bpjs_ketenagakerjaan", "peserta_aktif"),
    ("PESERTA", "peserta_aktif"),
    ("RIBU PESERTA", "peserta_aktif"),
    ("jumlah_penduduk_bekerja", "penduduk_bekerja"),
    ("Penduduk Berumur 15 Tahun Ke Atas yang Bekerja Menurut Provinsi (Orang)", "penduduk_bekerja"),
    ("Employed persons", "penduduk_bekerja"),
    ("Pekerja yang Berhak atas Jaminan Sosial (BPJS)", "pekerja_berhak"),  # 'berhak' decides before 'BPJS'
    ("Penduduk Tidak Bekerja", "other"),
    ("Jumlah Perusahaan Peserta BPJS", "other"),
    ("Angkatan Kerja", "other"),
    ("ORANG", None), ("JIWA", None), ("PEKERJA", None), ("Provinsi", None), ("2023", None),
])
def test_the_words_that_decide(label, measure):
    assert measure_of(label) == measure


def test_decisions_and_refusals():
    a, b = Path("a.csv"), Path("b.csv")
    peserta = Clue(1, "jumlah_peserta", "jumlah_peserta", "peserta_aktif")
    bekerja = Clue(1, None, "Penduduk Bekerja", "penduduk_bekerja")
    assert decide_measure(None, [(a, [peserta])], "en") == ("peserta_aktif", "column 'jumlah_peserta'", [])
    assert decide_measure("peserta_aktif", [(a, [peserta])], "en")[0] == "peserta_aktif"
    assert decide_measure("pekerja_berhak", [(a, [])], "en") == ("pekerja_berhak", "--measure pekerja_berhak", [])
    for given, files, expected in [
        (None, [(a, [])], "a table that says what it counts"),
        ("penduduk_bekerja", [(a, [peserta])], "pass --measure peserta_aktif"),
        (None, [(a, [peserta]), (b, [bekerja])], "labels that agree on what is counted"),  # two files, two measures
    ]:
        measure, _, problems = decide_measure(given, files, "en")
        assert measure is None and len(problems) == 1 and expected in problems[0].expected
