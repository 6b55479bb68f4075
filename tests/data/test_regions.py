"""The Kemendagri region tree: codes, levels, parents, counts."""

import pytest

from analysis.data.contract import REGION_TREE_FILE
from analysis.core.problems import InputError
from analysis.data.regions import ROOT, is_valid_code, level_of, load_regions, parent_of


@pytest.fixture(scope="module")
def tree():
    return load_regions(REGION_TREE_FILE)


@pytest.mark.parametrize("code", ["ID", "32", "32.04", "32.04.16", "32.04.16.2001"])
def test_valid_codes(code):
    assert is_valid_code(code)


@pytest.mark.parametrize("code", ["", "3", "3204", "32.4", "32.04.16.201", "../32", "32/04", "ID.32", "32.04.", " 32", None, 32])
def test_invalid_codes(code):
    assert not is_valid_code(code)


def test_levels_and_parents_follow_the_code_shape():
    assert level_of("ID") == "nasional" and parent_of("ID") is None
    assert level_of("32") == "provinsi" and parent_of("32") == ROOT
    assert level_of("32.04.16.2001") == "desa" and parent_of("32.04.16.2001") == "32.04.16"


def test_tree_counts_match_kepmendagri_2025(tree):
    counts = tree.table["tingkat"].value_counts().to_dict()
    assert counts == {"nasional": 1, "provinsi": 38, "kabkota": 514, "kecamatan": 7285, "desa": 83762}


def test_jawa_barat_has_27_kabkota_and_names(tree):
    kab = tree.codes("kabkota", within="32")
    assert len(kab) == 27 and kab[0] == "32.01" and kab[-1] == "32.79"
    assert tree.name("32.73") == "Kota Bandung"
    assert tree.children("32")[:2] == ["32.01", "32.02"]


def test_ancestors_reach_the_national_root(tree):
    desa = tree.codes("desa", within="32.04.16")[0]
    assert tree.ancestors(desa) == ["32.04.16", "32.04", "32", "ID"]


def test_extra_regions_are_validated(tmp_path, tree):
    extra = tmp_path / "regions.csv"
    extra.write_text("kode,nama,tingkat,kode_induk\n32.99,Kota Baru,kabkota,32\n32.98,Salah,provinsi,32\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_regions(REGION_TREE_FILE, extra)
    (p,) = err.value.problems
    assert (p.line, p.column, p.value) == (3, "tingkat", "provinsi")


def test_extra_regions_add_to_the_tree(tmp_path):
    extra = tmp_path / "regions.csv"
    extra.write_text("kode,nama,tingkat,kode_induk\n32.99,Kota Baru,kabkota,32\n", encoding="utf-8")
    tree = load_regions(REGION_TREE_FILE, extra)
    assert tree.name("32.99") == "Kota Baru" and tree.parent("32.99") == "32"


def test_close_matches_find_a_mistyped_code_and_a_name_typed_for_a_code(tree):
    assert tree.close_matches("32.7")[0].startswith("32.7") and len(tree.close_matches("32.7")) == 3
    assert tree.close_matches("Jawa Barat")[0] == "32 (Jawa Barat)"
    assert tree.close_matches("qqqq") == []
