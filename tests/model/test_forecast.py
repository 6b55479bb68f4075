"""Forecasts: bounds, band shapes, bad histories, captured warnings, determinism, target year."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import expit

from analysis.model import forecast as fc
from analysis.model.forecast import forecast, forecast_candidates, target_year

BANDS = ("lo95", "lo80", "median", "hi80", "hi95")


def yearly(values, start=2011, drop=()):
    s = pd.Series(values, index=range(start, start + len(values)), dtype=float)
    return s.drop(list(drop))


def assert_no_warning_escapes(func, *args, **kwargs):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = func(*args, **kwargs)
    assert [str(w.message) for w in record] == []
    return out


# --- histories that cannot be forecast ----------------------------------------------------------

@pytest.mark.parametrize("series, words", [
    (pd.Series(dtype=float), "0 usable years"),
    (yearly([0.2, 0.3]), "2 usable years"),
    (yearly([0.2, 0.0, 0.3, 0.4]), "zero or negative values in 2012"),
    (yearly([0.2, -0.1, 0.3, 0.4]), "zero or negative values in 2012"),
    (yearly([np.nan, np.nan, np.nan, 0.4]), "1 usable year,"),
    (yearly([0.2, np.inf, 0.3, 0.4]), "infinite values in 2012"),
    (pd.Series([0.2, 0.3, 0.4, 0.5], index=[2011, 2012, 2012, 2013]), "duplicate years in the history: 2012"),
    (pd.Series([0.2, 0.3, 0.4, 0.5], index=[2011, 2012, 2016, 2017]), "2 usable years"),
    (pd.Series([0.2, 0.3, 0.4], index=["a", "b", "c"]), "whole years"),
    ([0.2, 0.3, 0.4], "pandas Series"),
])
def test_insufficient_history_gives_a_reason_not_an_exception(series, words):
    result = assert_no_warning_escapes(forecast, series, "share")
    assert not result.ok
    assert result.method == "insufficient"
    assert words in result.reason
    assert len(result.years) == len(result.median) == len(result.hi95) == 0
    crossing = target_year(result, 0.5, 2030)
    assert crossing.reason == result.reason and crossing.year is None


def test_end_year_not_after_history_is_insufficient():
    result = forecast(yearly([0.2, 0.25, 0.3]), "share", end_year=2013)
    assert not result.ok and "end year 2013" in result.reason


def test_unknown_kind_or_method_is_a_programming_error():
    with pytest.raises(ValueError):
        forecast(yearly([1.0, 2.0, 3.0]), "ratio")
    with pytest.raises(ValueError):
        forecast(yearly([1.0, 2.0, 3.0]), "count", method="arima")


def test_method_too_short_for_the_history_says_why():
    result = forecast(yearly([0.2, 0.25, 0.3, 0.32]), "share", method="ets_damped")
    assert not result.ok
    assert "needs at least 5 years" in result.reason


# --- warnings are captured, never printed ------------------------------------------------------

def test_statsmodels_warnings_are_captured_on_the_result(recwarn):
    # A constant history makes the ETS likelihood degenerate (log of zero variance).
    results = forecast_candidates(yearly([5000.0] * 9), "count", end_year=2025)
    assert len(recwarn) == 0
    assert results["combined"].ok and results["ets_damped"].ok
    assert any(w.startswith("ets_damped:") for w in results["ets_damped"].warnings)
    assert np.allclose(results["combined"].median, 5000.0)


def test_short_series_warnings_are_captured(recwarn):
    results = forecast_candidates(yearly([0.21, 0.24, 0.23, 0.27, 0.29]), "share", end_year=2030)
    assert len(recwarn) == 0
    assert "ets_damped" in results and "theta" in results
    assert any("below 8" in w for w in results["ets_damped"].warnings)


# --- shape of the result -----------------------------------------------------------------------

def test_result_fields_for_a_share_series():
    s = yearly([0.20, 0.22, 0.23, 0.25, 0.26, 0.28, 0.29, 0.31, 0.30, 0.33], start=2015)
    r = forecast(s, "share")
    assert r.ok and r.reason is None and r.method == "combined"
    assert r.members == ("drift_level", "damped", "ses_drift") == fc.DEFAULT_MEMBERS
    assert r.years[0] == 2025 and r.years[-1] == fc.DEFAULT_END_YEAR
    assert r.cap == 1.0 and r.transform.startswith("logit(value)")
    assert forecast(s, "share", method="drift").df == 8.0  # single methods: Student-t, n - 2
    assert r.frame().shape == (21, 5)
    assert r.paths().shape == (fc.N_PATHS, 21)
    pd.testing.assert_series_equal(r.history, s, check_names=False, check_index_type=False)


def test_ratio_above_one_is_kept_and_bounded_by_a_documented_cap():
    jakarta = pd.Series([1.30, 1.36, 1.41, 1.45, 1.48], index=range(2019, 2024))
    r = forecast(jakarta, "share", end_year=2035)
    assert r.ok
    assert r.cap == pytest.approx(fc.SHARE_HEADROOM * 1.48)
    assert "1.85" in r.transform and "cap" in r.transform
    assert list(r.history) == [1.30, 1.36, 1.41, 1.45, 1.48]  # not clipped
    assert r.median[0] > 1.0
    assert np.all(r.hi95 <= r.cap) and np.all(r.lo95 > 0)


def test_count_forecasts_stay_positive():
    r = forecast(yearly([120.0, 90.0, 60.0, 45.0, 30.0, 22.0]), "count", end_year=2040)
    assert r.ok
    assert np.all(r.lo95 > 0) and np.all(r.median > 0)
    assert np.all(r.paths() > 0)


def test_one_year_gap_is_bridged_for_fitting_and_reported():
    s = yearly([100.0, 104.0, 107.0, 111.0, 115.0, 118.0, 123.0, 126.0], drop=[2016])
    r = forecast(s, "count", end_year=2025)
    assert r.ok and r.bridged_years == (2016,)
    assert 2016 not in r.history.index
    assert any("bridged missing years 2016" in w for w in r.warnings)


def test_long_gap_drops_the_older_history():
    s = pd.Series([1.0, 2.0, 4.0, 5.0, 6.0], index=[2005, 2006, 2016, 2017, 2018])
    r = forecast(s, "count", end_year=2020)
    assert r.ok and list(r.history.index) == [2016, 2017, 2018]
    assert any("history before 2016 not used" in w for w in r.warnings)


def test_nan_is_a_missing_year():
    r = forecast(yearly([0.2, 0.22, np.nan, 0.25, 0.27]), "share", end_year=2020)
    assert r.ok and r.bridged_years == (2013,)


def test_same_input_gives_identical_output():
    s = yearly([0.31, 0.29, 0.33, 0.36, 0.35, 0.38, 0.41, 0.40, 0.44])
    a, b = forecast(s, "share"), forecast(s, "share")
    for name in BANDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.paths(), b.paths())
    assert target_year(a, 0.6, 2040) == target_year(b, 0.6, 2040)


def test_drift_on_an_exact_logit_line_follows_the_line():
    z = -2.0 + 0.2 * np.arange(10)
    r = forecast(pd.Series(expit(z), index=range(2015, 2025)), "share", end_year=2030, method="drift")
    np.testing.assert_allclose(r.median, expit(z[-1] + 0.2 * np.arange(1, 7)), rtol=1e-9)


# --- the default on hand-checked series ----------------------------------------------------------
# Members (worked out with a calculator, not with this module):
#   drift_level: last + h * mean yearly change;
#   damped: exp/expit of last_z + mean_z_change * (0.9 + ... + 0.9^h);
#   ses_drift: smoothed level (weight on the 0.05, 0.06, ..., 1.00 grid minimising the one-step
#   squared errors of level + drift) + h * mean yearly change.
# The default is their median on the log (count) or logit (share) scale.

def test_default_short_count_series_by_hand():
    # 100, 110, 130: drift_level 145, 160; damped 130 e^{0.9 d} = 146.291, 130 e^{1.71 d} = 162.692
    # with d = ln(1.3) / 2; ses_drift: sse(a) = 25 + (15 - 10 a)^2, smallest at a = 1: 145, 160.
    results = forecast_candidates(yearly([100.0, 110.0, 130.0]), "count", end_year=2015,
                                  methods=("drift_level", "damped", "ses_drift"))
    np.testing.assert_allclose(results["drift_level"].median, [145.0, 160.0], rtol=1e-12)
    np.testing.assert_allclose(results["damped"].median, [146.29108496, 162.69152068], rtol=1e-8)
    np.testing.assert_allclose(results["ses_drift"].median, [145.0, 160.0], rtol=1e-12)
    np.testing.assert_allclose(results["combined"].median, [145.0, 160.0], rtol=1e-12)
    assert results["combined"].ok and len(results["combined"].history) == 3


def test_default_is_the_middle_member_by_hand():
    # 100, 120, 110, 130: drift_level 140, 150; damped 140.646, 150.970 (d = ln(1.3) / 3);
    # ses_drift: weight 0.40 (sse 289.44), level 117.28, so 127.28, 137.28. Median: 140, 150.
    results = forecast_candidates(yearly([100.0, 120.0, 110.0, 130.0]), "count", end_year=2016,
                                  methods=("damped", "ses_drift"))
    np.testing.assert_allclose(results["damped"].median, [140.64566732, 150.97014185], rtol=1e-8)
    np.testing.assert_allclose(results["ses_drift"].median, [127.28, 137.28], rtol=1e-9)
    np.testing.assert_allclose(results["combined"].median, [140.0, 150.0], rtol=1e-12)


def test_default_across_a_break_uses_the_series_as_published():
    # A jump of 46 in 2014 (a change of source): the mean change is 54 / 5 = 10.8, so drift_level
    # gives 164.8; damped 154 e^{0.9 ln(1.54) / 5} = 166.446; ses_drift (weight 0.79) 163.861.
    s = yearly([100.0, 102.0, 104.0, 150.0, 152.0, 154.0])
    r = forecast(s, "count", end_year=2017)
    assert r.median[0] == pytest.approx(164.8, rel=1e-12)
    smooth = forecast(yearly([100.0, 102.0, 104.0, 106.0, 108.0, 110.0]), "count", end_year=2017)
    assert smooth.median[0] == pytest.approx(112.0, rel=1e-12)
    # the jump makes the spread of the yearly changes, and so the band, much wider
    assert (r.hi95[0] - r.lo95[0]) / r.median[0] > 5 * (smooth.hi95[0] - smooth.lo95[0]) / smooth.median[0]


def test_default_ratio_above_one_by_hand():
    # 1.30 ... 1.48: cap 1.85; drift_level 1.525; damped 1.51380 (logit of value / cap);
    # ses_drift (weight 0.92) 1.52232: the median is ses_drift, above 100% and not clipped.
    r = forecast(pd.Series([1.30, 1.36, 1.41, 1.45, 1.48], index=range(2019, 2024)), "share", end_year=2030)
    assert r.median[0] == pytest.approx(1.5223159424, rel=1e-9)
    assert np.all(r.median > 1.0) and np.all(r.hi95 < r.cap) and np.all(r.lo95 > 0)


def test_default_share_running_into_its_bound_by_hand():
    # 0.90, 0.94, 0.97, 0.99, mean change 0.03: no level step covers more than half the way left to
    # the bound. drift_level 0.99 + 0.005 = 0.995, then 0.9975; ses_drift (weight 0.87, level
    # 0.98680512) 0.99340256, 0.99670128; damped expit(logit .99 + 0.9 d) = 0.995104, then 0.997432,
    # d = (logit .99 - logit .9) / 3. Medians: 0.995 (drift_level), 0.997432 (damped).
    results = forecast_candidates(pd.Series([0.90, 0.94, 0.97, 0.99], index=range(2020, 2024)), "share",
                                  end_year=2030, methods=("drift_level", "ses_drift", "damped"))
    np.testing.assert_allclose(results["drift_level"].median[:2], [0.995, 0.9975], rtol=1e-12)
    np.testing.assert_allclose(results["ses_drift"].median[:2], [0.99340256, 0.99670128], rtol=1e-8)
    np.testing.assert_allclose(results["damped"].median[:2], [0.99510429, 0.99743165], rtol=1e-8)
    r = results["combined"]
    np.testing.assert_allclose(r.median[:2], [0.995, 0.99743165], rtol=1e-8)
    assert np.all(np.diff(r.median) > 0)
    for band in (r.lo95, r.lo80, r.median, r.hi80, r.hi95):
        assert np.all((band > 0.0) & (band < 1.0))


def test_default_falling_count_bends_before_zero():
    # 120, 90, 60, 45, 30, 22: the mean change (-19.6) would cross 0 in the second year; the level
    # members halve what is left instead, so every forecast stays above 0 and keeps falling.
    r = forecast(yearly([120.0, 90.0, 60.0, 45.0, 30.0, 22.0]), "count", end_year=2030, method="drift_level")
    np.testing.assert_allclose(r.median[:3], [11.0, 5.5, 2.75], rtol=1e-12)
    default = forecast(yearly([120.0, 90.0, 60.0, 45.0, 30.0, 22.0]), "count", end_year=2030)
    assert np.all(default.lo95 > 0) and np.all(np.diff(default.median) < 0)


def test_default_bands_are_the_fitted_quantiles_times_the_spread():
    s = yearly([100.0, 120.0, 110.0, 130.0, 128.0, 140.0])
    r = forecast(s, "count", end_year=2024)
    z = np.log(s.to_numpy())
    h = np.arange(1, 9)
    on_log = np.std(np.diff(z), ddof=1) * np.sqrt(h * (1 + h / 5))
    in_levels = np.log1p(np.std(np.diff(s.to_numpy()), ddof=1) * np.sqrt(h * (1 + h / 5)) / r.median)
    spread = np.minimum(on_log, fc.LEVEL_SPREAD_LIMIT * in_levels)
    f = fc.calibration()[0.95]
    b = np.log(f[-1] / f[-2]) / np.log(6 / 5)  # beyond horizon 6: the power law of the last step
    factor95 = np.array(f + (f[-1] * (7 / 6) ** b, f[-1] * (8 / 6) ** b))
    np.testing.assert_allclose(r.z_sigma, spread, rtol=1e-9)
    np.testing.assert_allclose(r.hi95, r.median * np.exp(factor95 * spread), rtol=1e-9)
    np.testing.assert_allclose(r.lo95, r.median * np.exp(-factor95 * spread), rtol=1e-9)


def test_factors_continue_the_last_steps_growth_by_hand():
    """(1, 2, 4): b = ln(4/2)/ln(3/2) = 1.7095; horizon 4: 4 * (4/3)^b = 6.5410, 5: 4 * (5/3)^b = 9.5788; a flat last step stays flat."""
    np.testing.assert_allclose(fc.extend_factors((1.0, 2.0, 4.0), 5), [1, 2, 4, 6.54100, 9.57884], rtol=1e-5)
    np.testing.assert_allclose(fc.extend_factors((1.0, 2.0, 2.0), 4), [1, 2, 2, 2])
    np.testing.assert_allclose(fc.extend_factors((1.0, 2.0, 4.0), 2), [1, 2])
    assert fc.calibrated_horizons() == len(fc.calibration()[0.80]) == 6


@pytest.mark.parametrize("level", [0.80, 0.95])
def test_band_width_grows_without_a_jump_at_the_last_calibrated_horizon(level):
    """The half-width's yearly increase (transformed scale) across H = 6 -> 7: the step after H is at
    least 85% of the step into H (measured 0.895 and 0.981; the constant factor of before gave 0.508
    and 0.392, the kink the pages showed at 2029), and no later step jumps either."""
    s = yearly([100.0, 120.0, 110.0, 130.0, 128.0, 140.0, 150.0, 149.0, 162.0, 170.0])
    r = forecast(s, "count", end_year=2019 + 12)
    steps = np.diff(r.z_half80 if level == 0.80 else r.z_half95)
    last = fc.calibrated_horizons()
    assert steps[last - 1] >= 0.85 * steps[last - 2]
    assert np.all(steps[last - 1:] >= 0.85 * steps[last - 2:-1]) and np.all(steps > 0)
    assert np.all(np.diff(fc.extend_factors(fc.calibration()[level], 12)[last - 1:]) > 0)  # the factor keeps growing after H


def test_paths_follow_the_bands():
    r = forecast(yearly([100.0, 120.0, 110.0, 130.0, 128.0, 140.0]), "count", end_year=2030, n_paths=20000)
    paths = r.paths()
    for q, band in ((0.025, r.lo95), (0.10, r.lo80), (0.5, r.median), (0.90, r.hi80), (0.975, r.hi95)):
        np.testing.assert_allclose(np.mean(paths <= band, axis=0), q, atol=0.006)  # 3.5 standard errors


# --- properties on random share series -----------------------------------------------------------

share_values = st.lists(st.floats(min_value=1e-4, max_value=1.0, allow_nan=False), min_size=3, max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=share_values, start=st.integers(1990, 2020), gap=st.booleans())
def test_share_forecasts_and_bands_stay_in_unit_interval_nest_and_widen(values, start, gap):
    s = yearly(values, start=start)
    if gap and len(s) >= 5:
        s = s.drop(s.index[len(s) // 2])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        r = forecast(s, "share", end_year=start + len(values) + 15, n_paths=200)
    assert record == []
    assert r.ok, r.reason
    lo95, lo80, med, hi80, hi95 = (getattr(r, name) for name in BANDS)
    for arr in (lo95, lo80, med, hi80, hi95):
        assert np.all(np.isfinite(arr)) and np.all(arr >= 0.0) and np.all(arr <= 1.0)
    assert np.all(lo95 <= lo80) and np.all(lo80 <= med) and np.all(med <= hi80) and np.all(hi80 <= hi95)
    assert np.all(np.diff(hi80 - lo80) >= -1e-12)
    assert np.all(np.diff(hi95 - lo95) >= -1e-12)
    paths = r.paths()
    assert np.all(paths >= 0.0) and np.all(paths <= 1.0)


# --- target year -------------------------------------------------------------------------------

def rising_logit(n=10, start=2015):
    return pd.Series(expit(-2.0 + 0.2 * np.arange(n)), index=range(start, start + n))


def test_target_year_on_a_series_that_clearly_crosses():
    # logit rises 0.2 a year to -0.2 in 2024; the target logit 0.5 is passed after 3.5 more years.
    r = forecast(rising_logit(), "share", end_year=2045, method="drift")
    hit = target_year(r, float(expit(0.5)), deadline=2030)
    assert hit.year == 2028 and not hit.not_by_horizon
    assert hit.year_lo80 == 2028 and hit.year_hi80 == 2028
    assert hit.prob_by_deadline == 1.0
    assert target_year(r, float(expit(0.5)), deadline=2027).prob_by_deadline == 0.0


def test_target_year_of_the_combination_is_consistent_with_its_paths():
    r = forecast(rising_logit(), "share", end_year=2045)
    hit = target_year(r, 0.6, deadline=2035)
    assert hit.year == int(r.years[np.argmax(r.median >= 0.6)])
    assert hit.year_lo80 <= hit.year and (hit.year_hi80 is None or hit.year <= hit.year_hi80)
    probs = [target_year(r, 0.6, d).prob_by_deadline for d in range(2025, 2046, 5)]
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert probs == sorted(probs) and probs[0] < probs[-1]


def test_target_years_draw_the_paths_once_and_agree_with_target_year(monkeypatch):
    r = forecast(pd.Series([0.20, 0.22, 0.24, 0.26, 0.28], index=range(2020, 2025)), "share", 2045, n_paths=400)
    targets = [{"percent": 43.92, "year": 2029}, {"percent": 99.5, "year": 2045}, {"percent": 25.0, "year": 2026}]
    alone = [target_year(r, tg["percent"] / 100, tg["year"]) for tg in targets]
    drawn, draw = [], fc.ForecastResult.paths
    monkeypatch.setattr(fc.ForecastResult, "paths", lambda self, n=None: drawn.append(n) or draw(self, n))
    assert fc.target_years(r, targets) == alone
    assert drawn == [None]  # once, for the two targets not yet reached
    assert alone[2].already_reached


def test_target_never_reached_is_not_by_horizon():
    falling = pd.Series([0.30, 0.29, 0.27, 0.26, 0.24, 0.23, 0.21, 0.20], index=range(2016, 2024))
    r = forecast(falling, "share", end_year=2045)
    hit = target_year(r, 0.9, deadline=2045)
    assert hit.year is None and hit.not_by_horizon and hit.horizon_end == 2045
    assert hit.year_hi80 is None
    assert 0.0 <= hit.prob_by_deadline < 0.05


def test_target_already_reached():
    r = forecast(rising_logit(), "share", end_year=2030)
    hit = target_year(r, 0.3, deadline=2030)
    assert hit.already_reached and hit.year == 2024 and hit.prob_by_deadline == 1.0


def test_deadline_after_the_horizon_is_refused():
    r = forecast(rising_logit(), "share", end_year=2030)
    with pytest.raises(ValueError, match="after the forecast horizon"):
        target_year(r, 0.6, deadline=2035)


def test_extrapolated_from_names_the_first_year_beyond_the_calibrated_horizons():
    s = yearly([100.0, 120.0, 110.0, 130.0, 128.0, 140.0])  # last year 2016
    assert fc.extrapolated_from(forecast(s, "count", end_year=2030)) == 2016 + 6 + 1
    assert fc.extrapolated_from(forecast(s, "count", end_year=2022)) is None  # every year measured
    assert fc.extrapolated_from(forecast(s, "count", end_year=2030, method="drift")) is None  # own bands, not calibrated
