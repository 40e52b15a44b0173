"""What the store accepts: pandera schemas for the values and attributes frames, checked once on the way in.

Every check carries an ``error`` key that names its sentence ``err.store.problem.<key>`` in data/strings.csv,
so pandera's own wording never reaches the user. Validation is lazy: one message lists every problem, in
column order. The checks are about types, not coercion: a code typed as a number would already have lost
its leading zeros, so it is refused rather than converted.
"""

from __future__ import annotations

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from geo.errors import DataError
from geo.store.codec import FLAG_COLUMNS, TEXT_ATTRIBUTES
from geo.text.catalogue import LANGUAGES, error, say


def _is_text(series: pd.Series) -> pd.Series | bool:
    if isinstance(series.dtype, pd.StringDtype):
        return True
    return series.map(lambda item: isinstance(item, str))


def _text(*, nullable: bool = False, required: bool = True) -> pa.Column:
    checks = [pa.Check(_is_text, error="not_text")]
    if not nullable:
        checks.append(pa.Check(lambda s: s != "", error="empty_strings"))
    return pa.Column(checks=checks, nullable=nullable, required=required)


# Whole-column checks see the nulls too (ignore_na=False): a float year with a gap is one "year" problem,
# and a column with no numbers at all is stored as missing values rather than refused.
def _whole_years(series: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(series) and not series.isna().any()


def _numbers(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return False
    return pd.api.types.is_numeric_dtype(series) or bool(series.isna().all())


def _flags(series: pd.Series) -> bool:
    try:
        series.astype("boolean")
    except (TypeError, ValueError):
        return False
    return True


def _number() -> pa.Column:
    return pa.Column(checks=pa.Check(_numbers, ignore_na=False, error="not_numeric"), nullable=True)


def _flag() -> pa.Column:
    return pa.Column(checks=pa.Check(_flags, error="not_flag"), nullable=True, required=False)


VALUES_SCHEMA = pa.DataFrameSchema(
    {
        "code": _text(),
        "year": pa.Column(checks=pa.Check(_whole_years, ignore_na=False, error="year"), nullable=True),
        "indicator": _text(),
        "numerator": _number(),
        "denominator": _number(),
        "value": _number(),
        "flags": _text(nullable=True, required=False),
    },
    strict=True,
)
ATTRIBUTES_SCHEMA = pa.DataFrameSchema({"code": _text(), **{name: _flag() for name in FLAG_COLUMNS},
                                        **{name: _text(nullable=True, required=False) for name in TEXT_ATTRIBUTES}},
                                       strict=True)


def validate_values(values: pd.DataFrame) -> pd.DataFrame:
    """The canonical long table, checked; DataError lists what is wrong."""
    return _validated(values, VALUES_SCHEMA, "err.store.values_invalid", "columns")


def validate_attributes(attributes: pd.DataFrame | None) -> pd.DataFrame:
    """code and the FLAG_COLUMNS, checked; no table at all means no attributes known."""
    if attributes is None:
        attributes = pd.DataFrame({"code": pd.Series([], dtype=object)})
    return _validated(attributes, ATTRIBUTES_SCHEMA, "err.store.attributes_invalid", "attribute_columns")


def _validated(frame: pd.DataFrame, schema: pa.DataFrameSchema, table_key: str, columns_problem: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise _table_error(table_key, [("not_a_table", {})])
    try:
        return schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        raise _table_error(table_key, _problems(exc.failure_cases, frame, schema, columns_problem)) from None


def _problems(
    cases: pd.DataFrame, frame: pd.DataFrame, schema: pa.DataFrameSchema, columns_problem: str
) -> list[tuple[str, dict]]:
    """pandera's failure cases as (problem key, params): the column set first, then each column's checks."""
    failed = set(zip(cases["column"].where(cases["schema_context"] == "Column"), cases["check"], strict=True))
    missing = [name for name, column in schema.columns.items() if column.required and name not in frame.columns]
    extra = [name for name in frame.columns if name not in schema.columns]
    problems: list[tuple[str, dict]] = []
    if missing or extra:
        problems.append((columns_problem, {"missing": missing, "extra": extra}))
    for name, column in schema.columns.items():
        for check in ["not_nullable", *(c.error for c in column.checks)]:
            if (name, check) in failed:
                problems.append(("empty_cells" if check == "not_nullable" else check, {"column": name}))
    return problems


def _table_error(table_key: str, problems: list[tuple[str, dict]]) -> DataError:
    """The table's message (``err.store.*_invalid``) followed by one sentence per problem, in both languages."""
    table = error(table_key)
    vi, en = (
        " ".join(say(f"err.store.problem.{key}", lang, **params) for key, params in problems) for lang in LANGUAGES
    )
    return DataError(f"{table.vi} {vi}", f"{table.en} {en}", table.fix_vi, table.fix_en)
