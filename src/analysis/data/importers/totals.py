"""Total rows of a wide table (INDONESIA under the provinces, the province under its kab/kota, Jumlah):
found, checked against the sum of their parts, and reported.

Why: a total row is a second figure for a region the table does not list as a part; importing it
silently would store a national or provincial figure the user never asked for. It is checked
(equal, or differs by N) and imported for its region only with ``--with-total``.
"""


from __future__ import annotations

from analysis.core.messages import cli_language, fmt_int
from analysis.data.importers.common import say
from analysis.data.regions import RegionTree


def named_totals(codes: dict[int, str], regions: RegionTree) -> dict[int, str]:
    """Lines whose region is the parent of every other row's region (INDONESIA over 38 provinces)."""
    out = {}
    for line, code in codes.items():
        others = [c for other, c in codes.items() if other != line]
        if others and all(regions.parent(c) == code for c in others):
            out[line] = code
    return out


def common_parent(codes: list[str], regions: RegionTree) -> str | None:
    parents = {regions.parent(c) for c in codes}
    return parents.pop() if len(parents) == 1 else None


def check_total(line: int, label: str, parent: str | None, totals: dict[str, int | None],
                parts: list[dict[str, int | None]], imported: bool) -> str:
    """One note: the total row against the sum of its parts, period by period.

    ``totals`` maps periode → the row's value; ``parts`` holds each part row's periode → value.
    """
    lang = cli_language()
    checks = []
    for periode, total in totals.items():
        values = [p.get(periode) for p in parts]
        if total is None:
            continue
        if any(v is None for v in values):
            checks.append(say("import.total.incomplete", periode=periode, missing=sum(v is None for v in values)))
            continue
        diff = total - sum(values)  # type: ignore[arg-type]
        checks.append(say("import.total.equal", periode=periode) if diff == 0 else
                      say("import.total.differs", periode=periode, diff=("+" if diff > 0 else "−") + fmt_int(abs(diff), lang),
                          total=fmt_int(total, lang), sum=fmt_int(sum(values), lang)))  # type: ignore[arg-type]
    fate = (say("import.total.imported", code=parent) if imported else
            say("import.total.not_imported", code=parent) if parent else say("import.total.never"))
    return say("import.total.note", line=line, label=label, parts=len(parts), checks="; ".join(checks), fate=fate)
