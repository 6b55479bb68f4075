"""Which block of a multi-measure table to import: the one ``--measure`` names, or the only count Cakupan knows.

Why: a BPS table often holds several measures side by side (employed, unemployed, labour force, a
percentage). Importing one of them must be a choice the table's labels or the user make, never a
guess: without ``--measure`` the import goes ahead only when exactly one block is a count Cakupan
imports and nothing else in the table is counted; otherwise it lists the blocks and the option
that selects each.
"""


from __future__ import annotations

from pathlib import Path

from analysis.core.messages import cli_language, t
from analysis.core.problems import Problem, problem
from analysis.data.importers.common import FOOTER_RE, say
from analysis.data.importers.headers import PERCENT, Block, Header, columns_text
from analysis.data.importers.measures import IMPORT_MEASURES, MEASURE_NAMES, OTHER_MEASURE, Clue, measure_of


def title_clues(header: Header, lines: list[int]) -> list[Clue]:
    """What the header's titles (table name, unit rows) say the table counts."""
    out = []
    for r, text in header.titles:
        kind = None if FOOTER_RE.match(text) else measure_of(text)
        if kind is not None:
            out.append(Clue(lines[r], None, text, kind))
    return out


def _block_clue(block: Block, lines: list[int]) -> list[Clue]:
    if block.kind in IMPORT_MEASURES or block.kind == OTHER_MEASURE:
        return [Clue(lines[block.row] if block.row is not None else None, None, block.label, block.kind)]
    return []


def _listing(header: Header, path: Path, lines: list[int], measure: str | None) -> list[Problem]:
    """One line per block: the option that imports it, or why none does."""
    lang = cli_language()
    out = []
    for b in header.blocks:
        where = columns_text(b.columns)
        line = lines[b.row] if b.row is not None else lines[header.rows[-1]]
        if b.kind == PERCENT:
            expected = say("import.expect.block_percent", columns=where)
        elif b.kind in IMPORT_MEASURES and b.kind != measure:
            expected = say("import.expect.block_choose", measure=b.kind, columns=where, what=t(MEASURE_NAMES[b.kind], lang))
        elif b.kind in IMPORT_MEASURES:
            expected = say("import.expect.block_several", measure=b.kind, columns=where)
        else:
            what = t(MEASURE_NAMES[OTHER_MEASURE], lang) if b.kind == OTHER_MEASURE else say("import.block.unnamed")
            expected = say("import.expect.block_other", columns=where, what=what, measures="|".join(IMPORT_MEASURES))
        out.append(problem(path, line, None, b.label or None, expected))
    return out


def choose_block(header: Header, measure: str | None, path: Path, lines: list[int]) -> tuple[Block | None, list[Clue], str, list[Problem]]:
    """(block, clues, refusal reason, problems): the block to import and the labels that say what it counts.

    With one block, the labels decide as for any table (:func:`~analysis.data.importers.measures.decide_measure`);
    with ``--measure`` the block's own label decides, so a title naming the table (Angkatan Kerja)
    does not contradict a block naming the measure (Bekerja).
    """
    titles = title_clues(header, lines)
    blocks = header.blocks
    if len(blocks) == 1 and blocks[0].kind != PERCENT:
        own = _block_clue(blocks[0], lines)
        return blocks[0], (own if measure is not None and own else titles + own), "", []
    counted = [b for b in blocks if b.kind in IMPORT_MEASURES]
    if measure is not None:
        matches = [b for b in counted if b.kind == measure]
    elif len(counted) == 1 and all(b.kind == PERCENT for b in blocks if b is not counted[0]) \
            and all(c.measure == counted[0].kind for c in titles):
        matches = counted
    else:
        matches = []
    if len(matches) == 1:
        return matches[0], (titles if measure is None else []) + _block_clue(matches[0], lines), "", []
    if measure is None:
        reason = say("import.reason.blocks", count=len(blocks))
    elif matches:
        reason = say("import.reason.blocks_several", count=len(matches), measure=measure)
    else:
        reason = say("import.reason.blocks_none", measure=measure)
    return None, [], reason, _listing(header, path, lines, measure)
