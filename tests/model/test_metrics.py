"""Coverage metrics pinned to hand-computed values, and properties of aggregation and decomposition."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.model import metrics
from analysis.data.contract import Dataset, cached_dataset
from analysis.model.params import load_params
from analysis.data.regions import RegionTree

# Jawa Barat, August 2024 (liputan6, 27 Aug 2024): 5.0 M formal + 923 k informal of 18.9 M eligible.
JB_PARTICIPANTS, JB_ELIGIBLE = 5_923_000, 18_900_000


@pytest.fixture(scope="module")
def ds():
    return cached_dataset()


@pytest.fixture(scope="module")
def definition():
    return load_params()["coverage"]


@pytest.fixture(scope="module")
def jabar(ds, definition):
    return metrics.coverage_table(ds, ["32"], definition).set_index("tahun")


def test_jawa_barat_2024_figure_is_beside_the_series_and_matches_the_published_figure(ds, definition, jabar):
    # The regional office's August 2024 count is another month and definition than the December
    # Kemnaker series: it is not a point of the series, but an off-series figure.
    assert math.isnan(jabar.loc[2024, "peserta"]) and jabar.loc[2024, "penduduk_bekerja"] == 24_417_110
    points = metrics.off_series(ds, "32", definition).set_index("periode")
    row = points.loc["2024-08"]
    assert row["peserta"] == JB_PARTICIPANTS and not row["sintetis"]
    assert row["penyebut"] == JB_ELIGIBLE and row["ukuran_penyebut"] == "pekerja_berhak"
    assert row["cakupan"] == pytest.approx(0.3133862434, abs=1e-10)  # 31.34%; published as 31.4%
    # Beside the trend it is read over the employed population: 5,923,000 / 24,417,110.
    assert row["cakupan_tren"] == pytest.approx(5_923_000 / 24_417_110)
    # February 2025 (Databoks) is the other figure outside the series.
    assert list(points.index) == ["2024-08", "2025-02"] and points.at["2025-02", "peserta"] == 4_960_000


def test_series_use_one_reference_month(ds, definition):
    national = metrics.coverage_table(ds, ["ID"], definition).set_index("tahun")
    # December for participants, August for the employed: 2021 (August only) and 2025 (February only) have no point.
    assert national["periode_peserta"].dropna().str[5:].isin(["", "12"]).all()
    assert national["periode_pekerja"].dropna().str[5:].eq("08").all()
    assert math.isnan(national.at[2021, "peserta"]) and math.isnan(national.at[2025, "peserta"])
    assert national.at[2024, "peserta"] == 45_220_000
    assert list(metrics.off_series(ds, "ID", definition)["periode"]) == ["2021-08", "2025-02"]


def test_headline_is_the_latest_official_year(ds, definition):
    lampung = metrics.coverage_table(ds, ["18"], definition)
    row = metrics.headline_row(lampung)
    # Dec 2023 participants 354,603 + 125,036 + 99,250 over 4,697,658 employed (Aug 2023); 2024-2025 are sample.
    assert int(row["tahun"]) == 2023 and not row["sintetis"]
    assert row["cakupan"] == pytest.approx(578_889 / 4_697_658) and round(row["cakupan"] * 100, 1) == 12.3
    assert int(metrics.latest_complete(lampung)["tahun"]) == 2025 and metrics.latest_complete(lampung)["sintetis"]
    assert metrics.months_differ(row)
    # A region without any official year gets its latest (sample) year.
    papua_tengah = metrics.coverage_table(ds, ["94"], definition)
    assert int(metrics.headline_row(papua_tengah)["tahun"]) == 2025 and metrics.headline_row(papua_tengah)["sintetis"]


def test_numerator_and_denominator_carry_their_own_provenance(jabar):
    assert jabar.loc[2022, "sintetis_peserta"] and not jabar.loc[2022, "sintetis_pekerja"] and jabar.loc[2022, "sintetis"]
    assert not jabar.loc[2023, "sintetis_peserta"] and not jabar.loc[2023, "sintetis"]


def test_formal_and_informal_shares_of_jawa_barat_2023(jabar):
    shares = metrics.segment_shares(jabar.loc[2023])
    total = 3_294_363 + 930_495 + 630_263
    assert shares == {"PU": pytest.approx(3_294_363 / total), "BPU": pytest.approx(930_495 / total),
                      "JAKON": pytest.approx(630_263 / total)}


def test_gap_to_rpjmn_at_18_9_million_eligible():
    gap = metrics.gap_to_target(JB_PARTICIPANTS, JB_ELIGIBLE, 0.4392)
    assert gap["people"] == pytest.approx(2_377_880, abs=1e-6)  # 0.4392 x 18,900,000 - 5,923,000
    assert gap["points"] == pytest.approx(12.5813756614)
    assert gap["reached"] is False
    assert metrics.gap_to_target(50, 100, 0.4392) == {"people": 0.0, "points": pytest.approx(-6.08), "reached": True}


def test_required_pace_to_rpjmn_from_jawa_barat_2024():
    pace = metrics.required_pace(JB_PARTICIPANTS, JB_ELIGIBLE, 0.4392, 2024, 2029)
    assert pace["years"] == 5
    assert pace["people_per_year"] == pytest.approx(475_576)  # 2,377,880 / 5
    assert pace["points_per_year"] == pytest.approx(2.5162751323)  # 12.58 pp / 5
    grown = metrics.required_pace(JB_PARTICIPANTS, JB_ELIGIBLE, 0.4392, 2024, 2029, workforce_growth=0.01)
    # 0.4392 x 18.9 M x 1.01^5 = 8,724,308.30 needed in 2029; points per year do not depend on growth.
    assert grown["people_per_year"] == pytest.approx(560_261.661, abs=1e-3)
    assert grown["points_per_year"] == pytest.approx(pace["points_per_year"])
    passed = metrics.required_pace(JB_PARTICIPANTS, JB_ELIGIBLE, 0.4392, 2029, 2029)
    assert passed["deadline_passed"] and math.isnan(passed["people_per_year"])


def test_pace_ratio_reads_as_times_the_recent_pace():
    assert metrics.pace_ratio(2.5162751323, 0.74) == pytest.approx(3.4, abs=0.01)
    assert metrics.pace_ratio(0.0, 0.5) == 0.0
    assert metrics.pace_ratio(1.0, 0.0) == math.inf
    assert metrics.pace_ratio(1.0, -0.3) == math.inf
    assert math.isnan(metrics.pace_ratio(float("nan"), 1.0))


def _table(rows):
    return pd.DataFrame(rows, columns=["tahun", "peserta", "penduduk_bekerja"]).assign(
        cakupan_tren=lambda d: d["peserta"] / d["penduduk_bekerja"])


def test_year_on_year_compares_consecutive_years_only():
    table = _table([(2020, 100, 1000), (2021, 130, 1000), (2023, 150, 1200)])
    yoy = metrics.year_on_year(table).set_index("tahun")
    assert math.isnan(yoy.at[2020, "perubahan_peserta"])
    assert yoy.at[2021, "perubahan_peserta"] == 30 and yoy.at[2021, "perubahan_poin"] == pytest.approx(3.0)
    assert math.isnan(yoy.at[2023, "perubahan_peserta"])  # 2022 missing: no two-year jump read as one


def test_cagr_over_any_window():
    series = pd.Series([100.0, 110.0, 121.0, 133.1], index=[2020, 2021, 2022, 2023])
    assert metrics.cagr(series) == pytest.approx(0.10)
    assert metrics.cagr(series, 2021, 2022) == pytest.approx(0.10)
    assert math.isnan(metrics.cagr(series, 2022, 2022))
    assert math.isnan(metrics.cagr(series, 2019, 2022))
    assert math.isnan(metrics.cagr(pd.Series([0.0, 5.0], index=[2020, 2021])))


def test_decomposition_by_hand():
    # 100 of 1,000 (10%) to 150 of 1,200 (12.5%): +2.5 pp.
    parts = metrics.decompose_change(100, 1000, 150, 1200)
    assert parts["total"] == pytest.approx(2.5)
    assert parts["participants"] == pytest.approx(50 * (1 / 1000 + 1 / 1200) / 2 * 100)  # +4.583 pp
    assert parts["workforce"] == pytest.approx((1 / 1200 - 1 / 1000) * 125 * 100)  # -2.083 pp


counts = st.floats(min_value=1, max_value=1e8, allow_nan=False)


@given(counts, counts, counts, counts)
def test_decomposition_sums_to_the_total_change(p0, w0, p1, w1):
    parts = metrics.decompose_change(p0, w0, p1, w1)
    scale = abs(parts["participants"]) + abs(parts["workforce"])  # floating-point error grows with the parts
    assert parts["participants"] + parts["workforce"] == pytest.approx(parts["total"], abs=1e-12 * scale + 1e-12)


def test_recent_pace_over_a_window_with_a_missing_year():
    table = _table([(2019, 80, 1000), (2021, 100, 1000), (2022, 120, 1000), (2024, 160, 1100)])
    pace = metrics.recent_pace(table, "penduduk_bekerja", window=3)
    assert (pace["start"], pace["end"], pace["years"]) == (2021, 2024, 3)
    assert pace["people_per_year"] == pytest.approx(20)
    assert pace["points_per_year"] == pytest.approx((160 / 1100 - 0.1) * 100 / 3)
    assert pace["workforce_growth"] == pytest.approx(1.1 ** (1 / 3) - 1)
    assert metrics.recent_pace(_table([(2019, 80, 1000), (2024, 160, 1100)]), "penduduk_bekerja", window=3) is None


# --- aggregation up the tree ----------------------------------------------------------------------

def test_jawa_barat_kabkota_sum_to_the_published_province(ds, definition, jabar):
    recon = metrics.reconcile(ds, "32", definition)
    compared = recon[recon["status"] != metrics.INCOMPLETE]
    assert len(compared) == 52 and (compared["anak_total"] == 27).all()
    # The kab/kota participants are sample rows built to add up: those comparisons cannot fail, so they
    # are not counted as matches. Only official-against-official comparisons (BPS employed) are checked.
    assert set(compared["status"]) == {metrics.MATCH, metrics.SAMPLE}
    assert (compared["status"] == metrics.SAMPLE).equals(compared["sintetis"])
    assert (compared.loc[compared["status"] == metrics.SAMPLE, "selisih"].isna()).all()
    assert set(compared.loc[compared["status"] == metrics.MATCH, "ukuran"]) == {"penduduk_bekerja"}
    built = metrics.aggregate_coverage(ds, "32", definition).set_index("tahun")
    for year in range(2015, 2026):
        assert built.at[year, "penduduk_bekerja"] == jabar.at[year, "penduduk_bekerja"]
        assert built.at[year, "peserta"] == jabar.at[year, "peserta"] or (year in (2024, 2025) and math.isnan(built.at[year, "peserta"]))
    # The eligible-worker total exists only for the province itself: never made up from the kab/kota.
    assert math.isnan(built.at[2024, "pekerja_berhak"])


def test_national_total_against_the_provinces_reports_the_difference(ds, definition):
    recon = metrics.reconcile(ds, "ID", definition).set_index(["periode", "ukuran"])
    dec23 = recon.loc[("2023-12", "peserta")]  # the 34 provinces of Dec 2023 add up to the national figure
    assert dec23["nilai_induk"] == 41_560_938 and dec23["jumlah"] == 41_560_938
    assert dec23["selisih"] == 0 and dec23["status"] == metrics.MATCH
    # Dec 2022: the provinces are sample rows -> nothing is checked (consistent by construction, not a difference).
    dec22 = recon.loc[("2022-12", "peserta")]
    assert dec22["status"] == metrics.SAMPLE and dec22["sintetis"] and math.isnan(dec22["selisih"])
    partial = recon.loc[("2024-12", "peserta")]  # Jawa Barat's 2024 figure is from August
    assert partial["status"] == metrics.INCOMPLETE and partial["anak_ada"] == 37 and math.isnan(partial["selisih"])
    assert recon.loc[("2024-08", "penduduk_bekerja"), "status"] == metrics.MATCH


# A tree of its own: ID -> provinces 11, 12 -> kab/kota 11.01, 11.02, 12.01.
TREE = RegionTree(pd.DataFrame({
    "kode": ["ID", "11", "12", "11.01", "11.02", "12.01"],
    "nama": ["Indonesia", "A", "B", "A1", "A2", "B1"],
    "tingkat": ["nasional", "provinsi", "provinsi", "kabkota", "kabkota", "kabkota"],
    "kode_induk": ["", "ID", "ID", "11", "11", "12"],
}).set_index("kode"))
LEAVES = ["11.01", "11.02", "12.01"]


def _panel(values: dict[str, tuple[int, int]], extra: dict[str, tuple[int, int]]) -> Dataset:
    """Participants (PU) and employed per code for 2024; ``extra`` rows are published totals of parents."""
    rows = {**values, **extra}
    participants = pd.DataFrame([{"kode": k, "periode": "2024-12", "segmen": "PU", "peserta_aktif": p, "sumber": "t",
                                  "tahun": 2024, "bulan": 12, "sintetis": False} for k, (p, _) in rows.items()])
    workforce = pd.DataFrame([{"kode": k, "periode": "2024-08", "penduduk_bekerja": w, "pekerja_berhak": pd.NA, "sumber": "t",
                               "tahun": 2024, "bulan": 8, "sintetis": False} for k, (_, w) in rows.items()])
    base = cached_dataset()
    return replace(base, regions=TREE, participants=participants, workforce=workforce)


pairs = st.tuples(st.integers(0, 10**7), st.integers(1, 10**7))


@settings(max_examples=12, deadline=None)
@given(st.lists(pairs, min_size=3, max_size=3), pairs, pairs, pairs)
def test_aggregation_never_double_counts(leaves, own_11, own_12, own_id):
    values = dict(zip(LEAVES, leaves))
    definition = {"segments": ["PU", "BPU", "JAKON", "PMI"], "denominator": ["penduduk_bekerja"],
                  "trend_denominator": "penduduk_bekerja"}
    bare = _panel(values, {})
    # Parents' own published totals (any values) are in the data but never added in.
    noisy = _panel(values, {"11": own_11, "12": own_12, "ID": own_id})
    direct = metrics.aggregate_coverage(noisy, "ID", definition, level="kabkota").iloc[0]
    assert direct["peserta"] == sum(p for p, _ in leaves)
    assert direct["penduduk_bekerja"] == sum(w for _, w in leaves)
    assert metrics.aggregate_coverage(bare, "ID", definition, level="kabkota").iloc[0]["peserta"] == direct["peserta"]
    # Kab/kota -> province -> national gives the same totals as kab/kota -> national.
    provinces = _panel({}, {})
    provinces = replace(provinces,
                        participants=pd.concat([metrics.aggregate_panel(bare, c).participants for c in ("11", "12")]),
                        workforce=pd.concat([metrics.aggregate_panel(bare, c).workforce for c in ("11", "12")]))
    stepwise = metrics.aggregate_coverage(provinces, "ID", definition).iloc[0]
    assert stepwise["peserta"] == direct["peserta"] and stepwise["penduduk_bekerja"] == direct["penduduk_bekerja"]


def test_a_missing_subregion_leaves_the_sum_out():
    ds = _panel({"11.01": (10, 100), "11.02": (20, 200)}, {})
    definition = {"segments": ["PU"], "denominator": ["penduduk_bekerja"], "trend_denominator": "penduduk_bekerja"}
    assert metrics.aggregate_coverage(ds, "ID", definition, level="kabkota").empty  # 12.01 has no figure
    assert metrics.aggregate_coverage(ds, "11", definition).iloc[0]["peserta"] == 30
    recon = metrics.reconcile(_panel({"11.01": (10, 100), "11.02": (20, 200)}, {"11": (31, 300)}), "11", definition)
    row = recon.set_index("ukuran").loc["peserta"]
    assert row["selisih"] == 1 and row["status"] == metrics.DIFFERS
    assert recon.set_index("ukuran").loc["penduduk_bekerja", "status"] == metrics.MATCH


def test_subregions_are_one_level(ds):
    assert len(metrics.subregions(ds.regions, "32")) == 27
    assert metrics.subregions(ds.regions, "ID", "kabkota")[:2] == ["11.01", "11.02"]
    assert "ID" not in metrics.subregions(ds.regions, "ID", "nasional")
    assert np.all([c.startswith("32.") for c in metrics.subregions(ds.regions, "32", "kabkota")])


def _alone(ds: Dataset, code: str) -> Dataset:
    """The dataset with only ``code``'s rows: a region's tables depend on its own rows alone."""
    return replace(ds, participants=ds.participants[ds.participants["kode"] == code].reset_index(drop=True),
                   workforce=ds.workforce[ds.workforce["kode"] == code].reset_index(drop=True))


def test_tables_cut_from_the_dataset_wide_ones_equal_each_region_computed_alone(ds, definition):
    """coverage_table and off_series are computed once for every region and cut per report."""
    codes = sorted(ds.reporting)
    assert any(not metrics.off_series(ds, c, definition).empty for c in codes)
    for code in codes:
        alone = _alone(ds, code)
        pd.testing.assert_frame_equal(metrics.coverage_table(ds, [code], definition), metrics.coverage_table(alone, [code], definition))
        pd.testing.assert_frame_equal(metrics.off_series(ds, code, definition), metrics.off_series(alone, code, definition))
    several = ds.regions.children("32")
    joined = pd.concat([metrics.coverage_table(_alone(ds, c), [c], definition) for c in several], ignore_index=True)
    pd.testing.assert_frame_equal(metrics.coverage_table(ds, several, definition), joined, check_dtype=False)


def test_a_derived_table_is_never_shared_with_a_changed_copy_of_the_dataset(ds, definition):
    before = metrics.coverage_table(ds, ["32.73"], definition)
    halved = ds.participants.assign(peserta_aktif=ds.participants["peserta_aktif"] // 2)
    after = metrics.coverage_table(replace(ds, participants=halved), ["32.73"], definition)
    counted = before["peserta"].notna()
    assert counted.sum() >= 5
    assert after.loc[counted, "peserta"].to_numpy() == pytest.approx(before.loc[counted, "peserta"].to_numpy() / 2, abs=3)


def test_rounding_unit_of_a_sum_is_its_coarsest_part_at_most_two_significant_digits():
    """Jawa Barat August 2024: 5,000,000 ("5 juta") + 923,000 -> 100,000: the sum is not precise to the person."""
    from analysis.model.metrics import rounding_unit

    assert rounding_unit([5_000_000, 923_000]) == 100_000
    assert rounding_unit([4_855_121]) == 1 and rounding_unit([3_000_000, 1_855_121]) == 100_000
    assert rounding_unit([34_510_000]) == 10_000 and rounding_unit([]) == 1 and rounding_unit([0]) == 1
