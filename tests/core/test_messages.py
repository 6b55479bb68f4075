"""The message catalogue and locale formats."""

import datetime as dt
import string

import pytest

from analysis.core.messages import LANGUAGES, catalogue, fmt_datetime, fmt_int, fmt_pct, fmt_period, fmt_pp, t, t_each


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    entry = catalogue()[key]
    assert set(entry) == set(LANGUAGES), key
    assert entry["id"].strip() and entry["en"].strip()
    assert _fields(entry["id"]) == _fields(entry["en"]), key


def test_indonesian_and_english_number_formats():
    assert fmt_int(5_900_000, "id") == "5.900.000"
    assert fmt_int(5_900_000, "en") == "5,900,000"
    assert fmt_pct(0.314, "id") == "31,4%"
    assert fmt_pct(0.314, "en") == "31.4%"
    assert fmt_pct(1.478, "id") == "147,8%"  # never clipped
    assert fmt_pp(-0.06, "en") == "−0.1 pp"
    assert fmt_pp(2.34, "id") == "+2,3 poin persen"
    assert fmt_int(float("nan"), "id") == "–"
    assert fmt_pp(-0.04, "id") == "±0,0 poin persen"  # no "−0,0": the sign follows the rounded value
    assert fmt_pp(0.5, "en") == "+0.5 pp" and fmt_pp(2.25, "en", 2) == "+2.25 pp"  # any rise has its plus; the digits asked
    assert fmt_pp(None, "en") == fmt_pp(float("nan"), "id") == "–"


def test_periods_are_named_in_the_language():
    assert fmt_period("2023-12", "id") == "Desember 2023"
    assert fmt_period("2024-08", "en") == "August 2024"
    assert fmt_period("2019", "en") == "2019"
    assert fmt_period("2021-01", "en") == "January 2021"
    assert fmt_period("2021-01", "id") == "Januari 2021"


def test_moments_and_messages_for_every_language():
    moment = dt.datetime(2021, 1, 1, 7, 5, tzinfo=dt.timezone.utc)
    assert fmt_datetime(moment, "en") == "January 1, 2021 07:05 UTC"
    assert fmt_datetime(moment, "id") == "1 Januari 2021 07:05 UTC"
    both = t_each("lock.busy", folder="X", seconds="5")
    assert both == t("lock.busy", "id", folder="X", seconds="5") + " / " + t("lock.busy", "en", folder="X", seconds="5")
    assert t_each("lock.busy", ("en",), folder="X", seconds="5") == t("lock.busy", "en", folder="X", seconds="5")


def test_placeholders_are_filled():
    assert t("report.title", "en", region="Jawa Barat") == "Employment social security coverage: Jawa Barat"


def test_counts_follow_one_rule_in_both_languages():
    """Singular for one, plural for more, "none of" for zero where the text has a zero form (never "0 of the 9")."""
    from analysis.core.messages import tn

    assert tn("trend.official", "en", 1, total=9) == "1 of the 9 points of this series is official; the others are sample data (◇)."
    assert tn("trend.official", "en", 2, total=9).startswith("2 of the 9 points of this series are official")
    assert tn("trend.official", "en", 0, total=9).startswith("None of the 9 points")
    assert tn("forecast.sample", "id", 0, n=9).startswith("Tidak satu pun dari 9 tahun")
    assert "0 dari" not in tn("forecast.sample", "id", 0, n=9)
    assert tn("scenarios.year.shift", "en", 1, year=2031) == "2031 (1 year earlier)"
    assert tn("scenarios.year.shift", "en", 3, year=2031) == "2031 (3 years earlier)"
    assert tn("scenarios.year.shift", "id", 1, year=2031) == "2031 (1 tahun lebih cepat)"
    assert "(the series has only 1 official year)" in tn("pace.sample", "en", 1)
    assert tn("cli.count.regions", "en", 0) == "0 regions"  # no zero form: the plural



def test_counts_are_rounded_not_truncated_on_hand_computed_values():
    """The national gap to RPJPN's 99.5%: 0.995 × 144,642,004 employed − 45,220,000 participants
    = 98,698,793.98 people, shown as 98,698,794 (int() would show 98,698,793)."""
    gap = 0.995 * 144_642_004 - 45_220_000
    assert (fmt_int(gap, "en"), fmt_int(gap, "id")) == ("98,698,794", "98.698.794")
    assert [fmt_int(v, "en") for v in (0.6, 1.49, 1.51, 999_999.7, -2.6)] == ["1", "1", "2", "1,000,000", "−3"]


def test_the_overview_counts_provinces_in_the_singular_and_without_zero():
    from analysis.core.messages import tn

    values = {"target": "RPJMN 2025-2029", "target_value": "43.92%"}
    assert tn("overview.spread.reached", "en", 1, **values) == "1 province has reached the RPJMN 2025-2029 target (43.92%)."
    assert tn("overview.spread.reached", "en", 8, **values) == "8 provinces have reached the RPJMN 2025-2029 target (43.92%)."
    assert tn("overview.spread.reached", "id", 0, **values) == "Belum ada provinsi yang mencapai target RPJMN 2025-2029 (43.92%)."
    assert tn("overview.distribution.over", "en", 1) == "1 province above 100%"
    assert tn("overview.distribution.over", "en", 0) == "no province above 100%"
