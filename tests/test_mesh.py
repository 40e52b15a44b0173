"""The browser map's pre-triangulated geometry: what the file holds is what the polygons are."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geo.geometry.mesh import decode_mesh, encode_mesh, write_mesh


def _triangles_area(mesh: dict, polygon: int) -> float:
    """Area covered by one polygon's triangles (shoelace per triangle)."""
    lo, hi = mesh["polygon_start"][polygon], mesh["polygon_start"][polygon + 1]
    tri = mesh["triangles"][(mesh["triangles"] >= lo).all(axis=1) & (mesh["triangles"] < hi).all(axis=1)]
    p = mesh["positions"]
    a, b, c = p[tri[:, 0]], p[tri[:, 1]], p[tri[:, 2]]
    u, v = b - a, c - a
    return float(np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]).sum() / 2)


def test_triangles_cover_each_polygon_exactly_holes_left_open():
    ring = box(105.0, 21.0, 105.2, 21.2)
    holed = Polygon(ring.exterior.coords, [box(105.05, 21.05, 105.1, 21.1).exterior.coords])
    two = MultiPolygon([box(106.0, 20.0, 106.1, 20.1), box(106.3, 20.0, 106.35, 20.2)])
    mesh = decode_mesh(encode_mesh(["00001", "00002"], [holed, two], decimals=3))
    assert mesh["ids"] == ["00001", "00002"]
    assert list(mesh["polygon_feature"]) == [0, 1, 1]  # the multipolygon's two parts belong to feature 1
    assert _triangles_area(mesh, 0) == pytest.approx(holed.area)  # the hole is not filled
    assert _triangles_area(mesh, 1) == pytest.approx(0.01)
    assert _triangles_area(mesh, 2) == pytest.approx(0.01)
    assert len(mesh["triangles"]) * 3 == mesh["triangles"].size and mesh["triangles"].max() < len(mesh["positions"])
    # rings keep their closing vertex (the outlines are drawn from these positions): exterior + hole = 2 rings
    starts = mesh["ring_start"]
    assert len(starts) - 1 == 4
    first = mesh["positions"][starts[0]:starts[1]]
    assert np.allclose(first[0], first[-1]) and len(first) == 5


def test_coordinates_are_rounded_so_shared_vertices_stay_shared():
    left = Polygon([(105.12345, 21.0), (105.5, 21.0), (105.5, 21.6789), (105.12345, 21.6789)])
    right = Polygon([(105.5, 21.0), (105.98765, 21.0), (105.98765, 21.6789), (105.5, 21.6789)])
    mesh = decode_mesh(encode_mesh(["a", "b"], [left, right], decimals=3))
    p = mesh["positions"]
    assert np.allclose(p, np.round(p, 3))
    assert {tuple(x) for x in np.round(p, 3)} >= {(105.5, 21.0), (105.5, 21.679)}
    assert p[:, 0].min() == pytest.approx(105.123)


def test_empty_and_non_polygon_geometries_give_no_triangles(tmp_path):
    path = tmp_path / "x.mesh"
    size = write_mesh(["a", "b", "c"], [Polygon(), shapely.Point(105, 21), box(0, 0, 1, 1)], path, decimals=4)
    mesh = decode_mesh(path.read_bytes())
    assert size == path.stat().st_size
    assert mesh["ids"] == ["a", "b", "c"] and list(mesh["polygon_feature"]) == [2]
    assert _triangles_area(mesh, 0) == pytest.approx(1.0)


def test_other_files_are_refused():
    with pytest.raises(ValueError, match="not a mesh"):
        decode_mesh(b'{"type":"FeatureCollection"}')
