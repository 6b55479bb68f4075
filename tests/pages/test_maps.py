"""Maps: sample areas hatched as the data's flags say (never guessed), the legend says so, and a map
drawn mostly from sample data says "sample data" inside the image, with its title, year and sources."""

from __future__ import annotations

import pytest
from matplotlib.patches import PathPatch

from analysis.core.messages import t
from analysis.data.contract import cached_dataset
from analysis.pages import charts, maps
from analysis.pages.overview import Overview, map_year


@pytest.fixture(scope="module")
def shapes():
    return maps.province_shapes(cached_dataset().regions)


def _patches(fig) -> dict[str, PathPatch]:
    """The map's region patches, in the order choropleth draws them (sorted codes)."""
    return [p for p in fig.axes[0].patches if isinstance(p, PathPatch)]


def test_sample_areas_are_hatched_and_official_ones_are_not(shapes):
    values = {code: 0.3 for code in shapes}
    values["31"] = 1.5  # top class: its own cross hatch when official
    sample = {"32", "33", "31"}
    fig = maps.choropleth(shapes, values, "en", sample=sample, title="Map", period="data 2023")
    hatches = dict(zip(sorted(shapes), (p.get_hatch() for p in _patches(fig))))
    assert all(maps.SAMPLE_HATCH in hatches[code] for code in sample)
    assert all(not hatches[code] for code in shapes if code not in sample and code != "31")
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert t("chart.legend.sample_area", "en") in legend
    official = maps.choropleth(shapes, values, "en", title="Map", period="data 2023")
    assert dict(zip(sorted(shapes), (p.get_hatch() for p in _patches(official))))["31"] == maps.TOP_HATCH
    assert t("chart.legend.sample_area", "en") not in [text.get_text() for text in official.legends[0].get_texts()]


def test_a_map_mostly_of_sample_data_says_so_and_names_itself(shapes):
    values = {code: 0.3 for code in shapes}
    stamp = "◇ " + t("banner.sample.short", "en").upper()
    few = charts.to_svg(maps.choropleth(shapes, values, "en", sample=["32"], title="Map title", period="data 2023",
                                        source=maps.PROVINCES_SOURCE)).decode()
    most = charts.to_svg(maps.choropleth(shapes, values, "en", sample=list(shapes)[:30], title="Map title", period="data 2023")).decode()
    assert stamp not in few and stamp in most
    assert "Map title" in few and "data 2023" in few and t("chart.source", "en") in few
    assert t("chart.source.map", "en", title=maps.PROVINCES_SOURCE.title, licence=maps.PROVINCES_SOURCE.licence) in few


def test_the_jawa_barat_kabkota_map_entirely_sample_is_hatched_everywhere(monkeypatch):
    overview = Overview.load(lang="id")
    year = map_year(overview.kabkota)
    values = overview._map_values(overview.kabkota, year)
    assert values["sintetis"].all(), "the bundled kab/kota values are sample: the check would prove nothing otherwise"
    drawn = []
    monkeypatch.setattr(charts, "img_tag", lambda fig, alt: drawn.append((fig, alt)) or "")
    overview.kabkota_map()
    (fig, alt), = drawn
    patches = _patches(fig)
    assert len(patches) == len(maps.kabkota_shapes()) and all(maps.SAMPLE_HATCH in (p.get_hatch() or "") for p in patches)
    texts = [text.get_text() for text in fig.texts]
    assert "◇ " + t("banner.sample.short", "id").upper() in texts
    assert any(t("overview.kabkota.title", "id", parent="Jawa Barat", year=year) in text for text in texts)
