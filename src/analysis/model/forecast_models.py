"""The transformed scale and the single forecasting models that :mod:`analysis.model.forecast` combines.

Each model takes a prepared history (:class:`ModelInput`: transformed, and on the original scale)
and returns its forecast and spread on the transformed scale (:class:`Member`). Closed forms
wherever they exist (drift, damped drift, exponential smoothing on a grid of weights, linear
trend); Theta and damped-trend ETS come from statsmodels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

SHARE_HEADROOM = 1.25  # cap = SHARE_HEADROOM * max observed when a ratio exceeds 1
EPS = 1e-6  # distance kept from 0 and cap inside the logit only
DAMPING = 0.9  # yearly damping of the trend in the "damped" member (chosen on M1 and Tourism yearly)
SES_ALPHAS = np.linspace(0.05, 1.0, 96)  # grid for the smoothing weight of "ses_drift" (closed form, no optimiser)


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
    return cap / (1.0 + np.exp(-np.clip(z, -700.0, 700.0)))


def needed_halfwidth(width: float, m: float, kind: str, cap: float | None) -> float:
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
class Member:
    mean: np.ndarray
    sigma: np.ndarray


@dataclass(frozen=True)
class ModelInput:
    """A prepared history: transformed (``z``) and on the original scale (``y``, bridged years included)."""

    z: np.ndarray
    y: np.ndarray
    kind: str
    cap: float | None


def steps(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=float)


def drift_spread(d: np.ndarray, horizon: int) -> np.ndarray:
    """Random-walk-with-drift spread from the yearly changes ``d``, counting the estimated drift."""
    s = float(np.std(d, ddof=1)) if len(d) > 1 else abs(float(d[0]))
    h = steps(horizon)
    return s * np.sqrt(h * (1.0 + h / len(d)))


def level_spread(inp: ModelInput, mean: np.ndarray, sigma_y: np.ndarray) -> np.ndarray:
    """A spread in levels as a spread on the transformed scale around ``mean`` (transformed): the
    distance to the value one spread away, towards 1 (count) or towards the middle (share), so a
    level forecast near 0 or the cap does not blow up."""
    y = from_model_scale(mean, inp.kind, inp.cap)
    if inp.kind == "count":
        return np.log1p(sigma_y / y)
    toward = np.where(y < inp.cap / 2, np.minimum(y + sigma_y, inp.cap / 2), np.maximum(y - sigma_y, inp.cap / 2))
    return np.abs(to_model_scale(toward, inp.kind, inp.cap) - mean)


def _level_path(start: float, step: float, horizon: int, inp: ModelInput) -> np.ndarray:
    """start + h * step in levels, except that no year moves more than half of the way left to 0
    (or to the cap of a share): a straight line far from the bounds that bends towards them,
    continuously, instead of crossing them."""
    out = np.empty(horizon)
    value = start
    for i in range(horizon):
        room_up = (inp.cap - value) / 2 if inp.kind == "share" else math.inf
        value = value + min(max(step, -value / 2), room_up)
        out[i] = value
    return out


def _level_member(inp: ModelInput, mean_y: np.ndarray, sigma_y: np.ndarray) -> Member:
    """A forecast made in levels, put on the transformed scale."""
    mean = to_model_scale(mean_y, inp.kind, inp.cap)
    return Member(mean, level_spread(inp, mean, sigma_y))


def _naive(inp: ModelInput, horizon: int) -> Member:
    z = inp.z
    s = math.sqrt(float(np.mean(np.diff(z) ** 2)))
    return Member(np.full(horizon, z[-1]), s * np.sqrt(steps(horizon)))


def _drift(inp: ModelInput, horizon: int) -> Member:
    """Random walk with drift on the transformed scale (compound growth for a count)."""
    d = np.diff(inp.z)
    return Member(inp.z[-1] + d.mean() * steps(horizon), drift_spread(d, horizon))


def _drift_level(inp: ModelInput, horizon: int) -> Member:
    """Random walk with drift in levels: the last value plus h times the mean yearly change (bent
    before 0 or the cap, see _level_path)."""
    d = np.diff(inp.y)
    return _level_member(inp, _level_path(float(inp.y[-1]), float(d.mean()), horizon, inp), drift_spread(d, horizon))


def _damped(inp: ModelInput, horizon: int) -> Member:
    """Drift on the transformed scale, damped: the h-th year adds DAMPING^h of the mean change."""
    d = np.diff(inp.z)
    return Member(inp.z[-1] + d.mean() * np.cumsum(DAMPING ** steps(horizon)), drift_spread(d, horizon))


def _ses_drift(inp: ModelInput, horizon: int) -> Member:
    """Exponential smoothing plus drift, in levels (a Theta variant): the smoothed level plus h
    times the mean yearly change. Theta(2) is the smoothed level plus half a trend slope; here the
    drift is the whole mean change, and the smoothing weight minimises the squared one-step errors
    of level + drift over a grid (closed form per weight, no optimiser). Spread:
    sigma^2 (1 + (h - 1) alpha^2), as for simple exponential smoothing."""
    y = inp.y
    drift = float(np.mean(np.diff(y)))
    level = np.full(len(SES_ALPHAS), y[0])
    sse = np.zeros(len(SES_ALPHAS))
    for value in y[1:]:
        error = value - level - drift
        sse += error * error
        level = level + SES_ALPHAS * (value - level)
    k = int(np.argmin(sse))
    alpha = float(SES_ALPHAS[k])
    sigma = math.sqrt(float(sse[k]) / max(len(y) - 2, 1))
    h = steps(horizon)
    return _level_member(inp, _level_path(float(level[k]), drift, horizon, inp),
                         sigma * np.sqrt(1.0 + (h - 1.0) * alpha * alpha))


def _linear(inp: ModelInput, horizon: int) -> Member:
    z = inp.z
    n = len(z)
    t = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(t, z, 1)
    resid = z - (intercept + slope * t)
    s = math.sqrt(float(resid @ resid) / max(n - 2, 1))
    th = n - 1 + steps(horizon)
    sxx = float(((t - t.mean()) ** 2).sum())
    return Member(intercept + slope * th, s * np.sqrt(1.0 + 1.0 / n + (th - t.mean()) ** 2 / sxx))


def _ets_damped(inp: ModelInput, horizon: int) -> Member:
    """Damped-trend ETS(A,Ad,N). The initial level and trend are set from the data (first value,
    mean yearly change) rather than estimated: 3 parameters instead of 5 on 5-12 points."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    z = inp.z
    n = len(z)
    res = ETSModel(pd.Series(z), error="add", trend="add", damped_trend=True, initialization_method="known",
                   initial_level=float(z[0]), initial_trend=float(np.mean(np.diff(z)))).fit(disp=False)
    pred = res.get_prediction(start=n, end=n + horizon - 1)
    return Member(np.asarray(pred.predicted_mean, dtype=float), np.sqrt(np.asarray(pred.var_pred_mean, dtype=float)))


def _theta(inp: ModelInput, horizon: int) -> Member:
    """Theta method (theta=2) from statsmodels; its spread follows statsmodels' formula
    sigma^2 (1 + (h-1)(1 + (alpha-1)^2)), with sigma^2 from the in-sample one-step errors of the
    drifted SES instead of the extra ARIMA(0,1,1) fit statsmodels would run (slow, and it fails
    to converge on a handful of points)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    z = inp.z
    res = ThetaModel(pd.Series(z), period=1, deseasonalize=False).fit()
    mean = np.asarray(res.forecast(horizon, theta=2), dtype=float)
    b0, alpha = (float(x) for x in np.asarray(res.params))
    level, errors = z[0], []
    for value in z[1:]:
        errors.append(value - level - b0)
        level = level + alpha * (value - level)
    sigma2 = float(np.mean(np.square(errors)))
    ahead = np.arange(horizon, dtype=float)
    return Member(mean, np.sqrt(sigma2 * (1.0 + ahead * (1.0 + (alpha - 1.0) ** 2))))


FITTERS: dict[str, Callable[[ModelInput, int], Member]] = {
    "naive": _naive, "drift": _drift, "drift_level": _drift_level, "damped": _damped, "ses_drift": _ses_drift,
    "theta": _theta, "ets_damped": _ets_damped, "linear": _linear,
}
