"""Aggregate commune counts to any area.

A rate for an area is the sum of its numerators over the sum of its denominators. Averaging commune
percentages would give a commune of 30 children the same weight as one of 3,000 and is never done
here. Yes/no indicators are stored as numerator 0/1 over denominator 1, so the same formula gives
the share of communes with "yes" among communes that reported.

A row marked ``counted`` False (a partial commune left out by the user's choice, see
geo/indicators/coverage.py) never enters the sums, wherever the aggregate is taken.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def usable_counts(frame: pd.DataFrame) -> pd.Series:
    """Rows whose counts enter an aggregate: both counts known, a positive denominator, and counted."""
    usable = frame["numerator"].notna() & frame["denominator"].notna() & (frame["denominator"] > 0)
    if "counted" in frame:
        usable &= frame["counted"].astype("boolean").fillna(False).astype(bool)
    return usable


def aggregate_rates(frame: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """Sum numerators and denominators (rows with either missing are left out) and divide.

    Returns one row per group (or one row for the whole frame) with numerator, denominator,
    rate (percent; NaN where nothing was reported), n_units (rows in the group),
    n_reported (rows with usable counts) and n_zero (rows reported as 0 of 0: nobody to count, e.g.
    no child hit by a disaster; a group with only such rows is not applicable, not "no data").
    """
    usable = usable_counts(frame)
    zero = (frame["denominator"] == 0) & (frame["numerator"].fillna(0) == 0)
    work = pd.DataFrame({
        "numerator": frame["numerator"].where(usable, 0.0).astype(float),
        "denominator": frame["denominator"].where(usable, 0.0).astype(float),
        "n_units": 1,
        "n_reported": usable.astype(int),
        "n_zero": zero.astype(int),
    })
    if by is None:
        sums = work.sum().to_frame().T
    else:
        keys = [by] if isinstance(by, str) else list(by)
        work[keys] = frame[keys]
        sums = work.groupby(keys, sort=True, observed=True).sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = 100.0 * sums["numerator"] / sums["denominator"]
    sums["rate"] = rate.where(sums["n_reported"] > 0)
    sums["n_units"] = sums["n_units"].astype(int)
    sums["n_reported"] = sums["n_reported"].astype(int)
    sums["n_zero"] = sums["n_zero"].astype(int)
    return sums
