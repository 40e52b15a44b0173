"""The stored form of the two tables (checked first by geo.store.schema): zstd parquet blobs, and read back.

A blob holds exactly the canonical columns with fixed Arrow types, so a version reads back identical on
SQLite and PostgreSQL and codes keep their leading zeros (text, never numbers).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

VALUE_COLUMNS = ("code", "year", "indicator", "numerator", "denominator", "value")
OPTIONAL_VALUE_COLUMNS = ("flags",)
FLAG_COLUMNS = ("em_area", "border", "coastal", "island", "especially_difficult")  # a dataset's own flags
# override the derived ones; text attributes: the ethnic-minority area class (khu vực I / II / III)
TEXT_ATTRIBUTES = ("em_class",)
ATTRIBUTE_COLUMNS = ("code", *FLAG_COLUMNS, *TEXT_ATTRIBUTES)

_VALUES_ARROW = pa.schema(
    [
        ("code", pa.string()),
        ("year", pa.int64()),
        ("indicator", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),
    ]
)
_FLAGS_FIELD = pa.field("flags", pa.string())
_ATTRIBUTES_ARROW = pa.schema([("code", pa.string()), *((flag, pa.bool_()) for flag in FLAG_COLUMNS),
                               *((name, pa.string()) for name in TEXT_ATTRIBUTES)])


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def _floats(series: pd.Series) -> np.ndarray:
    return series.astype("float64").to_numpy(na_value=np.nan)


def serialise_values(values: pd.DataFrame) -> tuple[bytes, int]:
    """Serialise a values table that geo.store.schema has already checked."""
    arrays: dict[str, Any] = {
        "code": _text(values["code"]),
        "year": values["year"].astype("int64").to_numpy(),
        "indicator": _text(values["indicator"]),
        **{name: _floats(values[name]) for name in ("numerator", "denominator", "value")},
    }
    schema = _VALUES_ARROW
    if "flags" in values.columns:
        arrays["flags"] = _text(values["flags"])
        schema = schema.append(_FLAGS_FIELD)
    table = pa.table({name: pa.array(arrays[name], type=schema.field(name).type, from_pandas=True) for name in arrays})
    return _write_parquet(table), len(values)


def serialise_attributes(attributes: pd.DataFrame) -> tuple[bytes, int]:
    """Serialise checked attributes; a missing flag column is stored as unknown."""
    arrays: dict[str, Any] = {"code": pa.array(_text(attributes["code"]), type=pa.string())}
    for column in FLAG_COLUMNS:
        if column not in attributes.columns:
            arrays[column] = pa.nulls(len(attributes), type=pa.bool_())
            continue
        flags = attributes[column].astype("boolean")
        arrays[column] = pa.array(flags.to_numpy(dtype=object, na_value=None), type=pa.bool_())
    for column in TEXT_ATTRIBUTES:
        given = attributes[column] if column in attributes.columns else pd.Series(None, index=attributes.index)
        arrays[column] = pa.array(_text(given), type=pa.string(), from_pandas=True)
    return _write_parquet(pa.table(arrays, schema=_ATTRIBUTES_ARROW)), len(attributes)


def _write_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(None), sink, compression="zstd")
    return sink.getvalue()


def read_values_blob(data: bytes) -> pd.DataFrame:
    table = pq.read_table(io.BytesIO(data))
    frame = table.to_pandas()
    frame["code"] = frame["code"].astype("str")
    frame["indicator"] = frame["indicator"].astype("str")
    if "flags" in frame.columns:
        frame["flags"] = frame["flags"].astype("str")
    return frame.astype({"year": "int64", "numerator": "float64", "denominator": "float64", "value": "float64"})


def read_attributes_blob(data: bytes) -> pd.DataFrame:
    table = pq.read_table(io.BytesIO(data))
    frame = table.to_pandas()
    frame["code"] = frame["code"].astype("str")
    for flag in FLAG_COLUMNS:  # versions stored before a flag existed: unknown
        if flag not in frame.columns:
            frame[flag] = pd.NA
    for column in TEXT_ATTRIBUTES:
        frame[column] = frame[column].astype("string") if column in frame.columns else pd.array(
            [pd.NA] * len(frame), dtype="string")
    return frame.astype(dict.fromkeys(FLAG_COLUMNS, "boolean"))[list(ATTRIBUTE_COLUMNS)]
