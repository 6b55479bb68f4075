"""The data behind each section of a report, as tidy pandas DataFrames.

Built from a report's JSON summary (``RegionReport.summary()``, ``Overview.summary()``, or a
``reports/<lang>/<kode>.json`` file), so an analyst works on exactly the numbers the page shows,
with their provenance: one row per observation, one measure per column. Nothing is recomputed here.

One vocabulary for every frame and every CSV download (``analysis.pages.downloads``): Indonesian
machine names, as the data contract (``peserta``, ``penyebut``, ``sumber``) and the JSON use, each
with one meaning and one dtype (:data:`COLUMNS`; docs/data.md "Data downloads" is the table). Counts
of people and years are ``Int64``, shares (fractions: 0.314 = 31.4%), points and ratios ``float``,
flags ``boolean``, codes and texts ``string``. Every row has ``sintetis`` (it rests on a sample
row) and ``sumber`` (the source keys it rests on, joined with `` + ``). A section without rows is
an :class:`EmptyFrame` that says why.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.core.messages import t

SEGMENT_KEYS = ("PU", "BPU", "JAKON", "PMI", "TOTAL")
BASELINE = "baseline"  # scenario id of the forecast without levers, in ``targets``
COUNT, SHARE, FLAG, TEXT = "Int64", "float64", "boolean", "string"

# Every column of every frame: dtype and meaning (English; docs/data.md shows the same table).
COLUMNS: dict[str, tuple[str, str]] = {
    "skenario": (TEXT, "scenario id (`baseline`: the forecast without levers)"),
    "kode": (TEXT, "Kemendagri region code"),
    "nama": (TEXT, "region name"),
    "tahun": (COUNT, "year"),
    "periode": (TEXT, "month of the figure, YYYY-MM"),
    "periode_peserta": (TEXT, "month of the participant count, YYYY-MM"),
    "periode_pekerja": (TEXT, "month of the workforce figure (BPS August round), YYYY-MM"),
    "target": (TEXT, "target id (`rpjmn2029`, `rpjpn2045`)"),
    "nama_target": (TEXT, "target name as the plan calls it"),
    "target_persen": (SHARE, "target coverage in percent, as the plan states it (43.92)"),
    "tenggat": (COUNT, "year by which the target is due"),
    "peserta": (COUNT, "active participants (all segments of the definition)"),
    "presisi": (COUNT, "rounding of `peserta` its sources imply (100000: a sum of rounded published parts; the page shows 5,923,000 as 5,000,000 + 923,000)"),
    **{f"peserta_{key.lower()}": (COUNT, f"active participants of segment {key}" + (" (a source's total where it gives no split; never add it to the segments)" if key == "TOTAL" else ""))
       for key in SEGMENT_KEYS},
    "penduduk_bekerja": (COUNT, "employed population (BPS Sakernas, August)"),
    "pekerja_berhak": (COUNT, "workers eligible for protection, where published"),
    "penyebut": (COUNT, "denominator of `cakupan` (the measure in `ukuran_penyebut`)"),
    "ukuran_penyebut": (TEXT, "which workforce measure `penyebut` is"),
    "cakupan": (SHARE, "coverage: `peserta` / `penyebut` (fraction; above 1 where participants are counted where employers register)"),
    "cakupan_tren": (SHARE, "trend coverage: `peserta` / `penduduk_bekerja` (one denominator every year)"),
    "perubahan_peserta": (COUNT, "change of participants from the year before, people"),
    "perubahan_poin": (SHARE, "change of `cakupan_tren` from the year before, percentage points"),
    "indikator": (TEXT, "published indicator: `cakupan` (coverage) or `ucj` (Universal Coverage Jamsostek)"),
    "nilai": (SHARE, "published value, percent"),
    "median": (SHARE, "median forecast of `cakupan_tren`"),
    "bawah80": (SHARE, "lower end of the 80% band"), "atas80": (SHARE, "upper end of the 80% band"),
    "bawah95": (SHARE, "lower end of the 95% band"), "atas95": (SHARE, "upper end of the 95% band"),
    "tahun_tercapai": (COUNT, "first year the median path reaches the target (empty: not by the forecast's end)"),
    "tahun_bawah80": (COUNT, "10th percentile of the year reached"),
    "tahun_atas80": (COUNT, "90th percentile of the year reached (empty: after the forecast's end)"),
    "belum_sampai_akhir": (FLAG, "the median path stays below the target up to the forecast's end"),
    "akhir_prakiraan": (COUNT, "last forecast year"),
    "peluang_tenggat": (SHARE, "probability of reaching the target by `tenggat`"),
    "lebih_cepat_tahun": (COUNT, "years earlier than the baseline (scenarios)"),
    "sudah_tercapai": (FLAG, "the target is already reached"),
    "tercapai": (FLAG, "the latest year is at or above the target"),
    "tenggat_lewat": (FLAG, "the deadline has passed"),
    "sisa_tahun": (COUNT, "years from the last trend year to `tenggat`"),
    "kurang_peserta": (COUNT, "participants still missing for the target at today's workforce"),
    "selisih_poin": (SHARE, "percentage points still missing for the target"),
    "perlu_peserta_per_tahun": (SHARE, "participants a year needed to reach the target by `tenggat`"),
    "perlu_poin_per_tahun": (SHARE, "percentage points a year needed"),
    "laju_peserta_per_tahun": (SHARE, "recent pace: participants added a year"),
    "laju_poin": (SHARE, "recent pace: percentage points a year"),
    "rasio_peserta": (SHARE, "needed / recent pace, in participants"),
    "rasio_poin": (SHARE, "needed / recent pace, in points"),
    "tuas": (TEXT, "levers of the scenario, joined with ` + `"),
    "tambahan_peserta": (COUNT, "participants the levers add, rounded to whole people"),
    "jarak_tahun": (SHARE, "years to the ranking target at the recent pace (inf: never at that pace)"),
    "peringkat": (SHARE, "composite rank (1: best)"),
    "peringkat_cakupan": (SHARE, "rank by coverage"), "peringkat_laju": (SHARE, "rank by pace"),
    "peringkat_jarak": (SHARE, "rank by distance"), "skor_gabungan": (SHARE, "weighted score behind the composite rank"),
    "setelah_akhir_prakiraan": (FLAG, "the target is reached after the forecast's end"),
    "tercapai_resmi": (FLAG, "the target's status (reached or not) rests on official data only"),
    "wilayah_sebelum": (FLAG, "the figure covers the territory before a split (Papua and Papua Barat before 2022): not the province as it is now"),
    "alasan": (TEXT, "why a value is missing"),
    "sintetis": (FLAG, "the row rests on a sample (synthetic) row: do not quote"),
    "sintetis_peserta": (FLAG, "the participant count is sample data"),
    "sintetis_pekerja": (FLAG, "the workforce figure is sample data"),
    "sintetis_perubahan": (FLAG, "the change rests on a sample year (this one or the one before)"),
    "sintetis_cakupan": (FLAG, "the coverage is sample data"),
    "sintetis_laju": (FLAG, "the pace rests on sample years"),
    "sintetis_tahun_target": (FLAG, "the year reached rests on sample years"),
    "sumber": (TEXT, "source keys (sources.csv), joined with ` + `"),
}

# JSON keys (some English, from before one vocabulary) -> column names
RENAME = {
    "id": "target", "label": "nama_target", "percent": "target_persen", "deadline": "tenggat", "reached_year": "tahun_tercapai",
    "year_lo80": "tahun_bawah80", "year_hi80": "tahun_atas80", "not_by_horizon": "belum_sampai_akhir", "horizon": "akhir_prakiraan",
    "prob_by_deadline": "peluang_tenggat", "shift_years": "lebih_cepat_tahun", "already_reached": "sudah_tercapai", "reason": "alasan",
    "people": "kurang_peserta", "points": "selisih_poin", "reached": "tercapai", "deadline_passed": "tenggat_lewat", "years": "sisa_tahun", "year": "tenggat",
    "people_per_year": "perlu_peserta_per_tahun", "points_per_year": "perlu_poin_per_tahun", "ratio_people": "rasio_peserta",
    "ratio_points": "rasio_poin", "lo80": "bawah80", "hi80": "atas80", "lo95": "bawah95", "hi95": "atas95",
    "coverage": "cakupan", "growth": "laju_poin", "distance": "jarak_tahun", "gap_points": "selisih_poin", "rank": "peringkat",
    "rank_coverage": "peringkat_cakupan", "rank_growth": "peringkat_laju", "rank_distance": "peringkat_jarak",
    "composite": "skor_gabungan", "after_horizon": "setelah_akhir_prakiraan", "sintetis_coverage": "sintetis_cakupan",
    "sintetis_growth": "sintetis_laju", "tahun_target": "tahun_tercapai", "target_tercapai": "sudah_tercapai",
    "official_status": "tercapai_resmi",
}
DROPPED = ("infinite_distance",)  # said by ``jarak_tahun`` = inf


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns renamed to the vocabulary, in :data:`COLUMNS` order (others after, by name), each with its dtype."""
    frame = frame.rename(columns=RENAME).drop(columns=[c for c in DROPPED if c in frame.columns])
    known = [c for c in COLUMNS if c in frame.columns]
    frame = frame[known + sorted(c for c in frame.columns if c not in COLUMNS)]
    typed = {}
    for column in known:
        kind = COLUMNS[column][0]
        values = frame[column]
        if kind == COUNT:
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            typed[column] = pd.array(np.round(numbers), dtype="float64").astype(COUNT)
        elif kind == SHARE:
            typed[column] = pd.to_numeric(values, errors="coerce").astype(SHARE)
        elif kind == FLAG:
            typed[column] = values.astype(object).where(values.notna(), None).astype(FLAG)
        else:
            typed[column] = values.astype(object).where(values.notna(), None).astype(TEXT)
    return (frame.assign(**typed) if typed else frame).reset_index(drop=True)


def _sources(keys: object) -> str | None:
    """Source keys joined with `` + ``, each once, in order of appearance."""
    found: list[str] = []
    for value in keys if isinstance(keys, list | tuple) else [keys]:
        for part in str(value or "").split(" + "):
            if part and part not in found:
                found.append(part)
    return " + ".join(found) or None


def _years(summary: dict) -> dict[str, dict]:
    return summary.get("years") or {}


def trend(summary: dict) -> pd.DataFrame:
    """One row per year: participants, the employed population and eligible workers, the denominator
    (and which measure), coverage, the trend coverage, year-on-year changes, months, sources, flags."""
    rows = [{"tahun": int(year), **{k: v for k, v in values.items() if k not in SEGMENT_KEYS}} for year, values in _years(summary).items()]
    return pd.DataFrame(rows).sort_values("tahun", ignore_index=True) if rows else pd.DataFrame()


def segments(summary: dict) -> pd.DataFrame:
    """One row per year with a segment split, one column per segment (``peserta_total``: a source's
    total where it gives no split, never to be added to the segments)."""
    rows = [
        {"tahun": int(year), "periode_peserta": values.get("periode_peserta"),
         **{f"peserta_{key.lower()}": values.get(key) for key in SEGMENT_KEYS},
         "sintetis": bool(values.get("sintetis_peserta", values.get("sintetis"))), "sumber": values.get("sumber")}
        for year, values in _years(summary).items() if any(values.get(key) is not None for key in SEGMENT_KEYS)
    ]
    return pd.DataFrame(rows).sort_values("tahun", ignore_index=True) if rows else pd.DataFrame()


def _latest_source(summary: dict) -> str | None:
    return (summary.get("latest") or {}).get("sumber")


def gaps(summary: dict) -> pd.DataFrame:
    """Distance from the latest complete year to each target: people and percentage points."""
    latest = summary.get("latest") or {}
    return pd.DataFrame([{**g, "tahun": latest.get("tahun"), "sintetis": bool(g.get("sintetis", latest.get("sintetis"))),
                          "sumber": _latest_source(summary)} for g in summary.get("gaps") or []])


def _history_sources(summary: dict) -> str | None:
    """Sources of the years the forecast rests on."""
    section = summary.get("forecast") or {}
    years = _years(summary)
    return _sources([years.get(str(y), {}).get("sumber") for y in section.get("history_years") or []])


def forecast(summary: dict) -> pd.DataFrame:
    """Forecast of the trend coverage per year: median and the 80% and 95% bands."""
    section = summary.get("forecast") or {}
    rows = [{"tahun": int(year), **values, "sintetis": bool(section.get("sintetis")), "sumber": _history_sources(summary)}
            for year, values in (section.get("years") or {}).items()]
    return pd.DataFrame(rows).sort_values("tahun", ignore_index=True) if rows else pd.DataFrame()


def _target_row(scenario: str, target: dict, sample: bool, source: str | None) -> dict:
    lo, hi = (target.get("range80") or [None, None])[:2]
    return {"skenario": scenario, **{k: v for k, v in target.items() if k not in ("range80", "sintetis")}, "year_lo80": lo,
            "year_hi80": hi, "shift_years": target.get("shift_years"), "sintetis": bool(target.get("sintetis", sample)), "sumber": source}


def targets(summary: dict) -> pd.DataFrame:
    """When each target is reached: the baseline forecast, then every scenario (years earlier in ``lebih_cepat_tahun``)."""
    source = _history_sources(summary)
    baseline_sample = bool((summary.get("forecast") or {}).get("sintetis"))
    scenarios_section = summary.get("scenarios") or {}
    scenario_sample = baseline_sample or bool(scenarios_section.get("sintetis"))
    rows = [_target_row(BASELINE, tg, baseline_sample, source) for tg in summary.get("targets") or []]
    for result in scenarios_section.get("results") or []:
        rows += [_target_row(result["id"], tg, scenario_sample, source) for tg in result.get("targets") or []]
    return pd.DataFrame(rows)


def pace(summary: dict) -> pd.DataFrame:
    """Pace needed to each target (people and points a year) against the recent pace (``laju_*``, ``rasio_*``)."""
    section = summary.get("pace") or {}
    recent = section.get("recent") or {}
    years = _years(summary)
    window = [str(y) for y in range(int(recent.get("start") or 0), int(recent.get("end") or -1) + 1)]
    source = _sources([years.get(y, {}).get("sumber") for y in window])
    return pd.DataFrame([{**p, "laju_peserta_per_tahun": recent.get("people_per_year"), "laju_poin": recent.get("points_per_year"),
                          "sintetis": bool(p.get("sintetis", section.get("sintetis"))), "sumber": source}
                         for p in section.get("targets") or []])


def scenarios(summary: dict) -> pd.DataFrame:
    """One row per scenario and year: coverage along the median path and participants added by the levers."""
    section = summary.get("scenarios") or {}
    workforce = section.get("workforce") or {}
    sample = bool(section.get("sintetis")) or bool((summary.get("forecast") or {}).get("sintetis"))
    source = _history_sources(summary)
    return pd.DataFrame([
        {"skenario": result["id"], "tuas": " + ".join(result["levers"]), "tahun": int(year), "cakupan": value,
         "tambahan_peserta": (result.get("added") or {}).get(year), "penyebut": workforce.get(year), "sintetis": sample, "sumber": source}
        for result in section.get("results") or []
        for year, value in (result.get("coverage") or {}).items()
    ])


def ranking(summary: dict) -> pd.DataFrame:
    """Regions below ranked (coverage, pace, distance to the target, composite); the overview's
    league table of provinces when the summary holds one."""
    if summary.get("league") is not None:
        return pd.DataFrame(summary["league"])
    section = summary.get("ranking") or {}
    return pd.DataFrame([{"tahun": section.get("year"), **row} for row in section.get("regions") or []])


def off_series(summary: dict) -> pd.DataFrame:
    """Participant figures of another month than the series' (shown beside it, never joined), each over its year's workforce."""
    return pd.DataFrame([{"tahun": int(p["periode"][:4]), **p} for p in summary.get("off_series") or []])


def references(summary: dict) -> pd.DataFrame:
    """Published figures (percent) the page compares with or quotes: coverage as published, Universal Coverage Jamsostek."""
    rows = [*(summary.get("references") or []), *([summary["ucj"]] if summary.get("ucj") else [])]
    return pd.DataFrame([{"kode": r.get("kode", summary.get("kode")), "tahun": int(r["periode"][:4]), "periode": r["periode"],
                          "indikator": r.get("indikator", "ucj"), "nilai": r["nilai"],
                          "sintetis": str(r["sumber"]).startswith("sintetis"), "sumber": r["sumber"]} for r in rows])


SECTIONS: dict[str, Callable[[dict], pd.DataFrame]] = {
    "trend": trend, "segments": segments, "gaps": gaps, "forecast": forecast, "targets": targets, "pace": pace,
    "scenarios": scenarios, "ranking": ranking, "off_series": off_series, "references": references,
}


class EmptyFrame(pd.DataFrame):
    """A section without rows that says why (``.alasan``) where it is shown; anything derived from it is a plain DataFrame."""

    _metadata = ["alasan"]

    @property
    def _constructor(self):
        return pd.DataFrame

    def __repr__(self) -> str:
        return f"{self.alasan}\n{super().__repr__()}"

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.alasan)}</p>"


def why_empty(name: str, summary: dict) -> str:
    """Why section ``name`` has no rows, in the summary's language."""
    lang = summary.get("lang", "id")
    if name in ("forecast", "targets", "scenarios") and (summary.get("forecast") or {}).get("reason"):
        return t("frames.empty.forecast.reason", lang, reason=summary["forecast"]["reason"])
    return t(f"frames.empty.{name}", lang, region=summary.get("nama", summary.get("kode", "")))


def section(name: str, summary: dict) -> pd.DataFrame:
    """Section ``name`` of ``summary`` as a tidy DataFrame; without rows an :class:`EmptyFrame` saying why."""
    frame = SECTIONS[name](summary)
    if frame.empty:
        empty = EmptyFrame(columns=list(frame.columns))
        empty.alasan = why_empty(name, summary)
        return empty
    return tidy(frame)


# What one row of each frame is and which columns it has (their dtype and meaning: :data:`COLUMNS`),
# for ``report.frames``, its help (``report.frames.trend?``) and docs/jupyter.md. A test checks each
# list against the frames the bundled regions give.
FRAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "trend": ("year: participants, employed population, eligible workers, denominator, coverage, trend coverage, changes", (
        "tahun", "periode_peserta", "periode_pekerja", "peserta", "penduduk_bekerja", "pekerja_berhak", "penyebut", "ukuran_penyebut",
        "cakupan", "cakupan_tren", "perubahan_peserta", "perubahan_poin", "sintetis", "sintetis_peserta", "sintetis_pekerja",
        "sintetis_perubahan", "sumber")),
    "segments": ("year with a segment split, one column per segment", (
        "tahun", "periode_peserta", "peserta_pu", "peserta_bpu", "peserta_jakon", "peserta_pmi", "peserta_total", "sintetis", "sumber")),
    "gaps": ("target: people and points still missing in the latest complete year", (
        "tahun", "target", "nama_target", "target_persen", "tenggat", "tercapai", "kurang_peserta", "selisih_poin", "sintetis", "sumber",
        "wilayah_sebelum")),
    "forecast": ("forecast year: the trend coverage's median and bands", (
        "tahun", "median", "bawah80", "atas80", "bawah95", "atas95", "sintetis", "sumber")),
    "targets": ("scenario (baseline first) and target: when it is reached", (
        "skenario", "target", "nama_target", "target_persen", "tenggat", "tahun_tercapai", "tahun_bawah80", "tahun_atas80",
        "belum_sampai_akhir", "akhir_prakiraan", "peluang_tenggat", "lebih_cepat_tahun", "sudah_tercapai", "alasan", "sintetis", "sumber",
        "tercapai_resmi")),
    "pace": ("target: people and points a year needed, against the recent pace", (
        "target", "nama_target", "target_persen", "tenggat", "tercapai", "tenggat_lewat", "sisa_tahun", "perlu_peserta_per_tahun",
        "perlu_poin_per_tahun", "laju_peserta_per_tahun", "laju_poin", "rasio_peserta", "rasio_poin", "sintetis", "sumber")),
    "scenarios": ("scenario and year: coverage along the median path, participants the levers add", (
        "skenario", "tahun", "penyebut", "cakupan", "tuas", "tambahan_peserta", "sintetis", "sumber")),
    "ranking": ("region below (for the overview: province of the league table), ranked", (
        "kode", "nama", "tahun", "cakupan", "selisih_poin", "laju_poin", "jarak_tahun", "peringkat", "peringkat_cakupan", "peringkat_laju",
        "peringkat_jarak", "skor_gabungan", "setelah_akhir_prakiraan", "alasan", "sintetis", "sintetis_cakupan", "sintetis_laju", "sumber",
        "tahun_tercapai", "sudah_tercapai", "sintetis_tahun_target", "wilayah_sebelum")),
    "off_series": ("participant figure of another month than the series', shown beside it", (
        "tahun", "periode", "peserta", "presisi", "penyebut", "ukuran_penyebut", "cakupan", "cakupan_tren", "sintetis", "sintetis_pekerja",
        "sumber")),
    "references": ("published figure the page compares with or quotes (percent)", (
        "kode", "tahun", "periode", "indikator", "nilai", "sintetis", "sumber")),
}


def describe(name: str) -> str:
    """The help text of frame ``name``: what one row is, then each column with its dtype and meaning."""
    line, columns = FRAMES[name]
    width = max(map(len, columns))
    return (f"{name}: one row per {line}.\n\nColumns:\n"
            + "\n".join(f"  {c.ljust(width)}  {COLUMNS[c][0]:<7}  {COLUMNS[c][1]}" for c in columns))


def _frame(name: str) -> property:
    def get(self: "Frames") -> pd.DataFrame:
        return section(name, self._summary)

    get.__name__, get.__doc__ = name, describe(name)
    return property(get, doc=describe(name))


class Frames:
    """The data behind each section of the report as pandas DataFrames, from the numbers the page shows.

    Display ``report.frames`` for a table of the frames (rows, what a row is); ``report.frames.trend?``
    lists a frame's columns with their dtypes and meanings. ``available`` lists the frames with data,
    ``all()`` returns them as a dict.
    """

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
            rows.append({"frame": name, "rows": len(frame), "columns": len(frame.columns), "one row per": FRAMES[name][0]})
        return pd.DataFrame(rows).set_index("frame")

    def __repr__(self) -> str:
        return "report.frames (report.frames.<name>? lists the columns)\n" + self.table().to_string()

    def _repr_html_(self) -> str:
        return self.table().to_html()


for _name in SECTIONS:  # each frame an attribute, so tab completion and ``?`` find it
    setattr(Frames, _name, _frame(_name))
Frames.__doc__ += "\n    Frames (one row per ...):\n\n" + "\n".join(f"    {name}: {FRAMES[name][0]}" for name in SECTIONS) + "\n"
