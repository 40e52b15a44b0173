"""Data files an editor can publish as they are: the CSV bundle, the formatted workbook, the file names.

Pure tests on tiny inline tables: each file is opened the way its reader opens it (pandas and
openpyxl with their defaults, zipfile, json) and checked against what the page shows.
"""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from geo.reporting import bundle, workbook
from geo.reporting.filenames import MAX_LENGTH, Selection, file_name, slug
from geo.reporting.tabular import DataTable, FileMeta, MetaEntry, plain_frame

MARK = "Dữ liệu minh họa / Illustrative data — KHÔNG phải số liệu thống kê chính thức."


def table(**kw) -> DataTable:
    frame = pd.DataFrame({
        "Mã xã": ["00004", "02761", "00070"],
        "Xã / phường": ["Xã Lũng Cú", "=HYPERLINK(\"http://x\")", "Phường Ba Đình"],
        "Giá trị (%)": [49.44237918215613, 12.25, np.nan],
        "Tử số": [238.0, 31.0, np.nan],
        "Mẫu số": [481.0, 253.0, 0.0],
        "Khoảng cách (điểm %)": [29.44237918215613, -7.75, np.nan],
    })
    kinds = {"Mã xã": "code", "Xã / phường": "text", "Giá trị (%)": "num1", "Tử số": "int", "Mẫu số": "int",
             "Khoảng cách (điểm %)": "pp"}
    return DataTable(frame=frame, kinds=kinds, name=kw.get("name", "Dữ liệu"), decimals=kw.get("decimals", 1))


def meta(illustrative: bool = True, lang: str = "vi") -> FileMeta:
    return FileMeta(
        title="Các xã còn xa mục tiêu — Lai Châu, 2025",
        entries=(MetaEntry("source", "Nguồn", "Dữ liệu minh họa (mô hình v3)"),
                 MetaEntry("filters", "Phạm vi và bộ lọc", "Lai Châu; Xã biên giới: Có"),
                 MetaEntry("framework", "Khung mục tiêu", "Chương trình hành động quốc gia vì trẻ em 2021–2030"),
                 MetaEntry("data_date", "Số liệu tính đến", "2025"),
                 MetaEntry("method", "Phương pháp", "Tỷ lệ tính từ tổng tử số / tổng mẫu số.")),
        illustrative=illustrative, mark=MARK if illustrative else "",
        column_notes={"Tử số": "Trẻ dưới 5 tuổi thấp còi"}, lang=lang)


def test_numbers_are_rounded_as_the_page_prints_them_and_counts_are_integers():
    plain = plain_frame(table())
    assert plain["Giá trị (%)"].tolist()[:2] == [49.4, 12.2]  # 12.25 -> "12.2" like format_number (half-even)
    assert plain["Tử số"].dtype == "Int64" and plain["Tử số"].tolist()[:2] == [238, 31]
    assert plain["Khoảng cách (điểm %)"].tolist()[:2] == [29.4, -7.8]
    assert plain["Mã xã"].tolist() == ["00004", "02761", "00070"]
    assert plain["Xã / phường"].iloc[1].startswith("'=")  # formula neutralised
    assert plain_frame(table(decimals=2))["Giá trị (%)"].iloc[0] == 49.44
    with pytest.raises(ValueError):
        plain_frame(DataTable(pd.DataFrame({"a": [1]}), {"a": "percent"}))
    with pytest.raises(ValueError):  # text in a number column is an error, never a blank cell
        plain_frame(DataTable(pd.DataFrame({"a": ["12,5"]}), {"a": "num1"}))


def test_csv_bundle_holds_plain_data_metadata_and_readme():
    raw = bundle.csv_bundle(table(), meta(), created=datetime(2025, 11, 23, 9, 30))
    zf = zipfile.ZipFile(io.BytesIO(raw))
    assert sorted(zf.namelist()) == ["README.txt", "data.csv", "metadata.json"]

    data = zf.read("data.csv")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese right
    back = pd.read_csv(io.BytesIO(data))  # pandas defaults
    assert list(back.columns) == list(table().frame.columns)  # one header row, BOM not in the first name
    assert back["Giá trị (%)"].dtype == float and back["Giá trị (%)"].tolist()[:2] == [49.4, 12.2]
    assert back["Mẫu số"].dtype == np.int64 and back["Mẫu số"].tolist() == [481, 253, 0]
    text = data.decode("utf-8-sig")
    assert "238," in text and "238.0" not in text and "49.44" not in text
    assert text.splitlines()[1].startswith("VN00004,")  # codes in a form no reader takes for a number
    assert back["Mã xã"].tolist() == ["VN00004", "VN02761", "VN00070"]  # pandas defaults: text, zeros kept
    assert back["Mã xã"].str.removeprefix("VN").tolist() == ["00004", "02761", "00070"]
    codes = pd.read_csv(io.BytesIO(data), dtype={"Mã xã": str})["Mã xã"].tolist()
    assert codes == back["Mã xã"].tolist()  # the README's dtype line reads the same

    doc = json.loads(zf.read("metadata.json"))
    assert doc["illustrative"] is True and doc["illustrative_note"] == MARK
    assert doc["title"].startswith("Các xã còn xa") and doc["filters"] == "Lai Châu; Xã biên giới: Có"
    assert doc["framework"].startswith("Chương trình") and doc["data_date"] == "2025"
    assert doc["created"] == "2025-11-23T09:30:00" and doc["method"].startswith("Tỷ lệ")
    fields = {f["name"]: f for f in doc["resources"][0]["schema"]["fields"]}
    assert fields["Mã xã"]["type"] == "string" and fields["Tử số"]["type"] == "integer"
    assert fields["Mã xã"]["constraints"] == {"pattern": "^VN[0-9]+$"}
    assert fields["Giá trị (%)"] == {"name": "Giá trị (%)", "type": "number", "kind": "num1", "decimals": 1,
                                     "description": ""}
    assert fields["Tử số"]["description"] == "Trẻ dưới 5 tuổi thấp còi"

    readme = zf.read("README.txt").decode("utf-8")
    assert readme.splitlines()[1] == MARK[:len(readme.splitlines()[1])]  # the mark comes first
    assert "Lai Châu; Xã biên giới: Có" in readme and "data.csv" in readme and "metadata.json" in readme
    assert 'dtype={"Mã xã": str}' in readme and "VN00001" not in readme
    assert "tiền tố VN (ví dụ VN01001 là mã 01001" in readme and '.str.removeprefix("VN")' in readme
    assert bundle.csv_bundle(table(), meta(), created=datetime(2025, 11, 23, 9, 30)) == raw  # reproducible


def test_bundle_without_illustrative_data_has_no_mark_and_english_readme():
    raw = bundle.csv_bundle(table(), meta(illustrative=False, lang="en"))
    zf = zipfile.ZipFile(io.BytesIO(raw))
    doc = json.loads(zf.read("metadata.json"))
    assert doc["illustrative"] is False and "illustrative_note" not in doc
    readme = zf.read("README.txt").decode("utf-8")
    assert "!!!!" not in readme and "Columns (data.csv):" in readme and "1 decimals" in readme


def test_workbook_has_widths_frozen_header_formats_mark_on_every_sheet_and_about_sheet():
    second = DataTable(pd.DataFrame({"Tỉnh": ["Lai Châu"], "Số xã": [38.0]}), {"Số xã": "int"}, name="Theo tỉnh")
    raw = workbook.xlsx_workbook([table(), second], meta())
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames == ["Dữ liệu", "Theo tỉnh", "Thông tin"]
    for ws in wb.worksheets:
        assert MARK in str(ws["A1"].value)  # the mark on every sheet, first row
        assert ws["A1"].fill.fgColor.rgb.endswith("FDECEA")
        assert MARK in ws.oddHeader.center.text
    ws = wb["Dữ liệu"]
    assert ws.freeze_panes == "A3"
    header = [c.value for c in ws[workbook.HEADER_ROW]]
    assert header == list(table().frame.columns) and ws["A2"].font.b
    assert ws["A3"].value == "00004" and ws["A3"].data_type == "s"  # code as text
    assert ws["C3"].value == 49.4 and ws["C3"].number_format == "#,##0.0"
    assert ws["D3"].value == 238 and isinstance(ws["D3"].value, int) and ws["D3"].number_format == "#,##0"
    assert ws["F4"].value == -7.8 and ws["F4"].number_format.startswith("+")
    assert ws["C5"].value is None  # missing stays empty, not 0 or "nan"
    assert ws["B4"].value.startswith("'=") and all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["B"] > widths["D"] >= 6 and widths["B"] >= len("Phường Ba Đình")
    back = pd.read_excel(io.BytesIO(raw), header=workbook.HEADER_ROW - 1, dtype={"Mã xã": str})
    assert back["Mã xã"].tolist() == ["00004", "02761", "00070"] and back["Mẫu số"].tolist() == [481, 253, 0]

    about = {r[0]: r[1] for r in wb["Thông tin"].iter_rows(values_only=True) if r[0]}
    assert about["Phạm vi và bộ lọc"] == "Lai Châu; Xã biên giới: Có" and about["Số liệu tính đến"] == "2025"
    assert about["Tử số"] == "Trẻ dưới 5 tuổi thấp còi"  # column dictionary
    assert "Các cột của trang “Theo tỉnh”" in about


def test_workbook_without_mark_keeps_the_title_row():
    wb = load_workbook(io.BytesIO(workbook.xlsx_workbook([table()], meta(illustrative=False, lang="en"))))
    assert wb.sheetnames == ["Dữ liệu", "About"]
    assert wb["Dữ liệu"]["A1"].value == meta().title and "Illustrative" not in str(wb["About"]["A1"].value)


# --- file names -------------------------------------------------------------------------------------------


BASE = dict(indicator="stunting_u5", year=2025, target_year=2025, framework="national_qd23",
            all_commune_types=("xa", "phuong", "dac_khu"))


def test_file_name_reads_what_is_inside():
    name = file_name(Selection(**BASE, province="12", province_name="Lai Châu", flags={"border": True}),
                     "lagging", "csv")
    assert name == "stunting-u5_p12-lai-chau_y2025_t2025_f-national-qd23_border-yes_lagging.csv"
    assert slug("Đắk Lắk") == "dak-lak" and name.isascii() and " " not in name


def test_filtered_and_unfiltered_files_never_share_a_name():
    """The issue's case (stunting_u5_2025_2025_12.csv for both) and every combination of the selection."""
    names = set()
    combos = itertools.product(("", "12", "15"), (2024, 2025), (2025, 2030), ("national_qd23", "tam_duong"),
                               (None, True, False), (None, True, False),
                               (("xa", "phuong", "dac_khu"), ("xa",), ("phuong", "dac_khu")),
                               ("", "my data@1", "my data@2", "My Data@1"), ("", "furthest", "nearest"))
    n = 0
    for prov, year, ty, fw, em, border, types, ds, order in combos:
        sel = Selection(indicator="stunting_u5", year=year, target_year=ty, framework=fw, province=prov,
                        province_name={"": "", "12": "Lai Châu", "15": "Lào Cai"}[prov],
                        flags={"em_area": em, "border": border}, commune_types=types,
                        all_commune_types=BASE["all_commune_types"], dataset=ds, extra={"order": order})
        names.add(file_name(sel, "lagging", "csv"))
        n += 1
    assert len(names) == n
    plain = Selection(**BASE)
    assert file_name(plain, "lagging", "csv") != file_name(plain, "lagging", "xlsx")
    assert file_name(plain, "lagging", "csv") != file_name(plain, "equity", "csv")


def test_long_names_are_cut_but_stay_distinct():
    long_a = Selection(**BASE, extra={"search": "x" * 300 + "a"}, dataset="d" * 200)
    long_b = Selection(**BASE, extra={"search": "x" * 300 + "b"}, dataset="d" * 200)
    a, b = file_name(long_a, "map_data", "zip"), file_name(long_b, "map_data", "zip")
    assert a != b and len(a) <= MAX_LENGTH and len(b) <= MAX_LENGTH and a.endswith(".zip")
