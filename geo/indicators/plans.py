"""Which plan fits the view, where each plan applies, and what the other plans say about an indicator.

A plan applies to an area (data/frameworks.csv ``area``): the whole country, a 2025 province, or a
pre-2025 district. District level ended on 1 July 2025, so a district plan applies to the 2025
communes with part of their area in the former district (from the crosswalk's old → new links).
"""

from __future__ import annotations

import pandas as pd

from geo.indicators.registry import Registry, Target
from geo.indicators.selection import in_codes

INSIDE, PARTLY, OUTSIDE = "inside", "partly", "outside"


def plan_areas(reg: Registry, communes: pd.DataFrame, old_links: pd.DataFrame) -> dict[str, frozenset[str]]:
    """2025 commune codes each sub-national plan applies to (nationwide plans are left out).

    ``communes``: code, province_code. ``old_links``: new_code, district_code (pre-2025 district of one
    old part of the new commune).
    """
    out: dict[str, frozenset[str]] = {}
    for fid in reg.framework_ids():
        area = reg.framework_area(fid)
        if area is None:
            continue
        kind, code = area
        if kind == "province":
            codes = communes.loc[communes["province_code"] == code, "code"]
        else:
            codes = old_links.loc[old_links["district_code"] == code, "new_code"]
        out[fid] = frozenset(str(c) for c in codes)
    return out


def default_plan(reg: Registry, areas: dict[str, frozenset[str]], *, province: str | None = None,
                 commune: str | None = None, indicator: str | None = None) -> str:
    """The plan for the area on screen: a district plan for one of its communes, else the province's
    plan, else a national one: the default national plan, or the first national plan that sets a
    target for ``indicator`` when the default sets none (e.g. stunting: Decision 1896). The user's
    explicit choice is handled by the caller and wins."""
    def scope(fid: str) -> str:
        return reg.framework(fid)["scope"]  # memoised rows: set_index on every rerun was a fifth of the sidebar

    if commune:
        for wanted in ("district", "province"):
            for fid, codes in areas.items():
                if scope(fid) == wanted and commune in codes:
                    return fid
    if province:
        for fid in areas:
            if reg.framework_area(fid) == ("province", province):
                return fid
    default = reg.default_framework()
    if indicator is None:
        return default
    national = [default] + [f for f in reg.framework_ids() if scope(f) == "national" and f != default]
    return next((f for f in national if reg.target(f, indicator, 2025) or reg.target(f, indicator, 2030)), default)


def coverage(areas: dict[str, frozenset[str]], framework: str, codes: pd.Series) -> str | None:
    """Whether the selected communes lie inside the plan's area: inside / partly / outside (None: nationwide)."""
    if framework not in areas:
        return None
    inside = in_codes(codes.astype(str), areas[framework])
    if len(codes) and inside.all():
        return INSIDE
    return PARTLY if inside.any() else OUTSIDE


def targets_elsewhere(reg: Registry, indicator: str, year: int, *, exclude: str | None = None) -> list[Target]:
    """The other shipped plans' general targets for an indicator and year, in file order."""
    found = []
    for fid in reg.framework_ids():
        if fid == exclude:
            continue
        target = reg.target(fid, indicator, year)
        if target is not None:
            found.append(target)
    return found


def compare_plans(reg: Registry, indicator: str, value: float) -> pd.DataFrame:
    """One row per plan with a target for the indicator: 2025 and 2030 targets and the value against each.

    Columns: framework, from_summary, and for Y in 2025/2030 target_Y (the Target, or None) and met_Y
    (bool, NA without a target or a value). Plans without any target for the indicator are left out.
    """
    rows = []
    for fid in reg.framework_ids():
        rec: dict = {"framework": fid, "from_summary": reg.from_summary(fid)}
        found = False
        for year in (2025, 2030):
            target = reg.target(fid, indicator, year)
            found |= target is not None
            rec[f"target_{year}"] = target
            rec[f"met_{year}"] = pd.NA if target is None or pd.isna(value) else target.is_met(value)
        if found:
            rows.append(rec)
    return pd.DataFrame(rows, columns=["framework", "from_summary", "target_2025", "met_2025", "target_2030",
                                       "met_2030"])
