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

The modules: read (bytes → rows), headers (what each column means), cells (one reading per column
kind), match (which commune), this module (the row checks), carry (pre-2025 rows → 2025 communes).

Validation returns the canonical long frame (code, year, indicator, numerator, denominator, value =
100·numerator/denominator, yes/no as 0/1 of 1) plus ``source_row`` (the user's spreadsheet row) and
``basis`` (how the commune was identified). A row with any error is left out entirely, so the user can
choose between fixing the file and loading only the valid rows.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from geo.indicators.registry import RATE, SHARE, YES_NO, Registry
from geo.ingest.cells import parse_column, parse_count, parse_percent, parse_year, parse_yes_no
from geo.ingest.headers import ColumnMap, HeaderAliases, load_column_aliases, map_headers, normalize_header
from geo.ingest.identify import identify_rows, province_level
from geo.ingest.mapping import (
    ColumnMapping,
    Guess,
    apply_mapping,
    check_roles,
    find_mapping,
    guess_columns,
    header_signature,
)
from geo.ingest.match import (
    CommuneMatcher,
)
from geo.ingest.problems import Problem, make_problem, show_value
from geo.ingest.read import LIMITS, Limits, RawTable, is_blank, read_table
from geo.ingest.vocab import (
    BASES,
    DENOMINATOR,
    DUPLICATE_COLUMN,
    DUPLICATE_COMMUNE_YEAR,
    EMPTY_FILE,
    ERA_2025,
    ERA_AUTO,
    ERA_PRE2025,
    ERAS,
    EXTRA_CELLS,
    F_CODE,
    F_NAME,
    F_OLD_CODE,
    F_PROVINCE,
    F_YEAR,
    FORMULA_NO_VALUE,
    INCOMPLETE_COUNTS,
    INVALID_YES_NO,
    LOOKS_LIKE_FRACTION,
    MISSING_COLUMN,
    MISSING_VALUE,
    MORE_PROBLEMS,
    NEGATIVE_COUNT,
    NO_VALUES,
    NUMERATOR,
    NUMERATOR_ABOVE_DENOMINATOR,
    PRE2025_BASE_SET,
    RATE_OUT_OF_RANGE,
    RATE_WEIGHTED,
    SKIPPED_ROWS,
    SUFFIX_SEP,
    TOTAL_MISMATCH,
    TOTAL_ROWS,
    UNKNOWN_COLUMN,
    VALUE,
    VALUE_MISMATCH,
    YEAR_OUT_OF_RANGE,
    ZERO_DENOMINATOR,
    ZERO_OF_ZERO,
)

MAX_SUGGESTED_HEADERS = 50  # unknown headers that get a spelling suggestion; the rest are listed without one
VALUE_TOLERANCE = 0.51  # percentage points: a value rounded to a whole percent still agrees with its counts

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
    ``code`` (carry them with :func:`geo.ingest.carry.carry_upload`). ``columns``: how each header was
    understood (column, field, indicator, part). ``source``: format, encoding, delimiter, sheet.
    ``counts``: rows, rows_valid, rows_with_errors, values, errors, warnings, and rows per basis.
    """

    valid_rows: pd.DataFrame
    problems: list[Problem]
    counts: dict[str, int]
    columns: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: dict[str, Any] = field(default_factory=dict)
    guesses: tuple[Guess, ...] = ()  # per column: the app's own reading and, when unknown, a suggestion

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


class _Collector:
    """Problems in file order, capped for display while every one is counted; tracks rows with errors."""

    def __init__(self, n_rows: int, limits: Limits) -> None:
        self.items: list[tuple[int, int, Problem]] = []
        self.error_rows = np.zeros(n_rows, dtype=bool)
        self.n_errors = 0
        self.n_warnings = 0
        self.limit = limits.max_problems
        self.cutoff: tuple[int, int] | None = None  # past this (row, order) a problem can never be listed

    def beyond(self, row: int, order: int) -> bool:
        """True when a problem at (row, order) would not be listed: count it with ``count`` instead of
        building its messages (150,000 unknown names must not build 150,000 bilingual problems)."""
        return self.cutoff is not None and (row, order) > self.cutoff

    def count(self, index: int) -> None:
        self.n_errors += 1
        self.error_rows[index] = True

    def add(self, problem: Problem, index: int | None = None, order: int = 0) -> None:
        if problem.is_error:
            self.n_errors += 1
            if index is not None:
                self.error_rows[index] = True
        else:
            self.n_warnings += 1
        self.items.append((problem.row or 0, order, problem))
        if len(self.items) > 2 * self.limit:  # keep only what can be listed: memory stays bounded
            self.items.sort(key=lambda t: (t[0], t[1]))
            del self.items[self.limit:]
            self.cutoff = (self.items[-1][0], self.items[-1][1])

    def list_problems(self) -> list[Problem]:
        ordered = [p for _, _, p in sorted(self.items, key=lambda t: (t[0], t[1]))]
        total = self.n_errors + self.n_warnings
        if total <= self.limit:
            return ordered
        rest = total - self.limit
        ordered = ordered[: self.limit]
        return ordered[: self.limit] + [make_problem(MORE_PROBLEMS, count=f"{rest:,}")]


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
    mappings: Sequence[ColumnMapping] = (),
) -> ValidationResult:
    """Read and check an uploaded file; nothing is stored, every problem is reported.

    ``era``: "auto" (``ma_xa_cu`` old codes; a code column whose header states 2025 units, or the template's
    ``ma_xa``, holds 2025 codes, any other is checked against both lists (geo/ingest/identify.py); names are
    old names when the file has ``ma_xa_cu`` or ``truoc_2025`` says yes), "2025" (names are 2025 names) or "pre2025"
    (every identifier, ``ma_xa`` included, refers to the communes before 1 July 2025).
    ``mappings``: the user's column mappings; the one whose header signature is this file's replaces the
    app's reading of the headers (geo/ingest/mapping.py).
    """
    if era not in ERAS:
        raise ValueError(f"era must be one of {ERAS}")
    aliases = aliases or load_column_aliases(registry)
    table, fatal = read_table(data, filename, aliases, sheet=sheet, limits=limits)
    if table is None:
        return _reject_file(fatal, {})
    cmap, guesses = _read_columns(table, aliases, mappings)
    columns = _describe_columns(cmap, aliases)
    provinces = province_level(cmap, table.rows, matcher)
    if provinces is not None:
        return dataclasses.replace(_reject_file([provinces], table.source, columns, n_rows=len(table.rows)),
                                   guesses=guesses)
    structural = _check_structure(cmap, aliases, table)
    if not table.rows:
        structural.append(make_problem(EMPTY_FILE))
    if any(p.is_error for p in structural):
        return dataclasses.replace(_reject_file(structural, table.source, columns, n_rows=len(table.rows)),
                                   guesses=guesses)
    result = _validate_rows(table, cmap, aliases, registry, matcher, era, limits, structural, columns)
    return dataclasses.replace(result, guesses=guesses)


def _read_columns(table: RawTable, aliases: HeaderAliases,
                  mappings: Sequence[ColumnMapping]) -> tuple[ColumnMap, tuple[Guess, ...]]:
    """The app's reading of the headers, replaced by the user's mapping for these exact headers when one is given.

    ``table.source`` records the header signature and the name of the mapping used ("" for the app's own)."""
    guessed = map_headers(table.header, aliases)
    guesses = tuple(guess_columns(guessed, aliases))
    signature = header_signature(table.header)
    table.source["signature"] = signature
    chosen = find_mapping(mappings, signature)
    if chosen is None:
        table.source["mapping"] = None
        return guessed, guesses
    table.source["mapping"] = chosen.name or "-"
    return apply_mapping(guessed.headers, check_roles(chosen.roles, aliases)), guesses


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
    if F_YEAR not in cmap.fields:
        out.append(make_problem(MISSING_COLUMN, column=F_YEAR, detail_key="err.ingest.detail.no_year"))
    if not any(f in cmap.fields for f in (F_CODE, F_OLD_CODE, F_NAME)):
        out.append(make_problem(MISSING_COLUMN, column=F_CODE, detail_key="err.ingest.detail.no_commune_column"))
    elif F_NAME in cmap.fields and F_PROVINCE not in cmap.fields and not (
            F_CODE in cmap.fields or F_OLD_CODE in cmap.fields):
        out.append(make_problem(MISSING_COLUMN, column=F_PROVINCE, detail_key="err.ingest.detail.no_province"))
    if not cmap.indicators:
        out.append(make_problem(MISSING_COLUMN, column=None, detail_key="err.ingest.detail.no_indicator",
                                known=", ".join(aliases.order[:3])))
    for ind, parts in cmap.indicators.items():
        has_num, has_den = NUMERATOR in parts, DENOMINATOR in parts
        if has_num != has_den:
            missing = aliases.format_header(ind, DENOMINATOR if has_num else NUMERATOR)
            out.append(make_problem(MISSING_COLUMN, column=missing, detail_key="err.ingest.detail.half_counts",
                                    indicator=ind, missing=missing,
                                    present_key="upload.part_tu_so" if has_num else "upload.part_mau_so"))
    dupes = [(f, cols) for f, cols in cmap.fields.items() if len(cols) > 1]
    dupes += [(f"{ind}{SUFFIX_SEP}{part}", cols) for ind, parts in cmap.indicators.items()
              for part, cols in parts.items() if len(cols) > 1]
    for name, cols in dupes:
        shown = ", ".join(f"“{cmap.headers[c]}”" for c in cols)
        out.append(make_problem(DUPLICATE_COLUMN, column=cmap.headers[cols[1]], field=name, detail=shown))
    known = aliases.list_known_headers()
    for n, pos in enumerate(cmap.unknown):
        header = cmap.headers[pos]
        close = difflib.get_close_matches(normalize_header(header), known, n=3, cutoff=0.6) \
            if n < MAX_SUGGESTED_HEADERS else []
        out.append(make_problem(UNKNOWN_COLUMN, row=table.header_row, column=header, value=header, suggestions=close))
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
        if len(r) > width and any(not is_blank(v) for v in r[width:]):
            if table.source.get("format") == "csv":  # in a CSV this means the cells were split wrongly
                bag.add(make_problem(EXTRA_CELLS, row=int(numbers[i])), i)
            else:  # in a workbook, a note beside the table: ignored, but say so
                stray.update(p for p in range(width, len(r)) if not is_blank(r[p]))
    for pos in sorted(stray):
        bag.add(make_problem(UNKNOWN_COLUMN, row=table.header_row, column=f"#{pos + 1}"))

    def report(pos: int | None, codes: np.ndarray, cells: np.ndarray, order: int, **fields: Any) -> None:
        if pos is None:
            return
        for i in np.flatnonzero(pd.notna(codes)):
            cell = cells[i]
            extra = {"min_year": limits.min_year, "max_year": limits.max_year, "first": str(cell).strip()[:1],
                     **fields}
            bag.add(make_problem(codes[i], row=int(numbers[i]), column=cmap.headers[pos], value=cell, **extra), int(i),
                    order)

    # Year
    year_pos = cmap.find_field(F_YEAR)
    year_cells = column(year_pos)
    years, year_codes = parse_column(year_cells, parse_year, numeric=True)
    outside = ~np.isnan(years) & ((years < limits.min_year) | (years > limits.max_year))
    year_codes[outside] = YEAR_OUT_OF_RANGE
    years[outside] = np.nan
    report(year_pos, year_codes, year_cells, 1)

    # Indicators first, so that rows without any value can be told apart
    long_parts, has_value = _parse_indicators(cmap, aliases, column, report, bag, numbers, n)

    # Commune
    codes, bases, inferred = identify_rows(cmap, column, matcher, era, bag, numbers, report, has_value)
    found = pd.notna(codes)
    dated = ~np.isnan(years)

    # A row with data but no year
    if year_pos is not None:
        for i in np.flatnonzero(~dated & pd.isna(year_codes) & (has_value | found)):
            bag.add(make_problem(MISSING_VALUE, row=int(numbers[i]), column=cmap.headers[year_pos],
                             detail_key="err.ingest.need.year"), int(i), 1)

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
                bag.add(make_problem(DUPLICATE_COMMUNE_YEAR, row=int(numbers[j]), value=codes[j], year=int(years[j]),
                                 detail=listed), int(j), 3)

    without = numbers[~has_value & found]
    if len(without):
        bag.add(make_problem(NO_VALUES, count=f"{len(without):,}", detail=", ".join(map(str, without[:5]))))

    _note_layout(table, cmap, bag)
    valid = _assemble(long_parts, codes, bases, years, numbers, bag.error_rows)
    ok = ~bag.error_rows & has_value & found & dated
    ok_bases = pd.Series(bases[ok], dtype=object).value_counts()
    counts = {
        "rows": n, "rows_valid": int(ok.sum()), "rows_with_errors": int(bag.error_rows.sum()),
        "values": len(valid), "errors": bag.n_errors, "warnings": bag.n_warnings,
        **{f"rows_{b}": int(ok_bases.get(b, 0)) for b in BASES},
        "rows_inferred_pre2025": int((ok & (inferred == ERA_PRE2025)).sum()),
        "rows_inferred_2025": int((ok & (inferred == ERA_2025)).sum()),
    }
    return ValidationResult(valid, bag.list_problems(), counts, columns, table.source)


def _listed(rows: list[int]) -> str:
    return ", ".join(map(str, rows[:10])) + ("…" if len(rows) > 10 else "")


def _note_layout(table: RawTable, cmap: ColumnMap, bag: _Collector) -> None:
    """One line each for what the report layout left out (totals, numbering, footer rows, formulas
    without a value), and a warning where a stated total differs from the sum of the communes above it.

    A total is checked against the rows since the previous total (a subtotal) or since the start of its
    sheet (a grand total such as "Toàn huyện"); it must agree with one of them."""
    for sheet, row, col in table.source.get("uncached", []):
        header = cmap.headers[col - 1] if col - 1 < len(cmap.headers) else f"#{col}"
        bag.add(make_problem(FORMULA_NO_VALUE, row=row, column=header, detail=sheet))
    if table.totals:
        bag.add(make_problem(TOTAL_ROWS, count=len(table.totals), detail=_listed([n for n, _ in table.totals])))
    skipped = sorted(n for rows in table.skipped.values() for n in rows)
    if skipped:
        bag.add(make_problem(SKIPPED_ROWS, count=len(skipped), detail=_listed(skipped)))
    count_cols = sorted({pos for parts in cmap.indicators.values() for part, cols in parts.items()
                         if part in (NUMERATOR, DENOMINATOR) for pos in cols})
    previous = 0
    for (number, cells), at in zip(table.totals, table.total_at, strict=True):
        start = max((s for s in table.starts if s < at), default=0)  # a sheet-end total is not the next start
        for pos in count_cols:
            stated = parse_count(cells[pos] if pos < len(cells) else None)[0]
            if stated is None:
                continue
            sums = []
            for lo in {previous, start}:
                got = [parse_count(r[pos] if pos < len(r) else None)[0] for r in table.rows[max(lo, start):at]]
                sums.append(sum(g for g in got if g is not None))
            if all(abs(x - stated) > 0.5 for x in sums):
                bag.add(make_problem(TOTAL_MISMATCH, row=number, column=cmap.headers[pos], value=stated,
                                     computed=f"{sums[-1]:g}"))
        previous = at


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
        num_a, num_codes = parse_column(num_cells, parse_count, numeric=True)
        den_a, den_codes = parse_column(den_cells, parse_count, numeric=True)
        val_a, val_codes = parse_column(val_cells, parse_yes_no if measure == YES_NO else parse_percent,
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
                extra = {k: (show_value(v[i]) if isinstance(v, np.ndarray) else v) for k, v in fields.items()}
                bag.add(make_problem(code, row=int(numbers[i]), column=cmap.headers[pos] if pos is not None else None,
                                 value=cells[i], **extra), int(i), order)

        both = has_num & has_den
        one = (has_num ^ has_den) & ~cell_bad
        # a rate with the number it is a rate of (an official form's "Số trẻ được cân đo" and "Tỷ lệ (%)"):
        # the denominator is the stated weight, so the rate aggregates; the count is rate × denominator
        weighted = has_den & ~has_num & has_val & ~cell_bad if measure in (RATE, SHARE) else np.zeros(n, bool)
        flag(one & ~has_den, INCOMPLETE_COUNTS, den_pos, den_cells, present_key="upload.part_tu_so",
             missing_key="upload.part_mau_so")
        flag(one & ~has_num & ~weighted, INCOMPLETE_COUNTS, num_pos, num_cells, present_key="upload.part_mau_so",
             missing_key="upload.part_tu_so")
        if measure in (RATE, SHARE):
            neg_num, neg_den = has_num & (num_a < 0), has_den & (den_a < 0)
            flag(neg_num, NEGATIVE_COUNT, num_pos, num_cells)
            flag(neg_den, NEGATIVE_COUNT, den_pos, den_cells)
            nonneg = both & ~neg_num & ~neg_den
            above = nonneg & (num_a > den_a)
            flag(above, NUMERATOR_ABOVE_DENOMINATOR, num_pos, num_cells, numerator=num_a, denominator=den_a)
            zero = nonneg & (den_a == 0) & (num_a == 0)
            # 0 of 0: nobody to count (no child hit by a disaster) is kept as counts without a rate and shown
            # as "not applicable"; nobody counted (no child weighed) is skipped. The registry says which.
            keep_zero = ind in aliases.zero_not_applicable
            flag(zero, ZERO_OF_ZERO if keep_zero else ZERO_DENOMINATOR, den_pos, den_cells)
            kept_zero = zero if keep_zero else np.zeros(n, dtype=bool)
            good = nonneg & ~above & ~zero
            with np.errstate(divide="ignore", invalid="ignore"):
                computed = 100.0 * num_a / den_a
            out_of_range = has_val & ((val_a < 0) | (val_a > 100))
            flag(out_of_range, RATE_OUT_OF_RANGE, val_pos, val_cells)
            mismatch = good & has_val & ~out_of_range & (np.abs(computed - val_a) > VALUE_TOLERANCE)
            flag(mismatch, VALUE_MISMATCH, val_pos, val_cells, computed=np.round(computed, 1))
            flag(weighted & (den_a == 0), ZERO_DENOMINATOR, den_pos, den_cells)
            by_weight = weighted & ~neg_den & (den_a > 0) & ~out_of_range
            if by_weight.any():
                bag.add(make_problem(RATE_WEIGHTED, column=cmap.headers[val_pos], count=f"{by_weight.sum():,}",
                                     denominator=cmap.headers[den_pos]))
            only_rate = has_val & ~has_num & ~has_den
            out_val = np.where(good, computed, np.where(only_rate | by_weight, val_a, np.nan))
            out_num = np.where(good | kept_zero, num_a, np.where(by_weight, val_a * den_a / 100.0, np.nan))
            out_den = np.where(good | kept_zero | by_weight, den_a, np.nan)
            shown = val_a[has_val & ~out_of_range]
            if len(shown) >= 5 and 0 < shown.max() <= 1:
                bag.add(make_problem(LOOKS_LIKE_FRACTION, column=cmap.headers[val_pos]))
        else:  # yes/no: a value column, or counts that must be 0/1 of 1
            from_counts = both & ~has_val
            bad_counts = from_counts & ~(np.isin(num_a, (0.0, 1.0)) & (den_a == 1))
            flag(bad_counts, INVALID_YES_NO, num_pos, num_cells)
            out_num = np.where(has_val, val_a, np.where(from_counts & ~bad_counts, num_a, np.nan))
            out_den = np.where(np.isnan(out_num), np.nan, 1.0)
            out_val = 100.0 * out_num
            kept_zero = np.zeros(n, dtype=bool)
        idx = np.flatnonzero(~np.isnan(out_val) | kept_zero)
        parts.append(pd.DataFrame({"row_index": idx, "indicator": ind, "numerator": out_num[idx],
                                   "denominator": out_den[idx], "value": out_val[idx]}))
    return parts, has_value


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

