"""Region names as tables print them, matched to the Kemendagri region tree."""


from __future__ import annotations

import difflib
import re
import unicodedata

from analysis.data.importers.common import NATIONAL_LABELS, PROVINCE_ALIASES
from analysis.data.regions import ROOT, RegionTree

# --------------------------------------------------------------------------------------------
# Region names


_KIND_PREFIX = {"PROVINSI": "prov", "PROV": "prov", "PROPINSI": "prov", "PROP": "prov",
                "KABUPATEN": "kab", "KAB": "kab", "KOTA": "kota", "KOTAMADYA": "kota", "KOTAMADIA": "kota"}
_TOKEN_EXPAND = {"KEP": "KEPULAUAN", "KEPL": "KEPULAUAN", "ADM": "ADMINISTRASI", "ADMIN": "ADMINISTRASI", "SUMATRA": "SUMATERA"}


def _tokens(name: object) -> list[str]:
    text = re.sub(r"[*¹²³⁴⁵⁶⁷⁸⁹⁰]+|\s+\d\)\s*$|\s*\(\d\)\s*$", " ", str(name))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = re.sub(r"['’`]", "", text)
    tokens: list[str] = []
    letters = False  # is the last token a run of single letters?
    for tok in re.findall(r"[A-Z0-9]+", text):  # "D.I. Yogyakarta" -> DI YOGYAKARTA, "D K I" -> DKI
        single = len(tok) == 1 and tok.isalpha()
        if single and letters:
            tokens[-1] += tok
        else:
            tokens.append(tok)
        letters = single
    return [_TOKEN_EXPAND.get(t, t) for t in tokens]


def parse_name(name: object) -> tuple[str | None, str]:
    """(kind, compact base): kind is 'prov', 'kab', 'kota' or None (no prefix)."""
    tokens = _tokens(name)
    kind = None
    if len(tokens) > 1 and tokens[0] in _KIND_PREFIX:
        kind = _KIND_PREFIX[tokens[0]]
        tokens = tokens[1:]
        if kind in ("kab", "kota") and len(tokens) > 1 and tokens[0] == "ADMINISTRASI":
            tokens = tokens[1:]
    return kind, "".join(tokens)


class NameIndex:
    """Province and kab/kota names of the region tree with the spellings tables use."""

    def __init__(self, regions: RegionTree):
        self.regions = regions
        self.prov: dict[str, list[str]] = {}
        self.kab: dict[str, list[str]] = {}
        self.kota: dict[str, list[str]] = {}
        table = regions.table
        for code, name in table.loc[table["tingkat"] == "provinsi", "nama"].items():
            keys = {parse_name(name)[1], *PROVINCE_ALIASES.get(code, ())}
            for key in keys:
                self.prov.setdefault(key, []).append(code)
        for code, name in table.loc[table["tingkat"] == "kabkota", "nama"].items():
            kind, base = parse_name(name)
            target = self.kota if kind == "kota" else self.kab
            target.setdefault(base, []).append(code)

    def candidates(self, label: str) -> list[str]:
        kind, base = parse_name(label)
        if kind is None and base in NATIONAL_LABELS:
            return [ROOT]
        if kind == "prov":
            return list(self.prov.get(base, []))
        if kind == "kab":
            return list(self.kab.get(base, []))
        if kind == "kota":
            return list(self.kota.get(base, [])) or list(self.kab.get("KOTA" + base, []))
        return list(dict.fromkeys(self.prov.get(base, []) + self.kab.get(base, []) + self.kota.get(base, [])))

    def suggestions(self, label: str, n: int = 3) -> list[str]:
        kind, base = parse_name(label)
        pool = {"prov": [self.prov], "kab": [self.kab], "kota": [self.kota]}.get(kind, [self.prov, self.kab, self.kota])
        keys = {k: codes for d in pool for k, codes in d.items()}
        out = []
        for key in difflib.get_close_matches(base, list(keys), n=n, cutoff=0.75):
            out.extend(f"{c} {self.regions.name(c).strip()}" for c in keys[key])
        return list(dict.fromkeys(out))[:n]

    def same_region(self, label: str, code: str) -> bool:
        """Does the label name ``code`` (tolerating case, KAB./KABUPATEN, KOTA, no prefix, aliases)?"""
        if code in self.candidates(label):
            return True
        kind, base = parse_name(label)
        tree_kind, tree_base = parse_name(self.regions.name(code))
        return base == tree_base and kind in (None, tree_kind)


def describe_codes(regions: RegionTree, codes: list[str]) -> str:
    return ", ".join(f"{c} {regions.name(c).strip()}" for c in codes)
