"""Planners' lists: which communes lag a target, which provinces need more communes, and where to act first.

Rates (children) and shares (schools) have a continuous distance to the target, so communes are ranked
by their gap. Yes/no indicators (play space, child-friendly commune) have none: a commune has it or
not. For those, :func:`communes_needed_by_province` counts how many more communes each province needs
and :func:`closest_to_qualifying` offers an explicitly labelled proxy ordering, not a distance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.indicators.aggregate import aggregate_rates
from geo.indicators.registry import RATE, YES_NO, Registry, Target
from geo.indicators.selection import add_trend, assess_communes, in_codes
from geo.indicators.status import NO_DATA, NOT_MET, classify_against_target, communes_needed
from geo.indicators.trends import assess_trend

FURTHEST = "furthest"
NEAREST = "nearest"
ORDERS = (FURTHEST, NEAREST)

_CONTEXT = ["code", "name", "full_name", "province_code", "province_name", "commune_type", "em_area", "border",
            "under5", "population", "coverage", "basis"]


def trend_arrows(history: pd.DataFrame, meta: dict, *, year: int | None = None) -> pd.DataFrame:
    """Per commune: the trend arrow by the one trend rule, the AARR's (see geo.indicators.trends).

    improving when AARR >= +0.5 %/yr, worsening when <= -0.5 %/yr, flat between (FLAT_AARR); NA with
    fewer than two years. Uses the rows of ``history`` for ``meta["id"]`` up to ``year``. Returns code,
    trend, aarr, trend_from, trend_to (years of the first and last value in the fit).
    """
    rows = history
    if "indicator" in rows and "id" in meta:
        rows = rows[rows["indicator"] == meta["id"]]
    if year is not None:
        rows = rows[rows["year"] <= year]
    rows = rows[rows["value"].notna()]
    result = assess_trend(rows, None, meta["direction"], measure=meta.get("measure", RATE))
    span = rows.groupby("code")["year"].agg(["min", "max"])
    span = span[span["max"] > span["min"]]
    out = result[["code", "trend", "aarr"]].merge(
        span.rename(columns={"min": "trend_from", "max": "trend_to"}).astype("Int64").reset_index(),
        on="code", how="left", validate="one_to_one")
    out["trend"] = out["trend"].astype("string").where(out["aarr"].notna())
    return out


def progress_goal(target: Target | None, later: Target | None, year: int | None) -> Target | None:
    """The target the "AARR needed" column is about: the view's own while its year is still ahead, else
    ``later`` (the plan's next one, e.g. 2030: the progress line offers it too); None when no rate can
    help any more (the year has come, or the target is standing, due every year)."""
    for goal in (target, later):
        if goal is not None and not goal.standing and (year is None or goal.year > year):
            return goal
    return None


def rank_lagging(frame: pd.DataFrame, meta: dict, target: Target | None, *, order: str = FURTHEST,
                 history: pd.DataFrame | None = None, year: int | None = None, limit: int | None = None,
                 later: Target | None = None) -> pd.DataFrame:
    """Communes that do not meet the target, ranked by gap (rates and school shares only).

    order="furthest": largest shortfall first (where the problem is deepest); order="nearest": smallest
    shortfall first (communes that need least to reach the target, quick wins). Ties go to the commune
    with more children to the target, then by code. Met and no-data communes are left out; without a
    target the result is empty (nothing is "lagging"). ``frame`` is join_indicator's output, assessed
    or not; ``target`` is the column of the target that applied to each commune (a group's own where the
    plan sets one, as assess_communes judges it). ``history`` (long values, any indicators) adds the
    trend (see trend_arrows, up to ``year``) and, per commune, the AARR needed (%/yr, from its latest
    value up to ``year``) to reach by its year the target that applies to it (a group's own where the plan
    sets one): required_aarr, for the target of year required_year (see progress_goal; ``later`` is the
    plan's next target, used once the view's target year has come).
    cases_to_target is the number of children (schools for school shares) separating the commune from
    the target, from its counts. Yes/no indicators have no gap: use closest_to_qualifying.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    if meta["measure"] == YES_NO:
        raise ValueError("yes/no indicators have no gap to rank by; use closest_to_qualifying")
    if "status" not in frame:
        frame = assess_communes(frame, meta, target)
    lagging = frame[(frame["status"] == NOT_MET) & frame["gap"].notna()] if target is not None else frame.iloc[0:0]
    gap_first = order == NEAREST
    lagging = lagging.sort_values(["gap", "cases_to_target", "code"], ascending=[gap_first, False, True],
                                  kind="stable")
    if limit is not None:
        lagging = lagging.head(limit)
    keep = [c for c in _CONTEXT if c in lagging]
    out = lagging[keep + ["value", "numerator", "denominator", "gap", "cases_to_target"]].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    # The target each commune was judged against (a priority group's own, e.g. ethnic-minority areas).
    applied = lagging["target_value"].to_numpy(dtype=float) if "target_value" in lagging else (
        np.full(len(lagging), np.nan if target is None else target.value))
    out.insert(out.columns.get_loc("gap"), "target", applied)
    if history is not None:
        # Trend fits and AARRs needed are per commune: fit only the communes listed (a province's few dozen,
        # not the country's 3,321 on every rerun of the lagging page).
        listed = history[in_codes(history["code"], out["code"])]
        trend = trend_arrows(listed, meta, year=year)
        out = out.merge(trend, on="code", how="left", validate="one_to_one")
        goal = progress_goal(target, later, year)
        out["required_aarr"] = np.nan
        out["required_year"] = pd.array([pd.NA] * len(out), dtype="Int64")
        if goal is not None and len(out):
            rows = history[history["indicator"] == meta["id"]] if "indicator" in history else history
            rows = rows.assign(indicator=meta["id"])
            last = year if year is not None else int(rows["year"].max())
            rows = rows[in_codes(rows["code"], out["code"])]
            groups = [v.group for v in goal.variants if v.group in lagging]  # who gets a group's own target
            needed = add_trend(lagging[["code", *groups]], rows, meta, goal, last)
            out = out.drop(columns="required_aarr").merge(needed[["code", "required_aarr"]], on="code", how="left",
                                                          validate="one_to_one")
            out["required_year"] = pd.array([goal.year] * len(out), dtype="Int64")
    return out


def ranked_within(ranked: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """The ranking of the communes in ``codes``: their rows of a larger ranking, ranks renumbered.

    Every column of rank_lagging is the commune's own (its gap, trend, AARR needed) and the order is total
    (gap, children, code), so this equals ranking those communes alone; the app ranks the country once per
    view and cuts it for each province and filter.
    """
    out = ranked[in_codes(ranked["code"], codes)].reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def communes_needed_by_province(frame: pd.DataFrame, target: Target | None) -> pd.DataFrame:
    """Per province: how many more communes must say "yes" for the province's share to reach the target.

    Applies the plan's share to each province on its own — a simplification for planning, since a
    national target is judged on the national share, where provinces above it offset those below.
    Rounded up (3.2 communes means 4). ``frame``: join_indicator output for a yes/no indicator (0/1
    counts). Columns: province_code, province_name, n_communes, n_reporting, n_yes, n_no, value (share
    of reporting communes with "yes"), target, status, communes_needed (NA without data or target);
    sorted by communes_needed, largest first.
    """
    keys = ["province_code", "province_name"]
    agg = aggregate_rates(frame, by=keys).rename(
        columns={"n_units": "n_communes", "n_reported": "n_reporting", "rate": "value"})
    agg["n_yes"] = agg["numerator"].round().astype(int)
    agg["n_no"] = agg["n_reporting"] - agg["n_yes"]
    agg["target"] = np.nan if target is None else target.value
    agg["status"] = classify_against_target(agg["value"], target).to_numpy()
    needed = [pd.NA if target is None or st == NO_DATA else communes_needed(y, r, target.value)
              for y, r, st in zip(agg["n_yes"], agg["n_reporting"], agg["status"], strict=True)]
    agg["communes_needed"] = pd.array(needed, dtype="Int64")
    cols = keys + ["n_communes", "n_reporting", "n_yes", "n_no", "value", "target", "status", "communes_needed"]
    return agg[cols].sort_values(["communes_needed", "province_code"], ascending=[False, True],
                                 na_position="last", ignore_index=True)


def count_targets_met(values: pd.DataFrame, reg: Registry, framework: str, year: int, target_year: int, *,
                      exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per commune: how many of the plan's targets (for ``target_year``) its own values meet in ``year``.

    Returns code, n_targets_met, n_targets_assessed (targets with a value for the commune); the input
    closest_to_qualifying uses as a readiness score.
    """
    targets = {ind: t for (ind, ty), t in reg.targets_by_key(framework).items()
               if ty == target_year and ind not in exclude}
    rows = values.loc[values["year"] == year, ["code", "indicator", "value"]]
    rows = rows[rows["indicator"].isin(list(targets)) & rows["value"].notna()]
    met = pd.Series(False, index=rows.index)
    for ind, sub in rows.groupby("indicator", sort=False):
        target = targets[ind]
        met.loc[sub.index] = target.met_mask(sub["value"]).fillna(False).astype(bool).to_numpy()
    out = pd.DataFrame({"code": rows["code"], "met": met.astype(int)}).groupby("code", sort=True)["met"]
    return pd.DataFrame({"n_targets_met": out.sum(), "n_targets_assessed": out.size()}).reset_index()


def closest_to_qualifying(frame: pd.DataFrame, meta: dict, other_indicators: pd.DataFrame | None = None, *,
                          limit: int | None = None) -> pd.DataFrame:
    """Communes answering "no" on a yes/no indicator, in a proxy order of where to act first.

    There is no distance to "yes": every commune that gains a play space adds the same one commune to
    the share. So this is a priority proxy, not a measure of closeness:
    1. with ``other_indicators`` (count_targets_met output), communes meeting a larger share of the
       plan's other targets come first — an assumption that they are readier (e.g. for the
       child-friendly standard, which draws on those same areas), not a measurement;
    2. then communes with more children under 5 (under5), where one more "yes" reaches most children;
    3. then by code. Communes without an under-5 count go last within their readiness level.
    Columns: rank, commune context, under5, [n_targets_met, n_targets_assessed, readiness (0-1)].
    """
    if meta["measure"] != YES_NO:
        raise ValueError("closest_to_qualifying is for yes/no indicators; use rank_lagging for rates")
    no = frame[frame["value"].notna() & (frame["value"] < 50)]
    keep = [c for c in _CONTEXT if c in no]
    out = no[keep].copy()
    if "under5" not in out:
        out["under5"] = np.nan
    sort_by, ascending = [], []
    if other_indicators is not None:
        other = other_indicators[["code", "n_targets_met", "n_targets_assessed"]]
        out = out.merge(other, on="code", how="left", validate="one_to_one")
        with np.errstate(invalid="ignore", divide="ignore"):
            out["readiness"] = (out["n_targets_met"] / out["n_targets_assessed"]).astype(float)
        sort_by, ascending = ["readiness"], [False]
    reach = pd.to_numeric(out["under5"], errors="coerce").astype(float)
    out = out.assign(_reach=reach).sort_values(sort_by + ["_reach", "code"], ascending=ascending + [False, True],
                                               na_position="last", kind="stable").drop(columns="_reach")
    if limit is not None:
        out = out.head(limit)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)
