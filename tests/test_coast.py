"""Coastal and island communes: toy geometry for the rules, the real layers for the clear cases."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo.geometry import boundaries, coast
from geo.geometry.coast import derive_coast_flags

# --- toy data --------------------------------------------------------------------------------------
# Near 105E 20N: a 3 x 1 row of 0.1 degree mainland communes W, C, E; a neighbour country along the west
# edge of W; sea everywhere else. E faces the sea on three sides, C on its north and south edges, W on
# its north/south edges too. "I" is an islet 0.2 degrees off E with no land link; "Z" is a special zone
# (đặc khu) drawn touching the mainland; "K" is inland, surrounded by the mainland on every side.
X0, Y0, S = 105.0, 20.0, 0.1


def _toy(with_zone: bool = True) -> gpd.GeoDataFrame:
    rows = [
        ("W", "xa", shapely.box(X0, Y0, X0 + S, Y0 + S)),
        ("C", "xa", shapely.box(X0 + S, Y0, X0 + 2 * S, Y0 + S)),
        ("E", "phuong", shapely.box(X0 + 2 * S, Y0, X0 + 3 * S, Y0 + S)),
        ("I", "xa", shapely.box(X0 + 3.2 * S, Y0 + 0.4 * S, X0 + 3.4 * S, Y0 + 0.6 * S)),
    ]
    if with_zone:
        rows.append(("Z", "dac_khu", shapely.box(X0 + S, Y0 - 0.3 * S, X0 + 1.3 * S, Y0)))
    codes, types, geoms = zip(*rows, strict=True)
    return gpd.GeoDataFrame({"code": codes, "commune_type": types}, geometry=list(geoms), crs="EPSG:4326")


def _reference() -> gpd.GeoDataFrame:
    home = shapely.box(X0, Y0 - S, X0 + 4 * S, Y0 + 2 * S)
    other = shapely.box(X0 - 0.5, Y0 - S, X0, Y0 + 2 * S)
    return gpd.GeoDataFrame({"name": ["Home", "Neighbour"], "iso_a3": ["VNM", "NBR"]},
                            geometry=[home, other], crs="EPSG:4326")


def test_toy_island_has_no_land_link_and_special_zones_are_islands():
    flags = derive_coast_flags(_toy(), _reference())
    assert list(flags.index) == ["W", "C", "E", "I", "Z"]
    assert flags["island"].to_dict() == {"W": False, "C": False, "E": False, "I": True, "Z": True}


def test_toy_coast_is_the_sea_side_and_islands_are_coastal():
    flags = derive_coast_flags(_toy(with_zone=False), _reference())
    assert flags.loc["E", "coastal"] and flags.loc["I", "coastal"] and flags.loc["C", "coastal"]


def test_toy_land_border_is_not_coast_and_inland_is_not_coastal():
    # A ring of 8 communes around an inland one K: K's whole boundary is shared, so it is not coastal.
    cells = [(i, j) for i in range(3) for j in range(3)]
    geoms = [shapely.box(X0 + i * S, Y0 + j * S, X0 + (i + 1) * S, Y0 + (j + 1) * S) for i, j in cells]
    codes = ["K" if (i, j) == (1, 1) else f"R{i}{j}" for i, j in cells]
    frame = gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326")
    home = shapely.box(X0, Y0, X0 + 3 * S, Y0 + 3 * S)
    # the neighbour runs along the whole west edge, so R00, R01, R02 only touch the sea on short ends
    other = shapely.box(X0 - 0.5, Y0 - 0.5, X0, Y0 + 3 * S + 0.5)
    reference = gpd.GeoDataFrame({"name": ["Home", "N"], "iso_a3": ["VNM", "NBR"]}, geometry=[home, other],
                                 crs="EPSG:4326")
    flags = derive_coast_flags(frame, reference).reindex(codes)
    assert not flags.loc["K", "coastal"] and not flags["island"].any()
    assert flags.loc["R01", "coastal"] == False  # noqa: E712 - only on the land border (west edge)
    assert flags.loc["R21", "coastal"]  # the east edge faces the sea


def test_coast_version_is_part_of_the_layer_key(monkeypatch, reference_dir):
    before = boundaries.source_key(reference_dir)
    monkeypatch.setattr(coast, "COAST_VERSION", "test-changed")
    assert boundaries.source_key(reference_dir) != before


# --- the real layers ---------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(("code", "name"), [
    ("31078", "Đặc khu Phú Quốc"), ("26732", "Đặc khu Côn Đảo"), ("21607", "Xã Nhơn Châu (Cù Lao Xanh)"),
    ("20434", "Xã Tân Hiệp (Cù Lao Chàm)"),
])
def test_real_islands(layers, code, name):
    row = layers.communes.set_index("code").loc[code]
    assert row["island"] and row["coastal"], name


@pytest.mark.realdata
@pytest.mark.parametrize(("code", "name"), [
    ("20263", "Phường Sơn Trà (Đà Nẵng)"), ("22918", "Phường Mũi Né"), ("16531", "Phường Sầm Sơn"),
    ("26506", "Phường Vũng Tàu"),
])
def test_real_open_sea_communes_are_coastal_mainland(layers, code, name):
    row = layers.communes.set_index("code").loc[code]
    assert row["coastal"] and not row["island"], name


@pytest.mark.realdata
@pytest.mark.parametrize(("code", "name"), [
    ("00004", "Phường Ba Đình (Hà Nội)"), ("00070", "Phường Hoàn Kiếm (Hà Nội)"), ("03408", "Phường Tân Phong"),
    ("22390", "Phường Tây Nha Trang (inland of Nha Trang)"),
])
def test_real_inland_communes_are_neither(layers, code, name):
    row = layers.communes.set_index("code").loc[code]
    assert not row["coastal"] and not row["island"], name


@pytest.mark.realdata
def test_real_counts_and_provinces(layers):
    communes = layers.communes
    info = boundaries.build_info(layers)
    assert info["coastal_communes"] == int(communes["coastal"].sum())
    assert info["island_communes"] == int(communes["island"].sum())
    assert 250 <= communes["coastal"].sum() <= 360
    zones = communes["commune_type"] == "dac_khu"
    assert communes.loc[zones, "island"].all()
    assert 15 <= communes["island"].sum() <= 25
    # 21 of the 34 provinces since 1 July 2025 have a coastline; Hà Nội and the inland ones have none
    assert communes.loc[communes["coastal"], "province_code"].nunique() == 21
    assert not communes.loc[communes["province_code"] == "01", "coastal"].any()


def test_stored_attributes_carry_coastal_and_island_flags_and_old_versions_read_as_unknown():
    import io

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from geo.store import codec

    blob, n = codec.serialise_attributes(pd.DataFrame({"code": ["a", "b"], "coastal": [True, None]}))
    back = codec.read_attributes_blob(blob)
    assert n == 2 and list(back.columns) == list(codec.ATTRIBUTE_COLUMNS)
    assert back["coastal"].tolist()[0] is True and pd.isna(back["coastal"].iloc[1]) and back["island"].isna().all()
    old = io.BytesIO()  # a version written before the coastal/island flags existed
    pq.write_table(pa.table({"code": ["a"], "em_area": [True], "border": [False]}), old)
    read = codec.read_attributes_blob(old.getvalue())
    assert bool(read["em_area"].iloc[0]) and pd.isna(read["coastal"].iloc[0]) and pd.isna(read["island"].iloc[0])
