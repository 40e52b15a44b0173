"""Boundary derivation: gap-free simplification, province dissolve, the layers written for the browser."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo.errors import DataError
from geo.geometry import boundaries


def _wiggly_coverage() -> gpd.GeoSeries:
    """Two squares sharing a zig-zag edge with many tiny steps, plus a third one on top."""
    xs = np.linspace(0, 1, 201)
    edge = [(x, 0.5 + 0.01 * np.sin(60 * x)) for x in xs]
    lower = Polygon([(0, 0), (1, 0)] + edge[::-1])
    upper = Polygon(edge + [(1, 1), (0, 1)])
    top = box(0, 1, 1, 1.5)
    return gpd.GeoSeries([lower, upper, top])  # planar toy data, no CRS


def test_coverage_simplify_keeps_neighbours_glued():
    cov = _wiggly_coverage()
    simple = boundaries.simplify_coverage(cov, 0.05)
    assert shapely.get_num_coordinates(simple.values).sum() < shapely.get_num_coordinates(cov.values).sum() / 5
    assert simple.is_valid.all() and not simple.is_empty.any()
    # gap-free and overlap-free: the parts tile the same outline
    union = shapely.union_all(simple.values)
    assert union.area == pytest.approx(simple.area.sum(), rel=1e-9)
    assert union.area == pytest.approx(1.5, rel=1e-6)
    assert len(shapely.get_parts(union)) == 1 and len(union.interiors) == 0
    assert bool(shapely.coverage_is_valid(simple.values))


def test_per_polygon_simplify_would_open_gaps():
    """Why coverage_simplify: simplifying each polygon alone leaves slivers between neighbours."""
    cov = _wiggly_coverage()
    naive = cov.simplify(0.05)
    union = shapely.union_all(naive.values)
    assert abs(union.area - naive.area.sum()) > 1e-4 or abs(union.area - 1.5) > 1e-4


def test_dissolve_provinces_unions_communes():
    cov = boundaries.simplify_coverage(_wiggly_coverage(), 0.01)
    gdf = gpd.GeoDataFrame({"code": ["1", "2", "3"], "province_code": ["01", "01", "02"]}, geometry=cov)
    prov = boundaries.dissolve_provinces(gdf).set_index("province_code")
    assert prov.loc["01", "geometry"].area == pytest.approx(1.0, rel=1e-6)
    assert prov.loc["02", "geometry"].area == pytest.approx(0.5, rel=1e-6)


def test_missing_source_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError) as err:
        boundaries.load_communes(tmp_path)
    assert "VNCHILD_DATA_DIR" in err.value.fix_en and "communes.parquet" in err.value.vi


def test_unreadable_source_is_a_clear_error(tmp_path):
    (tmp_path / "vn2025").mkdir()
    (tmp_path / "vn2025" / "communes.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(DataError) as err:
        boundaries.load_communes(tmp_path)
    assert "communes.parquet" in err.value.en


@pytest.mark.realdata
def test_real_layers_are_complete_and_small(layers):
    info = boundaries.build_info(layers)
    assert len(layers.communes) == 3321 and layers.communes["code"].is_unique
    assert layers.communes["code"].str.fullmatch(r"\d{5}").all()
    assert len(layers.provinces) == 34
    assert layers.communes["commune_type"].value_counts().to_dict() == {"xa": 2611, "phuong": 697, "dac_khu": 13}
    assert info["bytes"]["communes_national.mesh"] + info["bytes"]["provinces_national.mesh"] < 3_000_000
    assert info["vertices"]["national"] < info["vertices"]["detail"] < info["vertices"]["source"]


def _coverage_defects(geoms) -> tuple[int, int]:
    """(communes whose edges do not match a neighbour's, holes in the union of all communes)."""
    edges = shapely.coverage_invalid_edges(geoms, gap_width=0.0)
    union = shapely.union_all(geoms)
    holes = sum(len(p.interiors) for p in shapely.get_parts(union))
    return int((~shapely.is_empty(edges)).sum()), holes


@pytest.mark.realdata
def test_real_simplified_layers_are_valid_and_gap_free(layers, reference_dir):
    """The source is not a perfect coverage (a few hundred communes have unmatched edges and 8 pairs
    overlap), so "gap-free" here means: simplification adds no defect, no gap and no hole."""
    src_edges, src_holes = _coverage_defects(boundaries.load_communes(reference_dir).geometry.values)
    for geo in (layers.detail_geometry(), layers.national_geometry()):
        assert geo.is_valid.all() and not geo.is_empty.any()
        edges, holes = _coverage_defects(geo.geometry.values)
        assert edges <= src_edges and holes <= src_holes


def test_province_names_by_code_match_the_province_table(layers):
    table = layers.provinces.set_index("code")["name"]
    assert len(table) == 34
    for code, name in table.items():
        assert layers.province_name(code) == name
    with pytest.raises(KeyError):
        layers.province_name("99")
