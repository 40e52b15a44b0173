"""The downloadable XLSX template: filling it in is the surest way to produce a file that validates.

Sheets: "Du_lieu" (the table to fill: headers the reader knows, each with a bilingual comment; yes/no
columns offer Có/Không in a drop-down; the code column is text so Excel keeps leading zeros),
"Huong_dan" (instructions, Vietnamese first then English, with the list of indicators and their
numerator and denominator), and "Danh_muc_xa" (the 2025 communes with codes, when the commune table is
given). Headers come from the same alias table the reader uses, so the two cannot drift apart.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from geo.indicators.registry import YES_NO, Registry
from geo.ingest.headers import HeaderAliases, load_column_aliases
from geo.ingest.read import LIMITS, Limits
from geo.ingest.vocab import DENOMINATOR, F_CODE, F_NAME, F_PROVINCE, F_YEAR, NUMERATOR

DATA_SHEET = "Du_lieu"
HELP_SHEET = "Huong_dan"
COMMUNES_SHEET = "Danh_muc_xa"
VALIDATED_ROWS = 20_000  # rows that get drop-downs and number checks (cells are not created)
_AUTHOR = "vn-child-targets"

_ID_COMMENTS = {
    F_CODE: ("Mã xã 2025, 5 chữ số (xem trang Danh_muc_xa). Bỏ trống nếu ghi tên xã + tỉnh.",
             "2025 commune code, 5 digits (see sheet Danh_muc_xa). Leave blank if you give name + province."),
    F_NAME: ("Tên xã/phường (không bắt buộc khi đã có mã xã).", "Commune/ward name (optional when the code is given)."),
    F_PROVINCE: ("Tỉnh/thành phố (bắt buộc khi xác định xã bằng tên).",
                 "Province/city (needed when the commune is identified by name)."),
    F_YEAR: ("Năm của số liệu, ví dụ 2024.", "Year of the data, e.g. 2024."),
}


def list_template_columns(registry: Registry, aliases: HeaderAliases, lang: str = "vi") -> list[dict[str, Any]]:
    """The template's columns in order: header, comment text, indicator id, part (None for id columns)."""
    cols: list[dict[str, Any]] = []
    for f in (F_CODE, F_NAME, F_PROVINCE, F_YEAR):
        vi, en = _ID_COMMENTS[f]
        cols.append({"header": aliases.format_header(None, f, lang), "comment": f"{vi}\n—\n{en}",
                     "indicator": None, "part": f})
    for ind in registry.indicator_ids():
        meta = registry.indicator(ind)
        if meta["measure"] == YES_NO:
            cols.append({"header": aliases.format_header(ind, None, lang), "indicator": ind, "part": YES_NO,
                         "comment": f"{meta['name_vi']}: ghi Có hoặc Không.\n—\n{meta['name_en']}: Có (yes) or "
                         "Không (no)."})
            continue
        for part, key in ((NUMERATOR, "numerator"), (DENOMINATOR, "denominator")):
            word_vi = "Tử số" if part == NUMERATOR else "Mẫu số"
            cols.append({"header": aliases.format_header(ind, part, lang), "indicator": ind, "part": part,
                         "comment": f"{meta['name_vi']} — {word_vi}: {meta[key + '_vi']} (số nguyên).\n—\n"
                         f"{meta['name_en']} — {key}: {meta[key + '_en']} (whole number)."})
    return cols


def _instructions(registry: Registry, aliases: HeaderAliases, limits: Limits, has_communes: bool) -> list[list[Any]]:
    code, name, prov, year = (aliases.format_header(None, f, "vi") for f in (F_CODE, F_NAME, F_PROVINCE, F_YEAR))
    num, den = aliases.canonical["vi"][NUMERATOR], aliases.canonical["vi"][DENOMINATOR]
    mb = limits.max_bytes // (1024 * 1024)
    list_vi = " (tra mã ở trang Danh_muc_xa)" if has_communes else ""
    list_en = " (look codes up in sheet Danh_muc_xa)" if has_communes else ""
    lines: list[list[Any]] = [
        ["HƯỚNG DẪN NHẬP SỐ LIỆU (tiếng Việt)"],
        [f"1. Mỗi dòng của trang {DATA_SHEET} là MỘT xã trong MỘT năm. Giữ nguyên dòng tiêu đề (dòng 1); không "
         "chèn dòng trống hay dòng cộng tổng."],
        [f"2. Xác định xã bằng cột {code}: mã xã 2025 gồm 5 chữ số, ví dụ 00004{list_vi}. Nếu không có mã, bỏ "
         f"trống {code} và ghi {name} + {prov} (có dấu hay không dấu đều được)."],
        ["3. Số liệu theo xã TRƯỚC 01/07/2025: dùng cột ma_xa_cu (mã xã cũ) thay cho ma_xa, hoặc ghi tên xã cũ và "
         "thêm cột truoc_2025 ghi Có (có thể thêm cột huyen). Ứng dụng tự chuyển sang xã mới: cộng số đếm các xã cũ; "
         "xã cũ bị chia thì phân bổ theo dân số các xã mới nhận."],
        [f"4. Cột {year}: năm của số liệu, từ {limits.min_year} đến {limits.max_year}."],
        [f"5. Chỉ số tỷ lệ: ghi hai số đếm, cột <chỉ số>__{num} (tử số) và <chỉ số>__{den} (mẫu số). Số đếm là số "
         "nguyên; dấu chấm hay phẩy trong số đếm chỉ là dấu phân cách hàng nghìn (1.234 = 1234). Tử số không được "
         "lớn hơn mẫu số."],
        ["6. Nếu chỉ có tỷ lệ %, thay hai cột số đếm bằng một cột tên <chỉ số> (ví dụ stunting_u5) và ghi 12,5 hoặc "
         "12,5% (một dấu phẩy hoặc chấm là dấu thập phân). Nên dùng số đếm: tỷ lệ không cộng dồn được."],
        ["7. Chỉ số có/không: ghi Có hoặc Không (hoặc 1/0)."],
        ["8. Ô để trống = không có số liệu. Không dùng công thức (ô bắt đầu bằng =): hãy dán giá trị."],
        [f"9. Lưu dạng .xlsx hoặc CSV UTF-8. Tối đa {limits.max_rows:,} dòng và {mb} MB mỗi tệp.".replace(",", ".")],
        ["10. Ví dụ một dòng: 00004 | Phường Ba Đình | Hà Nội | 2024 | 12 | 180 | … | Có"],
        [],
        ["INSTRUCTIONS (English)"],
        [f"1. Each row of sheet {DATA_SHEET} is ONE commune in ONE year. Keep the header row (row 1); do not insert "
         "blank or total rows."],
        [f"2. Identify the commune in column {code}: its 2025 code, 5 digits, e.g. 00004{list_en}. Without a code, "
         f"leave {code} blank and fill {name} + {prov} (with or without diacritics)."],
        ["3. Data for communes BEFORE 1 July 2025: use column ma_xa_cu (old code) instead of ma_xa, or give old names "
         "and add a truoc_2025 column saying Có/yes (a huyen column may help). The app carries them to the new "
         "communes: counts of old communes are summed; a split old commune is allocated by the receiving new "
         "communes' population."],
        [f"4. Column {year}: the year of the data, {limits.min_year} to {limits.max_year}."],
        [f"5. Rates: give two counts, <indicator>__{num} (numerator) and <indicator>__{den} (denominator). Counts "
         "are whole numbers; a dot or comma in a count only separates thousands (1,234 = 1234). The numerator "
         "cannot exceed the denominator."],
        ["6. With only a percentage, replace the two count columns by one <indicator> column (e.g. stunting_u5) "
         "holding 12.5 or 12,5% (one comma or dot is the decimal mark). Counts are better: rates cannot be added up."],
        ["7. Yes/no indicators: Có (yes) or Không (no), or 1/0."],
        ["8. A blank cell means no data. No formulas (cells starting with =): paste values."],
        [f"9. Save as .xlsx or CSV UTF-8. At most {limits.max_rows:,} rows and {mb} MB per file."],
        [],
        ["DANH SÁCH CHỈ SỐ / INDICATORS"],
        ["Cột / Column", "Chỉ số", "Tử số / có", "Mẫu số", "Indicator", "Numerator / yes", "Denominator"],
    ]
    for ind in registry.indicator_ids():
        meta = registry.indicator(ind)
        if meta["measure"] == YES_NO:
            cols = aliases.format_header(ind, None, "vi")
            lines.append([cols, meta["name_vi"], "Có / Không", "", meta["name_en"], "yes / no", ""])
        else:
            cols = f"{aliases.format_header(ind, NUMERATOR, 'vi')} ; {aliases.format_header(ind, DENOMINATOR, 'vi')}"
            lines.append([cols, meta["name_vi"], meta["numerator_vi"], meta["denominator_vi"], meta["name_en"],
                          meta["numerator_en"], meta["denominator_en"]])
    return lines


def build_template_xlsx(registry: Registry, lang: str = "vi", communes: pd.DataFrame | None = None, *,
                        aliases: HeaderAliases | None = None, limits: Limits = LIMITS) -> bytes:
    """The template workbook as bytes (headers in ``lang``; instructions always Vietnamese then English).

    ``communes``: optional table with code, full_name (or name) and province_name → sheet Danh_muc_xa.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    aliases = aliases or load_column_aliases(registry)
    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    cols = list_template_columns(registry, aliases, lang)
    for pos, col in enumerate(cols, start=1):
        cell = data.cell(row=1, column=pos, value=col["header"])
        cell.font, cell.fill = bold, fill
        comment = Comment(col["comment"], _AUTHOR)
        comment.width, comment.height = 320, 140
        cell.comment = comment
        data.column_dimensions[get_column_letter(pos)].width = max(12, min(34, len(col["header"]) + 2))
    data.column_dimensions["A"].number_format = "@"  # text, so Excel keeps the leading zeros of codes
    data.freeze_panes = "B2"
    yes_no = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True, showErrorMessage=False)
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            errorStyle="warning", error="Số nguyên ≥ 0 / whole number ≥ 0", showErrorMessage=True)
    year = DataValidation(type="whole", operator="between", formula1=str(limits.min_year),
                          formula2=str(limits.max_year), allow_blank=True, errorStyle="warning",
                          error=f"{limits.min_year}–{limits.max_year}", showErrorMessage=True)
    for dv in (yes_no, counts, year):
        data.add_data_validation(dv)
    last = VALIDATED_ROWS + 1
    for pos, col in enumerate(cols, start=1):
        letter = get_column_letter(pos)
        target = {YES_NO: yes_no, NUMERATOR: counts, DENOMINATOR: counts, F_YEAR: year}.get(col["part"])
        if target is not None:
            target.add(f"{letter}2:{letter}{last}")

    guide = book.create_sheet(HELP_SHEET)
    for line in _instructions(registry, aliases, limits, communes is not None):
        guide.append(line)
    guide.column_dimensions["A"].width = 60
    for letter in "BCDEFG":
        guide.column_dimensions[letter].width = 30
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str) and (cell.value.isupper() or cell.value.startswith("Cột / Column")):
                cell.font = bold

    if communes is not None:
        listing = book.create_sheet(COMMUNES_SHEET)
        listing.append(["ma_xa", "ten_xa", "tinh", "ma_tinh"])
        for cell in listing[1]:
            cell.font, cell.fill = bold, fill
        names = communes["full_name"] if "full_name" in communes else communes["name"]
        table = pd.DataFrame({"code": communes["code"].astype(str).str.zfill(5), "name": names,
                              "province": communes["province_name"],
                              "province_code": communes["province_code"].astype(str).str.zfill(2)})
        for row in table.sort_values(["province_code", "code"]).itertuples(index=False):
            listing.append([row.code, row.name, row.province, row.province_code])
        for row in listing.iter_rows(min_row=2, max_col=1):
            row[0].number_format = "@"
        listing.freeze_panes = "A2"
        for letter, width in zip("ABCD", (10, 34, 22, 8), strict=True):
            listing.column_dimensions[letter].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
