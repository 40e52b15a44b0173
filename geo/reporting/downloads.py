"""Downloads: CSV and Excel files that open correctly in Excel and cannot smuggle in a formula.

CSV is written as UTF-8 with a byte-order mark: without it Excel on Windows guesses a legacy code page
and shows "Phường" as "PhÆ°á»ng". Every text cell (and header) that a spreadsheet could read as a
formula — starting with =, +, -, @, tab or carriage return — gets a leading apostrophe, as OWASP's CSV
injection guidance advises; commune names and notes come from outside data, so this is not theoretical.
Numeric cells are never touched: -5.2 stays the number -5.2.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Control characters XML 1.0 cannot hold (openpyxl raises IllegalCharacterError on them); tab, LF, CR stay.
_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_SHEET_NAME = 31


_LINE_LED_FORMULA = re.compile(r"([\r\n])(?=[=+\-@\t\r])")


def neutralise_formula(cell):
    """Prefix a formula-looking string with an apostrophe; anything that is not a string is returned as is.

    Also every line inside the cell, so a reader that breaks lines at CR or LF even inside quotes never
    starts a row with the text after it ("\r=4" must not become a row "=4").
    """
    if not isinstance(cell, str):
        return cell
    if "\r" in cell or "\n" in cell:
        cell = _LINE_LED_FORMULA.sub(r"\1'", cell)
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with text cells and headers neutralised; numeric and boolean columns untouched."""
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(neutralise_formula, na_action="ignore")
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    return out


def label_columns(df: pd.DataFrame, mapping: Mapping[str, str], *, only_mapped: bool = False) -> pd.DataFrame:
    """Rename columns to display labels (one language's mapping); with only_mapped, keep those, in mapping order."""
    if only_mapped:
        df = df[[c for c in mapping if c in df.columns]]
    return df.rename(columns=dict(mapping))


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM (Excel then reads Vietnamese correctly), formula-looking text neutralised.

    Lines end in CRLF (RFC 4180), which also makes the writer quote every cell holding a CR or LF.
    """
    return neutralise_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def name_sheet(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name: no []:*?/\\, at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub("_", str(name)).strip("'") or "Sheet"
    base = base[:_MAX_SHEET_NAME]
    candidate, k = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({k})"
        candidate, k = base[:_MAX_SHEET_NAME - len(suffix)] + suffix, k + 1
    taken.add(candidate.casefold())
    return candidate


def convert_cell(value):
    """A Python value openpyxl writes as itself: numpy scalars unwrapped, NaN/NA as an empty cell,
    control characters that XML cannot hold dropped from text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (int, float, bool, datetime, date)):
        return value
    return neutralise_formula(_ILLEGAL_XML_CHARS.sub("", str(value)))


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame], metadata: Mapping[str, str] | None = None, *,
                  metadata_title: str = "Thông tin") -> bytes:
    """An .xlsx workbook, one sheet per frame (header row frozen), plus a key/value metadata sheet first.

    Text that looks like a formula is neutralised (openpyxl would otherwise store "=..." as a formula);
    numbers stay numbers. Written in openpyxl's write-only mode, which is several times faster for
    thousands of rows.
    """
    from openpyxl import Workbook  # optional dependency, only needed when a download is prepared

    wb = Workbook(write_only=True)
    taken: set[str] = set()
    if metadata:
        ws = wb.create_sheet(name_sheet(metadata_title, taken))
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 80
        for key, val in metadata.items():
            ws.append([convert_cell(str(key)), convert_cell(val)])
    for name, df in sheets.items():
        ws = wb.create_sheet(name_sheet(name, taken))
        ws.freeze_panes = "A2"
        ws.append([convert_cell(str(c)) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([convert_cell(v) for v in row])
    if not metadata and not sheets:
        wb.create_sheet("Sheet")  # a workbook must have at least one sheet
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
