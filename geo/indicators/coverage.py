"""Which commune values enter an area's figures: each value's coverage and basis, and the user's choice.

A 2025 commune whose old parts did not all report (coverage ``partial``, see geo/ingest/carry.py)
describes only part of the commune. It is always shown and marked; whether it counts in aggregates and
in "communes meeting the target" is the user's choice, off by default (``include_partial``).

A value reported only as a rate, without its counts, is shown and marked ``rate_only``: an area rate is
a sum of counts over a sum of counts, and a rate without its denominator cannot be weighted, so it never
enters an aggregate. ``rate_weighted`` marks a merged commune's rate combined from its old communes'
rates with the crosswalk's weights (no counts either): shown, flagged, and likewise kept out.

The stored ``flags`` text holds the coverage level, then optional ``|``-separated marks.
"""

from __future__ import annotations

import pandas as pd

from geo.ingest.carry import ALLOCATED, COMPLETE, PARTIAL_COVERAGE, RATE_WEIGHTED

COUNTS, RATE_ONLY = "counts", "rate_only"
BASES = (COUNTS, RATE_ONLY, RATE_WEIGHTED)
COVERAGE_LEVELS = (COMPLETE, ALLOCATED, PARTIAL_COVERAGE)
MARK_COLUMNS = ("coverage", "basis", "counted")  # what mark_values adds; carried by every join


def split_flags(flags: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(coverage level, weighted?) from the stored flags text; missing or unknown text is complete."""
    text = flags.astype("string").fillna("")
    level = text.str.split("|").str[0]
    level = level.where(level.isin(COVERAGE_LEVELS), COMPLETE).astype(str)
    weighted = text.str.split("|").map(lambda parts: RATE_WEIGHTED in parts).astype(bool)
    return level, weighted


def mark_values(values: pd.DataFrame, *, include_partial: bool = False) -> pd.DataFrame:
    """``values`` plus coverage, basis (counts / rate_only / rate_weighted) and counted (enters aggregates)."""
    out = values.copy()
    flags = out["flags"] if "flags" in out else pd.Series("", index=out.index)
    level, weighted = split_flags(flags)
    has_counts = out["numerator"].notna() & out["denominator"].notna()
    out["coverage"] = level.to_numpy()
    basis = pd.Series(COUNTS, index=out.index)
    basis[~has_counts & out["value"].notna()] = RATE_ONLY
    basis[weighted.to_numpy() & ~has_counts] = RATE_WEIGHTED
    out["basis"] = basis
    out["counted"] = include_partial | (out["coverage"] != PARTIAL_COVERAGE)
    return out


def marks_of(values: pd.DataFrame) -> list[str]:
    """The mark columns a values table carries (none for a table that was never marked)."""
    return [c for c in MARK_COLUMNS if c in values]


def left_out(frame: pd.DataFrame) -> dict[str, int]:
    """Rows of a joined frame with a value that an aggregate cannot use, by reason (what the page says)."""
    if "basis" not in frame:
        return {"partial": 0, "partial_counted": 0, "rate_only": 0, "rate_weighted": 0, "with_counts": 0}
    shown = frame["value"].notna()
    partial = shown & (frame["coverage"] == PARTIAL_COVERAGE)
    return {
        "partial": int((partial & ~frame["counted"].astype(bool)).sum()),
        "partial_counted": int((partial & frame["counted"].astype(bool)).sum()),
        "rate_only": int((shown & (frame["basis"] == RATE_ONLY)).sum()),
        "rate_weighted": int((shown & (frame["basis"] == RATE_WEIGHTED)).sum()),
        "with_counts": int((shown & (frame["basis"] == COUNTS) & frame["counted"].astype(bool)).sum()),
    }
