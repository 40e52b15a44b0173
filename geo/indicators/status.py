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
STATUSES = (MET, NOT_MET, NO_DATA, NO_TARGET)


def classify_against_target(values: pd.Series, target) -> pd.Series:
    """Status per value; NaN values are 'no_data', and everything is 'no_target' without a target."""
    if target is None:
        return pd.Series(NO_TARGET, index=values.index, dtype="string")
    met = target.met_mask(values.astype("Float64"))
    out = pd.Series(NOT_MET, index=values.index, dtype="string")
    out = out.mask(met.fillna(False).astype(bool), MET)
    return out.mask(values.isna(), NO_DATA)


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
