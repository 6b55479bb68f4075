"""Total rows: found from the region tree, checked against the sum of their parts, reported."""

from __future__ import annotations

from analysis.data.contract import REGION_TREE_FILE
from analysis.data.importers.totals import check_total, common_parent, named_totals
from analysis.data.regions import load_regions

REGIONS = load_regions(REGION_TREE_FILE)


def test_named_totals():
    assert named_totals({5: "11", 6: "12", 7: "ID"}, REGIONS) == {7: "ID"}
    assert named_totals({5: "32.01", 6: "32.73", 9: "32"}, REGIONS) == {9: "32"}
    assert named_totals({5: "32.01", 6: "33.01", 9: "32"}, REGIONS) == {}  # 33.01 is not in Jawa Barat
    assert named_totals({5: "11", 6: "12"}, REGIONS) == {}
    assert common_parent(["32.01", "32.73"], REGIONS) == "32" and common_parent(["32.01", "11"], REGIONS) is None


def test_check_total_equal_differs_incomplete():
    parts = [{"2024": 10, "2025": 5}, {"2024": 20, "2025": None}]
    note = check_total(7, "INDONESIA", "ID", {"2024": 30, "2025": 9}, parts, imported=False)
    assert note == "line 7 'INDONESIA' is the total of 2 rows: 2024 equal; 2025 not checked (1 parts missing); " \
                   "not imported (--with-total imports it for ID)"
    note = check_total(9, "Jawa Barat", "32", {"2024": 1_000_031}, [{"2024": 1_000_000}, {"2024": 30}], imported=True)
    assert note == "line 9 'Jawa Barat' is the total of 2 rows: 2024 differs by +1 (1,000,031 against a sum of 1,000,030); " \
                   "imported for 32 (--with-total)"
    assert check_total(3, "Jumlah", None, {"2024": 29}, [{"2024": 30}], imported=False).endswith(
        "2024 differs by −1 (29 against a sum of 30); not imported")
