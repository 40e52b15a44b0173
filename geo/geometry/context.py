"""What the browser map draws around the data: place-name points and the neighbouring countries.

Computed once per boundary version from the app's own geometry into the static folder (git-ignored),
so the browser fetches them once and nothing comes from a tile server. Label points lie inside their
polygon (polylabel on a province's largest part; the communes' representative points), with the
size of the unit so the browser labels only the units whose name fits at the current zoom.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from geo.geometry.border import HOME_ISO, load_neighbours
from geo.geometry.boundaries import dissolve_provinces
from geo.geometry.mesh import write_mesh

NEIGHBOURS = "neighbours.mesh"
# Hoàng Sa and Trường Sa are labelled on every national map, whatever their size on screen.
ALWAYS_LABELLED = ("Hoàng Sa", "Trường Sa")
# The strip along the land border where Natural Earth's coarse neighbours are widened to meet the
# app's own (finer) outline of Vietnam, so no sliver of "sea" shows between them. Degrees.
BORDER_BAND = 0.35  # Natural Earth is up to ~25 km off in the northern mountains


def labels_file(province: str | None) -> str:
    return f"labels_{province or 'national'}.json"


def _largest(geom: shapely.Geometry) -> shapely.Polygon:
    parts = list(getattr(geom, "geoms", [geom]))
    return max(parts, key=lambda g: g.area)


def province_labels(national: gpd.GeoDataFrame, communes: pd.DataFrame, provinces: pd.DataFrame) -> list[list]:
    """[name, lon, lat, width°, height°, always] per province, plus Hoàng Sa and Trường Sa."""
    names = dict(zip(provinces["code"], provinces["name"], strict=True))
    out = []
    shapes = dissolve_provinces(national)
    for code, geom in zip(shapes["province_code"], shapes.geometry, strict=True):
        main = _largest(geom)
        point = polylabel(main, tolerance=0.005)
        x0, y0, x1, y1 = main.bounds
        out.append([names.get(code, code), round(point.x, 4), round(point.y, 4), round(x1 - x0, 3),
                    round(y1 - y0, 3), 0])
    special = communes[communes["name"].isin(ALWAYS_LABELLED)]
    for row in special.itertuples(index=False):
        out.append([row.name, round(row.lon, 4), round(row.lat, 4), 0.0, 0.0, 1])
    return out


def commune_labels(national: gpd.GeoDataFrame, communes: pd.DataFrame) -> dict[str, list[list]]:
    """Per province: [name, lon, lat, width°, height°, 0] per commune (point inside the commune)."""
    bounds = national.set_index("code").geometry.bounds
    frame = communes.set_index("code").join(bounds, validate="one_to_one")
    out: dict[str, list[list]] = {}
    for code, part in frame.groupby("province_code"):
        out[str(code)] = [[r.name_, round(r.lon, 4), round(r.lat, 4), round(r.maxx - r.minx, 4),
                           round(r.maxy - r.miny, 4), 0]
                          for r in part.rename(columns={"name": "name_"}).itertuples()]
    return out


def neighbour_land(national: gpd.GeoDataFrame, neighbours_path: Path) -> shapely.Geometry:
    """China, Laos and Cambodia (Natural Earth 1:110m) fitted to the app's outline of Vietnam.

    Natural Earth's border is several km off the real one. Natural Earth's own Vietnam and its
    neighbours (nearly) tile the land, so the neighbours are widened into and just beyond Natural
    Earth's Vietnam along the border (a strip of BORDER_BAND) and the app's outline of Vietnam is cut
    out: land meets land without a sliver of "sea" between them.
    """
    world = load_neighbours(neighbours_path)
    land = shapely.union_all(np.asarray(world[world["iso_a3"] != HOME_ISO].geometry.values))
    ne_vietnam = shapely.union_all(np.asarray(world[world["iso_a3"] == HOME_ISO].geometry.values))
    vietnam = shapely.union_all(np.asarray(dissolve_provinces(national).geometry.values))
    band = shapely.intersection(land.buffer(BORDER_BAND), ne_vietnam.buffer(0.1))
    return shapely.difference(shapely.union(land, band), vietnam).simplify(0.005)


def write_context(folder: Path, national: gpd.GeoDataFrame, communes: pd.DataFrame, provinces: pd.DataFrame,
                  neighbours_path: Path) -> None:
    """Write the label files and the neighbours layer into the layer's static folder (once)."""
    if (folder / NEIGHBOURS).exists():
        return
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, body: str) -> None:
        tmp = folder / f".{name}.tmp"
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(folder / name)

    write(labels_file(None), json.dumps(province_labels(national, communes, provinces), ensure_ascii=False,
                                        separators=(",", ":")))
    for code, rows in commune_labels(national, communes).items():
        write(labels_file(code), json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
    tmp = folder / f".{NEIGHBOURS}.tmp"
    write_mesh(["neighbours"], [neighbour_land(national, neighbours_path)], tmp, decimals=3)
    tmp.replace(folder / NEIGHBOURS)
