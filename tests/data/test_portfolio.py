"""Which regions a portfolio holds (shared by the overview page and the batch engine)."""

from __future__ import annotations

import pytest

from analysis.data.contract import load_dataset
from analysis.model.params import load_params
from analysis.data.portfolio import select_regions


@pytest.fixture(scope="module")
def ds():
    return load_dataset(None)


def test_selection_by_codes_levels_and_both(ds):
    params = load_params(None)
    assert select_regions(ds.regions, params, None, ["32.73", "32", "32.73"]) == ["32.73", "32"]
    default = select_regions(ds.regions, params)
    assert default[:2] == ["ID", "11"] and len(default) == 1 + 38 + 27
    assert default[-27:] == sorted(ds.regions.codes("kabkota", within="32"))
    desa = select_regions(ds.regions, params, ["kecamatan", "desa"], ["32.73.01"])
    assert desa == ["32.73.01", *ds.regions.children("32.73.01")]
