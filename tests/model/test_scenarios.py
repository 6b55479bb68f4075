"""Strategy levers: ramps, sequential pools, caps, and the scenario forecast against the baseline."""

import textwrap

import numpy as np
import pandas as pd
import pytest

from analysis.model import forecast as fc
from analysis.model import scenarios as sc
from analysis.core.problems import InputError
from analysis.model.params import DEFAULT_PARAMS, load_params

YEARS = np.array([2026, 2027])
WORKFORCE = np.array([1000.0, 1000.0])


def lever(key: str, per_year: float, unit: str = "share", start: int = 2026, ramp: int = 1) -> sc.Lever:
    return sc.Lever(key, unit, per_year, start, ramp)


def setting(informal: float = 0.6, bpu: float = 0.5, retention: float = 1.0) -> sc.Setting:
    return sc.Setting(YEARS, WORKFORCE, informal, bpu, retention)


def test_ramp_phases_in_linearly():
    ramp = lever("desa", 1.0, start=2026, ramp=3).strength(np.arange(2024, 2031))
    assert ramp == pytest.approx([0, 0, 1 / 3, 2 / 3, 1, 1, 1])


def test_a_share_lever_by_hand():
    # 20% coverage of 1,000 workers = 200 participants, half BPU: uncovered informal = 600 - 100 = 500.
    stock = sc.lever_stock(np.array([[0.2, 0.2]]), setting(), [lever("desa", 10)])
    assert stock[0] == pytest.approx([50, 95])  # 10% of 500; then 50 kept and 10% of the other 450


def test_retention_lets_lever_enrolments_lapse():
    stock = sc.lever_stock(np.array([[0.2, 0.2]]), setting(retention=0.8), [lever("desa", 10)])
    assert stock[0] == pytest.approx([50, 40 + 46])  # 80% of 50 kept; 10% of the remaining 460 added


def test_share_levers_combine_without_double_counting():
    both = sc.lever_stock(np.array([[0.2, 0.2]]), setting(), [lever("desa", 10), lever("pasar", 20)])
    assert both[0, 0] == pytest.approx(500 * (1 - 0.9 * 0.8))  # 140, not 150
    swapped = sc.lever_stock(np.array([[0.2, 0.2]]), setting(), [lever("pasar", 20), lever("desa", 10)])
    assert swapped == pytest.approx(both)


def test_people_levers_are_capped_at_the_uncovered_workforce():
    # 90% coverage: only 100 workers are uncovered, though 600 are informal.
    stock = sc.lever_stock(np.array([[0.9, 0.9]]), setting(bpu=0.0), [lever("ukm", 10_000, unit="people")])
    assert stock[0] == pytest.approx([100, 100])
    assert np.all(0.9 * WORKFORCE + stock[0] <= WORKFORCE)


def test_levers_start_in_their_start_year():
    stock = sc.lever_stock(np.array([[0.2, 0.2]]), setting(), [lever("ecommerce", 30, unit="people", start=2027)])
    assert stock[0] == pytest.approx([0, 30])


def test_informal_share_comes_from_the_region_or_its_nearest_ancestor():
    section = load_params()["scenarios"]
    assert sc.informal_share(section, "32", ["ID"]) == pytest.approx(0.5495)
    assert sc.informal_share(section, "32.73", ["32", "ID"]) == pytest.approx(0.5495)
    assert sc.informal_share(section, "ID", []) == pytest.approx(0.578)


@pytest.fixture(scope="module")
def baseline():
    series = pd.Series([0.20, 0.21, 0.22, 0.235, 0.24, 0.26], index=range(2020, 2026))
    return fc.forecast(series, "share", 2045, n_paths=500)


def _setting_for(result):
    return sc.Setting(result.years, np.full(len(result.years), 1e6), 0.58, 0.2, 0.85)


def test_no_lever_gives_the_baseline(baseline):
    same = sc.apply(baseline, _setting_for(baseline), [])
    assert same.median == pytest.approx(baseline.median)
    assert same.paths() == pytest.approx(baseline.paths())
    target = fc.target_year(baseline, 0.4392, 2029)
    assert fc.target_year(same, 0.4392, 2029) == target


def test_a_scenario_keeps_no_paths_and_draws_the_same_ones_each_time(baseline):
    """Workers keep many regions' scenarios: only per-year arrays are kept; paths are drawn on demand."""
    levers = list(sc.levers_from_params(load_params()["scenarios"]).values())
    result = sc.apply(baseline, _setting_for(baseline), levers)
    kept = [v for v in vars(result).values() if isinstance(v, np.ndarray)]
    assert kept and all(v.ndim == 1 and v.size <= len(result.years) for v in kept)
    paths = result.paths()
    assert paths.shape == (500, len(result.years))
    np.testing.assert_array_equal(paths, result.paths())
    base = baseline.paths()
    np.testing.assert_allclose(paths, base + sc.lever_stock(base, _setting_for(baseline), levers) / 1e6)
    assert np.all(paths >= base - 1e-12) and np.any(paths > base)


def test_levers_raise_coverage_and_bring_the_target_forward(baseline):
    levers = sc.levers_from_params(load_params()["scenarios"])
    result = sc.apply(baseline, _setting_for(baseline), list(levers.values()))
    assert np.all(result.median >= baseline.median) and np.all(result.hi95 <= 1)
    assert np.all(result.lo95 <= result.lo80) and np.all(result.lo80 <= result.median) and np.all(result.median <= result.hi80)
    assert np.all(np.diff(result.stock) >= 0)
    base, scen = fc.target_year(baseline, 0.4392, 2029), fc.target_year(result, 0.4392, 2029)
    assert scen.prob_by_deadline >= base.prob_by_deadline
    shift = sc.target_shift(base, scen)
    assert shift is None or shift >= 0


def test_default_scenarios_are_labelled_illustrative():
    params = load_params()
    assert {lv["basis"] for lv in params["scenarios"]["levers"].values()} == {"illustrative"}
    assert set(params["scenarios"]["levers"]) == set(sc.LEVERS)
    assert "ILLUSTRATIVE ASSUMPTIONS, NOT OFFICIAL PLANS" in DEFAULT_PARAMS.read_text(encoding="utf-8")


def _write(tmp_path, text: str):
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_lever_parameters_are_checked_with_line_numbers(tmp_path):
    path = _write(tmp_path, """\
        scenarios:
          levers:
            desa: {unit: share, per_year: 150}
            pasar: {basis: sourced}
            arisan: {unit: people, per_year: 10}
          compare:
            - {id: x, levers: [desa, kopi]}
        """)
    with pytest.raises(InputError) as err:
        load_params(path)
    text = str(err.value)
    assert "scenarios.levers.arisan" in text and ":5" in text
    assert "scenarios.compare.0.levers" in text and ":7" in text


def test_cross_key_rules_after_merging(tmp_path):
    path = _write(tmp_path, """\
        scenarios:
          levers:
            desa: {per_year: 150}
            pasar: {basis: sourced}
        """)
    with pytest.raises(InputError) as err:
        load_params(path)
    text = str(err.value)
    assert "scenarios.levers.desa.per_year" in text and "up to 100" in text
    assert "scenarios.levers.pasar.basis" in text and "source" in text


def test_a_sourced_people_lever_for_one_region_is_accepted(tmp_path):
    path = _write(tmp_path, """\
        scenarios:
          levers:
            pasar: {basis: sourced, source: "Kanwil Jabar 2025", unit: people, per_year: 20000}
        """)
    assert load_params(path)["scenarios"]["levers"]["pasar"]["per_year"] == 20000


def test_above_100_percent_the_uncovered_informal_workers_still_count():
    # DKI-like: 150% coverage of 1,000 resident workers (employers register commuters), 36.6% informal,
    # BPU 16.8% of the 1,500 participants: 366 - 252 = 114 informal workers uncovered, not 1,000 - 1,500 < 0.
    stock = sc.lever_stock(np.array([[1.5, 1.5]]), setting(informal=0.366, bpu=0.168), [lever("ukm", 10_000, unit="people")])
    assert stock[0] == pytest.approx([366 - 0.168 * 1500] * 2)
