"""Commune boundaries: load the official 2025 polygons and derive the layers the maps draw.

The source has 7.1 M vertices, far too many to send to a browser. We derive two gap-free levels of
detail with ``shapely.coverage_simplify`` (it simplifies shared edges once, so neighbours stay
glued; simplifying each polygon alone opens slivers between them): a fine one for zoomed province
views and a coarse one for the national view. Province outlines are dissolved from the coarse
communes so they sit exactly on commune edges. Everything derived goes to a git-ignored cache keyed
by a hash of the source files, so a changed source rebuilds it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.geometry.mesh import write_mesh
from geo.reference import communes as reference
from geo.reference.communes import ATTRIBUTES_FILE, COMMUNES_FILE, PROVINCES_FILE, require

NEIGHBOURS_FILE = "world/neighbours_ne110m.geojson"
BOUNDARY_SOURCE = "sapnhap.bando.com.vn (qua thanglequoc/vietnamese-provinces-database)"

# Degrees. 0.0005 (~50 m) keeps ward shapes in a province view; 0.008 (~0.9 km) is below one pixel
# on a national map and keeps the whole country's geometry under ~2 MB.
DETAIL_TOLERANCE = 0.0005
NATIONAL_TOLERANCE = 0.008
# Decimals kept in the browser's geometry: 4 (~11 m) for detail, 3 (~110 m) for the national view.
DETAIL_DECIMALS = 4
NATIONAL_DECIMALS = 3
LAYER_VERSION = "4"  # bump when the derivation changes so caches rebuild

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Layers:
    """Derived boundary layers: attribute table plus where each GeoJSON is served from."""

    communes: pd.DataFrame  # one row per commune, no geometry
    provinces: pd.DataFrame  # code, name, name_en, bounds
    key: str
    cache_dir: Path
    static_subdir: str  # relative to the static folder, e.g. "geo/<key>"

    def province_name(self, code: str) -> str:
        """A province's name by code (KeyError if unknown): every page asks it several times a rerun."""
        return self._province_names[code]

    @functools.cached_property
    def _province_names(self) -> dict[str, str]:  # built once (cached_property writes __dict__, frozen or not)
        return dict(zip(self.provinces["code"].astype(str), self.provinces["name"].astype(str), strict=True))

    def url(self, name: str) -> str:
        """Relative URL Streamlit serves a layer file at (relative so it works behind a base path)."""
        return f"app/static/{self.static_subdir}/{name}"

    @property
    def national_url(self) -> str:
        return self.url("communes_national.mesh")

    @property
    def outline_url(self) -> str:
        return self.url("provinces_national.mesh")

    def province_url(self, province_code: str) -> str:
        return self.url(f"communes_{province_code}.mesh")

    def detail_geometry(self) -> gpd.GeoDataFrame:
        """Fine-detail commune polygons (for exports and spatial work), read from the cache."""
        return gpd.read_parquet(self.cache_dir / "detail.parquet")

    def national_geometry(self) -> gpd.GeoDataFrame:
        return gpd.read_parquet(self.cache_dir / "national.parquet")


def load_communes(reference_dir: str | Path) -> gpd.GeoDataFrame:
    """Full-resolution communes joined with population and province names; codes stay strings."""
    gdf = reference.read_communes(reference_dir, geometry=True)
    attrs = reference.read_attributes(reference_dir)
    gdf = gdf.drop(columns=["area_km2"], errors="ignore").merge(
        attrs[["code", "population", "area_km2", "before_merger"]], on="code", how="left",
        validate="one_to_one",
    )
    provinces = reference.read_provinces(reference_dir)
    gdf = gdf.merge(
        provinces[["code", "name", "name_en"]].rename(
            columns={"code": "province_code", "name": "province_name", "name_en": "province_name_en"}
        ),
        on="province_code", how="left", validate="many_to_one",
    )
    return gdf.sort_values("code", ignore_index=True)


def simplify_coverage(geoms: gpd.GeoSeries, tolerance: float) -> gpd.GeoSeries:
    """Topology-preserving simplification: shared edges are simplified once, so no gaps or overlaps appear."""
    out = shapely.coverage_simplify(np.asarray(geoms.values), tolerance)
    out = shapely.make_valid(out)
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def dissolve_provinces(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Province polygons as the union of their communes (so outlines sit on commune edges)."""
    groups = communes.groupby("province_code").geometry
    parts = {code: _union(np.asarray(g.values)) for code, g in groups}
    return gpd.GeoDataFrame(
        {"province_code": list(parts)}, geometry=list(parts.values()), crs=communes.crs
    )


def _union(geoms: np.ndarray) -> shapely.Geometry:
    """Fast coverage union; the source has a few overlapping neighbours, so fall back to a full union."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms)


def source_key(reference_dir: str | Path) -> str:
    """Hash of the source files and derivation settings: a new key means the cache is stale."""
    ref = Path(reference_dir)
    h = hashlib.sha256()
    from geo.geometry.coast import COAST_VERSION

    h.update(f"{LAYER_VERSION}|{DETAIL_TOLERANCE}|{NATIONAL_TOLERANCE}|coast{COAST_VERSION}".encode())
    for rel in (COMMUNES_FILE, ATTRIBUTES_FILE, PROVINCES_FILE, NEIGHBOURS_FILE):
        path = require(ref / rel)
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:12]


def _paths(cache_dir: Path, static_dir: Path, key: str) -> tuple[Path, Path]:
    return Path(cache_dir) / f"layers-{key}", Path(static_dir) / "geo" / key


def layers_are_built(reference_dir: str | Path, cache_dir: str | Path, static_dir: str | Path,
                     key: str | None = None) -> bool:
    """True when the cache for the current source exists (so the app can skip the progress screen)."""
    key = key or source_key(reference_dir)
    data_dir, web_dir = _paths(Path(cache_dir), Path(static_dir), key)
    return (data_dir / "communes.parquet").exists() and (web_dir / "done").exists()


def require_writable(folder: Path, setting: str) -> None:
    """Refuse before a minute of work, not after it: the folder must exist (or be creatable) and take a file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        from geo.text.catalogue import error

        raise error("err.cache.unwritable", folder=str(folder), setting=setting,
                    reason=exc.strerror or type(exc).__name__) from exc


def build_layers(
    reference_dir: str | Path,
    cache_dir: str | Path,
    static_dir: str | Path,
    progress: Progress | None = None,
) -> Layers:
    """Derive all layers into the cache (about a minute on 2 cores), or return them if already built."""
    from geo.geometry.border import derive_border_communes, load_neighbours  # heavy; only needed here
    from geo.geometry.coast import derive_coast_flags

    say = progress or (lambda _f, _m: None)
    key = source_key(reference_dir)
    data_dir, web_dir = _paths(Path(cache_dir), Path(static_dir), key)
    if layers_are_built(reference_dir, cache_dir, static_dir, key):
        return load_layers(reference_dir, cache_dir, static_dir, key)
    require_writable(Path(cache_dir), "VNCHILD_CACHE_DIR")
    require_writable(Path(static_dir) / "geo", "static/")

    t0 = time.perf_counter()
    say(0.02, "load")
    communes = load_communes(reference_dir)
    say(0.10, "simplify_detail")
    detail = simplify_coverage(communes.geometry, DETAIL_TOLERANCE)
    say(0.45, "simplify_national")
    # Chained: simplifying the already-simplified coverage is fast and stays gap-free.
    national = simplify_coverage(detail, NATIONAL_TOLERANCE)
    say(0.55, "border")
    detail_gdf = gpd.GeoDataFrame(communes[["code", "province_code"]], geometry=detail, crs=communes.crs)
    neighbours = load_neighbours(require(Path(reference_dir) / NEIGHBOURS_FILE))
    border = derive_border_communes(detail_gdf, neighbours)
    coast = derive_coast_flags(detail_gdf.assign(commune_type=communes["commune_type"].to_numpy()), neighbours)
    say(0.75, "provinces")
    national_gdf = gpd.GeoDataFrame(communes[["code", "province_code"]], geometry=national, crs=communes.crs)
    provinces_geo = dissolve_provinces(national_gdf)

    attrs = pd.DataFrame(communes.drop(columns="geometry"))
    points = detail.representative_point()
    attrs["lon"] = points.x.round(5).to_numpy()
    attrs["lat"] = points.y.round(5).to_numpy()
    attrs["border"] = attrs["code"].map(border).fillna(False).astype(bool)
    for flag in ("coastal", "island"):
        attrs[flag] = attrs["code"].map(coast[flag]).fillna(False).astype(bool)

    provinces = reference.read_provinces(reference_dir)
    bounds = detail_gdf.dissolve("province_code").bounds
    provinces = provinces.merge(
        bounds.rename(columns={"minx": "min_lon", "miny": "min_lat", "maxx": "max_lon", "maxy": "max_lat"}),
        left_on="code", right_index=True, how="left", validate="one_to_one",
    )

    say(0.85, "write")
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    (Path(static_dir) / "geo").mkdir(parents=True, exist_ok=True)
    tmp_data = Path(tempfile.mkdtemp(prefix=f"layers-{key}-", dir=cache_dir))
    tmp_web = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=Path(static_dir) / "geo"))
    attrs.to_parquet(tmp_data / "communes.parquet")
    provinces.to_parquet(tmp_data / "provinces.parquet")
    detail_gdf.to_parquet(tmp_data / "detail.parquet")
    national_gdf.to_parquet(tmp_data / "national.parquet")
    sizes = {
        "communes_national.mesh": write_mesh(
            national_gdf["code"], national_gdf.geometry, tmp_web / "communes_national.mesh", NATIONAL_DECIMALS),
        "provinces_national.mesh": write_mesh(
            provinces_geo["province_code"], provinces_geo.geometry, tmp_web / "provinces_national.mesh",
            NATIONAL_DECIMALS),
    }
    for code, part in detail_gdf.groupby("province_code"):
        name = f"communes_{code}.mesh"
        sizes[name] = write_mesh(part["code"], part.geometry, tmp_web / name, DETAIL_DECIMALS)
    (tmp_data / "build.json").write_text(json.dumps({
        "key": key, "seconds": round(time.perf_counter() - t0, 2), "bytes": sizes,
        "vertices": {"source": int(shapely.get_num_coordinates(communes.geometry.values).sum()),
                     "detail": int(shapely.get_num_coordinates(detail.values).sum()),
                     "national": int(shapely.get_num_coordinates(national.values).sum())},
        "border_communes": int(attrs["border"].sum()),
        "coastal_communes": int(attrs["coastal"].sum()),
        "island_communes": int(attrs["island"].sum()),
    }, indent=1))
    (tmp_web / "done").write_text(key)
    tmp_web.chmod(0o755)  # mkdtemp makes it private; a proxy in front (another user) serves these files
    _publish(tmp_web, web_dir, "done")
    _publish(tmp_data, data_dir, "communes.parquet")
    say(1.0, "done")
    return load_layers(reference_dir, cache_dir, static_dir, key)


def _publish(tmp: Path, final: Path, marker: str) -> None:
    """Atomically move a finished build in place; if another process won the race, keep theirs.

    A leftover folder without its completion marker (an interrupted build) is replaced.
    """
    if final.exists() and not (final / marker).exists():
        shutil.rmtree(final, ignore_errors=True)
    try:
        os.replace(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def load_layers(reference_dir: str | Path, cache_dir: str | Path, static_dir: str | Path,
                key: str | None = None) -> Layers:
    """Read the cached attribute tables (fast); geometry stays on disk and in the browser's cache."""
    key = key or source_key(reference_dir)
    data_dir, _ = _paths(Path(cache_dir), Path(static_dir), key)
    communes = pd.read_parquet(data_dir / "communes.parquet")
    provinces = pd.read_parquet(data_dir / "provinces.parquet")
    return Layers(communes=communes, provinces=provinces, key=key, cache_dir=data_dir,
                  static_subdir=f"geo/{key}")


def build_info(layers: Layers) -> dict:
    """Sizes, vertex counts and timing recorded when the layers were built."""
    return json.loads((layers.cache_dir / "build.json").read_text())
