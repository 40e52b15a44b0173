"""Status of a commune or an area against a target: met / not met / no data (/ no target).

Gaps are in percentage points and signed so that a positive gap is always a shortfall, whatever
the indicator's direction: 3.0 means "3 points short of the target", -2.0 means "2 points better".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MET = "met"
NOT_MET = "not_met"
NO_DATA = "no_data"
NO_TARGET = "no_target"
# Reported, but nobody to count: e.g. no child was hit by a disaster this year (0 of 0). Neither 0 % nor
# 100 %, and not "no data" either.
NOT_APPLICABLE = "not_applicable"
STATUSES = (MET, NOT_MET, NO_DATA, NO_TARGET, NOT_APPLICABLE)


def zero_cases(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Rows reported as 0 of 0 (no affected child): not applicable rather than missing."""
    num = pd.to_numeric(numerator, errors="coerce")
    den = pd.to_numeric(denominator, errors="coerce")
    return (den == 0) & (num.fillna(0) == 0)


def classify_against_target(values: pd.Series, target, not_applicable: pd.Series | None = None) -> pd.Series:
    """Status per value; NaN values are 'no_data' ('not_applicable' where flagged), 'no_target' without one."""
    # On numpy arrays: the same rules through pandas' string masks cost ~0.5 ms a call, and the overview and
    # equity pages call this for one area value at a time, dozens of times a rerun.
    missing = values.isna().to_numpy(dtype=bool)
    if target is None:
        out = np.full(len(values), NO_TARGET, dtype=object)
    else:
        met = target.met_mask(values).fillna(False).to_numpy(dtype=bool)
        out = np.where(missing, NO_DATA, np.where(met, MET, NOT_MET)).astype(object)
    if not_applicable is not None:
        flagged = not_applicable.reindex(values.index).fillna(False).to_numpy(dtype=bool)
        out[missing & flagged] = NOT_APPLICABLE
    return pd.Series(out, index=values.index, dtype="string")


def compute_gap(values: pd.Series, target, direction: str) -> pd.Series:
    """Shortfall in percentage points (positive = short of the target, negative = ahead)."""
    if target is None:
        return pd.Series(np.nan, index=values.index, dtype=float)
    v = values.astype(float)
    return (v - target.value) if direction == "lower_is_better" else (target.value - v)


def communes_needed(n_yes: int, n_reported: int, target_share: float) -> int:
    """How many more communes must say 'yes' for the share to reach target_share percent."""
    if n_reported <= 0:
        return 0
    required = math.ceil(round(target_share / 100.0 * n_reported, 9))
    return max(0, required - int(n_yes))


def cases_above_target(numerator: pd.Series, denominator: pd.Series, target, direction: str) -> pd.Series:
    """Children (or units) that separate a commune from its target, e.g. stunted children above 20%.

    For a lower-is-better rate: numerator - target% x denominator; for higher-is-better: the
    children still missing. Zero when the target is met, NaN without counts or target.
    """
    if target is None:
        return pd.Series(np.nan, index=numerator.index, dtype=float)
    num, den = numerator.astype(float), denominator.astype(float)
    if direction == "lower_is_better":
        excess = num - target.value / 100.0 * den
    else:
        excess = target.value / 100.0 * den - num
    return np.ceil(excess.clip(lower=0).round(9))
