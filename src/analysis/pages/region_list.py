"""Every region's answer in one place: the index's status columns, ``regions.csv`` and ``regions.json``.

Read from each region's summary (its ``status`` object, computed once in the region's facts), never
recomputed. A summary without ``status`` (an older build, a failed report) reads as "cannot tell",
with empty cells. ``regions.csv`` has one row per region of the build, its columns named after the
JSON's paths (``on_track_value`` is ``status.on_track.value``); ``regions.json`` holds the same
objects unflattened. Both are written by the build just before the index that links them.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from analysis.core.messages import fmt_pct, fmt_period, t
from analysis.core.writing import json_text
from analysis.pages.downloads import csv_text

# the status object's parts and fields, in the order the CSV shows them
STATUS_FIELDS = {
    "headline": ("value", "year", "periode", "months", "data_as_of", "sintetis"),
    "milestone": ("year", "target", "label", "gap_points", "above", "sintetis"),
    "on_track": ("value", "reason", "pace_people", "needed_people", "pace_points", "needed_points", "sintetis"),
    "reached_year": ("target_year", "median", "low", "high", "p_by_deadline", "sintetis"),
    "best_lever": ("lever", "people_by_2029", "illustrative", "sintetis"),
}
ON_TRACK = ("reached", "yes", "no", "cannot_tell")  # the order the status column sorts in
REGION_FIELDS = ("kode", "nama", "tingkat", "induk", "page", "sintetis", "sumber")
FILES = ("regions.csv", "regions.json")
WHOLE = ("headline_year", "milestone_year", "reached_year_target_year", "reached_year_median", "reached_year_low", "reached_year_high")


def part(entry: dict, name: str) -> dict:
    """One part of the region's status (``{}`` when the summary has none)."""
    status = entry.get("region_status")
    value = status.get(name) if isinstance(status, dict) else None
    return value if isinstance(value, dict) else {}


def headline(entry: dict) -> tuple[float | None, int | None, bool]:
    """The figure the index shows: the status's official headline, else the summary's latest year."""
    head = part(entry, "headline")
    if head.get("value") is not None:
        return head["value"], head.get("year"), bool(head.get("sintetis"))
    latest = entry.get("latest") or {}
    return latest.get("cakupan"), latest.get("tahun"), bool(latest.get("sintetis"))


def on_track(entry: dict) -> str:
    value = part(entry, "on_track").get("value")
    return value if value in ON_TRACK else "cannot_tell"


def _marked(text: str, sample: bool) -> str:
    return text + " ◇" if sample else text


def index_cells(entry: dict, lang: str) -> dict:
    """The index row's coverage (with its year), status, median year reached and "data as of",
    each with the key it sorts by and whether it rests on sample rows."""
    share, year, sample = headline(entry)
    verdict, reached = on_track(entry), part(entry, "reached_year")
    when = year if verdict == "reached" else reached.get("target_year")
    status_sample = verdict != "cannot_tell" and bool(part(entry, "on_track").get("sintetis"))
    status = t(f"index.status.{verdict}" + (".year" if when is not None and verdict != "cannot_tell" else ""), lang, year=when)
    median, low, high = reached.get("median"), reached.get("low"), reached.get("high")
    spread = t("index.reached.range", lang, low=low or "…", high=high or "…") if low or high else ""
    # no median year but a range: the median path does not reach the target within the forecast
    when_reached = str(median) if median is not None else t("index.reached.beyond", lang) if spread else None
    reached_sample = when_reached is not None and bool(reached.get("sintetis"))
    as_of = part(entry, "headline").get("data_as_of")
    as_of = as_of if isinstance(as_of, str) and re.fullmatch(r"\d{4}(-\d{2})?", as_of) else None
    return {
        "coverage": "–" if share is None else _marked(fmt_pct(share, lang), sample), "coverage_sort": -1 if share is None else share,
        "year": year, "coverage_sample": share is not None and sample,
        "status": _marked(status, status_sample), "status_sort": ON_TRACK.index(verdict), "status_sample": status_sample,
        "reached": "–" if when_reached is None else _marked(when_reached + spread, reached_sample),
        "reached_sort": median if median is not None else 9998 if when_reached else 9999, "reached_sample": reached_sample,
        "as_of": fmt_period(as_of, lang) if as_of else "", "as_of_sort": as_of or "",
    }


def _cell(value: object) -> object:
    """A CSV cell: lists and objects as compact JSON, the rest as it is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (dict, list)) else value


def row(entry: dict, lang: str) -> dict:
    """A region's line in ``regions.csv``: who it is, its page (empty when its report failed), then
    ``<part>_<field>``. Nothing about the build itself (built or unchanged): the same portfolio gives
    the same bytes however it was built."""
    page = f"{lang}/{entry['kode']}.html" if entry.get("status") in ("built", "skipped") else None
    out = {"kode": entry["kode"], "nama": entry.get("nama"), "tingkat": entry.get("tingkat"), "induk": entry.get("induk"),
           "page": page, "sintetis": entry.get("sintetis"), "sumber": (entry.get("latest") or {}).get("sumber")}
    for name, fields in STATUS_FIELDS.items():
        values = part(entry, name)
        out.update({f"{name}_{field}": _cell(values.get(field)) for field in fields})
    status = entry.get("region_status")
    out["status_sintetis"] = status.get("sintetis") if isinstance(status, dict) else None
    return out


def regions_csv(entries: list[dict], lang: str) -> str:
    """``regions.csv``: one row per region, codes in order; years as whole numbers, empty cells where unknown."""
    frame = pd.DataFrame([row(e, lang) for e in sorted(entries, key=lambda e: e["kode"])],
                         columns=[*REGION_FIELDS, *(f"{n}_{f}" for n, fs in STATUS_FIELDS.items() for f in fs), "status_sintetis"])
    return csv_text(frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").round().astype("Int64") for c in WHOLE}))


def regions_json(entries: list[dict], lang: str) -> str:
    """``regions.json``: the same regions with their headline (``latest``) and ``status`` as the region JSONs hold them."""
    regions = [{**{k: v for k, v in row(e, lang).items() if k in REGION_FIELDS}, "latest": e.get("latest"), "status": e.get("region_status")}
               for e in sorted(entries, key=lambda e: e["kode"])]
    return json_text({"lang": lang, "regions": regions})


def files(entries: list[dict], lang: str) -> dict[str, str]:
    """``{file name: text}`` of the two files, from the entries of one language (its text fields)."""
    return dict(zip(FILES, (regions_csv(entries, lang), regions_json(entries, lang))))
