"""The monthly series of active participants (analysis.model.monthly): the national December peak."""

from __future__ import annotations

import pandas as pd

from analysis.data.contract import cached_dataset
from analysis.model.monthly import december_peak, latest_run, monthly_series


def frame(values: dict[str, float], sample: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame({"periode": list(values), "tahun": [int(p[:4]) for p in values], "bulan": [int(p[5:]) for p in values],
                         "peserta": list(values.values()), "sumber": "s", "sintetis": [p in sample for p in values]})


def test_the_national_series_is_the_kemnaker_months_and_december_2024_is_a_peak():
    series = latest_run(monthly_series(cached_dataset(), "ID"))
    # Dec 2022 - Dec 2024 (Kemnaker Satu Data; Dec 2023 from the provincial table) and Feb 2025 (databoks); 2021's figures stand apart
    assert series["periode"].iloc[0] == "2022-12" and series["periode"].iloc[-1] == "2025-02" and len(series) == 26
    peak = december_peak(series)
    assert [(peak[k]["periode"], peak[k]["peserta"]) for k in ("december", "before", "after")] == [
        ("2024-12", 45_220_000), ("2024-10", 40_830_000), ("2025-02", 41_380_000)]
    assert peak["peak"] and not peak["sintetis"]


def test_a_december_without_its_october_uses_the_nearest_month_and_sample_is_said():
    series = frame({"2023-08": 10, "2023-09": 11, "2023-12": 12, "2024-01": 13}, sample=("2024-01",))
    peak = december_peak(series)
    assert (peak["before"]["periode"], peak["after"]["periode"]) == ("2023-09", "2024-01")
    assert peak["peak"] is False and peak["sintetis"] is True
    assert december_peak(frame({"2023-11": 1, "2023-12": 2})) is None  # nothing after December


def test_a_run_starts_after_the_last_long_gap():
    series = frame({"2021-03": 1, "2021-06": 2, "2022-12": 3, "2023-01": 4, "2023-03": 5})
    assert list(latest_run(series)["periode"]) == ["2022-12", "2023-01", "2023-03"]
    assert list(latest_run(series, max_gap=20)["periode"]) == list(series["periode"])
