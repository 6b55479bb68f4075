"""Short refusals: problems of one kind on one line, at most a dozen lines; --verbose lists every one."""

from __future__ import annotations

import argparse

from analysis.core.problems import problem
from analysis.data import importers
from analysis.data.importers.refusals import short_problems

WHOLE = "a whole number of people"


def test_problems_of_one_kind_are_one_line():
    found = [problem("t.csv", line, col, value, WHOLE) for line in range(6, 44) for col, value in (("2025 Februari", "94.5"), ("2025 Agustus", "94.36"))]
    found.append(problem("t.csv", 3, None, "Jawa Baratt", "a province name"))
    text = short_problems(found, "en")
    assert text.splitlines() == [
        "t.csv: lines 6–43 (38 lines), columns '2025 Februari', '2025 Agustus': 76 cells like '94.5', '94.36': expected a whole number of people",
        "t.csv:3: value 'Jawa Baratt': expected a province name",
        "(problems of one kind grouped; --verbose lists every one)"]


def test_at_most_a_dozen_lines():
    found = [problem("t.csv", i, None, f"v{i}", f"kind {i}") for i in range(20)] + [problem("t.csv", 99, None, "x", "kind 19")]
    lines = short_problems(found, "en").splitlines()
    assert len(lines) == 13 and lines[-1] == "... and 9 more problems (--verbose lists every one)"


def test_verbose_lists_every_problem(tmp_path, capsys):
    src = tmp_path / "p.csv"
    src.write_text("Penduduk Bekerja (Orang)\nProvinsi,2023,2024\n" + "".join(f"Aceh{i},\"9{i},5\",1\n" for i in range(30)))
    ns = argparse.Namespace(format="bps-wide", files=[str(src)], into=str(tmp_path / "d"), measure=None, segment=None, source="s",
                            replace=False, sheet=None, period_month=None, with_total=False, verbose=False)
    assert importers.main(ns) == 2
    short = capsys.readouterr().err.splitlines()
    ns.verbose = True
    assert importers.main(ns) == 2
    full = capsys.readouterr().err.splitlines()
    assert len(short) == 5 and len(full) == 62  # the head line, 30 unmatched names, 30 fractions, the list of names
    assert any("30 cells like '90,5', '91,5', '92,5', ...: expected a whole number" in line for line in short)
    assert any("lines 3–32 (30 lines), column 'Provinsi': 30 cells like 'Aceh0', 'Aceh1', 'Aceh2', ...: expected a province" in line for line in short)
