"""Formula cells of an .xlsx: the value Excel computed and stored with each one (its cached value).

Official forms compute "Tỷ lệ (%)" with ``=ROUND(…)``. The app never evaluates a formula; it uses the value
the spreadsheet program saved next to it, and names the cells saved without one (files written by
scripts, or saved with calculation switched off). Read from the sheet XML directly because openpyxl gives
either the formulas or the values of a workbook, never both.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


@dataclass(frozen=True)
class FormulaCell:
    """``text`` is the formula without "="; ``cached`` its stored value (None: saved without one)."""

    text: str
    cached: float | str | bool | None


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part inside the archive."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_NS}Relationship")}
    out = {}
    for sheet in book.iter(f"{_NS}sheet"):
        path = target.get(sheet.get(f"{_REL_NS}id"), "")
        if path:
            out[sheet.get("name", "")] = path.lstrip("/") if path.startswith("/") else posixpath.normpath(
                posixpath.join("xl", path))
    return out


def _cached(kind: str | None, text: str | None) -> float | str | bool | None:
    if text is None or text == "":
        return None
    if kind in ("str", "inlineStr", "e"):
        return text
    if kind == "b":
        return text == "1"
    try:
        return float(text)
    except ValueError:
        return text


def formula_cells(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], FormulaCell]:
    """(row, column) (1-based) → formula and cached value, for every formula cell of one sheet part."""
    with archive.open(part) as fh:
        if b"<f" not in fh.read():  # most sheets hold no formula: skip the parse
            return {}
    out: dict[tuple[int, int], FormulaCell] = {}
    with archive.open(part) as fh:
        for _, elem in ElementTree.iterparse(fh, events=("end",)):
            if elem.tag != f"{_NS}c":
                if elem.tag == f"{_NS}row":
                    elem.clear()
                continue
            f = elem.find(f"{_NS}f")
            if f is not None:
                m = _REF.match(elem.get("r", ""))
                if m:
                    v = elem.find(f"{_NS}v")
                    out[(int(m.group(2)), _column(m.group(1)))] = FormulaCell(
                        f.text or "", _cached(elem.get("t"), None if v is None else v.text))
    return out
