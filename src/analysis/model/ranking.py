"""Ranking regions within their parent, in the spirit of the Paritrana Award.

Three indicators, all on the trend coverage (one denominator, so growth is not a definition change):

- ``coverage``: trend coverage in the reference year (higher is better);
- ``growth``: recent pace in percentage points a year (higher is better);
- ``distance``: years to the ranking target at that pace, ``gap / growth`` (fewer is better; 0 when
  reached, infinite when the pace is zero or negative). A gap in points alone would rank exactly
  like coverage, since every sibling has the same target; years at the recent pace combine how
  far a region is with how fast it moves.

Rules, stated so that every rank can be checked by hand:

- ranks run from 1 (best); ties share the average of the ranks they span (two regions tied for
  2nd both get 2.5), regions at an infinite distance included;
- each indicator ranks the regions that have it; a region without a value is unranked on that
  indicator, with the reason;
- indicator scores are ``(n - rank) / (n - 1)`` among the ``n`` ranked (1 best, 0 worst; 1 when
  alone). Scoring ranks rather than raw values keeps one outlier (coverage above 100% where
  workers register in another region than where they live) from swamping the composite;
- the composite is the weighted sum of the scores, with the weights from the parameters (they
  sum to 1), and is ranked the same way; a region missing any indicator with a positive weight
  gets no composite rank;
- the reference year is the year in which the most regions have an official trend coverage (the
  latest of those; at least half of them), so that all are compared on the same official year;
  only where no year has that many official values, the same rule on all values (sample ones
  marked). A region without a value that year is unranked rather than compared on an older figure;
- a region's growth is its own recent pace (:attr:`analysis.model.facts.RegionFacts.recent` when
  ranked from facts), the value its page shows, so the league and the page never disagree;
- provenance: ``sintetis_coverage`` / ``sintetis_growth`` say whether a region's value rests on a
  sample row; ``sintetis`` (either) marks the row. ``after_horizon`` is set where the distance
  reaches past the forecast horizon (shown as "after 2045", not as a number of years).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


INDICATORS = ("coverage", "growth", "distance")
HIGHER_IS_BETTER = {"coverage": True, "growth": True, "distance": False}
NO_DATA = "no_data"  # no trend coverage in the reference year
NO_HISTORY = "no_history"  # no earlier year in the pace window


def reference_year(tables: dict[str, pd.DataFrame], column: str = "cakupan_tren") -> int | None:
    """The common year of a comparison: the year in which the most regions have an official value in
    ``column`` (the latest of those), if at least half do; else the same on all values; else None."""
    for official_only in (True, False):
        counts: dict[int, int] = {}
        for table in tables.values():
            rows = table.dropna(subset=[column])
            if official_only:
                rows = rows[~rows["sintetis"].astype(bool)]
            for year in set(rows["tahun"]):
                counts[int(year)] = counts.get(int(year), 0) + 1
        enough = [(n, year) for year, n in counts.items() if 2 * n >= len(tables)]
        if enough:
            return max(enough)[1]
    return None


def indicators(tables: dict[str, pd.DataFrame], target_share: float, paces: dict[str, dict | None],
               year: int | None = None) -> pd.DataFrame:
    """One row per region (index ``kode``): the three indicators, the gap in points, and a reason when unranked.

    ``paces``: each region's own recent pace (with ``sintetis``, ``start`` and ``end``), the one its
    page shows, so the league and the pages give one value."""
    year = reference_year(tables) if year is None else year
    rows = []
    for code, table in tables.items():
        row = {"kode": code, "tahun": year, "coverage": math.nan, "growth": math.nan, "distance": math.nan,
               "gap_points": math.nan, "reason": None, "sintetis_coverage": False, "sintetis_growth": False, "sumber": None}
        current = table[(table["tahun"] == year)].dropna(subset=["cakupan_tren"]) if year is not None else table.iloc[:0]
        if current.empty:
            rows.append({**row, "reason": NO_DATA})
            continue
        row["coverage"] = float(current["cakupan_tren"].iloc[0])
        row["sintetis_coverage"] = bool(current["sintetis"].iloc[0])
        row["sumber"] = current["sumber"].iloc[0] if "sumber" in current else None
        row["gap_points"] = (target_share - row["coverage"]) * 100
        pace = paces.get(code)
        if pace is None:
            rows.append({**row, "reason": NO_HISTORY})
            continue
        row["growth"] = pace["points_per_year"]
        row["sintetis_growth"] = bool(pace["sintetis"])
        years = [year, *(pace[k] for k in ("start", "end") if k in pace)]  # the year compared and the pace's ends
        used = table.loc[table["tahun"].isin(years)]
        row["sumber"] = " + ".join(dict.fromkeys(p for s in used.get("sumber", []) for p in str(s).split(" + ") if p)) or None  # each once
        row["distance"] = years_to_target(row["gap_points"], row["growth"])
        rows.append(row)
    columns = ["kode", "tahun", "coverage", "growth", "distance", "gap_points", "reason", "sintetis_coverage", "sintetis_growth", "sumber"]
    out = pd.DataFrame(rows, columns=columns).set_index("kode")
    # A rank rests on every value compared: one sample value makes all ranks sample.
    out["sintetis"] = out["sintetis_coverage"] | out["sintetis_growth"]
    return out


def years_to_target(gap_points: float, points_per_year: float) -> float:
    """Years to close the gap at this pace: 0 when reached, infinite when the pace is not positive."""
    if gap_points <= 0:
        return 0.0
    return gap_points / points_per_year if points_per_year > 0 else math.inf


def _score(ranks: pd.Series) -> pd.Series:
    n = ranks.notna().sum()
    return pd.Series(1.0, index=ranks.index).where(ranks.notna()) if n <= 1 else (n - ranks) / (n - 1)


def rank(table: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Ranks (1 best, average for ties), scores and the weighted composite; see the module notes."""
    out = table.copy()
    for name in INDICATORS:
        out[f"rank_{name}"] = out[name].rank(ascending=not HIGHER_IS_BETTER[name], method="average")
        out[f"score_{name}"] = _score(out[f"rank_{name}"])
    weighted = [name for name in INDICATORS if weights.get(name, 0) > 0]
    complete = out[[f"score_{name}" for name in weighted]].notna().all(axis=1)
    composite = sum(weights[name] * out[f"score_{name}"] for name in weighted)
    out["composite"] = composite.where(complete) if weighted else np.nan
    out["rank"] = out["composite"].rank(ascending=False, method="average")
    out["ranked"] = out["rank"].notna()
    return out.sort_values(["rank", "coverage"], ascending=[True, False], na_position="last")


def rank_regions(tables: dict[str, pd.DataFrame], paces: dict[str, dict | None], params: dict) -> pd.DataFrame:
    """Rank regions (their coverage tables and their own paces) with the parameters' ranking section."""
    section = params["ranking"]
    target = next(tg for tg in params["targets"] if tg["id"] == section["target"])
    values = indicators(tables, target["percent"] / 100, paces)
    values["after_horizon"] = values["tahun"] + values["distance"] > params["horizon"]
    return rank(values, section["weights"])

