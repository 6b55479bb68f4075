"""A region's status (analysis.model.status): hand-computed on small synthetic tables and on Jawa Barat."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.data.contract import cached_dataset
from analysis.model.facts import RegionFacts, facts_for
from analysis.model.params import load_params
from analysis.model.status import CANNOT_TELL, NO, REACHED, YES, judged_target, milestone_path, region_status, status_json

KEYS = {
    "headline": {"value", "year", "periode", "months", "data_as_of", "sintetis"},
    "milestone": {"year", "target", "label", "gap_points", "above", "sintetis"},
    "on_track": {"value", "reason", "pace_people", "needed_people", "pace_points", "needed_points", "sintetis"},
    "reached_year": {"target_year", "median", "low", "high", "p_by_deadline", "sintetis"},
    "best_lever": {"lever", "people_by_2029", "illustrative", "sintetis"},
}


@pytest.fixture(scope="module")
def params():
    return load_params()


@pytest.fixture(scope="module")
def ds():
    return cached_dataset()


def table(participants: dict[int, float], workforce: float = 1_000_000, sample: tuple[int, ...] = ()) -> pd.DataFrame:
    """A coverage table of Lampung (no figures off the series) with these participants and a flat workforce."""
    rows = []
    for year, people in participants.items():
        synthetic = year in sample
        rows.append({
            "kode": "18", "tahun": year, "periode_peserta": f"{year}-12", "PU": np.nan, "BPU": np.nan, "JAKON": np.nan, "PMI": np.nan,
            "TOTAL": people, "peserta": people, "periode_pekerja": f"{year}-08", "penduduk_bekerja": workforce, "pekerja_berhak": np.nan,
            "penyebut": workforce, "ukuran_penyebut": "penduduk_bekerja", "cakupan": people / workforce, "cakupan_tren": people / workforce,
            "sintetis": synthetic, "sumber": "s", "sintetis_peserta": synthetic, "sintetis_pekerja": False,
            "sumber_peserta": "s", "sumber_pekerja": "s"})
    return pd.DataFrame(rows)


def status_of(participants: dict[int, float], params, ds, sample=()):
    return region_status(RegionFacts("18", params, ds, table(participants, sample=sample)))


def test_the_judged_target_is_rpjmn_2029_with_its_sourced_milestones(params):
    target = judged_target(params)
    assert (target["id"], target["year"], target["percent"]) == ("rpjmn2029", 2029, 43.92)
    path = milestone_path(target)
    assert [(m["label"], m["year"], m["percent"]) for m in path] == [
        ("RPJMN 2025", 2025, 32.15), ("RKP 2026", 2026, 34.99), ("RPJMN 2025-2029", 2029, 43.92)]
    assert all(m["source"].startswith("https://") for m in path)


def test_a_region_too_slow_for_2029_is_not_on_track(params, ds):
    # 20%, 21%, 22%, 23% of a flat 1,000,000 in 2021-2024 (2019-2020 only extend the history).
    s = status_of({2019: 180_000, 2020: 190_000, 2021: 200_000, 2022: 210_000, 2023: 220_000, 2024: 230_000}, params, ds)
    assert s.headline["value"] == pytest.approx(0.23) and s.headline["year"] == 2024 and s.headline["data_as_of"] == "2024-12"
    # next milestone at or after 2024: RPJMN 2025, 32.15%: 9.15 points below
    assert (s.milestone["year"], s.milestone["label"]) == (2025, "RPJMN 2025")
    assert s.milestone["gap_points"] == pytest.approx(9.15) and s.milestone["above"] is False
    o = s.on_track
    assert o["value"] == NO and o["sintetis"] is False
    # pace 2021-2024: 10,000 people and 1 point a year; needed to 2029: (439,200 - 230,000) / 5 = 41,840 people, 20.92 / 5 points
    assert o["pace_people"] == pytest.approx(10_000) and o["pace_points"] == pytest.approx(1.0)
    assert o["needed_people"] == pytest.approx(41_840) and o["needed_points"] == pytest.approx(4.184)
    data = status_json(s, "en")
    assert "4.2× the recent pace in percentage points and 4.2× in people" in data["on_track"]["reason"]
    assert "+1.00 pp a year (10,000 people a year)" in data["on_track"]["reason"]


def test_a_fast_region_is_on_track_and_a_region_above_the_target_has_reached_it(params, ds):
    fast = status_of({2019: 80_000, 2020: 140_000, 2021: 200_000, 2022: 260_000, 2023: 320_000, 2024: 380_000}, params, ds)
    assert fast.on_track["value"] == YES and fast.on_track["pace_points"] == pytest.approx(6.0)
    assert fast.on_track["needed_points"] == pytest.approx((43.92 - 38) / 5)
    assert fast.milestone["gap_points"] == pytest.approx(32.15 - 38) and fast.milestone["above"] is True
    done = status_of({2019: 380_000, 2020: 400_000, 2021: 420_000, 2022: 430_000, 2023: 440_000, 2024: 450_000}, params, ds)
    assert done.on_track["value"] == REACHED and done.reached_year["median"] == 2024 and done.reached_year["p_by_deadline"] == 1.0


def test_one_official_year_cannot_tell_and_marks_the_sample_pace(params, ds):
    s = status_of({2019: 180_000, 2020: 190_000, 2021: 200_000, 2022: 210_000, 2023: 220_000, 2024: 230_000}, params, ds,
                  sample=(2019, 2020, 2021, 2022, 2023))
    assert s.on_track["value"] == CANNOT_TELL and s.on_track["sintetis"] is True and s.sintetis
    assert s.on_track["pace_points"] == pytest.approx(1.0)  # the sample pace is still said, marked
    assert s.headline["sintetis"] is False  # the 2024 headline is official
    reason = status_json(s, "en")["on_track"]["reason"]
    assert reason.startswith("Only 1 official year") and "On the sample years" in reason


@pytest.fixture(scope="module")
def jabar(params, ds):
    return facts_for("32", params, ds)


def test_jawa_barat_status_by_hand(jabar):
    s = region_status(jabar)
    assert s is region_status(jabar)  # computed once
    h = s.headline
    # Dec 2023 participants 4,855,121 / Aug 2023 employed 23,503,598; Sakernas Aug 2025 is the latest official month
    assert h["value"] == pytest.approx(4_855_121 / 23_503_598) and (h["year"], h["periode"], h["data_as_of"]) == (2023, "2023-12", "2025-08")
    assert s.milestone["year"] == 2025 and s.milestone["gap_points"] == pytest.approx(32.15 - 100 * 4_855_121 / 23_503_598)
    # one official year: cannot tell; the pace 2020-2023 rests on the sample 2020 figure (3,601,318 of 21,674,854)
    o = s.on_track
    assert o["value"] == CANNOT_TELL and o["sintetis"] is True
    assert o["pace_people"] == pytest.approx((4_855_121 - 3_601_318) / 3)
    assert o["pace_points"] == pytest.approx((4_855_121 / 23_503_598 - 3_601_318 / 21_674_854) * 100 / 3)
    growth = (23_503_598 / 21_674_854) ** (1 / 3) - 1
    assert o["needed_people"] == pytest.approx((0.4392 * 23_503_598 * (1 + growth) ** 6 - 4_855_121) / 6)
    assert o["needed_points"] == pytest.approx((43.92 - 100 * 4_855_121 / 23_503_598) / 6)
    assert s.national_reference is True


def test_jawa_barat_reached_year_and_lever_are_the_facts_own(jabar):
    s = region_status(jabar)
    ty = next(ty for tg, ty in jabar.target_years if tg["id"] == "rpjmn2029")
    r = s.reached_year
    assert (r["median"], r["low"], r["high"], r["p_by_deadline"]) == (ty.year, ty.year_lo80, ty.year_hi80, ty.prob_by_deadline)
    assert r["sintetis"] is True  # the forecast rests on sample years
    i = int(np.flatnonzero(jabar.outlook.years == 2029)[0])
    added = {entry["levers"][0]: result.stock[i] for entry, result, _ in jabar.scenario_results if len(entry["levers"]) == 1}
    best = max(added, key=added.get)
    b = s.best_lever
    assert b["lever"] == best == "pekerja_rentan" and b["people_by_2029"] == pytest.approx(added[best]) and b["illustrative"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_json_has_exactly_the_keys_others_read(jabar, lang):
    data = status_json(region_status(jabar), lang)
    assert set(data) == {*KEYS, "sintetis"}
    for part, keys in KEYS.items():
        assert set(data[part]) == keys, part
    assert data["reached_year"]["target_year"] == 2029 and data["best_lever"]["illustrative"] is True
    assert data["on_track"]["pace_people"] == round((4_855_121 - 3_601_318) / 3)
    assert data["headline"]["months"] == {"en": "participants December 2023, workforce August 2023",
                                          "id": "peserta Desember 2023, pekerja Agustus 2023"}[lang]
    assert data["sintetis"] is True and not any(isinstance(v, float) and math.isnan(v) for part in KEYS for v in data[part].values())


def test_reached_on_an_official_year_is_official_though_sample_years_follow(params, ds):
    """Reached on 2023 (official), with sample 2024 and 2025 after it: the status says reached, on
    official data, as the targets section does (the facts' own answer, not the latest sample year's)."""
    status = status_of({2022: 400_000, 2023: 500_000, 2024: 520_000, 2025: 540_000}, params, ds, sample=(2024, 2025))
    assert status.on_track["value"] == REACHED and status.on_track["sintetis"] is False
    assert status.reached_year["median"] == 2023 and status.reached_year["sintetis"] is False


def test_dki_above_both_targets_on_official_2023_reads_reached_without_a_mark(params, ds):
    status = status_json(region_status(facts_for("31", params, ds)), "en")
    assert status["on_track"]["value"] == REACHED and not status["on_track"]["sintetis"]
    assert (status["reached_year"]["median"], status["reached_year"]["sintetis"]) == (2023, False)
