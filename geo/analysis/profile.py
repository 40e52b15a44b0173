"""One commune's page: every indicator against the plan, its history, its peers and what it was merged from.

Peers are aggregated from counts like every other area: the commune's province (the commune included,
as the province's own figure) and "similar communes" nationwide — same ethnic-minority-area and border
flags, the commune itself excluded so that it is compared with others. An unknown flag matches only
unknown flags.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from geo.indicators.aggregate import aggregate_rates
from geo.indicators.coverage import marks_of
from geo.indicators.registry import LOWER_IS_BETTER, TARGET_YEARS, YES_NO, Registry, Target
from geo.indicators.status import (
    MET,
    NO_DATA,
    NO_TARGET,
    NOT_APPLICABLE,
    NOT_MET,
    cases_above_target,
    compute_gap,
)
from geo.indicators.trends import assess_trend, project_value

#: before_merger text of a commune whose boundaries did not change in the 2025 reorganisation.
UNCHANGED_TEXTS = ("giữ nguyên",)
#: Notes that mark an old unit as only partly included (the source marks only some such units).
PARTIAL_MARKERS = ("phần còn lại", "một phần")
_ATTRIBUTES = ["code", "name", "full_name", "province_code", "province_name", "commune_type", "population",
               "under5", "em_area", "border", "coastal", "island", "lon", "lat", "before_merger"]


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside parentheses (any depth), so a note's own commas stay inside its item."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def extract_notes(item: str) -> tuple[str, list[str]]:
    """The name before the first top-level "(" and the text of each top-level parenthesised note."""
    name_end, notes, depth, start = None, [], 0, 0
    for i, ch in enumerate(item):
        if ch == "(":
            if depth == 0:
                name_end = i if name_end is None else name_end
                start = i + 1
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                notes.append(item[start:i].strip())
    if depth > 0:  # unclosed: keep the rest as a note rather than losing it
        notes.append(item[start:].strip())
    name = item[:name_end] if name_end is not None else item
    return name.strip(" .;"), [n for n in notes if n]


def is_unchanged(text: str | None) -> bool:
    """Whether before_merger says the commune kept its boundaries ("giữ nguyên")."""
    if not isinstance(text, str):
        return False
    return unicodedata.normalize("NFC", text).strip().casefold() in UNCHANGED_TEXTS


def parse_before_merger(text: str | None) -> list[dict]:
    """The old units a commune was formed from: [{name, partial, note}], in source order.

    Commas inside parentheses never split ("(phần còn lại sau khi sáp nhập vào phường A, phường B)").
    partial is True when a note says only part of the unit came here ("phần còn lại", "một phần"); the
    source does not mark every split unit, so False means "not marked", not "whole". Several notes on
    one unit are joined with "; ". An empty text or "giữ nguyên" (unchanged) gives [].
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    clean = unicodedata.normalize("NFC", str(text)).strip()
    if not clean or is_unchanged(clean):
        return []
    out = []
    for item in split_top_level(clean):
        name, notes = extract_notes(item)
        partial = any(marker in n.casefold() for n in notes for marker in PARTIAL_MARKERS)
        out.append({"name": name, "partial": partial, "note": "; ".join(notes)})
    return out


def aggregate_by_indicator(rows: pd.DataFrame) -> pd.DataFrame:
    """Aggregate (from counts) and reporting communes per indicator, indexed by indicator."""
    agg = aggregate_rates(rows, by="indicator").set_index("indicator")
    return agg[["rate", "n_reported"]]


def judge_value(value: float, numerator: float, denominator: float, measure: str, direction: str,
                target: Target | None) -> tuple[str, float, float]:
    """Status, gap and cases to target of one commune value, by the rules of geo.view.assess_communes.

    Scalar on purpose: the profile judges 12 values against 2 targets, where building Series costs more
    than the arithmetic.
    """
    if target is None:
        return NO_TARGET, np.nan, np.nan
    if pd.isna(value):
        return (NOT_APPLICABLE if denominator == 0 else NO_DATA), np.nan, np.nan
    status = MET if target.is_met(value) else NOT_MET
    if measure == YES_NO:
        return status, np.nan, np.nan
    gap = float(compute_gap(pd.Series([value]), target, direction).iloc[0])
    cases = float(cases_above_target(pd.Series([numerator]), pd.Series([denominator]), target, direction).iloc[0])
    return status, gap, cases


def profile_commune(code: str, communes: pd.DataFrame, values: pd.DataFrame, reg: Registry, framework: str, *,
                    year: int | None = None, lang: str = "vi") -> dict:
    """Everything the commune page shows, for one commune code (KeyError if unknown).

    Returns a dict: commune (attributes), year (latest data year unless given), indicators (one row per
    indicator: value and counts in that year, target_Y/target_text_Y/status_Y/gap_Y/cases_to_target_Y
    for Y in 2025/2030, province_value/province_reporting, similar_value/similar_reporting,
    national_value, gap_vs_province and gap_vs_similar — points, positive = the commune is worse; NaN
    for yes/no where a 0/100 commune against a share is not a meaningful gap), history (indicator × every
    data year, NaN where missing), similar (em_area, border, n_communes), before_merger (parsed list),
    unchanged (True when the commune kept its boundaries).
    """
    match = communes[communes["code"] == code]
    if match.empty:
        raise KeyError(f"unknown commune code: {code!r}")
    row = match.iloc[0]
    attrs = {k: (row[k].item() if hasattr(row[k], "item") else row[k]) for k in _ATTRIBUTES if k in row}
    latest = int(values["year"].max()) if year is None else int(year)
    ids = reg.indicator_ids()

    own = values.loc[values["code"] == code, ["indicator", "year", "numerator", "denominator", "value",
                                              *[c for c in marks_of(values) if c != "counted"]]]
    years = sorted(int(y) for y in values["year"].unique())
    grid = pd.MultiIndex.from_product([ids, years], names=["indicator", "year"]).to_frame(index=False)
    history = grid.merge(own, on=["indicator", "year"], how="left", validate="one_to_one")

    similar = communes["code"] != code
    for col in ("em_area", "border"):
        if col in communes:
            flags, mine = communes[col].astype("boolean"), attrs.get(col)
            similar &= flags.isna() if pd.isna(mine) else flags.eq(bool(mine)).fillna(False)
    groups = pd.DataFrame({"code": communes["code"], "similar": similar,
                           "in_province": communes["province_code"] == row["province_code"]})
    rows = values.loc[values["year"] == latest, ["code", "indicator", "numerator", "denominator", *marks_of(values)]]
    rows = groups.merge(rows, on="code", how="inner", validate="one_to_many")
    peers = {
        "province": aggregate_by_indicator(rows[rows["in_province"]]),
        "similar": aggregate_by_indicator(rows[rows["similar"]]),
        "national": aggregate_by_indicator(rows),
    }

    table = history[history["year"] == latest].drop(columns="year").reset_index(drop=True)
    meta_cols = reg.indicators.set_index("id").loc[ids, ["measure", "direction", "aggregation"]]
    table = table.merge(meta_cols, left_on="indicator", right_index=True, how="left", validate="one_to_one")
    targets = reg.targets_by_key(framework)
    for ty in TARGET_YEARS:
        cols = {"target": [], "text": [], "status": [], "gap": [], "cases": []}
        for rec in table.itertuples(index=False):
            target = targets.get((rec.indicator, ty))
            target = target.for_area(match) if target is not None else None  # the commune's group's own target
            status, gap, cases = judge_value(rec.value, rec.numerator, rec.denominator, rec.measure, rec.direction,
                                             target)
            cols["target"].append(np.nan if target is None else target.value)
            cols["text"].append("" if target is None else target.text(lang))
            cols["status"].append(status)
            cols["gap"].append(gap)
            cols["cases"].append(cases)
        table[f"target_{ty}"], table[f"target_text_{ty}"] = cols["target"], cols["text"]
        table[f"status_{ty}"], table[f"gap_{ty}"] = cols["status"], cols["gap"]
        table[f"cases_to_target_{ty}"] = cols["cases"]
    for name, agg in peers.items():
        table[f"{name}_value"] = table["indicator"].map(agg["rate"]).astype(float)
        if name != "national":
            table[f"{name}_reporting"] = table["indicator"].map(agg["n_reported"]).fillna(0).astype(int)
    sign = np.where(table["direction"] == LOWER_IS_BETTER, 1.0, -1.0)
    rate_like = table["measure"] != YES_NO
    for name in ("province", "similar"):
        table[f"gap_vs_{name}"] = ((table["value"] - table[f"{name}_value"]) * sign).where(rate_like)

    return {
        "commune": attrs,
        "year": latest,
        "indicators": table,
        "history": history,
        "similar": {"em_area": attrs.get("em_area"), "border": attrs.get("border"), "n_communes": int(similar.sum())},
        "before_merger": parse_before_merger(attrs.get("before_merger")),
        "unchanged": is_unchanged(attrs.get("before_merger")),
    }


def assess_history(history: pd.DataFrame, reg, framework: str, target_year: int,
                   commune: dict | None = None) -> pd.DataFrame:
    """Per indicator of one commune: AARR and on track / off track / met against the chosen target year.

    ``commune``: its attributes (profile_commune's "commune"), so that a commune of a priority group is
    judged against the group's own target, as its status is.

    AARR for all indicators comes from one pass per direction; only indicators that have a target
    need their own pass for the status (a plan sets few), which keeps opening a profile fast.
    """
    if history.empty or "indicator" not in history.columns:  # a commune the dataset has no value for
        return pd.DataFrame({"indicator": pd.Series(dtype=str), "aarr": pd.Series(dtype=float),
                             "trend_status": pd.Series(dtype=str)})
    known = history.dropna(subset=["value"])
    meta = {ind: reg.indicator(ind) for ind in history["indicator"].unique()}
    parts = []
    for direction in ("lower_is_better", "higher_is_better"):
        keep = [meta[i]["direction"] == direction and meta[i]["measure"] != "yes_no" for i in known["indicator"]]
        rows = known[np.asarray(keep, dtype=bool)]  # a list, not an empty object Series (read as columns)
        if len(rows):
            parts.append(assess_trend(rows, None, direction, key="indicator")[["indicator", "aarr"]])
    out = pd.DataFrame({"indicator": list(meta)}).merge(
        pd.concat(parts) if parts else pd.DataFrame(columns=["indicator", "aarr"]), on="indicator", how="left")
    statuses = {}
    for ind, m in meta.items():
        target = reg.target(framework, ind, target_year)
        if target is not None and commune is not None:
            target = target.for_area(pd.DataFrame([commune]))
        rows = known[known["indicator"] == ind]
        if target is None or rows.empty:
            statuses[ind] = "no_target" if target is None else "no_data"
            continue
        res = assess_trend(rows.assign(code="commune"), target, m["direction"], measure=m["measure"])
        statuses[ind] = res["status"].iloc[0]
    out["trend_status"] = out["indicator"].map(statuses)
    return out


def commune_options(communes: pd.DataFrame) -> dict[str, str]:
    """code -> 'Phường Ba Đình — Hà Nội', ordered by province then name (how leaders look a commune up)."""
    ordered = communes.sort_values(["province_name", "full_name"])
    return dict(zip(ordered["code"], ordered["full_name"] + " — " + ordered["province_name"], strict=True))


def projection_series(own: pd.DataFrame, trend: pd.DataFrame, name: str, direction: str,
                      until: int = 2030) -> pd.DataFrame | None:
    """The commune's last known value carried forward at its AARR to `until`; None without a trend."""
    known = own.dropna(subset=["value"])
    if not len(trend) or pd.isna(trend["aarr"].iloc[0]) or not len(known):
        return None
    last = known.sort_values("year").iloc[-1]
    return pd.DataFrame([
        {"year": y, "series_name": name,
         "value": project_value(last["value"], int(last["year"]), trend["aarr"].iloc[0], y, direction=direction)}
        for y in range(int(last["year"]), until + 1)])
