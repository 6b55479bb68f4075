"""What a portfolio holds: which regions get a report, and the names of its pages.

Pages (the overview links the regions that have a report) and the batch engine (which builds
them) both need this, so it sits below both: the import graph runs one way, data → analysis →
plots → pages → batch → CLI, and neither has to import the other to agree on what exists.
"""

from __future__ import annotations

from analysis.data.regions import LEVELS, ROOT, RegionTree

REGION, OVERVIEW = "region", "overview"  # the notebooks a build runs; OVERVIEW is also the overview page's file stem


def select_regions(regions: RegionTree, params: dict, levels: list[str] | None = None, codes: list[str] | None = None) -> list[str]:
    """Regions to build, ordered by level then code.

    Codes alone: exactly those regions. Levels alone: every region of those levels under the
    parents set in the parameters (``within``; none = the whole country). Both: every region of
    those levels under the given codes (``--level desa --region 32.04``).
    """
    if codes and not levels:
        return list(dict.fromkeys(codes))
    chosen = []
    for level in levels or params["levels"]:
        if level == "nasional":
            chosen.append(ROOT)
            continue
        parents = codes or params.get("within", {}).get(level) or [None]
        for parent in parents:
            chosen += regions.codes(level, within=parent)
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(dict.fromkeys(chosen), key=lambda c: (order[regions.level(c)], c))
