"""Deterministic sample panel: synthetic rows only where real series are missing.

The panel covers every province and every Jawa Barat kab/kota, yearly 2015-2025. It is
calibrated so that real anchors hold exactly: a real row is never replaced, provinces follow
the real national coverage path through their own real Dec 2023 coverage, and kab/kota values
add up exactly to their province (real or synthetic) for every year and segment.
Every row made here has ``sumber = sintetis:cakupan-sample-v1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data import bundle
from analysis.data.contract import SEGMENTS, SYNTHETIC_PREFIX, TOTAL
from analysis.data.regions import RegionTree

SAMPLE_SOURCE = f"{SYNTHETIC_PREFIX}:cakupan-sample-v1"
SAMPLE_SOURCE_ENTRY = (
    "DATA CONTOH (sintetis) dibuat oleh Cakupan dengan benih acak tetap, dikalibrasi ke angka resmi; bukan angka resmi",
    "",
    "dibuat oleh Cakupan",
    "SAMPLE DATA (synthetic) made by Cakupan with a fixed seed, calibrated to official figures; not official figures",
    "made by Cakupan",
)
YEARS = range(2015, 2026)
SEED = 20240827
ANCHOR_YEAR = 2023
# Papua split in 2022: the new provinces have data from 2024 only (earlier years are inside their
# parent area's figures); their sample rows take the pre-split coverage of the parent area.
SPLIT_FROM = {"93": "91", "94": "91", "95": "91", "96": "92"}


def split_exact(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that add up to ``total`` exactly (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: int(total - base.sum())]] += 1
    return base


def _latest(df: pd.DataFrame) -> pd.DataFrame:
    """Latest observation of each (kode, year[, segmen]) as a table indexed by kode and year."""
    df = df.assign(tahun=df["periode"].str[:4].astype(int), bulan=df["periode"].str[5:7].replace("", "12").astype(int))
    keys = ["kode", "tahun"] + (["segmen"] if "segmen" in df.columns else [])
    return df.sort_values(keys + ["bulan"]).groupby(keys, as_index=False).last()


def _employed_by_year(workforce: pd.DataFrame) -> dict[tuple[str, int], int]:
    latest = _latest(workforce.dropna(subset=["penduduk_bekerja"]))
    return {(k, int(y)): int(v) for k, y, v in zip(latest["kode"], latest["tahun"], latest["penduduk_bekerja"])}


def sample_workforce(real: pd.DataFrame, regions: RegionTree, rng: np.random.Generator) -> pd.DataFrame:
    """Employed for province-years and Jawa Barat kab/kota-years that BPS data do not cover."""
    employed = _employed_by_year(real)
    rows = []
    for code in regions.codes("provinsi"):
        if code in SPLIT_FROM:
            continue  # before 2024 these areas are counted inside Papua / Papua Barat: no rows, no double count
        years = sorted(y for (k, y) in employed if k == code)
        first = years[0]
        growth = 0.026 + rng.normal(0, 0.006)
        for year in YEARS:
            if year not in years and year < first:
                value = employed[(code, first)] * (1 + growth) ** (year - first) * np.exp(rng.normal(0, 0.004))
                rows.append((code, f"{year}-08", int(round(value))))
    kabkota = regions.codes("kabkota", within="32")
    growth = {k: 0.012 + rng.normal(0, 0.01) for k in kabkota}
    for year in YEARS:
        missing = [k for k in kabkota if (k, year) not in employed]
        if not missing:
            continue
        if len(missing) != len(kabkota):
            raise ValueError(f"partial kab/kota employed in {year}: cannot calibrate to the province total")
        weights = []
        for k in kabkota:
            before = max((y for (c, y) in employed if c == k and y < year), default=None)
            after = min((y for (c, y) in employed if c == k and y > year), default=None)
            if before is not None and after is not None:
                weights.append(np.sqrt(employed[(k, before)] * employed[(k, after)]))
            else:
                weights.append(employed[(k, before)] * (1 + growth[k]) ** (year - before))
        values = split_exact(employed[("32", year)], np.array(weights))
        rows += [(k, f"{year}-08", int(v)) for k, v in zip(kabkota, values)]
    df = pd.DataFrame(rows, columns=["kode", "periode", "penduduk_bekerja"])
    return df.assign(pekerja_berhak=pd.NA, sumber=SAMPLE_SOURCE)


def _national_coverage(participants: pd.DataFrame, employed: dict) -> dict[int, float]:
    nat = _latest(participants[(participants["kode"] == "ID") & (participants["segmen"] == TOTAL)])
    coverage = {int(y): v / employed[("ID", int(y))] for y, v in zip(nat["tahun"], nat["peserta_aktif"]) if ("ID", int(y)) in employed}
    first = min(coverage)
    for year in YEARS:
        if year < first:
            coverage[year] = coverage[first] * np.exp(-0.03 * (first - year))
    return coverage


def sample_participants(real: pd.DataFrame, workforce: pd.DataFrame, regions: RegionTree, rng: np.random.Generator) -> pd.DataFrame:
    """Active participants by segment for province-years without a real figure, and for JB kab/kota."""
    employed = _employed_by_year(workforce)
    nat_cov = _national_coverage(real, employed)
    latest = _latest(real)
    anchor = latest[latest["tahun"] == ANCHOR_YEAR]
    shares = anchor[anchor["segmen"] != TOTAL].pivot(index="kode", columns="segmen", values="peserta_aktif")
    totals = shares.sum(axis=1)
    # Informal (BPU) membership grew faster than formal: earlier years get a smaller BPU share.
    growth_tilt = np.array([0.08 if seg == "BPU" else 0.0 for seg in shares.columns])
    rows = []
    for code in regions.codes("provinsi"):
        area = SPLIT_FROM.get(code, code)
        cov23 = totals[area] / employed[(area, ANCHOR_YEAR)]
        share = (shares.loc[area] / totals[area]).to_numpy(dtype=float)
        real_years = set(latest.loc[latest["kode"] == code, "tahun"].astype(int))
        tilt = rng.normal(0, 0.015)
        for year in YEARS:
            if year in real_years or (code, year) not in employed:
                continue
            before, after = year - 1, year + 1
            if before in real_years and after in real_years:
                cov = np.sqrt(_coverage(latest, employed, code, before) * _coverage(latest, employed, code, after))
            else:
                cov = cov23 * nat_cov[year] / nat_cov[ANCHOR_YEAR] * np.exp(tilt * (year - ANCHOR_YEAR))
            cov *= np.exp(rng.normal(0, 0.02))
            drift = share * np.exp(growth_tilt * (year - ANCHOR_YEAR))
            values = split_exact(int(round(cov * employed[(code, year)])), drift)
            rows += [(code, f"{year}-12", seg, int(v)) for seg, v in zip(shares.columns, values)]
    provinces = pd.DataFrame(rows, columns=["kode", "periode", "segmen", "peserta_aktif"])
    kabkota = _disaggregate_kabkota(pd.concat([real, provinces], ignore_index=True), employed, regions, rng)
    return pd.concat([provinces, kabkota], ignore_index=True).assign(sumber=SAMPLE_SOURCE)


def _coverage(latest: pd.DataFrame, employed: dict, code: str, year: int) -> float:
    rows = latest[(latest["kode"] == code) & (latest["tahun"] == year)]
    total = rows.loc[rows["segmen"] == TOTAL, "peserta_aktif"].sum() if (rows["segmen"] == TOTAL).any() else rows["peserta_aktif"].sum()
    return float(total) / employed[(code, year)]


def _disaggregate_kabkota(participants: pd.DataFrame, employed: dict, regions: RegionTree, rng: np.random.Generator) -> pd.DataFrame:
    """Split every Jawa Barat province figure over its 27 kab/kota (so sums match exactly)."""
    kabkota = regions.codes("kabkota", within="32")
    base = np.exp(rng.normal(0, 0.3, len(kabkota)))
    is_kota = np.array([int(k.split(".")[1]) >= 71 for k in kabkota])
    propensity = {
        "PU": base * np.where(is_kota, 1.6, 1.0),
        "BPU": base * np.where(is_kota, 1.0, 1.3),
        "JAKON": base * np.exp(rng.normal(0, 0.2, len(kabkota))),
        "PMI": base * np.where(is_kota, 0.6, 1.4),
        TOTAL: base * np.where(is_kota, 1.4, 1.0),
    }
    jb = participants[participants["kode"] == "32"]
    jb = jb.assign(tahun=jb["periode"].str[:4].astype(int))
    rows = []
    for year in YEARS:
        of_year = jb[jb["tahun"] == year]
        of_year = of_year[of_year["periode"] == of_year["periode"].max()]
        for _, r in of_year.iterrows():
            weights = np.array([employed[(k, year)] for k in kabkota]) * propensity[r["segmen"]]
            values = split_exact(int(r["peserta_aktif"]), weights)
            rows += [(k, r["periode"], r["segmen"], int(v)) for k, v in zip(kabkota, values)]
    return pd.DataFrame(rows, columns=["kode", "periode", "segmen", "peserta_aktif"])


def bundled_tables(regions: RegionTree, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Real rows plus the sample panel where real rows are missing, in the data contract."""
    rng = np.random.default_rng(seed)
    real_w = bundle.real_workforce()
    workforce = pd.concat([real_w, sample_workforce(real_w, regions, rng)], ignore_index=True)
    real_p = bundle.real_participants()
    participants = pd.concat([real_p, sample_participants(real_p, workforce, regions, rng)], ignore_index=True)
    workforce["pekerja_berhak"] = workforce["pekerja_berhak"].astype("Int64")
    return {
        "participants.csv": participants.sort_values(["kode", "periode", "segmen"], ignore_index=True),
        "workforce.csv": workforce.sort_values(["kode", "periode"], ignore_index=True),
        "sources.csv": bundle.sources_table({SAMPLE_SOURCE: SAMPLE_SOURCE_ENTRY}),
        "breaks.csv": bundle.breaks_table(),
        "references.csv": bundle.references_table(),
    }


SUBREGION_SOURCE = f"{SYNTHETIC_PREFIX}:cakupan-sample-wilayah-v1"
SUBREGION_SOURCE_ENTRY = (
    "DATA CONTOH (sintetis) dibuat oleh Cakupan: angka wilayah induk dibagi ke wilayah di bawahnya dengan bobot acak tetap; bukan angka resmi",
    "",
    "dibuat oleh Cakupan",
    "SAMPLE DATA (synthetic) made by Cakupan: the parent region's figures split over the regions below with fixed random weights; not official figures",
    "made by Cakupan",
)
_SEGMENT_TILT = (*SEGMENTS, TOTAL)


def _child_weights(children: list[str], years: np.ndarray, seed: int, segment: str | None) -> np.ndarray:
    """Positive weights (children × years), fixed by the seed and each child's own code.

    A child's size is lognormal with a small yearly drift, and each segment tilts it, so coverage
    differs between siblings. A child gets the same weights whatever else is generated.
    """
    out = np.empty((len(children), len(years)))
    for i, code in enumerate(children):
        rng = np.random.default_rng([seed, *(int(part) for part in code.split("."))])
        size, drift, tilts = np.exp(rng.normal(0, 0.5)), rng.normal(0, 0.01), rng.normal(0, 0.25, len(_SEGMENT_TILT))
        tilt = tilts[_SEGMENT_TILT.index(segment)] if segment else 0.0
        out[i] = size * np.exp(drift * (years - ANCHOR_YEAR) + tilt)
    return out


def _split_rows(rows: pd.DataFrame, value: str, children: list[str], seed: int, by: str | None) -> pd.DataFrame:
    """Every parent row split over ``children`` so that they add up to it exactly."""
    rows = rows.dropna(subset=[value])
    frames = []
    for segment, group in (rows.groupby(by, sort=True) if by else [(None, rows)]):
        periods = group["periode"].to_numpy()
        weights = _child_weights(children, group["periode"].str[:4].astype(int).to_numpy(), seed, segment)
        values = np.column_stack([split_exact(int(total), weights[:, j]) for j, total in enumerate(group[value])])
        frame = pd.DataFrame({"kode": np.repeat(children, len(periods)), "periode": np.tile(periods, len(children)), value: values.ravel()})
        frames.append(frame.assign(**{by: segment}) if by else frame)
    return pd.concat(frames, ignore_index=True)


def subregion_tables(tables: dict[str, pd.DataFrame], regions: RegionTree, within: list[str], depth: str, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """``tables`` plus a synthetic panel for every region under ``within`` down to level ``depth``.

    Top-down: a region whose children have no rows gets its rows split over all of its children
    (so siblings always add up to their parent, real or synthetic); then each child on the way to
    or under ``within`` is filled the same way. Existing rows are never replaced. Every row made
    here has ``sumber = sintetis:cakupan-sample-wilayah-v1``; participants keep their segments,
    workforce rows carry the employed only.
    """
    from analysis.data.regions import LEVELS

    participants, workforce = tables["participants.csv"], tables["workforce.csv"]
    rows = {"p": dict(iter(participants.groupby("kode"))), "w": dict(iter(workforce.groupby("kode")))}
    made: dict[str, list[pd.DataFrame]] = {"p": [], "w": []}
    limit = LEVELS.index(depth)

    def fill(code: str, under: bool) -> None:
        if LEVELS.index(regions.level(code)) >= limit:
            return
        children = regions.children(code)
        for name, value, by in (("p", "peserta_aktif", "segmen"), ("w", "penduduk_bekerja", None)):
            if code in rows[name] and not any(c in rows[name] for c in children):
                split = _split_rows(rows[name][code], value, children, seed, by)
                made[name].append(split)
                rows[name].update(dict(iter(split.groupby("kode"))))
        for child in children:
            if under or any(root == child or root.startswith(child + ".") for root in within):
                fill(child, under or child in within)

    for root in within:
        start = root
        while start not in rows["p"] and regions.parent(start) is not None:
            start = regions.parent(start)
        fill(start, start == root)
    new_p = pd.concat([participants, *(m.assign(sumber=SUBREGION_SOURCE) for m in made["p"])], ignore_index=True)
    new_w = pd.concat([workforce, *(m.assign(pekerja_berhak=pd.NA, sumber=SUBREGION_SOURCE) for m in made["w"])], ignore_index=True)
    sources = tables["sources.csv"]
    if made["p"] or made["w"]:
        extra = pd.DataFrame([(SUBREGION_SOURCE, *SUBREGION_SOURCE_ENTRY)], columns=bundle.SOURCE_TABLE_COLUMNS)
        extra = extra.reindex(columns=sources.columns)
        sources = pd.concat([sources, extra], ignore_index=True).drop_duplicates("sumber").sort_values("sumber", ignore_index=True)
    return {
        **tables,
        "participants.csv": new_p[participants.columns].sort_values(["kode", "periode", "segmen"], ignore_index=True),
        "workforce.csv": new_w[workforce.columns].astype({"pekerja_berhak": "Int64"}).sort_values(["kode", "periode"], ignore_index=True),
        "sources.csv": sources,
    }
