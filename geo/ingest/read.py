"""Bytes of an uploaded file → header row + data rows, or one file-level problem; never an exception.

CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's tab-separated "Unicode text"), or
Windows-1258 (Python's ``cp1258``, which decodes some letters as base + combining tone mark: everything is
normalised to NFC); delimiter ``,`` ``;`` or tab, sniffed from the header. XLSX read with openpyxl in
read-only mode, formulas never evaluated. Size, row and cell caps, zip-bomb and DTD checks happen before
parsing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain
from pathlib import Path
from typing import Any

from geo.ingest.formulas import FormulaCell, formula_cells, sheet_paths
from geo.ingest.headers import HeaderAliases, map_headers, normalize_header
from geo.ingest.layout import DATA, FOOTER, TOTAL, classify_row, find_header, sheet_year, title_year
from geo.ingest.problems import Problem, make_problem
from geo.ingest.vocab import (
    BINARY_FILE,
    EMPTY_FILE,
    F_CODE,
    F_NAME,
    F_OLD_CODE,
    F_PROVINCE,
    F_YEAR,
    TOO_LARGE,
    TOO_MANY_ROWS,
    UNREADABLE_FILE,
    UNSUPPORTED_FORMAT,
    WRONG_SHEET,
)
from geo.text.fold import nfc


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile or accidental file from exhausting the server (all configurable)."""

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_cells: int = 8_000_000
    max_unzipped_bytes: int = 250 * 1024 * 1024  # sum of the XLSX's parts as declared in the zip directory
    max_shared_strings_bytes: int = 64 * 1024 * 1024  # openpyxl holds the shared-strings table in memory
    max_shared_strings: int = 1_000_000  # … and builds one Python string per entry before the first row
    max_columns: int = 1_000  # the template has a few dozen; a wider row is refused before any header work
    min_year: int = 2015
    max_year: int = 2030
    max_problems: int = 5_000  # listed; all are counted
    header_search_rows: int = 10


LIMITS = Limits()

@dataclass
class RawTable:
    """Cells as read (str, int, float, bool, date or None), data rows only, with their sheet row numbers."""

    header: list[Any]
    header_row: int
    rows: list[list[Any]]
    row_numbers: list[int]
    source: dict[str, Any]
    header_rows: tuple[int, ...] = ()
    totals: list[tuple[int, list[Any]]] = field(default_factory=list)  # "Tổng cộng", "Cộng", "Toàn huyện"
    skipped: dict[str, list[int]] = field(default_factory=dict)  # numbering / note / footer → row numbers
    total_at: list[int] = field(default_factory=list)  # per total row: how many data rows came before it
    starts: list[int] = field(default_factory=lambda: [0])  # where each sheet's rows begin
    title_year: int | None = None  # the one year the title rows state ("BÁO CÁO … NĂM 2024")
    sheets: dict[str, str] = field(default_factory=dict)  # sheet → "read" or why it was skipped


class _Fatal(Exception):
    """Internal: stop reading with one file-level problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def _fatal(code: str, **fields: Any) -> _Fatal:
    return _Fatal(make_problem(code, **fields))


def _format_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# First bytes → (unsupported or binary, catalogue key of what the file is).
_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "unsupported", "err.ingest.kind.ole"),
    (b"%PDF", "binary", "err.ingest.kind.pdf"),
    (b"\x89PNG", "binary", "err.ingest.kind.png"),
    (b"\xff\xd8\xff", "binary", "err.ingest.kind.jpeg"),
    (b"GIF8", "binary", "err.ingest.kind.gif"),
    (b"\x1f\x8b", "binary", "err.ingest.kind.gzip"),
    (b"Rar!", "binary", "err.ingest.kind.rar"),
    (b"7z\xbc\xaf", "binary", "err.ingest.kind.7z"),
    (b"MZ", "binary", "err.ingest.kind.exe"),
    (b"\x7fELF", "binary", "err.ingest.kind.program"),
)
_UNSUPPORTED_EXT = {
    ".xls": "err.ingest.kind.xls",
    ".xlsb": "err.ingest.kind.xlsb",
    ".xlsm": "err.ingest.kind.xlsm",
    ".ods": "err.ingest.kind.ods",
    ".numbers": "err.ingest.kind.numbers",
}


def read_table(data: bytes, filename: str, aliases: HeaderAliases, *, sheet: str | None = None,
               limits: Limits = LIMITS) -> tuple[RawTable | None, list[Problem]]:
    """Bytes → header + data rows, or a file-level problem; never raises for bad input."""
    try:
        return _read_table(data, filename, aliases, sheet, limits), []
    except _Fatal as exc:
        return None, [exc.problem]
    except Exception as exc:  # noqa: BLE001 - a parser bug must still become a message, not a crash
        return None, [make_problem(UNREADABLE_FILE, detail_key="err.ingest.detail.unexpected",
                                   kind=type(exc).__name__, text=str(exc)[:200])]


def _read_table(data: bytes, filename: str, aliases: HeaderAliases, sheet: str | None, limits: Limits) -> RawTable:
    if len(data) > limits.max_bytes:
        raise _fatal(TOO_LARGE, detail_key="err.ingest.detail.bytes", size=_format_size(len(data)),
                     limit=_format_size(limits.max_bytes))
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _fatal(EMPTY_FILE)
    ext = Path(filename or "").suffix.lower()
    for magic, kind, what in _MAGIC:
        if data.startswith(magic):
            raise _fatal(UNSUPPORTED_FORMAT if kind == "unsupported" else BINARY_FILE, detail_key=what)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_xlsx(data, aliases, sheet, limits, ext)
    if ext in _UNSUPPORTED_EXT:
        raise _fatal(UNSUPPORTED_FORMAT, detail_key=_UNSUPPORTED_EXT[ext])
    if ext == ".xlsx":
        raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.fake_xlsx")
    text, encoding = decode_text(data)
    return _read_csv(text, encoding, aliases, limits)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text in NFC and the encoding it was read with: BOMs first, then UTF-8, then Windows-1258."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    elif b"\x00" in data[:4096]:
        head = data[:4096]
        zeros_even, zeros_odd = head[0::2].count(0), head[1::2].count(0)
        if zeros_odd > len(head) // 4 and zeros_even == 0:
            candidates = ["utf-16-le"]
        elif zeros_even > len(head) // 4 and zeros_odd == 0:
            candidates = ["utf-16-be"]
        else:
            raise _fatal(BINARY_FILE, detail_key="err.ingest.detail.nul_bytes")
    else:
        candidates = ["utf-8", "cp1258"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding.startswith("utf-16") and len(data) % 2:
            break  # an odd byte count: the file was cut off
        if "\x00" in text:
            raise _fatal(BINARY_FILE, detail_key="err.ingest.detail.nul_chars")
        controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
        if controls > max(3, len(text[:20000]) // 100):
            raise _fatal(BINARY_FILE, detail_key="err.ingest.detail.control_chars")
        return nfc(text), encoding
    if candidates[0].startswith("utf-16"):
        raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.utf16_cut")
    raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.encoding")


def sniff_delimiter(text: str, lines: int = 10) -> str:
    """The delimiter ("," ";" or tab) that splits the first non-empty lines into the most fields."""
    head = [line for line in text.splitlines()[: lines * 5] if line.strip()][:lines]
    best, best_n = ",", 1
    for delim in ("\t", ";", ","):
        try:
            n = max((len(rec) for rec in csv.reader(head, delimiter=delim)), default=1)
        except csv.Error:
            continue
        if n > best_n:
            best, best_n = delim, n
    return best


def _refuse_wide_lines(text: str, limits: Limits) -> None:
    """Before any parsing: a line among the first ones with more separators than columns allowed is refused."""
    start = 0
    for _ in range(limits.header_search_rows * 5):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        widest = max(line.count(","), line.count(";"), line.count("\t")) + 1
        if widest > limits.max_columns:
            raise _fatal(TOO_LARGE, detail_key="err.ingest.detail.columns", n=f"{widest:,}",
                         limit=f"{limits.max_columns:,}")
        if end < 0:
            break
        start = end + 1


def _read_csv(text: str, encoding: str, aliases: HeaderAliases, limits: Limits) -> RawTable:
    _refuse_wide_lines(text, limits)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    source = {"format": "csv", "encoding": encoding, "delimiter": delimiter, "sheet": None}
    try:
        table = _collect(((i, rec) for i, rec in enumerate(reader, start=1)), aliases, limits, source)
        return _with_year(table, table.title_year, aliases)
    except csv.Error as exc:
        raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.bad_csv", text=str(exc)) from None


def is_blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _row_is_blank(record: list[Any]) -> bool:
    try:
        return not "".join(record).strip()  # the common case: every cell is text (CSV)
    except TypeError:
        return all(is_blank(v) for v in record)


def header_score(aliases: HeaderAliases) -> Callable[[list[str]], int]:
    """How many columns a candidate header explains; 0 unless it names a commune (or province) and a year, an
    indicator or at least two other columns (headers the vocabulary does not know yet, to be mapped)."""
    def score(cells: list[str]) -> int:
        cmap = map_headers(cells, aliases)
        if not any(f in cmap.fields for f in (F_CODE, F_OLD_CODE, F_NAME, F_PROVINCE)):
            return 0  # a province column too: a province table is found, then refused as such
        parts = sum(len(cols) for ind in cmap.indicators.values() for cols in ind.values())
        if not parts and F_YEAR not in cmap.fields and len(cmap.unknown) < 2:
            return 0  # a commune column and two more headers the user can map on screen still make a header
        return sum(len(cols) for cols in cmap.fields.values()) + parts
    return score


def _collect(records: Iterator[tuple[int, list[Any]]], aliases: HeaderAliases, limits: Limits,
             source: dict[str, Any], *, probe: bool = False) -> RawTable:
    """Find the header (one or two rows) below title rows, then sort the rows under it under the caps.

    Commune rows are kept; total/subtotal rows are set aside for the check against the communes' sum;
    column-numbering, note and signature rows are skipped and counted. When no header is recognised
    within ``header_search_rows`` rows, the first non-empty row is taken as the header so that missing
    columns can be named. With ``probe`` only the header is looked for (an empty header means "not found").
    """
    cells = 0

    def count(record: list[Any]) -> None:
        nonlocal cells
        if len(record) > limits.max_columns:
            raise _fatal(TOO_LARGE, detail_key="err.ingest.detail.columns", n=f"{len(record):,}",
                         limit=f"{limits.max_columns:,}")
        cells += len(record)  # every cell read costs, filled or not, header included
        if cells > limits.max_cells:
            raise _fatal(TOO_LARGE, detail_key="err.ingest.detail.cells", limit=f"{limits.max_cells:,}")

    head: list[tuple[int, list[Any]]] = []
    for number, record in records:
        if _row_is_blank(record):
            continue
        count(record)
        head.append((number, record))
        if len(head) >= limits.header_search_rows:
            break
    found = find_header(head, header_score(aliases))
    if probe:
        return RawTable(found.cells if found else [], found.rows[0] if found else 0, [], [], source)
    if not head:
        raise _fatal(EMPTY_FILE)
    if found is None:
        header, header_rows = list(head[0][1]), (head[0][0],)
    else:
        header, header_rows = found.cells, found.rows
    table = RawTable(header, header_rows[0], [], [], source, header_rows=header_rows)
    table.title_year = title_year([r for n, r in head if n < header_rows[0]])
    last_head = head[-1][0]
    in_footer = False
    for number, record in chain((r for r in head if r[0] > header_rows[-1]), records):
        if _row_is_blank(record):
            continue
        if number > last_head:
            count(record)
        kind = FOOTER if in_footer else classify_row(record)
        if kind == TOTAL:
            table.totals.append((number, record))
            table.total_at.append(len(table.rows))
            continue
        if kind != DATA:
            in_footer = in_footer or kind == FOOTER
            table.skipped.setdefault(kind, []).append(number)
            continue
        if len(table.rows) >= limits.max_rows:
            raise _fatal(TOO_MANY_ROWS, limit=f"{limits.max_rows:,}")
        table.rows.append(record)
        table.row_numbers.append(number)
    return table


def _xlsx_cell(value: Any, number_format: str | None) -> Any:
    if isinstance(value, str):
        return nfc(value).strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as text: a boolean must not be taken for the number 1 or 0
    if isinstance(value, (int, float)) and not isinstance(value, bool) and number_format and "%" in number_format:
        return round(float(value) * 100, 10)  # a cell formatted as percent stores 0.125 for 12.5 %
    if isinstance(value, (datetime, date, time, timedelta)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def _read_xlsx(data: bytes, aliases: HeaderAliases, sheet: str | None, limits: Limits, ext: str) -> RawTable:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.bad_zip") from None
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise _fatal(UNSUPPORTED_FORMAT, detail_key=_UNSUPPORTED_EXT[".xlsb"])
    if "xl/workbook.xml" not in names:
        if "content.xml" in names or "mimetype" in names:
            raise _fatal(UNSUPPORTED_FORMAT, detail_key=_UNSUPPORTED_EXT[".ods"])
        if "word/document.xml" in names or "ppt/presentation.xml" in names:
            raise _fatal(UNSUPPORTED_FORMAT, detail_key="err.ingest.kind.office")
        raise _fatal(BINARY_FILE, detail_key="err.ingest.kind.zip")
    if "xl/vbaProject.bin" in names or ext == ".xlsm":
        raise _fatal(UNSUPPORTED_FORMAT, detail_key="err.ingest.kind.macros")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unzipped_bytes:
        raise _fatal(TOO_LARGE, detail_key="err.ingest.detail.unzipped", size=_format_size(declared),
                     limit=_format_size(limits.max_unzipped_bytes))
    strings = sum(i.file_size for i in infos if i.filename == "xl/sharedStrings.xml")
    if strings > limits.max_shared_strings_bytes:
        raise _fatal(TOO_LARGE, detail_key="err.ingest.detail.shared_bytes", size=_format_size(strings),
                     limit=_format_size(limits.max_shared_strings_bytes))
    try:
        _scan_parts(archive, infos, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.bad_zip") from None
    import openpyxl  # imported here: only uploads of .xlsx need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken parts
        raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.bad_book", kind=type(exc).__name__) from None
    try:
        return _read_book(book, aliases, sheet, limits, archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, AttributeError,
            IndexError, SyntaxError) as exc:  # read-only openpyxl reads parts lazily: damage shows up here
        raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.bad_book", kind=type(exc).__name__) from None
    finally:
        book.close()


_DTD = re.compile(rb"<!(?i:doctype|entity)")
_STRING_ITEM = re.compile(rb"<(?:\w+:)?si[\s/>]")


def _scan_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Every XML part read once, in 1 MB chunks: a DTD anywhere (not only at the start) is refused, and the
    shared strings are counted, because openpyxl makes one Python string per entry before reading a row."""
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        shared = info.filename == "xl/sharedStrings.xml"
        tail, strings = b"", 0
        with archive.open(info) as fh:
            while chunk := fh.read(1 << 20):
                window = tail + chunk
                if _DTD.search(window):
                    raise _fatal(UNREADABLE_FILE, detail_key="err.ingest.detail.dtd")
                if shared:
                    strings += len(_STRING_ITEM.findall(window)) - len(_STRING_ITEM.findall(tail))
                    if strings > limits.max_shared_strings:
                        raise _fatal(TOO_LARGE, detail_key="err.ingest.detail.shared_count",
                                     limit=f"{limits.max_shared_strings:,}")
                tail = window[-16:]


def _sheet_records(ws: Any, formulas: dict[tuple[int, int], FormulaCell],
                   uncached: list[tuple[int, int]]) -> Iterator[tuple[int, list[Any]]]:
    ws.reset_dimensions()  # never trust the declared size: a forged A1:XFD1048576 would pad every row
    for number, row in enumerate(ws.iter_rows(), start=1):
        out = []
        for col, c in enumerate(row, start=1):
            value = getattr(c, "value", None)
            if value.__class__ is str and value.startswith("=") and (number, col) in formulas:
                value = formulas[(number, col)].cached  # the value the spreadsheet computed
                if value is None:
                    uncached.append((number, col))
            if value is None:
                out.append(None)
            elif value.__class__ is str:
                out.append(nfc(value).strip())
            else:
                out.append(_xlsx_cell(value, getattr(c, "number_format", None)))
        yield number, out


def _with_year(table: RawTable, year: int | None, aliases: HeaderAliases) -> RawTable:
    """A sheet named like a year ("2023", "Năm 2024") gives the year when it has no year column."""
    if year is None or F_YEAR in map_headers(table.header, aliases).fields:
        return table
    table.header = [*table.header, aliases.canonical["vi"][F_YEAR]]
    width = len(table.header) - 1
    table.rows = [[*(r + [None] * (width - len(r)))[:width], year] for r in table.rows]
    table.totals = [(n, [*(r + [None] * (width - len(r)))[:width], year]) for n, r in table.totals]
    return table


def _stack(tables: list[RawTable], source: dict[str, Any]) -> RawTable:
    """Sheets read one under the other, columns matched by their header text."""
    if len(tables) == 1:
        return tables[0]
    header: list[Any] = list(dict.fromkeys(h for t in tables for h in t.header))
    out = RawTable(header, tables[0].header_row, [], [], source, header_rows=tables[0].header_rows, starts=[])

    def place(where: list[int], r: list[Any]) -> list[Any]:
        cells: list[Any] = [None] * len(header)
        for pos, v in zip(where, r, strict=False):
            cells[pos] = v
        return cells

    for t in tables:
        where = [header.index(h) for h in t.header]
        out.starts.append(len(out.rows))
        out.total_at += [len(out.rows) + k for k in t.total_at]
        out.rows += [place(where, r) for r in t.rows]
        out.row_numbers += t.row_numbers
        out.totals += [(n, place(where, r)) for n, r in t.totals]
        for kind, rows in t.skipped.items():
            out.skipped.setdefault(kind, []).extend(rows)
    return out


def _read_book(book: Any, aliases: HeaderAliases, sheet: str | None, limits: Limits,
               archive: zipfile.ZipFile | None = None) -> RawTable:
    """Every sheet that holds a recognised header is read (one sheet per year is common); the others are
    listed as skipped."""
    sheets = [name for name in book.sheetnames if hasattr(book[name], "iter_rows")]
    if sheet is not None:
        wanted = [n for n in sheets if normalize_header(n) == normalize_header(sheet)]
        if not wanted:
            raise _fatal(WRONG_SHEET, value=sheet, suggestions=sheets, detail_key="err.ingest.detail.no_sheet",
                         sheet=sheet, sheets=", ".join(sheets))
        sheets = wanted
    paths = sheet_paths(archive) if archive is not None else {}
    tables: list[RawTable] = []
    status: dict[str, str] = {}
    uncached: dict[str, list[tuple[int, int]]] = {}
    for name in sheets:
        formulas = formula_cells(archive, paths[name]) if archive is not None and name in paths else {}
        source = {"format": "xlsx", "encoding": None, "delimiter": None, "sheet": name}
        probe = _collect(_sheet_records(book[name], formulas, []), aliases, limits, source, probe=True)
        if not probe.header:
            status[name] = "skipped"
            continue
        missing: list[tuple[int, int]] = []
        table = _collect(_sheet_records(book[name], formulas, missing), aliases, limits, source)
        tables.append(_with_year(table, sheet_year(name) or table.title_year, aliases))
        status[name] = "read"
        if missing:
            uncached[name] = missing
    if not tables:
        if sheet is None and len(sheets) == 1:
            source = {"format": "xlsx", "encoding": None, "delimiter": None, "sheet": sheets[0]}
            return _collect(_sheet_records(book[sheets[0]], {}, []), aliases, limits, source)  # → missing_column
        listed = ", ".join(sheets) or "—"
        raise _fatal(WRONG_SHEET, value=sheet, suggestions=sheets, detail_key="err.ingest.detail.no_header_sheet",
                     listed=listed)
    read = [n for n, v in status.items() if v == "read"]
    source = {"format": "xlsx", "encoding": None, "delimiter": None, "sheet": ", ".join(read),
              "uncached": [(n, r, c) for n, cells in uncached.items() for r, c in cells], "sheets": status}
    table = _stack(tables, source)
    table.source = source
    table.sheets = status
    return table
