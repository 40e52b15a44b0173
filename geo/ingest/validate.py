"""Read a user's data file, map its headers and check every cell BEFORE anything is stored.

Định dạng tệp (tiếng Việt)
--------------------------
* Mỗi dòng là một xã trong một năm. Dòng tiêu đề thường là dòng 1 (chấp nhận vài dòng tựa đề phía trên nó);
  lỗi được báo theo số dòng thật trong bảng tính (dòng tiêu đề = dòng 1).
* Xác định xã bằng MỘT trong ba cách: mã xã 2025 (cột ``ma_xa``, ví dụ 00004 — nhập 4 cũng được), mã xã
  trước 2025 (cột ``ma_xa_cu``, số liệu sẽ được chuyển sang xã mới theo bảng chuyển đổi), hoặc tên xã + tỉnh
  (cột ``ten_xa`` và ``tinh``; có dấu hay không dấu, có hay không chữ "Xã"/"Phường"). Tên là tên xã cũ khi
  tệp có cột ``ma_xa_cu`` hoặc cột ``truoc_2025`` ghi Có (khi đó có thể thêm cột ``huyen``).
* Cột ``nam``: năm của số liệu (2015–2030).
* Mỗi chỉ số: hoặc hai cột số đếm ``<chỉ số>__tu_so`` và ``<chỉ số>__mau_so`` (ví dụ ``stunting_u5__tu_so``),
  hoặc một cột giá trị ``<chỉ số>``: tỷ lệ phần trăm (12,5 / 12.5 / 12,5%), còn chỉ số có/không thì ghi
  Có/Không (hoặc yes/no, 1/0). Ô để trống = không có số liệu (cũng hiểu "-", "NA").
* Tiêu đề cột viết tiếng Việt (có dấu hay không dấu) hoặc tiếng Anh, không phân biệt hoa thường và khoảng
  trắng; các tên được chấp nhận nằm trong ``data/upload_columns.csv``.
* Quy tắc số, không nhập nhằng: SỐ ĐẾM (tử số, mẫu số) luôn là số nguyên, nên dấu chấm, dấu phẩy hay khoảng
  trắng đứng trước đúng 3 chữ số là dấu phân cách hàng nghìn ("1.234" = "1,234" = "1 234" = 1234); số đếm có
  phần lẻ ("12,5") là lỗi. TỶ LỆ (%) thì một dấu phẩy hoặc chấm duy nhất là dấu thập phân ("12,5" = "12.5" =
  12,5%), không dùng dấu phân cách hàng nghìn; ô Excel định dạng phần trăm (hiện 12,5%, lưu 0,125) được hiểu là 12,5.
* Đọc được CSV (UTF-8, UTF-8 có BOM, UTF-16 "Unicode text" của Excel, Windows-1258; phân cách bằng dấu phẩy,
  chấm phẩy hoặc tab) và Excel .xlsx (chọn trang theo tên, hoặc trang đầu tiên có đủ cột). Không đọc .xls,
  .xlsb, .xlsm: hãy lưu lại thành .xlsx. Ô bắt đầu bằng =, +, -, @ mà không phải là số bị coi là công thức
  và bị từ chối (ứng dụng không bao giờ tính công thức).

File format (English)
---------------------
One row per commune and year, header normally in row 1 (a few title rows above it are tolerated);
problems cite the user's real spreadsheet row numbers (header = row 1). The commune is
identified by ONE of: its 2025 code (``ma_xa``; "4" is read as "00004"), its pre-2025 code (``ma_xa_cu``;
carried to 2025 by the crosswalk), or name + province (``ten_xa`` + ``tinh``; with or without diacritics
or a "Xã"/"Phường" prefix). Names are pre-2025 names when the file has a ``ma_xa_cu`` column or a
``truoc_2025`` column saying yes (then ``huyen``, the old district, may narrow the search). ``nam`` is the
year (2015–2030). Each indicator has either two count columns ``<indicator>__tu_so`` / ``__mau_so``
(numerator / denominator) or one value column ``<indicator>``: a percentage, or Có/Không (yes/no, 1/0) for
yes/no indicators. Blank, "-" or "NA" means no data. Headers may be Vietnamese (with or without
diacritics) or English, in any case and spacing (aliases in ``data/upload_columns.csv``).

Number rule: COUNTS are whole numbers, so ".", "," or a space followed by exactly three digits is a
thousands separator ("1.234" = "1,234" = "1 234" = 1234) and a count with a fraction ("12,5") is an error;
PERCENTAGES take one "," or "." as the decimal mark ("12,5" = "12.5" = "12,5 %") and no thousands
separator; an Excel cell formatted as a percentage (shows 12.5 %, stores 0.125) counts as 12.5. Each
column kind therefore has exactly one reading.

CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's tab-separated "Unicode text"), or
Windows-1258 (Python's ``cp1258``, which decodes some letters as base + combining tone mark: everything is
normalised to NFC); delimiter ``,`` ``;`` or tab, sniffed from the header. XLSX read with openpyxl in
read-only mode, formulas never evaluated. Size, row and cell caps, zip-bomb and DTD checks happen before
parsing; every failure becomes a :class:`Problem`, never an exception.

Validation returns the canonical long frame (code, year, indicator, numerator, denominator, value =
100·numerator/denominator, yes/no as 0/1 of 1) plus ``source_row`` (the user's spreadsheet row) and
``basis`` (how the commune was identified). A row with any error is left out entirely, so the user can
choose between fixing the file and loading only the valid rows.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from geo.config import registry_dir
from geo.errors import DataError
from geo.indicators.registry import RATE, SHARE, YES_NO, Registry
from geo.ingest.match import (
    AMBIGUOUS,
    BASES,
    BASIS_CODE_2025,
    BASIS_CODE_PRE2025,
    BASIS_NAME_2025,
    BASIS_NAME_PRE2025,
    ERA_2025,
    ERA_PRE2025,
    HINT_IS_2025_CODE,
    HINT_IS_PRE2025_CODE,
    HINT_IS_PRE2025_NAME,
    HINT_NO_CROSSWALK,
    INVALID_CODE,
    MATCHED,
    PRE2025_BASES,
    UNKNOWN_PROVINCE,
    CommuneMatcher,
    fold_name,
    normalize_name,
    split_unit_type,
)

# --- Vocabulary ------------------------------------------------------------------------------------

COLUMNS_FILE = "upload_columns.csv"

F_CODE, F_OLD_CODE, F_NAME, F_PROVINCE, F_DISTRICT, F_YEAR, F_PRE2025 = (
    "ma_xa", "ma_xa_cu", "ten_xa", "tinh", "huyen", "nam", "truoc_2025")
ID_FIELDS = (F_CODE, F_OLD_CODE, F_NAME, F_PROVINCE, F_DISTRICT, F_YEAR, F_PRE2025)
NUMERATOR, DENOMINATOR, VALUE = "tu_so", "mau_so", "gia_tri"
PARTS = (NUMERATOR, DENOMINATOR, VALUE)
SUFFIX_SEP = "__"

ERA_AUTO = "auto"
ERAS = (ERA_AUTO, ERA_2025, ERA_PRE2025)

# Problem codes. Errors exclude their row (or, when row is None, the whole file); warnings do not.
EMPTY_FILE = "empty_file"
UNREADABLE_FILE = "unreadable_file"
BINARY_FILE = "binary_file"
UNSUPPORTED_FORMAT = "unsupported_format"
TOO_LARGE = "too_large"
TOO_MANY_ROWS = "too_many_rows"
WRONG_SHEET = "wrong_sheet"
MISSING_COLUMN = "missing_column"
DUPLICATE_COLUMN = "duplicate_column"
UNKNOWN_COLUMN = "unknown_column"
EXTRA_CELLS = "extra_cells"
MISSING_VALUE = "missing_value"
UNKNOWN_COMMUNE = "unknown_commune"
UNKNOWN_PROVINCE_CODE = "unknown_province"
AMBIGUOUS_NAME = "ambiguous_name"
NAME_CODE_MISMATCH = "name_code_mismatch"
DUPLICATE_COMMUNE_YEAR = "duplicate_commune_year"
RATE_OUT_OF_RANGE = "rate_out_of_range"
NUMERATOR_ABOVE_DENOMINATOR = "numerator_above_denominator"
NEGATIVE_COUNT = "negative_count"
NON_NUMERIC = "non_numeric"
NOT_WHOLE_NUMBER = "not_whole_number"
YEAR_OUT_OF_RANGE = "year_out_of_range"
FORMULA_LIKE = "formula_like"
INVALID_YES_NO = "invalid_yes_no"
INCOMPLETE_COUNTS = "incomplete_counts"
VALUE_MISMATCH = "value_mismatch"
ZERO_DENOMINATOR = "zero_denominator"
NO_VALUES = "no_values"
LOOKS_LIKE_FRACTION = "looks_like_fraction"
MORE_PROBLEMS = "more_problems"

WARNING_CODES = frozenset({UNKNOWN_COLUMN, NAME_CODE_MISMATCH, ZERO_DENOMINATOR, NO_VALUES, LOOKS_LIKE_FRACTION,
                           MORE_PROBLEMS})
FILE_CODES = (EMPTY_FILE, UNREADABLE_FILE, BINARY_FILE, UNSUPPORTED_FORMAT, TOO_LARGE, TOO_MANY_ROWS, WRONG_SHEET,
              MISSING_COLUMN, DUPLICATE_COLUMN)

PRE2025_BASE_SET = frozenset(PRE2025_BASES)
VALUE_TOLERANCE = 0.51  # percentage points: a value rounded to a whole percent still agrees with its counts
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


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile or accidental file from exhausting the server (all configurable)."""

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_cells: int = 8_000_000
    max_unzipped_bytes: int = 250 * 1024 * 1024  # sum of the XLSX's parts as declared in the zip directory
    max_shared_strings_bytes: int = 64 * 1024 * 1024  # openpyxl holds the shared-strings table in memory
    min_year: int = 2015
    max_year: int = 2030
    max_problems: int = 5_000  # listed; all are counted
    header_search_rows: int = 10


LIMITS = Limits()


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
        if lang == "vi":
            place = [f"Dòng {self.row}" if self.row else "", f"cột “{self.column}”" if self.column else ""]
            text = self.message_vi
        else:
            place = [f"Row {self.row}" if self.row else "", f"column '{self.column}'" if self.column else ""]
            text = self.message_en
        where = ", ".join(p for p in place if p)
        more = (" — " + "; ".join(self.suggestions)) if self.suggestions else ""
        return f"{where}: {text}{more}" if where else f"{text}{more}"


VALID_ROWS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^\d{3}(\d{2})?$")),
        "year": pa.Column(int),
        "indicator": pa.Column(str),
        "numerator": pa.Column(float, nullable=True),
        "denominator": pa.Column(float, nullable=True),
        "value": pa.Column(float, pa.Check.in_range(0, 100)),
        "source_row": pa.Column(int, pa.Check.ge(2)),
        "basis": pa.Column(str, pa.Check.isin(list(BASES))),
    },
    unique=["basis", "code", "year", "indicator"],
    strict=True,
)
VALID_COLUMNS = tuple(VALID_ROWS_SCHEMA.columns)


@dataclass(frozen=True, eq=False)
class ValidationResult:
    """What came out of a file: the rows that can be stored, every problem, and counts.

    ``valid_rows``: VALID_COLUMNS (see VALID_ROWS_SCHEMA); pre-2025 bases carry the OLD code in
    ``code`` (carry them with :func:`geo.crosswalk.carry_upload`). ``columns``: how each header was
    understood (column, field, indicator, part). ``source``: format, encoding, delimiter, sheet.
    ``counts``: rows, rows_valid, rows_with_errors, values, errors, warnings, and rows per basis.
    """

    valid_rows: pd.DataFrame
    problems: list[Problem]
    counts: dict[str, int]
    columns: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def is_clean(self) -> bool:
        """No errors at all (warnings allowed): the whole file can be loaded as it is."""
        return self.counts.get("errors", 0) == 0

    def tabulate_problems(self, lang: str = "vi") -> pd.DataFrame:
        """Problems as a table for display or download (row, column, value, code, message, suggestions)."""
        return pd.DataFrame(
            [(p.row, p.column, p.value, p.code, "error" if p.is_error else "warning",
              p.message_vi if lang == "vi" else p.message_en, "; ".join(p.suggestions)) for p in self.problems],
            columns=["row", "column", "value", "code", "severity", "message", "suggestions"],
        ).astype({"row": "Int64"})


# --- Messages --------------------------------------------------------------------------------------

_MESSAGES: dict[str, tuple[str, str]] = {
    EMPTY_FILE: ("Tệp trống: không có dòng dữ liệu nào.", "The file is empty: it has no data rows."),
    UNREADABLE_FILE: ("Không đọc được tệp: {detail_vi}", "The file could not be read: {detail_en}"),
    BINARY_FILE: (
        "Tệp này không phải bảng số liệu ({detail_vi}). Hãy tải lên tệp .xlsx hoặc .csv.",
        "This is not a data table ({detail_en}). Upload an .xlsx or .csv file.",
    ),
    UNSUPPORTED_FORMAT: (
        "Tệp là {detail_vi}, ứng dụng không đọc loại này. Hãy mở bằng Excel và chọn Lưu thành → "
        "Sổ làm việc Excel (.xlsx) hoặc CSV UTF-8.",
        "The file is {detail_en}, which the app does not read. Open it in Excel and Save As → "
        "Excel Workbook (.xlsx) or CSV UTF-8.",
    ),
    TOO_LARGE: ("Tệp quá lớn: {detail_vi}.", "The file is too large: {detail_en}."),
    TOO_MANY_ROWS: (
        "Tệp có hơn {limit} dòng dữ liệu. Hãy chia thành nhiều tệp nhỏ hơn (ví dụ mỗi tỉnh một tệp).",
        "The file has more than {limit} data rows. Split it into smaller files (for example one per province).",
    ),
    WRONG_SHEET: ("{detail_vi}", "{detail_en}"),
    MISSING_COLUMN: ("{detail_vi}", "{detail_en}"),
    DUPLICATE_COLUMN: (
        "Có nhiều cột cùng nghĩa “{field}”: {detail}. Hãy giữ lại một cột.",
        "Several columns mean '{field}': {detail}. Keep only one.",
    ),
    UNKNOWN_COLUMN: (
        "Không nhận ra cột này; cột sẽ bị bỏ qua.", "This column is not recognised and will be ignored.",
    ),
    EXTRA_CELLS: (
        "Dòng có nhiều ô hơn dòng tiêu đề. Thường do dấu phẩy thập phân trong tệp CSV phân cách bằng dấu phẩy: "
        "hãy đặt số trong ngoặc kép hoặc lưu tệp với dấu chấm phẩy.",
        "The row has more cells than the header. Usually a decimal comma in a comma-separated file: quote the "
        "numbers or save the file with semicolons.",
    ),
    MISSING_VALUE: ("Ô trống: cần {detail_vi}.", "Empty cell: {detail_en} is needed."),
    UNKNOWN_COMMUNE: ("{detail_vi}", "{detail_en}"),
    UNKNOWN_PROVINCE_CODE: (
        "Không nhận ra tỉnh/thành phố “{value}”.", "Province or city '{value}' is not recognised.",
    ),
    AMBIGUOUS_NAME: (
        "Có nhiều xã tên “{value}” trong tỉnh này; hãy dùng mã xã hoặc chọn một trong các gợi ý.",
        "Several communes are called '{value}' in this province; use the commune code or pick a suggestion.",
    ),
    NAME_CODE_MISMATCH: (
        "Mã xã là của {detail_vi}, nhưng tên/tỉnh ghi “{value}”. Đã dùng mã xã; hãy kiểm tra lại.",
        "The code belongs to {detail_en}, but the name/province says '{value}'. The code was used; "
        "please check.",
    ),
    DUPLICATE_COMMUNE_YEAR: (
        "Xã này, năm {year} có ở nhiều dòng ({detail}); giữ lại một dòng.",
        "This commune and year {year} appear on several rows ({detail}); keep one.",
    ),
    RATE_OUT_OF_RANGE: ("Tỷ lệ {value} nằm ngoài khoảng 0–100%.", "Rate {value} is outside 0–100%."),
    NUMERATOR_ABOVE_DENOMINATOR: (
        "Tử số ({numerator}) lớn hơn mẫu số ({denominator}).",
        "Numerator ({numerator}) is larger than the denominator ({denominator}).",
    ),
    NEGATIVE_COUNT: ("Số đếm không được âm ({value}).", "Counts cannot be negative ({value})."),
    NON_NUMERIC: ("“{value}” không phải là số.", "'{value}' is not a number."),
    NOT_WHOLE_NUMBER: (
        "“{value}” không phải số nguyên; tử số và mẫu số là số người hoặc số trường nên phải là số nguyên "
        "(dấu chấm/phẩy chỉ dùng phân cách hàng nghìn, ví dụ 1.234).",
        "'{value}' is not a whole number; numerators and denominators count people or schools "
        "(a dot or comma in a count only separates thousands, e.g. 1,234).",
    ),
    YEAR_OUT_OF_RANGE: (
        "Năm {value} nằm ngoài khoảng {min_year}–{max_year}.", "Year {value} is outside {min_year}–{max_year}.",
    ),
    FORMULA_LIKE: (
        "Ô bắt đầu bằng “{first}” giống một công thức; ứng dụng không tính công thức. Hãy nhập giá trị "
        "(trong Excel: Dán đặc biệt → Giá trị).",
        "The cell starts with '{first}' like a formula; the app never evaluates formulas. Enter the value "
        "(in Excel: Paste Special → Values).",
    ),
    INVALID_YES_NO: (
        "“{value}” không phải Có/Không (chấp nhận: Có, Không, yes, no, 1, 0).",
        "'{value}' is not yes/no (accepted: Có, Không, yes, no, 1, 0).",
    ),
    INCOMPLETE_COUNTS: (
        "Có {present_vi} nhưng thiếu {missing_vi}; cần cả hai số.",
        "The {present_en} is given but the {missing_en} is missing; both are needed.",
    ),
    VALUE_MISMATCH: (
        "Tỷ lệ ghi trong tệp ({value}%) khác tỷ lệ tính từ tử số/mẫu số ({computed}%).",
        "The rate in the file ({value}%) differs from the one computed from the counts ({computed}%).",
    ),
    ZERO_DENOMINATOR: (
        "Mẫu số bằng 0 nên không tính được tỷ lệ; ô này được bỏ qua.",
        "The denominator is 0, so there is no rate; this cell is skipped.",
    ),
    NO_VALUES: (
        "{count} dòng có xã và năm nhưng không có số liệu nào (ví dụ dòng {detail}).",
        "{count} rows have a commune and year but no values (e.g. rows {detail}).",
    ),
    LOOKS_LIKE_FRACTION: (
        "Mọi giá trị trong cột đều ≤ 1: có thể là tỷ lệ dạng 0,125 thay vì 12,5%. Cột tỷ lệ cần ghi theo phần "
        "trăm.",
        "Every value in the column is ≤ 1: maybe fractions such as 0.125 instead of 12.5%. Rates must be "
        "percentages.",
    ),
    MORE_PROBLEMS: (
        "Còn {count} vấn đề khác không được liệt kê; hãy sửa các lỗi trên rồi tải lại.",
        "{count} more problems are not listed; fix the ones above and upload again.",
    ),
}


def _problem(code: str, row: int | None = None, column: str | None = None, value: Any = None,
             suggestions: list[str] | tuple[str, ...] = (), **fields: Any) -> Problem:
    vi, en = _MESSAGES[code]
    shown = None if value is None else _show(value)
    fields = {"value": shown, "detail_vi": "", "detail_en": "", **fields}
    return Problem(row, column, shown, code, vi.format(**fields), en.format(**fields), list(suggestions))


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


# --- Header aliases --------------------------------------------------------------------------------


def normalize_header(text: Any) -> str:
    """Header comparison key: no diacritics, lower case, runs of other characters as one "_"."""
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFC", str(text)).casefold().replace("đ", "d"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


@dataclass(frozen=True, eq=False)
class HeaderAliases:
    """Header keys → meaning, built from data/upload_columns.csv plus the registry's indicator names."""

    fields: dict[str, str]  # key → id field (ma_xa, nam, …)
    parts: dict[str, str]  # key → tu_so / mau_so / gia_tri
    indicators: dict[str, str]  # key → indicator id
    canonical: dict[str, dict[str, str]]  # lang → field → header used by the template
    measures: dict[str, str]  # indicator id → measure
    order: tuple[str, ...]  # indicator ids in display order

    def format_header(self, indicator: str | None, part: str | None, lang: str = "vi") -> str:
        """Header the template writes: ``ma_xa``, ``stunting_u5__tu_so``, ``play_point``, …"""
        if indicator is None:
            return self.canonical[lang][part or ""]
        if part is None or part == VALUE:
            return indicator
        return f"{indicator}{SUFFIX_SEP}{self.canonical[lang][part]}"

    def list_known_headers(self) -> list[str]:
        out = [self.canonical[lang][f] for lang in ("vi", "en") for f in ID_FIELDS]
        for ind in self.order:
            out.append(ind)
            out += [self.format_header(ind, p, lang) for lang in ("vi", "en") for p in (NUMERATOR, DENOMINATOR)]
        return list(dict.fromkeys(out))


_ALIASES_SCHEMA = pa.DataFrameSchema(
    {
        "field": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
        "lang": pa.Column(str, pa.Check.isin(["vi", "en"])),
        "alias": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    strict=True,
)


def load_column_aliases(registry: Registry, path: str | Path | None = None) -> HeaderAliases:
    """Validated header aliases; an alias that would mean two things is a configuration error."""
    path = Path(path) if path is not None else registry_dir() / COLUMNS_FILE
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        table = _ALIASES_SCHEMA.validate(table, lazy=True)
    except FileNotFoundError:
        raise DataError(f"Thiếu tệp {path}.", f"Missing file {path}.",
                        "Khôi phục data/upload_columns.csv từ kho mã.",
                        "Restore data/upload_columns.csv from the repository.") from None
    except (pa.errors.SchemaErrors, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"Tệp tên cột {path.name} không hợp lệ (cột field, lang, alias).",
                        f"Column alias file {path.name} is invalid: {str(exc)[:300]}") from None
    inds = registry.indicators.sort_values("order")
    ids = inds["id"].tolist()
    known = set(ID_FIELDS) | set(PARTS) | set(ids)
    unknown = sorted(set(table["field"]) - known)
    meaning: dict[str, tuple[str, str]] = {}
    clashes: list[str] = []

    def add(key: str, kind: str, target: str) -> None:
        if not key:
            return
        if key in meaning and meaning[key] != (kind, target):
            clashes.append(f"{key} ({meaning[key][1]} / {target})")
        meaning.setdefault(key, (kind, target))

    for f in ID_FIELDS:
        add(f, "field", f)
    for p in PARTS:
        add(p, "part", p)
    for row in table.itertuples(index=False):
        if row.field in ID_FIELDS:
            add(normalize_header(row.alias), "field", row.field)
        elif row.field in PARTS:
            add(normalize_header(row.alias), "part", row.field)
        elif row.field in ids:
            add(normalize_header(row.alias), "indicator", row.field)
    for rec in inds.itertuples(index=False):
        for text in (rec.id, rec.short_vi, rec.short_en, rec.name_vi, rec.name_en):
            key = normalize_header(text)
            if meaning.get(key, ("indicator",))[0] == "indicator":
                add(key, "indicator", rec.id)
    if unknown or clashes:
        raise DataError(
            f"Tệp {path.name}: trường lạ {unknown}; tên cột mang hai nghĩa {clashes}.",
            f"{path.name}: unknown fields {unknown}; aliases with two meanings {clashes}.",
            "Sửa tệp rồi tải lại ứng dụng.", "Fix the file and reload the app.",
        )
    canonical: dict[str, dict[str, str]] = {"vi": {}, "en": {}}
    for row in table.itertuples(index=False):
        canonical[row.lang].setdefault(row.field, row.alias)
    for lang in canonical:
        for f in (*ID_FIELDS, *PARTS):
            canonical[lang].setdefault(f, f)
    return HeaderAliases(
        fields={k: t for k, (kind, t) in meaning.items() if kind == "field"},
        parts={k: t for k, (kind, t) in meaning.items() if kind == "part"},
        indicators={k: t for k, (kind, t) in meaning.items() if kind == "indicator"},
        canonical=canonical,
        measures=dict(zip(inds["id"], inds["measure"], strict=True)),
        order=tuple(ids),
    )


@dataclass
class ColumnMap:
    """Which column (0-based position) holds what; headers as the user wrote them."""

    headers: list[str]
    fields: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    indicators: dict[str, dict[str, list[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    unknown: list[int] = field(default_factory=list)

    def find_field(self, name: str) -> int | None:
        cols = self.fields.get(name)
        return cols[0] if cols else None

    def find_part(self, indicator: str, part: str) -> int | None:
        cols = self.indicators.get(indicator, {}).get(part)
        return cols[0] if cols else None

    def has_header(self) -> bool:
        """A usable header row: a year column and at least one way to identify the commune."""
        return F_YEAR in self.fields and any(f in self.fields for f in (F_CODE, F_OLD_CODE, F_NAME))


def map_headers(headers: list[Any], aliases: HeaderAliases) -> ColumnMap:
    """Understand each header: an id field, ``<indicator>`` (value) or ``<indicator>__<part>`` (counts)."""
    cmap = ColumnMap(headers=["" if h is None else _as_text(h) for h in headers])
    for pos, header in enumerate(cmap.headers):
        key = normalize_header(header)
        if not key:
            continue
        if key in aliases.fields:
            cmap.fields[aliases.fields[key]].append(pos)
            continue
        if key in aliases.indicators:
            cmap.indicators[aliases.indicators[key]][VALUE].append(pos)
            continue
        for part_key, part in sorted(aliases.parts.items(), key=lambda kv: -len(kv[0])):
            if key.endswith("_" + part_key) and key[: -len(part_key) - 1].rstrip("_") in aliases.indicators:
                cmap.indicators[aliases.indicators[key[: -len(part_key) - 1].rstrip("_")]][part].append(pos)
                break
        else:
            cmap.unknown.append(pos)
    return cmap


# --- Reading ---------------------------------------------------------------------------------------


@dataclass
class RawTable:
    """Cells as read (str, int, float, bool, date or None), data rows only, with their sheet row numbers."""

    header: list[Any]
    header_row: int
    rows: list[list[Any]]
    row_numbers: list[int]
    source: dict[str, Any]


class _Fatal(Exception):
    """Internal: stop reading with one file-level problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def _fatal(code: str, **fields: Any) -> _Fatal:
    return _Fatal(_problem(code, **fields))


def _format_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "unsupported", "tệp Excel cũ (.xls) hoặc tệp Office đã đặt mật khẩu",
     "an old Excel file (.xls) or a password-protected Office file"),
    (b"%PDF", "binary", "tệp PDF", "a PDF file"),
    (b"\x89PNG", "binary", "ảnh PNG", "a PNG image"),
    (b"\xff\xd8\xff", "binary", "ảnh JPEG", "a JPEG image"),
    (b"GIF8", "binary", "ảnh GIF", "a GIF image"),
    (b"\x1f\x8b", "binary", "tệp nén gzip", "a gzip archive"),
    (b"Rar!", "binary", "tệp nén RAR", "a RAR archive"),
    (b"7z\xbc\xaf", "binary", "tệp nén 7z", "a 7z archive"),
    (b"MZ", "binary", "chương trình Windows", "a Windows program"),
    (b"\x7fELF", "binary", "chương trình", "a program"),
)
_UNSUPPORTED_EXT = {
    ".xls": ("tệp Excel cũ (.xls)", "an old Excel file (.xls)"),
    ".xlsb": ("tệp Excel nhị phân (.xlsb)", "a binary Excel file (.xlsb)"),
    ".xlsm": ("tệp Excel có macro (.xlsm)", "a macro-enabled Excel file (.xlsm)"),
    ".ods": ("bảng tính OpenDocument (.ods)", "an OpenDocument spreadsheet (.ods)"),
    ".numbers": ("bảng tính Numbers", "a Numbers spreadsheet"),
}


def read_table(data: bytes, filename: str, aliases: HeaderAliases, *, sheet: str | None = None,
               limits: Limits = LIMITS) -> tuple[RawTable | None, list[Problem]]:
    """Bytes → header + data rows, or a file-level problem; never raises for bad input."""
    try:
        return _read_table(data, filename, aliases, sheet, limits), []
    except _Fatal as exc:
        return None, [exc.problem]
    except Exception as exc:  # noqa: BLE001 - a parser bug must still become a message, not a crash
        return None, [_problem(UNREADABLE_FILE, detail_vi=f"lỗi không lường trước ({type(exc).__name__}).",
                               detail_en=f"unexpected error ({type(exc).__name__}: {str(exc)[:200]}).")]


def _read_table(data: bytes, filename: str, aliases: HeaderAliases, sheet: str | None, limits: Limits) -> RawTable:
    if len(data) > limits.max_bytes:
        raise _fatal(TOO_LARGE, detail_vi=f"{_format_size(len(data))}, giới hạn {_format_size(limits.max_bytes)}",
                     detail_en=f"{_format_size(len(data))}, the limit is {_format_size(limits.max_bytes)}")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _fatal(EMPTY_FILE)
    ext = Path(filename or "").suffix.lower()
    for magic, kind, vi, en in _MAGIC:
        if data.startswith(magic):
            raise _fatal(UNSUPPORTED_FORMAT if kind == "unsupported" else BINARY_FILE, detail_vi=vi, detail_en=en)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_xlsx(data, aliases, sheet, limits, ext)
    if ext in _UNSUPPORTED_EXT:
        vi, en = _UNSUPPORTED_EXT[ext]
        raise _fatal(UNSUPPORTED_FORMAT, detail_vi=vi, detail_en=en)
    if ext == ".xlsx":
        raise _fatal(UNREADABLE_FILE, detail_vi="tệp có đuôi .xlsx nhưng không phải tệp Excel hợp lệ (có thể bị hỏng).",
                     detail_en="the file ends in .xlsx but is not a valid Excel file (it may be damaged).")
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
            raise _fatal(BINARY_FILE, detail_vi="tệp chứa byte NUL, có vẻ là tệp nhị phân đổi đuôi thành .csv",
                         detail_en="the file contains NUL bytes; it looks like a binary file renamed to .csv")
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
            raise _fatal(BINARY_FILE, detail_vi="tệp chứa ký tự NUL, có vẻ là tệp nhị phân",
                         detail_en="the file contains NUL characters; it looks like a binary file")
        controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
        if controls > max(3, len(text[:20000]) // 100):
            raise _fatal(BINARY_FILE, detail_vi="tệp chứa nhiều ký tự điều khiển, có vẻ là tệp nhị phân",
                         detail_en="the file is full of control characters; it looks like a binary file")
        return unicodedata.normalize("NFC", text), encoding
    if candidates[0].startswith("utf-16"):
        raise _fatal(UNREADABLE_FILE, detail_vi="tệp UTF-16 bị hỏng hoặc bị cắt cụt. Hãy lưu lại từ Excel.",
                     detail_en="the UTF-16 file is damaged or cut off. Save it again from Excel.")
    raise _fatal(UNREADABLE_FILE, detail_vi="không nhận ra bảng mã ký tự. Hãy lưu lại dưới dạng CSV UTF-8.",
                 detail_en="unknown character encoding. Save the file again as CSV UTF-8.")


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


def _read_csv(text: str, encoding: str, aliases: HeaderAliases, limits: Limits) -> RawTable:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    source = {"format": "csv", "encoding": encoding, "delimiter": delimiter, "sheet": None}
    try:
        return _collect(((i, rec) for i, rec in enumerate(reader, start=1)), aliases, limits, source)
    except csv.Error as exc:
        raise _fatal(UNREADABLE_FILE, detail_vi=f"tệp CSV bị lỗi cấu trúc ({exc}). Kiểm tra dấu ngoặc kép.",
                     detail_en=f"malformed CSV ({exc}). Check the quotes.") from None


def _is_blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _row_is_blank(record: list[Any]) -> bool:
    try:
        return not "".join(record).strip()  # the common case: every cell is text (CSV)
    except TypeError:
        return all(_is_blank(v) for v in record)


def _collect(records: Iterator[tuple[int, list[Any]]], aliases: HeaderAliases, limits: Limits,
             source: dict[str, Any], *, probe: bool = False) -> RawTable:
    """Find the header within the first rows, then gather the non-empty data rows under the caps.

    Rows above a recognised header (titles) are dropped. When no row within ``header_search_rows``
    is recognised, the first non-empty row is taken as the header so that missing columns can be named.
    With ``probe`` only the header is looked for (an empty header means "not found").
    """
    candidates: list[tuple[int, list[Any]]] = []
    header: list[Any] | None = None
    header_row = 0
    rows: list[list[Any]] = []
    numbers: list[int] = []
    cells = 0

    def add(number: int, record: list[Any]) -> None:
        nonlocal cells
        if len(rows) >= limits.max_rows:
            raise _fatal(TOO_MANY_ROWS, limit=f"{limits.max_rows:,}")
        cells += len(record) - record.count("") - record.count(None)
        if cells > limits.max_cells:
            raise _fatal(TOO_LARGE, detail_vi=f"hơn {limits.max_cells:,} ô có dữ liệu",
                         detail_en=f"more than {limits.max_cells:,} filled cells")
        rows.append(record)
        numbers.append(number)

    for number, record in records:
        if _row_is_blank(record):
            continue
        if header is None:
            if map_headers(record, aliases).has_header():
                header, header_row = record, number
                if probe:
                    break
                continue
            candidates.append((number, record))
            if len(candidates) < limits.header_search_rows:
                continue
            if probe:
                break
            (header_row, header), rest = candidates[0], candidates[1:]
            for item in rest:
                add(*item)
            continue
        add(number, record)
    if header is None:
        if probe:
            return RawTable([], 0, [], [], source)
        if not candidates:
            raise _fatal(EMPTY_FILE)
        (header_row, header), rest = candidates[0], candidates[1:]
        for item in rest:
            add(*item)
    return RawTable(list(header), header_row, rows, numbers, source)


def _xlsx_cell(value: Any, number_format: str | None) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
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
        raise _fatal(UNREADABLE_FILE, detail_vi="tệp Excel (.xlsx) bị hỏng hoặc không đầy đủ. Hãy lưu lại từ Excel.",
                     detail_en="the Excel (.xlsx) file is damaged or incomplete. Save it again from Excel.") from None
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        vi, en = _UNSUPPORTED_EXT[".xlsb"]
        raise _fatal(UNSUPPORTED_FORMAT, detail_vi=vi, detail_en=en)
    if "xl/workbook.xml" not in names:
        if "content.xml" in names or "mimetype" in names:
            vi, en = _UNSUPPORTED_EXT[".ods"]
            raise _fatal(UNSUPPORTED_FORMAT, detail_vi=vi, detail_en=en)
        if "word/document.xml" in names or "ppt/presentation.xml" in names:
            raise _fatal(UNSUPPORTED_FORMAT, detail_vi="tài liệu Word/PowerPoint",
                         detail_en="a Word/PowerPoint document")
        raise _fatal(BINARY_FILE, detail_vi="tệp nén ZIP, không phải bảng tính",
                     detail_en="a ZIP archive, not a workbook")
    if "xl/vbaProject.bin" in names or ext == ".xlsm":
        vi, en = _UNSUPPORTED_EXT[".xlsm"]
        raise _fatal(UNSUPPORTED_FORMAT, detail_vi=vi + " — vì an toàn, tệp có macro không được đọc",
                     detail_en=en + " — for safety, files with macros are not read")
    declared = sum(i.file_size for i in infos)
    strings = sum(i.file_size for i in infos if i.filename == "xl/sharedStrings.xml")
    if declared > limits.max_unzipped_bytes or strings > limits.max_shared_strings_bytes:
        raise _fatal(TOO_LARGE, detail_vi=f"khi giải nén, tệp Excel chiếm {_format_size(declared)} (giới hạn "
                     f"{_format_size(limits.max_unzipped_bytes)}); có thể là tệp độc hại (zip bomb)",
                     detail_en=f"unpacked, the workbook takes {_format_size(declared)} (limit "
                     f"{_format_size(limits.max_unzipped_bytes)}); it may be a zip bomb")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as fh:
                head = fh.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise _fatal(UNREADABLE_FILE, detail_vi="tệp Excel chứa khai báo DTD bất thường nên không được đọc.",
                             detail_en="the workbook contains an unusual DTD declaration and is not read.")
    import openpyxl  # imported here: only uploads of .xlsx need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken parts
        raise _fatal(UNREADABLE_FILE, detail_vi="không mở được tệp Excel (có thể bị hỏng). Hãy lưu lại từ Excel.",
                     detail_en=f"the workbook could not be opened ({type(exc).__name__}). Save it again from "
                     "Excel.") from None
    try:
        return _read_book(book, aliases, sheet, limits)
    finally:
        book.close()


def _sheet_records(ws: Any) -> Iterator[tuple[int, list[Any]]]:
    ws.reset_dimensions()  # never trust the declared size: a forged A1:XFD1048576 would pad every row
    for number, row in enumerate(ws.iter_rows(), start=1):
        out = []
        for c in row:
            value = getattr(c, "value", None)
            if value is None:
                out.append(None)
            elif value.__class__ is str:
                out.append(unicodedata.normalize("NFC", value).strip())
            else:
                out.append(_xlsx_cell(value, getattr(c, "number_format", None)))
        yield number, out


def _read_book(book: Any, aliases: HeaderAliases, sheet: str | None, limits: Limits) -> RawTable:
    sheets = [name for name in book.sheetnames if hasattr(book[name], "iter_rows")]
    if sheet is not None:
        wanted = [n for n in sheets if normalize_header(n) == normalize_header(sheet)]
        if not wanted:
            raise _fatal(WRONG_SHEET, value=sheet, suggestions=sheets,
                         detail_vi=f"Không có trang tính “{sheet}”. Các trang có trong tệp: {', '.join(sheets)}.",
                         detail_en=f"There is no sheet '{sheet}'. The sheets are: {', '.join(sheets)}.")
        sheets = wanted
    for name in sheets:
        source = {"format": "xlsx", "encoding": None, "delimiter": None, "sheet": name}
        probe = _collect(_sheet_records(book[name]), aliases, limits, source, probe=True)
        if probe.header:
            return _collect(_sheet_records(book[name]), aliases, limits, source)
    if sheet is None and len(sheets) == 1:
        source = {"format": "xlsx", "encoding": None, "delimiter": None, "sheet": sheets[0]}
        return _collect(_sheet_records(book[sheets[0]]), aliases, limits, source)  # → missing_column later
    listed = ", ".join(sheets) or "—"
    raise _fatal(WRONG_SHEET, value=sheet, suggestions=sheets,
                 detail_vi=f"Không trang tính nào ({listed}) có dòng tiêu đề với cột năm (nam) và cột xác định xã "
                 "(ma_xa, ma_xa_cu hoặc ten_xa + tinh). Hãy chọn đúng trang hoặc dùng tệp mẫu.",
                 detail_en=f"No sheet ({listed}) has a header row with a year column (nam) and a commune column "
                 "(ma_xa, ma_xa_cu or ten_xa + tinh). Pick the right sheet or use the template.")


# --- Cell parsing ----------------------------------------------------------------------------------
# Each parser returns (value, problem code or None); value None with no code means "no data".

Parsed = tuple[Any, str | None]


def _clean_text(value: str) -> str | None:
    text = value.replace("\u00a0", " ").strip()
    return None if text.casefold() in _MISSING_TOKENS else text


def _formula_or_text(text: str) -> Parsed:
    """Text where a number was expected: a formula if it starts like one, otherwise just not a number."""
    return (None, FORMULA_LIKE) if text.startswith(_FORMULA_START) else (None, NON_NUMERIC)


def parse_count(cell: Any) -> Parsed:
    """A whole count: thousands separators allowed, fractions not (see the module docstring)."""
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
    """A percentage: one "," or "." as the decimal mark, an optional "%" (see the module docstring)."""
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
    text = _clean_text(_as_text(cell))
    if text is None:
        return None, None
    if text.startswith(("=", "@", "+")) or (text.startswith("-") and not text[1:].strip().isdigit()):
        return None, FORMULA_LIKE
    return text, None


def _parse_column(cells: np.ndarray, parser: Callable[[Any], Parsed], *, numeric: bool = False
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


# --- Validation ------------------------------------------------------------------------------------


class _Collector:
    """Problems in file order, capped for display while every one is counted; tracks rows with errors."""

    def __init__(self, n_rows: int, limits: Limits) -> None:
        self.items: list[tuple[int, int, Problem]] = []
        self.error_rows = np.zeros(n_rows, dtype=bool)
        self.n_errors = 0
        self.n_warnings = 0
        self.limit = limits.max_problems

    def add(self, problem: Problem, index: int | None = None, order: int = 0) -> None:
        if problem.is_error:
            self.n_errors += 1
            if index is not None:
                self.error_rows[index] = True
        else:
            self.n_warnings += 1
        self.items.append((problem.row or 0, order, problem))

    def list_problems(self) -> list[Problem]:
        ordered = [p for _, _, p in sorted(self.items, key=lambda t: (t[0], t[1]))]
        if len(ordered) <= self.limit:
            return ordered
        rest = len(ordered) - self.limit
        return ordered[: self.limit] + [_problem(MORE_PROBLEMS, count=f"{rest:,}")]


def validate_upload(
    data: bytes,
    filename: str,
    registry: Registry,
    matcher: CommuneMatcher,
    *,
    sheet: str | None = None,
    era: str = ERA_AUTO,
    aliases: HeaderAliases | None = None,
    limits: Limits = LIMITS,
) -> ValidationResult:
    """Read and check an uploaded file; nothing is stored, every problem is reported.

    ``era``: "auto" (``ma_xa`` are 2025 codes, ``ma_xa_cu`` old codes, names are old names when the
    file has ``ma_xa_cu`` or ``truoc_2025`` says yes), "2025" (names are 2025 names) or "pre2025"
    (every identifier, ``ma_xa`` included, refers to the communes before 1 July 2025).
    """
    if era not in ERAS:
        raise ValueError(f"era must be one of {ERAS}")
    aliases = aliases or load_column_aliases(registry)
    table, fatal = read_table(data, filename, aliases, sheet=sheet, limits=limits)
    if table is None:
        return _reject_file(fatal, {})
    cmap = map_headers(table.header, aliases)
    columns = _describe_columns(cmap, aliases)
    structural = _check_structure(cmap, aliases, table)
    if not table.rows:
        structural.append(_problem(EMPTY_FILE))
    if any(p.is_error for p in structural):
        return _reject_file(structural, table.source, columns, n_rows=len(table.rows))
    return _validate_rows(table, cmap, aliases, registry, matcher, era, limits, structural, columns)


def _reject_file(problems: list[Problem], source: dict, columns: pd.DataFrame | None = None,
                         n_rows: int = 0) -> ValidationResult:
    errors = sum(p.is_error for p in problems)
    counts = {"rows": n_rows, "rows_valid": 0, "rows_with_errors": n_rows, "values": 0, "errors": errors,
              "warnings": len(problems) - errors, **{f"rows_{b}": 0 for b in BASES}}
    return ValidationResult(_make_empty_valid(), problems, counts, columns if columns is not None else pd.DataFrame(),
                            source)


def _make_empty_valid() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("code", str), ("year", int), ("indicator", str), ("numerator", float), ("denominator", float),
        ("value", float), ("source_row", int), ("basis", str))})


def _describe_columns(cmap: ColumnMap, aliases: HeaderAliases) -> pd.DataFrame:
    rows = []
    for f, cols in cmap.fields.items():
        rows += [(pos, cmap.headers[pos], f, None, None) for pos in cols]
    for ind, parts in cmap.indicators.items():
        for part, cols in parts.items():
            rows += [(pos, cmap.headers[pos], None, ind, part) for pos in cols]
    rows += [(pos, cmap.headers[pos], None, None, None) for pos in cmap.unknown]
    frame = pd.DataFrame(rows, columns=["position", "column", "field", "indicator", "part"])
    return frame.sort_values("position", ignore_index=True)


def _check_structure(cmap: ColumnMap, aliases: HeaderAliases, table: RawTable) -> list[Problem]:
    out: list[Problem] = []
    vi_ids = "ma_xa (mã xã 2025), ma_xa_cu (mã xã trước 2025) hoặc ten_xa + tinh (tên xã và tỉnh)"
    en_ids = "ma_xa (2025 code), ma_xa_cu (pre-2025 code) or ten_xa + tinh (name and province)"
    if F_YEAR not in cmap.fields:
        out.append(_problem(MISSING_COLUMN, column=F_YEAR, detail_vi="Thiếu cột năm (nam).",
                            detail_en="The year column (nam) is missing."))
    if not any(f in cmap.fields for f in (F_CODE, F_OLD_CODE, F_NAME)):
        out.append(_problem(MISSING_COLUMN, column=F_CODE, detail_vi=f"Thiếu cột xác định xã: cần {vi_ids}.",
                            detail_en=f"No column identifies the commune: use {en_ids}."))
    elif F_NAME in cmap.fields and F_PROVINCE not in cmap.fields and not (
            F_CODE in cmap.fields or F_OLD_CODE in cmap.fields):
        out.append(_problem(MISSING_COLUMN, column=F_PROVINCE,
                            detail_vi="Có tên xã nhưng thiếu cột tỉnh (tinh): tên xã trùng nhau giữa các tỉnh.",
                            detail_en="Commune names are given but the province column (tinh) is missing: "
                            "names repeat across provinces."))
    if not cmap.indicators:
        known = ", ".join(aliases.order[:3])
        out.append(_problem(MISSING_COLUMN, column=None,
                            detail_vi=f"Không có cột chỉ số nào. Dùng <chỉ số>__tu_so và <chỉ số>__mau_so, hoặc cột "
                            f"<chỉ số> (ví dụ {known}).",
                            detail_en=f"There is no indicator column. Use <indicator>__tu_so and "
                            f"<indicator>__mau_so, or an <indicator> column (e.g. {known})."))
    for ind, parts in cmap.indicators.items():
        has_num, has_den = NUMERATOR in parts, DENOMINATOR in parts
        if has_num != has_den:
            missing = aliases.format_header(ind, DENOMINATOR if has_num else NUMERATOR)
            out.append(_problem(MISSING_COLUMN, column=missing,
                                detail_vi=f"Chỉ số {ind} có cột {'tử số' if has_num else 'mẫu số'} nhưng thiếu cột "
                                f"“{missing}”.",
                                detail_en=f"Indicator {ind} has a {'numerator' if has_num else 'denominator'} column "
                                f"but no '{missing}' column."))
    dupes = [(f, cols) for f, cols in cmap.fields.items() if len(cols) > 1]
    dupes += [(f"{ind}{SUFFIX_SEP}{part}", cols) for ind, parts in cmap.indicators.items()
              for part, cols in parts.items() if len(cols) > 1]
    for name, cols in dupes:
        shown = ", ".join(f"“{cmap.headers[c]}”" for c in cols)
        out.append(_problem(DUPLICATE_COLUMN, column=cmap.headers[cols[1]], field=name, detail=shown))
    known = aliases.list_known_headers()
    for pos in cmap.unknown:
        header = cmap.headers[pos]
        close = difflib.get_close_matches(normalize_header(header), known, n=3, cutoff=0.6)
        out.append(_problem(UNKNOWN_COLUMN, row=table.header_row, column=header, value=header, suggestions=close))
    return out


def _validate_rows(table: RawTable, cmap: ColumnMap, aliases: HeaderAliases, registry: Registry,
                   matcher: CommuneMatcher, era: str, limits: Limits, structural: list[Problem],
                   columns: pd.DataFrame) -> ValidationResult:
    n = len(table.rows)
    width = len(cmap.headers)
    bag = _Collector(n, limits)
    for p in structural:
        bag.add(p)
    numbers = np.asarray(table.row_numbers, dtype=int)
    padded = [r + [None] * (width - len(r)) if len(r) < width else r[:width] for r in table.rows]
    by_column = list(zip(*padded, strict=True)) if padded else [()] * width

    def column(pos: int | None) -> np.ndarray:
        out = np.empty(n, dtype=object)
        if pos is not None:
            out[:] = by_column[pos]
        return out

    stray: set[int] = set()
    for i, r in enumerate(table.rows):
        if len(r) > width and any(not _is_blank(v) for v in r[width:]):
            if table.source.get("format") == "csv":  # in a CSV this means the cells were split wrongly
                bag.add(_problem(EXTRA_CELLS, row=int(numbers[i])), i)
            else:  # in a workbook, a note beside the table: ignored, but say so
                stray.update(p for p in range(width, len(r)) if not _is_blank(r[p]))
    for pos in sorted(stray):
        bag.add(_problem(UNKNOWN_COLUMN, row=table.header_row, column=f"#{pos + 1}"))

    def report(pos: int | None, codes: np.ndarray, cells: np.ndarray, order: int, **fields: Any) -> None:
        if pos is None:
            return
        for i in np.flatnonzero(pd.notna(codes)):
            cell = cells[i]
            extra = {"min_year": limits.min_year, "max_year": limits.max_year, "first": str(cell).strip()[:1],
                     **fields}
            bag.add(_problem(codes[i], row=int(numbers[i]), column=cmap.headers[pos], value=cell, **extra), int(i),
                    order)

    # Year
    year_pos = cmap.find_field(F_YEAR)
    year_cells = column(year_pos)
    years, year_codes = _parse_column(year_cells, parse_year, numeric=True)
    outside = ~np.isnan(years) & ((years < limits.min_year) | (years > limits.max_year))
    year_codes[outside] = YEAR_OUT_OF_RANGE
    years[outside] = np.nan
    report(year_pos, year_codes, year_cells, 1)

    # Indicators first, so that rows without any value can be told apart
    long_parts, has_value = _parse_indicators(cmap, aliases, column, report, bag, numbers, n)

    # Commune
    codes, bases = _identify(cmap, column, matcher, era, bag, numbers, report, has_value)
    found = pd.notna(codes)
    dated = ~np.isnan(years)

    # A row with data but no year
    if year_pos is not None:
        for i in np.flatnonzero(~dated & pd.isna(year_codes) & (has_value | found)):
            bag.add(_problem(MISSING_VALUE, row=int(numbers[i]), column=cmap.headers[year_pos],
                             detail_vi="năm (nam)", detail_en="the year (nam)"), int(i), 1)

    # The same commune and year twice (old and new communes are different things)
    keyed = found & dated
    if keyed.any():
        keys = pd.DataFrame({"old": pd.Series(bases).isin(PRE2025_BASE_SET).to_numpy(), "code": codes,
                             "year": years})[keyed]
        dup = keys[keys.duplicated(["old", "code", "year"], keep=False)]
        for _, group in dup.groupby(["old", "code", "year"], sort=False):
            idx = group.index.to_numpy()
            listed = ", ".join(str(numbers[j]) for j in idx[:10]) + ("…" if len(idx) > 10 else "")
            for j in idx:
                bag.add(_problem(DUPLICATE_COMMUNE_YEAR, row=int(numbers[j]), value=codes[j], year=int(years[j]),
                                 detail=listed), int(j), 3)

    without = numbers[~has_value & found]
    if len(without):
        bag.add(_problem(NO_VALUES, count=f"{len(without):,}", detail=", ".join(map(str, without[:5]))))

    valid = _assemble(long_parts, codes, bases, years, numbers, bag.error_rows)
    ok = ~bag.error_rows & has_value & found & dated
    ok_bases = pd.Series(bases[ok], dtype=object).value_counts()
    counts = {
        "rows": n, "rows_valid": int(ok.sum()), "rows_with_errors": int(bag.error_rows.sum()),
        "values": len(valid), "errors": bag.n_errors, "warnings": bag.n_warnings,
        **{f"rows_{b}": int(ok_bases.get(b, 0)) for b in BASES},
    }
    return ValidationResult(valid, bag.list_problems(), counts, columns, table.source)


def _parse_indicators(cmap: ColumnMap, aliases: HeaderAliases, column: Callable, report: Callable,
                      bag: _Collector, numbers: np.ndarray, n: int) -> tuple[list[pd.DataFrame], np.ndarray]:
    """Per indicator: parse its cells, check counts against each other, return long rows (row index based)."""
    parts: list[pd.DataFrame] = []
    has_value = np.zeros(n, dtype=bool)
    for order, ind in enumerate(aliases.order, start=10):
        if ind not in cmap.indicators:
            continue
        measure = aliases.measures[ind]
        num_pos, den_pos = cmap.find_part(ind, NUMERATOR), cmap.find_part(ind, DENOMINATOR)
        val_pos = cmap.find_part(ind, VALUE)
        num_cells, den_cells, val_cells = column(num_pos), column(den_pos), column(val_pos)
        num_a, num_codes = _parse_column(num_cells, parse_count, numeric=True)
        den_a, den_codes = _parse_column(den_cells, parse_count, numeric=True)
        val_a, val_codes = _parse_column(val_cells, parse_yes_no if measure == YES_NO else parse_percent,
                                         numeric=True)
        report(num_pos, num_codes, num_cells, order)
        report(den_pos, den_codes, den_cells, order)
        report(val_pos, val_codes, val_cells, order)
        cell_bad = pd.notna(num_codes) | pd.notna(den_codes) | pd.notna(val_codes)
        has_num, has_den, has_val = ~np.isnan(num_a), ~np.isnan(den_a), ~np.isnan(val_a)
        has_value |= has_num | has_den | has_val | cell_bad

        def flag(mask: np.ndarray, code: str, pos: int | None, cells: np.ndarray, order: int = order,
                 **fields: Any) -> None:
            for i in np.flatnonzero(mask):
                extra = {k: (_show(v[i]) if isinstance(v, np.ndarray) else v) for k, v in fields.items()}
                bag.add(_problem(code, row=int(numbers[i]), column=cmap.headers[pos] if pos is not None else None,
                                 value=cells[i], **extra), int(i), order)

        both = has_num & has_den
        one = (has_num ^ has_den) & ~cell_bad
        flag(one & ~has_den, INCOMPLETE_COUNTS, den_pos, den_cells, present_vi="tử số", missing_vi="mẫu số",
             present_en="numerator", missing_en="denominator")
        flag(one & ~has_num, INCOMPLETE_COUNTS, num_pos, num_cells, present_vi="mẫu số", missing_vi="tử số",
             present_en="denominator", missing_en="numerator")
        if measure in (RATE, SHARE):
            neg_num, neg_den = has_num & (num_a < 0), has_den & (den_a < 0)
            flag(neg_num, NEGATIVE_COUNT, num_pos, num_cells)
            flag(neg_den, NEGATIVE_COUNT, den_pos, den_cells)
            nonneg = both & ~neg_num & ~neg_den
            above = nonneg & (num_a > den_a)
            flag(above, NUMERATOR_ABOVE_DENOMINATOR, num_pos, num_cells, numerator=num_a, denominator=den_a)
            zero = nonneg & (den_a == 0) & (num_a == 0)
            flag(zero, ZERO_DENOMINATOR, den_pos, den_cells)
            good = nonneg & ~above & ~zero
            with np.errstate(divide="ignore", invalid="ignore"):
                computed = 100.0 * num_a / den_a
            out_of_range = has_val & ((val_a < 0) | (val_a > 100))
            flag(out_of_range, RATE_OUT_OF_RANGE, val_pos, val_cells)
            mismatch = good & has_val & ~out_of_range & (np.abs(computed - val_a) > VALUE_TOLERANCE)
            flag(mismatch, VALUE_MISMATCH, val_pos, val_cells, computed=np.round(computed, 1))
            out_val = np.where(good, computed, np.where(has_val & ~has_num & ~has_den, val_a, np.nan))
            out_num = np.where(good, num_a, np.nan)
            out_den = np.where(good, den_a, np.nan)
            shown = val_a[has_val & ~out_of_range]
            if len(shown) >= 5 and 0 < shown.max() <= 1:
                bag.add(_problem(LOOKS_LIKE_FRACTION, column=cmap.headers[val_pos]))
        else:  # yes/no: a value column, or counts that must be 0/1 of 1
            from_counts = both & ~has_val
            bad_counts = from_counts & ~(np.isin(num_a, (0.0, 1.0)) & (den_a == 1))
            flag(bad_counts, INVALID_YES_NO, num_pos, num_cells)
            out_num = np.where(has_val, val_a, np.where(from_counts & ~bad_counts, num_a, np.nan))
            out_den = np.where(np.isnan(out_num), np.nan, 1.0)
            out_val = 100.0 * out_num
        idx = np.flatnonzero(~np.isnan(out_val))
        parts.append(pd.DataFrame({"row_index": idx, "indicator": ind, "numerator": out_num[idx],
                                   "denominator": out_den[idx], "value": out_val[idx]}))
    return parts, has_value


def _identify(cmap: ColumnMap, column: Callable, matcher: CommuneMatcher, era: str, bag: _Collector,
              numbers: np.ndarray, report: Callable, has_value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the commune's code and how it was found (2025/old code, 2025/old name); None if not found."""
    n = len(numbers)
    code_pos, old_pos = cmap.find_field(F_CODE), cmap.find_field(F_OLD_CODE)
    name_pos, prov_pos = cmap.find_field(F_NAME), cmap.find_field(F_PROVINCE)
    dist_pos, flag_pos = cmap.find_field(F_DISTRICT), cmap.find_field(F_PRE2025)
    parsed = {}
    for pos, parser in ((code_pos, parse_text), (old_pos, parse_text), (name_pos, parse_text),
                        (prov_pos, parse_text), (dist_pos, parse_text), (flag_pos, parse_yes_no)):
        cells = column(pos)
        values, problems = _parse_column(cells, parser)
        report(pos, problems, cells, 2)
        parsed[pos] = (values, problems)
    new_codes, new_bad = parsed[code_pos]
    old_codes, old_bad = parsed[old_pos]
    names, name_bad = parsed[name_pos]
    provs, prov_bad = parsed[prov_pos]
    dists, _ = parsed[dist_pos]
    flags, _ = parsed[flag_pos]
    names_old_default = era == ERA_PRE2025 or (era == ERA_AUTO and old_pos is not None)
    codes = np.full(n, None, dtype=object)
    bases = np.full(n, None, dtype=object)
    memo: dict[tuple, Any] = {}
    units = dict(zip(matcher.new_units["code"], zip(matcher.new_units["name"], matcher.new_units["province_code"],
                                                    strict=True), strict=True))

    def lookup(kind: str, *args: Any) -> Any:
        key = (kind, *args)
        if key not in memo:
            if kind == "code":
                memo[key] = matcher.match_code(*args)
            elif kind == "name":
                memo[key] = matcher.match_name(*args)
            else:
                memo[key] = _check_agreement(matcher, units, *args)
        return memo[key]

    for i in range(n):
        row = int(numbers[i])
        if new_bad[i] is not None or old_bad[i] is not None or name_bad[i] is not None:
            continue  # a refused identifier cell (formula) was reported already
        if new_codes[i] is not None or old_codes[i] is not None:
            if new_codes[i] is not None:
                pos, cell = code_pos, new_codes[i]
                code_era = ERA_PRE2025 if era == ERA_PRE2025 else ERA_2025
            else:
                pos, cell, code_era = old_pos, old_codes[i], ERA_PRE2025
            basis = BASIS_CODE_PRE2025 if code_era == ERA_PRE2025 else BASIS_CODE_2025
            match = lookup("code", cell, code_era)
            if match.status != MATCHED:
                bag.add(_unknown_code(match, row, cmap.headers[pos], cell, code_era), i, 2)
                continue
            codes[i], bases[i] = match.code, basis
            if basis == BASIS_CODE_2025 and (names[i] or provs[i]) and not lookup("agree", match.code, names[i],
                                                                                  provs[i]):
                label = matcher.describe_commune(match.code)
                shown = ", ".join(p for p in (names[i], provs[i]) if p)
                bag.add(_problem(NAME_CODE_MISMATCH, row=row, column=cmap.headers[pos], value=shown,
                                 detail_vi=label, detail_en=label), i, 2)
            continue
        if names[i] is None:
            if has_value[i]:
                where = next((p for p in (code_pos, old_pos, name_pos) if p is not None), None)
                bag.add(_problem(MISSING_VALUE, row=row, column=cmap.headers[where] if where is not None else None,
                                 detail_vi="mã xã hoặc tên xã", detail_en="the commune code or name"), i, 2)
            continue
        if provs[i] is None:
            if prov_bad[i] is None:
                bag.add(_problem(MISSING_VALUE, row=row, column=cmap.headers[prov_pos] if prov_pos is not None
                                 else F_PROVINCE, detail_vi="tên tỉnh (tinh) đi kèm tên xã",
                                 detail_en="the province (tinh) of the named commune"), i, 2)
            continue
        old_names = names_old_default or (era == ERA_AUTO and flags[i] == 1.0)
        name_era = ERA_PRE2025 if old_names else ERA_2025
        match = lookup("name", names[i], provs[i], name_era, dists[i])
        if match.status == MATCHED:
            codes[i] = match.code
            bases[i] = BASIS_NAME_PRE2025 if old_names else BASIS_NAME_2025
        elif match.status == AMBIGUOUS:
            bag.add(_problem(AMBIGUOUS_NAME, row=row, column=cmap.headers[name_pos], value=names[i],
                             suggestions=list(match.suggestions)), i, 2)
        elif match.status == UNKNOWN_PROVINCE:
            bag.add(_problem(UNKNOWN_PROVINCE_CODE, row=row, column=cmap.headers[prov_pos], value=provs[i],
                             suggestions=list(match.suggestions)), i, 2)
        else:
            bag.add(_unknown_name(match, row, cmap.headers[name_pos], names[i], provs[i], name_era), i, 2)
    return codes, bases


def _unknown_code(match: Any, row: int, column: str, cell: Any, era: str) -> Problem:
    shown = _show(cell)
    if match.status == INVALID_CODE:
        vi = f"“{shown}” không phải mã xã (mã xã gồm tối đa 5 chữ số, ví dụ 00004)."
        en = f"'{shown}' is not a commune code (up to 5 digits, e.g. 00004)."
    elif match.note == HINT_IS_PRE2025_CODE:
        vi = (f"Mã {shown} không phải mã xã 2025 mà là mã xã trước 2025. Nếu tệp dùng mã cũ, hãy đặt tên cột là "
              "ma_xa_cu.")
        en = (f"Code {shown} is not a 2025 code but a pre-2025 one. If the file uses old codes, name the column "
              "ma_xa_cu.")
    elif match.note == HINT_IS_2025_CODE:
        vi = f"Mã {shown} không có trong danh mục xã trước 2025 nhưng là mã xã 2025: hãy đặt tên cột là ma_xa."
        en = f"Code {shown} is not a pre-2025 code but a 2025 one: name the column ma_xa."
    elif match.note == HINT_NO_CROSSWALK:
        vi = "Chưa nạp bảng chuyển đổi xã cũ → xã mới nên không dùng được mã xã trước 2025."
        en = "The old → new commune crosswalk is not loaded, so pre-2025 codes cannot be used."
    elif era == ERA_PRE2025:
        vi = f"Không có xã nào mang mã {shown} trong danh mục trước 2025 (01/03/2025)."
        en = f"No commune has code {shown} in the pre-2025 list (1 March 2025)."
    else:
        vi = f"Không có xã nào mang mã {shown} trong danh mục 3.321 xã từ 01/07/2025."
        en = f"No commune has code {shown} among the 3,321 communes in force since 1 July 2025."
    return _problem(UNKNOWN_COMMUNE, row=row, column=column, value=cell, suggestions=list(match.suggestions),
                    detail_vi=vi, detail_en=en)


def _unknown_name(match: Any, row: int, column: str, name: str, province: str, era: str) -> Problem:
    if match.note == HINT_IS_PRE2025_NAME:
        vi = (f"Không có xã “{name}” ở {province} từ 01/07/2025, nhưng có xã cũ tên này. Nếu tệp là số liệu "
              "trước sáp nhập, thêm cột truoc_2025 ghi Có (hoặc dùng ma_xa_cu).")
        en = (f"There is no commune '{name}' in {province} since 1 July 2025, but there was an old one. If the file "
              "holds pre-merger data, add a truoc_2025 column saying yes (or use ma_xa_cu).")
    elif match.note == HINT_NO_CROSSWALK:
        vi = "Chưa nạp danh mục xã trước 2025 nên không tra được tên xã cũ."
        en = "The pre-2025 commune list is not loaded, so old names cannot be looked up."
    else:
        when_vi = "trước 2025" if era == ERA_PRE2025 else "từ 01/07/2025"
        when_en = "before 2025" if era == ERA_PRE2025 else "since 1 July 2025"
        vi = f"Không tìm thấy xã “{name}” ở {province} ({when_vi})."
        en = f"No commune '{name}' found in {province} ({when_en})."
    return _problem(UNKNOWN_COMMUNE, row=row, column=column, value=name, suggestions=list(match.suggestions),
                    detail_vi=vi, detail_en=en)


def _check_agreement(matcher: CommuneMatcher, units: dict[str, tuple[str, str]], code: str, name: str | None,
            province: str | None) -> bool:
    """Whether a name and province written next to a 2025 code describe that commune."""
    unit_name, unit_province = units[code]
    if name:
        given = split_unit_type(normalize_name(name))[1]
        want = normalize_name(unit_name)
        if given != want and fold_name(given) != fold_name(want):
            return False
    if province:
        provinces, _ = matcher.resolve_province(province)
        return not provinces or unit_province in provinces
    return True


def _assemble(parts: list[pd.DataFrame], codes: np.ndarray, bases: np.ndarray, years: np.ndarray,
              numbers: np.ndarray, error_rows: np.ndarray) -> pd.DataFrame:
    if not parts:
        return _make_empty_valid()
    long = pd.concat(parts, ignore_index=True)
    idx = long["row_index"].to_numpy()
    keep = ~error_rows[idx] & pd.notna(codes[idx]) & ~np.isnan(years[idx])
    long, idx = long[keep], idx[keep]
    out = pd.DataFrame({
        "code": pd.array(codes[idx], dtype=str),
        "year": years[idx].astype(int),
        "indicator": long["indicator"].astype(str).to_numpy(),
        "numerator": long["numerator"].to_numpy(dtype=float),
        "denominator": long["denominator"].to_numpy(dtype=float),
        "value": long["value"].to_numpy(dtype=float),
        "source_row": numbers[idx],
        "basis": pd.array(bases[idx], dtype=str),
    })
    return out.sort_values(["source_row", "indicator"], ignore_index=True)
