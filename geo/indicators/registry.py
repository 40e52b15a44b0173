"""Indicator registry and plan targets, read from the CSV files in ``data/``.

Indicators, frameworks (plans) and their targets live in data files rather than code so that adding
a province's plan, or correcting a target, is an edit to a CSV that a non-programmer can review. The
files are validated once, here, with pandera; everything downstream can then trust them. A broken
file raises :class:`~geo.errors.DataError` with a short bilingual list of problems, never a traceback.
"""

from __future__ import annotations

import io
import operator
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from geo.config import registry_dir
from geo.errors import DataError
from geo.text.catalogue import error, say

# --- Vocabulary shared with the rest of the app (use these instead of string literals) -------------

RATE = "rate"  # counts of children: numerator / denominator
YES_NO = "yes_no"  # the commune has it or not
SHARE = "share"  # counts of units such as schools: numerator / denominator
MEASURES = (RATE, YES_NO, SHARE)

SUM_COUNTS = "sum_counts"  # sum of numerators / sum of denominators
SHARE_OF_COMMUNES = "share_of_communes"  # communes with "yes" / communes with data
AGGREGATIONS = (SUM_COUNTS, SHARE_OF_COMMUNES)
AGGREGATION_FOR_MEASURE = {RATE: SUM_COUNTS, SHARE: SUM_COUNTS, YES_NO: SHARE_OF_COMMUNES}

LOWER_IS_BETTER = "lower_is_better"
HIGHER_IS_BETTER = "higher_is_better"
DIRECTIONS = (LOWER_IS_BETTER, HIGHER_IS_BETTER)

COMPARISONS = ("<", "<=", ">=", ">")
COMPARISONS_FOR_DIRECTION = {LOWER_IS_BETTER: ("<", "<="), HIGHER_IS_BETTER: (">=", ">")}

DOMAINS = ("nutrition", "protection", "education", "participation")
SCOPES = ("national", "province", "district")
TARGET_YEARS = (2025, 2030)
UNITS = ("%",)
SHORT_MAX = 30

INDICATORS_FILE = "indicators.csv"
FRAMEWORKS_FILE = "frameworks.csv"
TARGETS_FILE = "targets.csv"

INDICATOR_COLUMNS = (
    "id", "name_vi", "name_en", "short_vi", "short_en", "unit", "measure", "direction", "aggregation",
    "numerator_vi", "numerator_en", "denominator_vi", "denominator_en", "definition_vi",
    "definition_en", "domain", "order",
)  # fmt: skip
FRAMEWORK_COLUMNS = (
    "id", "name_vi", "name_en", "scope", "source_vi", "source_en", "note_vi", "note_en", "default",
)  # fmt: skip
TARGET_COLUMNS = ("framework_id", "indicator_id", "target_year", "comparison", "value", "text_vi", "text_en")

# Floating-point slack when comparing with a target, so that a rate computed as exactly 15 % but
# stored as 15.000000000000002 is still judged as 15 %.
_EPS = 1e-9
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda v, t: operator.lt(v, t - _EPS),
    "<=": lambda v, t: operator.le(v, t + _EPS),
    ">=": lambda v, t: operator.ge(v, t - _EPS),
    ">": lambda v, t: operator.gt(v, t + _EPS),
}
_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


# --- Targets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One stated target of a plan, e.g. underweight < 15 % by 2025; knows how to judge a value."""

    framework_id: str
    indicator_id: str
    year: int
    comparison: str
    value: float
    text_vi: str
    text_en: str

    def __post_init__(self) -> None:
        if self.comparison not in _OPS:
            raise ValueError(f"comparison must be one of {COMPARISONS}, not {self.comparison!r}")

    def is_met(self, value: float | None) -> bool:
        """Whether ``value`` (percent) meets the target; a missing value is not known to meet it."""
        if value is None or pd.isna(value):
            return False
        return bool(_OPS[self.comparison](float(value), self.value))

    def met_mask(self, values: pd.Series) -> pd.Series:
        """Vectorised :meth:`is_met`: nullable boolean, NA where the value is NA (unknown, not failed)."""
        numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
        return _OPS[self.comparison](numbers, self.value).astype("boolean")

    def text(self, lang: str = "vi") -> str:
        """The target as the plan words it, in the UI language."""
        return self.text_vi if lang == "vi" else self.text_en


# --- Registry ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Registry:
    """The validated indicator metadata, frameworks and targets (treat the frames as read-only)."""

    indicators: pd.DataFrame
    frameworks: pd.DataFrame
    targets: pd.DataFrame

    def indicator(self, indicator_id: str) -> dict[str, Any]:
        """Metadata of one indicator as a plain dict; KeyError if the id is unknown."""
        return _row_dict(self.indicators, indicator_id, "indicator")

    def indicator_ids(self) -> list[str]:
        """Indicator ids in display order."""
        return self.indicators.sort_values("order")["id"].tolist()

    def framework(self, framework_id: str) -> dict[str, Any]:
        """Metadata of one framework (plan) as a plain dict; KeyError if the id is unknown."""
        return _row_dict(self.frameworks, framework_id, "framework")

    def framework_ids(self) -> list[str]:
        """Framework ids in file order (the default one is not moved)."""
        return self.frameworks["id"].tolist()

    def default_framework(self) -> str:
        """Id of the framework shown first (validation guarantees exactly one)."""
        return str(self.frameworks.loc[self.frameworks["default"] == 1, "id"].iloc[0])

    def target(self, framework_id: str, indicator_id: str, year: int) -> Target | None:
        """The framework's target for an indicator and year, or None when the plan states none.

        KeyError for an unknown framework id (a stale choice is a bug, not "no target").
        """
        rows = self.targets_for(framework_id)
        rows = rows[(rows["indicator_id"] == indicator_id) & (rows["target_year"] == int(year))]
        if rows.empty:
            return None
        row = rows.iloc[0]
        return Target(
            framework_id=str(row["framework_id"]),
            indicator_id=str(row["indicator_id"]),
            year=int(row["target_year"]),
            comparison=str(row["comparison"]),
            value=float(row["value"]),
            text_vi=str(row["text_vi"]),
            text_en=str(row["text_en"]),
        )

    def targets_for(self, framework_id: str) -> pd.DataFrame:
        """A framework's targets, in indicator display order then year; KeyError if the id is unknown."""
        if framework_id not in set(self.frameworks["id"]):
            raise KeyError(f"unknown framework: {framework_id!r}")
        order = dict(zip(self.indicators["id"], self.indicators["order"], strict=True))
        rows = self.targets[self.targets["framework_id"] == framework_id]
        rows = rows.assign(_order=rows["indicator_id"].map(order))
        return rows.sort_values(["_order", "target_year"]).drop(columns="_order").reset_index(drop=True)


def _row_dict(frame: pd.DataFrame, row_id: str, kind: str) -> dict[str, Any]:
    rows = frame[frame["id"] == row_id]
    if rows.empty:
        raise KeyError(f"unknown {kind}: {row_id!r}")
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in rows.iloc[0].items()}


# --- Schemas ----------------------------------------------------------------------------------------
# Every check carries an ``error`` key; _MESSAGES turns the key into a bilingual sentence, so pandera's
# internal wording never reaches the user.


def _text(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=nullable)


def _allowed(values: tuple) -> pa.Check:
    return pa.Check.isin(list(values), error="allowed")


def _rows_where(columns: tuple[str, ...], rule: Callable[[pd.DataFrame], pd.Series]) -> Callable:
    """A row-wise dataframe check that passes when a needed column is absent (reported elsewhere)."""

    def check(df: pd.DataFrame) -> pd.Series | bool:
        if not set(columns) <= set(df.columns):
            return True
        return rule(df)

    return check


def _not_empty() -> pa.Check:
    return pa.Check(lambda df: len(df) > 0, error="no_rows")


def indicators_schema() -> pa.DataFrameSchema:
    """Indicator metadata: unique snake_case ids, known vocabularies, short labels that fit a legend."""
    short = pa.Check.str_length(1, SHORT_MAX, error="too_long")
    columns: dict[str, pa.Column] = {
        "id": pa.Column(str, pa.Check.str_matches(_ID_PATTERN, error="id_format"), unique=True),
        "short_vi": _text(short),
        "short_en": _text(short),
        "unit": _text(_allowed(UNITS)),
        "measure": _text(_allowed(MEASURES)),
        "direction": _text(_allowed(DIRECTIONS)),
        "aggregation": _text(_allowed(AGGREGATIONS)),
        "domain": _text(_allowed(DOMAINS)),
        "order": pa.Column(int, unique=True),
    }
    for name in INDICATOR_COLUMNS:
        columns.setdefault(name, _text())
    agg_ok = _rows_where(
        ("measure", "aggregation"),
        lambda df: df["aggregation"] == df["measure"].map(AGGREGATION_FOR_MEASURE).fillna(df["aggregation"]),
    )
    return pa.DataFrameSchema(
        {name: columns[name] for name in INDICATOR_COLUMNS},
        checks=[_not_empty(), pa.Check(agg_ok, error="aggregation_measure")],
        coerce=True,
    )


def frameworks_schema() -> pa.DataFrameSchema:
    """Frameworks (plans): unique ids, known scope, a cited source, exactly one default."""
    columns: dict[str, pa.Column] = {
        "id": pa.Column(str, pa.Check.str_matches(_ID_PATTERN, error="id_format"), unique=True),
        "scope": _text(_allowed(SCOPES)),
        "note_vi": _text(nullable=True),
        "note_en": _text(nullable=True),
        "default": pa.Column(int, _allowed((0, 1))),
    }
    for name in FRAMEWORK_COLUMNS:
        columns.setdefault(name, _text())
    one_default = pa.Check(
        lambda df: "default" not in df.columns or int((df["default"] == 1).sum()) == 1, error="one_default"
    )
    return pa.DataFrameSchema(
        {name: columns[name] for name in FRAMEWORK_COLUMNS},
        checks=[_not_empty(), one_default],
        coerce=True,
    )


def targets_schema(indicators: pd.DataFrame, frameworks: pd.DataFrame) -> pa.DataFrameSchema:
    """Targets, checked against the (already valid) indicators and frameworks they refer to."""
    direction = dict(zip(indicators["id"], indicators["direction"], strict=True))

    def comparison_fits(df: pd.DataFrame) -> pd.Series:
        allowed = df["indicator_id"].map(lambda i: COMPARISONS_FOR_DIRECTION.get(direction.get(i), None))
        return pd.Series(
            [a is None or c in a for c, a in zip(df["comparison"], allowed, strict=True)], index=df.index
        )

    columns = {
        "framework_id": _text(pa.Check.isin(frameworks["id"].tolist(), error="unknown_framework")),
        "indicator_id": _text(pa.Check.isin(indicators["id"].tolist(), error="unknown_indicator")),
        "target_year": pa.Column(int, _allowed(TARGET_YEARS)),
        "comparison": _text(_allowed(COMPARISONS)),
        "value": pa.Column(float, pa.Check.in_range(0, 100, error="percent_range")),
        "text_vi": _text(),
        "text_en": _text(),
    }
    return pa.DataFrameSchema(
        columns,
        checks=[pa.Check(_rows_where(("indicator_id", "comparison"), comparison_fits), error="direction")],
        unique=["framework_id", "indicator_id", "target_year"],
        coerce=True,
    )


# --- Loading ----------------------------------------------------------------------------------------


def load_registry(data_dir: str | Path | None = None) -> Registry:
    """Read and validate the three files (once, at this boundary); DataError names the file and problem."""
    folder = Path(data_dir) if data_dir is not None else registry_dir()
    indicators = _validated(folder / INDICATORS_FILE, indicators_schema())
    frameworks = _validated(folder / FRAMEWORKS_FILE, frameworks_schema())
    frameworks[["note_vi", "note_en"]] = frameworks[["note_vi", "note_en"]].fillna("")
    targets = _validated(folder / TARGETS_FILE, targets_schema(indicators, frameworks))
    return Registry(
        indicators=indicators.sort_values("order").reset_index(drop=True),
        frameworks=frameworks.reset_index(drop=True),
        targets=targets.reset_index(drop=True),
    )


def _validated(path: Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Validate in two passes: types and presence first, then rules, so one bad cell gives one message."""
    frame = _read_csv(path)
    types_only = pa.DataFrameSchema(
        {name: pa.Column(col.dtype, nullable=col.nullable) for name, col in schema.columns.items()},
        coerce=True,
    )
    for current in (types_only, schema):
        try:
            frame = current.validate(frame, lazy=True)
        except pa_errors.SchemaErrors as exc:
            raise _invalid(path, _issues(exc.failure_cases, schema)) from None
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    """Read as UTF-8 text, every cell a trimmed NFC string and blanks as NA; types come from the schema."""
    if not path.is_file():
        raise error("err.registry.missing", name=path.name, path=path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error("err.registry.unreadable", name=path.name, path=path, reason=exc.strerror or exc) from None
    try:
        if b"\x00" in raw:
            raise UnicodeError("NUL byte")
        text = raw.decode("utf-8-sig")
    except UnicodeError:
        raise error("err.registry.not_utf8", name=path.name, path=path) from None
    try:
        # index_col=False and the warning as an error: pandas would otherwise silently turn a first
        # column into the index, or drop cells, when rows have more fields than the header.
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, pd.errors.ParserWarning) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise error("err.registry.not_csv", name=path.name, path=path, first=first) from None
    frame.columns = [unicodedata.normalize("NFC", str(c)).strip() for c in frame.columns]
    for name in frame.columns:
        cells = frame[name].map(lambda s: unicodedata.normalize("NFC", s).strip(), na_action="ignore")
        frame[name] = cells.mask(cells == "")
    return frame


# --- Readable errors --------------------------------------------------------------------------------

_MAX_ISSUES = 12
_ALLOWED_BY_COLUMN = {
    "unit": UNITS, "measure": MEASURES, "direction": DIRECTIONS, "aggregation": AGGREGATIONS,
    "domain": DOMAINS, "scope": SCOPES, "default": (0, 1), "target_year": TARGET_YEARS,
    "comparison": COMPARISONS,
}  # fmt: skip
# Issue templates are err.registry.issue.<check> in data/strings.csv; fields: where (column/line), case (the
# bad value), type, allowed, line, max.
_TYPE_KEYS = {"int64": "err.registry.type.int64", "float64": "err.registry.type.float64"}
_TEMPLATED = frozenset({
    "missing_column", "type", "empty", "duplicate", "duplicate_key", "allowed", "id_format", "too_long",
    "percent_range", "unknown_framework", "unknown_indicator", "direction", "aggregation_measure", "one_default",
    "no_rows",
})


def _issues(cases: pd.DataFrame, schema: pa.DataFrameSchema) -> list[tuple[str, str]]:
    """Turn pandera's failure cases into short (vi, en) sentences, one per bad cell or row."""
    out: list[tuple[str, str]] = []
    lines: list[int] = []  # to list problems top to bottom, file-wide ones (line 0) first
    seen: set[tuple] = set()
    for rec in cases.itertuples(index=False):
        check = str(rec.check)
        col = rec.column if isinstance(rec.column, str) else None
        idx = rec.index if rec.index is not None and not pd.isna(rec.index) else None
        line = int(idx) + 2 if idx is not None else None  # +1 for the header, +1 for 1-based lines
        case = _fmt_case(rec.failure_case)
        if check == "column_in_dataframe":
            key = "missing_column"
        elif check.startswith(("coerce_dtype", "dtype")):
            key = "type"
        elif check == "not_nullable":
            key = "empty"
        elif check == "field_uniqueness":
            key = "duplicate"
        elif check == "multiple_fields_uniqueness":
            key = "duplicate_key"
        else:
            key = check
        row_level = rec.schema_context == "DataFrameSchema" and key != "missing_column"
        ident = (key, None if row_level else col, line, None if row_level else str(case))
        if ident in seen:
            continue
        seen.add(ident)
        dtype = str(schema.columns[col].dtype) if col in schema.columns else ""
        type_key = _TYPE_KEYS.get(dtype, "err.registry.type.text")
        allowed = ", ".join(str(v) for v in _ALLOWED_BY_COLUMN.get(col or "", ()))
        lines.append(line or 0)
        issue = []
        for lang in ("vi", "en"):
            where = ", ".join(p for p in (say("err.registry.where.column", lang, col=col) if col else "",
                                          say("err.registry.where.line", lang, line=line) if line else "") if p)
            if key in _TEMPLATED:
                issue.append(say(f"err.registry.issue.{key}", lang, where=where, case=case, line=line, allowed=allowed,
                                 type=say(type_key, lang), max=SHORT_MAX))
            else:  # a check without a template: still say where and what, in both languages
                issue.append(f"{where}: {check} ({case})")
        out.append((issue[0], issue[1]))
    return [issue for _, issue in sorted(zip(lines, out, strict=True), key=lambda p: p[0])]


def _fmt_case(value: Any) -> Any:
    """Show 120.0 as 120 and 7.30 as 7.3, as the user typed it."""
    return f"{value:g}" if isinstance(value, float) else value


def _invalid(path: Path, issues: list[tuple[str, str]]) -> DataError:
    shown = issues[:_MAX_ISSUES]
    more = len(issues) - len(shown)
    listed = {lang: "\n".join([f"- {issue[i]}" for issue in shown]
                               + ([f"- {say('err.registry.more', lang, more=more)}"] if more else []))
              for i, lang in enumerate(("vi", "en"))}
    message = error("err.registry.invalid", name=path.name, path=path)
    return DataError(f"{message.vi}\n{listed['vi']}", f"{message.en}\n{listed['en']}", message.fix_vi, message.fix_en)
