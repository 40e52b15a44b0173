"""One thing wrong with an uploaded file, in Vietnamese and English, its text taken from the catalogue.

Each problem code has one catalogue key (``err.ingest.<code>``). Parameters ending in ``_key`` name a
catalogue text that is itself looked up per language (``detail_key="err.ingest.detail.nul_bytes"`` fills
``{detail}``), so no sentence a user reads is written in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from geo.ingest.vocab import (
    AMBIGUOUS_CODE,
    AMBIGUOUS_NAME,
    BINARY_FILE,
    CODE_OTHER_UNITS,
    DUPLICATE_COLUMN,
    DUPLICATE_COMMUNE_YEAR,
    EMPTY_FILE,
    EXTRA_CELLS,
    FORMULA_LIKE,
    FORMULA_NO_VALUE,
    INCOMPLETE_COUNTS,
    INVALID_YES_NO,
    LOOKS_LIKE_FRACTION,
    MISSING_COLUMN,
    MISSING_VALUE,
    MIXED_UNITS,
    MORE_PROBLEMS,
    NAME_CODE_MISMATCH,
    NEGATIVE_COUNT,
    NO_VALUES,
    NON_NUMERIC,
    NOT_WHOLE_NUMBER,
    NUMERATOR_ABOVE_DENOMINATOR,
    PROVINCE_LEVEL,
    RATE_OUT_OF_RANGE,
    RATE_WEIGHTED,
    SKIPPED_ROWS,
    TOO_LARGE,
    TOO_MANY_ROWS,
    TOTAL_MISMATCH,
    TOTAL_ROWS,
    UNKNOWN_COLUMN,
    UNKNOWN_COMMUNE,
    UNKNOWN_PROVINCE_CODE,
    UNREADABLE_FILE,
    UNSUPPORTED_FORMAT,
    VALUE_MISMATCH,
    WAITS_FOR_ROW,
    WARNING_CODES,
    WRONG_SHEET,
    YEAR_OUT_OF_RANGE,
    ZERO_DENOMINATOR,
    ZERO_OF_ZERO,
)
from geo.text.catalogue import LANGUAGES, say

MESSAGE_KEYS: dict[str, str] = {
    FORMULA_NO_VALUE: "err.ingest.formula_without_value",
    AMBIGUOUS_CODE: "err.ingest.ambiguous_code",
    CODE_OTHER_UNITS: "err.ingest.code_is_other_units",
    MIXED_UNITS: "err.ingest.mixed_units",
    WAITS_FOR_ROW: "err.ingest.waits_for_row",
    PROVINCE_LEVEL: "err.ingest.province_level",
    TOTAL_ROWS: "err.ingest.total_rows",
    TOTAL_MISMATCH: "err.ingest.total_mismatch",
    SKIPPED_ROWS: "err.ingest.skipped_rows",
    EMPTY_FILE: "err.ingest.empty_file",
    UNREADABLE_FILE: "err.ingest.unreadable_file",
    BINARY_FILE: "err.ingest.binary_file",
    UNSUPPORTED_FORMAT: "err.ingest.unsupported_format",
    TOO_LARGE: "err.ingest.too_large",
    TOO_MANY_ROWS: "err.ingest.too_many_rows",
    WRONG_SHEET: "err.ingest.wrong_sheet",
    MISSING_COLUMN: "err.ingest.missing_column",
    DUPLICATE_COLUMN: "err.ingest.duplicate_column",
    UNKNOWN_COLUMN: "err.ingest.unknown_column",
    EXTRA_CELLS: "err.ingest.extra_cells",
    MISSING_VALUE: "err.ingest.missing_value",
    UNKNOWN_COMMUNE: "err.ingest.unknown_commune",
    UNKNOWN_PROVINCE_CODE: "err.ingest.unknown_province",
    AMBIGUOUS_NAME: "err.ingest.ambiguous_name",
    NAME_CODE_MISMATCH: "err.ingest.name_code_mismatch",
    DUPLICATE_COMMUNE_YEAR: "err.ingest.duplicate_commune_year",
    RATE_OUT_OF_RANGE: "err.ingest.rate_out_of_range",
    NUMERATOR_ABOVE_DENOMINATOR: "err.ingest.numerator_above_denominator",
    NEGATIVE_COUNT: "err.ingest.negative_count",
    NON_NUMERIC: "err.ingest.non_numeric",
    NOT_WHOLE_NUMBER: "err.ingest.not_whole_number",
    YEAR_OUT_OF_RANGE: "err.ingest.year_out_of_range",
    FORMULA_LIKE: "err.ingest.formula_like",
    INVALID_YES_NO: "err.ingest.invalid_yes_no",
    INCOMPLETE_COUNTS: "err.ingest.incomplete_counts",
    VALUE_MISMATCH: "err.ingest.value_mismatch",
    ZERO_DENOMINATOR: "err.ingest.zero_denominator",
    ZERO_OF_ZERO: "err.ingest.zero_of_zero",
    RATE_WEIGHTED: "err.ingest.rate_weighted",
    NO_VALUES: "err.ingest.no_values",
    LOOKS_LIKE_FRACTION: "err.ingest.looks_like_fraction",
    MORE_PROBLEMS: "err.ingest.more_problems",
}



@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, a row or a cell, in plain Vietnamese and English.

    ``row`` is the row number the user sees in their spreadsheet (header = 1); ``column`` the header
    as they wrote it; both None for problems with the whole file.
    """

    row: int | None
    column: str | None
    value: str | None
    code: str
    message_vi: str
    message_en: str
    suggestions: list[str] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.code not in WARNING_CODES

    def describe(self, lang: str = "vi") -> str:
        """The message with its place ("Dòng 5, cột “nam”: …") for plain lists."""
        place = [say("ingest.place_row", lang, row=self.row) if self.row else "",
                 say("ingest.place_column", lang, column=self.column) if self.column else ""]
        text = self.message_vi if lang == "vi" else self.message_en
        where = ", ".join(p for p in place if p)
        more = (" — " + "; ".join(self.suggestions)) if self.suggestions else ""
        return f"{where}: {text}{more}" if where else f"{text}{more}"


def make_problem(code: str, row: int | None = None, column: str | None = None, value: Any = None,
                 suggestions: list[str] | tuple[str, ...] = (), **fields: Any) -> Problem:
    """The problem ``code`` with its message in both languages; see the module docstring for ``*_key``."""
    shown = None if value is None else show_value(value)
    messages = []
    for lang in LANGUAGES:
        params = {"value": shown, "detail": "", **fields}
        for name, key in sorted(fields.items(), key=lambda item: item[0] == "detail_key"):  # detail may use others
            if name.endswith("_key"):
                params[name[:-4]] = say(key, lang, **params) if key else ""
        messages.append(say(MESSAGE_KEYS[code], lang, **params))
    return Problem(row, column, shown, code, messages[0], messages[1], list(suggestions))


def show_value(value: Any) -> str:
    """A cell as a message quotes it: whole floats without ".0", long text cut at 80 characters."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
