"""A region's status: where it stands, whether it is on track, when it gets there, what helps most.

The answer a reader wants in thirty seconds, computed once from the region's facts
(:mod:`analysis.model.facts`) and the parameters; the status block that opens every page, the
region's JSON (``status``) and the portfolio's ``regions.csv`` all show these values. Nothing here
computes a coverage, a pace or a forecast again: each part reads the facts and says whether it rests
on sample rows.

- ``headline``: the facts' headline (official first), its months, and the latest official period
  in the region's data ("data as of");
- ``milestone``: the next value on the judged target's path (its interim ``milestones`` in the
  parameters, then the target itself) at or after the headline year, and the gap to it;
- ``on_track``: the recent pace against the pace the target needs, in percentage points (the target
  is a share: this decides) and in people a year (shown beside it); "cannot tell" when the pace
  rests on sample years or there is none;
- ``reached_year``: the year the median forecast path reaches the target, its 80% range, P(by deadline);
- ``best_lever``: the single scenario lever that adds most people by the target year.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis.core.messages import fmt_int, fmt_num, fmt_period, fmt_pp, t, tn
from analysis.model import scenarios as sc
from analysis.model.facts import MIN_PACE_YEARS, RegionFacts

YES, NO, REACHED, CANNOT_TELL = "yes", "no", "reached", "cannot_tell"
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def judged_target(params: dict) -> dict:
    """The target the status judges: the one with interim milestones, else the nearest deadline (RPJMN 2029)."""
    targets = params["targets"]
    with_path = [tg for tg in targets if tg.get("milestones")]
    return with_path[0] if with_path else min(targets, key=lambda tg: tg["year"])


def milestone_path(target: dict) -> list[dict]:
    """The target's interim milestones and the target itself, by year: {label, year, percent, source}."""
    own = {"label": target["label"], "year": target["year"], "percent": target["percent"], "source": target.get("source")}
    return sorted([*target.get("milestones", []), own], key=lambda m: m["year"])


def _month(periode: object) -> str | None:
    return periode if isinstance(periode, str) and _MONTH.match(periode) else None


def data_as_of(f: RegionFacts) -> str | None:
    """The latest official month in the region's data (participants, workforce or a figure off the series);
    the latest month of any row when nothing is official."""
    table, points = f.table, f.off_series
    official = [*table.loc[~table["sintetis_peserta"], "periode_peserta"], *table.loc[~table["sintetis_pekerja"], "periode_pekerja"]]
    every = [*table["periode_peserta"], *table["periode_pekerja"]]
    if not points.empty:
        official += list(points.loc[~points["sintetis"].astype(bool), "periode"])
        every += list(points["periode"])
    months = [p for p in official if _month(p)] or [p for p in every if _month(p)]
    return max(months) if months else None


@dataclass(frozen=True)
class Status:
    """The five parts of a region's status (language-neutral values; ``status_json`` words them)."""

    code: str
    target: dict
    national_reference: bool  # a region below the nation, judged against the national targets
    headline: dict
    milestone: dict
    on_track: dict
    reached_year: dict
    best_lever: dict

    @property
    def sintetis(self) -> bool:
        return any(part["sintetis"] for part in (self.headline, self.milestone, self.on_track, self.reached_year, self.best_lever))


def _headline(f: RegionFacts) -> dict:
    row = f.latest
    if row is None:
        return {"value": None, "year": None, "periode": None, "periode_pekerja": None, "data_as_of": data_as_of(f), "sintetis": False}
    return {"value": float(row["cakupan"]), "year": int(row["tahun"]), "periode": _month(row["periode_peserta"]),
            "periode_peserta": row["periode_peserta"], "periode_pekerja": row["periode_pekerja"],
            "data_as_of": data_as_of(f), "sintetis": bool(row["sintetis"])}


def _milestone(target: dict, headline: dict) -> dict:
    path = milestone_path(target)
    year = headline["year"] or int((headline["data_as_of"] or "0")[:4])
    step = next((m for m in path if m["year"] >= year), path[-1])
    value = headline["value"]
    gap = None if value is None else step["percent"] - value * 100
    return {"year": step["year"], "target": step["percent"] / 100, "label": step["label"], "source": step.get("source"),
            "gap_points": gap, "above": None if gap is None else bool(gap <= 0), "sintetis": headline["sintetis"]}


def _target_sample(f: RegionFacts, target: dict) -> bool:
    """Does the target's status rest on sample rows? The facts' own answer (one value everywhere):
    reached on the latest official year is official, whatever sample years follow it."""
    return next(sample for (tg, _), sample in zip(f.target_years, f.target_sample) if tg["id"] == target["id"])


def _on_track(f: RegionFacts, target: dict) -> dict:
    recent = f.recent
    pace = next((p for p in f.paces if p["id"] == target["id"]), None)
    out = {"value": CANNOT_TELL, "reason": "no_pace", "official_years": len(f.official_years), "target": target,
           "pace_people": None, "needed_people": None, "pace_points": None, "needed_points": None,
           "ratio_people": None, "ratio_points": None, "start": None, "end": None, "sintetis": False}
    if f.reached(target) is not None:
        return {**out, "value": REACHED, "reason": "reached", "sintetis": _target_sample(f, target)}
    if recent is None or pace is None:
        return out
    out.update(pace_people=recent["people_per_year"], pace_points=recent["points_per_year"], start=recent["start"], end=recent["end"],
               needed_people=pace["people_per_year"], needed_points=pace["points_per_year"],
               ratio_people=pace["ratio_people"], ratio_points=pace["ratio_points"], sintetis=recent["sintetis"])
    if recent["sintetis"]:
        return {**out, "reason": "few_official"}
    if pace["deadline_passed"]:
        return {**out, "value": NO, "reason": "deadline_passed"}
    on_track = recent["points_per_year"] >= pace["points_per_year"]
    return {**out, "value": YES if on_track else NO, "reason": "pace"}


def _reached_year(f: RegionFacts, target: dict) -> dict:
    ty = next(ty for tg, ty in f.target_years if tg["id"] == target["id"])
    out = {"target_year": target["year"], "median": None, "low": None, "high": None, "p_by_deadline": None,
           "horizon": ty.horizon_end, "already_reached": ty.already_reached, "forecast": ty.reason is None or ty.already_reached,
           "sintetis": False}
    if not out["forecast"]:
        return out
    p = ty.prob_by_deadline
    return {**out, "median": ty.year, "low": ty.year_lo80, "high": ty.year_hi80,
            "p_by_deadline": None if p is None or math.isnan(p) else float(p),
            "sintetis": _target_sample(f, target) if ty.already_reached else f.history_sample}


def _best_lever(f: RegionFacts, target: dict) -> dict:
    """The single lever (scenarios of one lever) that adds most people by the target year; ties all named."""
    out = {"lever": None, "people_by_2029": None, "year": target["year"], "tied": [], "illustrative": True, "sintetis": False}
    single = [(entry["levers"][0], result) for entry, result, _ in f.scenario_results if len(entry["levers"]) == 1]
    if not single or target["year"] not in single[0][1].years:
        return out
    i = int(np.flatnonzero(single[0][1].years == target["year"])[0])
    added = {lever: float(result.stock[i]) for lever, result in single}
    best = max(added.values())
    tied = [lever for lever in sc.LEVERS if lever in added and math.isclose(added[lever], best, rel_tol=1e-9)]
    levers = f.params["scenarios"]["levers"]
    return {**out, "lever": tied[0], "people_by_2029": best, "tied": tied,
            "illustrative": any(levers[lever]["basis"] == "illustrative" for lever in tied), "sintetis": f.scenarios_sample}


@lru_cache(maxsize=64)
def region_status(f: RegionFacts) -> Status:
    """The status of the region whose facts these are (once per facts object)."""
    target = judged_target(f.params)
    headline = _headline(f)
    return Status(f.code, target, f.level != "nasional", headline, _milestone(target, headline),
                  _on_track(f, target), _reached_year(f, target), _best_lever(f, target))


def _int(value: float | int | None) -> int | None:
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else int(round(value))


def _float(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def months_text(headline: dict, lang: str) -> str:
    """'participants December 2023, workforce August 2023' in the page's language ('' without a headline)."""
    if headline["year"] is None:
        return ""
    return t("status.months", lang, participants=fmt_period(str(headline["periode_peserta"]), lang),
             workforce=fmt_period(str(headline["periode_pekerja"]), lang))


def reason_text(status: Status, lang: str) -> str:
    """Why the region is (not) on track, or why that cannot be told, in one sentence (numbers rounded as on the page)."""
    part, target = status.on_track, status.target
    values = {"target": target["label"], "year": target["year"], "official": part["official_years"], "needed": MIN_PACE_YEARS}
    if part["reason"] in ("reached", "no_pace", "deadline_passed"):
        return t(f"status.reason.{part['reason']}", lang, **values)
    ratio = {k: ("–" if v is None or not math.isfinite(v) else fmt_num(v, lang, 1)) for k, v in
             (("ratio_points", part["ratio_points"]), ("ratio_people", part["ratio_people"]))}
    pace = t("status.reason.pace", lang, start=part["start"], end=part["end"], pace_points=fmt_pp(part["pace_points"], lang, 2),
             pace_people=fmt_int(part["pace_people"], lang), needed_points=fmt_pp(part["needed_points"], lang, 2),
             needed_people=fmt_int(part["needed_people"], lang), **ratio, **values)
    if part["reason"] == "few_official":
        return tn("status.reason.few_official", lang, part["official_years"], needed=MIN_PACE_YEARS, pace=pace[0].lower() + pace[1:])
    return pace


def status_json(status: Status, lang: str) -> dict:
    """The ``status`` of the region's JSON (exactly the keys other tools read; texts in ``lang``)."""
    h, m, o, r, b = status.headline, status.milestone, status.on_track, status.reached_year, status.best_lever
    return {
        "headline": {"value": h["value"], "year": h["year"], "periode": h["periode"], "months": months_text(h, lang),
                     "data_as_of": h["data_as_of"], "sintetis": h["sintetis"]},
        "milestone": {"year": m["year"], "target": m["target"], "label": m["label"], "gap_points": _float(m["gap_points"]),
                      "above": m["above"], "sintetis": m["sintetis"]},
        "on_track": {"value": o["value"], "reason": reason_text(status, lang), "pace_people": _int(o["pace_people"]),
                     "needed_people": _int(o["needed_people"]), "pace_points": _float(o["pace_points"]),
                     "needed_points": _float(o["needed_points"]), "sintetis": o["sintetis"]},
        "reached_year": {"target_year": r["target_year"], "median": r["median"], "low": r["low"], "high": r["high"],
                         "p_by_deadline": r["p_by_deadline"], "sintetis": r["sintetis"]},
        "best_lever": {"lever": b["lever"], "people_by_2029": _int(b["people_by_2029"]), "illustrative": b["illustrative"],
                       "sintetis": b["sintetis"]},
        "sintetis": status.sintetis,
    }
