"""Yearly forecasts of coverage shares and worker counts, with prediction intervals.

Why this shape:

- No single model is trusted. The default is the median, year by year on the transformed scale,
  of three simple forecasts (``DEFAULT_MEMBERS``): the random walk with drift in levels (last
  value plus h times the mean yearly change), the drift on the transformed scale damped by
  ``DAMPING`` a year, and exponential smoothing plus that same drift in levels. They were chosen
  once, among naive, drift (log/logit), drift in levels, damped drift (0.8, 0.9, 0.95, on either
  scale), Theta, exponential smoothing, linear trend, with mean or median, on the M1 yearly and
  Tourism yearly benchmarks (``cakupan backtest --benchmark``); M3 is never used. The earlier
  default, an equal-weight mean of naive, log drift, Theta, linear trend and damped ETS, lost to
  the random walk with drift in levels on those benchmarks: on a count, drift on the log scale
  is compound growth and overshoots over six years. The README gives the measured table.
- Forecasts are made on a transformed scale and back-transformed, so they stay in range:
  ``count`` uses ``log(value)``; ``share`` uses ``logit(value / cap)``. ``cap`` is 1 when every
  observation is at most 1 (an ordinary proportion: forecasts and intervals stay in [0, 1]).
  A coverage ratio above 1 is a definition effect (BPJS counts participants where the employer
  registered, BPS counts workers where they live), never an error, so the data are not clipped;
  the cap is then ``SHARE_HEADROOM`` (1.25) times the largest observed ratio and the result says
  so in ``transform``. Only inside the transform are values held ``EPS`` away from 0 and cap.
  The members made in levels never cross 0 or the cap: a year's step covers at most half of
  the way left (see :mod:`analysis.model.forecast_models`).
- Model intervals are too narrow on yearly series. The default's bands are conformal-style: a
  spread (the random-walk-with-drift spread on the transformed scale, limited by the one in
  levels) times the empirical quantiles of held-out errors per horizon and level
  (:func:`calibration`), fitted by ``cakupan backtest --benchmark m1 tourism`` on the held-out
  (test) years of the two development benchmarks, each weighted equally. Their coverage there is
  therefore in-sample for the band widths; M3 stays held back. Single methods keep their own
  model spread (Student-t, ``n - 2`` degrees of freedom), uncalibrated, for comparison.
- Uncertainty about a later year is never smaller than about an earlier one: where the
  back-transform would narrow a band (a path running towards 0 or the cap), the spread on the
  transformed scale is raised until the band is at least as wide as the year before.
- Sample paths are random walks mapped onto the bands (fixed seed), so the first year a target
  is reached and its probability are consistent with the bands. The same input always gives
  the same output.
- A series that cannot be forecast (fewer than ``MIN_POINTS`` usable years, zeros or negative
  values, infinities, duplicate years) gives a result with ``reason`` set, never an exception.
  Warnings raised by statsmodels or numpy are captured and kept in ``warnings``.

Gaps: a missing year (or a NaN value) inside the series is bridged for fitting by a straight
line on the transformed scale when it is at most ``MAX_BRIDGE`` years long, and listed in
``bridged_years``; a longer gap drops everything before it, with a warning.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

from analysis.model.forecast_models import (
    FITTERS, SHARE_HEADROOM, Member, ModelInput, drift_spread, from_model_scale, level_spread, needed_halfwidth,
    share_cap, steps, to_model_scale,
)

KINDS = ("share", "count")
METHODS = ("naive", "drift", "drift_level", "damped", "ses_drift", "theta", "ets_damped", "linear")
COMBINED = "combined"
DEFAULT_END_YEAR = 2045
MIN_POINTS = 3  # fewer observed years than this: insufficient history
ETS_MIN_POINTS = 8  # below this the damped-trend ETS sits at its parameter bounds (see notes)
THETA_MIN_POINTS = 4
MAX_BRIDGE = 1  # longest interior gap (years) bridged by interpolation
SIGMA_FLOOR = 1e-3  # smallest one-step spread on the transformed scale (no zero-width bands)
MIN_DF = 2.0  # Student-t degrees of freedom of single methods' bands are at least this
N_PATHS = 2000
SEED = 20240827
LEVELS = (0.80, 0.95)
LEVEL_SPREAD_LIMIT = 2.0  # the default's spread is at most this times the levels spread (see _combine)

# Members of the default: the median, on the transformed scale, of these three forecasts.
# Chosen once on the M1 yearly (181 series, horizon 6) and Tourism yearly (518 series, horizon 4)
# development benchmarks, among every combination of up to five candidates, mean or median (see
# README "Forecasting"); the same members at every history length.
DEFAULT_MEMBERS = ("drift_level", "damped", "ses_drift")

# Bands of the default: half-width on the transformed scale = factor x a spread, per level and
# horizon 1..6, continued beyond along the power law of the last step (:func:`extend_factors`).
# The spread is the random-walk-with-drift spread
# s * sqrt(h (1 + h / m)) (s: standard deviation of the m yearly changes) on the transformed
# scale, at most LEVEL_SPREAD_LIMIT times the same spread in levels (mapped onto the transformed
# scale): on M1 a log spread from a tiny start gave 95% bands up to e^20 wide. The factors
# (:func:`calibration`) live in the skill record, written by the backtest
# (``analysis.model.backtest.fit_calibration``); a normal error would give 1.28 (80%) and 1.96 (95%).
SKILL_FILE = "forecast_skill.json"  # what the default achieved, written by `cakupan backtest`
NORMAL_Q = {0.80: 1.2815515655446004, 0.95: 1.959963984540054}


@dataclass(frozen=True, eq=False)
class ForecastResult:
    """A forecast on the original scale; ``reason`` is set (and arrays empty) when insufficient."""

    kind: str
    method: str  # "combined", one of METHODS, or "insufficient"
    members: tuple[str, ...] = ()
    years: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    median: np.ndarray = field(default_factory=lambda: np.array([]))
    lo80: np.ndarray = field(default_factory=lambda: np.array([]))
    hi80: np.ndarray = field(default_factory=lambda: np.array([]))
    lo95: np.ndarray = field(default_factory=lambda: np.array([]))
    hi95: np.ndarray = field(default_factory=lambda: np.array([]))
    history: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    bridged_years: tuple[int, ...] = ()
    transform: str = ""
    cap: float | None = None
    calibration: tuple[float, ...] = ()
    df: float = math.nan
    seed: int = SEED
    n_paths: int = N_PATHS
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    z_mean: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    z_sigma: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    z_half80: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)  # band half-widths, transformed scale
    z_half95: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def last_year(self) -> int | None:
        return int(self.history.index[-1]) if len(self.history) else None

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) of the 80% or 95% band."""
        if math.isclose(level, 0.80):
            return self.lo80, self.hi80
        if math.isclose(level, 0.95):
            return self.lo95, self.hi95
        raise ValueError(f"level must be 0.80 or 0.95, not {level}")

    def frame(self) -> pd.DataFrame:
        """The forecast as a table indexed by year."""
        return pd.DataFrame({"median": self.median, "lo80": self.lo80, "hi80": self.hi80,
                             "lo95": self.lo95, "hi95": self.hi95}, index=pd.Index(self.years, name="tahun"))

    def paths(self, n: int | None = None) -> np.ndarray:
        """Simulated paths (n x len(years)) on the original scale, drawn with the fixed seed.

        A Gaussian random walk, normalised to unit variance at every horizon, is mapped through a
        piecewise-linear function that sends its 80% and 95% quantiles to the band half-widths
        (and continues the last slope beyond): each year's 80% and 95% ranges of the paths are
        the bands, and neighbouring years are correlated as in a random walk.
        """
        n = self.n_paths if n is None else n
        if not self.ok:
            return np.empty((n, 0))
        rng = np.random.default_rng(self.seed)
        horizon = len(self.years)
        walk = np.cumsum(rng.standard_normal((n, horizon)), axis=1) / np.sqrt(np.arange(1, horizon + 1))
        k80, k95 = NORMAL_Q[0.80], NORMAL_Q[0.95]
        a80, a95 = self.z_half80, self.z_half95
        size = np.abs(walk)
        offset = np.where(size <= k80, size * a80 / k80, a80 + (size - k80) * (a95 - a80) / (k95 - k80))
        with np.errstate(all="ignore"):
            return from_model_scale(np.clip(self.z_mean + np.sign(walk) * offset, -700.0, 700.0), self.kind, self.cap)


@dataclass(frozen=True)
class TargetYear:
    """When a forecast reaches a target value (coverage share or count, as the series)."""

    target: float
    deadline: int
    horizon_end: int | None
    year: int | None  # first year the median path is at or above the target; None: not by horizon_end
    not_by_horizon: bool
    year_lo80: int | None  # 10th percentile of the crossing year over the paths
    year_hi80: int | None  # 90th percentile; None: later than horizon_end
    prob_by_deadline: float
    already_reached: bool = False
    reason: str | None = None


# --- preparing the history ---------------------------------------------------------------------

@dataclass
class _Prepared:
    history: pd.Series  # observed values used, original scale
    years: np.ndarray  # consecutive years of z
    z: np.ndarray  # transformed, gaps bridged
    bridged: tuple[int, ...]
    cap: float | None
    notes: list[str]


def _prepare(series: pd.Series, kind: str) -> _Prepared | str:
    """Clean the history or return the reason it cannot be forecast."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not isinstance(series, pd.Series):
        return "the history must be a pandas Series indexed by year"
    try:
        years = np.asarray(series.index, dtype=float)
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    except (TypeError, ValueError):
        return "the history must be indexed by whole years with numeric values"
    if len(years) and (not np.all(np.isfinite(years)) or np.any(years != np.round(years))):
        return "the history must be indexed by whole years"
    years = years.astype(int)
    if len(np.unique(years)) != len(years):
        dup = sorted({int(y) for y in years[pd.Series(years).duplicated().to_numpy()]})
        return f"duplicate years in the history: {', '.join(map(str, dup))}"
    order = np.argsort(years)
    years, values = years[order], values[order]
    notes: list[str] = []
    missing = np.isnan(values)
    if missing.any():
        notes.append("no value (NaN) for " + ", ".join(map(str, years[missing])) + ": treated as missing years")
        years, values = years[~missing], values[~missing]
    if np.isinf(values).any():
        return "infinite values in " + ", ".join(map(str, years[np.isinf(values)]))
    bad = values <= 0
    if bad.any():
        scale = "log" if kind == "count" else "logit"
        return (f"zero or negative values in {', '.join(map(str, years[bad]))}: they cannot be put on the {scale} "
                "scale (if they mean 'not available', pass NaN instead)")
    gaps = np.flatnonzero(np.diff(years) > MAX_BRIDGE + 1)
    if len(gaps):
        start = gaps[-1] + 1
        notes.append(f"gap of {years[start] - years[start - 1] - 1} years before {years[start]}: "
                     f"history before {years[start]} not used")
        years, values = years[start:], values[start:]
    if len(values) < MIN_POINTS:
        found = f"{len(values)} usable year" + ("" if len(values) == 1 else "s")
        return f"insufficient history: {found}, at least {MIN_POINTS} consecutive (or one-year-gap) years needed"
    cap = share_cap(values) if kind == "share" else None
    z_obs = to_model_scale(values, kind, cap)
    full = np.arange(years[0], years[-1] + 1)
    z = np.interp(full, years, z_obs)
    bridged = tuple(int(y) for y in np.setdiff1d(full, years))
    if bridged:
        notes.append("bridged missing years " + ", ".join(map(str, bridged)) + " by a straight line on the "
                     + ("log" if kind == "count" else "logit") + " scale (used for fitting only)")
    history = pd.Series(values, index=pd.Index(years, name=series.index.name or "tahun"), name=series.name)
    return _Prepared(history, full, z, bridged, cap, notes)


def _transform_label(kind: str, cap: float | None) -> str:
    if kind == "count":
        return "log(value)"
    if cap == 1.0:
        return "logit(value); bounded to [0, 1]"
    return (f"logit(value / {cap:.4g}); cap = {SHARE_HEADROOM} x largest observed ratio, because a ratio above 1 "
            "(participants counted where registered, workers where they live) is kept as it is")


def _insufficient(kind: str, reason: str, notes: list[str] | None = None, history: pd.Series | None = None) -> ForecastResult:
    return ForecastResult(kind=kind, method="insufficient", reason=reason, warnings=tuple(notes or ()),
                          history=history if history is not None else pd.Series(dtype=float))


def default_members(n_obs: int) -> tuple[str, ...]:
    """Members of the default for a history of ``n_obs`` observed years (the same at every length)."""
    return DEFAULT_MEMBERS


FRAGILE = ("theta", "ets_damped")  # statsmodels fits, which can return nonsense on degenerate input


def _fit_members(inp: ModelInput, horizon: int, names: tuple[str, ...], caught: list[str]) -> dict[str, Member]:
    """Fit each member, capturing warnings; a member that fails or gives non-finite output is left out."""
    fitted: dict[str, Member] = {}
    # A sane model moves at most a few times the history's range plus its largest yearly change
    # per year ahead; statsmodels returns nonsense on e.g. a constant series (Theta's slope).
    z = inp.z
    d = np.abs(np.diff(z))
    bound = 3.0 * (float(np.ptp(z)) + steps(horizon) * float(d.max())) + 1e-9
    for name in names:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            try:
                with np.errstate(all="ignore"):
                    member = FITTERS[name](inp, horizon)
            except Exception as exc:  # statsmodels raises many kinds on degenerate input
                caught.append(f"{name}: fit failed ({type(exc).__name__}: {exc}); left out")
                member = None
        for w in record:
            text = f"{name}: {w.category.__name__}: {w.message}"
            if text not in caught:
                caught.append(text)
        if member is None:
            continue
        if not (np.all(np.isfinite(member.mean)) and np.all(np.isfinite(member.sigma))):
            caught.append(f"{name}: non-finite forecast; left out")
            continue
        if name in FRAGILE and np.any(np.abs(member.mean - z[-1]) > bound):
            caught.append(f"{name}: forecast far outside anything the history supports (a failed fit); left out")
            continue
        fitted[name] = member
    return fitted


def _widths(mean: np.ndarray, half: np.ndarray, kind: str, cap: float | None) -> np.ndarray:
    return from_model_scale(mean + half, kind, cap) - from_model_scale(mean - half, kind, cap)


def _widen(mean: np.ndarray, half: np.ndarray, kind: str, cap: float | None) -> np.ndarray:
    """Raise half-widths where needed so that the band is at least as wide as the year before on
    the original scale (the back-transform narrows a band running towards 0 or the cap)."""
    half = np.maximum.accumulate(half.copy())
    widths = _widths(mean, half, kind, cap)
    if np.all(np.diff(widths) >= 0):
        return half
    for i in range(1, len(mean)):
        if widths[i] < widths[i - 1]:
            half[i] = max(half[i], needed_halfwidth(float(widths[i - 1]), float(mean[i]), kind, cap) * (1 + 1e-12))
            widths[i] = _widths(mean[i:i + 1], half[i:i + 1], kind, cap)[0]
    return half


def extend_factors(factors: tuple[float, ...], horizon: int) -> np.ndarray:
    """The calibrated factors for horizons 1..H, continued beyond H along the power law of their last step.

    Beyond the last calibrated horizon H the factor is ``f_H * (h / H) ** b`` with
    ``b = ln(f_H / f_{H-1}) / ln(H / (H - 1))`` (0 when the last step does not grow): the factor keeps
    growing at the rate it grew at H, slowing as h grows, so the band widths have no kink at H
    (a constant factor made the widths' growth drop at once). A band is extrapolated from H + 1 on
    (:func:`calibrated_horizons`; the page says from which year).
    """
    f = np.asarray(factors, dtype=float)
    last = len(f)
    beyond = np.arange(last + 1, horizon + 1, dtype=float)
    slope = max(math.log(f[-1] / f[-2]) / math.log(last / (last - 1)), 0.0) if last > 1 else 0.0
    return np.concatenate([f[:horizon], f[-1] * (beyond / last) ** slope])


def extrapolated_from(result: ForecastResult) -> int | None:
    """First forecast year whose band widths are extrapolated (beyond the calibrated horizons); None when none is."""
    if not result.ok or result.method != COMBINED:
        return None
    year = result.last_year + calibrated_horizons() + 1
    return year if year <= int(result.years[-1]) else None


def calibrated_horizons() -> int:
    """How many horizons the band factors were measured for; later years' widths are extrapolated (:func:`extend_factors`)."""
    return len(calibration()[0.95])


def _assemble(prep: _Prepared, kind: str, method: str, members: tuple[str, ...], mean: np.ndarray,
              sigma: np.ndarray, factors: dict[float, np.ndarray], df: float, caught: list[str], seed: int,
              n_paths: int) -> ForecastResult:
    """Bands of half-width ``factors[level] x sigma`` around ``mean`` (transformed scale), never
    narrower than the year before, the 95% band never inside the 80% band."""
    horizon = len(mean)
    sigma = np.maximum(sigma, SIGMA_FLOOR * np.sqrt(steps(horizon)))
    half80 = _widen(mean, factors[0.80] * sigma, kind, prep.cap)
    half95 = _widen(mean, np.maximum(factors[0.95] * sigma, half80), kind, prep.cap)
    years = np.arange(prep.years[-1] + 1, prep.years[-1] + 1 + horizon)
    band = {level: (from_model_scale(mean - half, kind, prep.cap), from_model_scale(mean + half, kind, prep.cap))
            for level, half in ((0.80, half80), (0.95, half95))}
    return ForecastResult(
        kind=kind, method=method, members=members, years=years, median=from_model_scale(mean, kind, prep.cap),
        lo80=band[0.80][0], hi80=band[0.80][1], lo95=band[0.95][0], hi95=band[0.95][1],
        history=prep.history, bridged_years=prep.bridged, transform=_transform_label(kind, prep.cap), cap=prep.cap,
        calibration=tuple(float(x) for x in half95 / (NORMAL_Q[0.95] * sigma)), df=df, seed=seed, n_paths=n_paths,
        reason=None, warnings=tuple(prep.notes + caught), z_mean=mean, z_sigma=sigma, z_half80=half80, z_half95=half95)


@lru_cache(maxsize=None)
def _t_quantile(level: float, df: float) -> float:
    from scipy import stats  # here, not at the top: parameter validation imports this module's constants

    return float(stats.t.ppf(0.5 + level / 2, df))


def _t_factors(n_obs: int, horizon: int) -> tuple[dict[float, np.ndarray], float]:
    """A single method's own bands: Student-t quantiles with n - 2 degrees of freedom."""
    df = max(float(n_obs - 2), MIN_DF)
    return {level: np.full(horizon, _t_quantile(level, df)) for level in LEVELS}, df


def _combine(inp: ModelInput, fitted: dict[str, Member], members: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Median of the members' forecasts (transformed scale), and the spread its bands scale: the
    random-walk-with-drift spread on the transformed scale, at most LEVEL_SPREAD_LIMIT times the
    one in levels (the log spread of a series that grew from a tiny start is absurdly wide)."""
    mean = np.median([fitted[m].mean for m in members], axis=0)
    in_levels = level_spread(inp, mean, drift_spread(np.diff(inp.y), len(mean)))
    return mean, np.minimum(fitted["drift"].sigma, LEVEL_SPREAD_LIMIT * in_levels)


def forecast_candidates(series: pd.Series, kind: str, end_year: int = DEFAULT_END_YEAR,
                        methods: tuple[str, ...] = METHODS, seed: int = SEED, n_paths: int = N_PATHS,
                        band_factors: dict[float, tuple[float, ...]] | None = None) -> dict[str, ForecastResult]:
    """Every single method (its own model spread, uncalibrated) and the combination, fitted once.

    Used by the backtest and by reports that show the alternatives; ``"combined"`` is what
    :func:`forecast` returns by default. A method that cannot be used has ``reason`` set; when
    the history itself is unusable only ``"combined"`` is returned (with the reason).
    No warning escapes: any raised outside the model fits is added to every result's ``warnings``.
    ``band_factors``: the default's factors per level and horizon (the backtest refitting them);
    :func:`calibration` when None.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {METHODS}")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with np.errstate(over="ignore", under="ignore"):
            out = _candidates(series, kind, end_year, tuple(methods), seed, n_paths, band_factors or calibration())
    extra = tuple(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in record))
    if extra:
        out = {k: replace(v, warnings=v.warnings + extra) for k, v in out.items()}
    return out


def _candidates(series: pd.Series, kind: str, end_year: int, methods: tuple[str, ...], seed: int,
                n_paths: int, band_factors: dict[float, tuple[float, ...]]) -> dict[str, ForecastResult]:
    prep = _prepare(series, kind)
    if isinstance(prep, str):
        return {COMBINED: _insufficient(kind, prep)}
    horizon = end_year - int(prep.years[-1])
    if horizon < 1:
        return {COMBINED: _insufficient(kind, f"end year {end_year} is not after the last observed year {prep.years[-1]}",
                                        prep.notes, prep.history)}
    n_obs = len(prep.history)
    members = default_members(n_obs)
    wanted = tuple(dict.fromkeys(tuple(methods) + members + ("drift",)))
    minimum = {"theta": THETA_MIN_POINTS, "ets_damped": THETA_MIN_POINTS + 1}
    caught: list[str] = []
    allowed = []
    for m in wanted:
        if n_obs < minimum.get(m, MIN_POINTS):
            caught.append(f"{m}: needs at least {minimum[m]} years, the history has {n_obs}; not fitted")
        else:
            allowed.append(m)
    inp = ModelInput(prep.z, from_model_scale(prep.z, kind, prep.cap), kind, prep.cap)
    fitted = _fit_members(inp, horizon, tuple(allowed), caught)
    if "ets_damped" in fitted and n_obs < ETS_MIN_POINTS:
        caught.append(f"ets_damped: only {n_obs} years; below {ETS_MIN_POINTS} it has too few points for its "
                      "parameters and its bands are too narrow")
    out: dict[str, ForecastResult] = {}
    own, df = _t_factors(n_obs, horizon) if methods else ({}, math.nan)
    for name in methods:
        notes = [c for c in caught if c.startswith(name + ":")]
        if name in fitted:
            out[name] = _assemble(prep, kind, name, (name,), fitted[name].mean, fitted[name].sigma, own, df,
                                  notes, seed, n_paths)
        else:
            out[name] = _insufficient(kind, f"method {name} could not be used: " + "; ".join(notes),
                                      prep.notes + notes, prep.history)
    used = tuple(m for m in members if m in fitted)
    if "drift" not in fitted or not used:  # drift is plain numpy and cannot fail on a prepared history
        out[COMBINED] = _insufficient(kind, "no forecasting method could be fitted", prep.notes + caught, prep.history)
        return out
    mean, sigma = _combine(inp, fitted, used)
    factors = {level: extend_factors(band_factors[level], horizon) for level in LEVELS}
    out[COMBINED] = _assemble(prep, kind, COMBINED, used, mean, sigma, factors, math.nan,
                              [c for c in caught if c.split(":")[0] in used], seed, n_paths)
    return out


def forecast(series: pd.Series, kind: str, end_year: int = DEFAULT_END_YEAR, method: str = COMBINED,
             seed: int = SEED, n_paths: int = N_PATHS) -> ForecastResult:
    """Forecast a yearly series to ``end_year`` with 80% and 95% bands.

    ``method`` is ``"combined"`` (default: the median of DEFAULT_MEMBERS, bands from :func:`calibration`)
    or one of METHODS (its own model spread, Student-t, uncalibrated). Never raises on bad history: check ``result.ok`` / ``result.reason``.
    """
    if method != COMBINED and method not in METHODS:
        raise ValueError(f"method must be {COMBINED!r} or one of {METHODS}, not {method!r}")
    results = forecast_candidates(series, kind, end_year, methods=() if method == COMBINED else (method,),
                                  seed=seed, n_paths=n_paths)
    return results[method] if method in results else results[COMBINED]


# --- reaching a target -------------------------------------------------------------------------

def _first_at_or_above(values: np.ndarray, years: np.ndarray, target: float) -> np.ndarray:
    """First year each row reaches the target; +inf where it never does."""
    hit = values >= target
    first = np.where(hit.any(axis=1), years[np.argmax(hit, axis=1)].astype(float), np.inf)
    return first


def target_year(result: ForecastResult, target_share: float, deadline: int,
                paths: Callable[[], np.ndarray] | None = None) -> TargetYear:
    """First year the median path reaches ``target_share``, the 80% range of that year over the
    simulated paths, and the probability of reaching it by ``deadline``.

    ``year`` is None with ``not_by_horizon`` set when the median path stays below the target up
    to the last forecast year; an upper end of the range beyond the horizon is None as well.
    ``paths`` gives the result's simulated paths when they are already drawn (see :func:`target_years`).
    """
    if not result.ok:
        return TargetYear(target_share, deadline, None, None, True, None, None, math.nan, reason=result.reason)
    horizon_end = int(result.years[-1])
    if deadline > horizon_end:
        raise ValueError(f"deadline {deadline} is after the forecast horizon {horizon_end}: forecast further first")
    last_year, last_value = int(result.history.index[-1]), float(result.history.iloc[-1])
    if last_value >= target_share:
        return TargetYear(target_share, deadline, horizon_end, last_year, False, last_year, last_year, 1.0,
                          already_reached=True)
    years = result.years
    median_hit = _first_at_or_above(result.median[None, :], years, target_share)[0]
    crossing = _first_at_or_above((paths or result.paths)(), years, target_share)
    lo, hi = np.quantile(crossing, [0.10, 0.90], method="inverted_cdf")
    prob = float(np.mean(crossing <= deadline))
    as_year = lambda v: None if not np.isfinite(v) else int(v)  # noqa: E731
    return TargetYear(target=target_share, deadline=deadline, horizon_end=horizon_end, year=as_year(median_hit),
                      not_by_horizon=not np.isfinite(median_hit), year_lo80=as_year(lo), year_hi80=as_year(hi),
                      prob_by_deadline=prob)


def target_years(result: ForecastResult, targets: Iterable[dict]) -> list[TargetYear]:
    """:func:`target_year` of each target (``percent``, ``year`` as in the parameters), with the
    simulated paths drawn once for all of them, and only if one needs them."""
    paths = cache(result.paths)
    return [target_year(result, tg["percent"] / 100, tg["year"], paths) for tg in targets]


@lru_cache(maxsize=1)
def skill() -> dict:
    """The forecast-skill record (``forecast_skill.json``, written by ``cakupan backtest``): what
    the default achieved on held-out years of series like the ones reported, for the reports' text."""
    return json.loads(files("analysis.model").joinpath(SKILL_FILE).read_text(encoding="utf-8"))


def calibration() -> dict[float, tuple[float, ...]]:
    """The default's band factors per level (0.80, 0.95) and horizon 1..6, as recorded in the skill
    record by the last full ``cakupan backtest --benchmark m1 tourism`` (see
    :func:`analysis.model.backtest.fit_calibration` for the rule)."""
    quantiles = skill()["calibration"]["quantiles"]
    return {level: tuple(float(q) for q in quantiles[str(round(level * 100))]) for level in LEVELS}
