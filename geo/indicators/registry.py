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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
# Where a plan applies: the whole country (blank), a 2025 province, or a pre-2025 district (the
# communes with part of their area in it), e.g. "province:01", "old_district:106".
AREA_PATTERN = r"^(province:[0-9]{2}|old_district:[0-9]{3})$"
AREA_PREFIX_FOR_SCOPE = {"national": "", "province": "province:", "district": "old_district:"}
DOCUMENT, SUMMARY = "document", "summary"  # where a plan's values were read: its text, or a summary of it
VALUES_FROM = (DOCUMENT, SUMMARY)
TARGET_ROLE, CONTEXT_ROLE = "target", "context"  # context indicators are tracked without any target
ROLES = (TARGET_ROLE, CONTEXT_ROLE)
# What a reported 0 of 0 means: nobody to count (no child hit by a disaster, no abuse found: the indicator is
# "not applicable" that year) or nobody counted (no child weighed: no data, the cell is skipped on upload).
ZERO_NOT_APPLICABLE, ZERO_NO_DATA = "not_applicable", "no_data"
ZERO_OF_ZERO = (ZERO_NOT_APPLICABLE, ZERO_NO_DATA)
# Priority groups a target row may be limited to (boolean commune columns; Decision 1183/QĐ-TTg).
GROUPS = ("em_area", "border", "coastal", "island")
TARGET_YEARS = (2025, 2030)
UNITS = ("%",)
SHORT_MAX = 30

INDICATORS_FILE = "indicators.csv"
FRAMEWORKS_FILE = "frameworks.csv"
TARGETS_FILE = "targets.csv"

INDICATOR_COLUMNS = (
    "id", "name_vi", "name_en", "short_vi", "short_en", "unit", "measure", "direction", "aggregation",
    "numerator_vi", "numerator_en", "denominator_vi", "denominator_en", "definition_vi",
    "definition_en", "domain", "order", "role", "zero_of_zero",
)  # fmt: skip
FRAMEWORK_COLUMNS = (
    "id", "name_vi", "name_en", "scope", "source_vi", "source_en", "note_vi", "note_en", "default", "area",
    "values_from",
)  # fmt: skip
TARGET_COLUMNS = (
    "framework_id", "indicator_id", "target_year", "comparison", "value", "text_vi", "text_en", "maintain",
    "standing", "group",
)  # fmt: skip
TARGET_KEY = ["framework_id", "indicator_id", "target_year", "group"]

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
    """One stated target of a plan, e.g. underweight < 15 % by 2025; knows how to judge a value.

    The comparison is kept exactly as worded (> 99.9 % is not >= 99.9 %). ``maintain``: the earlier
    target carried on ("duy trì"); ``standing``: due every year, not only in ``year``. ``group`` limits
    the row to a priority group of communes (e.g. "em_area"); a general target lists its group
    variants in ``variants`` so that whoever judges communes can apply the one that fits each commune.
    """

    framework_id: str
    indicator_id: str
    year: int
    comparison: str
    value: float
    text_vi: str
    text_en: str
    maintain: bool = False
    standing: bool = False
    group: str = ""
    variants: tuple[Target, ...] = ()

    def __post_init__(self) -> None:
        if self.comparison not in _OPS:
            raise ValueError(f"comparison must be one of {COMPARISONS}, not {self.comparison!r}")

    @property
    def strict(self) -> bool:
        """Whether the value itself falls short ("below 15 %", "more than 99.9 %")."""
        return self.comparison in ("<", ">")

    def variant(self, group: str) -> Target:
        """The target for communes of ``group`` (this one when the plan states none for the group)."""
        return next((v for v in self.variants if v.group == group), self)

    def split(self, communes: pd.DataFrame) -> list[tuple[pd.Series, Target]]:
        """Which target applies to which commune: [(row mask, target)], group variants first.

        A commune flagged in a group with its own target is judged against it; the rest (and communes
        whose flag is unknown) against the general target. Masks partition ``communes``' rows.
        """
        left = pd.Series(True, index=communes.index)
        parts: list[tuple[pd.Series, Target]] = []
        for variant in self.variants:
            if variant.group not in communes:
                continue
            mask = left & communes[variant.group].astype("boolean").fillna(False).astype(bool)
            if mask.any():
                parts.append((mask, variant))
                left &= ~mask
        parts.append((left, self))
        return parts

    def for_area(self, communes: pd.DataFrame) -> Target:
        """The target an area's aggregate is judged against: a group's own when every commune is in it."""
        for variant in self.variants:
            if variant.group in communes and len(communes):
                flags = communes[variant.group].astype("boolean")
                if bool(flags.fillna(False).all()):
                    return variant
        return self

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
    _memo: dict = field(default_factory=dict, repr=False)  # targets_by_key per framework, rows by id (read-only)

    def __post_init__(self) -> None:
        """Frames built by hand (tests, tools) may leave out the optional columns: fill their defaults."""
        for name, frame, defaults in (
            ("indicators", self.indicators, {"role": TARGET_ROLE}),
            ("frameworks", self.frameworks, {"area": "", "values_from": DOCUMENT}),
            ("targets", self.targets, {"maintain": 0, "standing": 0, "group": ""}),
        ):
            missing = {k: v for k, v in defaults.items() if k not in frame.columns}
            if missing:
                object.__setattr__(self, name, frame.assign(**missing))

    def indicator(self, indicator_id: str) -> dict[str, Any]:
        """Metadata of one indicator as a plain dict (a fresh copy); KeyError if the id is unknown."""
        return dict(self._row("indicators", indicator_id, "indicator"))

    def indicator_ids(self) -> list[str]:
        """Indicator ids in display order (a fresh list; the order is worked out once)."""
        if ("ids", "indicators") not in self._memo:
            self._memo[("ids", "indicators")] = self.indicators.sort_values("order")["id"].tolist()
        return list(self._memo[("ids", "indicators")])

    def framework(self, framework_id: str) -> dict[str, Any]:
        """Metadata of one framework (plan) as a plain dict (a fresh copy); KeyError if the id is unknown."""
        return dict(self._row("frameworks", framework_id, "framework"))

    def _row(self, table: str, row_id: str, kind: str) -> dict[str, Any]:
        """Rows looked up once (a pack asks ~150 times; each lookup filtered the frame)."""
        key = (table, row_id)
        if key not in self._memo:
            self._memo[key] = _row_dict(getattr(self, table), row_id, kind)
        return self._memo[key]

    def framework_ids(self) -> list[str]:
        """Framework ids in file order (the default one is not moved)."""
        return self.frameworks["id"].tolist()

    def default_framework(self) -> str:
        """Id of the framework shown first (validation guarantees exactly one)."""
        key = ("default", "frameworks")
        if key not in self._memo:
            self._memo[key] = str(self.frameworks.loc[self.frameworks["default"] == 1, "id"].iloc[0])
        return self._memo[key]

    def target(self, framework_id: str, indicator_id: str, year: int) -> Target | None:
        """The framework's general target for an indicator and year (with its group variants), or None.

        KeyError for an unknown framework id (a stale choice is a bug, not "no target").
        """
        return self.targets_by_key(framework_id).get((indicator_id, int(year)))

    def targets_by_key(self, framework_id: str) -> dict[tuple[str, int], Target]:
        """All of a plan's general targets keyed by (indicator, year), each with its group variants."""
        if framework_id in self._memo:
            return self._memo[framework_id]
        rows = self.targets_for(framework_id)
        general: dict[tuple[str, int], Target] = {}
        variants: dict[tuple[str, int], list[Target]] = {}
        for row in rows.itertuples(index=False):
            target = Target(
                framework_id=str(row.framework_id), indicator_id=str(row.indicator_id), year=int(row.target_year),
                comparison=str(row.comparison), value=float(row.value), text_vi=str(row.text_vi),
                text_en=str(row.text_en), maintain=bool(row.maintain), standing=bool(row.standing),
                group=str(row.group),
            )
            key = (target.indicator_id, target.year)
            if target.group:
                variants.setdefault(key, []).append(target)
            else:
                general[key] = target
        out = {key: replace(t, variants=tuple(variants.get(key, ()))) for key, t in general.items()}
        self._memo[framework_id] = out
        return out

    def is_context(self, indicator_id: str) -> bool:
        """A context indicator is shown for what it tells, never judged against a target."""
        return self.indicator(indicator_id)["role"] == CONTEXT_ROLE

    def framework_area(self, framework_id: str) -> tuple[str, str] | None:
        """(kind, code) of the area a plan applies to, e.g. ("old_district", "106"); None = nationwide."""
        area = str(self.framework(framework_id)["area"] or "")
        if not area:
            return None
        kind, code = area.split(":", 1)
        return kind, code

    def from_summary(self, framework_id: str) -> bool:
        """True when the plan's values were taken from a published summary, not checked against its text."""
        return self.framework(framework_id)["values_from"] == SUMMARY

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
        "role": _text(_allowed(ROLES)),
        "zero_of_zero": _text(_allowed(ZERO_OF_ZERO)),
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
        "area": _text(pa.Check.str_matches(AREA_PATTERN, error="area_format"), nullable=True),
        "values_from": _text(_allowed(VALUES_FROM)),
    }
    for name in FRAMEWORK_COLUMNS:
        columns.setdefault(name, _text())
    one_default = pa.Check(
        lambda df: "default" not in df.columns or int((df["default"] == 1).sum()) == 1, error="one_default"
    )
    # The default plan is the one shown for the whole country, so it must apply nationwide.
    national_default = _rows_where(("default", "scope"), lambda df: (df["default"] != 1) | (df["scope"] == "national"))
    area_fits = _rows_where(
        ("scope", "area"),
        lambda df: pd.Series([
            (a if isinstance(a, str) else "").startswith(AREA_PREFIX_FOR_SCOPE.get(s, "?"))
            and ((s == "national") == (not isinstance(a, str) or a == ""))
            for s, a in zip(df["scope"], df["area"], strict=True)
        ], index=df.index),
    )
    return pa.DataFrameSchema(
        {name: columns[name] for name in FRAMEWORK_COLUMNS},
        checks=[_not_empty(), one_default, pa.Check(national_default, error="national_default"),
                pa.Check(area_fits, error="area_scope")],
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
        "maintain": pa.Column(int, _allowed((0, 1))),
        "standing": pa.Column(int, _allowed((0, 1))),
        "group": _text(_allowed(GROUPS), nullable=True),
    }
    context = set(indicators.loc[indicators["role"] == CONTEXT_ROLE, "id"])

    def not_context(df: pd.DataFrame) -> pd.Series:
        return ~df["indicator_id"].isin(context)

    def keyed(df: pd.DataFrame) -> pd.DataFrame:
        return df.assign(group=df["group"].fillna(""))

    def maintained_fits(df: pd.DataFrame) -> pd.Series:
        """A "maintain" row is a 2030 row repeating the plan's 2025 target for the same communes."""
        df = keyed(df)
        earlier = df[df["target_year"] == 2025].set_index(["framework_id", "indicator_id", "group"])
        earlier = earlier[~earlier.index.duplicated()]
        keys = pd.MultiIndex.from_frame(df[["framework_id", "indicator_id", "group"]])
        before = earlier.reindex(keys)
        same = (before["comparison"].to_numpy() == df["comparison"].to_numpy()) & (
            before["value"].to_numpy() == df["value"].to_numpy())
        return pd.Series((df["maintain"] != 1).to_numpy() | ((df["target_year"] == 2030).to_numpy() & same),
                         index=df.index)

    def group_has_general(df: pd.DataFrame) -> pd.Series:
        """A group's target refines a general one; without it the other communes would have none."""
        df = keyed(df)
        general = set(map(tuple, df.loc[df["group"] == "", ["framework_id", "indicator_id", "target_year"]]
                          .itertuples(index=False)))
        return pd.Series([g == "" or (f, i, y) in general for f, i, y, g in
                          df[["framework_id", "indicator_id", "target_year", "group"]].itertuples(index=False)],
                         index=df.index)

    checks = [
        pa.Check(_rows_where(("indicator_id", "comparison"), comparison_fits), error="direction"),
        pa.Check(_rows_where(("indicator_id",), not_context), error="context_target"),
        pa.Check(_rows_where(("framework_id", "indicator_id", "target_year", "group", "maintain", "comparison",
                              "value"), maintained_fits), error="maintain"),
        pa.Check(_rows_where(("framework_id", "indicator_id", "target_year", "group"), group_has_general),
                 error="group_without_general"),
        pa.Check(_rows_where(tuple(TARGET_KEY), lambda df: ~keyed(df).duplicated(TARGET_KEY, keep=False)),
                 error="duplicate_key"),
    ]
    return pa.DataFrameSchema(columns, checks=checks, coerce=True)


# --- Loading ----------------------------------------------------------------------------------------


def load_registry(data_dir: str | Path | None = None) -> Registry:
    """Read and validate the three files (once, at this boundary); DataError names the file and problem."""
    folder = Path(data_dir) if data_dir is not None else registry_dir()
    indicators = read_data_file(folder / INDICATORS_FILE, indicators_schema())
    frameworks = read_data_file(folder / FRAMEWORKS_FILE, frameworks_schema())
    frameworks[["note_vi", "note_en", "area"]] = frameworks[["note_vi", "note_en", "area"]].fillna("")
    targets = read_data_file(folder / TARGETS_FILE, targets_schema(indicators, frameworks))
    targets["group"] = targets["group"].fillna("")
    return Registry(
        indicators=indicators.sort_values("order").reset_index(drop=True),
        frameworks=frameworks.reset_index(drop=True),
        targets=targets.reset_index(drop=True),
    )


def read_data_file(path: Path, schema: pa.DataFrameSchema, allowed: Mapping[str, Sequence] | None = None
                   ) -> pd.DataFrame:
    """One of the app's data/ CSV files checked against its pandera schema: the one loader for data/ files.

    Validates in two passes, types and presence first, then rules, so one bad cell gives one message; every
    problem is a bilingual sentence naming its line and column (a check's ``error`` is its
    err.registry.issue.* template). ``allowed``: the values an ``allowed`` check of a column takes, to name them.
    """
    frame = _read_csv(path)
    types_only = pa.DataFrameSchema(
        {name: pa.Column(col.dtype, nullable=col.nullable) for name, col in schema.columns.items()},
        coerce=True,
    )
    for current in (types_only, schema):
        try:
            frame = current.validate(frame, lazy=True)
        except pa_errors.SchemaErrors as exc:
            raise _invalid(path, _issues(exc.failure_cases, schema, allowed or {})) from None
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
    "comparison": COMPARISONS, "role": ROLES, "values_from": VALUES_FROM, "group": GROUPS,
    "maintain": (0, 1), "standing": (0, 1),
}  # fmt: skip
# Issue templates are err.registry.issue.<check> in data/strings.csv; fields: where (column/line), case (the
# bad value), type, allowed, line, max.
_TYPE_KEYS = {"int64": "err.registry.type.int64", "float64": "err.registry.type.float64"}
_TEMPLATED = frozenset({
    "missing_column", "type", "empty", "duplicate", "duplicate_key", "allowed", "id_format", "too_long",
    "percent_range", "unknown_framework", "unknown_indicator", "direction", "aggregation_measure", "one_default",
    "no_rows", "context_target", "maintain", "group_without_general", "area_format", "area_scope",
    "national_default",
})


def _issues(cases: pd.DataFrame, schema: pa.DataFrameSchema, allowed_by_column: Mapping[str, Sequence]
            ) -> list[tuple[str, str]]:
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
        allowed = ", ".join(str(v) for v in {**_ALLOWED_BY_COLUMN, **allowed_by_column}.get(col or "", ()))
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
