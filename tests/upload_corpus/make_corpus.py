"""Regenerate the upload test corpus: ``python -m tests.upload_corpus.make_corpus`` (from the project folder).

Every file is small (< 50 KB) and written deterministically; ``expected.csv`` lists, per file, the
problem codes it must produce (";"-separated, empty for good files) and, where it matters, the row
and column of the first one. Files that would be huge (too many rows, zip bomb, oversized) are made
by the tests themselves at run time instead of being committed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from tests.corpus.build_forms import encode_cp1258

HERE = Path(__file__).resolve().parent

HEAD = "ma_xa,nam,stunting_u5__tu_so,stunting_u5__mau_so,play_point"


def _xlsx(sheets: dict[str, list[list]], percent_cells: tuple[str, ...] = (), sheet_for_percent: str = "") -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name == sheet_for_percent:
            for ref in percent_cells:
                ws[ref].number_format = "0.0%"
    return _save(book)


_STAMP = (2025, 7, 1, 0, 0, 0)


def _rezip(data: bytes, change: dict[str, bytes | None] | None = None) -> bytes:
    """Copy a zip with fixed timestamps (so regenerating gives the same bytes), replacing (or with None
    dropping) some entries and adding others."""
    change = change or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in change:
                dst.writestr(zipfile.ZipInfo(info.filename, _STAMP), src.read(info.filename), zipfile.ZIP_DEFLATED)
        for name, body in change.items():
            if body is not None:
                dst.writestr(zipfile.ZipInfo(name, _STAMP), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _save(book: Workbook) -> bytes:
    book.properties.created = book.properties.modified = datetime(2025, 7, 1)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml")
    core = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2025-07-01T00:00:00Z\g<2>", core)
    return _rezip(data, {"docProps/core.xml": core})


def build_files() -> dict[str, tuple[bytes, str, str, str]]:
    """file name → (bytes, expected codes, row, column)."""
    files: dict[str, tuple[bytes, str, str, str]] = {}

    def text(name: str, body: str, codes: str, row: str = "", column: str = "", encoding: str = "utf-8") -> None:
        files[name] = (body.encode(encoding), codes, row, column)

    good_book = _xlsx({"Du_lieu": [HEAD.split(","), ["00004", 2024, 1, 10, "Có"]]})

    # --- whole-file problems ---
    files["empty.csv"] = (b"", "empty_file", "", "")
    text("blank_lines_only.csv", "\n\n   \n\t\n", "empty_file")
    text("header_only.csv", HEAD + "\n", "empty_file")
    files["binary_png_renamed.csv"] = (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary_file", "", "")
    files["binary_nul_bytes.csv"] = (b"ma_xa,nam\n00004,20\x0024\n\x00\x01\x02\x03binary\x00\x00\xff\x00",
                                     "binary_file", "", "")
    files["control_chars.csv"] = (bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15]) * 40, "binary_file", "", "")
    files["pdf_renamed.csv"] = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "binary_file", "", "")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    files["xls_renamed.csv"] = (ole, "unsupported_format", "", "")
    files["old_excel.xls"] = (ole, "unsupported_format", "", "")
    utf16 = ("\ufeff" + HEAD.replace(",", "\t") + "\r\n00004\t2024\t1\t10\tCó\r\n").encode("utf-16-le")
    files["truncated_utf16.txt"] = (utf16[:-3], "unreadable_file", "", "")
    files["unknown_encoding.csv"] = (b"ma_xa,nam,play_point\n00004,2024,C\x81\x8d\xc3\x28\n",
                                     "unreadable_file", "", "")
    files["broken_zip.xlsx"] = (b"PK\x03\x04" + b"\x14\x00garbage" * 20, "unreadable_file", "", "")
    files["truncated.xlsx"] = (good_book[: len(good_book) // 2], "unreadable_file", "", "")
    files["macro.xlsm"] = (_rezip(good_book, {"xl/vbaProject.bin": b"\x00VBA" * 16}), "unsupported_format", "", "")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("notes.txt", _STAMP), "not a workbook")
    files["zip_not_workbook.xlsx"] = (zbuf.getvalue(), "binary_file", "", "")
    dbuf = io.BytesIO()
    with zipfile.ZipFile(dbuf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", _STAMP), "<Types/>")
        zf.writestr(zipfile.ZipInfo("word/document.xml", _STAMP), "<document/>")
    files["word_renamed.xlsx"] = (dbuf.getvalue(), "unsupported_format", "", "")
    sheet = zipfile.ZipFile(io.BytesIO(good_book)).read("xl/worksheets/sheet1.xml")
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + sheet
    files["dtd_entities.xlsx"] = (_rezip(good_book, {"xl/worksheets/sheet1.xml": evil}), "unreadable_file", "", "")
    files["wrong_sheet.xlsx"] = (_xlsx({"Ghi chu": [["Bảng này chỉ có ghi chú"], ["không có số liệu"]],
                                        "Tong hop": [["Tỉnh", "Tổng"], ["Hà Nội", 12]]}), "wrong_sheet", "", "")

    # --- header problems ---
    text("missing_year.csv", "ma_xa,stunting_u5__tu_so,stunting_u5__mau_so\n00004,1,10\n", "missing_column", "", "nam")
    text("missing_commune_column.csv", "nam,stunting_u5__tu_so,stunting_u5__mau_so\n2024,1,10\n",
         "missing_column", "", "ma_xa")
    text("no_indicator_column.csv", "ma_xa,nam,ghi_chu\n00004,2024,abc\n", "missing_column")
    text("name_without_province.csv", "ten_xa,nam,play_point\nBa Đình,2024,Có\n", "missing_column", "", "tinh")
    text("numerator_without_denominator.csv", "ma_xa,nam,stunting_u5__tu_so\n00004,2024,1\n", "missing_column",
         "", "stunting_u5__mau_so")
    text("duplicate_year_column.csv", "ma_xa,nam,Năm,play_point\n00004,2024,2024,Có\n", "duplicate_column")

    # --- cell and row problems ---
    text("formula_cells.csv", HEAD + "\n00004,2024,=1+2,10,Có\n00008,2024,1,10,@SUM(A1)\n"
         "00025,2024,+cmd|' /C calc'!A0,10,Có\n", "formula_like", "2", "stunting_u5__tu_so")
    book = Workbook()
    ws = book.active
    ws.title = "Du_lieu"
    ws.append(HEAD.split(","))
    ws.append(["00004", 2024, "=B2-2000", 100, "Có"])
    files["formula_cells.xlsx"] = (_save(book), "incomplete_counts", "2",
                                  "stunting_u5__tu_so")  # saved by a script: no cached value
    text("year_1900.csv", HEAD + "\n00004,1900,1,10,Có\n", "year_out_of_range", "2", "nam")
    text("year_not_a_number.csv", HEAD + "\n00004,năm 2024,1,10,Có\n00008,2024-2025,1,10,Có\n", "non_numeric", "2",
         "nam")
    text("rate_150_percent.csv", "ma_xa,nam,stunting_u5\n00004,2024,150%\n", "rate_out_of_range", "2", "stunting_u5")
    text("numerator_above_denominator.csv", HEAD + "\n00004,2024,12,10,Có\n", "numerator_above_denominator", "2",
         "stunting_u5__tu_so")
    text("negative_counts.csv", HEAD + "\n00004,2024,-3,10,Có\n00008,2024,1,-10,Có\n", "negative_count", "2",
         "stunting_u5__tu_so")
    text("text_in_numbers.csv", HEAD + "\n00004,2024,mười,10,Có\n00008,2024,12abc,10,Có\n", "non_numeric", "2",
         "stunting_u5__tu_so")
    text("fractional_count.csv", HEAD + '\n00004,2024,"12,5",100,Có\n', "not_whole_number", "2", "stunting_u5__tu_so")
    text("duplicate_rows.csv", HEAD + "\n00004,2024,1,10,Có\n4,2024,2,10,Có\n", "duplicate_commune_year", "2")
    text("unknown_code.csv", HEAD + "\n99999,2024,1,10,Có\n", "unknown_commune", "2", "ma_xa")
    text("old_code_as_new.csv", HEAD + "\n00001,2024,1,10,Có\n", "unknown_commune", "2", "ma_xa")
    text("not_a_code.csv", HEAD + "\nX-0004,2024,1,10,Có\n", "unknown_commune", "2", "ma_xa")
    text("unknown_name.csv", "ten_xa,tinh,nam,play_point\nXã Không Tồn Tại,Hà Nội,2024,Có\n", "unknown_commune", "2",
         "ten_xa")
    text("ambiguous_name_no_diacritics.csv", "ten_xa,tinh,nam,play_point\nVan Lang,Thai Nguyen,2024,Co\n",
         "ambiguous_name", "2", "ten_xa")
    text("ambiguous_old_name.csv", "ten_xa,tinh,nam,truoc_2025,play_point\nHòa Phú,Hà Nội,2024,Có,Có\n",
         "ambiguous_name", "2", "ten_xa")
    text("unknown_province.csv", "ten_xa,tinh,nam,play_point\nBa Đình,Tỉnh Atlantis,2024,Có\n", "unknown_province",
         "2", "tinh")
    text("invalid_yes_no.csv", HEAD + "\n00004,2024,1,10,có lẽ\n", "invalid_yes_no", "2", "play_point")
    text("incomplete_counts.csv", HEAD + "\n00004,2024,1,,Có\n", "incomplete_counts", "2", "stunting_u5__mau_so")
    text("value_mismatch.csv", "ma_xa,nam,stunting_u5__tu_so,stunting_u5__mau_so,stunting_u5\n00004,2024,10,100,50\n",
         "value_mismatch", "2", "stunting_u5")
    text("decimal_comma_unquoted.csv", "ma_xa,nam,stunting_u5\n00004,2024,12,5\n", "extra_cells", "2")
    text("missing_commune_cell.csv", HEAD + "\n,2024,1,10,Có\n", "missing_value", "2", "ma_xa")
    text("missing_year_cell.csv", HEAD + "\n00004,,1,10,Có\n", "missing_value", "2", "nam")
    text("blank_line_row_numbers.csv", HEAD + "\n00004,2024,1,10,Có\n\n00008,1999,1,10,Có\n", "year_out_of_range", "4",
         "nam")
    titled = [["Số liệu trẻ em năm 2024"], [], HEAD.split(","), ["00004", 2024, 1, 10, "Có"], [],
              ["00008", 2024, 1, 10, 7]]
    files["title_rows.xlsx"] = (_xlsx({"Du_lieu": titled}), "invalid_yes_no", "6", "play_point")
    text("several_problems.csv", HEAD + "\n00004,2024,1,10,Có\n00008,2030,20,10,Có\n99999,2024,1,10,Có\n",
         "numerator_above_denominator;unknown_commune", "3", "stunting_u5__tu_so")

    # --- good files ---
    text("good_new_codes.csv", 'ma_xa,nam,stunting_u5__tu_so,stunting_u5__mau_so,play_point,underweight_u5\n'
         '4,2024,12,1.200,Có,\n00008,2024,30,300,không,"7,5"\n', "")
    text("good_old_codes.csv", "ma_xa_cu,nam,stunting_u5__tu_so,stunting_u5__mau_so,play_point,child_friendly_commune\n"
         "00004,2024,10,100,Không,Có\n13,2024,20,200,Có,Có\n00016,2024,41,400,Không,Không\n", "")
    names = ("ten_xa,tinh,nam,stunting_u5__tu_so,stunting_u5__mau_so\n"
             '"  Phường   Ba Đình ",Thành phố Hà Nội,2024,1,10\n'
             "phuong ngoc ha,ha noi,2024,2,10\n"
             "Hòa Bình,TP Hồ Chí Minh,2024,3,10\n"
             "Xã Thanh Thủy,Tỉnh Phú Thọ,2024,4,10\n"
             "xa hoa binh,Ca Mau,2024,5,10\n"
             "Bến Thành,Ho Chi Minh City,2024,6,10\n"
             "Ba Chẽ,Quảng Ninh,2024,7,10\n"
             "YÊN HÒA,Hanoi,2024,8,10\n")
    text("good_names.csv", names, "")
    files["good_utf16_tabs.txt"] = (("\ufeff" + names.replace(",", "\t").replace('"', "")).encode("utf-16-le"),
                                    "", "", "")
    files["good_utf16_be.csv"] = (("\ufeff" + names).encode("utf-16-be"), "", "", "")
    files["good_cp1258.csv"] = (encode_cp1258(names), "", "", "")
    files["good_utf8_bom.csv"] = (("\ufeff" + names).encode("utf-8"), "", "", "")
    files["good_semicolon_decimal_comma.csv"] = (
        "Mã xã;Năm;SDD thấp còi (dưới 5 tuổi) - tử số;SDD thấp còi (dưới 5 tuổi) - mẫu số;Xã có điểm vui chơi trẻ em;"
        "underweight_u5\n00004;2024;1.234;2.468;Có;12,5 %\n".encode(), "", "", "")
    files["good_workbook.xlsx"] = (_xlsx({
        "Ghi chu": [["Ghi chú: số liệu minh họa"], ["Nguồn: tự tạo"]],
        "So lieu": [["Bảng số liệu"], [], ["Mã xã", "Năm", "underweight_u5", "play_point", "stunting_u5__tu_so",
                                           "stunting_u5__mau_so"],
                    [4, 2024, 0.125, True, 1234, 2468]],
    }, percent_cells=("C4",), sheet_for_percent="So lieu"), "", "", "")
    text("good_old_names.csv", "ten_xa,huyen,tinh,nam,truoc_2025,stunting_u5__tu_so,stunting_u5__mau_so\n"
         "Hòa Phú,Huyện Chương Mỹ,Hà Nội,2024,Có,5,50\nPhường Trúc Bạch,Quận Ba Đình,Hà Nội,2024,Có,10,100\n", "")
    text("good_unknown_column_warning.csv", HEAD + ",ghi_chu\n00004,2024,1,10,Có,ok\n", "")
    return files


def write_corpus(folder: Path = HERE) -> None:
    files = build_files()
    for name, (data, *_rest) in files.items():
        (folder / name).write_bytes(data)
        assert len(data) < 50 * 1024, name
    with (folder / "expected.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "codes", "row", "column"])
        for name, (_data, codes, row, column) in sorted(files.items()):
            writer.writerow([name, codes, row, column])


if __name__ == "__main__":
    write_corpus()
