"""Trends and on-track assessment for the 2025 / 2030 targets (pure maths, no UI).

Method: the one used by the WHO/UNICEF global nutrition target trackers (the WHO "Global targets
tracking tool" and the Global Nutrition Report), so that a commune or province is judged the way a
country is judged for stunting:

* **Current AARR** (average annual rate of reduction, % per year): fit ``ln(p) = a + b * year`` by
  ordinary least squares over every year with data and take ``AARR = (1 - e**b) * 100``. With exactly
  two points this is the compound rate between them, ``1 - (p2 / p1) ** (1 / (t2 - t1))``.
* **Required AARR** to reach target ``T`` in year ``Y`` from the latest value ``p_t`` of year ``t``:
  ``(1 - (T / p_t) ** (1 / (Y - t))) * 100``. The strictness of the target ("<" or "<=") is ignored:
  the rate is the one that lands exactly on the threshold.
* **Status per target year**: ``target_met`` when the latest value already meets the target;
  ``on_track`` when current AARR >= required AARR; ``off_track`` otherwise (and also when the target
  year has been reached, ``deadline_reached``, without the target being met: no rate can help then;
  a standing target, due every year, is always past its deadline);
  ``not_assessable`` when fewer than ``min_points`` years can enter the fit. ``no_data`` (nothing at
  all) and ``no_target`` (the plan sets none) reuse the constants of :mod:`geo.status`. "Target met"
  needs only the latest value, so it wins over "not assessable" for a commune with a single year.

Sources: UNICEF (2007) *Technical note: how to calculate average annual rate of reduction (AARR) of
underweight prevalence*; WHO & UNICEF TEAM (2017) *Methodology for monitoring progress towards the
global nutrition targets for 2025*; Global Nutrition Report 2020, Appendix 2 "Assessing progress
against the global nutrition targets".

Choices made here, beyond the published method:

* **Higher-is-better coverage indicators** (birth registration, preschool, ...): the method is
  applied to the shortfall ``100 - p`` (children not yet covered). A proportional reduction of the
  shortfall is the natural analogue of a proportional reduction of prevalence and keeps rates
  comparable between the two kinds of indicator; a target of 100 % means a shortfall of 0, which no
  proportional reduction reaches (required AARR = 100 %/yr), so such targets are on track only once met.
* **Zero values** (no stunted child, or every child registered) make logarithms impossible. When
  counts are available a zero is replaced by half a case, ``100 * 0.5 / denominator`` (the usual
  continuity correction) in the fit only; a zero without counts is left out of the fit. A series that
  is zero in every year is flat (AARR 0), not an artefact of the varying denominators. A zero latest
  value meets any target that is not itself zero, so the status is then ``target_met``. Very small
  denominators make any trend noise: show :func:`geo.uncertainty.flag_low_precision` next to it.
* **Trend arrow**: ``improving`` when AARR >= +0.5 %/yr, ``worsening`` when AARR <= -0.5 %/yr,
  ``flat`` in between (a display convention, not a significance test: a 0.5 % relative change per
  year is too small to matter for a target; the threshold is :data:`FLAT_AARR`). NA when no AARR can
  be computed. This is the app's only trend rule: the lagging table's arrow
  (:func:`geo.analysis.ranking.trend_arrows`) uses it too, not a last-minus-first difference in points.
* **Yes/no indicators**: a single commune's 0/1 series has no rate of reduction, so commune-level
  results are ``not_assessable``; the area-level share of communes (:func:`assess_area_trend`) is
  assessed like a rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.indicators.aggregate import aggregate_rates
from geo.indicators.registry import HIGHER_IS_BETTER, LOWER_IS_BETTER, RATE, YES_NO, Target
from geo.indicators.status import NO_DATA, NO_TARGET
from geo.indicators.uncertainty import wilson_interval

TARGET_MET = "target_met"
ON_TRACK = "on_track"
OFF_TRACK = "off_track"
NOT_ASSESSABLE = "not_assessable"
TREND_STATUSES = (TARGET_MET, ON_TRACK, OFF_TRACK, NOT_ASSESSABLE, NO_DATA, NO_TARGET)

IMPROVING = "improving"
WORSENING = "worsening"
FLAT = "flat"
TRENDS = (IMPROVING, WORSENING, FLAT)

#: |AARR| below this (% per year) is shown as a flat trend.
FLAT_AARR = 0.5
#: Cases added to a zero count before taking logs.
ZERO_CORRECTION = 0.5

RESULT_COLUMNS = (
    "n_points", "first_year", "last_year", "last_value", "aarr", "required_aarr", "projected_value",
    "deadline_reached", "status", "trend",
)  # fmt: skip

_YEAR0 = 2000  # years are centred before the fit to keep the sums small
_EPS = 1e-9  # an AARR equal to the required one, up to rounding, is on track


# --- Scalar building blocks --------------------------------------------------------------------------


def _to_reduced(values, direction: str):
    """The quantity whose proportional reduction is progress: p itself, or the shortfall 100 - p."""
    _check_direction(direction)
    return values if direction == LOWER_IS_BETTER else 100.0 - values


def _check_direction(direction: str) -> None:
    if direction not in (LOWER_IS_BETTER, HIGHER_IS_BETTER):
        raise ValueError(f"direction must be {LOWER_IS_BETTER!r} or {HIGHER_IS_BETTER!r}, not {direction!r}")


def compute_aarr(years: Sequence[float], values: Sequence[float], *, direction: str = LOWER_IS_BETTER) -> float:
    """Current AARR (% per year) from a log-linear least-squares fit; NaN below two usable years.

    Positive means improving whatever the direction (for higher-is-better, the shortfall 100 - p is
    what shrinks). Missing and zero values are left out because a log needs p > 0 (see module doc).
    """
    x = np.asarray(years, dtype=float)
    q = _to_reduced(np.asarray(values, dtype=float), direction)
    ok = np.isfinite(x) & np.isfinite(q) & (q > 0)
    x, q = x[ok], q[ok]
    if len(np.unique(x)) < 2:
        return math.nan
    slope = np.polyfit(x - _YEAR0, np.log(q), 1)[0]
    return float((1.0 - math.exp(slope)) * 100.0)


def required_aarr(current: float, current_year: int, target_value: float, target_year: int, *,
                  direction: str = LOWER_IS_BETTER) -> float:
    """AARR (% per year) that takes ``current`` to ``target_value`` by ``target_year``.

    NaN when the target year is not after the current year or the current value cannot be logged;
    negative when the target is already met (the value could even worsen and still meet it).
    """
    q, t = _to_reduced(float(current), direction), _to_reduced(float(target_value), direction)
    years = float(target_year) - float(current_year)
    if not (years > 0 and q > 0 and t >= 0) or math.isnan(q) or math.isnan(t):
        return math.nan
    return float((1.0 - (t / q) ** (1.0 / years)) * 100.0)


def project_value(last_value: float, last_year: int, aarr: float, year: int, *,
                  direction: str = LOWER_IS_BETTER) -> float:
    """Where the value would be in ``year`` if the current AARR held (for a dashed projection line)."""
    q = _to_reduced(float(last_value), direction) * (1.0 - aarr / 100.0) ** (float(year) - float(last_year))
    return float(_to_reduced(min(max(q, 0.0), 100.0), direction))


# --- Vectorised assessment ---------------------------------------------------------------------------


def assess_trend(frame: pd.DataFrame, target: Target | None, direction: str, *, min_points: int = 2,
                 measure: str = RATE, key: str = "code") -> pd.DataFrame:
    """Trend and on-track status per commune for one indicator (see the module doc for the rules).

    ``frame``: long rows of one indicator with ``key``, year, value and, if available, numerator and
    denominator (used for the zero correction). Returns one row per key, sorted, with
    :data:`RESULT_COLUMNS`; ``last_value`` is in the indicator's own terms (percent, not shortfall).
    Yes/no indicators (``measure="yes_no"``) come back ``not_assessable`` at this level.
    """
    result = _assess(frame, [key], target, direction, min_points)
    if measure == YES_NO:
        result["aarr"] = np.nan
        result["required_aarr"] = np.nan
        result["projected_value"] = np.nan
        result["trend"] = pd.array([pd.NA] * len(result), dtype="string")
        result["status"] = result["status"].where(result["status"] == NO_DATA, NOT_ASSESSABLE)
    return result


def assess_area_trend(frame: pd.DataFrame, target: Target | None, direction: str,
                      by: str | list[str] | None = None, *, min_points: int = 2) -> pd.DataFrame:
    """Trend and status of areas: sum numerators and denominators per area and year, then assess.

    Works for every measure: for yes/no indicators the yearly rate is the share of reporting
    communes with "yes". ``by=None`` gives a single row for the whole frame.
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    yearly = aggregate_by_year(frame, by=keys or None)
    if not keys:
        yearly["_all"] = 0
    result = _assess(yearly, keys or ["_all"], target, direction, min_points)
    return result.drop(columns="_all") if not keys else result


def aggregate_by_year(frame: pd.DataFrame, by: str | list[str] | None = None, *, z: float = 1.96) -> pd.DataFrame:
    """Area rate per year (sum of numerators / sum of denominators) with its Wilson interval.

    Columns: the ``by`` keys, year, numerator, denominator, value (percent), lo, hi, n_reported.
    Feeds :func:`assess_area_trend` and the trend chart's province / national lines.
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    sums = aggregate_rates(frame, by=[*keys, "year"])
    lo, hi = wilson_interval(sums["numerator"].where(sums["n_reported"] > 0),
                             sums["denominator"].where(sums["n_reported"] > 0), z=z)
    out = sums[[*keys, "year", "numerator", "denominator", "n_reported"]].copy()
    out["value"], out["lo"], out["hi"] = sums["rate"], lo, hi
    return out[[*keys, "year", "numerator", "denominator", "value", "lo", "hi", "n_reported"]]


def _assess(frame: pd.DataFrame, keys: list[str], target: Target | None, direction: str,
            min_points: int) -> pd.DataFrame:
    _check_direction(direction)
    all_keys = frame[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    data = frame[frame["value"].notna()]
    if data.duplicated([*keys, "year"]).any():
        raise ValueError("assess_trend expects one row per area and year (filter to one indicator first)")

    # Integer group ids + bincount: several times faster than a groupby on string codes.
    if len(keys) == 1:
        ids = pd.Index(all_keys[keys[0]]).get_indexer(data[keys[0]])
    else:
        ids = pd.MultiIndex.from_frame(all_keys).get_indexer(pd.MultiIndex.from_frame(data[keys]))
    n_groups = len(all_keys)

    year = data["year"].to_numpy(dtype=float)
    value = data["value"].to_numpy(dtype=float)
    observed_q = np.clip(_to_reduced(value, direction), 0.0, 100.0)
    q = observed_q
    # Zero handling (module doc): half a case when counts exist, otherwise out of the fit.
    if "denominator" in data.columns:
        den = data["denominator"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where((q <= 0) & (den > 0), 100.0 * ZERO_CORRECTION / den, q)
    usable = np.isfinite(q) & (q > 0) & np.isfinite(year)

    # Least-squares slope of ln(q) on year per group, from sums: b = (n Sxy - Sx Sy) / (n Sxx - Sx²).
    x = year - _YEAR0
    y = np.log(np.where(usable, q, 1.0))
    w = usable.astype(float)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(ids, weights=weights, minlength=n_groups)

    n, sx, sy, sxy, sxx = total(w), total(w * x), total(w * y), total(w * x * y), total(w * x * x)
    n_nonzero = total(w * (observed_q > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        det = n * sxx - sx**2
        slope = (n * sxy - sx * sy) / det
    # A series that is zero every year (never a case / always full coverage) is flat, not an artefact
    # of the correction's varying denominators.
    slope = np.where(n_nonzero > 0, slope, 0.0)
    fit_ok = (n >= max(int(min_points), 2)) & (det > 1e-9)
    aarr = np.where(fit_ok, (1.0 - np.exp(slope)) * 100.0, np.nan)

    # First and latest observation per group (the observed value, not the fitted one, as in the method).
    order = np.lexsort((year, ids))
    sorted_ids = ids[order]
    has_rows = np.bincount(ids, minlength=n_groups) > 0
    first_pos = order[np.searchsorted(sorted_ids, np.arange(n_groups), side="left").clip(max=max(len(ids) - 1, 0))]
    last_pos = order[(np.searchsorted(sorted_ids, np.arange(n_groups), side="right") - 1).clip(min=0)]

    def pick(column: np.ndarray, positions: np.ndarray) -> np.ndarray:
        return np.where(has_rows, column[positions], np.nan) if len(column) else np.full(n_groups, np.nan)

    out = all_keys.copy()
    out["n_points"] = n.astype(int)
    out["first_year"] = pd.array(pick(year, first_pos), dtype="Float64").astype("Int64")
    out["last_year"] = pd.array(pick(year, last_pos), dtype="Float64").astype("Int64")
    out["last_value"] = pick(value, last_pos)
    out["last_q"] = pick(observed_q, last_pos)
    out["aarr"] = aarr

    _add_target_columns(out, target, direction)
    out["trend"] = _trend_labels(out["aarr"])
    return out[[*keys, *RESULT_COLUMNS]]


def _add_target_columns(out: pd.DataFrame, target: Target | None, direction: str) -> None:
    """required_aarr, projected_value, deadline_reached and status, in place."""
    has_data = out["last_value"].notna()
    last_year = out["last_year"].astype(float)
    last_q = out.pop("last_q").astype(float)
    if target is None:
        out["required_aarr"] = np.nan
        out["projected_value"] = np.nan
        out["deadline_reached"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["status"] = pd.Series(NO_TARGET, index=out.index, dtype="string").mask(~has_data, NO_DATA)
        return

    years_left = target.year - last_year
    if target.standing:  # due every year: always judged on the latest value, no rate to reach it later
        years_left = years_left.where(years_left.isna(), 0.0)
    target_q = _to_reduced(float(target.value), direction)
    with np.errstate(divide="ignore", invalid="ignore"):
        required = (1.0 - (target_q / last_q) ** (1.0 / years_left)) * 100.0
        projected_q = last_q * (1.0 - out["aarr"] / 100.0) ** years_left
    valid_required = (years_left > 0) & (last_q > 0)
    out["required_aarr"] = required.where(valid_required).astype(float)
    projected = _to_reduced(projected_q.clip(0.0, 100.0), direction)
    out["projected_value"] = projected.where(years_left > 0).astype(float)
    out["deadline_reached"] = (years_left <= 0).astype("boolean").mask(~has_data)

    met = target.met_mask(out["last_value"]).fillna(False).astype(bool)
    deadline = (years_left <= 0).fillna(False)
    fast_enough = out["aarr"] >= out["required_aarr"] - _EPS
    status = np.select(
        [~has_data, met, deadline, out["aarr"].isna(), fast_enough],
        [NO_DATA, TARGET_MET, OFF_TRACK, NOT_ASSESSABLE, ON_TRACK],
        default=OFF_TRACK,
    )
    out["status"] = pd.Series(status, index=out.index, dtype="string")


def _trend_labels(aarr: pd.Series) -> pd.Series:
    labels = np.select([aarr >= FLAT_AARR, aarr <= -FLAT_AARR], [IMPROVING, WORSENING], default=FLAT)
    return pd.Series(labels, index=aarr.index, dtype="string").mask(aarr.isna())
