"""What every importer shares: the formats, units and labels it knows, the per-file and per-import
reports, and the refusal that carries them."""


from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.messages import cli_language, t, tn
from analysis.core.problems import InputError, Problem
from analysis.data.importers.measures import (
    Clue,
)

FORMATS = ("opendata-jabar", "bps-wide", "xlsx")
WORKFORCE_MEASURES = ("penduduk_bekerja", "pekerja_berhak")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXIT_OK, EXIT_INVALID = 0, 2

# Open Data Jabar columns other than the measure.
ODJ_COLUMNS = ("id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota", "satuan", "tahun", "bulan")
ODJ_REQUIRED = ("kode_kabupaten_kota", "nama_kabupaten_kota", "satuan", "tahun")
ODJ_LAYOUT = "id,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,<measure>,satuan,tahun[,bulan]"
HEAD_COUNT_UNITS = {"ORANG", "JIWA", "PERSON", "PERSONS", "PEOPLE", "PEKERJA", "TENAGAKERJA", "PESERTA", "ORANGJIWA", "JIWAORANG"}
THOUSAND_UNITS = {"RIBU", "RIBUORANG", "RIBUJIWA", "RIBUPEKERJA", "RIBUPESERTA"}
MISSING = {"", "-", "–", "—", "..", "...", "…", "NA", "N/A", "N.A.", "N.A"}
FOOTER_RE = re.compile(r"^\s*(sumber|source|catatan|note|notes|keterangan|ket\.|\*|¹|²|³|\d\))", re.IGNORECASE)
TOTAL_LABELS = {"JUMLAH", "TOTAL", "JUMLAHTOTAL"}
NATIONAL_LABELS = {"INDONESIA", "NASIONAL"}
YEAR_RE = re.compile(r"^(19|20)[0-9][0-9]$")
URL_RE = re.compile(r"https?://\S+")

MONTHS = {
    "JAN": 1, "JANUARI": 1, "JANUARY": 1, "FEB": 2, "PEB": 2, "FEBRUARI": 2, "PEBRUARI": 2, "FEBRUARY": 2,
    "MAR": 3, "MARET": 3, "MARCH": 3, "APR": 4, "APRIL": 4, "MEI": 5, "MAY": 5, "JUN": 6, "JUNI": 6, "JUNE": 6,
    "JUL": 7, "JULI": 7, "JULY": 7, "AGU": 8, "AGT": 8, "AGS": 8, "AGUS": 8, "AGUSTUS": 8, "AUG": 8, "AUGUST": 8,
    "SEP": 9, "SEPT": 9, "SEPTEMBER": 9, "OKT": 10, "OKTOBER": 10, "OCT": 10, "OCTOBER": 10,
    "NOV": 11, "NOP": 11, "NOVEMBER": 11, "NOPEMBER": 11, "DES": 12, "DESEMBER": 12, "DEC": 12, "DECEMBER": 12,
}

# Common spellings of province names that differ from the Kemendagri tree (compact keys, see parse_name).
PROVINCE_ALIASES = {
    "11": ("NAD", "NANGGROEACEHDARUSSALAM", "DIACEH"),
    "19": ("BANGKABELITUNG", "BABEL"),
    "21": ("KEPRI",),
    "31": ("DKIJAKARTA", "DKI", "JAKARTA", "DAERAHKHUSUSJAKARTA", "DKIJAKARTARAYA"),
    "34": ("DIYOGYAKARTA", "DIY", "YOGYAKARTA", "DAERAHISTIMEWAYOGYAKARTA"),
    "52": ("NTB",),
    "53": ("NTT",),
}


# --------------------------------------------------------------------------------------------
# Report


@dataclass
class FileReport:
    """How one input file was read."""

    path: Path
    layout: str = ""
    encoding: str = "utf-8"
    delimiter: str | None = None
    sheet: str | None = None
    number_style: str = "id"
    scale_note: str = ""
    sumber: str = ""
    records: int = 0
    missing: int = 0
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (line, text) of skipped rows
    notes: list[str] = field(default_factory=list)
    name_mismatches: list[str] = field(default_factory=list)
    clues: list[Clue] = field(default_factory=list)  # what the table's labels say it counts
    refusal: str = ""  # why the table was refused as a whole (its blocks listed as the problems)


@dataclass
class ImportReport:
    """What an import did (or, when ``written`` is False, would have done)."""

    into: Path
    table: str
    measure: str
    segment: str | None
    files: list[FileReport] = field(default_factory=list)
    added: int = 0
    filled: int = 0
    replaced: int = 0
    replaced_synthetic: int = 0
    unchanged: int = 0
    changes: list[tuple[str, int, str, str, str, str, str]] = field(default_factory=list)  # file, line, kode, periode, segmen, old, new
    name_mismatches: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    used_sources: set[str] = field(default_factory=set)
    created: bool = False
    written: bool = False
    measure_from: str = ""  # the label that named the measure, or that --measure gave it
    lang: str = "en"  # of the summary

    def summary(self) -> str:
        lang = self.lang
        seg = f" (segmen {self.segment})" if self.segment else ""
        lines = [t("import.summary.head", lang, measure=self.measure, segment=seg, table=self.into / self.table, why=self.measure_from)
                 + (t("import.summary.new_dir", lang) if self.created else "")]
        for f in self.files:
            how = [f.layout, f.encoding]
            if f.delimiter and f.delimiter != ",":
                how.append(t("import.summary.delimiter", lang, delimiter={"\t": "tab"}.get(f.delimiter, repr(f.delimiter))))
            if f.sheet:
                how.append(t("import.summary.sheet", lang, sheet=repr(f.sheet)))
            how.append(t(f"import.summary.numbers_{f.number_style}", lang))
            if f.scale_note:
                how.append(f.scale_note)
            lines.append("  " + tn("import.summary.file", lang, f.records, path=f.path, missing=f.missing, how=", ".join(how)))
            lines.append(f"    sumber: {f.sumber}")
            for note in f.notes:
                lines.append("    " + t("import.summary.note", lang, note=note))
            for line, text in f.ignored[:10]:
                lines.append("    " + t("import.summary.ignored", lang, line=line, text=text))
            if len(f.ignored) > 10:
                lines.append("    " + t("import.summary.more_ignored", lang, count=len(f.ignored) - 10))
        lines.append("  " + t("import.summary.rows", lang, added=self.added, filled=self.filled, replaced=self.replaced,
                               synthetic=self.replaced_synthetic, unchanged=self.unchanged))
        for file, line, kode, periode, segmen, old, new in self.changes[:20]:
            key = f"{kode} {periode}" + (f" {segmen}" if segmen else "")
            lines.append("    " + t("import.summary.replaced", lang, key=key, old=old, new=new, where=f"{file}:{line}"))
        if len(self.changes) > 20:
            lines.append("    " + t("import.summary.more_replaced", lang, count=len(self.changes) - 20))
        if self.name_mismatches:
            lines.append("  " + t("import.summary.mismatches", lang, count=len(self.name_mismatches)))
            lines.extend(f"    {m}" for m in self.name_mismatches)
        else:
            lines.append("  " + t("import.summary.no_unmatched", lang))
        if self.sources_added:
            lines.append(f"  sources.csv: {', '.join(self.sources_added)}")
        if self.written:
            lines.append("  " + t("import.summary.written", lang))
        elif not self.used_sources:
            lines.append("  " + t("import.summary.nothing_to_change", lang))
        else:
            lines.append("  " + t("import.summary.nothing_written", lang))
        return "\n".join(lines)


class RefusedImport(InputError):
    """An import that was refused; nothing was written."""

    def __init__(self, reason: str, problems: list[Problem], unmatched: list[str] | None = None):
        self.reason = reason
        self.unmatched = list(unmatched or [])
        super().__init__(problems)


@dataclass
class Grid:
    rows: list[list[object]]  # text cells (str) from CSV; str/int/float/datetime/None from Excel
    lines: list[int]  # line number (CSV) or row number (Excel) of each row


def say(key: str, **values: object) -> str:
    """Message ``key`` in the command line's language."""
    return t(key, cli_language(), **values)


def is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value
