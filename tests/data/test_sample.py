"""The bundled dataset: real rows kept exactly, sample rows marked and calibrated to the anchors."""

import pandas as pd
import pytest

from analysis.data import bundle
from analysis.data import sample
from analysis.data.contract import BUNDLED_DIR, RAW_DIR, REGION_TREE_FILE, load_dataset
from analysis.data.regions import load_regions


@pytest.fixture(scope="module")
def tables():
    return sample.bundled_tables(load_regions(REGION_TREE_FILE))


@pytest.fixture(scope="module")
def ds():
    return load_dataset(BUNDLED_DIR)


def test_committed_bundle_is_exactly_what_the_code_generates(tables, tmp_path):
    for name, table in tables.items():
        bundle.write_csv(table, tmp_path / name)
        assert (tmp_path / name).read_bytes() == (BUNDLED_DIR / name).read_bytes(), f"{name}: run `make data`"


def test_generation_is_deterministic_and_seeded():
    regions = load_regions(REGION_TREE_FILE)
    a = sample.bundled_tables(regions)["participants.csv"]
    b = sample.bundled_tables(regions)["participants.csv"]
    c = sample.bundled_tables(regions, seed=1)["participants.csv"]
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_every_synthetic_row_is_marked_and_real_rows_are_untouched(tables):
    real = bundle.real_participants()
    merged = tables["participants.csv"].merge(real, on=["kode", "periode", "segmen"], suffixes=("", "_real"))
    assert len(merged) == len(real)
    assert (merged["peserta_aktif"] == merged["peserta_aktif_real"]).all()
    assert (merged["sumber"] == merged["sumber_real"]).all()
    synthetic = tables["participants.csv"][~tables["participants.csv"].set_index(["kode", "periode", "segmen"]).index.isin(
        real.set_index(["kode", "periode", "segmen"]).index)]
    assert (synthetic["sumber"] == sample.SAMPLE_SOURCE).all()


def test_province_december_2023_participants_are_the_published_ones(ds):
    raw = pd.read_csv(RAW_DIR / "bpjstk_peserta_aktif_provinsi_2023-12.csv", dtype={"kode_kemendagri": str})
    p = ds.participants[ds.participants["periode"] == "2023-12"]
    for _, row in raw.iterrows():
        got = p[p["kode"] == row["kode_kemendagri"]].set_index("segmen")["peserta_aktif"]
        assert (got["PU"], got["BPU"], got["JAKON"]) == (row["peserta_aktif_pu"], row["peserta_aktif_bpu"], row["peserta_aktif_jakon"])
    assert p[p["kode"] == "ID"]["peserta_aktif"].tolist() == [41_560_938]


def test_jawa_barat_2024_press_anchor(ds):
    p = ds.participants[(ds.participants["kode"] == "32") & (ds.participants["periode"] == "2024-08")]
    assert dict(zip(p["segmen"], p["peserta_aktif"])) == {"BPU": 923_000, "PU": 5_000_000}
    w = ds.workforce[(ds.workforce["kode"] == "32") & (ds.workforce["periode"] == "2024-08")].iloc[0]
    assert (w["penduduk_bekerja"], w["pekerja_berhak"]) == (24_417_110, 18_900_000)


def test_kabkota_add_up_to_the_province_every_year_and_segment(ds):
    p = ds.participants
    kab = p[p["kode"].str.startswith("32.")].groupby(["periode", "segmen"])["peserta_aktif"].sum()
    prov = p[p["kode"] == "32"].set_index(["periode", "segmen"])["peserta_aktif"]
    joined = pd.concat([kab.rename("kab"), prov.rename("prov")], axis=1).dropna()
    assert len(joined) >= 30
    assert (joined["kab"] == joined["prov"]).all()
    w = ds.workforce
    kab_w = w[w["kode"].str.startswith("32.") & (w["tahun"] >= 2015)].groupby("tahun")["penduduk_bekerja"].sum()
    prov_w = w[(w["kode"] == "32") & (w["tahun"] >= 2015)].set_index("tahun")["penduduk_bekerja"]
    assert (kab_w == prov_w).all()


def test_real_kabkota_employed_are_kept(ds):
    w = ds.workforce
    assert w[(w["kode"] == "32.73") & (w["periode"] == "2023-08")]["penduduk_bekerja"].tolist() == [1_202_485]
    # Kota Bandung 2013 is missing in the source (a 0 there meant "missing"): no row is invented for it.
    assert w[(w["kode"] == "32.73") & (w["tahun"] == 2013)].empty


def test_national_series_needs_no_synthetic_row(ds):
    for table in (ds.participants, ds.workforce):
        national = table[table["kode"] == "ID"]
        assert not national["sintetis"].any()
    years = set(ds.workforce[ds.workforce["kode"] == "ID"]["tahun"])
    assert set(range(2018, 2026)) <= years


def test_panel_covers_every_province_and_jabar_kabkota_2015_2025(ds):
    regions = ds.regions
    new_papua = {"93", "94", "95", "96"}
    wanted = [c for c in regions.codes("provinsi") if c not in new_papua] + regions.codes("kabkota", within="32")
    for table in (ds.participants, ds.workforce):
        have = table.groupby("kode")["tahun"].apply(set)
        for code in wanted:
            assert set(range(2015, 2026)) <= have[code], code
        # The provinces split off in 2022 start in 2024: before, they are inside Papua / Papua Barat.
        for code in new_papua:
            assert have[code] == {2024, 2025}, code


def test_provinces_add_up_to_the_nation_where_both_are_real(ds):
    p = ds.participants
    dec23 = p[(p["periode"] == "2023-12") & (p["kode"].str.fullmatch(r"\d\d"))]["peserta_aktif"].sum()
    assert dec23 == 41_560_938
    w = ds.workforce
    for year in (2022, 2023, 2024, 2025):
        provinces = w[(w["tahun"] == year) & (w["kode"].str.fullmatch(r"\d\d"))]["penduduk_bekerja"].sum()
        assert provinces == w[(w["tahun"] == year) & (w["kode"] == "ID")]["penduduk_bekerja"].iloc[0]
