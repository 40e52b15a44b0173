"""Realistic official-form files (district/province report sheets), built at test time, each with its expected result.

The shapes follow the commune reports district health centres and provincial departments keep: 2-3 title rows
("UBND HUYỆN …", "BÁO CÁO …"), a merged two-level header, total/subtotal rows, a signature block, one sheet
per year, a shared denominator ("Số trẻ được cân đo"), rates as ``=ROUND(…)`` formulas with the value Excel
cached, Excel's CSV and "Unicode text" exports. Units and codes are real (../shared/data): Huyện Pác Nặm (Bắc
Kạn), Huyện Cao Phong (Hoà Bình), Huyện Sốp Cộp (Sơn La) and central Hà Nội, chosen for their merger shapes
(complete merges, re-used codes, old and new communes with one name). Counts are invented; the expected
2025 values in ``Run.values`` are written out by hand (sums of the old communes' counts), not computed here.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

UW, ST = "underweight_u5", "stunting_u5"
COMPLETE, PARTIAL = "complete", "partial"
_TONES = "\u0300\u0301\u0303\u0309\u0323"


@dataclass(frozen=True)
class Value:
    """One expected 2025 value; ``rate`` None means 100·numerator/denominator."""

    code: str
    indicator: str
    year: int
    numerator: float | None
    denominator: float | None
    rate: float | None = None
    coverage: str = COMPLETE


@dataclass(frozen=True)
class Run:
    """One import of the file with ``units`` (auto/new/old) and what must come out of it.

    ``outcome``: "ok" (values stored as listed), "confirm" (nothing stored until the user settles
    ``held``), "refused" (no value, ``refusal`` is the problem code that says why). ``held``: (code as
    written, reason) of rows held back. ``totals``: number of total/subtotal rows left out.
    ``warnings``: problem codes that must be shown (as warnings). ``sheets``: sheet → read/skipped.
    ``proposal``: the units ("old"/"new") the app proposes and the user must confirm before anything is
    saved, when the file does not say and its codes or names are in both lists (None: nothing to confirm).
    """

    units: str
    outcome: str
    values: tuple[Value, ...] = ()
    refusal: str | None = None
    held: tuple[tuple[str, str], ...] = ()
    totals: int = 0
    warnings: tuple[str, ...] = ()
    sheets: dict[str, str] = field(default_factory=dict)
    proposal: str | None = None


@dataclass(frozen=True)
class Form:
    name: str
    what: str
    build: object  # () -> bytes
    runs: tuple[Run, ...]


# --- reference units (real codes; counts invented) -------------------------------------------------------
# (old code, full old name, weighed, underweight, stunted) in 2024; 2023 adds (+10, +2, +3) to each.
PAC_NAM = [  # Huyện Pác Nặm, Tỉnh Bắc Kạn → 3 new communes of Thái Nguyên, all parts full
    ("01858", "Xã Bằng Thành", 210, 25, 38), ("01861", "Xã Nhạn Môn", 145, 18, 30),
    ("01864", "Xã Bộc Bố", 260, 29, 47), ("01870", "Xã Giáo Hiệu", 120, 16, 27),
    ("01867", "Xã Công Bằng", 180, 21, 35), ("01879", "Xã Cổ Linh", 150, 17, 29),
    ("01885", "Xã Cao Tân", 95, 12, 20), ("01873", "Xã Xuân La", 130, 15, 26),
    ("01876", "Xã An Thắng", 110, 14, 23), ("01882", "Xã Nghiên Loan", 170, 20, 33),
]
PAC_NAM_2024 = (  # new 01864 Bằng Thành = 01858+01861+01864+01870; 01879 Cao Minh; 01882 Nghiên Loan
    Value("01864", UW, 2024, 88, 735), Value("01864", ST, 2024, 142, 735),
    Value("01879", UW, 2024, 50, 425), Value("01879", ST, 2024, 84, 425),
    Value("01882", UW, 2024, 49, 410), Value("01882", ST, 2024, 82, 410),
)
PAC_NAM_2023 = (
    Value("01864", UW, 2023, 96, 775), Value("01864", ST, 2023, 154, 775),
    Value("01879", UW, 2023, 56, 455), Value("01879", ST, 2023, 93, 455),
    Value("01882", UW, 2023, 55, 440), Value("01882", ST, 2023, 91, 440),
)
CAO_PHONG = [  # Huyện Cao Phong, Tỉnh Hoà Bình → 3 new communes of Phú Thọ, all parts full
    ("05089", "Thị trấn Cao Phong", 300, 24, 51), ("05101", "Xã Thu Phong", 140, 13, 25),
    ("05104", "Xã Hợp Phong", 160, 15, 30), ("05092", "Xã Bình Thanh", 200, 22, 40),
    ("05095", "Xã Thung Nai", 170, 19, 33), ("05098", "Xã Bắc Phong", 150, 16, 28),
    ("05110", "Xã Tây Phong", 120, 14, 24), ("05116", "Xã Dũng Phong", 135, 15, 27),
    ("05119", "Xã Nam Phong", 125, 13, 22), ("05125", "Xã Thạch Yên", 115, 12, 21),
]
CAO_PHONG_GROUPS = (("05089", "Xã Cao Phong", 3), ("05092", "Xã Thung Nai", 3), ("05116", "Xã Mường Thàng", 4))
CAO_PHONG_2024 = (
    Value("05089", UW, 2024, 52, 600), Value("05089", ST, 2024, 106, 600),
    Value("05092", UW, 2024, 57, 520), Value("05092", ST, 2024, 101, 520),
    Value("05116", UW, 2024, 54, 495), Value("05116", ST, 2024, 94, 495),
)
SOP_COP_NEW = [  # 2025 communes of Sơn La; every code is also a pre-2025 code with the same name
    ("04228", "Xã Púng Bánh", 520, 70, 120), ("04231", "Xã Sốp Cộp", 610, 75, 131),
    ("04240", "Xã Mường Lèo", 160, 24, 41), ("04246", "Xã Mường Lạn", 300, 40, 72),
]
SOP_COP_2024 = tuple(v for c, _, n, u, s in SOP_COP_NEW for v in (Value(c, UW, 2024, u, n), Value(c, ST, 2024, s, n)))


def rate(num: float, den: float) -> float:
    return round(100 * num / den, 1)


# --- writers ---------------------------------------------------------------------------------------------

def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def csv_text(rows: list[list], sep: str = ",", decimal: str = ".") -> str:
    """What Excel writes for a sheet: every row padded to the sheet width, quotes only where needed."""
    width = max(len(r) for r in rows)
    lines = []
    for r in rows:
        cells = []
        for v in list(r) + [None] * (width - len(r)):
            s = "" if v is None else (f"{v:g}".replace(".", decimal) if isinstance(v, float) else str(v))
            if sep in s or '"' in s or "\n" in s:
                s = '"' + s.replace('"', '""') + '"'
            cells.append(s)
        lines.append(sep.join(cells))
    return "\r\n".join(lines) + "\r\n"


@dataclass
class Sheet:
    """A report sheet: rows of cells (str/int/float/None or Formula), merged ranges, and its title."""

    title: str
    rows: list[list] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``cached`` is the value Excel stored with it (None: saved without one)."""

    text: str
    cached: float | None

    def __str__(self) -> str:  # what a CSV export shows: the computed value
        return "" if self.cached is None else f"{self.cached:g}"


def xlsx(sheets: list[Sheet]) -> bytes:
    """Write the sheets; formula cells get their cached <v> by editing the sheet XML (openpyxl cannot)."""
    book = Workbook()
    book.remove(book.active)
    cached: dict[int, dict[str, float | None]] = {}
    for i, sh in enumerate(sheets, start=1):
        ws = book.create_sheet(sh.title)
        cached[i] = {}
        for r, row in enumerate(sh.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(v, Formula):
                    cell.value = "=" + v.text
                    cached[i][cell.coordinate] = v.cached
                else:
                    cell.value = v
                if r <= 3 and isinstance(v, str) and c == 1:
                    cell.font = Font(bold=True)
        for ref in sh.merges:
            ws.merge_cells(ref)
            ws[ref.split(":")[0]].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    dst_buf = io.BytesIO()
    with zipfile.ZipFile(dst_buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and cached.get(int(m.group(1))):
                text = body.decode()
                for ref, value in cached[int(m.group(1))].items():
                    pat = re.compile(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/?>(?:</v>)?')
                    text = pat.sub(lambda mm, v=value: mm.group(1) + ("" if v is None else f"<v>{v!r}</v>"), text)
                body = text.encode()
            dst.writestr(zipfile.ZipInfo(info.filename, (2025, 7, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return dst_buf.getvalue()


def flat(sheet: Sheet) -> list[list]:
    """The sheet as Excel's CSV export sees it: formulas become their values, merged cells blank but the first."""
    return [[("" if v is None else str(v) if isinstance(v, Formula) else v) for v in row] for row in sheet.rows]


# --- report builders -------------------------------------------------------------------------------------

SIGNATURE = [
    [],
    [None, None, None, None, None, "Pác Nặm, ngày 15 tháng 01 năm 2025"],
    [None, "NGƯỜI LẬP BIỂU", None, None, None, "GIÁM ĐỐC"],
    [None, "(Ký, ghi rõ họ tên)", None, None, None, "(Ký tên, đóng dấu)"],
    [],
    [None, "Nguyễn Thị Hoa", None, None, None, "Hoàng Văn Sơn"],
]


def district_report(units: list[tuple], year: int, *, district: str, province: str, sheet: str,
                    total: str = "Tổng cộng", total_override: dict[int, int] | None = None,
                    headers: tuple[str, ...] = ("TT", "Mã xã", "Tên xã", "Số trẻ dưới 5 tuổi được cân đo",
                                                "Suy dinh dưỡng thể nhẹ cân", "Suy dinh dưỡng thể thấp còi",
                                                "Số trẻ", "Tỷ lệ (%)"),
                    no_cache: tuple[int, ...] = (), codes_as_numbers: bool = False, bump: int = 0,
                    numbering_row: bool = False) -> Sheet:
    """Title rows, a merged two-level header (rows 5-6), one row per old commune with ROUND() rates, a
    total row and a signature block."""
    tt, code_h, name_h, den_h, uw_h, st_h, count_h, rate_h = headers
    sh = Sheet(sheet)
    sh.rows += [
        [f"UBND {district.upper()}", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["TRUNG TÂM Y TẾ", None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [],
        [f"BÁO CÁO KẾT QUẢ CÂN ĐO TRẺ EM DƯỚI 5 TUỔI NĂM {year} ({province})"],
        [tt, code_h, name_h, den_h, uw_h, None, st_h, None],
        [None, None, None, None, count_h, rate_h, count_h, rate_h],
    ]
    sh.merges += ["A4:H4", "A5:A6", "B5:B6", "C5:C6", "D5:D6", "E5:F5", "G5:H5"]
    if numbering_row:
        sh.rows.append(["A", "B", "C", "(1)", "(2)", "(3)=(2)/(1)", "(4)", "(5)=(4)/(1)"])
    first = len(sh.rows) + 1
    for i, (code, name, n, u, s) in enumerate(units, start=1):
        r = len(sh.rows) + 1
        n, u, s = n + 10 * bump, u + 2 * bump, s + 3 * bump
        shown_code = int(code) if codes_as_numbers else code
        sh.rows.append([i, shown_code, name, n,
                        u, Formula(f"ROUND(E{r}/D{r}*100,1)", None if i in no_cache else rate(u, n)),
                        s, Formula(f"ROUND(G{r}/D{r}*100,1)", rate(s, n))])
    last = len(sh.rows)
    r = last + 1
    sums = [sum(row[c] for row in sh.rows[first - 1:last]) for c in (3, 4, 6)]
    for col, value in (total_override or {}).items():
        sums[col] = value
    sh.rows.append([None, None, total, sums[0], sums[1], Formula(f"ROUND(E{r}/D{r}*100,1)", rate(sums[1], sums[0])),
                    sums[2], Formula(f"ROUND(G{r}/D{r}*100,1)", rate(sums[2], sums[0]))])
    sh.merges.append(f"A{r}:B{r}")
    sh.rows += SIGNATURE
    return sh


def grouped_report(year: int) -> Sheet:
    """Cao Phong, grouped by the 2025 commune each old one went to: a "Cộng" row per group, "Toàn huyện" at
    the end; codes stored as numbers (Excel dropped the zeros), "TT" for thị trấn."""
    sh = Sheet("Bao cao")
    sh.rows += [["UBND HUYỆN CAO PHONG"], ["PHÒNG Y TẾ"],
                [f"TỔNG HỢP SỐ TRẺ SUY DINH DƯỠNG NĂM {year}"],
                ["STT", "Mã ĐVHC", "Đơn vị", "Số trẻ được cân đo", "Số trẻ SDD thể nhẹ cân", "Số trẻ SDD thể thấp còi",
                 "Tỷ lệ SDD nhẹ cân (%)", "Tỷ lệ SDD thấp còi (%)"]]
    i = 0
    units = iter(CAO_PHONG)
    grand = [0, 0, 0]
    for _, new_name, parts in CAO_PHONG_GROUPS:
        sub = [0, 0, 0]
        for _ in range(parts):
            code, name, n, u, s = next(units)
            i += 1
            name = name.replace("Thị trấn ", "TT ")
            sh.rows.append([i, int(code), name, n, u, s, rate(u, n), rate(s, n)])
            sub = [sub[0] + n, sub[1] + u, sub[2] + s]
        sh.rows.append([None, None, f"Cộng ({new_name})", *sub, rate(sub[1], sub[0]), rate(sub[2], sub[0])])
        grand = [a + b for a, b in zip(grand, sub, strict=True)]
    sh.rows.append([None, None, "Toàn huyện", *grand, rate(grand[1], grand[0]), rate(grand[2], grand[0])])
    sh.rows += [[], [None, None, "Người lập biểu", None, None, "Trưởng phòng"]]
    return sh


def new_units_report(*, code_header: str = "Mã xã (mới)", rates_only: bool = False, nfd: bool = False) -> Sheet:
    """A provincial table of 2025 communes (Sốp Cộp area of Sơn La) with a year column."""
    sh = Sheet("Sheet1")
    sh.rows += [["UBND TỈNH SƠN LA"], ["SỞ Y TẾ"], ["BIỂU TỔNG HỢP TÌNH TRẠNG DINH DƯỠNG TRẺ EM DƯỚI 5 TUỔI"]]
    if rates_only:
        sh.rows.append(["STT", code_header, "Tên xã", "Năm", "Tỷ lệ SDD nhẹ cân (%)", "Tỷ lệ SDD thấp còi (%)"])
    else:
        sh.rows.append(["STT", code_header, "Tên xã", "Năm", "Số trẻ được cân đo", "Số trẻ SDD thể nhẹ cân",
                        "Số trẻ SDD thể thấp còi"])
    for i, (code, name, n, u, s) in enumerate(SOP_COP_NEW, start=1):
        shown = unicodedata.normalize("NFD", name) if nfd else name
        if rates_only:
            sh.rows.append([i, code, shown, 2024, rate(u, n), rate(s, n)])
        else:
            sh.rows.append([i, code, shown, 2024, n, u, s])
    sh.rows += [[], ["Ghi chú: số liệu theo báo cáo của Trung tâm Y tế các huyện."], [],
                [None, None, "Nơi nhận:", None, "KT. GIÁM ĐỐC"], [None, None, "- Lưu: VT.", None, "PHÓ GIÁM ĐỐC"]]
    if nfd:
        sh.rows = [[unicodedata.normalize("NFD", v) if isinstance(v, str) else v for v in row] for row in sh.rows]
    return sh


def unmapped_report() -> Sheet:
    """Sơn La's 2025 communes under headers the vocabulary does not know ("Trẻ được khám (người)"): only a
    mapping made on screen reads them; the sheet name gives the year, a "Tổng cộng" row closes the table."""
    sh = Sheet("2024")
    sh.rows += [["UBND TỈNH SƠN LA"], ["SỞ Y TẾ"], ["BÁO CÁO KẾT QUẢ KHÁM DINH DƯỠNG TRẺ EM NĂM 2024"],
                list(UNMAPPED_HEADERS)]
    for i, (code, name, n, u, s) in enumerate(SOP_COP_NEW, start=1):
        sh.rows.append([i, code, name, n, u, s])
    sh.rows.append([None, None, "Tổng cộng", *(sum(r[k] for r in SOP_COP_NEW) for k in (2, 3, 4))])
    sh.rows += SIGNATURE
    return sh


UNMAPPED_HEADERS = ("STT", "Mã xã (mới)", "Tên xã", "Trẻ được khám (người)", "Trẻ nhẹ cân (người)", "Trẻ còi (người)")
# what the user picks on screen for each column (the year column is added from the sheet name): one column
# is the denominator of both indicators
UNMAPPED_ROLES = ((), ("ma_xa",), ("ten_xa",), (f"{UW}__mau_so", f"{ST}__mau_so"), (f"{UW}__tu_so",),
                  (f"{ST}__tu_so",), ("nam",))


def simple_table(title: str, header: list[str], rows: list[list], sheet: str = "Sheet1") -> Sheet:
    sh = Sheet(sheet)
    sh.rows += [[title], [], header, *rows]
    return sh


OLD_PROVINCES = [("01", "Thành phố Hà Nội"), ("02", "Tỉnh Hà Giang"), ("04", "Tỉnh Cao Bằng"), ("06", "Tỉnh Bắc Kạn"),
                 ("08", "Tỉnh Tuyên Quang"), ("10", "Tỉnh Lào Cai"), ("11", "Tỉnh Điện Biên"), ("12", "Tỉnh Lai Châu"),
                 ("14", "Tỉnh Sơn La"), ("15", "Tỉnh Yên Bái"), ("17", "Tỉnh Hoà Bình"), ("19", "Tỉnh Thái Nguyên")]
NEW_PROVINCES = [("01", "Thành phố Hà Nội"), ("04", "Tỉnh Cao Bằng"), ("08", "Tỉnh Tuyên Quang"),
                 ("11", "Tỉnh Điện Biên"), ("12", "Tỉnh Lai Châu"), ("14", "Tỉnh Sơn La"), ("15", "Tỉnh Lào Cai"),
                 ("19", "Tỉnh Thái Nguyên"), ("20", "Tỉnh Lạng Sơn"), ("22", "Tỉnh Quảng Ninh"),
                 ("24", "Tỉnh Bắc Ninh"), ("25", "Tỉnh Phú Thọ")]


def _pac_nam(**kw) -> Sheet:
    kw.setdefault("sheet", "2024")
    return district_report(PAC_NAM, kw.pop("year", 2024), district="Huyện Pác Nặm", province="Tỉnh Bắc Kạn", **kw)


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def _forms() -> list[Form]:
    f: list[Form] = []

    def add(name: str, what: str, build, *runs: Run) -> None:
        f.append(Form(name, what, build, runs))

    old_ok = Run("old", "ok", PAC_NAM_2024, totals=1)
    add("pacnam_2024_report.xlsx", "district report, old codes, titles, merged 2-level header, shared denominator, "
        "ROUND() rates with cached values, Tổng cộng, signature; 01882 Nghiên Loan is an old and a new code with "
        "one name",
        lambda: xlsx([_pac_nam()]),
        old_ok,
        Run("auto", "confirm", PAC_NAM_2024[:4], held=(("01882", "ambiguous_code"),), totals=1, proposal="old"))
    add("pacnam_2023_2024_sheets.xlsx", "one sheet per year ('2023', 'Năm 2024') plus an instructions sheet",
        lambda: xlsx([Sheet("Hướng dẫn", [["Hướng dẫn điền biểu"], ["Mỗi năm một trang; không sửa công thức."]]),
                      _pac_nam(year=2023, sheet="2023", bump=1), _pac_nam(sheet="Năm 2024")]),
        Run("old", "ok", PAC_NAM_2023 + PAC_NAM_2024, totals=2,
            sheets={"Hướng dẫn": "skipped", "2023": "read", "Năm 2024": "read"}))
    add("pacnam_total_mismatch.xlsx", "stated 'Tổng cộng' weighed 1,580 while the communes add up to 1,570",
        lambda: xlsx([_pac_nam(total_override={0: 1580})]),
        Run("old", "ok", PAC_NAM_2024, totals=1, warnings=("total_mismatch",)))
    add("pacnam_formula_no_cache.xlsx", "the rate of row 3 is a formula saved without a computed value",
        lambda: xlsx([_pac_nam(no_cache=(3,))]),
        Run("old", "ok", PAC_NAM_2024, totals=1, warnings=("formula_without_value",)))
    add("pacnam_partial.xlsx", "only 5 of the 10 old communes reported: Bằng Thành gets 2 of its 4 parts",
        lambda: xlsx([district_report(PAC_NAM[:2] + PAC_NAM[4:7], 2024, district="Huyện Pác Nặm",
                                      province="Tỉnh Bắc Kạn", sheet="2024")]),
        Run("old", "ok", (Value("01864", UW, 2024, 43, 355, coverage=PARTIAL),
                          Value("01864", ST, 2024, 68, 355, coverage=PARTIAL)) + PAC_NAM_2024[2:4], totals=1))
    add("pacnam_no_diacritics.csv", "Excel CSV (UTF-8 with BOM) of the report typed without diacritics",
        lambda: b"\xef\xbb\xbf" + csv_text([[_fold(v) if isinstance(v, str) else v for v in row]
                                            for row in flat(_pac_nam())]).encode(),
        old_ok)
    add("pacnam_abbreviations.xlsx", "abbreviated headers: TT, T.số trẻ được cân đo, SDD CN/T, SDD CC/T, SL, %",
        lambda: xlsx([_pac_nam(headers=("TT", "Mã xã", "Tên xã", "T.số trẻ được cân đo", "SDD CN/T", "SDD CC/T",
                                        "SL", "%"))]),
        old_ok)
    add("pacnam_numbering_row.xlsx", "a column-numbering row '(1) (2) (3)=(2)/(1)' under the header",
        lambda: xlsx([_pac_nam(numbering_row=True)]), old_ok)
    add("caophong_grouped.xlsx", "codes stored as numbers (5089), 'TT Cao Phong', a 'Cộng' row per 2025 commune "
        "and 'Toàn huyện'; 05089 is Thị trấn Cao Phong before 2025 and Xã Cao Phong after",
        lambda: xlsx([grouped_report(2024)]),
        Run("old", "ok", CAO_PHONG_2024, totals=4),
        Run("auto", "ok", CAO_PHONG_2024, totals=4, proposal="old"))
    add("caophong_cp1258.csv", "Windows-1258 CSV, ';' separated, decimal commas, codes without leading zeros",
        lambda: encode_cp1258(csv_text(flat(grouped_report(2024)), sep=";", decimal=",")),
        Run("old", "ok", CAO_PHONG_2024, totals=4))
    add("caophong_unicode.txt", "Excel 'Unicode text': UTF-16 LE with BOM, tab separated",
        lambda: b"\xff\xfe" + csv_text(flat(grouped_report(2024)), sep="\t").encode("utf-16-le"),
        Run("old", "ok", CAO_PHONG_2024, totals=4))
    add("sopcop_2025_units.xlsx", "2025 communes, header 'Mã xã (mới)' says so; notes and 'Nơi nhận' below",
        lambda: xlsx([new_units_report()]),
        Run("auto", "ok", SOP_COP_2024), Run("new", "ok", SOP_COP_2024))
    add("sopcop_nfd.csv", "NFD text (macOS), header 'Mã xã': every code is an old and a new code with the same "
        "name; Púng Bánh and Sốp Cộp took in other communes, so only the user can say which; Mường Lèo and "
        "Mường Lạn went whole and alone into the 2025 commune, the same either way",
        lambda: csv_text(flat(new_units_report(code_header="Mã xã", nfd=True))).encode(),
        Run("auto", "confirm", SOP_COP_2024[4:], held=tuple((c, "ambiguous_code") for c, *_ in SOP_COP_NEW[:2])),
        Run("new", "ok", SOP_COP_2024))
    add("sopcop_rates_only.xlsx", "rates only, no counts: kept as rates, no aggregate from them",
        lambda: xlsx([new_units_report(rates_only=True)]),
        Run("new", "ok", tuple(v for c, _, n, u, s in SOP_COP_NEW
                               for v in (Value(c, UW, 2024, None, None, rate(u, n)),
                                         Value(c, ST, 2024, None, None, rate(s, n))))))
    add("hanoi_reused_codes.csv", "old Hà Nội codes that 2025 re-used: 00004 Trúc Bạch (now the code of Ba Đình), "
        "00229 Kim Liên (old and new, one name)",
        lambda: csv_text([["Mã xã", "Tên xã", "Năm", "Số trẻ được cân đo", "Số trẻ SDD thể thấp còi"],
                          ["00004", "Phường Trúc Bạch", 2024, 200, 20], ["00013", "Phường Quán Thánh", 2024, 150, 12],
                          ["00229", "Phường Kim Liên", 2024, 300, 27]]).encode(),
        Run("auto", "confirm", (Value("00004", ST, 2024, 32, 350, coverage=PARTIAL),),
            held=(("00229", "ambiguous_code"),), proposal="old"))
    add("hanoi_old_row_in_new_file.csv", "header says 2025 codes but the row '00004 Phường Trúc Bạch' is the old unit",
        lambda: csv_text([["Mã xã 2025", "Tên xã", "Năm", "Số trẻ được cân đo", "Số trẻ SDD thể thấp còi"],
                          ["00004", "Phường Trúc Bạch", 2024, 200, 20],
                          ["00008", "Phường Ngọc Hà", 2024, 400, 30]]).encode(),
        Run("auto", "confirm", (Value("00008", ST, 2024, 30, 400),), held=(("00004", "code_is_other_units"),)))
    add("mixed_old_new.xlsx", "a province table mixing the new 01864 Bằng Thành with old communes of Cao Minh",
        lambda: xlsx([simple_table("TỔNG HỢP SỐ LIỆU CÂN ĐO NĂM 2024", ["STT", "Mã xã", "Tên xã", "Số trẻ được cân đo",
                                                                      "Số trẻ SDD thể nhẹ cân"],
                                   [[1, "01864", "Xã Bằng Thành", 735, 88], [2, "01867", "Xã Công Bằng", 180, 21],
                                    [3, "01879", "Xã Cổ Linh", 150, 17], [4, "01885", "Xã Cao Tân", 95, 12]],
                                   sheet="2024")]),
        Run("auto", "confirm", (Value("01879", UW, 2024, 50, 425),), held=(("01864", "mixed_units"),),
            proposal="old"))
    add("province_old63.xlsx", "a province-level table (pre-2025 provinces, 2-digit codes)",
        lambda: xlsx([simple_table("TỶ LỆ SUY DINH DƯỠNG TRẺ EM THEO TỈNH NĂM 2024",
                                   ["Mã tỉnh", "Tỉnh/thành phố", "Năm", "Số trẻ được cân đo",
                                    "Số trẻ SDD thể thấp còi"],
                                   [[c, n, 2024, 10000 + 100 * i, 1500 + 20 * i]
                                    for i, (c, n) in enumerate(OLD_PROVINCES)])]),
        Run("auto", "refused", refusal="province_level"))
    add("province_new34.csv", "province-level rows with 2-digit codes in a column headed 'Mã'",
        lambda: csv_text([["Mã", "Tên đơn vị", "Năm", "Số trẻ được cân đo", "Số trẻ SDD thể nhẹ cân"]]
                         + [[c, n, 2024, 20000 + 10 * i, 2000 + i] for i, (c, n) in enumerate(NEW_PROVINCES)]).encode(),
        Run("auto", "refused", refusal="province_level"))
    add("caophong_names_only.xlsx", "old names with district and province, no codes",
        lambda: xlsx([simple_table("SỐ LIỆU NĂM 2024", ["Tên xã", "Huyện", "Tỉnh", "Năm", "Số trẻ được cân đo",
                                                        "Số trẻ SDD thể nhẹ cân", "Số trẻ SDD thể thấp còi"],
                                   [[nm, "Huyện Cao Phong", "Tỉnh Hoà Bình", 2024, n, u, s]
                                    for _, nm, n, u, s in CAO_PHONG])]),
        Run("old", "ok", CAO_PHONG_2024),
        Run("auto", "ok", CAO_PHONG_2024, proposal="old"))
    add("sopcop_codes_only.csv", "2025 codes under a plain 'Mã xã' with no name: each is also a pre-2025 code, "
        "so the app proposes 2025 units and saves nothing until the user confirms",
        lambda: csv_text([["Mã xã", "Năm", "Số trẻ được cân đo", "Số trẻ SDD thể nhẹ cân", "Số trẻ SDD thể thấp còi"]]
                         + [[c, 2024, n, u, s] for c, _, n, u, s in SOP_COP_NEW]).encode(),
        Run("auto", "ok", SOP_COP_2024, proposal="new"), Run("new", "ok", SOP_COP_2024))
    add("sopcop_names_only.csv", "2025 names and province, no codes: the names are also pre-2025 names of "
        "communes that were merged, so the units must be confirmed",
        lambda: csv_text([["Tên xã", "Tỉnh", "Năm", "Số trẻ được cân đo", "Số trẻ SDD thể nhẹ cân",
                           "Số trẻ SDD thể thấp còi"]]
                         + [[nm, "Sơn La", 2024, n, u, s] for _, nm, n, u, s in SOP_COP_NEW]).encode(),
        Run("auto", "ok", SOP_COP_2024, proposal="new"), Run("new", "ok", SOP_COP_2024))
    add("sopcop_unmapped_headers.xlsx", "headers the vocabulary does not know ('Trẻ được khám (người)', 'Trẻ còi "
        "(người)'): refused as having no indicator until the columns are mapped on screen",
        lambda: xlsx([unmapped_report()]),
        Run("auto", "refused", refusal="missing_column"))
    add("sopcop_signature_only_text.xlsx", "a sheet that is only a cover letter: nothing to read, said so",
        lambda: xlsx([Sheet("Công văn", [["UBND TỈNH SƠN LA"], ["V/v báo cáo số liệu dinh dưỡng"], [],
                                          ["Kính gửi: Sở Y tế"], ["Người ký"]])]),
        Run("auto", "refused", refusal="missing_column"))
    return f


FORMS = _forms()


def write_all(folder: Path) -> list[Path]:
    """Write every form into ``folder`` (a test's tmp dir); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for form in FORMS:
        path = folder / form.name
        path.write_bytes(form.build())
        paths.append(path)
    return paths


if __name__ == "__main__":  # for a look by hand: python tests/corpus/build_forms.py /tmp/forms
    import sys

    for p in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/forms")):
        print(p)
