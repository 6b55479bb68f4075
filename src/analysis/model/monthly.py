"""A region's monthly series of active participants, and whether its latest December stands out.

The yearly trend reads one figure a year (December, or the year's figure); where a region also has
figures for most months (the national series, Kemnaker Satu Data, December 2022 to December 2024),
the months show how much a December figure sits above the rest of the year. Only totals (``TOTAL``)
at a month (``YYYY-MM``) are read; each row keeps its source and whether it is sample.
"""

from __future__ import annotations

import pandas as pd

from analysis.data.contract import Dataset

MIN_MONTHS = 12  # fewer months than this make no monthly series worth a chart
MAX_GAP = 6  # months: a longer gap ends a run (the national series' scattered 2021 figures stand apart from it)


def monthly_series(ds: Dataset, code: str) -> pd.DataFrame:
    """periode, tahun, bulan, peserta, sumber, sintetis: the region's monthly totals in time order."""
    rows = ds.participants[(ds.participants["kode"] == code) & (ds.participants["segmen"] == "TOTAL")
                           & (ds.participants["periode"].str.len() == 7)]
    rows = rows.dropna(subset=["peserta_aktif"]).sort_values("periode")
    return pd.DataFrame({"periode": rows["periode"].to_numpy(), "tahun": rows["tahun"].to_numpy(dtype=int),
                         "bulan": rows["bulan"].to_numpy(dtype=int), "peserta": rows["peserta_aktif"].to_numpy(dtype=float),
                         "sumber": rows["sumber"].to_numpy(), "sintetis": rows["sintetis"].to_numpy(dtype=bool)})


def latest_run(series: pd.DataFrame, max_gap: int = MAX_GAP) -> pd.DataFrame:
    """The months after the last gap longer than ``max_gap`` months: the run a monthly chart shows."""
    index = series["tahun"].to_numpy() * 12 + series["bulan"].to_numpy()
    gaps = [i for i in range(1, len(index)) if index[i] - index[i - 1] > max_gap]
    return series.iloc[gaps[-1] if gaps else 0:].reset_index(drop=True)


def _shift(periode: str, months: int) -> str:
    index = int(periode[:4]) * 12 + int(periode[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def december_peak(series: pd.DataFrame) -> dict | None:
    """The latest December that has a month after it, set against the October before it (else the nearest
    earlier month) and the first month after it: {december, before, after} rows as dicts, ``peak``
    (above both) and ``sintetis`` (any of the three is sample). None without such a December."""
    months = series.set_index("periode")
    decembers = [p for p in months.index if p.endswith("-12") and (months.index > p).any() and (months.index < p).any()]
    if not decembers:
        return None
    december = decembers[-1]
    october = _shift(december, -2)
    before = october if october in months.index else months.index[months.index < december][-1]
    after = months.index[months.index > december][0]
    rows = {name: {"periode": p, **months.loc[p].to_dict()} for name, p in (("december", december), ("before", before), ("after", after))}
    value = rows["december"]["peserta"]
    return {**rows, "peak": bool(value > rows["before"]["peserta"] and value > rows["after"]["peserta"]),
            "sintetis": any(bool(r["sintetis"]) for r in rows.values())}
