"""Border communes, derived geometrically from the commune coverage and coarse world outlines.

A commune is a *border commune* when a long enough stretch of its boundary lies on Vietnam's LAND
border (with China, Laos or Cambodia); coastline does not count. No official list of the 3,321
post-2025 communes is at hand, so the flag is computed:

1. Natural Earth 1:110m outlines (``load_neighbours``) give a coarse land border: the part of the NE
   Vietnam outline touching an NE neighbour. The rest of the outer edge of the NE block (Vietnam +
   neighbours) is "other": mostly sea coast.
2. The real national outline is the union of the commune polygons (exterior rings only, so tiny
   gaps in the coverage do not count). Cut into pieces of ``_STEP_M``, a piece is a candidate when
   it is nearer to the NE land border than to any "other" NE edge and within ``tolerance_km`` of it.
3. Along each ring, candidate runs of >= ``_MIN_RUN_M`` are land border, and so is a candidate run
   joined to one by gaps shorter than ``_BRIDGE_M`` (estuaries); isolated short runs are dropped.
4. A commune is flagged when >= ``min_shared_km`` of its boundary lies on those stretches, so
   communes meeting the border at a point or for a few hundred metres are not.
Distances and lengths are in metres (``METRIC_CRS``, UTM 48N).

Why not simply buffer the NE land border: NE 1:110m misses the real border by up to ~29 km in the
northern mountains (measured on the communes), so a buffer wide enough to catch the whole border
(default tolerance 35 km; 30-50 km give identical results) would also catch 35 km of coast beside
each sea junction. "Nearer than the coast" splits the outline halfway between NE land border and NE
coast instead; step 3 removes bay shores and islets of Quảng Ninh that are still nearer to the NE
land border than to the NE coast, which cuts straight across the bays. On the 0.0005° coverage the
stretches total ~4,930 km (official land border: about 4,920 km) and 248 communes are flagged (all 22
border provinces, none elsewhere); min_shared_km between 0.2 and 1.1 gives the same set.

Limits, worth knowing before trusting one commune's flag:
- Sea junctions are placed by NE 1:110m, a few km off. At Móng Cái (Gulf of Tonkin) this works out
  (Móng Cái 1-3 flagged; Quảng Hà, 20 km along the coast, not). At Hà Tiên (Gulf of Thailand) NE
  draws the coast across Hà Tiên ward, so its few km of land border (Xà Xía gate) count as coast
  and Hà Tiên ward is NOT flagged although it is a border ward.
- Islands never touch a land border: island communes near the junctions (e.g. Vĩnh Thực off Móng Cái)
  are not flagged even where official lists count them.
- The flag is geometric, not legal: official lists are administrative decisions and may differ at
  the margins. User data may override the flag later.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.text.catalogue import error

GEO_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:32648"  # WGS 84 / UTM 48N: metres, covers all of Vietnam with small distortion
HOME_ISO = "VNM"
DEFAULT_TOLERANCE_KM = 35.0  # NE 1:110m is up to ~29 km off the real land border (see module docstring)
DEFAULT_MIN_SHARED_KM = 0.5
_SNAP_M = 10.0  # NE polygons share their border vertices; this absorbs rounding (and thin slivers)
_STEP_M = 200.0  # length of the pieces the outline is classified in (precision at the ends of stretches)
_MIN_RUN_M = 10_000.0  # a land-border stretch at least this long stands on its own
_BRIDGE_M = 3_000.0  # a shorter gap between land-border stretches is part of the border (estuaries)
_ON_LINE_M = 10.0  # a commune boundary piece within this of a stretch lies on it (noding, tiny mismatches)


def load_neighbours(path: str | Path) -> gpd.GeoDataFrame:
    """Read the NE outlines of Vietnam and its neighbours, checked, so a bad file fails with a clear fix."""
    path = Path(path)
    if not path.exists():
        raise error("err.border.neighbours_missing", path=path)
    frame = gpd.read_file(path)
    missing = {"iso_a3", "name"} - set(frame.columns)
    if missing or HOME_ISO not in set(frame.get("iso_a3", ())) or len(frame) < 2:
        raise error("err.border.neighbours_invalid", name=path.name)
    if frame.crs is None:
        frame = frame.set_crs(GEO_CRS)
    frame = frame.to_crs(GEO_CRS)
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame[["name", "iso_a3", "geometry"]]


def derive_land_border(
    national: shapely.Geometry,
    neighbours: gpd.GeoDataFrame,
    *,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> shapely.Geometry:
    """Stretches (lines) of the national outline that face a land neighbour.

    For drawing the border and checking the derivation; ``national`` is the dissolved country in
    EPSG:4326, the result a (Multi)LineString in EPSG:4326, empty when nothing faces a neighbour.
    """
    land, other = _reference_lines(neighbours)
    outline = _to_metric(shapely.get_exterior_ring(shapely.get_parts(national)))
    pieces = _classify_outline(outline, land, other, tolerance_km * 1000.0)
    if not len(pieces):
        return shapely.MultiLineString()
    merged = shapely.simplify(shapely.line_merge(shapely.multilinestrings(pieces)), 0.5)  # drop densifying
    return _to_geo(merged)


def derive_border_communes(
    communes: gpd.GeoDataFrame,
    neighbours: gpd.GeoDataFrame,
    *,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
    min_shared_km: float = DEFAULT_MIN_SHARED_KM,
) -> pd.Series:
    """bool Series indexed by commune `code` (same order as input), named "border".

    Computed rather than looked up because no official list exists yet for the post-2025 communes;
    see the module docstring for the method and where it can be wrong.
    """
    geoms = metric_communes(communes)
    land, other = _reference_lines(neighbours)
    tolerance_m = tolerance_km * 1000.0
    shared = np.zeros(len(geoms))

    # Only communes near the NE land border can touch it, and dissolving just those (about a
    # quarter of the country) gives the same stretches as the whole outline: the edges they share
    # with the other communes lie more than tolerance + _BRIDGE_M from the NE land border, so they
    # are neither land border nor part of a gap short enough to be bridged.
    near = np.flatnonzero(shapely.dwithin(geoms, land, tolerance_m + _BRIDGE_M))
    if len(near):
        subset = geoms[near]
        outline = shapely.get_exterior_ring(shapely.get_parts(_dissolve(subset)))
        pieces = _classify_outline(outline, land, other, tolerance_m)
        if len(pieces):
            shared[near] = _length_on(subset, pieces)

    flags = shared >= min_shared_km * 1000.0
    return pd.Series(flags, index=pd.Index(communes["code"].to_numpy(), name="code"), name="border")


def _reference_lines(neighbours: gpd.GeoDataFrame) -> tuple[shapely.Geometry, shapely.Geometry]:
    """NE land border of Vietnam, and the rest of the NE block's outer edge (sea coast), in metres."""
    frame = _in_metres(neighbours)
    is_home = (frame["iso_a3"] == HOME_ISO).to_numpy()
    if not is_home.any() or is_home.all():
        raise error("err.border.no_neighbour")
    home = shapely.union_all(frame.geometry.values[is_home])
    others = shapely.union_all(frame.geometry.values[~is_home])
    land = shapely.line_merge(shapely.intersection(home.boundary, shapely.buffer(others, _SNAP_M)))
    block = shapely.union_all(frame.geometry.values)
    edge = shapely.multilinestrings(shapely.get_exterior_ring(shapely.get_parts(block)))
    # Slivers between NE polygons would put "other" lines right on the land border: drop them.
    other = shapely.difference(edge, shapely.buffer(land, _SNAP_M))
    return land, other


def _classify_outline(
    rings: np.ndarray, land: shapely.Geometry, other: shapely.Geometry, tolerance_m: float
) -> np.ndarray:
    """Pieces (2-point lines) of the outline rings that lie on the land border.

    A piece is a candidate when it is nearer to the NE land border than to the NE coast and within
    the tolerance; candidates then only count when they belong to a long stretch (see ``_connect``),
    because coast deep inside bays can be nearer to the coarse NE land border than to the NE coast.
    """
    if land.is_empty:
        return np.empty(0, dtype=object)
    coords, ring_ids = shapely.get_coordinates(shapely.segmentize(rings, _STEP_M), return_index=True)
    same_ring = ring_ids[:-1] == ring_ids[1:]
    starts, ends, piece_ring = coords[:-1][same_ring], coords[1:][same_ring], ring_ids[:-1][same_ring]
    mids = shapely.points((starts + ends) / 2.0)
    d_land = shapely.distance(mids, land)
    d_other = shapely.distance(mids, other) if not other.is_empty else np.full(len(mids), np.inf)
    candidate = (d_land <= tolerance_m) & (d_land < d_other)
    lengths = np.hypot(*(ends - starts).T)
    keep = np.zeros(len(mids), dtype=bool)
    for ring in np.unique(piece_ring[candidate]):
        on_ring = np.flatnonzero(piece_ring == ring)  # consecutive, in ring order
        keep[on_ring] = _connect(candidate[on_ring], lengths[on_ring])
    if not keep.any():
        return np.empty(0, dtype=object)
    return shapely.linestrings(np.stack([starts[keep], ends[keep]], axis=1))


def _connect(candidate: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Keep the candidate runs of one closed ring that are long or joined to a long one by short gaps.

    Runs of >= ``_MIN_RUN_M`` anchor the land border; a gap shorter than ``_BRIDGE_M`` between an
    anchored run and another candidate run is filled and that run anchored too (repeat). Isolated
    short runs (bay shores and islets near a sea junction) are dropped.
    """
    if not candidate.any():
        return candidate.copy()
    if candidate.all():  # a whole ring near the NE land border: an islet unless it is long
        return np.full(len(candidate), lengths.sum() >= _MIN_RUN_M)
    shift = int(np.argmin(candidate))  # start the ring on a non-candidate piece: no run wraps around
    flags = np.roll(candidate, -shift)
    lens = np.roll(lengths, -shift)
    edges = np.flatnonzero(np.diff(flags.astype(np.int8))) + 1
    bounds = np.r_[0, edges, len(flags)]
    run_land = flags[bounds[:-1]]
    run_len = np.add.reduceat(lens, bounds[:-1])
    count = len(run_land)
    anchored = run_land & (run_len >= _MIN_RUN_M)
    changed = anchored.any()
    while changed:
        changed = False
        for gap in np.flatnonzero(~run_land & ~anchored & (run_len < _BRIDGE_M)):
            before, after = (gap - 1) % count, (gap + 1) % count
            if run_land[before] and run_land[after] and (anchored[before] or anchored[after]):
                anchored[[gap, before, after]] = True
                changed = True
    out = np.repeat(anchored, np.diff(bounds))
    return np.roll(out, shift)


def _length_on(geoms: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """Length (m) of each polygon's boundary lying on the land-border pieces."""
    lines, owner = shapely.get_parts(shapely.segmentize(shapely.boundary(geoms), _STEP_M), return_index=True)
    coords, line_ids = shapely.get_coordinates(lines, return_index=True)
    same_line = line_ids[:-1] == line_ids[1:]  # a piece must not jump between two rings
    starts, ends = coords[:-1][same_line], coords[1:][same_line]
    mids = shapely.points((starts + ends) / 2.0)
    hits = shapely.STRtree(pieces).query(mids, predicate="dwithin", distance=_ON_LINE_M)[0]
    on = np.zeros(len(mids), dtype=bool)
    on[hits] = True
    lengths = np.hypot(*(ends - starts).T) * on
    return np.bincount(owner[line_ids[:-1][same_line]], weights=lengths, minlength=len(geoms))


def _dissolve(geoms: np.ndarray) -> shapely.Geometry:
    """Union of a commune coverage; the fast coverage union when the edges match, else a full union."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms)


def _in_metres(data: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """The one projection to metres (METRIC_CRS); data without a CRS is lon/lat (EPSG:4326)."""
    return (data if data.crs is not None else data.set_crs(GEO_CRS)).to_crs(METRIC_CRS)


def metric_communes(communes: gpd.GeoDataFrame) -> np.ndarray:
    """The communes' polygons in metres, in input order (border and coast derivation start from them)."""
    if "code" not in communes.columns:
        raise error("err.border.no_code")
    return _in_metres(communes).geometry.to_numpy()


def _to_metric(geoms: np.ndarray) -> np.ndarray:
    return _in_metres(gpd.GeoSeries(geoms, crs=GEO_CRS)).to_numpy()


def _to_geo(geom: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geom], crs=METRIC_CRS).to_crs(GEO_CRS).iloc[0]
