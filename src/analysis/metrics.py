"""Coverage metrics: pure functions over the validated panel.

Coverage = chosen participant segments / chosen denominator, per region and year, with the
definition (segments, denominator measure, periods, sources) carried next to every value.
A year's figure is the latest period of that year (participants: usually December; employed:
the BPS August round).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data import SEGMENTS, TOTAL, Dataset

COVERAGE_COLUMNS = [
    "kode", "tahun", "periode_peserta", *SEGMENTS, TOTAL, "peserta", "periode_pekerja", "penduduk_bekerja",
    "pekerja_berhak", "penyebut", "ukuran_penyebut", "cakupan", "cakupan_tren", "sintetis", "sumber",
]


def _latest_of_year(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["bulan"] == df.groupby(["kode", "tahun"])["bulan"].transform("max")]


def _join_sources(values: pd.Series) -> str:
    return " + ".join(sorted({part for v in values for part in str(v).split(" + ")}))


def annual_participants(participants: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """One row per (kode, tahun): the latest period's counts by segment (and TOTAL where given)."""
    df = _latest_of_year(participants[participants["kode"].isin(codes)])
    wide = df.pivot_table(index=["kode", "tahun"], columns="segmen", values="peserta_aktif", aggfunc="sum")
    wide = wide.reindex(columns=[*SEGMENTS, TOTAL]).astype("float64")
    grouped = df.groupby(["kode", "tahun"])
    wide["periode_peserta"] = grouped["periode"].first()
    wide["sintetis_peserta"] = grouped["sintetis"].any()
    wide["sumber_peserta"] = grouped["sumber"].agg(_join_sources)
    return wide.reset_index()


def annual_workforce(workforce: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    df = _latest_of_year(workforce[workforce["kode"].isin(codes)])
    out = df[["kode", "tahun", "periode", "penduduk_bekerja", "pekerja_berhak", "sintetis", "sumber"]].astype(
        {"penduduk_bekerja": "float64", "pekerja_berhak": "float64"}
    )
    return out.rename(columns={"periode": "periode_pekerja", "sintetis": "sintetis_pekerja", "sumber": "sumber_pekerja"})


def numerator(wide: pd.DataFrame, segments: list[str]) -> pd.Series:
    """Participants in the chosen segments; a TOTAL row stands for all segments together."""
    split_sum = wide[list(segments)].sum(axis=1, min_count=1)
    if set(segments) == set(SEGMENTS):
        return wide[TOTAL].fillna(split_sum)
    return split_sum


def coverage_table(ds: Dataset, codes: list[str], definition: dict) -> pd.DataFrame:
    """Coverage per (kode, tahun) with its definition and provenance on every row.

    ``definition`` is the ``coverage`` section of the parameters: segments, denominator
    (preference list, first present per year wins) and trend_denominator (one measure for trends).
    """
    parts = annual_participants(ds.participants, codes)
    work = annual_workforce(ds.workforce, codes)
    df = parts.merge(work, on=["kode", "tahun"], how="outer").sort_values(["kode", "tahun"], ignore_index=True)
    df["peserta"] = numerator(df, definition["segments"])
    df["penyebut"] = np.nan
    df["ukuran_penyebut"] = None
    for measure in reversed(definition["denominator"]):
        present = df[measure].notna()
        df.loc[present, "penyebut"] = df.loc[present, measure]
        df.loc[present, "ukuran_penyebut"] = measure
    df["cakupan"] = df["peserta"] / df["penyebut"]
    df["cakupan_tren"] = df["peserta"] / df[definition["trend_denominator"]]
    df["sintetis"] = df["sintetis_peserta"].fillna(False).astype(bool) | df["sintetis_pekerja"].fillna(False).astype(bool)
    df["sumber"] = [
        _join_sources([s for s in (a, b) if isinstance(s, str)]) for a, b in zip(df["sumber_peserta"], df["sumber_pekerja"])
    ]
    return df[COVERAGE_COLUMNS]


def latest_complete(table: pd.DataFrame, column: str = "cakupan") -> pd.Series | None:
    """The most recent row with a value in ``column`` (None when there is none)."""
    rows = table.dropna(subset=[column])
    return None if rows.empty else rows.iloc[-1]


def gap_to_target(participants: float, denominator: float, target_share: float) -> dict[str, float]:
    """People still to enrol at today's workforce, and the gap in percentage points."""
    coverage = participants / denominator
    return {
        "people": float(max(0.0, target_share * denominator - participants)),
        "points": float((target_share - coverage) * 100),
        "reached": bool(coverage >= target_share),
    }


def segment_shares(row: pd.Series) -> dict[str, float]:
    """Share of each segment among the participants with a known segment (formal = PU, informal = BPU)."""
    known = {s: row[s] for s in SEGMENTS if pd.notna(row[s])}
    total = sum(known.values())
    return {s: v / total for s, v in known.items()} if total else {}
