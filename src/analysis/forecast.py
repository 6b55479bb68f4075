"""Yearly forecasts of coverage shares and worker counts, with prediction intervals.

Why this shape:

- Series here are short (4-13 yearly points) and noisy, so no single model is trusted. The
  default method is an equal-weight mean (on the transformed scale) of every candidate usable at
  the series' length: naive, random walk with drift, Theta and linear trend, plus damped-trend
  ETS from 8 points (3 points: naive, drift, linear). Simple combinations were among the most
  accurate entries on the M4 yearly series. On the 27 real Jawa Barat kab/kota series (rolling
  origin, horizons 1-3) the combination has MASE 1.72 against 1.77 for drift and 1.91 for naive;
  every single method did worse, and so did picking one method per series by its own past
  rolling-origin error (1.86). Members were not selected on the backtest: all usable ones
  are averaged.
- Forecasts are made on a transformed scale and back-transformed, so they stay in range:
  ``count`` uses ``log(value)``; ``share`` uses ``logit(value / cap)``. ``cap`` is 1 when every
  observation is at most 1 (an ordinary proportion: forecasts and intervals stay in [0, 1]).
  A coverage ratio above 1 is a definition effect (BPJS counts participants where the employer
  registered, BPS counts workers where they live), never an error, so the data are not clipped;
  the cap is then ``SHARE_HEADROOM`` (1.25) times the largest observed ratio and the result says
  so in ``transform``. Only inside the transform are values held ``EPS`` away from 0 and cap.
- Model intervals are too narrow on short yearly series (ETS fits put the smoothing at its
  bound and give intervals that do not widen). The spread of the combination is the
  random-walk-with-drift spread (which grows with the horizon and counts the uncertainty of the
  estimated drift), taken as Student-t with ``n - 2`` degrees of freedom (short series get
  wider bands), times the factors in ``CALIBRATION`` (see there: the backtest found no need to
  widen, so they are 1). Single methods keep their own model spread, uncalibrated; in the
  backtest the ETS, Theta and linear-trend bands under-cover (95% bands: 80%, 89%, 85%).
- Uncertainty about a later year is never smaller than about an earlier one: where the
  back-transform would narrow a band (a path running towards 0 or the cap), the spread on the
  transformed scale is raised until the band is at least as wide as the year before.
- Sample paths come from the same distribution (a random-walk-correlated Student-t path with a
  fixed seed), so the first year a target is reached and its probability are consistent with
  the bands. The same input always gives the same output.
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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

KINDS = ("share", "count")
METHODS = ("naive", "drift", "ets_damped", "theta", "linear")
COMBINED = "combined"
DEFAULT_END_YEAR = 2045
MIN_POINTS = 3  # fewer observed years than this: insufficient history
ETS_MIN_POINTS = 8  # below this the damped-trend ETS sits at its parameter bounds (see notes)
THETA_MIN_POINTS = 4
MAX_BRIDGE = 1  # longest interior gap (years) bridged by interpolation
SHARE_HEADROOM = 1.25  # cap = SHARE_HEADROOM * max observed when a ratio exceeds 1
EPS = 1e-6  # distance kept from 0 and cap inside the logit only
SIGMA_FLOOR = 1e-3  # smallest one-step spread on the transformed scale (no zero-width bands)
MIN_DF = 2.0  # Student-t degrees of freedom are at least this (df 1, a Cauchy, gives unreadable bands)
N_PATHS = 2000
SEED = 20240827
LEVELS = (0.80, 0.95)

# Members of the default combination, by how many observed years the series has: every
# candidate that is usable at that length, with equal weights (no selection on the test data).
COMBINATION_LONG = ("naive", "drift", "theta", "linear", "ets_damped")  # from ETS_MIN_POINTS years
COMBINATION_SHORT = ("naive", "drift", "theta", "linear")  # from THETA_MIN_POINTS years
COMBINATION_TINY = ("naive", "drift", "linear")  # MIN_POINTS years

# Spread multipliers for the combination, per horizon 1, 2, 3 (the last is used beyond).
# Checked with ``analysis.backtest.fit_calibration`` on the rolling-origin backtest of the 27
# real Jawa Barat kab/kota series: uncalibrated, the bands cover 79.5/81.8/87.3% (80% band) and
# 91.9/91.2/94.3% (95% band) at horizons 1/2/3. The fitted factors were 1.16/1.10/0.90, but
# fitted on one half of the kab/kota and checked on the other they came out 1.18/1.14/0.97 and
# 1.01/0.93/0.84 and did not improve held-out coverage reliably; the errors have heavier tails
# than the t (the 95% band alone wants 1.32/1.23/1.02, the 80% band 1.01/0.98/0.79), so one
# factor cannot fix both. Kept at 1; refit when longer real series are bundled.
CALIBRATION = (1.0, 1.0, 1.0)


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

        Each path is ``z_mean + z_sigma * W * sqrt(df / chi2)`` back-transformed, where ``W`` is a
        random walk normalised to unit variance at every horizon: the yearly marginals are the
        Student-t bands above and neighbouring years are correlated as in a random walk.
        """
        n = self.n_paths if n is None else n
        if not self.ok:
            return np.empty((n, 0))
        rng = np.random.default_rng(self.seed)
        horizon = len(self.years)
        walk = np.cumsum(rng.standard_normal((n, horizon)), axis=1) / np.sqrt(np.arange(1, horizon + 1))
        with np.errstate(all="ignore"):
            mix = np.sqrt(self.df / np.maximum(rng.chisquare(self.df, size=(n, 1)), 1e-300))
            z = self.z_mean + self.z_sigma * walk * mix
            z = np.where(np.isnan(z), self.z_mean, z)
            return from_model_scale(np.clip(z, -700.0, 700.0), self.kind, self.cap)


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


# --- transforms -------------------------------------------------------------------------------

def share_cap(values: np.ndarray) -> float:
    """1 for an ordinary proportion; SHARE_HEADROOM x the largest ratio when one exceeds 1."""
    top = float(np.max(values))
    return 1.0 if top <= 1.0 else SHARE_HEADROOM * top


def to_model_scale(y: np.ndarray, kind: str, cap: float | None) -> np.ndarray:
    """log(y) for counts; logit(y / cap) for shares, held EPS inside (0, 1) in the transform only."""
    if kind == "count":
        return np.log(y)
    p = np.clip(np.asarray(y, dtype=float) / cap, EPS, 1.0 - EPS)
    return np.log(p) - np.log1p(-p)


def from_model_scale(z: np.ndarray, kind: str, cap: float | None) -> np.ndarray:
    """Back to the original scale (quantiles map to quantiles: the mean of z gives the median)."""
    if kind == "count":  # held below float overflow: only absurd histories get near it
        return np.exp(np.clip(z, -700.0, 700.0))
    from scipy.special import expit

    return cap * expit(z)


def _needed_halfwidth(width: float, m: float, kind: str, cap: float | None) -> float:
    """Half-width ``a`` on the transformed scale so that B(m - a)..B(m + a) is ``width`` wide.

    Closed forms: log scale, width = 2 e^m sinh(a); logit scale, width / cap = sinh(a) / (cosh(a) + cosh(m)).
    """
    if kind == "count":
        return float(np.arcsinh(width * 0.5 * math.exp(-min(m, 700.0))))
    w = float(width) / cap
    if w <= 0.0:
        return 0.0
    if w >= 1.0 - 1e-15:
        return abs(m) + 745.0
    if abs(m) > 30.0:  # cosh(m) ~ e^|m| / 2: avoid overflow
        return math.log(w / (1.0 - w)) + abs(m)
    c = math.cosh(m)
    return math.log((w * c + math.sqrt(w * w * c * c + 1.0 - w * w)) / (1.0 - w))


# --- members: mean and spread on the transformed scale -----------------------------------------

@dataclass(frozen=True)
class _Member:
    mean: np.ndarray
    sigma: np.ndarray


def _h(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=float)


def _naive(z: np.ndarray, horizon: int) -> _Member:
    s = math.sqrt(float(np.mean(np.diff(z) ** 2)))
    return _Member(np.full(horizon, z[-1]), s * np.sqrt(_h(horizon)))


def _drift(z: np.ndarray, horizon: int) -> _Member:
    """Random walk with drift; the spread includes the uncertainty of the estimated drift."""
    d = np.diff(z)
    s = float(np.std(d, ddof=1)) if len(d) > 1 else abs(float(d[0]))
    h = _h(horizon)
    return _Member(z[-1] + d.mean() * h, s * np.sqrt(h * (1.0 + h / len(d))))


def _linear(z: np.ndarray, horizon: int) -> _Member:
    n = len(z)
    t = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(t, z, 1)
    resid = z - (intercept + slope * t)
    s = math.sqrt(float(resid @ resid) / max(n - 2, 1))
    th = n - 1 + _h(horizon)
    sxx = float(((t - t.mean()) ** 2).sum())
    return _Member(intercept + slope * th, s * np.sqrt(1.0 + 1.0 / n + (th - t.mean()) ** 2 / sxx))


def _ets_damped(z: np.ndarray, horizon: int) -> _Member:
    """Damped-trend ETS(A,Ad,N). The initial level and trend are set from the data (first value,
    mean yearly change) rather than estimated: 3 parameters instead of 5 on 5-12 points."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    n = len(z)
    res = ETSModel(pd.Series(z), error="add", trend="add", damped_trend=True, initialization_method="known",
                   initial_level=float(z[0]), initial_trend=float(np.mean(np.diff(z)))).fit(disp=False)
    pred = res.get_prediction(start=n, end=n + horizon - 1)
    return _Member(np.asarray(pred.predicted_mean, dtype=float), np.sqrt(np.asarray(pred.var_pred_mean, dtype=float)))


def _theta(z: np.ndarray, horizon: int) -> _Member:
    """Theta method (theta=2) from statsmodels; its spread follows statsmodels' formula
    sigma^2 (1 + (h-1)(1 + (alpha-1)^2)), with sigma^2 from the in-sample one-step errors of the
    drifted SES instead of the extra ARIMA(0,1,1) fit statsmodels would run (slow, and it fails
    to converge on a handful of points)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    res = ThetaModel(pd.Series(z), period=1, deseasonalize=False).fit()
    mean = np.asarray(res.forecast(horizon, theta=2), dtype=float)
    b0, alpha = (float(x) for x in np.asarray(res.params))
    level, errors = z[0], []
    for value in z[1:]:
        errors.append(value - level - b0)
        level = level + alpha * (value - level)
    sigma2 = float(np.mean(np.square(errors)))
    steps = np.arange(horizon, dtype=float)
    return _Member(mean, np.sqrt(sigma2 * (1.0 + steps * (1.0 + (alpha - 1.0) ** 2))))


_FITTERS: dict[str, Callable[[np.ndarray, int], _Member]] = {
    "naive": _naive, "drift": _drift, "ets_damped": _ets_damped, "theta": _theta, "linear": _linear,
}


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
    """Members of the default combination for a history of ``n_obs`` observed years."""
    if n_obs >= ETS_MIN_POINTS:
        return COMBINATION_LONG
    if n_obs >= THETA_MIN_POINTS:
        return COMBINATION_SHORT
    return COMBINATION_TINY


def _fit_members(z: np.ndarray, horizon: int, names: tuple[str, ...], caught: list[str]) -> dict[str, _Member]:
    """Fit each member, capturing warnings; a member that fails or gives non-finite output is left out."""
    fitted: dict[str, _Member] = {}
    # A sane model moves at most a few times the history's range plus its largest yearly change
    # per year ahead; statsmodels returns nonsense on e.g. a constant series (Theta's slope).
    d = np.abs(np.diff(z))
    bound = 3.0 * (float(np.ptp(z)) + _h(horizon) * float(d.max())) + 1e-9
    for name in names:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            try:
                with np.errstate(all="ignore"):
                    member = _FITTERS[name](z, horizon)
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
        if np.any(np.abs(member.mean - z[-1]) > bound):
            caught.append(f"{name}: forecast far outside anything the history supports (a failed fit); left out")
            continue
        fitted[name] = member
    return fitted


def _band_envelope(mean: np.ndarray, sigma: np.ndarray, q: dict[float, float], kind: str, cap: float | None) -> np.ndarray:
    """Raise sigma where needed so that every band is at least as wide as the year before."""
    sigma = np.maximum(sigma.copy(), SIGMA_FLOOR * np.sqrt(_h(len(sigma))))
    sigma = np.maximum.accumulate(sigma)
    prev: dict[float, float] = {}
    for i in range(len(mean)):
        for level, qq in q.items():
            if level in prev:
                width = float(np.diff(from_model_scale(mean[i] + np.array([-1.0, 1.0]) * qq * sigma[i], kind, cap))[0])
                if width < prev[level]:
                    sigma[i] = max(sigma[i], _needed_halfwidth(prev[level], float(mean[i]), kind, cap) / qq * (1 + 1e-12))
        for level, qq in q.items():
            prev[level] = float(np.diff(from_model_scale(mean[i] + np.array([-1.0, 1.0]) * qq * sigma[i], kind, cap))[0])
    return sigma


def _calibration(horizon: int, factors: tuple[float, ...]) -> np.ndarray:
    f = np.asarray(factors, dtype=float)
    return np.concatenate([f[:horizon], np.full(max(horizon - len(f), 0), f[-1])])


def _assemble(prep: _Prepared, kind: str, method: str, members: tuple[str, ...], mean: np.ndarray,
              sigma: np.ndarray, factors: tuple[float, ...], caught: list[str], seed: int, n_paths: int) -> ForecastResult:
    from scipy import stats  # here, not at the top: parameter validation imports this module's constants

    n_obs = len(prep.history)
    df = max(float(n_obs - 2), MIN_DF)
    q = {level: float(stats.t.ppf(0.5 + level / 2, df)) for level in LEVELS}
    horizon = len(mean)
    scale = _calibration(horizon, factors)
    sigma = _band_envelope(mean, sigma * scale, q, kind, prep.cap)
    bands = {level: (from_model_scale(mean - qq * sigma, kind, prep.cap), from_model_scale(mean + qq * sigma, kind, prep.cap))
             for level, qq in q.items()}
    years = np.arange(prep.years[-1] + 1, prep.years[-1] + 1 + horizon)
    return ForecastResult(
        kind=kind, method=method, members=members, years=years, median=from_model_scale(mean, kind, prep.cap),
        lo80=bands[0.80][0], hi80=bands[0.80][1], lo95=bands[0.95][0], hi95=bands[0.95][1],
        history=prep.history, bridged_years=prep.bridged, transform=_transform_label(kind, prep.cap), cap=prep.cap,
        calibration=tuple(float(x) for x in scale), df=df, seed=seed, n_paths=n_paths, reason=None,
        warnings=tuple(prep.notes + caught), z_mean=mean, z_sigma=sigma)


def _combine(fitted: dict[str, _Member], members: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Equal-weight mean of the members' forecasts; spread of the drift model (see module doc)."""
    mean = np.mean([fitted[m].mean for m in members], axis=0)
    return mean, fitted["drift"].sigma


def forecast_candidates(series: pd.Series, kind: str, end_year: int = DEFAULT_END_YEAR,
                        methods: tuple[str, ...] = METHODS, seed: int = SEED,
                        n_paths: int = N_PATHS) -> dict[str, ForecastResult]:
    """Every single method (its own model spread, uncalibrated) and the combination, fitted once.

    Used by the backtest and by reports that show the alternatives; ``"combined"`` is what
    :func:`forecast` returns by default. A method that cannot be used has ``reason`` set; when
    the history itself is unusable only ``"combined"`` is returned (with the reason).
    No warning escapes: any raised outside the model fits is added to every result's ``warnings``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {METHODS}")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with np.errstate(over="ignore", under="ignore"):
            out = _candidates(series, kind, end_year, tuple(methods), seed, n_paths)
    extra = tuple(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in record))
    if extra:
        out = {k: replace(v, warnings=v.warnings + extra) for k, v in out.items()}
    return out


def _candidates(series: pd.Series, kind: str, end_year: int, methods: tuple[str, ...], seed: int,
                n_paths: int) -> dict[str, ForecastResult]:
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
    fitted = _fit_members(prep.z, horizon, tuple(allowed), caught)
    if "ets_damped" in fitted and n_obs < ETS_MIN_POINTS:
        caught.append(f"ets_damped: only {n_obs} years; below {ETS_MIN_POINTS} it has too few points for its "
                      "parameters (not used in the combination) and its bands are too narrow")
    out: dict[str, ForecastResult] = {}
    for name in methods:
        notes = [c for c in caught if c.startswith(name + ":")]
        if name in fitted:
            out[name] = _assemble(prep, kind, name, (name,), fitted[name].mean, fitted[name].sigma, (1.0,),
                                  notes, seed, n_paths)
        else:
            out[name] = _insufficient(kind, f"method {name} could not be used: " + "; ".join(notes),
                                      prep.notes + notes, prep.history)
    used = tuple(m for m in members if m in fitted)
    if "drift" not in fitted or not used:  # drift is plain numpy and cannot fail on a prepared history
        out[COMBINED] = _insufficient(kind, "no forecasting method could be fitted", prep.notes + caught, prep.history)
        return out
    mean, sigma = _combine(fitted, used)
    out[COMBINED] = _assemble(prep, kind, COMBINED, used, mean, sigma, CALIBRATION,
                              [c for c in caught if c.split(":")[0] in used], seed, n_paths)
    return out


def forecast(series: pd.Series, kind: str, end_year: int = DEFAULT_END_YEAR, method: str = COMBINED,
             seed: int = SEED, n_paths: int = N_PATHS) -> ForecastResult:
    """Forecast a yearly series to ``end_year`` with 80% and 95% bands.

    ``method`` is ``"combined"`` (default, calibrated) or one of METHODS (its own model spread,
    uncalibrated). Never raises on bad history: check ``result.ok`` / ``result.reason``.
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


def target_year(result: ForecastResult, target_share: float, deadline: int) -> TargetYear:
    """First year the median path reaches ``target_share``, the 80% range of that year over the
    simulated paths, and the probability of reaching it by ``deadline``.

    ``year`` is None with ``not_by_horizon`` set when the median path stays below the target up
    to the last forecast year; an upper end of the range beyond the horizon is None as well.
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
    crossing = _first_at_or_above(result.paths(), years, target_share)
    lo, hi = np.quantile(crossing, [0.10, 0.90], method="inverted_cdf")
    prob = float(np.mean(crossing <= deadline))
    as_year = lambda v: None if not np.isfinite(v) else int(v)  # noqa: E731
    return TargetYear(target=target_share, deadline=deadline, horizon_end=horizon_end, year=as_year(median_hit),
                      not_by_horizon=not np.isfinite(median_hit), year_lo80=as_year(lo), year_hi80=as_year(hi),
                      prob_by_deadline=prob)


SKILL_FILE = Path(__file__).with_name("forecast_skill.json")


@lru_cache(maxsize=1)
def skill() -> dict:
    """The committed forecast-skill record (``cakupan backtest`` writes it): what pages may claim about accuracy."""
    return json.loads(SKILL_FILE.read_text(encoding="utf-8"))
