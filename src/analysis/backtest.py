"""Rolling-origin backtest of the forecasting methods on the series shipped with Cakupan.

Why: the forecasts in :mod:`analysis.forecast` are only as good as their record on held-out
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
- ``nasional`` (real): national coverage = active participants (kode ID, segmen TOTAL, latest
  period of each year) / national employed (latest of each year), 2018-2025. Short, with
  definition breaks in 2020 (Sakernas re-weighting) and 2022 (source change): few folds.
- ``sampel_provinsi`` (SYNTHETIC): coverage of the 38 provinces from the sample panel (mostly
  ``sintetis`` rows), reported separately and labelled synthetic: it checks the machinery on
  shares, not the methods' accuracy on real data.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import forecast as fc
from analysis.data import TOTAL, load_dataset
from analysis.messages import fmt_num, t

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

    real_p = _participants_per_year(p[(p["kode"] == "ID") & ~p["sintetis"]])
    real_w = _employed_per_year(w[(w["kode"] == "ID") & ~w["sintetis"]])
    nat = real_p.merge(real_w, on=["kode", "tahun"])
    nat["cakupan"] = nat["peserta"] / nat["penduduk_bekerja"].astype(float)
    sets["nasional"] = SeriesSet("nasional", "share", False, _as_series(nat, "cakupan"))

    prov_codes = p["kode"].str.fullmatch(r"\d\d")
    prov_p = _participants_per_year(p[prov_codes])
    prov_w = _employed_per_year(w[w["kode"].str.fullmatch(r"\d\d")])
    prov = prov_p.merge(prov_w, on=["kode", "tahun"])
    prov["cakupan"] = prov["peserta"] / prov["penduduk_bekerja"].astype(float)
    sets["sampel_provinsi"] = SeriesSet("sampel_provinsi", "share", True, _as_series(prov, "cakupan"))
    return sets


# --- the backtest ------------------------------------------------------------------------------

def backtest_series(series: pd.Series, kind: str, horizons: tuple[int, ...] = HORIZONS,
                    min_train: int = MIN_TRAIN) -> pd.DataFrame:
    """Fold-level rows for one series: each cutoff, method and horizon whose target was observed."""
    series = series.dropna().sort_index()
    years = np.asarray(series.index, dtype=int)
    observed = dict(zip(years.tolist(), series.to_numpy(dtype=float).tolist()))
    rows = []
    for i in range(min_train - 1, len(years) - 1):
        origin = int(years[i])
        targets = [h for h in horizons if origin + h in observed]
        if not targets:
            continue
        train = series.iloc[: i + 1]
        scale = naive_scale(train)
        results = fc.forecast_candidates(train, kind, end_year=origin + max(horizons), methods=fc.METHODS, n_paths=1)
        for method, res in results.items():
            if not res.ok or res.last_year != origin:
                continue
            for h in targets:
                j = h - 1
                actual = observed[origin + h]
                zstd = abs(float(fc.to_model_scale(np.array([actual]), kind, res.cap)[0]) - res.z_mean[j]) / res.z_sigma[j]
                rows.append((method, origin, h, origin + h, actual, res.median[j], res.lo80[j], res.hi80[j], res.lo95[j],
                             res.hi95[j], scale, len(train), zstd / res.calibration[j], res.df))
    return pd.DataFrame(rows, columns=["method", "origin", "horizon", "target", "actual", "point", "lo80", "hi80",
                                       "lo95", "hi95", "scale", "n_train", "zstd_raw", "df"])


def backtest_folds(sets: dict[str, SeriesSet], codes: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Fold-level rows of every set (optionally only some series codes per set)."""
    frames = []
    for name, sset in sets.items():
        for code, s in sset.series.items():
            if codes is not None and code not in codes.get(name, []):
                continue
            folds = backtest_series(s, sset.kind)
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
    """Horizons 1-3 pooled (fold-weighted means), one row per set and method."""
    metrics = ["mase", "smape", "cov80", "cov95", "winkler80", "winkler95"]

    def pool(g: pd.DataFrame) -> pd.Series:
        w = g["n_folds"].to_numpy(float)
        out = {m: float(np.average(g[m], weights=w)) for m in metrics}
        return pd.Series({"n_series": int(g["n_series"].max()), "n_folds": int(w.sum()), **out})

    keys = ["series_set", "synthetic", "method"]
    out = table.groupby(keys, sort=False)[["n_series", "n_folds"] + metrics].apply(pool).reset_index()
    out.insert(3, "horizon", "1-3")
    return out


def fit_calibration(folds: pd.DataFrame, method: str = fc.COMBINED) -> dict[int, float]:
    """Spread factor per horizon that makes the pooled 80% and 95% bands cover as claimed.

    ``zstd_raw`` is each held-out error on the transformed scale divided by the uncalibrated
    spread; the factor ``c`` solves mean(zstd_raw <= c * t_quantile(df)) = level for 80% and for
    95%, and the two are averaged. Used offline to set ``forecast.CALIBRATION`` (documented there).
    """
    from scipy import stats

    out = {}
    for h, g in folds[folds["method"] == method].groupby("horizon"):
        z, df = g["zstd_raw"].to_numpy(float), g["df"].to_numpy(float)
        factors = []
        for level in LEVELS.values():
            q = stats.t.ppf(0.5 + level / 2, df)
            ratios = np.sort(z / q)  # covered at factor c  <=>  ratio <= c
            factors.append(float(np.quantile(ratios, level, method="inverted_cdf")))
        out[int(h)] = float(np.mean(factors))
    return out


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
    """Combined versus naive and versus drift on every set, for the report."""
    out = []
    for name in dict.fromkeys(folds["series_set"]):
        for other in ("naive", "drift"):
            out.append({"series_set": name, "method": fc.COMBINED, "other": other, **compare(folds, name, other=other)})
    return out


# --- output -------------------------------------------------------------------------------------

DIGITS = {"mase": 3, "smape": 2, "cov80": 3, "cov95": 3, "winkler80": 2, "winkler95": 2}


def _plain(value: float, digits: int) -> str:
    return "–" if not np.isfinite(value) else f"{value:.{digits}f}"


def _with_pooled(table: pd.DataFrame) -> pd.DataFrame:
    """Per-horizon rows followed by a pooled "1-3" row, for each set and method."""
    t = table.copy()
    t["horizon"] = t["horizon"].astype(int).astype(str)
    pool = pooled(table)
    parts = []
    for name in dict.fromkeys(t["series_set"]):
        for method in dict.fromkeys(t.loc[t["series_set"] == name, "method"]):
            parts.append(t[(t["series_set"] == name) & (t["method"] == method)])
            parts.append(pool[(pool["series_set"] == name) & (pool["method"] == method)])
    return pd.concat(parts, ignore_index=True)


def format_table(table: pd.DataFrame) -> str:
    """The table as aligned plain text, with horizons 1-3 pooled after each method."""
    t = _with_pooled(table)
    cols = ["series_set", "method", "horizon", "n_series", "n_folds", *DIGITS]
    cells = [list(cols)]
    for _, row in t.iterrows():
        name = row["series_set"] + (" (SINTETIS)" if row["synthetic"] else "")
        cells.append([name, row["method"], row["horizon"], str(int(row["n_series"])), str(int(row["n_folds"]))]
                     + [_plain(float(row[c]), d) for c, d in DIGITS.items()])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cols))]
    lines = ["  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_html(table: pd.DataFrame, lang: str, comparisons: list[dict[str, object]] | None = None) -> str:
    """The self-contained backtest page in ``lang`` (no external requests; text escaped by jinja2)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(files("analysis").joinpath("templates"))),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    pooled = _with_pooled(table)
    sets = []
    for name in dict.fromkeys(pooled["series_set"]):
        part = pooled[pooled["series_set"] == name]
        rows = [{"method": t(f"backtest.method.{r['method']}", lang),
                 "horizon": t("backtest.pooled", lang) if r["horizon"] == "1-3" else r["horizon"],
                 "pooled": r["horizon"] == "1-3", "n_series": int(r["n_series"]), "n_folds": int(r["n_folds"]),
                 "values": [fmt_num(float(r[c]), lang, d) for c, d in DIGITS.items()]} for _, r in part.iterrows()]
        sets.append({"title": t(f"backtest.set.{name}", lang), "note": t(f"backtest.note.{name}", lang),
                     "synthetic": bool(part["synthetic"].iloc[0]), "rows": rows})
    headers = [t(f"backtest.col.{c}", lang) for c in ("method", "horizon", "n_series", "n_folds", *DIGITS)]
    factors = " / ".join(fmt_num(x, lang, 2) for x in fc.CALIBRATION)
    lines = [t("backtest.comparison", lang, set=t(f"backtest.set.{c['series_set']}", lang),
                 other=t(f"backtest.method.{c['other']}", lang), diff=fmt_num(c["diff"], lang, 3),
                 lo=fmt_num(c["lo"], lang, 3), hi=fmt_num(c["hi"], lang, 3), n=c["n_series"])
             for c in (comparisons or [])]
    return env.get_template("backtest.html.j2").render(
        lang=lang, title=t("backtest.title", lang), intro=t("backtest.intro", lang),
        any_synthetic=any(s["synthetic"] for s in sets), synthetic_banner=t("backtest.synthetic_banner", lang),
        synthetic_tag=t("backtest.synthetic_tag", lang), headers=headers, sets=sets,
        comparison_title=t("backtest.comparison_title", lang), comparisons=lines,
        metrics_note=t("backtest.metrics_note", lang), calibration_note=t("backtest.calibration_note", lang, factors=factors))


def write_backtest(table: pd.DataFrame, out_dir: Path, langs: list[str] | tuple[str, ...],
                   comparisons: list[dict[str, object]] | None = None) -> list[Path]:
    """Write out_dir/backtest.csv and out_dir/<lang>/backtest.html; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "backtest.csv"]
    table.to_csv(written[0], index=False, float_format="%.6g")
    for lang in langs:
        path = out_dir / lang / "backtest.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(table, lang, comparisons), encoding="utf-8")
        written.append(path)
    return written


def main(data_dir: Path, out_dir: Path, langs: list[str]) -> int:
    """Run the backtest, write the CSV and HTML pages, print the table; 0 on success."""
    start = time.perf_counter()
    folds = backtest_folds(load_series(data_dir))
    table = summarise(folds)
    pairs = comparisons(folds)
    write_backtest(table, out_dir, langs, pairs)
    print(format_table(table))
    print()
    for c in pairs:
        ci = (f"95% series bootstrap {c['lo']:+.3f} to {c['hi']:+.3f}; " if np.isfinite(c["lo"]) else "")
        print(f"{c['series_set']}: MASE {c['method']} - {c['other']} = {c['diff']:+.3f} "
              f"({ci}{c['n_series']} series, {c['n_folds']} folds)")
    print(f"\n{len(folds)} scored forecasts in {time.perf_counter() - start:.1f} s -> {Path(out_dir) / 'backtest.csv'}")
    return 0
