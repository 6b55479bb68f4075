"""The data behind each section of a report, as tidy pandas DataFrames.

Built from a report's JSON summary (``RegionReport.summary()``, ``Overview.summary()``, or a
``reports/<lang>/<kode>.json`` file), so an analyst works on exactly the numbers the page shows,
with their provenance: one row per observation, one column per variable. Shares are fractions
(0.314 = 31.4%), percentage points are points, counts are people; ``sintetis`` marks values that
rest on sample rows. Nothing is recomputed here.
"""

from __future__ import annotations

import difflib
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


# What each frame holds, for ``report.frames`` and its help (``report.frames.trend?``) and for
# docs/jupyter.md: section -> (one line, {column: meaning and unit}). Shares are fractions, points
# are percentage points, counts are people. tests/pages/test_frames.py checks that every column a
# frame has is described here and every column described here exists.
_SAMPLE = "True where the value rests on sample (synthetic) rows (◇ on the page)"
COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "trend": ("year: participants, denominator, coverage, trend coverage, changes, sources", {
        "tahun": "year", "peserta": "participants (people)", "penyebut": "denominator (people)",
        "ukuran_penyebut": "which measure the denominator is (e.g. penduduk_bekerja)", "cakupan": "coverage (share)",
        "cakupan_tren": "coverage on the trend denominator, one measure over the series (share)",
        "perubahan_peserta": "participants minus the year before (people)", "perubahan_poin": "coverage minus the year before (points)",
        "periode_peserta": "month of the participants' figure (YYYY-MM)", "periode_pekerja": "month of the denominator (YYYY-MM)",
        "sintetis": _SAMPLE, "sintetis_peserta": "True where the participants are sample",
        "sintetis_pekerja": "True where the denominator is sample", "sintetis_perubahan": "True where a change rests on a sample year",
        "sumber": "source of the year's figures (sintetis... for sample rows)",
    }),
    "segments": ("year and segment (PU, BPU, JAKON, PMI, or TOTAL where a source gives no split)", {
        "tahun": "year", "segmen": "segment: PU (wage earners), BPU (informal), JAKON, PMI, TOTAL",
        "peserta": "participants (people)", "periode_peserta": "month of the figure (YYYY-MM)", "sintetis": _SAMPLE,
        "sumber": "source",
    }),
    "gaps": ("target: what is still missing in the latest complete year", {
        "id": "target id", "label": "target name", "year": "target year", "percent": "target coverage (percent)",
        "people": "participants still missing (people)", "points": "coverage still missing (points)",
        "reached": "True where the target is already reached",
    }),
    "forecast": ("forecast year: the trend coverage's median and bands", {
        "tahun": "year", "median": "median forecast (share)", "lo80": "80% band, low (share)", "hi80": "80% band, high (share)",
        "lo95": "95% band, low (share)", "hi95": "95% band, high (share)",
    }),
    "targets": ("scenario (baseline first) and target: when it is reached", {
        "scenario": "scenario id (baseline: no levers)", "id": "target id", "label": "target name",
        "percent": "target coverage (percent)", "deadline": "target year", "reached_year": "year the median path reaches it",
        "year_lo80": "80% range of that year, early end", "year_hi80": "80% range of that year, late end",
        "not_by_horizon": "True where the median path does not reach it by the horizon", "horizon": "last forecast year",
        "prob_by_deadline": "probability of reaching it by the deadline (share)",
        "shift_years": "years earlier than the baseline", "already_reached": "True where it is reached already",
        "reason": "why no year can be given", "sintetis": _SAMPLE,
    }),
    "pace": ("target: people and points a year needed, against the recent pace", {
        "id": "target id", "label": "target name", "year": "target year", "percent": "target coverage (percent)",
        "years": "years left", "reached": "True where the target is already reached", "people_per_year": "participants needed a year (people)",
        "points_per_year": "coverage needed a year (points)", "deadline_passed": "True where the target year has passed",
        "ratio_people": "needed over recent pace, people", "ratio_points": "needed over recent pace, points",
        "recent_people_per_year": "recent pace (people a year)", "recent_points_per_year": "recent pace (points a year)",
        "sintetis": _SAMPLE,
    }),
    "scenarios": ("scenario and year: coverage along the median path, workers added by the levers", {
        "scenario": "scenario id", "levers": "its levers, joined by +", "tahun": "year",
        "cakupan": "coverage along the median path (share)", "tambahan": "workers added by the levers (people)",
        "penyebut": "projected workforce (people)",
    }),
    "ranking": ("region below (for the overview: province of the league table), ranked", {
        "tahun": "year compared", "kode": "region code", "nama": "region name", "coverage": "coverage (share)",
        "growth": "recent pace (points a year)", "distance": "years to the ranking target at the recent pace",
        "gap_points": "points still missing to the ranking target", "rank_coverage": "rank by coverage",
        "rank_growth": "rank by pace", "rank_distance": "rank by distance", "composite": "weighted composite score",
        "rank": "overall rank", "infinite_distance": "True where the target is never reached at the recent pace",
        "after_horizon": "True where it is reached after the horizon", "reason": "why a region is not ranked",
        "sintetis": _SAMPLE, "sintetis_coverage": "True where the coverage is sample",
        "sintetis_growth": "True where the pace is sample",
        # the overview's league table of provinces
        "cakupan": "overview: coverage in the common official year (share)", "laju_poin": "overview: recent pace (points a year)",
        "selisih_poin": "overview: points to the ranking target (negative: above it)", "peringkat": "overview: rank",
        "tahun_target": "overview: year the province's forecast reaches the ranking target",
        "target_tercapai": "overview: True where the target is reached already", "alasan": "overview: why a province is not ranked",
        "sintetis_cakupan": "overview: True where the coverage is sample", "sintetis_laju": "overview: True where the pace is sample",
        "sintetis_tahun_target": "overview: True where the target year rests on a sample forecast",
    }),
}


def describe(name: str) -> str:
    """The help text of frame ``name``: what one row is, then each column with its meaning and unit."""
    line, columns = COLUMNS[name]
    width = max(map(len, columns))
    return f"{name}: one row per {line}.\n\nColumns:\n" + "\n".join(f"  {c.ljust(width)}  {text}" for c, text in columns.items())


def _frame(name: str) -> property:
    def get(self: "Frames") -> pd.DataFrame:
        return section(name, self._summary)

    get.__name__, get.__doc__ = name, describe(name)
    return property(get, doc=describe(name))


class Frames:
    """The data behind each section of the report as pandas DataFrames, from the numbers the page shows.

    Display ``report.frames`` for a table of the frames (rows, what a row is); ``report.frames.trend?``
    lists a frame's columns with their units. ``available`` lists the frames with data, ``all()``
    returns them as a dict.
    """

    trend = _frame("trend")
    segments = _frame("segments")
    gaps = _frame("gaps")
    forecast = _frame("forecast")
    targets = _frame("targets")
    pace = _frame("pace")
    scenarios = _frame("scenarios")
    ranking = _frame("ranking")

    def __init__(self, summary: dict):
        self._summary = summary

    def __getattr__(self, name: str) -> pd.DataFrame:
        """Only reached for a name that is not a frame: say which is meant and which there are."""
        if name.startswith("_"):
            raise AttributeError(name)
        match = difflib.get_close_matches(name, list(SECTIONS), n=1)
        hint = f"; did you mean {match[0]!r}?" if match else ""
        raise AttributeError(f"no frame {name!r}{hint} (sections: {', '.join(SECTIONS)})")

    @property
    def available(self) -> list[str]:
        """The frames with data for this region."""
        return [name for name, build in SECTIONS.items() if not build(self._summary).empty]

    def all(self) -> dict[str, pd.DataFrame]:
        """Every frame with data, by name."""
        return {name: section(name, self._summary) for name in self.available}

    def table(self) -> pd.DataFrame:
        """One line per frame: its name, rows, columns and what one row is."""
        rows = []
        for name in SECTIONS:
            frame = section(name, self._summary)
            rows.append({"frame": name, "rows": len(frame), "columns": len(frame.columns), "one row per": COLUMNS[name][0]})
        return pd.DataFrame(rows).set_index("frame")

    def __repr__(self) -> str:
        return "report.frames (report.frames.<name>? lists the columns)\n" + self.table().to_string()

    def _repr_html_(self) -> str:
        return self.table().to_html()


Frames.__doc__ += "\n    Frames (one row per ...):\n\n" + "\n".join(f"    {name}: {COLUMNS[name][0]}" for name in SECTIONS) + "\n"
