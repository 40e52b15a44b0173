"""A downloadable table: the rows a page shows, typed and rounded the way the page shows them.

Every data file (CSV bundle, XLSX) is written from a ``DataTable``: labelled columns plus a display
kind per column (the kinds ui tables use: int, num1, pct, pp, text, and code). Writers never round
or format on their own, so a file holds exactly the digits a reader saw on screen: counts as whole
numbers, rates and points to the indicator's decimals (one by default), codes as text with their
leading zeros. Rounding goes through the same ``f"{x:.{d}f}"`` as geo.text.numbers, so 12.25 is
written as the page prints it, not as numpy's round() would.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.reference.communes import CODE_TEXT_PREFIX
from geo.reporting.downloads import neutralise_formula

#: Display kinds of a column: whole numbers, one-decimal numbers, percentages, signed points, text, codes.
NUMBER_KINDS = ("int", "num1", "pct", "pp")
TEXT_KINDS = ("text", "code")
KINDS = NUMBER_KINDS + TEXT_KINDS
#: CSV carries no types, and pandas.read_csv and Excel read "01001" as the number 1001 by default. So a CSV
#: writes each code as this prefix plus the code's digits ("VN01001" is commune 01001; not an ISO 3166-2 code),
#: a form every reader keeps as text with its zeros; str.removeprefix("VN") gives the code back. XLSX cells
#: are typed text and keep the bare code.
CSV_CODE_PREFIX = CODE_TEXT_PREFIX
#: Frictionless Table Schema field types (metadata.json), so other tools read the column dictionary.
SCHEMA_TYPES = {"int": "integer", "num1": "number", "pct": "number", "pp": "number", "text": "string",
                "code": "string"}


@dataclass(frozen=True)
class MetaEntry:
    """One line of a file's metadata: a stable key (metadata.json), its translated label and the value."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class FileMeta:
    """What every data file says about itself, in the session's language.

    entries: title, source, filters, framework, data date, method notes… in display order (the
    writers show them as given). illustrative/mark: the illustrative mark, repeated on every sheet
    and at the top of README.txt. column_notes: column label -> what it holds (the column dictionary).
    """

    title: str
    entries: tuple[MetaEntry, ...]
    illustrative: bool
    mark: str = ""
    column_notes: Mapping[str, str] = field(default_factory=dict)
    lang: str = "vi"  # language of the headings geo writes itself (README.txt, the about sheet)


@dataclass(frozen=True)
class DataTable:
    """Labelled rows and a display kind per column (columns not listed are text)."""

    frame: pd.DataFrame
    kinds: Mapping[str, str]
    name: str = "data"
    decimals: int = 1

    def kind(self, column: str) -> str:
        kind = self.kinds.get(column, "text")
        if kind not in KINDS:
            raise ValueError(f"unknown column kind {kind!r} for {column!r}; one of {KINDS}")
        return kind

    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]


def _round(value: float, decimals: int) -> float | None:
    """The number as format_number prints it (same rounding), or None when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(f"{float(value):.{decimals}f}")


def plain_frame(table: DataTable, *, neutralise: bool = True) -> pd.DataFrame:
    """Typed copy for writing: int columns as nullable Int64, numbers rounded, text as str.

    Text a spreadsheet would run as a formula is neutralised (geo.reporting.downloads); numbers are
    never touched by that. A value that is not a number in a number column is an error here, not a
    silently blank cell.
    """
    out = pd.DataFrame(index=range(len(table.frame)))
    for col in table.frame.columns:
        kind = table.kind(str(col))
        raw = table.frame[col].reset_index(drop=True)
        if kind in NUMBER_KINDS:
            numbers = pd.to_numeric(raw, errors="raise") if len(raw) else raw.astype(float)
            if pd.api.types.is_bool_dtype(numbers):
                numbers = numbers.astype(float)
            digits = 0 if kind == "int" else table.decimals
            rounded = pd.array([_round(v, digits) for v in numbers.astype("float64").to_numpy()], dtype="Float64")
            out[str(col)] = rounded.astype("Int64") if kind == "int" else rounded
        else:
            text = raw.map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
                           else str(v))
            if neutralise:
                text = text.map(neutralise_formula, na_action="ignore")
            out[str(col)] = text.astype("str") if not text.isna().any() else text.astype(object)
    out.columns = [neutralise_formula(str(c)) if neutralise else str(c) for c in out.columns]
    return out


def column_dictionary(table: DataTable, notes: Mapping[str, str], *, csv: bool = False) -> list[dict]:
    """One record per column: name, Frictionless type, decimals, description (metadata.json / the about sheet).

    ``csv``: the columns as a CSV writes them (codes in their CSV_CODE_PREFIX form)."""
    records = []
    for col in table.columns():
        kind = table.kind(col)
        record = {"name": col, "type": SCHEMA_TYPES[kind], "kind": kind}
        if kind in NUMBER_KINDS:
            record["decimals"] = 0 if kind == "int" else table.decimals
        if kind == "code":
            record["constraints"] = {"pattern": f"^{CSV_CODE_PREFIX}[0-9]+$" if csv else "^[0-9]+$"}
        record["description"] = notes.get(col, "")
        records.append(record)
    return records


def csv_text(frame: pd.DataFrame) -> str:
    """One header row, then the rows: what pandas.read_csv and Excel read with their defaults."""
    return frame.to_csv(index=False, lineterminator="\r\n", na_rep="")


def code_columns(table: DataTable) -> list[str]:
    return [c for c in table.columns() if table.kind(c) == "code"]


def csv_code(code: object) -> object:
    """A code as a CSV writes it (see CSV_CODE_PREFIX); missing stays missing."""
    if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)) or code == "":
        return code
    return f"{CSV_CODE_PREFIX}{code}"


def csv_frame(table: DataTable) -> pd.DataFrame:
    """plain_frame with the code columns in their CSV form: what data.csv holds."""
    out = plain_frame(table)
    for col in code_columns(table):
        out[col] = out[col].map(csv_code)
    return out


def width_of(values: Sequence[object], header: str, *, lo: int = 6, hi: int = 60) -> float:
    """Excel column width in characters: the longest cell or header word, within [lo, hi]."""
    longest = max([len(str(v)) for v in values if v is not None] + [0])
    head = max((len(w) for w in str(header).split()), default=0)
    return float(min(max(longest, head, lo) + 2, hi))


def as_cells(frame: pd.DataFrame) -> list[list]:
    """Rows of plain Python values (None for missing) for openpyxl."""
    rows = []
    for record in frame.itertuples(index=False, name=None):
        row = []
        for v in record:
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                row.append(None)
            elif isinstance(v, np.generic):
                row.append(v.item())
            else:
                row.append(v)
        rows.append(row)
    return rows


def describe_file(
    *,
    lang: str,
    title: str,
    indicator: str,
    definition: str,
    year: int | str,
    target: str,
    framework: str,
    framework_source: str,
    framework_note: str,
    filters: str,
    dataset: str,
    boundary: str,
    illustrative: bool,
    created: str,
    column_notes: Mapping[str, str] | None = None,
) -> FileMeta:
    """The one metadata builder of every data file (CSV bundle, XLSX), in the session's language.

    Every entry is labelled from the catalogue (download.meta_*); empty ones are left out. The method
    note says how the numbers were made, so a reader never has to guess whether a rate is an average.
    """
    from geo.text.catalogue import say

    rows = (
        ("indicator", "download.meta_indicator", indicator),
        ("definition", "download.meta_definition", definition),
        ("data_year", "download.meta_year", str(year)),
        ("filters", "download.meta_filters", filters),
        ("target", "download.meta_target", target),
        ("framework", "download.meta_framework", framework),
        ("framework_source", "download.meta_framework_source", framework_source),
        ("framework_note", "download.meta_framework_note", framework_note),
        ("source", "download.meta_dataset", dataset),
        ("boundary", "download.meta_boundary", boundary),
        ("data_date", "download.meta_reference_date", str(year)),
        ("method", "download.meta_method", say("download.method", lang)),
        ("illustrative_label", "download.meta_illustrative", say("yes", lang) if illustrative else say("no", lang)),
        ("created", "download.meta_created", created),
    )
    entries = tuple(MetaEntry(key, say(label, lang), str(value)) for key, label, value in rows
                    if value not in (None, ""))
    mark = f"{say('illustrative.badge', lang)} — {say('illustrative.note', lang)}" if illustrative else ""
    return FileMeta(title=title, entries=entries, illustrative=illustrative, mark=mark,
                    column_notes=dict(column_notes or {}), lang=lang)
