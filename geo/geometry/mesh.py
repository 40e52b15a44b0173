"""Polygons triangulated once, for the browser map: deck.gl's binary features in one small file.

Given GeoJSON, deck.gl flattens and triangulates every polygon (earcut) in the browser before the first frame
(≈ 0.55 s of the national load in a CPU profile at stop 19, on 2 cores; the gain of this file alone was not
isolated later: the outlines' GPU cost dwarfed it). Here the cache build does that work once. A mesh file
holds, after a short JSON header (the feature ids and the counts), the vertex coordinates as integers (rounded
to ``decimals``, so shared vertices stay shared) and the triangle indices, both delta-encoded so gzip packs
them (the national communes: 0.27 MB gzip, GeoJSON 0.28 MB), then the polygon and ring starts and each
polygon's feature. Rings keep their closing vertex: the outlines are drawn from the same positions. The
browser's reader is ``ui/assets/webmap.js`` (``decodeMesh``); ``decode_mesh`` is the same reading in Python,
for tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import mapbox_earcut
import numpy as np
import shapely

MAGIC = b"VNM1"
_ALIGN = 4


def _parts(geom: shapely.Geometry) -> list[shapely.Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, shapely.Polygon):
        return [geom]
    if isinstance(geom, shapely.MultiPolygon):
        return list(geom.geoms)
    if isinstance(geom, shapely.GeometryCollection):
        return [p for g in geom.geoms for p in _parts(g)]
    return []  # points and lines have no area to fill


def encode_mesh(ids: list[str], geoms, decimals: int) -> bytes:
    """The mesh file's bytes for these features (one id per geometry, in the order given)."""
    scale = 10 ** decimals
    positions, triangles, polygon_start, ring_start, polygon_feature = [], [], [0], [0], []
    n = 0
    for feature, geom in enumerate(geoms):
        for polygon in _parts(geom):
            rings = [np.round(np.asarray(r.coords)[:, :2] * scale).astype(np.int64)
                     for r in (polygon.exterior, *polygon.interiors)]
            xy = np.concatenate(rings)
            ends = np.cumsum([len(r) for r in rings]).astype(np.uint32)
            tri = mapbox_earcut.triangulate_int64(xy, ends).astype(np.int64)
            triangles.append(tri + n)
            for r in rings:
                ring_start.append(ring_start[-1] + len(r))
            positions.append(xy)
            n += len(xy)
            polygon_start.append(n)
            polygon_feature.append(feature)
    pos = np.concatenate(positions) if positions else np.zeros((0, 2), np.int64)
    tri = np.concatenate(triangles) if triangles else np.zeros(0, np.int64)
    header = json.dumps({"ids": [str(i) for i in ids], "scale": scale, "vertices": len(pos),
                         "triangles": len(tri) // 3, "polygons": len(polygon_start) - 1,
                         "rings": len(ring_start) - 1}, separators=(",", ":")).encode()
    header += b" " * (-(len(MAGIC) + 4 + len(header)) % _ALIGN)
    body = [
        np.diff(pos, axis=0, prepend=np.zeros((1, 2), np.int64)).reshape(-1).astype("<i4"),
        np.diff(tri, prepend=0).astype("<i4"),
        np.asarray(polygon_start, "<u4"),
        np.asarray(ring_start, "<u4"),
        np.asarray(polygon_feature, "<u4"),
    ]
    return MAGIC + np.uint32(len(header)).astype("<u4").tobytes() + header + b"".join(a.tobytes() for a in body)


def write_mesh(ids, geoms, path: Path, decimals: int) -> int:
    """Write the mesh file; returns its size in bytes."""
    body = encode_mesh(list(ids), list(np.asarray(geoms)), decimals)
    Path(path).write_bytes(body)
    return len(body)


def decode_mesh(body: bytes) -> dict:
    """ids, positions (degrees, [n, 2]), triangles ([m, 3] vertex indices), polygon_start, ring_start,
    polygon_feature: what the browser rebuilds from the file."""
    if body[:4] != MAGIC:
        raise ValueError("not a mesh file")
    size = int(np.frombuffer(body, "<u4", 1, 4)[0])
    head = json.loads(body[8:8 + size])
    offset = 8 + size

    def take(dtype: str, count: int) -> np.ndarray:
        nonlocal offset
        out = np.frombuffer(body, dtype, count, offset)
        offset += 4 * count
        return out

    v, t, p, r = head["vertices"], head["triangles"], head["polygons"], head["rings"]
    positions = np.cumsum(take("<i4", 2 * v).astype(np.int64).reshape(-1, 2), axis=0) / head["scale"]
    triangles = np.cumsum(take("<i4", 3 * t).astype(np.int64)).reshape(-1, 3)
    return {"ids": head["ids"], "positions": positions, "triangles": triangles,
            "polygon_start": take("<u4", p + 1), "ring_start": take("<u4", r + 1),
            "polygon_feature": take("<u4", p)}
