"""Per-commune attributes a user's file states: ethnic-minority area and its class, border, coastal, island,
especially difficult commune.

They come in the data file itself (extra columns) or in a separate attributes file (a code column and
the attribute columns, title rows allowed). Headers are data (``data/attribute_columns.csv``), compared
through the one header folding. Attributes describe 2025 communes: rows keyed by a pre-2025 code are
not carried (an old commune's class says nothing certain about the merged commune) and are reported.
A blank cell states nothing: the derived or illustrative value stays for that commune.

The class of an ethnic-minority area (khu vực I, II, III) is written "I"/"II"/"III", "1"/"2"/"3",
"KV II", "Khu vực III"; a commune with a class is in an ethnic-minority area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from geo.config import registry_dir
from geo.ingest.cells import parse_yes_no
from geo.ingest.headers import HeaderAliases, map_headers, normalize_header
from geo.ingest.match import pad_code
from geo.ingest.read import read_table
from geo.ingest.vocab import F_CODE, F_OLD_CODE
from geo.text.catalogue import error, say
from geo.text.fold import fold

ATTRIBUTES_FILE = "attribute_columns.csv"
_SCHEMA = pa.DataFrameSchema({"field": pa.Column(str), "lang": pa.Column(str, pa.Check.isin(["vi", "en"])),
                              "alias": pa.Column(str, pa.Check.str_length(min_value=1))}, strict=True)
FLAGS = ("em_area", "border", "coastal", "island", "especially_difficult")
EM_CLASS = "em_class"
FIELDS = (*FLAGS, EM_CLASS)
CLASSES = ("I", "II", "III")
_CLASS = re.compile(r"^(?:khu vuc|kv)?\s*(iii|ii|i|1|2|3)$")
HEADER_SEARCH_ROWS = 12


def load_attribute_aliases(path: str | Path | None = None) -> dict[str, str]:
    """Header key → attribute field, from data/attribute_columns.csv (an unknown field is refused).

    Read once per file: the upload page asks on every rerun (what needs confirmation)."""
    return _read_attribute_aliases(str(path or Path(registry_dir()) / ATTRIBUTES_FILE))


@lru_cache(maxsize=8)
def _read_attribute_aliases(path: str) -> dict[str, str]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    unknown = sorted(set(table.get("field", pd.Series(dtype=str))) - set(FIELDS))
    if unknown:
        raise error("err.attributes.unknown_field", fields=", ".join(unknown))
    try:
        _SCHEMA.validate(table, lazy=True)
    except pa.errors.SchemaErrors:
        raise error("err.attributes.file_invalid") from None
    return {normalize_header(alias): f for f, alias in zip(table["field"], table["alias"], strict=True)}


def parse_class(cell: Any) -> tuple[str | None, bool]:
    """(class, ok): "III", "3", "KV III", "Khu vực III" → "III"; blank → (None, True); other text → (None, False)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return None, True
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        cell = str(int(cell)) if float(cell).is_integer() else str(cell)
    text = re.sub(r"\s+", " ", fold(str(cell))).strip()
    if not text:
        return None, True
    found = _CLASS.match(text)
    if not found:
        return None, False
    roman = {"1": "I", "2": "II", "3": "III"}.get(found.group(1), found.group(1).upper())
    return roman, True


@dataclass(frozen=True)
class AttributeResult:
    """``frame``: code and the attribute columns the file has; ``problems``: row, column, value, reason_vi/en."""

    frame: pd.DataFrame
    columns: tuple[str, ...] = ()  # the fields found
    problems: list[dict] = field(default_factory=list)
    old_code_rows: int = 0  # rows keyed by a pre-2025 code, not carried

    @property
    def found(self) -> bool:
        return bool(self.columns)


def _problem(row: int, column: str, value: Any, key: str, **params: Any) -> dict:
    return {"row": row, "column": column, "value": "" if value is None else str(value),
            "reason_vi": say(key, "vi", **params), "reason_en": say(key, "en", **params)}


def _find_header(grid: list[list[Any]], aliases: HeaderAliases, attribute_aliases: dict[str, str]
                 ) -> tuple[int, dict[str, int], int | None, int | None] | None:
    """The first row naming a code column and at least one attribute: (index, field → position, codes, old)."""
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        fields = {}
        for pos, cell in enumerate(row):
            f = attribute_aliases.get(normalize_header(cell)) if cell is not None else None
            if f is not None and f not in fields:
                fields[f] = pos
        if not fields:
            continue
        cmap = map_headers(list(row), aliases)
        code = cmap.fields.get(F_CODE, [None])[0]
        old = cmap.fields.get(F_OLD_CODE, [None])[0]
        if code is not None or old is not None:
            return i, fields, code, old
    return None


def extract_attributes(data: bytes, filename: str, aliases: HeaderAliases, known_codes: set[str], *,
                       sheet: str | None = None, attribute_aliases: dict[str, str] | None = None,
                       mapped: tuple[dict[int, str], int | None, int | None] | None = None) -> AttributeResult:
    """The attribute columns of a file (the data file or an attributes-only file), per 2025 commune.

    ``mapped``: the user's column mapping for the file's header row — (position → field, the 2025-code
    column, the pre-2025-code column) — which wins over the header names. A file without attribute
    columns gives an empty result (``found`` False), never an error.
    """
    attribute_aliases = attribute_aliases or load_attribute_aliases()
    table, fatal = read_table(data, filename, aliases, sheet=sheet)
    if table is None:
        raise error("err.attributes.unreadable")
    grid = [list(table.header), *table.rows]
    numbers = [table.header_row, *table.row_numbers]
    if mapped and mapped[0] and (mapped[1] is not None or mapped[2] is not None):
        fields: dict[str, int] = {}
        for pos, f in sorted(mapped[0].items()):
            fields.setdefault(f, pos)  # two columns mapped to one attribute: the first is read
        located = (0, fields, mapped[1], mapped[2])
    else:
        located = _find_header(grid, aliases, attribute_aliases)
    if located is None:
        return AttributeResult(frame=pd.DataFrame({"code": pd.Series(dtype=str)}))
    start, fields, code_pos, old_pos = located
    header = grid[start]
    problems: list[dict] = []
    records: dict[str, dict[str, Any]] = {}
    old_rows = 0
    for row, number in zip(grid[start + 1:], numbers[start + 1:], strict=True):
        def cell(pos: int | None, row: list[Any] = row) -> Any:
            return row[pos] if pos is not None and pos < len(row) else None

        raw = cell(code_pos)
        code = pad_code(raw) if raw not in (None, "") else None
        if code is None:
            if old_pos is not None and pad_code(cell(old_pos)) is not None:
                old_rows += 1
            continue  # total, signature and blank rows have no code
        if code not in known_codes:
            problems.append(_problem(number, str(header[code_pos]), raw, "err.attributes.unknown_code"))
            continue
        record = records.setdefault(code, {})
        for f, pos in fields.items():
            value = cell(pos)
            if f == EM_CLASS:
                parsed, ok = parse_class(value)
            else:
                number_value, bad = parse_yes_no(value if value != "" else None)
                parsed, ok = (None if number_value is None else bool(number_value)), bad is None
            if not ok:
                problems.append(_problem(number, str(header[pos]), value,
                                         "err.attributes.bad_class" if f == EM_CLASS else "err.attributes.bad_flag"))
                continue
            if parsed is None:
                continue
            if f in record and record[f] != parsed:
                problems.append(_problem(number, str(header[pos]), value, "err.attributes.conflict", code=code))
                continue
            record[f] = parsed
    found = tuple(f for f in FIELDS if f in fields)
    frame = pd.DataFrame([{"code": c, **r} for c, r in sorted(records.items())],
                         columns=["code", *found])
    for f in found:
        frame[f] = frame[f].astype("string" if f == EM_CLASS else "boolean")
    if EM_CLASS in found:  # a class is given only to communes of an ethnic-minority area
        has_class = frame[EM_CLASS].notna()
        if "em_area" not in frame:
            frame["em_area"] = pd.array([pd.NA] * len(frame), dtype="boolean")
        frame.loc[has_class & frame["em_area"].isna(), "em_area"] = True
        contradiction = has_class & frame["em_area"].eq(False).fillna(False)
        for code in frame.loc[contradiction, "code"]:
            problems.append(_problem(0, str(header[fields[EM_CLASS]]), code, "err.attributes.class_not_em", code=code))
        frame.loc[contradiction, EM_CLASS] = pd.NA
    return AttributeResult(frame=frame.reset_index(drop=True), columns=found, problems=problems,
                           old_code_rows=old_rows)
