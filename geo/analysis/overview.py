"""Leaders' overview: every indicator of a plan for the selection, and one indicator province by province.

All area figures are sums of counts (see geo.aggregate); "communes meeting" counts individual communes
whose own value meets the target. Both tables are computed in one pass over the data year so that they
stay fast enough for every Streamlit rerun.

Column conventions (shared with geo.ranking, geo.equity and geo.profile):
value = aggregate percent; gap = percentage points, positive = short of the target;
n_communes = communes in the selection; n_reporting = communes with usable counts;
n_met = communes whose own value meets the target; communes_needed = more "yes" communes needed for a
share-of-communes target; cases_to_target = children (units for school shares) separating the area
from the target, from its summed counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.indicators.aggregate import aggregate_rates
from geo.indicators.coverage import marks_of
from geo.indicators.registry import GROUPS, SHARE_OF_COMMUNES, TARGET_YEARS, YES_NO, Registry, Target
from geo.indicators.selection import (
    Filters,
    assess_communes,
    counted_rows,
    filter_communes,
    in_codes,
    join_indicator,
)
from geo.indicators.status import (
    NO_DATA,
    NOT_APPLICABLE,
    cases_above_target,
    classify_against_target,
    communes_needed,
    compute_gap,
)
from geo.text.catalogue import error

VALUE_COLUMNS = ["code", "indicator", "numerator", "denominator", "value"]


def list_indicators(reg: Registry) -> list[dict]:
    """Indicator metadata dicts in display order (fresh copies; one lookup per indicator, memoised rows)."""
    return [reg.indicator(ind) for ind in reg.indicator_ids()]


def select_year(values: pd.DataFrame, year: int, codes: pd.Series) -> pd.DataFrame:
    """Rows of one data year for the given communes; duplicates would double-count, so they are refused."""
    # A mask, not a merge with the codes: the same rows (in the values' order) for a tenth of the time.
    rows = values.loc[(values["year"] == year) & in_codes(values["code"], codes), [*VALUE_COLUMNS, *marks_of(values)]]
    rows = rows.reset_index(drop=True)
    dup = rows.duplicated(["code", "indicator"])
    if dup.any():
        pairs = ", ".join(f"{c}/{i}" for c, i in rows.loc[dup, ["code", "indicator"]].head(3).itertuples(index=False))
        raise error("err.analysis.duplicate_rows", year=year, pairs=pairs)
    return rows


def describe_against_target(agg: pd.Series | dict, commune_values: pd.Series, meta: dict,
                            target: Target | None, communes: pd.DataFrame | None = None) -> dict:
    """Status, gap, communes meeting, communes still needed and cases to target for one area and target.

    With ``communes`` (the selection's rows: value plus priority-group flags, same index as
    ``commune_values``) each commune counts as meeting the target that applies to it, and the area is
    judged against a group's own target when every commune is in that group (``target_group``).
    """
    area_target = target.for_area(communes) if target is not None and communes is not None else target
    rate = pd.Series([float(agg["rate"])])
    nobody = pd.Series([int(agg.get("n_zero", 0)) > 0 and int(agg["n_reported"]) == 0])
    status = str(classify_against_target(rate, area_target, nobody).iloc[0])
    if target is None:
        n_met = pd.NA
    elif communes is None:
        n_met = int(target.met_mask(commune_values).fillna(False).sum())
    else:
        n_met = sum(int(t.met_mask(commune_values[mask]).fillna(False).sum()) for mask, t in target.split(communes))
    out = {
        "target": np.nan if area_target is None else area_target.value,
        "target_group": "" if area_target is None else area_target.group,
        "status": status,
        "gap": float(compute_gap(rate, area_target, meta["direction"]).iloc[0]),
        "n_met": n_met,
        "communes_needed": pd.NA,
        "cases_to_target": np.nan,
    }
    if area_target is None or status in (NO_DATA, NOT_APPLICABLE):
        return out
    if meta["aggregation"] == SHARE_OF_COMMUNES:
        out["communes_needed"] = communes_needed(int(round(agg["numerator"])), int(agg["n_reported"]),
                                                 area_target.value)
    if meta["measure"] != YES_NO:
        out["cases_to_target"] = float(cases_above_target(pd.Series([agg["numerator"]]),
                                                          pd.Series([agg["denominator"]]),
                                                          area_target, meta["direction"]).iloc[0])
    return out


def summarise_targets(communes: pd.DataFrame, values: pd.DataFrame, reg: Registry, framework: str, year: int,
                      filters: Filters | None = None, *, lang: str = "vi") -> pd.DataFrame:
    """One row per indicator (registry order): the selection's aggregate against the 2025 and 2030 targets.

    Columns: indicator, measure, aggregation, direction, role (target/context), n_communes, n_reporting,
    n_zero (0-of-0 communes), numerator, denominator, value, and for Y in 2025/2030: target_Y,
    target_text_Y (in ``lang``, the target that applied), target_group_Y ("" = general), maintain_Y,
    standing_Y, status_Y, gap_Y, n_met_Y, communes_needed_Y (share-of-communes targets only),
    cases_to_target_Y (rates and shares only). Indicators without a target in the plan keep their
    aggregate with status "no_target".
    """
    selected = filter_communes(communes, filters or Filters())
    rows = select_year(values, year, selected["code"])
    flags = [g for g in GROUPS if g in selected]
    rows = rows.merge(selected[["code", *flags]], on="code", how="left", validate="many_to_one")
    aggs = aggregate_rates(rows, by="indicator").set_index("indicator")
    by_indicator = {ind: sub for ind, sub in rows.groupby("indicator", sort=False)}
    targets = reg.targets_by_key(framework)
    nothing = pd.Series({"numerator": 0.0, "denominator": 0.0, "rate": np.nan, "n_reported": 0, "n_zero": 0})
    empty = pd.DataFrame({"value": pd.Series(dtype=float)})
    records = []
    for meta in list_indicators(reg):
        ind = meta["id"]
        agg = aggs.loc[ind] if ind in aggs.index else nothing
        rec = {
            "indicator": ind, "measure": meta["measure"], "aggregation": meta["aggregation"],
            "direction": meta["direction"], "role": meta["role"], "n_communes": len(selected),
            "n_reporting": int(agg["n_reported"]), "n_zero": int(agg["n_zero"]),
            "numerator": float(agg["numerator"]), "denominator": float(agg["denominator"]),
            "value": float(agg["rate"]),
        }
        sub = by_indicator.get(ind, empty)
        counted = sub["value"].where(counted_rows(sub))  # the same for both target years
        for ty in TARGET_YEARS:
            target = targets.get((ind, ty))
            described = describe_against_target(agg, counted, meta, target, sub)
            applied = target.for_area(sub) if target is not None else None
            rec[f"target_text_{ty}"] = "" if applied is None else applied.text(lang)
            rec[f"maintain_{ty}"] = applied is not None and applied.maintain
            rec[f"standing_{ty}"] = applied is not None and applied.standing
            for key, val in described.items():
                rec[f"{key}_{ty}"] = val
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    for ty in TARGET_YEARS:
        out[f"n_met_{ty}"] = out[f"n_met_{ty}"].astype("Int64")
        out[f"communes_needed_{ty}"] = out[f"communes_needed_{ty}"].astype("Int64")
    return out


def summarise_provinces(communes: pd.DataFrame, values: pd.DataFrame, reg: Registry, framework: str,
                        indicator: str, year: int, target_year: int, filters: Filters | None = None
                        ) -> pd.DataFrame:
    """One row per province (by code) for a province status map and tiles, aggregated from counts.

    Columns: province_code, province_name, n_communes, n_reporting, numerator, denominator, value, target,
    status, gap, n_met, communes_needed, cases_to_target. ``filters`` (e.g. ethnic-minority areas only)
    narrow the communes counted in each province; provinces with no commune left are omitted.
    """
    meta = reg.indicator(indicator)
    target = reg.target(framework, indicator, target_year)
    selected = filter_communes(communes, filters or Filters())
    flags = [g for g in GROUPS if g in selected]
    frame, _ = join_indicator(selected[["code", "province_code", "province_name", *flags]], values, indicator, year)
    frame = assess_communes(frame, meta, target)
    # Communes are judged against their own group's target above; the provinces' aggregates against the
    # selection's (a group's own when the filters keep only that group, e.g. ethnic-minority areas).
    target = target.for_area(selected) if target is not None else None
    keys = ["province_code", "province_name"]
    agg = aggregate_rates(frame, by=keys)
    counts = agg.rename(columns={"n_units": "n_communes", "n_reported": "n_reporting", "rate": "value"})
    # Area-level status for all provinces at once (same rules as describe_against_target).
    counts["target"] = np.nan if target is None else target.value
    counts["status"] = classify_against_target(counts["value"], target).to_numpy()
    counts["gap"] = compute_gap(counts["value"], target, meta["direction"])
    met = (frame["status"].eq("met") & counted_rows(frame)).groupby([frame[k] for k in keys], sort=True).sum()
    counts = counts.merge(met.rename("n_met").reset_index(), on=keys, how="left", validate="one_to_one")
    counts["n_met"] = counts["n_met"].astype("Int64") if target is not None else pd.array(
        [pd.NA] * len(counts), dtype="Int64")
    reported = counts["status"] != NO_DATA
    if target is not None and meta["aggregation"] == SHARE_OF_COMMUNES:
        needed = [communes_needed(int(round(n)), int(r), target.value) if ok else pd.NA
                  for n, r, ok in zip(counts["numerator"], counts["n_reporting"], reported, strict=True)]
        counts["communes_needed"] = pd.array(needed, dtype="Int64")
    else:
        counts["communes_needed"] = pd.array([pd.NA] * len(counts), dtype="Int64")
    if target is not None and meta["measure"] != YES_NO:
        cases = cases_above_target(counts["numerator"], counts["denominator"], target, meta["direction"])
        counts["cases_to_target"] = cases.where(reported)
    else:
        counts["cases_to_target"] = np.nan
    columns = keys + ["n_communes", "n_reporting", "numerator", "denominator", "value", "target", "status", "gap",
                      "n_met", "communes_needed", "cases_to_target"]
    return counts[columns].sort_values("province_code", ignore_index=True)
