"""The data behind each section of a report, as tidy pandas DataFrames.

Built from a report's JSON summary (``RegionReport.summary()``, ``Overview.summary()``, or a
``reports/<lang>/<kode>.json`` file), so an analyst works on exactly the numbers the page shows,
with their provenance: one row per observation, one column per variable. Shares are fractions
(0.314 = 31.4%), percentage points are points, counts are people; ``sintetis`` marks values that
rest on sample rows. Nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

SEGMENT_KEYS = ("PU", "BPU", "JAKON", "PMI", "TOTAL")
BASELINE = "baseline"  # scenario id of the forecast without levers, in ``targets``


ORDER = (  # columns in this order when present (summaries read back from JSON have their keys sorted), the rest after
    "scenario", "kode", "nama", "tahun", "id", "label", "segmen", "peserta", "penyebut", "ukuran_penyebut", "cakupan",
    "cakupan_tren", "perubahan_peserta", "perubahan_poin", "periode_peserta", "periode_pekerja", "percent", "year",
    "deadline", "median", "lo80", "hi80", "lo95", "hi95", "reached_year", "year_lo80", "year_hi80", "not_by_horizon",
    "prob_by_deadline", "shift_years", "already_reached", "horizon", "reason", "levers", "tambahan",
)
WHOLE = ("tahun", "peserta", "penyebut", "year", "deadline", "horizon", "reached_year", "year_lo80", "year_hi80",
         "shift_years", "years", "rank", "target_tahun", "tahun_tercapai")  # whole numbers (counts of people as published, years): nullable integers


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Known columns first in a fixed order, the others sorted by name; whole-number columns as nullable integers."""
    first = [c for c in ORDER if c in frame.columns]
    frame = frame[first + sorted(c for c in frame.columns if c not in first)]
    whole = {}
    for column in WHOLE:
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce")
            known = values.to_numpy(dtype=float, na_value=np.nan)
            known = known[~np.isnan(known)]
            if np.array_equal(known, np.round(known)):
                whole[column] = values.round().astype("Int64")
    return (frame.assign(**whole) if whole else frame).reset_index(drop=True)


def _by_year(mapping: dict | None, name: str = "tahun") -> pd.DataFrame:
    """``{"2024": {...}, ...}`` as rows with an integer year column first."""
    rows = [{name: int(year), **values} for year, values in (mapping or {}).items()]
    return pd.DataFrame(rows).sort_values(name, ignore_index=True) if rows else pd.DataFrame({name: pd.Series(dtype=int)})


def trend(summary: dict) -> pd.DataFrame:
    """One row per year: participants, denominator (and which measure), coverage, the trend coverage
    on one denominator, year-on-year changes, periods, sources and the sample flag."""
    frame = _by_year(summary.get("years"))
    return frame.drop(columns=[c for c in SEGMENT_KEYS if c in frame.columns])


def segments(summary: dict) -> pd.DataFrame:
    """One row per year and segment (PU, BPU, JAKON, PMI, or TOTAL where a source gives no split)."""
    rows = [
        {"tahun": int(year), "segmen": key, "peserta": values[key], "periode_peserta": values.get("periode_peserta"),
         "sintetis": values.get("sintetis"), "sumber": values.get("sumber")}
        for year, values in (summary.get("years") or {}).items()
        for key in SEGMENT_KEYS if values.get(key) is not None
    ]
    return pd.DataFrame(rows, columns=["tahun", "segmen", "peserta", "periode_peserta", "sintetis", "sumber"])


def gaps(summary: dict) -> pd.DataFrame:
    """Distance from the latest complete year to each target: people and percentage points."""
    return pd.DataFrame(summary.get("gaps") or [], columns=["id", "label", "year", "percent", "people", "points", "reached"])


def forecast(summary: dict) -> pd.DataFrame:
    """Forecast of the trend coverage per year: median and the 80% and 95% bands."""
    section = summary.get("forecast") or {}
    return _by_year(section.get("years"))


def _target_row(scenario: str, target: dict) -> dict:
    lo, hi = (target.get("range80") or [None, None])[:2]
    row = {"scenario": scenario, **{k: v for k, v in target.items() if k != "range80"}, "year_lo80": lo, "year_hi80": hi}
    row.setdefault("shift_years", None)
    return row


def targets(summary: dict) -> pd.DataFrame:
    """When each target is reached: the baseline forecast, then every scenario (years earlier in ``shift_years``)."""
    rows = [_target_row(BASELINE, tg) for tg in summary.get("targets") or []]
    for result in (summary.get("scenarios") or {}).get("results") or []:
        rows += [_target_row(result["id"], tg) for tg in result.get("targets") or []]
    return pd.DataFrame(rows)


def pace(summary: dict) -> pd.DataFrame:
    """Pace needed to each target (people and points per year) against the recent pace (``ratio_*``)."""
    section = summary.get("pace") or {}
    frame = pd.DataFrame(section.get("targets") or [])
    recent = section.get("recent") or {}
    for key in ("people_per_year", "points_per_year"):
        frame[f"recent_{key}"] = recent.get(key)
    return frame


def scenarios(summary: dict) -> pd.DataFrame:
    """One row per scenario and year: coverage along the median path and workers added by the levers."""
    section = summary.get("scenarios") or {}
    workforce = section.get("workforce") or {}
    rows = [
        {"scenario": result["id"], "levers": " + ".join(result["levers"]), "tahun": int(year), "cakupan": value,
         "tambahan": (result.get("added") or {}).get(year), "penyebut": workforce.get(year)}
        for result in section.get("results") or []
        for year, value in (result.get("coverage") or {}).items()
    ]
    return pd.DataFrame(rows, columns=["scenario", "levers", "tahun", "cakupan", "tambahan", "penyebut"])


def ranking(summary: dict) -> pd.DataFrame:
    """Regions below ranked (coverage, growth, distance to the target, composite); the overview's
    league table of provinces when the summary holds one."""
    if summary.get("league") is not None:
        return pd.DataFrame(summary["league"])
    section = summary.get("ranking") or {}
    frame = pd.DataFrame(section.get("regions") or [])
    if not frame.empty:
        frame.insert(0, "tahun", section.get("year"))
    return frame


SECTIONS: dict[str, Callable[[dict], pd.DataFrame]] = {
    "trend": trend, "segments": segments, "gaps": gaps, "forecast": forecast,
    "targets": targets, "pace": pace, "scenarios": scenarios, "ranking": ranking,
}


def section(name: str, summary: dict) -> pd.DataFrame:
    """Section ``name`` of ``summary`` as a tidy DataFrame (fixed column order, whole numbers as integers)."""
    return tidy(SECTIONS[name](summary))


class Frames:
    """``report.frames.trend`` and so on: each section's data as a DataFrame (see the module notes).

    ``available`` lists the sections with data for this region; ``all()`` returns them as a dict.
    """

    def __init__(self, summary: dict):
        self._summary = summary

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name not in SECTIONS:
            raise AttributeError(f"no section {name!r}; sections: {', '.join(SECTIONS)}")
        return section(name, self._summary)

    def __dir__(self) -> list[str]:
        return [*SECTIONS, "available", "all"]

    @property
    def available(self) -> list[str]:
        return [name for name, build in SECTIONS.items() if not build(self._summary).empty]

    def all(self) -> dict[str, pd.DataFrame]:
        return {name: section(name, self._summary) for name in self.available}

    def __repr__(self) -> str:
        return f"<frames: {', '.join(self.available) or 'none'}>"
