"""Ranking within a parent: hand-checked ranks, ties, missing data, weights."""

import math
import textwrap

import pandas as pd
import pytest

from analysis.model import ranking
from analysis.data.contract import cached_dataset
from analysis.core.problems import InputError
from analysis.model.params import load_params

WEIGHTS = {"coverage": 0.5, "growth": 0.3, "distance": 0.2}


def _indicators():
    """Four regions; B and C tie on growth, C and D never reach the target at their pace; E has no data."""
    rows = [
        ("A", 0.50, 1.0, 0.0),
        ("B", 0.30, 0.5, ranking.years_to_target(13.92, 0.5)),  # 27.84 years
        ("C", 0.20, 0.5, ranking.years_to_target(23.92, 0.5)),  # 47.84 years
        ("D", 0.25, -0.2, ranking.years_to_target(18.92, -0.2)),  # never: infinite
        ("E", math.nan, math.nan, math.nan),
    ]
    table = pd.DataFrame(rows, columns=["kode", "coverage", "growth", "distance"]).set_index("kode")
    return table.assign(reason=[None, None, None, None, ranking.NO_DATA])


def test_years_to_target():
    assert ranking.years_to_target(13.92, 0.5) == pytest.approx(27.84)
    assert ranking.years_to_target(-1.0, 0.5) == 0.0
    assert ranking.years_to_target(5.0, 0.0) == math.inf


def test_ranks_ties_and_composite_by_hand():
    out = ranking.rank(_indicators(), WEIGHTS)
    assert out.loc[["A", "B", "D", "C"], "rank_coverage"].tolist() == [1, 2, 3, 4]
    assert out.loc[["A", "B", "C", "D"], "rank_growth"].tolist() == [1, 2.5, 2.5, 4]  # tie: average of 2 and 3
    assert out.loc[["A", "B", "C", "D"], "rank_distance"].tolist() == [1, 2, 3, 4]
    # Scores (n - rank) / (n - 1) with n = 4; composite = 0.5 coverage + 0.3 growth + 0.2 distance.
    assert out.at["A", "composite"] == pytest.approx(1.0)
    assert out.at["B", "composite"] == pytest.approx(0.5 * 2 / 3 + 0.3 * 0.5 + 0.2 * 2 / 3)
    assert out.at["C", "composite"] == pytest.approx(0.5 * 0 + 0.3 * 0.5 + 0.2 * 1 / 3)
    assert out.at["D", "composite"] == pytest.approx(0.5 * 1 / 3 + 0 + 0)
    assert out.loc[["A", "B", "C", "D"], "rank"].tolist() == [1, 2, 3, 4]  # C 0.217 ahead of D 0.167


def test_missing_data_is_unranked_with_its_reason():
    out = ranking.rank(_indicators(), WEIGHTS)
    assert not out.at["E", "ranked"] and math.isnan(out.at["E", "rank"]) and out.at["E", "reason"] == ranking.NO_DATA
    assert out.index[-1] == "E"


def test_equal_composites_share_the_average_rank():
    table = pd.DataFrame({"coverage": [0.3, 0.2], "growth": [0.2, 0.3], "distance": [10.0, 10.0], "reason": [None, None]},
                         index=["X", "Y"])
    out = ranking.rank(table, {"coverage": 0.5, "growth": 0.5, "distance": 0.0})
    assert out["rank"].tolist() == [1.5, 1.5]


def test_an_indicator_without_weight_does_not_unrank():
    table = _indicators()
    table.loc["B", "distance"] = math.nan
    out = ranking.rank(table, {"coverage": 0.5, "growth": 0.5, "distance": 0.0})
    assert out.at["B", "ranked"]


def _trend(years_values, sample: bool = False):
    return pd.DataFrame([{"tahun": y, "peserta": v * 1000, "penduduk_bekerja": 1000.0, "cakupan_tren": v, "sintetis": sample}
                         for y, v in years_values])


def _pace(points_per_year: float, start: int, end: int, sample: bool = False) -> dict:
    """A region's own recent pace, as its facts give it."""
    return {"points_per_year": points_per_year, "start": start, "end": end, "sintetis": sample}


def test_reference_year_and_reasons():
    tables = {
        "A": _trend([(2022, 0.2), (2023, 0.21), (2024, 0.22)]),
        "B": _trend([(2022, 0.3), (2024, 0.33)]),
        "C": _trend([(2023, 0.1)]),  # nothing in 2024
        "D": _trend([(2024, 0.4)]),  # no earlier year
    }
    assert ranking.reference_year(tables) == 2024  # 3 of 4 have 2024
    paces = {"A": _pace(1.0, 2022, 2024), "B": _pace(1.5, 2022, 2024), "C": _pace(0.5, 2021, 2023), "D": None}
    found = ranking.indicators(tables, 0.4392, paces)
    assert found.at["A", "growth"] == pytest.approx(1.0) and found.at["B", "growth"] == pytest.approx(1.5)
    assert found.at["C", "reason"] == ranking.NO_DATA
    assert found.at["D", "reason"] == ranking.NO_HISTORY and found.at["D", "coverage"] == pytest.approx(0.4)
    assert found.at["A", "distance"] == pytest.approx((43.92 - 22) / 1.0)
    assert not found["sintetis"].any()


def test_sample_values_mark_their_rows_and_far_distances_read_after_the_horizon():
    tables = {"A": _trend([(2022, 0.3), (2023, 0.32), (2024, 0.34)]),
              "B": _trend([(2022, 0.1), (2024, 0.101)], sample=True)}
    found = ranking.indicators(tables, 0.4392, {"A": _pace(2.0, 2022, 2024), "B": _pace(0.05, 2022, 2024, sample=True)})
    assert found.at["B", "sintetis_coverage"] and found.at["B", "sintetis_growth"] and found.at["B", "sintetis"]
    assert not found.at["A", "sintetis"]
    # B: (43.92 - 10.1) / 0.05 = 676.4 years: past the 2045 horizon.
    params = load_params()
    assert found.at["B", "distance"] == pytest.approx((43.92 - 10.1) / 0.05)
    assert 2024 + found.at["B", "distance"] > params["horizon"] >= 2024 + found.at["A", "distance"]


def test_jawa_barat_kabkota_ranking():
    from analysis.model.facts import facts_for

    out = facts_for("32", load_params(), cached_dataset()).children_ranking
    assert len(out) == 27 and out["ranked"].all()
    assert out["rank"].min() == 1 and out["rank"].max() <= 27
    # December is the kab/kota series' month: 2024 (August) and 2025 (February) figures are outside it.
    assert (out["tahun"] == 2023).all()
    assert out["sintetis"].all()
    assert out["after_horizon"].equals(out["tahun"] + out["distance"] > 2045) and out["after_horizon"].any()
    # each kab/kota's growth is its own page's pace
    kota_bandung = facts_for("32.73", load_params(), cached_dataset()).recent
    assert out.at["32.73", "growth"] == pytest.approx(kota_bandung["points_per_year"])


def _write(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_weights_must_sum_to_one(tmp_path):
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, """\
            ranking:
              weights: {coverage: 0.5, growth: 0.4, distance: 0.2}
            """))
    assert "ranking.weights" in str(err.value) and ":2" in str(err.value) and "sum to 1" in str(err.value)


def test_ranking_target_must_be_a_target(tmp_path):
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, "ranking:\n  target: rkp2026\n"))
    assert "ranking.target" in str(err.value) and "rpjmn2029" in str(err.value)


def test_weights_may_be_overridden_together(tmp_path):
    params = load_params(_write(tmp_path, "ranking:\n  weights: {coverage: 1, growth: 0, distance: 0}\n"))
    assert params["ranking"]["weights"] == {"coverage": 1, "growth": 0, "distance": 0}


def test_the_common_year_is_the_official_one_and_growth_is_each_regions_own_pace():
    # 2024 has the most values (sample ones), 2023 the most official ones: regions compare on 2023.
    official = lambda rows: _trend(rows)  # noqa: E731
    tables = {
        "A": pd.concat([official([(2023, 0.20)]), _trend([(2024, 0.25)], sample=True)], ignore_index=True),
        "B": pd.concat([official([(2023, 0.50)]), _trend([(2024, 0.40)], sample=True)], ignore_index=True),
        "C": _trend([(2024, 0.30)], sample=True),
    }
    assert ranking.reference_year(tables) == 2023
    assert ranking.reference_year({k: v.assign(sintetis=True) for k, v in tables.items()}) == 2024  # no official year: all values
    paces = {"A": {"points_per_year": 5.0, "sintetis": True}, "B": None, "C": {"points_per_year": 1.0, "sintetis": True}}
    found = ranking.indicators(tables, 0.4392, paces)
    assert found.at["A", "coverage"] == pytest.approx(0.20) and not found.at["A", "sintetis_coverage"]
    assert found.at["A", "growth"] == 5.0 and found.at["A", "sintetis_growth"]  # the pace given, not one recomputed
    assert found.at["A", "distance"] == pytest.approx((43.92 - 20) / 5.0)
    assert found.at["B", "reason"] == ranking.NO_HISTORY and found.at["B", "coverage"] == pytest.approx(0.5)
    assert found.at["C", "reason"] == ranking.NO_DATA  # no value in 2023: unranked, not compared on sample 2024


def test_a_rows_sources_are_those_of_its_coverage_year_and_of_its_pace():
    """A region compared on 2023 whose own pace runs 2024-2025: the row rests on all three years."""
    table = _trend([(2023, 0.20), (2024, 0.22), (2025, 0.23)]).assign(sumber=["bps:2023", "bpjs:2024 + bps:2024", "bpjs:2024"])
    pace = {"points_per_year": 1.0, "sintetis": False, "start": 2024, "end": 2025}
    found = ranking.indicators({"A": table}, 0.4392, {"A": pace}, year=2023)
    assert found.at["A", "sumber"] == "bps:2023 + bpjs:2024 + bps:2024"  # each once, in the table's order
    found = ranking.indicators({"A": table}, 0.4392, {"A": None}, year=2023)
    assert found.at["A", "sumber"] == "bps:2023"  # unranked: the coverage alone
