"""The facts of one region, computed once with their provenance; pages only render them.

Every value a page shows about a region (headline, series points, off-series points, paces,
gaps, forecast, target years, scenarios, ranking rows, reconciliation) is computed here, next to
whether it rests on any sample (synthetic) row. The region page, the national page and the
overview take a region's facts from :func:`facts_for`, so they cannot contradict each other.

Rules (from the developers' guide):

- the headline is the latest year whose numerator and denominator are both official; a sample
  year only where no official year exists (:func:`analysis.model.metrics.headline_row`);
- paces, forecasts and target years use the official years alone when there are enough of them
  (``fc.MIN_POINTS`` for a forecast, two for a pace); otherwise all years, and then every output
  is marked sample and pages say how many years are official;
- a target is reached when the latest observed trend coverage is at or above it, whether or not
  a forecast can be made (so "reached" and "cannot be forecast" never stand side by side).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.model import forecast as fc
from analysis.model import metrics
from analysis.model import ranking
from analysis.model import scenarios as sc
from analysis.data.contract import SEGMENTS, TOTAL, Dataset
from analysis.model.params import params_digest

MIN_PACE_YEARS = 2  # official years needed before a pace leaves the sample years out
_CACHE: OrderedDict[tuple, "RegionFacts"] = OrderedDict()
_CACHE_SIZE = 64


def facts_for(code: str, params: dict, ds: Dataset) -> "RegionFacts":
    """The facts of ``code`` for these parameters and this dataset, computed once per process."""
    key = (code, params_digest(params), id(ds))  # parameters are copied per report: equal content, same facts
    found = _CACHE.get(key)
    if found is not None and found.ds is ds:
        _CACHE.move_to_end(key)
        return found
    facts = RegionFacts(code, params, ds, metrics.coverage_table(ds, [code], params["coverage"]))
    _CACHE[key] = facts
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return facts


def _yearly(rows: pd.DataFrame, column: str) -> pd.Series:
    rows = rows.dropna(subset=[column])
    return pd.Series(rows[column].to_numpy(dtype=float), index=rows["tahun"].to_numpy(dtype=int), name=column)


def _span(years: list[int]) -> str:
    """'2015–2022, 2024' for a list of years (en dash, runs joined)."""
    years = sorted(set(years))
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def table_sample_parts(table: pd.DataFrame, level: str, trend_measure: str) -> list[tuple[str, str, str]]:
    """What is sample in a coverage table: (measure, level, years) for participants and the workforce."""
    parts = []
    for measure, flag, column in (("peserta_aktif", "sintetis_peserta", "peserta"), (trend_measure, "sintetis_pekerja", "penyebut")):
        rows = table[table[flag] & table[column].notna()]
        if not rows.empty:
            parts.append((measure, level, _span(list(rows["tahun"]))))
    return parts


@dataclass(eq=False)
class RegionFacts:
    """Everything known about one region, each value with whether it rests on sample rows."""

    code: str
    params: dict
    ds: Dataset
    table: pd.DataFrame = field(repr=False)

    # --- identity --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.ds.regions.name(self.code)

    @property
    def level(self) -> str:
        return self.ds.regions.level(self.code)

    @property
    def trend_measure(self) -> str:
        return self.params["coverage"]["trend_denominator"]

    # --- the series and the headline -----------------------------------------------------------
    @cached_property
    def latest(self) -> pd.Series | None:
        """The headline row (see :func:`analysis.model.metrics.headline_row`)."""
        return metrics.headline_row(self.table)

    @cached_property
    def latest_any(self) -> pd.Series | None:
        """The latest year with a coverage at all (later than the headline when that year is sample)."""
        return metrics.latest_complete(self.table)

    @property
    def months_differ(self) -> bool:
        return self.latest is not None and metrics.months_differ(self.latest)

    @cached_property
    def off_series(self) -> pd.DataFrame:
        """Figures of another month than the series' (shown beside the series, never joined to it)."""
        return metrics.off_series(self.ds, self.code, self.params["coverage"])

    @cached_property
    def breaks(self) -> pd.DataFrame:
        """Definition changes that apply here: the region's own and those of its ancestors."""
        codes = [self.code, *self.ds.regions.ancestors(self.code)]
        wanted = {"peserta_aktif", self.trend_measure, *self.params["coverage"]["denominator"]}
        rows = self.ds.breaks[self.ds.breaks["kode"].isin(codes) & self.ds.breaks["ukuran"].isin(wanted)]
        return rows.sort_values(["periode", "kode"])

    @cached_property
    def break_years(self) -> list[int]:
        """Years a break is drawn before: breaks at a month the series is not read at are off-series points instead."""
        years = set(self.off_series["periode"]) if not self.off_series.empty else set()
        return [int(p[:4]) for p in self.breaks["periode"] if p not in years]

    @cached_property
    def trend_rows(self) -> pd.DataFrame:
        return self.table.dropna(subset=["cakupan_tren"])

    @property
    def trend_years(self) -> list[int]:
        return [int(y) for y in self.trend_rows["tahun"]]

    @property
    def official_years(self) -> list[int]:
        rows = self.trend_rows
        return [int(y) for y in rows.loc[~rows["sintetis"], "tahun"]]

    @cached_property
    def partial_split(self) -> list[int]:
        """Years whose segment split covers only part of the published total (never drawn as the total)."""
        rows = self.table.dropna(subset=[TOTAL])
        known = rows[list(SEGMENTS)].sum(axis=1, min_count=1)
        return [int(y) for y, k, total in zip(rows["tahun"], known, rows[TOTAL]) if pd.notna(k) and k < total - 0.5]

    # --- provenance of the page ------------------------------------------------------------------
    @cached_property
    def sample_parts(self) -> list[tuple[str, str, str]]:
        """What is sample on this region's page: (measure, level, years), e.g. ('peserta_aktif', 'kabkota', '2015–2025')."""
        parts = table_sample_parts(self.table, self.level, self.trend_measure)
        sample_points = self.off_series[self.off_series["sintetis"].astype(bool)] if not self.off_series.empty else self.off_series
        if not sample_points.empty and not any(p[0] == "peserta_aktif" and p[1] == self.level for p in parts):
            parts.append(("peserta_aktif", self.level, _span(list(sample_points["tahun"]))))
        children = self.ds.regions.children(self.code)
        if self._children_report and children:
            level = self.ds.regions.level(children[0])
            for measure, table in (("peserta_aktif", self.ds.participants), (self.trend_measure, self.ds.workforce)):
                rows = table[table["kode"].isin(children) & table["sintetis"]]
                if measure != "peserta_aktif":
                    rows = rows.dropna(subset=[measure])
                if not rows.empty:
                    parts.append((measure, level, _span(list(rows["tahun"]))))
        return parts

    @property
    def uses_sample(self) -> bool:
        return bool(self.sample_parts)

    # --- forecast and targets ---------------------------------------------------------------------
    @cached_property
    def history_rows(self) -> pd.DataFrame:
        """The years the forecast rests on: official only when there are enough of them."""
        rows = self.trend_rows
        official = rows[~rows["sintetis"]]
        return official if len(official) >= fc.MIN_POINTS else rows

    @property
    def history_sample(self) -> bool:
        return bool(self.history_rows["sintetis"].any())

    @property
    def forecast_end(self) -> int:
        """The horizon, or the latest target year when later, so every target gets a year and a probability."""
        return max(self.params["horizon"], *(tg["year"] for tg in self.params["targets"]))

    @cached_property
    def outlook(self) -> fc.ForecastResult:
        """Forecast of the trend coverage: one denominator throughout, so a change of definition
        in the headline denominator is never read as growth."""
        cfg = self.params["forecast"]
        return fc.forecast(_yearly(self.history_rows, "cakupan_tren"), "share", self.forecast_end, cfg["method"], cfg["seed"], cfg["paths"])

    @cached_property
    def workforce_outlook(self) -> np.ndarray:
        """The trend denominator in each forecast year: its own median forecast, else held at its last value."""
        history = _yearly(self.table, self.trend_measure)
        cfg = self.params["forecast"]
        result = fc.forecast(history, "count", self.forecast_end, seed=cfg["seed"], n_paths=cfg["paths"])
        known = pd.concat([history, pd.Series(result.median, index=result.years)]) if result.ok else history
        years = self.outlook.years
        return known.reindex(sorted(set(known.index) | set(years))).ffill().loc[years].to_numpy()

    def reached(self, target: dict) -> fc.TargetYear | None:
        """Already reached on the latest observed trend coverage (with or without a forecast)."""
        rows = self.trend_rows
        if rows.empty or rows["cakupan_tren"].iloc[-1] < target["percent"] / 100:
            return None
        year = int(rows["tahun"].iloc[-1])
        return fc.TargetYear(target["percent"] / 100, target["year"], self.outlook.years[-1] if self.outlook.ok else None,
                             year, False, year, year, 1.0, already_reached=True)

    @cached_property
    def target_years(self) -> list[tuple[dict, fc.TargetYear]]:
        targets = self.params["targets"]
        return [(tg, (self.reached(tg) or ty) if ty.reason is not None else ty)
                for tg, ty in zip(targets, fc.target_years(self.outlook, targets))]

    # --- pace ---------------------------------------------------------------------------------
    @cached_property
    def pace_rows(self) -> pd.DataFrame:
        """The years paces rest on: official only when at least two official years have a trend coverage."""
        rows = self.table
        official = rows[~rows["sintetis"]]
        return official if official["cakupan_tren"].notna().sum() >= MIN_PACE_YEARS else rows

    @cached_property
    def recent(self) -> dict | None:
        pace = metrics.recent_pace(self.pace_rows, self.trend_measure, self.params["pace"]["window"])
        if pace is None:
            return None
        ends = self.pace_rows[self.pace_rows["tahun"].isin([pace["start"], pace["end"]])]
        return {**pace, "sintetis": bool(ends["sintetis"].any()), "sintetis_pekerja": bool(ends["sintetis_pekerja"].any())}

    @cached_property
    def paces(self) -> list[dict]:
        """Required pace to each target from the last trend year, against the recent pace."""
        recent = self.recent
        if recent is None:
            return []
        growth = recent["workforce_growth"] if math.isfinite(recent["workforce_growth"]) else 0.0
        out = []
        for tg in self.params["targets"]:
            need = metrics.required_pace(recent["participants"], recent["workforce"], tg["percent"] / 100,
                                         recent["end"], tg["year"], growth)
            out.append({"id": tg["id"], "label": tg["label"], "year": tg["year"], "percent": tg["percent"], **need,
                        "ratio_people": metrics.pace_ratio(need["people_per_year"], recent["people_per_year"]),
                        "ratio_points": metrics.pace_ratio(need["points_per_year"], recent["points_per_year"]),
                        "sintetis": recent["sintetis"]})
        return out

    # --- gaps ---------------------------------------------------------------------------------
    def gaps(self) -> list[dict]:
        row = self.latest
        if row is None:
            return []
        out = []
        for target in self.params["targets"]:
            gap = metrics.gap_to_target(row["peserta"], row["penyebut"], target["percent"] / 100)
            out.append({"id": target["id"], "label": target["label"], "year": target["year"], "percent": target["percent"],
                        **gap, "sintetis": bool(row["sintetis"])})
        return out

    @cached_property
    def ucj(self) -> pd.Series | None:
        """The published Universal Coverage Jamsostek figure the targets are set on (national; the latest)."""
        refs = self.ds.references
        rows = refs[(refs["indikator"] == "ucj") & refs["kode"].isin([self.code, *self.ds.regions.ancestors(self.code)])]
        return None if rows.empty else rows.sort_values("periode").iloc[-1]

    # --- scenarios ----------------------------------------------------------------------------
    @cached_property
    def bpu_share(self) -> tuple[int, float, bool] | None:
        """(year, share of BPU among participants, sample?) from the latest year with a segment split."""
        rows = self.table.dropna(subset=["BPU"])
        if rows.empty:
            return None
        share = metrics.segment_shares(rows.iloc[-1]).get("BPU")
        return None if share is None else (int(rows["tahun"].iloc[-1]), share, bool(rows["sintetis_peserta"].iloc[-1]))

    @cached_property
    def scenario_setting(self) -> sc.Setting:
        section = self.params["scenarios"]
        share = sc.informal_share(section, self.code, self.ds.regions.ancestors(self.code))
        return sc.Setting(self.outlook.years, self.workforce_outlook, share,
                          self.bpu_share[1] if self.bpu_share else 0.0, section["retention"] / 100)

    @property
    def scenarios_sample(self) -> bool:
        """Scenarios rest on the forecast, the projected workforce and the BPU share."""
        workforce = self.table.dropna(subset=[self.trend_measure])
        return (self.history_sample or bool(workforce["sintetis_pekerja"].any())
                or bool(self.bpu_share and self.bpu_share[2]))

    @cached_property
    def scenario_results(self) -> list[tuple[dict, sc.ScenarioForecast, list[fc.TargetYear]]]:
        if not self.outlook.ok:
            return []
        levers = sc.levers_from_params(self.params["scenarios"])
        out = []
        for entry in self.params["scenarios"]["compare"]:
            result = sc.apply(self.outlook, self.scenario_setting, [levers[key] for key in entry["levers"]])
            out.append((entry, result, fc.target_years(result, self.params["targets"])))
        return out

    # --- regions below ---------------------------------------------------------------------------
    @cached_property
    def _children_report(self) -> bool:
        return not self.ds.reporting.isdisjoint(self.ds.regions.children(self.code))

    @cached_property
    def reconciliation(self) -> pd.DataFrame | None:
        """Own published figures against the sum of the children (rows where at least one child reports)."""
        if not self._children_report:
            return None
        table = metrics.reconcile(self.ds, self.code, self.params["coverage"])
        table = table[table["anak_ada"] > 0].reset_index(drop=True)
        return None if table.empty else table

    @cached_property
    def children_ranking(self) -> pd.DataFrame | None:
        if not self._children_report:
            return None
        table = ranking.rank_within(self.ds, self.code, self.params)
        return None if table.empty or table["coverage"].isna().all() else table

