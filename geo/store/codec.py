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

VALUE_COLUMNS = ("code", "year", "indicator", "numerator", "denominator", "value")
OPTIONAL_VALUE_COLUMNS = ("flags",)
ATTRIBUTE_COLUMNS = ("code", "em_area", "border")

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
_ATTRIBUTES_ARROW = pa.schema([("code", pa.string()), ("em_area", pa.bool_()), ("border", pa.bool_())])


def _make_values_error(problem_vi: str, problem_en: str) -> DataError:
    return DataError(
        vi=f"Bảng giá trị không hợp lệ: {problem_vi}",
        en=f"The values table is invalid: {problem_en}",
        fix_vi="Không có gì được lưu; phiên bản trước vẫn giữ nguyên. Hãy sửa tệp rồi tải lên lại.",
        fix_en="Nothing was saved; the previous version is unchanged. Fix the file and upload it again.",
    )


def _check_text_column(frame: pd.DataFrame, column: str, *, nullable: bool, error: Callable) -> pd.Series:
    series = frame[column]
    non_null = series.dropna()
    if not nullable and len(non_null) != len(series):
        raise error(f"cột «{column}» có ô trống.", f"column '{column}' has empty cells.")
    if len(non_null) and not all(isinstance(item, str) for item in non_null.unique()):
        raise error(
            f"cột «{column}» phải là văn bản (để giữ các số 0 ở đầu mã).",
            f"column '{column}' must be text (so leading zeros in codes are kept).",
        )
    if not nullable and (non_null.str.len() == 0).any():
        raise error(f"cột «{column}» có giá trị rỗng.", f"column '{column}' has empty strings.")
    return series.astype(object).where(series.notna(), None)


def _check_float_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    series = frame[column]
    if pd.api.types.is_bool_dtype(series) or not (pd.api.types.is_numeric_dtype(series) or series.isna().all()):
        raise _make_values_error(f"cột «{column}» phải là số.", f"column '{column}' must be numeric.")
    return series.astype("float64").to_numpy(na_value=np.nan)


def serialise_values(values: pd.DataFrame) -> tuple[bytes, int]:
    """Validate the canonical long table and serialise it; DataError explains what is wrong."""
    if not isinstance(values, pd.DataFrame):
        raise _make_values_error("không phải là một bảng.", "it is not a DataFrame.")
    missing = [c for c in VALUE_COLUMNS if c not in values.columns]
    extra = [c for c in values.columns if c not in VALUE_COLUMNS + OPTIONAL_VALUE_COLUMNS]
    if missing or extra:
        raise _make_values_error(
            f"thiếu cột {missing}, cột lạ {extra}.",
            f"missing columns {missing}, unexpected columns {extra}.",
        )
    year = values["year"]
    if not pd.api.types.is_integer_dtype(year) or year.isna().any():
        raise _make_values_error(
            "cột «year» phải là số nguyên, không có ô trống.", "column 'year' must be whole numbers."
        )
    arrays: dict[str, Any] = {
        "code": _check_text_column(values, "code", nullable=False, error=_make_values_error),
        "year": year.astype("int64").to_numpy(),
        "indicator": _check_text_column(values, "indicator", nullable=False, error=_make_values_error),
        "numerator": _check_float_column(values, "numerator"),
        "denominator": _check_float_column(values, "denominator"),
        "value": _check_float_column(values, "value"),
    }
    schema = _VALUES_ARROW
    if "flags" in values.columns:
        arrays["flags"] = _check_text_column(values, "flags", nullable=True, error=_make_values_error)
        schema = schema.append(_FLAGS_FIELD)
    table = pa.table({name: pa.array(arrays[name], type=schema.field(name).type, from_pandas=True) for name in arrays})
    return _write_parquet(table), len(values)


def _make_attributes_error(problem_vi: str, problem_en: str) -> DataError:
    return DataError(
        vi=f"Bảng thuộc tính xã không hợp lệ: {problem_vi}",
        en=f"The commune attributes table is invalid: {problem_en}",
        fix_vi="Không có gì được lưu; phiên bản trước vẫn giữ nguyên.",
        fix_en="Nothing was saved; the previous version is unchanged.",
    )


def serialise_attributes(attributes: pd.DataFrame | None) -> tuple[bytes, int]:
    """Validate (code, em_area, border) and serialise; missing flag columns are stored as unknown."""
    if attributes is None:
        attributes = pd.DataFrame({"code": pd.Series([], dtype=object)})
    if not isinstance(attributes, pd.DataFrame):
        raise _make_attributes_error("không phải là một bảng.", "it is not a DataFrame.")
    extra = [c for c in attributes.columns if c not in ATTRIBUTE_COLUMNS]
    if "code" not in attributes.columns or extra:
        raise _make_attributes_error(
            f"cần cột «code»; cột lạ {extra}.", f"a 'code' column is required; unexpected columns {extra}."
        )
    arrays: dict[str, Any] = {
        "code": _check_text_column(attributes, "code", nullable=False, error=_make_attributes_error)
    }
    for column in ("em_area", "border"):
        if column not in attributes.columns:
            arrays[column] = pa.nulls(len(attributes), type=pa.bool_())
            continue
        try:
            flags = attributes[column].astype("boolean")
        except (TypeError, ValueError) as exc:
            raise _make_attributes_error(
                f"cột «{column}» phải là đúng/sai hoặc để trống.", f"column '{column}' must be true/false or empty."
            ) from exc
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
    return frame.astype({"em_area": "boolean", "border": "boolean"})
