"""Reading a table file into cells: hostile files are refused by name before they are parsed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from analysis.data.importers.common import FileReport, RefusedImport
from analysis.data.importers import excel, grid
from analysis.data.importers.grid import read_grid

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "od_penduduk_bekerja.csv"


def _refusal(path: Path) -> tuple:
    with pytest.raises(RefusedImport) as err:
        read_grid(path, None, FileReport(path=path))
    (p,) = err.value.problems
    return p


def test_a_truncated_utf16_table_names_the_file_the_offset_and_the_encoding(tmp_path):
    whole = EXAMPLE.read_text(encoding="utf-8").encode("utf-16")
    path = tmp_path / "cut.csv"
    path.write_bytes(whole[:1001])  # BOM + 999 bytes: half a code unit at the end
    p = _refusal(path)
    assert (p.file, p.value) == (str(path), whole[1000:1001])
    assert p.expected == ("complete UTF-16 text; byte 1000 (0x" + whole[1000:1001].hex().upper()
                          + ") cannot be read as UTF-16: the file is truncated or not UTF-16; save it again as CSV UTF-8")
    path.write_bytes(whole)
    assert read_grid(path, None, FileReport(path=path)).rows[0][0] == "id"  # the whole file reads


def _workbook_with(tmp_path: Path, prolog: bytes, cell: bytes = b"a") -> Path:
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.save(plain)
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = prolog + data.replace(b"<t>a</t>", b"<t>" + cell + b"</t>")
            out.writestr(item, data)
    return hostile


@pytest.mark.parametrize("prolog, cell", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;"),  # external entity
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', b"&b;"),  # expansion
    (b'<?xml version="1.0"?><!DOCTYPE worksheet>', b"a"),  # a DTD alone
])
def test_a_workbook_declaring_a_dtd_or_entities_is_refused_by_name(tmp_path, prolog, cell):
    path = _workbook_with(tmp_path, prolog, cell)
    p = _refusal(path)
    assert (p.file, p.value) == (str(path), "xl/worksheets/sheet1.xml")
    assert "without XML DTDs or entities" in p.expected and "root:" not in p.expected


def test_a_plain_workbook_still_reads(tmp_path):
    path = _workbook_with(tmp_path, b"")
    assert read_grid(path, None, FileReport(path=path)).rows[0][:2] == ["a", "b"]


def test_a_dtd_hidden_after_a_long_comment_is_refused_by_the_parser(tmp_path):
    """Past the first MB only defusedxml sees the entity: refused all the same, with its reason."""
    prolog = b'<?xml version="1.0"?><!--' + b"x" * (1 << 20) + b'--><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    path = _workbook_with(tmp_path, prolog, b"&e;")
    p = _refusal(path)
    assert p.file == str(path) and p.value in ("EntitiesForbidden", "ExternalReferenceForbidden", "DTDForbidden")
    assert "without XML DTDs or entities" in p.expected


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    """A zip bomb: parts that compress a thousandfold. Their recorded sizes say so before anything is read."""
    monkeypatch.setattr(excel, "MAX_UNPACKED_BYTES", 1 << 20)
    path = _workbook_with(tmp_path, b'<?xml version="1.0"?><!--' + b" " * (2 << 20) + b"-->")
    assert path.stat().st_size < 100_000
    parsed = []
    monkeypatch.setattr(excel.pd, "ExcelFile", lambda *a, **k: parsed.append(a))
    p = _refusal(path)
    assert parsed == [] and p.file == str(path) and p.value.endswith(" bytes") and int(p.value.split()[0]) > 2 << 20
    assert p.expected.startswith("a workbook whose parts unpack to at most 1 MB (this one unpacks to 2 MB from a ")


def test_a_table_past_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(grid, "MAX_TABLE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_bytes(EXAMPLE.read_bytes()[:1001])
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    p = _refusal(path)
    assert (p.file, p.value) == (str(path), "1001 bytes") and p.expected.startswith("a table of at most 0 MB")
