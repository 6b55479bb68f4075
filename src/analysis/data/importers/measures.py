"""What a downloaded table counts, read from its labels (column name, satuan, title).

Why: a table of BPJS participants imported as employed population gives coverage of 100% and
passes every check of numbers; only the table's own words tell the two apart. ``cakupan import``
uses :func:`decide_measure` so that such a table is never stored under the wrong measure by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.core.messages import t
from analysis.core.problems import Problem, problem

IMPORT_MEASURES = ("peserta_aktif", "penduduk_bekerja", "pekerja_berhak")
# What a label says the figures count, checked in this order (the first pattern a label matches
# decides): "pekerja yang berhak" before "peserta", "peserta" before "bekerja", and negations first
# of all ("penduduk tidak bekerja" is no employed population).
OTHER_MEASURE = "other"
MEASURE_WORDS = (
    (OTHER_MEASURE, re.compile(r"\b(TIDAK|BELUM|BUKAN|NON) ?(BEKERJA|PESERTA)\b|\bPENGANGGURAN|\bUNEMPLOY|\bANGKATAN KERJA\b|\bAK\b|\bLABOU?R FORCE\b"
                               r"|\bUSIA KERJA\b|\bWORKING AGE\b|\bIURAN\b|\bKLAIM\b|\bPERUSAHAAN\b")),
    ("pekerja_berhak", re.compile(r"\bBERHAK\b|\bELIGIBLE\b")),
    ("peserta_aktif", re.compile(r"\bPESERTA\b|\bKEPESERTAAN\b|\bPARTICIPANTS?\b|\bBPJS\b|\bJAMSOSTEK\b|\bTERDAFTAR\b|\bREGISTERED\b")),
    ("penduduk_bekerja", re.compile(r"\bBEKERJA\b|\bEMPLOYED\b|\bWORKING\b")),
)


@dataclass(frozen=True)
class Clue:
    """A label of the table (column name, satuan, title) that says what the figures count."""

    line: int | None
    column: str | None
    text: str
    measure: str  # one of IMPORT_MEASURES, or OTHER_MEASURE


def measure_of(label: str) -> str | None:
    """What a column name, satuan or title says the figures count (None when it says nothing)."""
    text = " ".join(re.findall(r"[A-Z]+", label.upper().replace("_", " ")))
    for measure, pattern in MEASURE_WORDS:
        if pattern.search(text):
            return measure
    return None



MEASURE_NAMES = {"peserta_aktif": "import.measure.participants", "penduduk_bekerja": "import.measure.employed",
                 "pekerja_berhak": "import.measure.eligible", OTHER_MEASURE: "import.measure.other"}


def _clue_label(clue: Clue, lang: str) -> str:
    if clue.column == "satuan":
        return f"satuan {clue.text}"
    if clue.column is not None:
        return t("cli.problem.column", lang, column=clue.column)
    return repr(clue.text) if len(clue.text) <= 60 else repr(clue.text[:57] + "...")


def decide_measure(given: str | None, files: list[tuple[Path, list[Clue]]], lang: str) -> tuple[str | None, str, list[Problem]]:
    """(measure, why, problems): the measure the tables' labels name, checked against ``--measure``.

    Refused (problems) when the labels disagree, when they name something that is not a count of
    participants or workers, when ``given`` contradicts them, or when neither says what is counted:
    a table of participants can never be stored as employed population by default.
    """
    clues = [(path, c) for path, found in files for c in found]
    kinds = list(dict.fromkeys(c.measure for _, c in clues))
    accepted = "|".join(IMPORT_MEASURES)

    def each(kind: str, expected: str) -> list[Problem]:
        return [problem(path, c.line, c.column, c.text, expected) for path, c in clues if c.measure == kind][:1]

    if len(kinds) > 1:
        firsts: dict[str, tuple[Path, Clue]] = {}
        for path, c in clues:
            firsts.setdefault(c.measure, (path, c))
        named = "; ".join(f"{_clue_label(c, lang)}: {t(MEASURE_NAMES[c.measure], lang)}" for _, c in firsts.values())
        path, c = firsts[kinds[1]]
        return None, "", [problem(path, c.line, c.column, c.text, t("import.expect.agree", lang, labels=named, measures=accepted))]
    if not kinds:
        if given is not None:
            return given, f"--measure {given}", []
        return None, "", [problem(path, None, None, path.name, t("import.expect.say", lang, measures=accepted)) for path, _ in files][:1]
    kind = kinds[0]
    path, clue = next((p, c) for p, c in clues if c.measure == kind)
    why = _clue_label(clue, lang)
    if kind == OTHER_MEASURE:
        return None, "", each(kind, t("import.expect.not_counts", lang, label=why))
    if given is not None and given != kind:
        what = t(MEASURE_NAMES[kind], lang)
        return None, "", each(kind, t("import.expect.contradicts", lang, given=given, what=what, label=why, measure=kind))
    return kind, why, []
