"""Carry data reported for the communes before 1 July 2025 onto the 3,321 communes in force since.

Counts (numerators, denominators) of old communes are summed into their new commune; a split old
commune's counts are allocated by the crosswalk's weights (see geo/ingest/crosswalk.py) and never
rounded, so totals are preserved. Yes/no indicators combine by data/crosswalk_rules.csv (any/all).

Coverage of each result (new commune, year, indicator), worst first:

* ``partial``: some of the new commune's old parts did not report; the value describes only those that did;
* ``allocated``: all parts reported but at least one was split, so the value rests on allocated counts;
* ``complete``: every old part reported and none was split.

Rates given without counts: one old part alone keeps its rate. When every reporting part of a new
commune gave only a rate, the rates are combined with the crosswalk's weights (a whole old commune
weighs 1, a split one its population share; the old communes' own populations were never published,
so this is the best available weighting, not a count) and the result is marked ``rate_weighted``.
Parts mixing counts and bare rates cannot be combined and are listed in ``skipped``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from geo.ingest.crosswalk import Crosswalk
from geo.ingest.rules import ANY
from geo.ingest.vocab import PRE2025_BASES
from geo.text.catalogue import error

COMPLETE, PARTIAL_COVERAGE, ALLOCATED = "complete", "partial", "allocated"
COVERAGE_ORDER = (PARTIAL_COVERAGE, ALLOCATED, COMPLETE)  # worst first
SOURCE_2025, SOURCE_CROSSWALK = "2025", "crosswalk"
RATE_WEIGHTED = "rate_weighted"  # a mark: rates of several old parts combined by the crosswalk's weights

# Reasons an old row did not reach a new commune (CarryResult.skipped["reason"]).
NOT_IN_CROSSWALK = "not_in_crosswalk"
RATE_WITHOUT_COUNTS = "rate_without_counts"
ALSO_REPORTED_2025 = "also_reported_with_2025_code"

VALUE_COLUMNS = ("code", "year", "indicator", "numerator", "denominator", "value")
RESULT_COLUMNS = (*VALUE_COLUMNS, "coverage", "parts_expected", "parts_reported", "source", "marks")


@dataclass(frozen=True, eq=False)
class CarryResult:
    """Old rows carried to 2025 communes.

    ``values``: RESULT_COLUMNS, one row per new commune, year and indicator. ``coverage``: code, year,
    coverage (the worst over the commune's indicators that year). ``skipped``: old_code, new_code (NA when
    unknown), year, indicator, reason, source_row: old rows (or their share for one new commune) that
    reached no result, and why.
    """

    values: pd.DataFrame
    coverage: pd.DataFrame
    skipped: pd.DataFrame


_OLD_ROWS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str),
        "year": pa.Column(int, coerce=True),
        "indicator": pa.Column(str),
        "numerator": pa.Column(float, nullable=True, coerce=True),
        "denominator": pa.Column(float, nullable=True, coerce=True),
        "value": pa.Column(float, nullable=True, coerce=True),
    },
    unique=["code", "year", "indicator"],
)


def _check_rows(rows: pd.DataFrame) -> pd.DataFrame:
    try:
        return _OLD_ROWS_SCHEMA.validate(rows, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases[["column", "check"]].drop_duplicates().head(5).to_dict("records")
        raise error("err.ingest.old_rows_malformed", detail=cases) from None


def carry_to_2025(old_rows: pd.DataFrame, crosswalk: Crosswalk) -> CarryResult:
    """Sum (or, for yes/no, combine) old communes' rows into the new communes; see the module docstring.

    ``old_rows``: code (pre-2025 code), year, indicator, numerator, denominator, value, optionally
    source_row. Rates given only as a percentage (no counts) are carried when they are the only old
    part reported for that new commune and year; several such parts cannot be combined without counts
    and are listed in ``skipped``.
    """
    rows = _check_rows(old_rows.copy())
    if "source_row" not in rows:
        rows["source_row"] = pd.NA
    links = crosswalk.links
    merged = rows.merge(links, left_on="code", right_on="old_code", how="left", validate="many_to_many",
                        indicator=True)
    skipped = [merged.loc[merged["_merge"] == "left_only", ["code", "year", "indicator", "source_row"]]
               .rename(columns={"code": "old_code"}).assign(reason=NOT_IN_CROSSWALK, new_code=pd.NA)]
    merged = merged[merged["_merge"] == "both"].drop(columns="_merge")

    combine = dict(zip(crosswalk.rules["indicator"], crosswalk.rules["combine"], strict=True))
    keys = ["new_code", "year", "indicator"]
    is_yes_no = merged["indicator"].isin(list(combine))
    parts = []

    counts = merged[~is_yes_no].copy()
    if not counts.empty:
        has_counts = counts["numerator"].notna() & counts["denominator"].notna()
        counts["num_w"] = counts["numerator"] * counts["weight"]
        counts["den_w"] = counts["denominator"] * counts["weight"]
        counts["has_counts"] = has_counts
        counts["rate_w"] = counts["value"] * counts["weight"]
        counts["w_rate"] = counts["weight"].where(counts["value"].notna() & ~has_counts, 0.0)
        grouped = counts.groupby(keys, sort=False)
        summary = grouped.agg(
            numerator=("num_w", "sum"), denominator=("den_w", "sum"), n=("code", "nunique"),
            n_counts=("has_counts", "sum"), split=("receivers", "max"), value_only=("value", "first"),
            rate_w=("rate_w", "sum"), w_rate=("w_rate", "sum"),
        ).reset_index()
        lone_value = (summary["n"] == 1) & (summary["n_counts"] == 0)
        weighted = (summary["n"] > 1) & (summary["n_counts"] == 0) & (summary["w_rate"] > 0)
        mixed = (summary["n_counts"] < summary["n"]) & ~lone_value & ~weighted
        summary.loc[lone_value | weighted, ["numerator", "denominator"]] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            summary["value"] = np.select(
                [lone_value, weighted],
                [summary["value_only"], summary["rate_w"] / summary["w_rate"].where(summary["w_rate"] > 0)],
                100.0 * summary["numerator"] / summary["denominator"].where(summary["denominator"] > 0))
        summary["marks"] = np.where(weighted, RATE_WEIGHTED, "")
        bad = summary.loc[mixed, keys]
        if not bad.empty:
            dropped = counts.merge(bad, on=keys, how="inner", validate="many_to_one")
            skipped.append(dropped[["old_code", "new_code", "year", "indicator", "source_row"]]
                           .assign(reason=RATE_WITHOUT_COUNTS))
        parts.append(summary.loc[~mixed, [*keys, "numerator", "denominator", "value", "n", "split", "marks"]])

    flags = merged[is_yes_no].copy()
    if not flags.empty:
        flags["rule"] = flags["indicator"].map(combine)
        grouped = flags.groupby(keys, sort=False)
        summary = grouped.agg(
            any_yes=("numerator", "max"), all_yes=("numerator", "min"), n=("code", "nunique"),
            split=("receivers", "max"), rule=("rule", "first"),
        ).reset_index()
        summary["numerator"] = np.where(summary["rule"] == ANY, summary["any_yes"], summary["all_yes"]).astype(float)
        summary["denominator"] = 1.0
        summary["value"] = 100.0 * summary["numerator"]
        summary["marks"] = ""
        parts.append(summary[[*keys, "numerator", "denominator", "value", "n", "split", "marks"]])

    if parts:
        out = pd.concat(parts, ignore_index=True)
    else:
        out = pd.DataFrame(columns=[*keys, "numerator", "denominator", "value", "n", "split", "marks"])
    expected = crosswalk.count_parts()
    out["parts_expected"] = out["new_code"].map(expected).astype(int)
    out["parts_reported"] = out["n"].astype(int)
    out["coverage"] = np.select(
        [out["parts_reported"] < out["parts_expected"], out["split"] > 1], [PARTIAL_COVERAGE, ALLOCATED], COMPLETE)
    out["source"] = SOURCE_CROSSWALK
    out = out.rename(columns={"new_code": "code"})[list(RESULT_COLUMNS)]
    out = _set_types(out.sort_values(["code", "year", "indicator"], ignore_index=True))
    return CarryResult(values=out, coverage=_summarise_coverage(out), skipped=_gather_skipped(skipped))


def _set_types(values: pd.DataFrame) -> pd.DataFrame:
    return values.astype({"code": str, "year": int, "indicator": str, "numerator": float, "denominator": float,
                          "value": float, "parts_expected": int, "parts_reported": int, "marks": str})


def _summarise_coverage(values: pd.DataFrame) -> pd.DataFrame:
    if values.empty:
        return pd.DataFrame(columns=["code", "year", "coverage"])
    rank = values["coverage"].map({level: i for i, level in enumerate(COVERAGE_ORDER)})
    worst = rank.groupby([values["code"], values["year"]]).min().rename("coverage").reset_index()
    worst["coverage"] = worst["coverage"].map(dict(enumerate(COVERAGE_ORDER)))
    return worst


def _gather_skipped(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    cols = ["old_code", "new_code", "year", "indicator", "reason", "source_row"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    return out[cols].drop_duplicates(ignore_index=True)


def carry_upload(valid_rows: pd.DataFrame, crosswalk: Crosswalk) -> CarryResult:
    """All valid rows of an upload on 2025 communes: pre-2025 rows carried, 2025 rows kept as they are.

    When the same new commune, year and indicator comes both from a 2025 row and from old rows, the
    2025 row wins (it was reported for the commune as it is now) and the old rows go to ``skipped``.
    """
    is_old = valid_rows["basis"].isin(PRE2025_BASES)
    carried = carry_to_2025(valid_rows.loc[is_old, [*VALUE_COLUMNS, "source_row"]], crosswalk)
    direct = valid_rows.loc[~is_old, list(VALUE_COLUMNS)].copy()
    direct["parts_expected"] = direct["code"].map(crosswalk.count_parts()).fillna(1).astype(int)
    direct["parts_reported"] = direct["parts_expected"]
    direct["coverage"] = COMPLETE
    direct["source"] = SOURCE_2025
    direct["marks"] = ""
    both = carried.values.merge(direct[["code", "year", "indicator"]], on=["code", "year", "indicator"],
                                how="left", validate="one_to_one", indicator=True)
    clash = both["_merge"] == "both"
    skipped = [carried.skipped]
    if clash.any():
        clashing = both.loc[clash, ["code", "year", "indicator"]]
        old = valid_rows.loc[is_old].merge(crosswalk.links[["old_code", "new_code"]], left_on="code",
                                           right_on="old_code", how="inner", validate="many_to_many")
        old = old.drop(columns="code").rename(columns={"new_code": "code"}).merge(
            clashing, on=["code", "year", "indicator"], how="inner", validate="many_to_one")
        skipped.append(old[["old_code", "code", "year", "indicator", "source_row"]]
                       .rename(columns={"code": "new_code"}).assign(reason=ALSO_REPORTED_2025))
    values = pd.concat([carried.values[~clash.to_numpy()], direct[list(RESULT_COLUMNS)]], ignore_index=True)
    values = _set_types(values.sort_values(["code", "year", "indicator"], ignore_index=True))
    return CarryResult(values=values, coverage=_summarise_coverage(values), skipped=_gather_skipped(skipped))
