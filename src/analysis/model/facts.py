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
- a target is reached when the latest official trend coverage (the latest sample one only where no
  official year exists) is at or above it, whether or not a forecast can be made (so "reached" and
  "cannot be forecast" never stand side by side); the pace table then says "reached" too;
- a change of territory (``breaks.csv`` ``jenis`` wilayah: Papua before the 2022 split) is a
  break nothing crosses: the pace and its decomposition start after it, and people still needed
  are not computed from figures of the former territory;
- the formal/informal split is the latest official one: the region's own, or the sum of every
  child's official split where the region publishes none that year (the national December 2023
  split is the sum of the provinces'); a sample split only where no official one exists;
- a ratio above 100% (participants counted where employers register, workers where they live) is
  forecast on the log scale, with no upper bound (no cap invented for it).
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

    @property
    def territory_from(self) -> int | None:
        """The first year of the region's present territory, when a change of territory is recorded (else None)."""
        row = self.territory_break
        return None if row is None else int(row["periode"][:4])

    @property
    def headline_before_territory(self) -> bool:
        """The headline covers the territory before a change (Papua 2023, before the 2022 split)."""
        start = self.territory_from
        return start is not None and self.latest is not None and int(self.latest["tahun"]) < start

    def _present_territory(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` from the first year of the present territory (all of them without a change)."""
        return rows if self.territory_from is None else rows[rows["tahun"] >= self.territory_from]

    @cached_property
    def territory_break(self) -> pd.Series | None:
        """The latest change of the region's own territory (its note says what changed), if any."""
        rows = self.breaks[(self.breaks["kode"] == self.code) & (self.breaks["jenis"] == "wilayah")]
        return None if rows.empty else rows.iloc[-1]

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
        """The years the forecast rests on: official only when there are enough of them; never before
        a change of territory (a forecast across it would extend the series of another area)."""
        rows = self._present_territory(self.trend_rows)
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
        history = _yearly(self.history_rows, "cakupan_tren")
        return fc.forecast(history, self.outlook_kind, self.forecast_end, cfg["method"], cfg["seed"], cfg["paths"])

    @property
    def outlook_kind(self) -> str:
        """'share' (logit, between 0 and 100%) for an ordinary ratio; 'count' (log scale, no upper bound)
        when a ratio of the history is above 100%: it is then not a share of workers, and no cap is invented."""
        values = self.history_rows["cakupan_tren"]
        return "count" if len(values) and float(values.max()) > 1 else "share"

    @cached_property
    def workforce_outlook(self) -> np.ndarray:
        """The trend denominator in each forecast year: its own median forecast, else held at its last value."""
        history = _yearly(self._present_territory(self.table), self.trend_measure)
        cfg = self.params["forecast"]
        result = fc.forecast(history, "count", self.forecast_end, seed=cfg["seed"], n_paths=cfg["paths"])
        known = pd.concat([history, pd.Series(result.median, index=result.years)]) if result.ok else history
        years = self.outlook.years
        return known.reindex(sorted(set(known.index) | set(years))).ffill().loc[years].to_numpy()

    @cached_property
    def status_row(self) -> pd.Series | None:
        """The row a target's status is read on: the latest official trend coverage, else the latest (sample) one."""
        rows = self.trend_rows
        official = rows[~rows["sintetis"]]
        rows = official if not official.empty else rows
        return None if rows.empty else rows.iloc[-1]

    def reached(self, target: dict) -> fc.TargetYear | None:
        """Already reached on :attr:`status_row` (with or without a forecast)."""
        row = self.status_row
        if row is None or row["cakupan_tren"] < target["percent"] / 100:
            return None
        year = int(row["tahun"])
        return fc.TargetYear(target["percent"] / 100, target["year"], self.outlook.years[-1] if self.outlook.ok else None,
                             year, False, year, year, 1.0, already_reached=True)

    @cached_property
    def target_years(self) -> list[tuple[dict, fc.TargetYear]]:
        """Per target: reached on :attr:`status_row` when it is, else what the forecast says."""
        targets = self.params["targets"]
        return [(tg, self.reached(tg) or ty) for tg, ty in zip(targets, fc.target_years(self.outlook, targets))]

    @cached_property
    def target_sample(self) -> list[bool]:
        """Per target (as :attr:`target_years`): does its status rest on a sample row?
        Reached on an official year: no; otherwise the forecast's history decides."""
        out = []
        for tg, ty in self.target_years:
            if self.reached(tg) is not None:
                out.append(bool(self.status_row["sintetis"]))
            else:
                out.append(self.history_sample and ty.reason is None)
        return out

    # --- pace ---------------------------------------------------------------------------------
    @cached_property
    def pace_rows(self) -> pd.DataFrame:
        """The years paces rest on: official only when at least two official years have a trend coverage;
        never before a change of territory (a pace across it would compare two different areas)."""
        rows = self._present_territory(self.table)
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
        for (tg, ty), sample in zip(self.target_years, self.target_sample):
            need = metrics.required_pace(recent["participants"], recent["workforce"], tg["percent"] / 100,
                                         recent["end"], tg["year"], growth)
            row = {"id": tg["id"], "label": tg["label"], "year": tg["year"], "percent": tg["percent"]}
            if ty.already_reached:  # the target's status, told once: nothing more is needed
                out.append({**row, **need, "people_per_year": 0.0, "points_per_year": 0.0, "reached": True,
                            "ratio_people": 0.0, "ratio_points": 0.0, "sintetis": sample})
                continue
            out.append({**row, **need, "reached": False,
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
        before = self.headline_before_territory  # people of a former territory say nothing of the present one
        for target in self.params["targets"]:
            gap = metrics.gap_to_target(row["peserta"], row["penyebut"], target["percent"] / 100)
            if before:
                gap["people"] = math.nan
            out.append({"id": target["id"], "label": target["label"], "year": target["year"], "percent": target["percent"],
                        **gap, "sintetis": bool(row["sintetis"]), "wilayah_sebelum": before})
        return out

    @cached_property
    def ucj(self) -> pd.Series | None:
        """The published Universal Coverage Jamsostek figure the targets are set on (national; the latest)."""
        refs = self.ds.references
        rows = refs[(refs["indikator"] == "ucj") & refs["kode"].isin([self.code, *self.ds.regions.ancestors(self.code)])]
        return None if rows.empty else rows.sort_values("periode").iloc[-1]

    # --- scenarios ----------------------------------------------------------------------------
    @cached_property
    def split_rows(self) -> pd.DataFrame:
        """The participant rows by segment: the region's own, and where it publishes no split for a year
        in which every child publishes an official one, the sum of the children's (``anak_split`` > 0)."""
        own = self.table.dropna(subset=["peserta"]).assign(anak_split=0, sumber_split=None)
        if not self._children_report:
            return own.reset_index(drop=True)
        summed = metrics.aggregate_coverage(self.ds, self.code, self.params["coverage"])
        summed = summed[~summed["sintetis_peserta"] & summed[list(SEGMENTS)].notna().any(axis=1)]
        has_split = own[list(SEGMENTS)].notna().any(axis=1)
        fill = summed[~summed["tahun"].isin(own.loc[has_split, "tahun"])].set_index("tahun")
        if fill.empty:
            return own.reset_index(drop=True)
        own = own.set_index("tahun", drop=False)
        parts = self.ds.participants
        for year in fill.index.intersection(own.index):
            total = own.at[year, TOTAL]
            if pd.notna(total) and abs(fill.loc[year, list(SEGMENTS)].sum() - total) >= 0.5:
                continue  # the children's sum is another figure than the region's own total: not its split
            own.loc[year, list(SEGMENTS)] = fill.loc[year, list(SEGMENTS)].to_numpy(dtype=float)
            reporting = parts[parts["kode"].isin(self.ds.regions.children(self.code)) & (parts["periode"] == fill.at[year, "periode_peserta"])]
            own.loc[year, "anak_split"] = reporting["kode"].nunique()  # the children that report that month
            own.loc[year, "sumber_split"] = fill.at[year, "sumber_peserta"]
        return own.reset_index(drop=True)

    @cached_property
    def split(self) -> pd.Series | None:
        """The split pages show: the latest year whose split is official, else the latest (sample) one."""
        rows = self.split_rows
        rows = rows[rows[list(SEGMENTS)].notna().any(axis=1)]
        official = rows[~rows["sintetis_peserta"]]
        rows = official if not official.empty else rows
        return None if rows.empty else rows.iloc[-1]

    @cached_property
    def bpu_share(self) -> tuple[int, float, bool] | None:
        """(year, share of BPU among participants, sample?) from :attr:`split`."""
        row = self.split
        if row is None:
            return None
        share = metrics.segment_shares(row).get("BPU")
        return None if share is None else (int(row["tahun"]), share, bool(row["sintetis_peserta"]))

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

    def coverage_in(self, year: int | None) -> tuple[float, bool] | None:
        """The trend coverage of ``year`` and whether it rests on a sample row (None when there is none)."""
        rows = self.trend_rows[self.trend_rows["tahun"] == year]
        return None if rows.empty else (float(rows["cakupan_tren"].iloc[0]), bool(rows["sintetis"].iloc[0]))

    def rank_children(self) -> pd.DataFrame:
        """The children ranked on a common year (official first), each with its own facts' pace."""
        children = {code: facts_for(code, self.params, self.ds) for code in self.ds.regions.children(self.code)}
        return ranking.rank_regions({code: f.table for code, f in children.items()},
                                    {code: f.recent for code, f in children.items()}, self.params)

    @cached_property
    def children_ranking(self) -> pd.DataFrame | None:
        if not self._children_report:
            return None
        table = self.rank_children()
        return None if table.empty or table["coverage"].isna().all() else table

