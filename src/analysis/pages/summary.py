"""The JSON summary of a region (``<kode>.json``): the facts' numbers with their provenance.

The shape only grows: keys that other tools read stay, and each value that can rest on sample
rows gets a ``sintetis`` flag next to it.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.model import forecast as fc
from analysis.model import metrics
from analysis.model.facts import RegionFacts
from analysis.model.status import region_status, status_json
from analysis.core.messages import t


def num(value: object) -> float | None:
    """JSON-safe number (NaN and infinities become None)."""
    if value is None or value is pd.NA or not math.isfinite(float(value)):
        return None
    return float(value)


def _year(value: float | int | None) -> int | None:
    return None if value is None else int(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def region_summary(f: RegionFacts, lang: str) -> dict:
    """Headline numbers for ``<kode>.json`` and the index (JSON-safe), each value with its provenance."""
    row = f.latest
    changes = metrics.year_on_year(f.table).set_index("tahun").to_dict("index")
    sample = dict(zip(f.table["tahun"].astype(int), f.table["sintetis"].astype(bool)))
    years = {
        str(int(r.tahun)): {
            "peserta": num(r.peserta), "penyebut": num(r.penyebut), "ukuran_penyebut": r.ukuran_penyebut,
            "penduduk_bekerja": num(r.penduduk_bekerja), "pekerja_berhak": num(r.pekerja_berhak),
            "cakupan": num(r.cakupan), "cakupan_tren": num(r.cakupan_tren),
            "PU": num(r.PU), "BPU": num(r.BPU), "JAKON": num(r.JAKON), "PMI": num(r.PMI), "TOTAL": num(r.TOTAL),
            "periode_peserta": _text(r.periode_peserta), "periode_pekerja": _text(r.periode_pekerja),
            "sintetis": bool(r.sintetis), "sintetis_peserta": bool(r.sintetis_peserta), "sintetis_pekerja": bool(r.sintetis_pekerja),
            "sumber": r.sumber,
            "perubahan_peserta": num(changes.get(int(r.tahun), {}).get("perubahan_peserta")),
            "perubahan_poin": num(changes.get(int(r.tahun), {}).get("perubahan_poin")),
            # a change from the year before rests on both years
            "sintetis_perubahan": bool(r.sintetis or sample.get(int(r.tahun) - 1, False)),
        }
        for r in f.table.itertuples()
    }
    refs = f.ds.references[f.ds.references["kode"] == f.code]
    return {
        "kode": f.code,
        "nama": f.name,
        "tingkat": f.level,
        "induk": f.ds.regions.parent(f.code),
        "lang": lang,
        "title": t("report.title", lang, region=f.name),
        "status": status_json(region_status(f), lang),
        "sintetis": f.uses_sample,
        "sintetis_bagian": [{"ukuran": m, "tingkat": lv, "tahun": y} for m, lv, y in f.sample_parts],
        "latest": None if row is None else {
            "tahun": int(row["tahun"]), "cakupan": num(row["cakupan"]), "peserta": num(row["peserta"]),
            "penyebut": num(row["penyebut"]), "ukuran_penyebut": row["ukuran_penyebut"], "sintetis": bool(row["sintetis"]),
            "sintetis_peserta": bool(row["sintetis_peserta"]), "sintetis_pekerja": bool(row["sintetis_pekerja"]),
            "periode_peserta": _text(row["periode_peserta"]), "periode_pekerja": _text(row["periode_pekerja"]),
            "bulan_berbeda": f.months_differ, "sumber": row["sumber"],
        },
        "years": years,
        "official_years": f.official_years,
        "off_series": [
            {"periode": p.periode, "peserta": num(p.peserta), "sumber": p.sumber, "sintetis": bool(p.sintetis),
             "cakupan": num(p.cakupan), "penyebut": num(p.penyebut), "ukuran_penyebut": p.ukuran_penyebut,
             "cakupan_tren": num(p.cakupan_tren), "sintetis_pekerja": bool(p.sintetis_pekerja), "presisi": int(p.presisi)}
            for p in f.off_series.itertuples()
        ],
        "references": [
            {"periode": r.periode, "indikator": r.indikator, "nilai": float(r.nilai), "sumber": r.sumber} for r in refs.itertuples()
        ],
        "ucj": None if f.ucj is None else {"kode": f.ucj["kode"], "periode": f.ucj["periode"], "nilai": float(f.ucj["nilai"]), "sumber": f.ucj["sumber"]},
        "gaps": [{k: (num(v) if isinstance(v, float) else v) for k, v in g.items()} for g in f.gaps()],
        "definition": {"segments": list(f.params["coverage"]["segments"]), "denominator": list(f.params["coverage"]["denominator"]),
                       "trend_denominator": f.trend_measure},
        "breaks": [{"kode": b.kode, "periode": b.periode, "ukuran": b.ukuran} for b in f.breaks.itertuples()],
        "forecast": _forecast(f),
        "targets": [{**_target(tg, ty), "sintetis": sample, "official_status": f.reached(tg) is not None and not sample}
                    for (tg, ty), sample in zip(f.target_years, f.target_sample)],
        "split": _split(f),
        "territory_from": f.territory_from,
        "pace": _pace(f),
        "scenarios": _scenarios(f),
        "ranking": _ranking(f),
        "reconciliation": _reconciliation(f),
    }


def _split(f: RegionFacts) -> dict | None:
    """The formal/informal split the page shows (the latest official one; summed from the children when ``anak`` > 0)."""
    row = f.split
    if row is None:
        return None
    return {"tahun": int(row["tahun"]), "periode": _text(row["periode_peserta"]),
            **{s: num(row[s]) for s in ("PU", "BPU", "JAKON", "PMI", "TOTAL")}, "anak": int(row["anak_split"]),
            "sumber": _text(row["sumber_split"]) or row["sumber_peserta"], "sintetis": bool(row["sintetis_peserta"])}


def _forecast(f: RegionFacts) -> dict:
    result = f.outlook
    return {
        "series": "cakupan_tren", "denominator": f.trend_measure, "ok": result.ok, "reason": result.reason,
        "method": result.method, "members": list(result.members), "transform": result.transform,
        "history_years": [int(y) for y in result.history.index], "bridged_years": list(result.bridged_years),
        "years": {str(int(year)): {k: num(v) for k, v in row.items()} for year, row in result.frame().iterrows()},
        "paths": result.n_paths, "seed": result.seed, "warnings": list(result.warnings), "extrapolated_from": fc.extrapolated_from(result),
        "sintetis": f.history_sample, "official_years": [y for y in f.official_years if y in set(result.history.index)],
    }


def _target(target: dict, ty: fc.TargetYear) -> dict:
    return {
        "id": target["id"], "label": target["label"], "percent": target["percent"], "deadline": target["year"],
        "reached_year": ty.year, "not_by_horizon": ty.not_by_horizon, "horizon": ty.horizon_end,
        "range80": [ty.year_lo80, ty.year_hi80], "prob_by_deadline": num(ty.prob_by_deadline),
        "already_reached": ty.already_reached, "reason": ty.reason,
    }


def _pace(f: RegionFacts) -> dict | None:
    recent = f.recent
    if recent is None:
        return None
    plain = {k: num(v) if isinstance(v, float) else v for k, v in recent.items() if k != "change"}
    return {
        "denominator": f.trend_measure, "recent": plain, "change": {k: num(v) for k, v in recent["change"].items()},
        "targets": [{k: num(v) if isinstance(v, float) else v for k, v in p.items()} for p in f.paces],
        "sintetis": recent["sintetis"],
    }


def _scenarios(f: RegionFacts) -> dict:
    from analysis.model import scenarios as sc

    section, setting = f.params["scenarios"], f.scenario_setting
    baseline = {tg["id"]: ty for tg, ty in f.target_years}
    results = []
    for entry, result, years in f.scenario_results:
        results.append({
            "id": entry["id"], "levers": list(entry["levers"]),
            "coverage": {str(int(y)): num(v) for y, v in zip(result.years, result.median)},
            "added": {str(int(y)): num(v) for y, v in zip(result.years, result.stock)},
            "targets": [{**_target(tg, ty), "shift_years": sc.target_shift(baseline[tg["id"]], ty)}
                        for tg, ty in zip(f.params["targets"], years)],
        })
    return {
        "illustrative": any(lever["basis"] == "illustrative" for lever in section["levers"].values()),
        "informal_share": setting.informal_share, "bpu_share": f.bpu_share[1] if f.bpu_share else None,
        "bpu_year": f.bpu_share[0] if f.bpu_share else None, "retention": setting.retention,
        "workforce": {str(int(y)): num(v) for y, v in zip(setting.years, setting.workforce)},
        "levers": section["levers"], "results": results, "sintetis": f.scenarios_sample,
    }


def _ranking(f: RegionFacts) -> dict | None:
    ranked = f.children_ranking
    if ranked is None:
        return None
    columns = ["coverage", "growth", "distance", "gap_points", "rank_coverage", "rank_growth", "rank_distance", "composite", "rank"]
    return {
        "year": _year(ranked["tahun"].dropna().iloc[0]) if ranked["tahun"].notna().any() else None,
        "target": f.params["ranking"]["target"], "weights": f.params["ranking"]["weights"],
        "sintetis": bool(ranked["sintetis"].any()),
        "regions": [{"kode": code, "nama": f.ds.regions.name(code), **{c: num(r[c]) for c in columns},
                     "infinite_distance": bool(math.isinf(r["distance"])), "after_horizon": bool(r["after_horizon"]),
                     "reason": r["reason"] if isinstance(r["reason"], str) else None, "sintetis": bool(r["sintetis"]), "sintetis_coverage": bool(r["sintetis_coverage"]),
                     "sintetis_growth": bool(r["sintetis_growth"]), "sumber": _text(r["sumber"])}
                    for code, r in ranked.iterrows()],
    }


def _reconciliation(f: RegionFacts) -> dict | None:
    recon = f.reconciliation
    if recon is None:
        return None
    return {
        "children": len(f.ds.regions.children(f.code)),
        "counts": {k: int(v) for k, v in recon["status"].value_counts().items()},
        "rows": [{"periode": r.periode, "ukuran": r.ukuran, "induk": num(r.nilai_induk), "jumlah": num(r.jumlah),
                  "anak_ada": int(r.anak_ada), "selisih": num(r.selisih), "status": r.status, "sintetis": bool(r.sintetis)}
                 for r in recon.itertuples()],
    }
