"""Coastal and island communes, derived geometrically from the commune coverage (Decision 1183/QĐ-TTg
names coastal and island areas among the priority areas; no official list of the 3,321 communes exists).

Method (metres, ``METRIC_CRS``):

1. Dissolve all communes. The commune polygons include rivers and lagoons, so the mainland, the Mekong
   delta with its river islands included, is one piece (about 327,000 km²); every other piece is land
   surrounded by sea (an island or islet).
2. *Island*: a commune with no part on the mainland piece (no land connection), or a special zone
   (đặc khu, the island units of 2025) whatever its geometry.
3. *Coastal*: a commune with at least ``min_coast_km`` of its boundary on the outline of the dissolved
   country that is not land border. The outline is the exterior rings of all pieces (the sea side);
   the land border with China, Laos and Cambodia is taken from :mod:`geo.geometry.border` (the
   stretches that face a land neighbour) and removed. Island communes are coastal too.

Limits, worth knowing before trusting one commune's flag:
- "Touches the sea" means "is on the outer edge of the commune coverage": where a commune's polygon
  stops at a river mouth or the coverage leaves a bay or a lagoon mouth outside, those shores count
  as sea; a lagoon inside the coverage does not (a commune only on the lagoon shore is not coastal).
- Coastal sandbank areas (bãi ngang) are an administrative list, not derivable from boundaries.
- A commune connected to the mainland by a bridge or causeway drawn as land in the source is not an
  island; one whose only land part is an islet offshore is, even if it is administered from shore.
- Near the land-border sea junctions (Móng Cái, Hà Tiên) the split between coast and land border is
  as good as the border derivation's (a few km).
The flags can be overridden per commune by a dataset's own attributes (``coastal``, ``island``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.geometry.border import (
    _STEP_M,
    DEFAULT_TOLERANCE_KM,
    _classify_outline,
    _dissolve,
    _length_on,
    _reference_lines,
    metric_communes,
)

COAST_VERSION = "1"  # part of the layer cache key: bump when the method changes so caches rebuild
DEFAULT_MIN_COAST_KM = 0.5
SPECIAL_ZONE = "dac_khu"
_ON_LAND_BORDER_M = 10.0  # an outline piece this close to a land-border stretch is land border


def derive_coast_flags(
    communes: gpd.GeoDataFrame,
    neighbours: gpd.GeoDataFrame,
    *,
    min_coast_km: float = DEFAULT_MIN_COAST_KM,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> pd.DataFrame:
    """coastal and island (bool) per commune, indexed by ``code`` in input order; see the module docstring.

    ``communes`` needs ``code`` and geometry; ``commune_type`` (xa/phuong/dac_khu) when present marks
    the special zones as islands.
    """
    geoms = metric_communes(communes)
    index = pd.Index(communes["code"].to_numpy(), name="code")
    if len(geoms) == 0:
        return pd.DataFrame({"coastal": pd.Series(dtype=bool), "island": pd.Series(dtype=bool)}, index=index)

    pieces = shapely.get_parts(_dissolve(geoms))
    mainland = pieces[int(np.argmax(shapely.area(pieces)))]
    on_mainland = shapely.intersects(geoms, mainland)
    is_zone = (communes["commune_type"] == SPECIAL_ZONE).to_numpy() if "commune_type" in communes else False
    island = ~on_mainland | is_zone

    rings = shapely.get_exterior_ring(pieces)
    outline = _pieces(rings)
    land, other = _reference_lines(neighbours)
    land_border = _classify_outline(np.array([shapely.get_exterior_ring(mainland)]), land, other,
                                    tolerance_km * 1000.0)
    if len(land_border):
        mids = shapely.centroid(outline)
        near = shapely.STRtree(land_border).query(mids, predicate="dwithin", distance=_ON_LAND_BORDER_M)[0]
        sea = np.ones(len(outline), dtype=bool)
        sea[near] = False
        outline = outline[sea]
    shared = _length_on(geoms, outline) if len(outline) else np.zeros(len(geoms))
    coastal = (shared >= min_coast_km * 1000.0) | island
    return pd.DataFrame({"coastal": coastal, "island": island}, index=index)


def _pieces(rings: np.ndarray) -> np.ndarray:
    """The rings cut into 2-point lines of about ``_STEP_M`` (what _length_on measures against)."""
    coords, ring_ids = shapely.get_coordinates(shapely.segmentize(rings, _STEP_M), return_index=True)
    same = ring_ids[:-1] == ring_ids[1:]
    return shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
