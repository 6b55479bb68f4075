"""The Kemendagri region tree: national root, provinces, kab/kota, kecamatan, desa.

Codes are the dotted Kemendagri codes (``32``, ``32.04``, ``32.04.16``, ``32.04.16.2001``)
plus ``ID`` for the national root. Every code is checked against this pattern before it is
used anywhere else (file names included), so a region code can never escape an output folder.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis.core.problems import Expectation, InputError, expect, problem

ROOT = "ID"
ROOT_NAME = "Indonesia"
LEVELS = ("nasional", "provinsi", "kabkota", "kecamatan", "desa")
CODE_RE = re.compile(r"^(ID|[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?)$")  # ASCII digits: \d takes ３２ and ٣٢ too
_LEVEL_BY_PARTS = {1: "provinsi", 2: "kabkota", 3: "kecamatan", 4: "desa"}
REGION_COLUMNS = ("kode", "nama", "tingkat", "kode_induk")


def is_valid_code(code: object) -> bool:
    return isinstance(code, str) and CODE_RE.fullmatch(code) is not None


def lookalike(code: object) -> str | None:
    """The first character of ``code`` outside ASCII, as Unicode names it ('U+FF13 FULLWIDTH DIGIT
    THREE'): a full-width or Arabic-Indic digit looks like a code's digit and is not one."""
    for char in str(code):
        if not char.isascii():
            return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"
    return None


def code_expectation(code: object, key: str) -> Expectation:
    """What a wrong code should have been: ASCII digits when it holds a look-alike, else ``key``."""
    character = lookalike(code)
    return expect("regions.expect.ascii_digits", character=character) if character else expect(key)


def level_of(code: str) -> str:
    """Level implied by the shape of a valid code."""
    if code == ROOT:
        return "nasional"
    return _LEVEL_BY_PARTS[code.count(".") + 1]


def parent_of(code: str) -> str | None:
    """Parent implied by the shape of a valid code (provinces hang under ``ID``)."""
    if code == ROOT:
        return None
    return code.rsplit(".", 1)[0] if "." in code else ROOT


@dataclass
class RegionTree:
    """Region table indexed by code, with navigation helpers used by metrics and reports."""

    table: pd.DataFrame  # index kode; columns nama, tingkat, kode_induk

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.table.index

    def __len__(self) -> int:
        return len(self.table)

    def name(self, code: str) -> str:
        return str(self.table.at[code, "nama"])

    def level(self, code: str) -> str:
        return str(self.table.at[code, "tingkat"])

    def parent(self, code: str) -> str | None:
        value = self.table.at[code, "kode_induk"]
        return None if pd.isna(value) or value == "" else str(value)

    def ancestors(self, code: str) -> list[str]:
        """Parents from the nearest up to ``ID``."""
        out: list[str] = []
        current = self.parent(code)
        while current is not None:
            out.append(current)
            current = self.parent(current)
        return out

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        parents = self.table["kode_induk"]
        for code, parent in zip(parents.index, parents.to_numpy()):
            if isinstance(parent, str) and parent:
                groups.setdefault(parent, []).append(code)
        return {k: sorted(v) for k, v in groups.items()}

    def children(self, code: str) -> list[str]:
        return list(self._children.get(code, []))

    def codes(self, level: str | None = None, within: str | None = None) -> list[str]:
        """Codes of one level (sorted), optionally only those under ``within``."""
        table = self.table
        if level is not None:
            table = table[table["tingkat"] == level]
        codes = table.index
        if within is not None and within != ROOT:
            codes = codes[codes.str.startswith(within + ".") | (codes == within)]
        return sorted(codes)

    def display_name(self, code: str) -> str:
        """Name as shown in reports; region names are never translated."""
        return self.name(code)

    def close_matches(self, text: str, n: int = 3) -> list[str]:
        """``"code (name)"`` of the regions whose code or name is closest to ``text`` (a typo, or a
        name typed where a code belongs), best first: for messages that suggest what was meant."""
        import difflib

        names = {str(name).lower(): code for code, name in self.table["nama"].items()}
        found = difflib.get_close_matches(text, list(self.table.index), n=n, cutoff=0.6)
        found += [names[m] for m in difflib.get_close_matches(text.lower(), list(names), n=n, cutoff=0.6)]
        return [f"{code} ({self.name(code)})" for code in dict.fromkeys(found)][:n]


def _read_tree(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer")


def validate_region_rows(df: pd.DataFrame, file: str | Path, first_line: int = 2) -> list:
    """Problems in a region table: code pattern, level, parent shape."""
    problems = []
    missing = [c for c in REGION_COLUMNS if c not in df.columns]
    if missing:
        return [problem(file, 1, c, None, expect("regions.expect.column", column=c, columns=", ".join(REGION_COLUMNS))) for c in missing]
    for i, (kode, tingkat, induk) in enumerate(zip(df["kode"], df["tingkat"], df["kode_induk"])):
        line = first_line + i
        if not is_valid_code(kode):
            problems.append(problem(file, line, "kode", kode, code_expectation(kode, "regions.expect.code")))
            continue
        if tingkat != level_of(kode):
            problems.append(problem(file, line, "tingkat", tingkat, expect("regions.expect.level", level=level_of(kode), kode=kode)))
        expected_parent = parent_of(kode) or ""
        if (induk or (ROOT if level_of(kode) == "provinsi" else "")) != expected_parent:
            problems.append(problem(file, line, "kode_induk", induk, expect("regions.expect.parent_shape", parent=expected_parent, kode=kode)))
    return problems


def load_regions(base: Path, extra: Path | None = None) -> RegionTree:
    """Kemendagri tree from ``base`` (csv or csv.gz), plus optional additions/overrides."""
    df = _read_tree(base)
    frames = [pd.DataFrame([{"kode": ROOT, "nama": ROOT_NAME, "tingkat": "nasional", "kode_induk": ""}]), df]
    if extra is not None and extra.exists():
        add = _read_tree(extra)
        if add.empty and not len(add.columns):
            raise InputError([problem(extra, 1, None, "", expect("data.expect.header", columns=",".join(REGION_COLUMNS)))])
        problems = validate_region_rows(add, extra)
        if problems:
            raise InputError(problems)
        frames.append(add[list(REGION_COLUMNS)])
    table = pd.concat(frames, ignore_index=True)
    table.loc[(table["tingkat"] == "provinsi") & (table["kode_induk"] == ""), "kode_induk"] = ROOT
    table = table.drop_duplicates("kode", keep="last").set_index("kode")
    parents = table["kode_induk"].to_numpy()
    orphans = table.index[(parents != "") & (table.index.get_indexer(parents) < 0)]
    if len(orphans):
        file = extra if extra is not None else base
        raise InputError([problem(file, None, "kode_induk", table.at[c, "kode_induk"], expect("regions.expect.parent", kode=c)) for c in orphans[:50]])
    return RegionTree(table)
