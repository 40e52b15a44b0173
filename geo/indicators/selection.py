"""What one view shows: the communes in the selection joined to one indicator-year, and its summary."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.indicators.aggregate import aggregate_rates
from geo.indicators.coverage import marks_of, split_flags
from geo.indicators.status import (
    MET,
    NO_DATA,
    cases_above_target,
    classify_against_target,
    communes_needed,
    compute_gap,
    zero_cases,
)
from geo.reference.communes import COMMUNE_TYPES


@dataclass(frozen=True)
class Filters:
    """The selection; None means 'all'."""

    province: str | None = None
    em_area: bool | None = None
    border: bool | None = None
    commune_types: tuple[str, ...] = COMMUNE_TYPES
    coastal: bool | None = None
    island: bool | None = None
    include_partial: bool = False  # partial 2025 communes in aggregates and "communes meeting" (shown anyway)
    especially_difficult: bool | None = None  # only from an upload's attributes
    em_class: str | None = None  # khu vực I / II / III of an ethnic-minority area, from an upload's attributes


@dataclass(frozen=True)
class JoinReport:
    """What did not match in a join, so it can be shown instead of silently dropped."""

    matched: int
    communes_without_data: int
    unknown_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """Aggregate of a selection against a target (rates from summed counts)."""

    n_communes: int
    n_reported: int
    n_met: int
    numerator: float
    denominator: float
    rate: float  # percent, NaN when nothing reported
    status: str
    gap: float  # percentage points, positive = short of target
    communes_needed: int | None  # only for share-of-communes targets


def in_codes(codes: pd.Series, wanted) -> np.ndarray:
    """Boolean mask: which of `codes` are in `wanted`.

    pandas' isin on Arrow-backed strings turns every wanted value into a Python scalar first (pandas 3.1),
    about 0.15 s for the 3,321 communes on a busy core; every rerun filters by code several times, so the
    same test goes to pyarrow's is_in (≈ 200× faster, same answer).
    """
    values = pa.array(list(wanted) if isinstance(wanted, (set, frozenset)) else wanted, type=pa.string(),
                      from_pandas=True)
    found = pc.is_in(pa.array(codes, type=pa.string(), from_pandas=True), value_set=values)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def attach_attributes(communes: pd.DataFrame, attributes: pd.DataFrame | None) -> pd.DataFrame:
    """Add dataset-level commune attributes (ethnic-minority flag, under-5s) to the boundary table.

    A flag the dataset gives (e.g. an official border list) overrides the derived one for that
    commune; where the dataset says nothing the derived value stays. Missing flags stay unknown.
    """
    out = communes.copy()
    if attributes is None or attributes.empty:
        attributes = pd.DataFrame({"code": pd.Series(dtype="string")})
    extra = attributes.drop_duplicates("code").rename(columns=lambda c: c if c == "code" else f"{c}__ds")
    out = out.merge(extra, on="code", how="left", validate="one_to_one")
    for col in [c[:-4] for c in out.columns if c.endswith("__ds")]:
        given = out.pop(f"{col}__ds")
        out[col] = given.combine_first(out[col]) if col in out else given
    for col in YES_NO_ATTRIBUTES:
        out[col] = out[col].astype("boolean") if col in out else pd.array([pd.NA] * len(out), dtype="boolean")
    out["em_class"] = out["em_class"].astype("string") if "em_class" in out else pd.array(
        [pd.NA] * len(out), dtype="string")
    return out


YES_NO_ATTRIBUTES = ("em_area", "border", "coastal", "island", "especially_difficult")
UPLOADED, DERIVED, ILLUSTRATIVE, UNKNOWN = "uploaded", "derived", "illustrative", "unknown"
_DERIVED = ("border", "coastal", "island")  # from the boundaries (geo/geometry/border.py, coast.py)


def attribute_sources(attributes: pd.DataFrame | None, *, illustrative: bool) -> dict[str, tuple[str, int]]:
    """Where each filterable attribute comes from, and for how many communes the dataset states it.

    uploaded: the dataset states it for some communes (the others keep the derived value, or stay
    unknown); derived: computed from the boundaries; illustrative: generated with the illustrative data;
    unknown: nobody states it.
    """
    out = {}
    for col in (*YES_NO_ATTRIBUTES, "em_class"):
        given = 0 if attributes is None or col not in attributes else int(attributes[col].notna().sum())
        if given and not illustrative:
            out[col] = (UPLOADED, given)
        elif col in _DERIVED:
            out[col] = (DERIVED, 0)
        elif illustrative and col == "em_area":
            out[col] = (ILLUSTRATIVE, given)
        else:
            out[col] = (UNKNOWN, 0)
    return out


def filter_communes(communes: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of the commune table inside the selection (unknown flags never match a yes/no filter)."""
    mask = communes["commune_type"].isin(filters.commune_types)
    if filters.province:
        mask &= communes["province_code"] == filters.province
    if filters.em_area is not None and "em_area" in communes:
        mask &= communes["em_area"].fillna(not filters.em_area) == filters.em_area
    for col in ("border", "coastal", "island", "especially_difficult"):
        wanted = getattr(filters, col)
        if wanted is not None and col in communes:
            mask &= communes[col].fillna(not wanted) == wanted
    if filters.em_class is not None:
        mask &= (communes["em_class"] == filters.em_class).fillna(False) if "em_class" in communes else False
    return communes[mask]


def join_indicator(communes: pd.DataFrame, values: pd.DataFrame, indicator: str, year: int
                   ) -> tuple[pd.DataFrame, JoinReport]:
    """Left-join one indicator-year onto the communes; report codes in the data with no commune."""
    marks = marks_of(values)  # coverage / basis / counted, when the values were marked (geo.indicators.coverage)
    rows = (values["indicator"] == indicator) & (values["year"] == year)
    subset = values.loc[rows, ["code", "numerator", "denominator", "value", *marks]]
    if "coverage" not in marks and "flags" in values:  # unmarked upload: its coverage level from the flags
        subset["coverage"] = split_flags(values.loc[rows, "flags"])[0].to_numpy()
    merged = communes.merge(subset, on="code", how="outer", validate="one_to_one", indicator=True)
    unknown = sorted(merged.loc[merged["_merge"] == "right_only", "code"].astype(str))
    merged = merged[merged["_merge"] != "right_only"]
    report = JoinReport(
        matched=int((merged["_merge"] == "both").sum()),
        communes_without_data=int((merged["_merge"] == "left_only").sum()),
        unknown_codes=unknown,
    )
    return merged.drop(columns="_merge").reset_index(drop=True), report


def assess_communes(frame: pd.DataFrame, meta: dict, target) -> pd.DataFrame:
    """Per-commune status, gap (points) and children separating the commune from the target.

    Each commune is judged against the target that applies to it (a priority group's own target, e.g.
    ethnic-minority areas, else the general one): ``target_value`` and ``target_group`` ("" = general)
    say which. A 0-of-0 row (no affected child this year) is 'not_applicable'.
    """
    out = frame.copy()
    out["status"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["gap"] = np.nan
    out["cases_to_target"] = np.nan
    out["target_value"] = np.nan
    out["target_group"] = ""
    na = zero_cases(out["numerator"], out["denominator"]) if "numerator" in out else None
    for mask, part_target in split_by_target(out, target):
        part = out[mask]
        out.loc[mask, "status"] = classify_against_target(part["value"], part_target, na)
        if part_target is not None:
            out.loc[mask, "target_value"] = part_target.value
            out.loc[mask, "target_group"] = part_target.group
        if meta["measure"] != "yes_no":  # a single commune has it or not; the gap is an area-level notion
            out.loc[mask, "gap"] = compute_gap(part["value"], part_target, meta["direction"])
            out.loc[mask, "cases_to_target"] = cases_above_target(part["numerator"], part["denominator"],
                                                                  part_target, meta["direction"])
    return out


def split_by_target(frame: pd.DataFrame, target) -> list[tuple[pd.Series, object]]:
    """[(row mask, target)] covering the frame: group targets for their communes, the general one for the rest."""
    if target is None:
        return [(pd.Series(True, index=frame.index), None)]
    return [(mask, t) for mask, t in target.split(frame) if mask.any()] or [(pd.Series(True, index=frame.index),
                                                                            target)]


def summarise(frame: pd.DataFrame, meta: dict, target) -> Summary:
    """KPI figures for the selection: aggregate from counts, status, and communes still needed.

    The aggregate is judged against the target of the selection (a group's own when every commune
    in it belongs to the group); communes met = communes meeting the target that applies to each.
    """
    agg = aggregate_rates(frame).iloc[0]
    area_target = target.for_area(frame) if target is not None else None
    rate = float(agg["rate"])
    value = pd.Series([rate])
    status = str(classify_against_target(value, area_target,
                                         pd.Series([agg["n_zero"] > 0 and agg["n_reported"] == 0])).iloc[0])
    gap = float(compute_gap(value, area_target, meta["direction"]).iloc[0])
    needed = None
    if meta["aggregation"] == "share_of_communes" and area_target is not None and status != NO_DATA:
        needed = communes_needed(int(agg["numerator"]), int(agg["n_reported"]), area_target.value)
    n_met = int(((frame["status"] == MET) & counted_rows(frame)).sum()) if "status" in frame else 0
    return Summary(
        n_communes=int(agg["n_units"]), n_reported=int(agg["n_reported"]), n_met=n_met,
        numerator=float(agg["numerator"]), denominator=float(agg["denominator"]), rate=rate,
        status=status, gap=gap, communes_needed=needed,
    )


def counted_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows that may count as "communes meeting the target" (partial communes only by the user's choice)."""
    if "counted" not in frame:
        return pd.Series(True, index=frame.index)
    return frame["counted"].astype("boolean").fillna(True).astype(bool)


def add_uncertainty(frame: pd.DataFrame, meta: dict, target, min_n: int) -> pd.DataFrame:
    """Wilson 95% interval, 'clearly met / clearly not met / not clearly different', low-precision flag.

    Yes/no indicators are facts about a commune, not estimates: no interval, never low precision.
    """
    from geo.indicators.uncertainty import classify_with_uncertainty, flag_low_precision, wilson_interval

    out = frame.copy()
    if meta["measure"] == "yes_no":
        out["lo"], out["hi"] = np.nan, np.nan
        out["low_precision"] = False
        out["certainty"] = out["status"]
        return out
    out["lo"], out["hi"] = wilson_interval(out["numerator"], out["denominator"])
    out["low_precision"] = flag_low_precision(out["denominator"], threshold=min_n).fillna(False).astype(bool)
    out["certainty"] = pd.Series(pd.NA, index=out.index, dtype="string")
    for mask, part_target in split_by_target(out, target):
        part = out[mask]
        out.loc[mask, "certainty"] = classify_with_uncertainty(part["lo"], part["hi"], part["value"], part_target,
                                                               meta["direction"])
    return out


def add_trend(frame: pd.DataFrame, values: pd.DataFrame, meta: dict, target, year: int) -> pd.DataFrame:
    """AARR, the AARR required for the target, and on track / off track / met / not assessable."""
    from geo.indicators.trends import assess_trend

    history = values[(values["indicator"] == meta["id"]) & (values["year"] <= year)
                      & in_codes(values["code"], frame["code"])]
    parts = [assess_trend(history[in_codes(history["code"], frame.loc[mask, "code"])], part_target, meta["direction"],
                          measure=meta["measure"])
             for mask, part_target in split_by_target(frame, target)]
    trend = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    cols = ["code", "aarr", "required_aarr", "status"]
    out = frame.merge(trend[cols].rename(columns={"status": "trend_status"}), on="code", how="left",
                      validate="one_to_one")
    out["trend_status"] = out["trend_status"].fillna(NO_DATA if target is not None else "no_target")
    return out
