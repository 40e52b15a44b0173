"""The one reader of the 2025 commune and province reference files (vn2025/ in the shared data).

Every other module takes communes, attributes and provinces from here, so codes are zero-padded once
(5 digits for communes, 2 for provinces), columns get one spelling (snake_case) and the commune type is
derived once from the unit prefix of the full name.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.errors import DataError
from geo.text.catalogue import error

COMMUNES_FILE = "vn2025/communes.parquet"
ATTRIBUTES_FILE = "vn2025/commune_attributes.csv"
PROVINCES_FILE = "vn2025/provinces.csv"

COMMUNE_TYPES: tuple[str, ...] = ("xa", "phuong", "dac_khu")
_TYPE_PREFIXES = (("đặc khu", "dac_khu"), ("phường", "phuong"), ("xã", "xa"))
_RENAMES = {"fullName": "full_name", "nameEn": "name_en", "fullNameEn": "full_name_en", "areaKm2": "area_km2"}
_REQUIRED = ("code", "name", "fullName", "province_code")
#: A code written as text that no reader turns into a number: "VN" + the code's digits ("VN01001" is commune
#: 01001; not an ISO 3166-2 code). CSV downloads write it (geo/reporting/tabular.py); uploads read it back.
CODE_TEXT_PREFIX = "VN"


def require(path: Path) -> Path:
    """``path`` if it exists, else a clear error naming it and the setting that points at the data."""
    if not path.exists():
        raise error("err.reference.file_missing", path=path)
    return path


def unreadable(path: Path, exc: Exception) -> DataError:
    return error("err.reference.file_unreadable", name=path.name, kind=type(exc).__name__, detail=exc)


def commune_types(full_names: pd.Series) -> pd.Series:
    """'xa' / 'phuong' / 'dac_khu' from the unit prefix of fullName (case-insensitive: one row is 'xã')."""
    lowered = full_names.astype("string").str.normalize("NFC").str.strip().str.lower()
    out = pd.Series(pd.NA, index=full_names.index, dtype="string")
    for prefix, kind in _TYPE_PREFIXES:
        out = out.mask(out.isna() & lowered.str.startswith(prefix + " "), kind)
    if out.isna().any():
        raise error("err.reference.commune_type", names=full_names[out.isna()].head(3).tolist())
    return out


def commune_type(full_name: str) -> str:
    """The type of one full name such as "Xã Ba Chẽ" (see :func:`commune_types`)."""
    return str(commune_types(pd.Series([full_name])).iloc[0])


def read_communes(reference_dir: str | Path, *, geometry: bool = False):
    """The 3,321 communes: code, name, full_name, name_en, full_name_en, province_code, area_km2,
    commune_type (+ geometry, a GeoDataFrame, when asked; otherwise the geometry column is never decoded)."""
    path = require(Path(reference_dir) / COMMUNES_FILE)
    try:
        if geometry:
            import geopandas as gpd  # heavy; only the boundary build needs polygons

            table = gpd.read_parquet(path)
        else:
            import pyarrow.parquet as pq

            names = [c for c in pq.read_schema(path).names if c != "geometry"]
            table = pd.read_parquet(path, columns=names)
    except Exception as exc:  # noqa: BLE001 - any read failure becomes one clear message
        raise unreadable(path, exc) from exc
    missing = set(_REQUIRED) - set(table.columns) | ({"geometry"} - set(table.columns) if geometry else set())
    if missing:
        raise error("err.reference.file_columns", name=path.name, columns=sorted(missing))
    table = table.rename(columns=_RENAMES)
    table["code"] = table["code"].astype(str).str.zfill(5)
    table["province_code"] = table["province_code"].astype(str).str.zfill(2)
    table["commune_type"] = commune_types(table["full_name"])
    return table


def _read_csv(path: Path, dtype) -> pd.DataFrame:
    try:
        return pd.read_csv(require(path), dtype=dtype, encoding="utf-8")
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise unreadable(path, exc) from exc


def read_attributes(reference_dir: str | Path) -> pd.DataFrame:
    """commune_attributes.csv: code (padded), population (float), area_km2, before_merger, admin_centre."""
    table = _read_csv(Path(reference_dir) / ATTRIBUTES_FILE, {"code": str})
    table["code"] = table["code"].str.zfill(5)
    if "population" in table.columns:
        table["population"] = pd.to_numeric(table["population"], errors="coerce").astype(float)
    return table


def read_provinces(reference_dir: str | Path) -> pd.DataFrame:
    """The 34 provinces in force since 1 July 2025: code (padded), name, name_en, full_name, full_name_en."""
    table = _read_csv(Path(reference_dir) / PROVINCES_FILE, str)
    table["code"] = table["code"].str.zfill(2)
    return table.rename(columns=_RENAMES)
