"""Report layouts on tiny inline sheets: header rows, merged two-level headers, totals, numbering, footers."""

from __future__ import annotations

from geo.ingest import layout


def _score(cells: list[str]) -> int:
    known = {"ma xa", "ten xa", "so tre duoc can do", "sdd nhe can so tre", "sdd nhe can ty le"}
    from geo.text.fold import fold

    return sum(fold(c) in known for c in cells)


def test_two_row_header_carries_the_group_cell_over_its_sub_headers():
    assert layout.join_header(["Mã xã", "SDD nhẹ cân", None, "Ghi chú"], [None, "Số trẻ", "%", None]) == [
        "Mã xã", "SDD nhẹ cân Số trẻ", "SDD nhẹ cân tỷ lệ", "Ghi chú"]


def test_header_is_found_below_title_rows_and_may_span_two_rows():
    records = [(1, ["UBND HUYỆN PÁC NẶM", None, None]), (2, ["BÁO CÁO NĂM 2024", None, None]),
               (4, ["Mã xã", "Tên xã", "Số trẻ được cân đo", "SDD nhẹ cân", None]),
               (5, [None, None, None, "Số trẻ", "Tỷ lệ"]), (6, ["01858", "Xã Bằng Thành", 210, 25, 11.9])]
    header = layout.find_header(records, _score)
    assert header.rows == (4, 5)
    assert header.cells[3:] == ["SDD nhẹ cân Số trẻ", "SDD nhẹ cân Tỷ lệ"]
    one = layout.find_header([(3, ["Mã xã", "Tên xã"]), (4, ["01858", "Xã Bằng Thành"])], _score)
    assert one.rows == (3,)  # a data row is never glued under a complete header
    assert layout.find_header([(1, ["BÁO CÁO"]), (2, ["x", "y"])], _score) is None


def test_body_rows_are_sorted_into_communes_totals_numbering_and_footer():
    body = layout.split_body([
        (7, ["A", "B", "C", "(1)", "(2)", "(3)=(2)/(1)"]),
        (8, [1, "01858", "Xã Bằng Thành", 210, 25]),
        (9, [None, "Cộng (Xã Cao Phong)", None, 600, 52]),
        (10, [2, "01861", "Xã Tổng Cọt", 145, 18]),  # a commune whose name starts like "Tổng" is still a commune
        (11, [None, None, "TỔNG CỘNG", 355, 43]),
        (12, [3, None, "Cộng Hòa", 90, 9]),  # the commune "Cộng Hòa" written without "Xã"
        (15, [None, None, None, None, None, "Pác Nặm, ngày 15 tháng 01 năm 2025"]),
        (16, [None, "NGƯỜI LẬP BIỂU", None, "GIÁM ĐỐC"]),
        (17, [None, "Nguyễn Thị Hoa", None, "Hoàng Văn Sơn"]),
    ])
    assert [n for n, _ in body.data] == [8, 10, 12]
    assert [n for n, _ in body.totals] == [9, 11]
    assert body.skipped == {"numbering": [7], "footer": [15, 16, 17]}


def test_sheet_names_that_give_a_year():
    assert [layout.sheet_year(n) for n in ("2023", "Năm 2024", "nam 2022", "Year 2021", "Sheet1", "2024-2025")] == [
        2023, 2024, 2022, 2021, None, None]


def test_title_rows_give_the_year_only_when_they_state_one():
    assert layout.title_year([["UBND HUYỆN PÁC NẶM"], ["BÁO CÁO KẾT QUẢ CÂN ĐO NĂM 2024", None]]) == 2024
    assert layout.title_year([["BÁO CÁO NĂM 2023 VÀ NĂM 2024"]]) is None
    assert layout.title_year([["Pác Nặm, ngày 15 tháng 01 năm 2025"], ["Quyết định 1183/QĐ-TTg"]]) == 2025


def test_a_total_at_the_end_of_each_year_sheet_is_checked_against_its_own_sheet(tmp_path):
    from geo.indicators.registry import load_registry
    from geo.ingest.headers import load_column_aliases, map_headers
    from geo.ingest.read import LIMITS, read_table
    from geo.ingest.validate import _Collector, _note_layout
    from tests.corpus.build_forms import Sheet, xlsx

    sheets = [Sheet(f"Năm {y}", [["BÁO CÁO"], ["Mã xã", "Tên xã", "Số trẻ được cân đo", "Số trẻ SDD thể nhẹ cân"],
                                 ["01858", "Xã Bằng Thành", 10, 1], ["01861", "Xã Nhạn Môn", 5, 1],
                                 [None, "Tổng cộng", 15, 2 + bad]]) for y, bad in ((2023, 0), (2024, 1))]
    aliases = load_column_aliases(load_registry())
    table, _ = read_table(xlsx(sheets), "b.xlsx", aliases)
    bag = _Collector(len(table.rows), LIMITS)
    _note_layout(table, map_headers(table.header, aliases), bag)
    mismatches = [p for p in bag.list_problems() if p.code == "total_mismatch"]
    assert [(p.row, p.value) for p in mismatches] == [(5, "3")]  # only the 2024 sheet's wrong total
