"""The store's frame schemas: what is refused, what is accepted as is, and how the refusal reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataError
from geo.store import codec
from geo.store.schema import ATTRIBUTES_SCHEMA, VALUES_SCHEMA, validate_attributes, validate_values


def values(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "code": ["00001", "00002"],
            "year": [2024, 2024],
            "indicator": ["điểm_vui_chơi", "điểm_vui_chơi"],
            "numerator": [1.0, np.nan],
            "denominator": [4, 5],
            "value": [0.25, np.nan],
        }
    )
    return frame.assign(**changes)


def refusal(check, frame) -> DataError:
    with pytest.raises(DataError) as err:
        check(frame)
    return err.value


def test_schemas_cover_exactly_the_stored_columns():
    assert tuple(VALUES_SCHEMA.columns) == codec.VALUE_COLUMNS + codec.OPTIONAL_VALUE_COLUMNS
    assert tuple(ATTRIBUTES_SCHEMA.columns) == codec.ATTRIBUTE_COLUMNS


@pytest.mark.parametrize(
    "frame",
    [
        values(),
        values(flags=["ước tính", None]),
        values(year=pd.array([2023, 2024], dtype="Int32"), code=pd.array(["00001", "00002"], dtype="string")),
        values(numerator=[None, None]),  # no numbers at all: stored as missing
    ],
)
def test_valid_values_pass_unchanged(frame):
    pd.testing.assert_frame_equal(validate_values(frame), frame)


@pytest.mark.parametrize(
    ("frame", "english"),
    [
        ([1, 2], "it is not a DataFrame."),
        (values(code=["00001", ""]), "column 'code' has empty strings."),
        (values(indicator=["a", 7]), "column 'indicator' must be text (so leading zeros in codes are kept)."),
        (values(flags=["ước tính", 3]), "column 'flags' must be text (so leading zeros in codes are kept)."),
        (values(value=[True, False]), "column 'value' must be numeric."),
        (values(year=["2024", "2024"]), "column 'year' must be whole numbers."),
        (values().drop(columns=["value", "year"]).assign(note="x"),
         "missing columns ['year', 'value'], unexpected columns ['note']."),
    ],
)  # fmt: skip
def test_each_values_problem_has_its_sentence(frame, english):
    err = refusal(validate_values, frame)
    assert err.en == f"The values table is invalid: {english}"
    assert err.vi.startswith("Bảng giá trị không hợp lệ:")
    assert "Nothing was saved" in err.fix_en and "Không có gì được lưu" in err.fix_vi


def test_every_problem_is_listed_once_in_column_order_in_both_languages():
    frame = values(code=[None, 5], value=["x", "y"], extra=1)
    err = refusal(validate_values, frame)
    assert err.en == (
        "The values table is invalid: missing columns [], unexpected columns ['extra']. "
        "column 'code' has empty cells. column 'code' must be text (so leading zeros in codes are kept). "
        "column 'value' must be numeric."
    )
    assert err.vi == (
        "Bảng giá trị không hợp lệ: thiếu cột [], cột lạ ['extra']. "
        "cột «code» có ô trống. cột «code» phải là văn bản (để giữ các số 0 ở đầu mã). "
        "cột «value» phải là số."
    )


def test_missing_attributes_mean_an_empty_table_and_partial_flags_are_fine():
    assert list(validate_attributes(None).columns) == ["code"] and validate_attributes(None).empty
    frame = pd.DataFrame({"code": ["00001", "00002"], "coastal": [True, None], "island": [1, 0]})
    pd.testing.assert_frame_equal(validate_attributes(frame), frame)


@pytest.mark.parametrize(
    ("frame", "english"),
    [
        ("00001", "it is not a DataFrame."),
        (pd.DataFrame({"em_area": [True]}), "a 'code' column is required; unexpected columns []."),
        (pd.DataFrame({"code": ["00001"], "coast": [True]}),
         "a 'code' column is required; unexpected columns ['coast']."),
        (pd.DataFrame({"code": ["00001"], "border": ["có"]}), "column 'border' must be true/false or empty."),
        (pd.DataFrame({"code": [1], "island": [2]}),
         "column 'code' must be text (so leading zeros in codes are kept). "
         "column 'island' must be true/false or empty."),
    ],
)  # fmt: skip
def test_each_attributes_problem_has_its_sentence(frame, english):
    err = refusal(validate_attributes, frame)
    assert err.en == f"The commune attributes table is invalid: {english}"
    assert err.vi.startswith("Bảng thuộc tính xã không hợp lệ:") and "Nothing was saved" in err.fix_en
