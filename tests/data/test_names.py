"""BPS spellings of region names (capitals, KEP., KAB., KOTA ADM., DI, DKI) match the Kemendagri tree."""

from __future__ import annotations

import pytest

from analysis.data.contract import REGION_TREE_FILE
from analysis.data.importers.names import NameIndex
from analysis.data.regions import load_regions

NAMES = NameIndex(load_regions(REGION_TREE_FILE))


@pytest.mark.parametrize("label, codes", [
    ("KEP. BANGKA BELITUNG", ["19"]), ("KEP. RIAU", ["21"]), ("KEPULAUAN RIAU", ["21"]), ("DKI JAKARTA", ["31"]),
    ("D.K.I. JAKARTA", ["31"]), ("DI YOGYAKARTA", ["34"]), ("DAERAH ISTIMEWA YOGYAKARTA", ["34"]), ("PAPUA BARAT DAYA", ["96"]),
    ("KOTA ADM. JAKARTA PUSAT", ["31.71"]), ("KAB. ADM. KEP. SERIBU", ["31.01"]), ("KAB. KEPULAUAN SERIBU", ["31.01"]),
    ("KAB. KEP. MERANTI", ["14.10"]), ("KAB. KEP. SELAYAR", ["73.01"]), ("KOTA BAU-BAU", ["74.72"]), ("INDONESIA", ["ID"]),
    ("JAMBI", ["15", "15.71"]),  # province or city: the table decides (no kab/kota rows: the province)
])
def test_bps_spellings(label, codes):
    assert NAMES.candidates(label) == codes
