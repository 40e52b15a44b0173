"""Numbers written the way each language reads them: 12,5% and 1.234 in Vietnamese, 12.5% and 1,234 in English."""

from __future__ import annotations

import pandas as pd

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def _missing(x) -> bool:
    """None, NaN and pandas' NA all print as a dash."""
    return x is None or bool(pd.isna(x))


def format_number(x: float | int | None, lang: str = "vi", decimals: int = 0) -> str:
    """Grouped thousands and localized decimal mark; an em dash for missing values."""
    if _missing(x):
        return "—"
    thousands, decimal = _SEPARATORS.get(lang, _SEPARATORS["en"])
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_percent(x: float | None, lang: str = "vi", decimals: int = 1) -> str:
    if _missing(x):
        return "—"
    return f"{format_number(x, lang, decimals)}%"


def format_points(x: float | None, lang: str = "vi", decimals: int = 1) -> str:
    """Signed percentage points, e.g. '+2,3 điểm %' / '+2.3 pp'."""
    if _missing(x):
        return "—"
    sign = "+" if x > 0 else ("−" if x < 0 else "")
    unit = "điểm %" if lang == "vi" else "pp"
    return f"{sign}{format_number(abs(x), lang, decimals)} {unit}"
