"""Choropleth maps of coverage drawn from GeoJSON with plain matplotlib (no geopandas).

Why this shape:

- Polygons become matplotlib ``Path`` objects (one compound path per region, holes kept) drawn
  as ``PathPatch``; longitude/latitude are plotted as they are (equal aspect), which is close
  enough to true shape this near the equator.
- Coverage falls into fixed classes shared by every map, so colours mean the same thing on the
  national and the Jawa Barat map. The palette is one sequential hue ramp (readable in grey scale
  and for colour-blind readers); the top class "at least 100%" is darkest *and* cross-hatched,
  because a ratio above 100% is a definition effect to show, never to clip (see ``headline.over100``).
- Regions without a value are hatched grey; regions drawn with another region's value (a
  pre-split area) carry a diagonal hatch, so neither can be mistaken for a measured class.
- Regions whose value rests on sample data (as the caller's ``sintetis`` flags say, never guessed
  here) carry a back-diagonal hatch over their class colour, and the legend says so; a map drawn
  mostly from sample data says "sample data" inside the image (``charts.heading``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as GeoPath

from analysis.data.contract import RAW_DIR
from analysis.core.messages import fmt_pct, t
from analysis.pages.charts import heading, mostly_sample, new_figure, styled
from analysis.data.regions import RegionTree

GEO_DIR = RAW_DIR / "geo"
PROVINCES_FILE = GEO_DIR / "indonesia_38_provinces_denyherianto.geojson"
KABKOTA_FILE = GEO_DIR / "jabar_kabkota_cahyadsn_wilayah_boundaries.geojson"
KABKOTA_PARENT = "32"  # the only province whose kab/kota boundaries are bundled


@dataclass(frozen=True)
class GeoSource:
    """Where a boundary file comes from and under which licence (credited under each map)."""

    title: str
    url: str
    licence: str
    licence_url: str


PROVINCES_SOURCE = GeoSource(
    "denyherianto/indonesia-geojson-topojson-maps-with-38-provinces",
    "https://github.com/denyherianto/indonesia-geojson-topojson-maps-with-38-provinces",
    "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/",
)
KABKOTA_SOURCE = GeoSource(
    "© cahya dsn, cahyadsn/wilayah_boundaries",
    "https://github.com/cahyadsn/wilayah_boundaries",
    "MIT", "https://github.com/cahyadsn/wilayah_boundaries/blob/main/LICENSE",
)

# Lower bounds of the classes (shares); the last class is "at least 100%".
BREAKS = (0.15, 0.25, 0.35, 0.50, 1.00)
_RAMP = matplotlib.colormaps["YlGnBu"]
CLASS_COLOURS = tuple(matplotlib.colors.to_hex(_RAMP(x)) for x in (0.08, 0.3, 0.5, 0.7, 0.88, 1.0))
TOP_HATCH, INHERITED_HATCH, NO_DATA_HATCH, SAMPLE_HATCH = "xx", "///", "....", "\\\\\\"
NO_DATA_FILL, NO_DATA_INK = "#f2f2f2", "#6b6b6b"


def _ring_path(rings: list[list[list[float]]]) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and codes of one polygon (exterior ring and holes) as closed sub-paths."""
    verts, codes = [], []
    for ring in rings:
        points = np.asarray(ring, dtype=float)[:, :2]
        if len(points) < 3:
            continue
        verts.append(np.vstack([points, points[:1]]))
        codes.append(np.r_[GeoPath.MOVETO, np.full(len(points) - 1, GeoPath.LINETO), GeoPath.CLOSEPOLY])
    return np.vstack(verts), np.concatenate(codes)


def geometry_path(geometry: dict) -> GeoPath:
    """A GeoJSON Polygon or MultiPolygon as one compound matplotlib path (lon, lat)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts = [_ring_path(rings) for rings in polygons]
    return GeoPath(np.vstack([v for v, _ in parts]), np.concatenate([c for _, c in parts]).astype(np.uint8))


@lru_cache(maxsize=4)
def _features(path: Path) -> tuple[dict, ...]:
    return tuple(json.loads(path.read_text(encoding="utf-8"))["features"])


def province_shapes(regions: RegionTree) -> dict[str, GeoPath]:
    """Province code -> outline. Joined on the name, because the new Papua provinces carry their
    parent's KODE_PROV in this file; KODE_PROV is used only where the names differ (DKI Jakarta)."""
    by_name = {regions.name(code): code for code in regions.codes("provinsi")}
    shapes = {}
    for feature in _features(PROVINCES_FILE):
        props = feature["properties"]
        code = by_name.get(props["PROVINSI"], props["KODE_PROV"])
        if code in shapes:
            raise ValueError(f"two boundary features for province {code} in {PROVINCES_FILE.name}")
        shapes[code] = geometry_path(feature["geometry"])
    return shapes


def kabkota_shapes() -> dict[str, GeoPath]:
    """Kab/kota code (32.01 ...) -> outline, for Jawa Barat."""
    return {f["properties"]["kode"]: geometry_path(f["geometry"]) for f in _features(KABKOTA_FILE)}


def value_class(share: float) -> int:
    """Index of the class a share falls in (0 .. len(BREAKS)); never clipped."""
    return int(np.searchsorted(BREAKS, share, side="right"))


def class_labels(lang: str) -> list[str]:
    """'< 15%', '15–25%', ..., '≥ 100%' in the language's number format."""
    pct = [fmt_pct(b, lang, 0) for b in BREAKS]
    return [f"< {pct[0]}", *(f"{a}–{b}" for a, b in zip(pct, pct[1:])), f"≥ {pct[-1]}"]


def _is_dark(colour: str) -> bool:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45


def _style_of(share: float | None, inherited: bool, sample: bool = False) -> dict:
    """Fill of the value's class; hatched when inherited (a pre-split area) or sample data, the
    sample hatch taking the place of the top class's (the darkest fill still names that class)."""
    if share is None:
        return {"facecolor": NO_DATA_FILL, "hatch": NO_DATA_HATCH, "hatchcolor": NO_DATA_INK}
    cls = value_class(share)
    fill = CLASS_COLOURS[cls]
    hatch = INHERITED_HATCH if inherited else (TOP_HATCH if cls == len(BREAKS) and not sample else None)
    if sample:
        hatch = (hatch or "") + SAMPLE_HATCH
    return {"facecolor": fill, "hatch": hatch, "hatchcolor": "white" if _is_dark(fill) else "#333333"}


def choropleth(
    shapes: Mapping[str, GeoPath],
    values: Mapping[str, float],
    lang: str,
    inherited: Mapping[str, float] | None = None,
    inherited_label: str = "",
    callouts: Mapping[str, str] | None = None,
    size: tuple[float, float] = (7.2, 3.8),
    legend_loc: str = "outside lower center",
    legend_columns: int = 4,
    sample: Collection[str] = (),
    title: str = "",
    period: str = "",
    source: GeoSource | None = None,
) -> Figure:
    """Map of ``values`` (code -> share, may exceed 1) over ``shapes``.

    ``inherited`` holds regions drawn with another region's value (hatched, explained by
    ``inherited_label``); shapes in neither mapping are "no data". ``sample`` names the regions
    (of either mapping) whose value rests on sample data: hatched, with a legend entry. ``callouts``
    (code -> text) label regions too small to see, with a leader line. The legend sits outside the map
    (``legend_loc`` is a figure legend location) so that it never hides a region. ``title``,
    ``period`` and the boundaries' ``source`` head the image.
    """
    inherited, callouts, sample = inherited or {}, callouts or {}, set(sample)
    fig, ax = new_figure(*size)
    with styled({"hatch.linewidth": 0.8}):
        missing = False
        drawn = []
        for code in sorted(shapes):
            share = values.get(code, inherited.get(code))
            missing = missing or share is None
            if share is not None:
                drawn.append(code in sample)
            ax.add_patch(PathPatch(shapes[code], edgecolor="white", linewidth=0.4,
                                   **_style_of(share, code in inherited and code not in values, code in sample and share is not None)))
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.set_axis_off()
        for code, text in callouts.items():
            x, y = shapes[code].vertices.mean(axis=0)
            ax.annotate(text, (x, y), xytext=(-40, -38), textcoords="offset points", ha="center", va="top", fontsize=8,
                        arrowprops={"arrowstyle": "-", "color": "#333333", "linewidth": 0.8},
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#333333", "linewidth": 0.6})
        labels = class_labels(lang)
        handles = [Patch(**_style_of(BREAKS[i - 1] if i else 0.0, False), edgecolor="#999999", linewidth=0.4, label=labels[i])
                   for i in range(len(labels))]
        if inherited:
            handles.append(Patch(**_style_of(BREAKS[0], True), edgecolor="#999999", linewidth=0.4, label=inherited_label))
        if any(drawn):
            handles.append(Patch(facecolor="white", hatch=SAMPLE_HATCH, hatchcolor="#333333", edgecolor="#999999", linewidth=0.4,
                                 label=t("chart.legend.sample_area", lang)))
        if missing:
            handles.append(Patch(**_style_of(None, False), edgecolor="#999999", linewidth=0.4, label=t("map.no_data", lang)))
        fig.legend(handles=handles, loc=legend_loc, ncols=legend_columns, fontsize=7.5, frameon=False,
                   title=t("map.legend", lang), title_fontsize=8, handlelength=1.6, handleheight=1.1)
        credit = t("chart.source.map", lang, title=source.title, licence=source.licence) if source else ""
        heading(fig, lang, title, period, mostly_sample(drawn), credit)
    return fig
