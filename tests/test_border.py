"""Border communes: toy geometry for the rules, the real coverage for the defaults."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import DataError
from geo.geometry import border
from geo.geometry.border import derive_border_communes, derive_land_border, load_neighbours

# --- toy data --------------------------------------------------------------------------------------
# A 3 x 3 grid of 0.1 degree (~11 km) square communes near 105E 20N. A neighbour lies along the
# west edge of rows 0 and 1 only; everything else around the grid is sea. So W0 and W1 are on the
# land border, W2 meets it at the single point (105.0, 20.2), the east column is coastal, C1 interior.
X0, Y0, SIZE = 105.0, 20.0, 0.1
COLUMNS, ROWS = ("W", "C", "E"), (0, 1, 2)


def _toy_communes() -> gpd.GeoDataFrame:
    codes, geoms = [], []
    for i, col in enumerate(COLUMNS):
        for row in ROWS:
            codes.append(f"{col}{row}")
            x, y = X0 + i * SIZE, Y0 + row * SIZE
            geoms.append(shapely.box(x, y, x + SIZE, y + SIZE))
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326")


def _toy_reference(neighbour_top: float = Y0 + 2 * SIZE, shift: float = 0.0) -> gpd.GeoDataFrame:
    """NE-like outlines: the toy country and a neighbour, optionally shifted to mimic a coarse source."""
    home = shapely.box(X0 - shift, Y0 - shift, X0 + 3 * SIZE + shift, Y0 + 3 * SIZE + shift)
    other = shapely.box(X0 - 0.5, Y0 - shift, X0 - shift, neighbour_top)
    return gpd.GeoDataFrame(
        {"name": ["Home", "Neighbour"], "iso_a3": ["VNM", "NBR"]}, geometry=[home, other], crs="EPSG:4326"
    )


def test_toy_flags_land_side_only():
    flags = derive_border_communes(_toy_communes(), _toy_reference())
    assert flags.name == "border" and flags.dtype == bool
    assert list(flags.index) == [f"{c}{r}" for c in COLUMNS for r in ROWS]  # input order
    assert flags["W0"] and flags["W1"]  # land border (W0 also has coast: still a border commune)
    assert not flags["E1"] and not flags["E0"] and not flags["C0"]  # coast only
    assert not flags["C1"]  # interior
    assert not flags["W2"]  # touches the land border at a point only
    assert int(flags.sum()) == 2


def test_toy_point_contact_shares_no_length():
    assert not derive_border_communes(_toy_communes(), _toy_reference(), min_shared_km=0.01)["W2"]


def test_toy_short_contact_is_below_min_shared():
    """A neighbour reaching ~330 m along W2's edge is ignored by default, counted with a low threshold."""
    reference = _toy_reference(neighbour_top=Y0 + 2 * SIZE + 0.003)
    assert not derive_border_communes(_toy_communes(), reference)["W2"]
    assert derive_border_communes(_toy_communes(), reference, min_shared_km=0.1)["W2"]


def test_toy_coarse_reference_still_works():
    """A reference ~3 km off the real outline (as NE 1:110m is) gives the same flags."""
    flags = derive_border_communes(_toy_communes(), _toy_reference(shift=0.03))
    assert sorted(flags[flags].index) == ["W0", "W1"]


def test_toy_no_neighbour_contact_means_no_border():
    far = _toy_reference()
    far.loc[1, "geometry"] = shapely.box(X0 - 1.0, Y0, X0 - 0.8, Y0 + SIZE)  # not touching "home"
    assert not derive_border_communes(_toy_communes(), far).any()


def test_toy_land_border_is_the_west_edge():
    national = shapely.union_all(_toy_communes().geometry.values)
    lines = derive_land_border(national, _toy_reference())
    metric = gpd.GeoSeries([lines], crs="EPSG:4326").to_crs(border.METRIC_CRS)
    assert metric.length.iloc[0] == pytest.approx(2 * 11_070, rel=0.03)  # 0.2 degree of latitude
    assert lines.bounds[2] < X0 + 0.01  # nothing on the east (sea) side


def test_connect_drops_isolated_short_runs_and_bridges_short_gaps():
    step = 200.0
    # 60 km land, 1 km gap, 1 km land (an estuary bank), 20 km coast, 2 km land (a bay shore), coast.
    pattern = [(True, 60_000), (False, 1_000), (True, 1_000), (False, 20_000), (True, 2_000), (False, 9_000)]
    flags = np.concatenate([np.full(int(length / step), land) for land, length in pattern])
    kept = border._connect(flags, np.full(len(flags), step))
    sizes = np.cumsum([int(length / step) for _, length in pattern])
    assert kept[: sizes[2]].all()  # long run + bridged gap + joined short run
    assert not kept[sizes[2] :].any()  # the isolated bay shore is dropped


def test_load_neighbours_rejects_a_file_without_vietnam(tmp_path):
    path = tmp_path / "n.geojson"
    _toy_reference().assign(iso_a3=["AAA", "BBB"]).to_file(path, driver="GeoJSON")
    with pytest.raises(DataError):
        load_neighbours(path)
    with pytest.raises(DataError):
        load_neighbours(tmp_path / "missing.geojson")


# --- real data -------------------------------------------------------------------------------------
DATA_DIR = Path(os.environ.get("VNCHILD_DATA_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
COMMUNES_FILE = DATA_DIR / "vn2025" / "communes.parquet"
NEIGHBOURS_FILE = DATA_DIR / "world" / "neighbours_ne110m.geojson"

# The provinces (2025 codes) along the China, Laos and Cambodia borders.
# China: 04 08 11 12 15 20 22; Laos: 11 14 38 40 42 44 46 48 51; Cambodia: 51 52 66 68 75 80 82 91.
BORDER_PROVINCES = set("04 08 11 12 14 15 20 22 38 40 42 44 46 48 51 52 66 68 75 80 82 91".split())


@pytest.fixture(scope="module")
def real():
    if not (COMMUNES_FILE.exists() and NEIGHBOURS_FILE.exists()):
        pytest.skip(f"reference data not found under {DATA_DIR} (set VNCHILD_DATA_DIR)")
    communes = gpd.read_parquet(COMMUNES_FILE)
    communes = communes.set_geometry(
        gpd.GeoSeries(
            shapely.coverage_simplify(communes.geometry.values, 0.0005), crs=communes.crs, index=communes.index
        )
    )
    neighbours = load_neighbours(NEIGHBOURS_FILE)
    flags = derive_border_communes(communes, neighbours)
    return communes, neighbours, flags


@pytest.mark.realdata
def test_real_count_is_plausible(real):
    communes, _, flags = real
    assert list(flags.index) == communes["code"].tolist()
    # Officially ~400-450 communes were border communes before 1 July 2025. The reform cut the
    # number of communes by about two thirds nationwide, but large, sparsely settled border
    # communes were merged less, so roughly half remain: 200-300 (248 found when written).
    assert 200 <= int(flags.sum()) <= 300


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("00715", "Lũng Cú"),  # former Hà Giang, now Tuyên Quang: northernmost tip, China
        ("02683", "Bát Xát"),  # Lào Cai, China
        ("06184", "Đồng Đăng"),  # Lạng Sơn, China
        ("06712", "Móng Cái 1"),  # Quảng Ninh, where the China border reaches the sea
        ("15013", "Na Mèo"),  # Thanh Hoá, Laos
        ("19432", "Lao Bảo"),  # Quảng Trị, Laos
        ("23377", "Bờ Y"),  # former Kon Tum, now Quảng Ngãi: Laos-Cambodia tripoint
        ("25681", "Bến Cầu"),  # Tây Ninh, Cambodia
        ("30520", "Tịnh Biên"),  # An Giang, Cambodia
    ],
)
def test_real_border_communes_are_flagged(real, code, name):
    communes, _, flags = real
    assert communes.set_index("code").loc[code, "name"] == name
    assert flags[code]


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("00004", "Ba Đình"),  # Hà Nội
        ("20263", "Sơn Trà"),  # Đà Nẵng coast
        ("22366", "Nha Trang"),  # Khánh Hoà coast
        ("32248", "Đất Mũi"),  # Cà Mau, southern cape
        ("31078", "Phú Quốc"),  # island a few km off Cambodia's coast
        ("06922", "Quảng Hà"),  # Quảng Ninh coast ~20 km from the Móng Cái sea junction
    ],
)
def test_real_non_border_communes_are_not_flagged(real, code, name):
    communes, _, flags = real
    assert communes.set_index("code").loc[code, "name"] == name
    assert not flags[code]


@pytest.mark.realdata
def test_real_flags_only_in_border_provinces(real):
    communes, _, flags = real
    provinces = set(communes.loc[flags.to_numpy(), "province_code"])
    assert "01" not in provinces
    assert provinces == BORDER_PROVINCES


@pytest.mark.realdata
def test_real_land_border_length(real):
    communes, neighbours, _ = real
    lines = derive_land_border(shapely.union_all(communes.geometry.values), neighbours)
    km = gpd.GeoSeries([lines], crs="EPSG:4326").to_crs(border.METRIC_CRS).length.iloc[0] / 1000
    # Official lengths: China ~1,450 km, Laos ~2,337 km, Cambodia ~1,137 km; the simplified outline
    # loses a little of the meanders, the sea junctions are a few km off.
    assert 4_500 <= km <= 5_300
