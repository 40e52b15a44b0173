"""The import summary, like DHIS2's: what a file would do to a stored dataset, counted per indicator and year.

The check is a dry run: ``summarise_import`` compares the values a file carries (already on 2025
communes) with the latest stored version of the dataset and counts, per indicator and year, the values
that are **new** (no stored value for that commune), **changed**, **unchanged**, and **ignored** (file
rows that reach no value: carried nowhere, or held back), and lists the conflicts (each ignored value
and why). Saving records and shows the same summary against the version it was compared with.

A new version either **adds** to the stored dataset (new years, more communes: stored values the file
does not mention are kept; values it mentions are replaced by the file's) or **replaces** it (only the
file's values remain; stored values it does not mention are counted as **removed**). Adding is the
default; replacing must be confirmed (``confirm_replace``), since it drops values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.text.catalogue import error

MODE_ADD, MODE_REPLACE = "add", "replace"
MODES = (MODE_ADD, MODE_REPLACE)
KEY = ["code", "year", "indicator"]
COUNTS = ("new", "changed", "unchanged", "ignored", "kept", "removed")
COMPARED = ("numerator", "denominator", "value", "flags")
TOLERANCE = 1e-9  # counts and rates are compared exactly, up to floating-point noise


@dataclass(frozen=True)
class ImportSummary:
    """``table``: indicator, year and COUNTS; ``conflicts``: what was not imported and why; totals over all."""

    mode: str
    against: int | None  # the stored version compared with; None for a new dataset
    table: pd.DataFrame
    conflicts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONFLICT_COLUMNS))
    rows_not_loaded: int = 0  # file rows with errors (loading only the valid rows): listed by the check

    @property
    def totals(self) -> dict[str, int]:
        return {c: int(self.table[c].sum()) for c in COUNTS}

    def to_meta(self) -> dict:
        """What a stored version records about the import (plain JSON)."""
        rows = self.table.astype({"year": int, **dict.fromkeys(COUNTS, int)}).to_dict("records")
        return {"mode": self.mode, "against": self.against, "totals": self.totals, "by_indicator_year": rows,
                "conflicts": len(self.conflicts), "rows_not_loaded": self.rows_not_loaded}


CONFLICT_COLUMNS = ["code", "new_code", "year", "indicator", "source_row", "reason"]


def check_mode(mode: str, confirm_replace: bool = False) -> str:
    """The save mode, refusing an unknown one and a replacement that was not confirmed."""
    if mode not in MODES:
        raise error("err.summary.unknown_mode", mode=mode)
    if mode == MODE_REPLACE and not confirm_replace:
        raise error("err.summary.replace_unconfirmed")
    return mode


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        both_na = a.isna() & b.isna()
        close = (a - b).abs() <= TOLERANCE
        return both_na | close.fillna(False)
    a, b = a.astype("string").fillna(""), b.astype("string").fillna("")
    return a == b


def _plain(values: pd.DataFrame) -> pd.DataFrame:
    out = values.copy()
    if "flags" not in out:
        out["flags"] = pd.NA
    out["year"] = out["year"].astype(int)
    return out[[*KEY, *COMPARED]]


def summarise_import(new: pd.DataFrame, previous: pd.DataFrame | None, *, mode: str = MODE_ADD,
                     against: int | None = None, skipped: pd.DataFrame | None = None,
                     rows_not_loaded: int = 0) -> ImportSummary:
    """Count new / changed / unchanged / ignored values per indicator and year; see the module docstring.

    ``new``: the values the file carries (store format: KEY, counts, value, flags); ``previous``: the
    stored version's values, or None; ``skipped``: the carry's skipped rows (old_code, new_code, year,
    indicator, reason, source_row), each one ignored value.
    """
    new = _plain(new)
    previous = _plain(previous) if previous is not None and len(previous) else _plain(new.iloc[0:0])
    both = new.merge(previous, on=KEY, how="outer", suffixes=("", "_old"), validate="one_to_one", indicator=True)
    in_new = both["_merge"] != "right_only"
    stored_only = both["_merge"] == "right_only"
    matched = both["_merge"] == "both"
    same = pd.Series(True, index=both.index)
    for col in COMPARED:
        same &= _same(both[col], both[f"{col}_old"])
    status = np.select([in_new & ~matched, matched & same, matched & ~same, stored_only],
                       ["new", "unchanged", "changed", "kept" if mode == MODE_ADD else "removed"], "")
    counted = pd.DataFrame({"indicator": both["indicator"], "year": both["year"].astype(int), "status": status})
    skipped = skipped if skipped is not None and len(skipped) else pd.DataFrame(columns=CONFLICT_COLUMNS[1:] +
                                                                                ["old_code"])
    ignored = pd.DataFrame({"indicator": skipped["indicator"].astype(str),
                            "year": pd.to_numeric(skipped["year"]).astype(int), "status": "ignored"})
    counted = pd.concat([counted, ignored], ignore_index=True)
    table = (counted.groupby(["indicator", "year", "status"]).size().unstack("status", fill_value=0)
             .reindex(columns=list(COUNTS), fill_value=0).reset_index())
    table = table.sort_values(["indicator", "year"], ignore_index=True)
    table.columns.name = None
    conflicts = skipped.rename(columns={"old_code": "code"}).reindex(columns=CONFLICT_COLUMNS)
    return ImportSummary(mode=mode, against=against, table=table, conflicts=conflicts.reset_index(drop=True),
                         rows_not_loaded=int(rows_not_loaded))


def combine_versions(new: pd.DataFrame, previous: pd.DataFrame | None, mode: str) -> pd.DataFrame:
    """The values a new version stores: the file's, plus (adding) the stored ones the file does not mention."""
    if mode == MODE_REPLACE or previous is None or previous.empty:
        return new.reset_index(drop=True)
    keep = previous.merge(new[KEY], on=KEY, how="left", validate="one_to_one", indicator=True)
    kept = previous[(keep["_merge"] == "left_only").to_numpy()]
    columns = list(new.columns)
    out = pd.concat([kept.reindex(columns=columns), new], ignore_index=True)
    return out.sort_values(KEY, ignore_index=True)


def combine_attributes(new: pd.DataFrame, previous: pd.DataFrame | None, mode: str) -> pd.DataFrame:
    """Attributes of a new version: per commune, a value the file gives wins; adding keeps the others."""
    if mode == MODE_REPLACE or previous is None or previous.empty:
        return new.reset_index(drop=True)
    columns = list(dict.fromkeys([*previous.columns, *new.columns]))
    old = previous.reindex(columns=columns).set_index("code")
    given = new.reindex(columns=columns).set_index("code")
    out = given.combine_first(old) if len(given) else old
    return out.reset_index()[columns].sort_values("code", ignore_index=True)
