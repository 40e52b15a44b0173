"""Read one cell of a user's file as a count, a percentage, yes/no, a year or a name.

Each column kind has exactly one reading (the number rule of geo/ingest/validate.py's docstring):
COUNTS are whole numbers, so ".", "," or a space before exactly three digits separates thousands;
PERCENTAGES take one "," or "." as the decimal mark. Each parser returns (value, problem code or None);
value None with no code means "no data".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from geo.ingest.vocab import FORMULA_LIKE, INVALID_YES_NO, NON_NUMERIC, NOT_WHOLE_NUMBER
from geo.text.fold import fold_name, normalize_name

_MISSING_TOKENS = frozenset({"", "-", "–", "—", "na", "n/a", "n.a.", "..", "…", "không có số liệu", "kcsl"})
_EXCEL_ERRORS = frozenset({"#div/0!", "#n/a", "#value!", "#ref!", "#name?", "#num!", "#null!", "#spill!",
                           "#calc!", "#getting_data"})
_YES = frozenset({"co", "yes", "y", "1", "true", "dung", "x", "dat", "c"})
_NO = frozenset({"khong", "no", "n", "0", "false", "sai", "chuadat", "chua", "k", "ko"})
_FORMULA_START = ("=", "+", "-", "@")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:(?P<sep>[.,\u00a0\u202f ])\d{3})(?:(?P=sep)\d{3})*")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_PERCENT_SIGN = re.compile(r"\s*%$")
_YEAR = re.compile(r"\d{4}")

Parsed = tuple[Any, str | None]


def as_text(value: Any) -> str:
    """A cell as trimmed text; whole floats without ".0" (a header or a code typed as a number)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

def _clean_text(value: str) -> str | None:
    text = value.replace("\u00a0", " ").strip()
    return None if text.casefold() in _MISSING_TOKENS else text


def _formula_or_text(text: str) -> Parsed:
    """Text where a number was expected: a formula if it starts like one, otherwise just not a number."""
    return (None, FORMULA_LIKE) if text.startswith(_FORMULA_START) else (None, NON_NUMERIC)


def parse_count(cell: Any) -> Parsed:
    """A whole count: thousands separators allowed, fractions not (see the number rule above)."""
    if cell is None or isinstance(cell, bool):
        return (None, None) if cell is None else (None, NON_NUMERIC)
    if isinstance(cell, (int, float)):
        if cell != cell:
            return None, None
        return (float(cell), None) if float(cell).is_integer() else (None, NOT_WHOLE_NUMBER)
    text = _clean_text(str(cell))
    if text is None:
        return None, None
    if text.casefold() in _EXCEL_ERRORS:
        return None, NON_NUMERIC
    if _THOUSANDS.fullmatch(text):
        digits = float(re.sub(r"\D", "", text))
        return (-digits if text.startswith("-") else digits), None
    if _DECIMAL.fullmatch(text):
        number = float(text.replace(",", "."))
        return (number, None) if number.is_integer() else (None, NOT_WHOLE_NUMBER)
    return _formula_or_text(text)


def parse_percent(cell: Any) -> Parsed:
    """A percentage: one "," or "." as the decimal mark, an optional "%" (see the number rule above)."""
    if cell is None or isinstance(cell, bool):
        return (None, None) if cell is None else (None, NON_NUMERIC)
    if isinstance(cell, (int, float)):
        return (None, None) if cell != cell else (float(cell), None)
    text = _clean_text(str(cell))
    if text is None:
        return None, None
    number = _PERCENT_SIGN.sub("", text).replace(" ", "")
    if _DECIMAL.fullmatch(number):
        return float(number.replace(",", ".")), None
    return _formula_or_text(text)


def parse_yes_no(cell: Any) -> Parsed:
    """Có/Không, yes/no, 1/0, true/false, x → 1.0 / 0.0."""
    if cell is None:
        return None, None
    if isinstance(cell, bool):
        return float(cell), None
    if isinstance(cell, (int, float)):
        if cell != cell:
            return None, None
        return (float(cell), None) if cell in (0, 1) else (None, INVALID_YES_NO)
    text = _clean_text(str(cell))
    if text is None:
        return None, None
    key = fold_name(normalize_name(text))
    if key in _YES:
        return 1.0, None
    if key in _NO:
        return 0.0, None
    return (None, FORMULA_LIKE) if text.startswith(_FORMULA_START) else (None, INVALID_YES_NO)


def parse_year(cell: Any) -> Parsed:
    """A four-digit year (range checked by the caller, whose limits are configurable)."""
    if cell is None or isinstance(cell, bool):
        return (None, None) if cell is None else (None, NON_NUMERIC)
    if isinstance(cell, (int, float)):
        if cell != cell:
            return None, None
        return (int(cell), None) if float(cell).is_integer() else (None, NON_NUMERIC)
    text = _clean_text(str(cell))
    if text is None:
        return None, None
    if _YEAR.fullmatch(text):
        return int(text), None
    if _DECIMAL.fullmatch(text) and float(text.replace(",", ".")).is_integer():
        return int(float(text.replace(",", "."))), None
    return _formula_or_text(text)


def parse_text(cell: Any) -> Parsed:
    """A name: trimmed NFC text; formula-like text is refused."""
    if cell is None:
        return None, None
    text = _clean_text(as_text(cell))
    if text is None:
        return None, None
    if text.startswith(("=", "@", "+")) or (text.startswith("-") and not text[1:].strip().isdigit()):
        return None, FORMULA_LIKE
    return text, None


def parse_column(cells: np.ndarray, parser: Callable[[Any], Parsed], *, numeric: bool = False
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Parse each distinct value once (columns repeat few values): (values, problem codes) per cell.

    Values come back as floats (NaN = no data) when ``numeric``, else as objects (None = no data); codes
    are objects (None = fine). Booleans were turned into text by the reader, so 1, 1.0 and True never
    share a parse.
    """
    index, uniques = pd.factorize(cells, use_na_sentinel=True)
    parsed = [parser(u) for u in uniques] + [(None, None)]  # the last entry serves blanks (index -1)
    codes = np.array([c for _, c in parsed], dtype=object)[index]
    if numeric:
        values = np.array([np.nan if v is None else v for v, _ in parsed], dtype=float)[index]
    else:
        values = np.empty(len(parsed), dtype=object)
        values[:] = [v for v, _ in parsed]
        values = values[index]
    return values, codes
