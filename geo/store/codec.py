"""The stored form of the two tables: checked, then written as zstd parquet blobs, and read back.

A blob holds exactly the canonical columns with fixed Arrow types, so a version reads back identical on
SQLite and PostgreSQL and codes keep their leading zeros (text, never numbers).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.errors import DataError
from geo.text.catalogue import error, say

VALUE_COLUMNS = ("code", "year", "indicator", "numerator", "denominator", "value")
OPTIONAL_VALUE_COLUMNS = ("flags",)
FLAG_COLUMNS = ("em_area", "border", "coastal", "island")  # a dataset's own flags override the derived ones
ATTRIBUTE_COLUMNS = ("code", *FLAG_COLUMNS)

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
_ATTRIBUTES_ARROW = pa.schema([("code", pa.string()), *((flag, pa.bool_()) for flag in FLAG_COLUMNS)])


def _table_error(table_key: str, problem_key: str, **params: object) -> DataError:
    """The table's message (``err.store.*_invalid``) around one problem sentence, in both languages."""
    frame = error(table_key, **params)
    vi, en = (say(problem_key, lang, **params) for lang in ("vi", "en"))
    return DataError(f"{frame.vi} {vi}", f"{frame.en} {en}", frame.fix_vi, frame.fix_en)


def _make_values_error(problem: str, **params: object) -> DataError:
    return _table_error("err.store.values_invalid", problem, **params)


def _check_text_column(frame: pd.DataFrame, column: str, *, nullable: bool, fail: Callable) -> pd.Series:
    series = frame[column]
    non_null = series.dropna()
    if not nullable and len(non_null) != len(series):
        raise fail("err.store.problem.empty_cells", column=column)
    if len(non_null) and not all(isinstance(item, str) for item in non_null.unique()):
        raise fail("err.store.problem.not_text", column=column)
    if not nullable and (non_null.str.len() == 0).any():
        raise fail("err.store.problem.empty_strings", column=column)
    return series.astype(object).where(series.notna(), None)


def _check_float_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    series = frame[column]
    if pd.api.types.is_bool_dtype(series) or not (pd.api.types.is_numeric_dtype(series) or series.isna().all()):
        raise _make_values_error("err.store.problem.not_numeric", column=column)
    return series.astype("float64").to_numpy(na_value=np.nan)


def serialise_values(values: pd.DataFrame) -> tuple[bytes, int]:
    """Validate the canonical long table and serialise it; DataError explains what is wrong."""
    if not isinstance(values, pd.DataFrame):
        raise _make_values_error("err.store.problem.not_a_table")
    missing = [c for c in VALUE_COLUMNS if c not in values.columns]
    extra = [c for c in values.columns if c not in VALUE_COLUMNS + OPTIONAL_VALUE_COLUMNS]
    if missing or extra:
        raise _make_values_error("err.store.problem.columns", missing=missing, extra=extra)
    year = values["year"]
    if not pd.api.types.is_integer_dtype(year) or year.isna().any():
        raise _make_values_error("err.store.problem.year")
    arrays: dict[str, Any] = {
        "code": _check_text_column(values, "code", nullable=False, fail=_make_values_error),
        "year": year.astype("int64").to_numpy(),
        "indicator": _check_text_column(values, "indicator", nullable=False, fail=_make_values_error),
        "numerator": _check_float_column(values, "numerator"),
        "denominator": _check_float_column(values, "denominator"),
        "value": _check_float_column(values, "value"),
    }
    schema = _VALUES_ARROW
    if "flags" in values.columns:
        arrays["flags"] = _check_text_column(values, "flags", nullable=True, fail=_make_values_error)
        schema = schema.append(_FLAGS_FIELD)
    table = pa.table({name: pa.array(arrays[name], type=schema.field(name).type, from_pandas=True) for name in arrays})
    return _write_parquet(table), len(values)


def _make_attributes_error(problem: str, **params: object) -> DataError:
    return _table_error("err.store.attributes_invalid", problem, **params)


def serialise_attributes(attributes: pd.DataFrame | None) -> tuple[bytes, int]:
    """Validate (code and the FLAG_COLUMNS) and serialise; missing flag columns are stored as unknown."""
    if attributes is None:
        attributes = pd.DataFrame({"code": pd.Series([], dtype=object)})
    if not isinstance(attributes, pd.DataFrame):
        raise _make_attributes_error("err.store.problem.not_a_table")
    extra = [c for c in attributes.columns if c not in ATTRIBUTE_COLUMNS]
    if "code" not in attributes.columns or extra:
        raise _make_attributes_error("err.store.problem.attribute_columns", extra=extra)
    arrays: dict[str, Any] = {
        "code": _check_text_column(attributes, "code", nullable=False, fail=_make_attributes_error)
    }
    for column in FLAG_COLUMNS:
        if column not in attributes.columns:
            arrays[column] = pa.nulls(len(attributes), type=pa.bool_())
            continue
        try:
            flags = attributes[column].astype("boolean")
        except (TypeError, ValueError) as exc:
            raise _make_attributes_error("err.store.problem.not_flag", column=column) from exc
        arrays[column] = pa.array(flags.to_numpy(dtype=object, na_value=None), type=pa.bool_())
    table = pa.table({name: pa.array(arrays[name], type=_ATTRIBUTES_ARROW.field(name).type) for name in arrays})
    return _write_parquet(table), len(attributes)


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
    return frame.astype(dict.fromkeys(FLAG_COLUMNS, "boolean"))
