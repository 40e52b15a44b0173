"""The words every ingest module shares: id fields, count parts, eras, how a commune was found, problem codes.

Kept apart so that reading, parsing, matching, validating and carrying can all name them without
importing one another (the old crosswalk ↔ matching import circle came from PRE2025_BASES living in
matching).
"""

from __future__ import annotations

# Header meanings (data/upload_columns.csv names their aliases).
F_CODE, F_OLD_CODE, F_NAME, F_PROVINCE, F_DISTRICT, F_YEAR, F_PRE2025 = (
    "ma_xa", "ma_xa_cu", "ten_xa", "tinh", "huyen", "nam", "truoc_2025")
ID_FIELDS = (F_CODE, F_OLD_CODE, F_NAME, F_PROVINCE, F_DISTRICT, F_YEAR, F_PRE2025)
NUMERATOR, DENOMINATOR, VALUE = "tu_so", "mau_so", "gia_tri"
PARTS = (NUMERATOR, DENOMINATOR, VALUE)
SUFFIX_SEP = "__"

# Which communes an identifier refers to: those since 1 July 2025, or those before.
ERA_2025, ERA_PRE2025 = "2025", "pre2025"
ERA_AUTO = "auto"
ERAS = (ERA_AUTO, ERA_2025, ERA_PRE2025)

# How a row's commune was identified (the ``basis`` column of valid rows).
BASIS_CODE_2025 = "code_2025"
BASIS_CODE_PRE2025 = "code_pre2025"
BASIS_NAME_2025 = "name_2025"
BASIS_NAME_PRE2025 = "name_pre2025"
BASES = (BASIS_CODE_2025, BASIS_CODE_PRE2025, BASIS_NAME_2025, BASIS_NAME_PRE2025)
PRE2025_BASES = (BASIS_CODE_PRE2025, BASIS_NAME_PRE2025)
PRE2025_BASE_SET = frozenset(PRE2025_BASES)

# Problem codes. Errors exclude their row (or, when row is None, the whole file); warnings do not.
EMPTY_FILE = "empty_file"
UNREADABLE_FILE = "unreadable_file"
BINARY_FILE = "binary_file"
UNSUPPORTED_FORMAT = "unsupported_format"
TOO_LARGE = "too_large"
TOO_MANY_ROWS = "too_many_rows"
WRONG_SHEET = "wrong_sheet"
MISSING_COLUMN = "missing_column"
DUPLICATE_COLUMN = "duplicate_column"
UNKNOWN_COLUMN = "unknown_column"
EXTRA_CELLS = "extra_cells"
MISSING_VALUE = "missing_value"
UNKNOWN_COMMUNE = "unknown_commune"
UNKNOWN_PROVINCE_CODE = "unknown_province"
AMBIGUOUS_NAME = "ambiguous_name"
NAME_CODE_MISMATCH = "name_code_mismatch"
DUPLICATE_COMMUNE_YEAR = "duplicate_commune_year"
RATE_OUT_OF_RANGE = "rate_out_of_range"
NUMERATOR_ABOVE_DENOMINATOR = "numerator_above_denominator"
NEGATIVE_COUNT = "negative_count"
NON_NUMERIC = "non_numeric"
NOT_WHOLE_NUMBER = "not_whole_number"
YEAR_OUT_OF_RANGE = "year_out_of_range"
FORMULA_LIKE = "formula_like"
INVALID_YES_NO = "invalid_yes_no"
INCOMPLETE_COUNTS = "incomplete_counts"
VALUE_MISMATCH = "value_mismatch"
ZERO_DENOMINATOR = "zero_denominator"
ZERO_OF_ZERO = "zero_of_zero"  # 0 of 0 where that means nobody to count: kept, shown as not applicable
RATE_WEIGHTED = "rate_weighted"  # a rate with its denominator and no count: the count is rate × denominator
NO_VALUES = "no_values"
LOOKS_LIKE_FRACTION = "looks_like_fraction"
MORE_PROBLEMS = "more_problems"
FORMULA_NO_VALUE = "formula_without_value"
TOTAL_ROWS = "total_rows"
AMBIGUOUS_CODE = "ambiguous_code"
CODE_OTHER_UNITS = "code_is_other_units"
TOTAL_MISMATCH = "total_mismatch"
SKIPPED_ROWS = "skipped_rows"
MIXED_UNITS = "mixed_units"
WAITS_FOR_ROW = "waits_for_row"
PROVINCE_LEVEL = "province_level"
# Rows held back until the user settles them (they are errors, listed in needs_confirmation).
HELD_CODES = frozenset({AMBIGUOUS_CODE, CODE_OTHER_UNITS, MIXED_UNITS, WAITS_FOR_ROW, AMBIGUOUS_NAME})

WARNING_CODES = frozenset({UNKNOWN_COLUMN, NAME_CODE_MISMATCH, ZERO_DENOMINATOR, ZERO_OF_ZERO, RATE_WEIGHTED, NO_VALUES,
                           LOOKS_LIKE_FRACTION, MORE_PROBLEMS, FORMULA_NO_VALUE, TOTAL_ROWS, TOTAL_MISMATCH,
                           SKIPPED_ROWS})
FILE_CODES = (EMPTY_FILE, UNREADABLE_FILE, BINARY_FILE, UNSUPPORTED_FORMAT, TOO_LARGE, TOO_MANY_ROWS, WRONG_SHEET,
              MISSING_COLUMN, DUPLICATE_COLUMN, PROVINCE_LEVEL)
