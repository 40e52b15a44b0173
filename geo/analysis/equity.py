"""Journalists' and planners' equity view: a priority group of communes (ethnic-minority areas, border,
coastal or island communes, the priority areas of Decision 1183/QĐ-TTg) against all the others,
nationally or within each province. The group is judged against its own target where the plan has one.

Both sides are aggregated from summed counts. Communes whose flag is unknown are in neither side and
are counted in n_unknown. An empty side gives NaN figures, never an error, because small provinces
often have no border or no ethnic-minority commune at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.indicators.aggregate import usable_counts
from geo.indicators.coverage import marks_of
from geo.indicators.registry import LOWER_IS_BETTER, Target
from geo.indicators.selection import in_codes
from geo.indicators.status import classify_against_target, compute_gap

GROUP_COLUMNS = ("em_area", "border", "coastal", "island")
_SIDES = ("group", "rest")


def sum_counts(frame: pd.DataFrame, side: pd.Series, keys: list[str]) -> pd.DataFrame:
    """Communes, reporting communes and summed counts of the rows where ``side`` is true, per key."""
    usable = usable_counts(frame)
    take = side & usable
    work = pd.DataFrame({
        "n": side.astype(int),
        "n_reporting": take.astype(int),
        "numerator": frame["numerator"].where(take, 0.0).astype(float),
        "denominator": frame["denominator"].where(take, 0.0).astype(float),
    })
    if not keys:
        return work.sum().to_frame().T
    for k in keys:
        work[k] = frame[k]
    return work.groupby(keys, sort=True).sum()


def compare_groups(communes: pd.DataFrame, values: pd.DataFrame, meta: dict, target: Target | None, year: int,
                   group_col: str = "em_area", by_province: bool = False) -> pd.DataFrame:
    """The group (flag true) vs the rest (flag false) for one indicator-year, nationally or per province.

    Columns, for S in group/rest: n_S (communes), n_S_reporting, numerator_S, denominator_S, value_S,
    status_S and gap_S (against ``target``); then difference = value_group - value_rest (points) and
    gap_between = the same difference signed so that positive means the group is worse off; n_unknown.
    With by_province: one row per province (province_code, province_name first).
    """
    if group_col not in GROUP_COLUMNS or group_col not in communes:
        raise ValueError(f"group_col must be one of {GROUP_COLUMNS} and a column of the commune table")
    sub = values.loc[(values["indicator"] == meta["id"]) & (values["year"] == year),
                     ["code", "numerator", "denominator", *marks_of(values)]]
    keys = ["province_code", "province_name"] if by_province else []
    frame = communes[["code", group_col] + keys].merge(sub, on="code", how="left", validate="one_to_one")
    flag = frame[group_col].astype("boolean")
    sides = {"group": flag.fillna(False).astype(bool), "rest": (~flag).fillna(False).astype(bool)}
    parts = []
    for side in _SIDES:
        sums = sum_counts(frame, sides[side], keys)
        with np.errstate(invalid="ignore", divide="ignore"):
            sums["value"] = (100.0 * sums["numerator"] / sums["denominator"]).where(sums["n_reporting"] > 0)
        side_target = target.variant(group_col) if target is not None and side == "group" else target
        sums["status"] = classify_against_target(sums["value"], side_target).to_numpy()
        sums["gap"] = compute_gap(sums["value"], side_target, meta["direction"])
        sums = sums.rename(columns=lambda c, s=side: f"{c}_{s}" if c != "n" else f"n_{s}")
        sums = sums.rename(columns={f"n_reporting_{side}": f"n_{side}_reporting"})
        parts.append(sums)
    out = pd.concat(parts, axis=1)
    unknown = sum_counts(frame, flag.isna(), keys)["n"]
    out["n_unknown"] = unknown.to_numpy()
    for col in [c for c in out.columns if c.startswith("n_")]:
        out[col] = out[col].astype(int)
    out["difference"] = out["value_group"] - out["value_rest"]
    out["gap_between"] = -out["difference"] if meta["direction"] != LOWER_IS_BETTER else out["difference"]
    return out.reset_index(drop=not keys)


def compare_groups_many(communes: pd.DataFrame, values: pd.DataFrame, metas: list[dict],
                        targets: dict[str, Target | None], year: int,
                        groups: tuple[str, ...] = ("em_area",)) -> dict[str, list[dict]]:
    """compare_groups (whole selection, no by_province) for many indicators and groups from one pass.

    For each group of ``groups``: one dict per indicator of ``metas``, in order, with compare_groups' columns.
    The equity page compares 24 indicators for 4 groups on every new view; pandas' cost per call, not the
    rows, made that slow, so the year's rows are cut once and summed with numpy per group.
    """
    for group_col in groups:
        if group_col not in GROUP_COLUMNS or group_col not in communes:
            raise ValueError(f"group_col must be one of {GROUP_COLUMNS} and a column of the commune table")
    ids = [m["id"] for m in metas]
    marks = [c for c in ("counted",) if c in values]
    rows = values.loc[(values["year"] == year) & in_codes(values["indicator"], ids)
                      & in_codes(values["code"], communes["code"]),
                      ["code", "indicator", "numerator", "denominator", *marks]]
    if rows.duplicated(["code", "indicator"]).any():
        raise ValueError("compare_groups_many expects one row per commune and indicator for the year")
    rows = rows[usable_counts(rows)]  # the same rows compare_groups sums (a partial commune left out unless counted)
    ind_at = pd.Index(ids).get_indexer(rows["indicator"].astype(str))
    commune_at = pd.Index(communes["code"].astype(str)).get_indexer(rows["code"].astype(str))
    num, den = rows["numerator"].to_numpy(dtype=float), rows["denominator"].to_numpy(dtype=float)
    size = len(ids) * 3  # (indicator, side) cells; side 0 group, 1 rest, 2 unknown
    out = {}
    for group_col in groups:
        flag = communes[group_col].astype("boolean")
        side = np.where(flag.isna().to_numpy(), 2, np.where(flag.fillna(False).to_numpy(dtype=bool), 0, 1))
        n_side = np.bincount(side, minlength=3)
        cell = ind_at * 3 + side[commune_at]
        sums = {"n_reporting": np.bincount(cell, minlength=size), "numerator": np.bincount(cell, num, minlength=size),
                "denominator": np.bincount(cell, den, minlength=size)}
        out[group_col] = _side_records(metas, targets, group_col, n_side, sums)
    return out


def _side_records(metas: list[dict], targets: dict[str, Target | None], group_col: str, n_side: np.ndarray,
                  sums: dict[str, np.ndarray]) -> list[dict]:
    """compare_groups' records from the (indicator, side) sums; statuses and gaps judged once per target."""
    out, judged = [], {}  # judged: id(target) -> (target, direction, [(rec, part, value)]), judged once per target
    for k, meta in enumerate(metas):
        target = targets.get(meta["id"])
        rec: dict = {}
        for s, part in enumerate(_SIDES):
            at = 3 * k + s
            n_rep, numerator, denominator = int(sums["n_reporting"][at]), sums["numerator"][at], sums["denominator"][at]
            value = 100.0 * numerator / denominator if n_rep > 0 else np.nan
            side_target = target.variant(group_col) if target is not None and part == "group" else target
            rec |= {f"n_{part}": int(n_side[s]), f"n_{part}_reporting": n_rep, f"numerator_{part}": float(numerator),
                    f"denominator_{part}": float(denominator), f"value_{part}": value}
            judged.setdefault((id(side_target), meta["direction"]), (side_target, meta["direction"], []))[2].append(
                (rec, part, value))
        rec["n_unknown"] = int(n_side[2])
        rec["difference"] = rec["value_group"] - rec["value_rest"]
        rec["gap_between"] = -rec["difference"] if meta["direction"] != LOWER_IS_BETTER else rec["difference"]
        out.append(rec)
    # One status and gap call per target, not per indicator and side: pandas' cost per call (~0.5 ms) times 48
    # was most of an equity-page province change.
    for target, direction, items in judged.values():
        value = pd.Series([v for _, _, v in items], dtype=float)
        statuses, gaps = classify_against_target(value, target), compute_gap(value, target, direction)
        for (rec, part, _), status, gap in zip(items, statuses, gaps, strict=True):
            rec[f"status_{part}"], rec[f"gap_{part}"] = status, float(gap)
    return [{k: rec[k] for k in _column_order(rec)} for rec in out]


def _column_order(rec: dict) -> list[str]:
    """compare_groups' column order (status before gap on each side)."""
    order = []
    for part in _SIDES:
        order += [f"n_{part}", f"n_{part}_reporting", f"numerator_{part}", f"denominator_{part}", f"value_{part}",
                  f"status_{part}", f"gap_{part}"]
    return [*order, *(k for k in rec if k not in order)]
