"""Upload reading, header mapping, validation, commune matching and the XLSX template.

The corpus in tests/upload_corpus/ (regenerate with make_corpus.py) holds one small file per kind of
problem plus good files; expected.csv says which problem codes each must produce and where. Files that
would be large (too many rows, zip bomb, oversized) are generated here at run time.
"""

from __future__ import annotations

import csv
import io
import random
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from geo.errors import DataError
from geo.indicators.registry import load_registry
from geo.ingest import cells, read, vocab
from geo.ingest import headers as hdr
from geo.ingest import validate as up
from geo.ingest.crosswalk import load_crosswalk
from geo.ingest.match import AMBIGUOUS, UNKNOWN, build_matcher, normalize_province, pad_code
from geo.ingest.problems import MESSAGE_KEYS, make_problem
from geo.ingest.template import COMMUNES_SHEET, DATA_SHEET, HELP_SHEET, build_template_xlsx, list_template_columns
from geo.ingest.vocab import BASIS_CODE_2025, BASIS_CODE_PRE2025, BASIS_NAME_2025, BASIS_NAME_PRE2025, ERA_PRE2025
from geo.text.fold import fold, fold_name, nfc, normalize_name, split_unit_type

CORPUS = Path(__file__).parent / "upload_corpus"
EXPECTED = list(csv.DictReader((CORPUS / "expected.csv").open(encoding="utf-8")))
HEAD = "ma_xa,nam,stunting_u5__tu_so,stunting_u5__mau_so,play_point"

realdata = pytest.mark.realdata  # tests that need the reference data (they skip without it)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def crosswalk(reference_dir):
    return load_crosswalk(reference_dir)


@pytest.fixture(scope="module")
def matcher(crosswalk):
    return build_matcher(crosswalk.new_units, crosswalk)


@pytest.fixture(scope="module")
def validate(registry, matcher):
    aliases = hdr.load_column_aliases(registry)

    def run(data: bytes | str, filename: str = "upload.csv", **kwargs) -> up.ValidationResult:
        if isinstance(data, str):
            data = data.encode("utf-8")
        return up.validate_upload(data, filename, registry, matcher, aliases=aliases, **kwargs)

    return run


def _codes(result: up.ValidationResult) -> set[str]:
    return {p.code for p in result.errors}


# --- The corpus -------------------------------------------------------------------------------------


def test_corpus_is_complete_and_small() -> None:
    listed = {r["file"] for r in EXPECTED}
    on_disk = {p.name for p in CORPUS.iterdir() if p.name not in ("expected.csv", "make_corpus.py")}
    assert listed == on_disk
    assert sum(1 for r in EXPECTED if r["codes"]) >= 30
    assert sum(1 for r in EXPECTED if not r["codes"]) >= 5
    assert all((CORPUS / name).stat().st_size < 50 * 1024 for name in on_disk)


@realdata
@pytest.mark.parametrize("case", EXPECTED, ids=[r["file"] for r in EXPECTED])
def test_corpus_file_gives_expected_problems(case: dict, validate) -> None:
    result = validate((CORPUS / case["file"]).read_bytes(), case["file"])
    expected = [c for c in case["codes"].split(";") if c]
    if not expected:
        assert result.errors == [], [p.describe("en") for p in result.errors]
        assert len(result.valid_rows) > 0
        return
    assert set(expected) <= _codes(result), [p.describe("en") for p in result.problems]
    first = [p for p in result.problems if p.code == expected[0]]
    if case["row"]:
        assert int(case["row"]) in {p.row for p in first}
    if case["column"]:
        assert case["column"] in {p.column for p in first}
    for p in result.problems:  # every problem speaks both languages
        assert p.message_vi and p.message_en and p.message_vi != p.message_en


@realdata
@pytest.mark.parametrize("case", EXPECTED, ids=[r["file"] for r in EXPECTED])
def test_no_valid_row_carries_an_error(case: dict, validate) -> None:
    result = validate((CORPUS / case["file"]).read_bytes(), case["file"])
    bad_rows = {p.row for p in result.errors if p.row is not None}
    assert not bad_rows & set(result.valid_rows["source_row"])
    if any(p.is_error and p.row is None for p in result.problems):
        assert result.valid_rows.empty
    if not result.valid_rows.empty:
        up.VALID_ROWS_SCHEMA.validate(result.valid_rows)


# --- Good files land on the right communes ----------------------------------------------------------

NAMES_EXPECTED = ["00004", "00008", "27211", "08674", "31891", "26743", "06978", "00175"]


@pytest.mark.parametrize("name,encoding,delimiter", [
    ("good_names.csv", "utf-8", ","), ("good_utf8_bom.csv", "utf-8-sig", ","),
    ("good_utf16_tabs.txt", "utf-16", "\t"), ("good_utf16_be.csv", "utf-16", ","),
    ("good_cp1258.csv", "cp1258", ","),
])
@realdata
def test_names_in_any_encoding_land_on_the_right_communes(name: str, encoding: str, delimiter: str,
                                                          validate) -> None:
    result = validate((CORPUS / name).read_bytes(), name)
    assert result.source["encoding"] == encoding and result.source["delimiter"] == delimiter
    rows = result.valid_rows.sort_values("source_row")
    assert rows["code"].tolist() == NAMES_EXPECTED
    assert set(rows["basis"]) == {BASIS_NAME_2025}
    assert rows["numerator"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rows["value"].tolist() == [10, 20, 30, 40, 50, 60, 70, 80]
    assert rows["source_row"].tolist() == list(range(2, 10))


def test_cp1258_file_really_uses_combining_tone_marks() -> None:
    data = (CORPUS / "good_cp1258.csv").read_bytes()
    assert b"\xd2" in data  # U+0309 combining hook above, as in "Thủy"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


@realdata
def test_new_codes_counts_and_values(validate) -> None:
    rows = validate((CORPUS / "good_new_codes.csv").read_bytes()).valid_rows
    got = {(r.code, r.indicator): (r.numerator, r.denominator, r.value) for r in rows.itertuples()}
    assert got[("00004", "stunting_u5")] == (12, 1200, 1.0)  # "1.200" is twelve hundred
    assert got[("00004", "play_point")] == (1, 1, 100)
    assert got[("00008", "play_point")] == (0, 1, 0)
    num, den, value = got[("00008", "underweight_u5")]
    assert np.isnan(num) and np.isnan(den) and value == 7.5
    assert len(rows) == 5


@realdata
def test_semicolons_decimal_commas_and_vietnamese_headers(validate) -> None:
    result = validate((CORPUS / "good_semicolon_decimal_comma.csv").read_bytes())
    got = result.valid_rows.set_index("indicator")
    assert got.loc["stunting_u5", ["numerator", "denominator", "value"]].tolist() == [1234, 2468, 50]
    assert got.loc["underweight_u5", "value"] == 12.5
    assert got.loc["play_point", "value"] == 100
    assert set(result.columns["indicator"].dropna()) == {"stunting_u5", "play_point", "underweight_u5"}


@realdata
def test_workbook_sheet_choice_title_rows_percent_format_and_booleans(validate) -> None:
    result = validate((CORPUS / "good_workbook.xlsx").read_bytes(), "good_workbook.xlsx")
    assert result.source["sheet"] == "So lieu"  # the first sheet has no header
    got = result.valid_rows.set_index("indicator")
    assert set(got["source_row"]) == {4}  # header on row 3 below a title and a blank row
    assert got.loc["underweight_u5", "value"] == pytest.approx(12.5)  # 0.125 formatted as percent
    assert got.loc["play_point", "value"] == 100  # TRUE
    assert got.loc["stunting_u5", "value"] == 50
    assert set(got["code"]) == {"00004"}  # the number 4 is zero-padded


@realdata
def test_old_names_with_district(validate) -> None:
    rows = validate((CORPUS / "good_old_names.csv").read_bytes()).valid_rows
    assert rows.sort_values("source_row")["code"].tolist() == ["10108", "00004"]
    assert set(rows["basis"]) == {BASIS_NAME_PRE2025}


@realdata
def test_old_codes_keep_old_code_and_basis(validate) -> None:
    rows = validate((CORPUS / "good_old_codes.csv").read_bytes()).valid_rows
    assert set(rows["code"]) == {"00004", "00013", "00016"}
    assert set(rows["basis"]) == {BASIS_CODE_PRE2025}


@realdata
def test_unknown_column_is_only_a_warning_with_suggestion(validate) -> None:
    result = validate(HEAD + ",stuntng_u5__tu_so\n00004,2024,1,10,Có,3\n")
    warning = next(p for p in result.problems if p.code == vocab.UNKNOWN_COLUMN)
    assert not warning.is_error and warning.row == 1
    assert "stunting_u5__tu_so" in warning.suggestions
    assert result.is_clean and len(result.valid_rows) == 2


# --- Problems generated at run time -----------------------------------------------------------------


@realdata
def test_too_many_rows_is_refused_quickly(validate) -> None:
    body = HEAD + "\n" + "00004,2024,1,10,Có\n" * (read.LIMITS.max_rows + 1)
    started = time.perf_counter()
    result = validate(body)
    assert _codes(result) == {vocab.TOO_MANY_ROWS}
    assert result.valid_rows.empty
    assert time.perf_counter() - started < 10


@realdata
def test_too_many_rows_in_a_workbook(validate) -> None:
    book = Workbook()
    ws = book.active
    ws.append(HEAD.split(","))
    for _ in range(30):
        ws.append(["00004", 2024, 1, 10, "Có"])
    out = io.BytesIO()
    book.save(out)
    result = validate(out.getvalue(), "many.xlsx", limits=read.Limits(max_rows=20))
    assert _codes(result) == {vocab.TOO_MANY_ROWS}


@realdata
def test_oversized_file_is_refused_before_reading(validate) -> None:
    result = validate(b"x" * (read.LIMITS.max_bytes + 1), "big.csv")
    assert _codes(result) == {vocab.TOO_LARGE}
    assert "MB" in result.problems[0].message_en


@realdata
def test_zip_bomb_is_refused_from_the_zip_directory(validate) -> None:
    book = Workbook()
    book.active.append(HEAD.split(","))
    small = io.BytesIO()
    book.save(small)
    src = zipfile.ZipFile(small)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(read.LIMITS.max_unzipped_bytes // len(chunk) + 8):
                fh.write(chunk)
    data = bomb.getvalue()
    assert len(data) < 1024 * 1024  # a small upload …
    started = time.perf_counter()
    result = validate(data, "bomb.xlsx")
    assert _codes(result) == {vocab.TOO_LARGE}  # … refused without inflating it
    assert "zip" in result.problems[0].message_en
    assert time.perf_counter() - started < 2


@realdata
def test_cell_cap_and_forged_dimension(validate) -> None:
    book = Workbook()
    ws = book.active
    ws.append(HEAD.split(","))
    for _ in range(10):
        ws.append(["00004", 2024, 1, 10, "Có"])
    out = io.BytesIO()
    book.save(out)
    result = validate(out.getvalue(), "cells.xlsx", limits=read.Limits(max_cells=20))
    assert _codes(result) == {vocab.TOO_LARGE}
    # A sheet claiming to span A1:XFD1048576 must not make the reader pad every row.
    forged = io.BytesIO()
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<dimension ref="A1:E11"/>', b'<dimension ref="A1:XFD1048576"/>')
                assert b"XFD1048576" in body
            dst.writestr(info.filename, body)
    started = time.perf_counter()
    result = validate(forged.getvalue(), "forged.xlsx")
    assert time.perf_counter() - started < 3
    assert _codes(result) == {vocab.DUPLICATE_COMMUNE_YEAR}  # read normally: ten rows of the same commune


@realdata
def test_named_sheet(validate) -> None:
    data = (CORPUS / "good_workbook.xlsx").read_bytes()
    assert validate(data, "w.xlsx", sheet="so LIEU").valid_rows["code"].tolist()[0] == "00004"
    wrong = validate(data, "w.xlsx", sheet="Data")
    assert _codes(wrong) == {vocab.WRONG_SHEET}
    assert wrong.problems[0].suggestions == ["Ghi chu", "So lieu"]
    no_header = validate(data, "w.xlsx", sheet="Ghi chu")
    assert _codes(no_header) == {vocab.WRONG_SHEET}


@realdata
def test_mutated_workbooks_and_random_bytes_never_raise(validate) -> None:
    rng = random.Random(7)
    good = bytearray((CORPUS / "good_workbook.xlsx").read_bytes())
    for _ in range(25):
        data = bytearray(good)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        result = validate(bytes(data), "fuzz.xlsx")
        assert isinstance(result, up.ValidationResult)
    for _ in range(25):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000)))
        result = validate(data, "fuzz.csv")
        assert isinstance(result, up.ValidationResult)


@realdata
def test_problem_list_is_capped_but_every_problem_counted(validate) -> None:
    body = HEAD + "\n" + "".join(f"99999,2024,{i + 2},1,Có\n" for i in range(50))
    result = validate(body, limits=read.Limits(max_problems=10))
    assert result.counts["errors"] == 50 + 50  # unknown commune + numerator above denominator per row
    assert len(result.problems) == 11 and result.problems[-1].code == vocab.MORE_PROBLEMS
    assert result.counts["rows_with_errors"] == 50


# --- Rules ------------------------------------------------------------------------------------------


@realdata
def test_rows_with_errors_are_left_out_but_others_kept(validate) -> None:
    result = validate(HEAD + "\n00004,2024,1,10,Có\n00008,2024,20,10,Có\n00025,2024,2,10,\n")
    assert sorted(set(result.valid_rows["source_row"])) == [2, 4]  # row 3 has an error: all of it is dropped
    assert result.counts == {**result.counts, "rows": 3, "rows_valid": 2, "rows_with_errors": 1, "values": 3}
    assert not result.is_clean
    frame = result.tabulate_problems("en")
    assert frame.loc[0, "row"] == 3 and frame.loc[0, "severity"] == "error"


@realdata
def test_code_and_name_disagreeing_is_a_warning(validate) -> None:
    result = validate("ma_xa,ten_xa,tinh,nam,play_point\n00004,Ngọc Hà,Hà Nội,2024,Có\n"
                      "00008,Phường Ngọc Hà,Ha Noi,2024,Có\n00025,Giảng Võ,Đà Nẵng,2024,Có\n")
    mismatches = [p for p in result.problems if p.code == vocab.NAME_CODE_MISMATCH]
    assert [p.row for p in mismatches] == [2, 4]
    assert "Phường Ba Đình (Thành phố Hà Nội, mã 00004)" in mismatches[0].message_vi
    assert len(result.valid_rows) == 3


@realdata
def test_era_option(validate) -> None:
    as_old = validate(HEAD + "\n00001,2024,1,10,Có\n", era="pre2025")
    assert as_old.is_clean and set(as_old.valid_rows["basis"]) == {BASIS_CODE_PRE2025}
    names = "ten_xa,tinh,nam,play_point\nPhường Ngọc Hà,Hà Nội,2024,Có\n"
    assert validate(names).valid_rows["code"].tolist() == ["00008"]
    assert validate(names, era="pre2025").valid_rows["code"].tolist() == ["00016"]
    with pytest.raises(ValueError):
        validate(names, era="1990")


@realdata
def test_mixed_file_of_new_and_old_codes(validate) -> None:
    result = validate("ma_xa,ma_xa_cu,nam,play_point\n00004,,2024,Có\n,00001,2024,Không\n,00004,2024,Có\n")
    assert result.is_clean
    got = dict(zip(result.valid_rows["source_row"], result.valid_rows["basis"], strict=True))
    assert got == {2: BASIS_CODE_2025, 3: BASIS_CODE_PRE2025, 4: BASIS_CODE_PRE2025}


@realdata
def test_yes_no_given_as_counts(validate) -> None:
    result = validate("ma_xa,nam,play_point__tu_so,play_point__mau_so\n00004,2024,1,1\n00008,2024,2,1\n")
    assert result.valid_rows["value"].tolist() == [100]
    assert {p.code for p in result.errors} == {vocab.INVALID_YES_NO}


@realdata
def test_zero_denominator_is_a_warning_and_stores_nothing(validate) -> None:
    result = validate(HEAD + "\n00004,2024,0,0,Có\n")
    assert result.is_clean
    assert result.valid_rows["indicator"].tolist() == ["play_point"]
    assert [p.code for p in result.problems] == [vocab.ZERO_DENOMINATOR]


@realdata
def test_fractions_in_a_percent_column_are_flagged(validate) -> None:
    rows = "".join(f"{c},2024,0.{i}\n" for i, c in enumerate(NAMES_EXPECTED[:5], 1))
    result = validate("ma_xa,nam,stunting_u5\n" + rows)
    assert vocab.LOOKS_LIKE_FRACTION in {p.code for p in result.warnings}


# --- Cell parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell,value,code", [
    ("1.234", 1234, None), ("1,234", 1234, None), ("1 234", 1234, None), ("1\u00a0234", 1234, None),
    ("1.234.567", 1234567, None), ("12", 12, None), ("12.0", 12, None), (12.0, 12, None), (7, 7, None),
    ("12,5", None, vocab.NOT_WHOLE_NUMBER), ("1.5", None, vocab.NOT_WHOLE_NUMBER), (2.5, None, vocab.NOT_WHOLE_NUMBER),
    ("-3", -3, None), ("-1.234", -1234, None), ("=1+2", None, vocab.FORMULA_LIKE), ("@A1", None, vocab.FORMULA_LIKE),
    ("abc", None, vocab.NON_NUMERIC), ("#DIV/0!", None, vocab.NON_NUMERIC), ("1,234.5", None, vocab.NON_NUMERIC),
    ("", None, None), ("-", None, None), ("NA", None, None), (None, None, None),
])
def test_parse_count(cell, value, code) -> None:
    assert cells.parse_count(cell) == (value, code)


@pytest.mark.parametrize("cell,value,code", [
    ("12,5", 12.5, None), ("12.5", 12.5, None), ("12,5%", 12.5, None), ("12,5 %", 12.5, None),
    ("12.5%", 12.5, None), (" 7 ", 7, None), ("1.234", 1.234, None), (",5", 0.5, None), (33.3, 33.3, None),
    ("150%", 150, None), ("1.234,5", None, vocab.NON_NUMERIC), ("=A1*100", None, vocab.FORMULA_LIKE),
    ("cao", None, vocab.NON_NUMERIC),
])
def test_parse_percent(cell, value, code) -> None:
    assert cells.parse_percent(cell) == (value, code)


@pytest.mark.parametrize("cell,value", [
    ("Có", 1.0), ("có", 1.0), ("CO", 1.0), ("yes", 1.0), ("1", 1.0), (1, 1.0), ("x", 1.0), ("TRUE", 1.0),
    ("Không", 0.0), ("khong", 0.0), ("No", 0.0), ("0", 0.0), (0.0, 0.0), ("Chưa đạt", 0.0), ("FALSE", 0.0),
])
def test_parse_yes_no(cell, value) -> None:
    assert cells.parse_yes_no(cell) == (value, None)
    assert cells.parse_yes_no("có lẽ") == (None, vocab.INVALID_YES_NO)
    assert cells.parse_yes_no(2) == (None, vocab.INVALID_YES_NO)


def test_parse_year_and_text() -> None:
    assert cells.parse_year("2024") == (2024, None)
    assert cells.parse_year(2024.0) == (2024, None)
    assert cells.parse_year("2.024") == (None, vocab.NON_NUMERIC)
    assert cells.parse_year("=YEAR(NOW())") == (None, vocab.FORMULA_LIKE)
    assert cells.parse_text("  Ba Đình ") == ("Ba Đình", None)
    assert cells.parse_text("=HYPERLINK(\"x\")") == (None, vocab.FORMULA_LIKE)
    assert cells.parse_text("-") == (None, None)


def test_decode_text_variants() -> None:
    text = "ten_xa,tinh\nThủy,Hà Nội\n"
    assert read.decode_text(text.encode("utf-16-le")) == (text, "utf-16-le")  # no BOM: told by the zero bytes
    assert read.decode_text(b"ten_xa\nThu\xd2y\n") == ("ten_xa\nThủy\n", "cp1258")  # u + combining hook → ủ
    assert read.sniff_delimiter("a;b;c\n1,5;2;3") == ";"
    assert read.sniff_delimiter("a\tb\n") == "\t"


# --- Header mapping ---------------------------------------------------------------------------------


def test_headers_in_vietnamese_english_any_case_and_spacing(registry) -> None:
    aliases = hdr.load_column_aliases(registry)
    cmap = hdr.map_headers(["  MÃ XÃ ", "Nam", "Tên xã", "Province", "stunting_u5 (tử số)", "STUNTING_U5 - Mẫu số",
                           "Xã có điểm vui chơi trẻ em", "underweight_u5 %", "birth_registration_u5__numerator",
                           "birth registration u5 denominator", "ghi chú"], aliases)
    assert dict(cmap.fields) == {"ma_xa": [0], "nam": [1], "ten_xa": [2], "tinh": [3]}
    assert {k: dict(v) for k, v in cmap.indicators.items()} == {
        "stunting_u5": {"tu_so": [4], "mau_so": [5]}, "play_point": {"gia_tri": [6]},
        "underweight_u5": {"gia_tri": [7]}, "birth_registration_u5": {"tu_so": [8], "mau_so": [9]},
    }
    assert cmap.unknown == [10]


def test_alias_file_with_a_clash_is_refused(registry, tmp_path) -> None:
    bad = tmp_path / "cols.csv"
    bad.write_text("field,lang,alias\nma_xa,vi,mã\nnam,vi,mã\n", encoding="utf-8")
    with pytest.raises(DataError):
        hdr.load_column_aliases(registry, bad)


# --- Matching ---------------------------------------------------------------------------------------


def test_one_folding_for_search_boxes_headers_and_names() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Lũng Cú")
    assert nfc(nfd) == unicodedata.normalize("NFC", "Lũng Cú") and nfc(nfd) != nfd
    assert fold(nfd) == fold("LŨNG  CÚ ") == "lung cu"  # case, marks, NFD input and spacing all fold away
    assert fold("Đắk Lắk") == "dak lak" and fold("Hà Nội") == "ha noi"
    assert hdr.normalize_header("  Mã xã (2025) ") == "ma_xa_2025"
    assert fold_name(normalize_name("Phường Ba Đình")) == "phuongbadinh"
    assert split_unit_type(normalize_name("Thị trấn Tân Lập")) == ("thi_tran", "tân lập")
    assert split_unit_type("tân lập") == (None, "tân lập")


def test_name_normalisation() -> None:
    assert normalize_name("Hòa") == normalize_name("Hoà") == normalize_name("HOÀ")
    assert normalize_name("Thủy") == normalize_name("Thuỷ")
    assert normalize_name("Khỏe") == normalize_name("Khoẻ")
    assert normalize_name("Hoàng") == "hoàng"  # tone before a final consonant stays put
    assert normalize_name("  Văn Miếu - Quốc Tử Giám ") == "văn miếu quốc tử giám"
    assert normalize_name("Phường 01") == normalize_name("phường 1")
    assert fold_name(normalize_name("Đặc khu Côn Đảo")) == "dackhucondao"
    assert normalize_province("TP. Hồ Chí Minh") == normalize_province("Thành phố Hồ Chí Minh") == "hồ chí minh"
    assert normalize_province("Tỉnh Lào Cai") == "lào cai"
    assert pad_code("4") == pad_code(4) == pad_code(4.0) == pad_code("'00004") == pad_code("4.0") == "00004"
    assert pad_code("123456") is None and pad_code("4a") is None and pad_code(4.5) is None
    assert pad_code("4.5") is None and pad_code(".0") is None


@realdata
def test_matching_by_name(matcher) -> None:
    for name, province in (("Ba Đình", "Hà Nội"), ("phuong ba dinh", "ha noi"), ("Xã  Ba Đình", "Hanoi City"),
                           ("BA ĐÌNH", "Thủ đô Hà Nội")):
        assert matcher.match_name(name, province).code == "00004", (name, province)
    assert matcher.match_name("Ben Thanh", "TPHCM").code == "26743"
    assert matcher.match_name("Hoà Bình", "Ho Chi Minh").code == "27211"
    # An old province name stands for the province it merged into (Hà Giang → Tuyên Quang).
    assert matcher.match_name("Hoàng Su Phì", "Hà Giang").code == "01021"
    ambiguous = matcher.match_name("Van Lang", "Thai Nguyen")
    assert ambiguous.status == AMBIGUOUS
    assert ambiguous.suggestions == ("Xã Văn Lang (Tỉnh Thái Nguyên, mã 02143)",
                                     "Xã Văn Lăng (Tỉnh Thái Nguyên, mã 05665)")
    assert matcher.match_name("Dong Tien", "Thanh Hoa").status == AMBIGUOUS
    assert matcher.match_name("Xã Dong Tien", "Thanh Hoa").code == "15724"  # the type decides
    unknown = matcher.match_name("Ba Đinhh", "Hà Nội")
    assert unknown.status == UNKNOWN and unknown.suggestions[0] == "Phường Ba Đình (Thành phố Hà Nội, mã 00004)"


@realdata
def test_matching_by_code_and_old_units(matcher) -> None:
    assert matcher.match_code("4").code == "00004"
    assert matcher.match_code("06970").code == "06978"  # code from the other published list
    hint = matcher.match_code("00001")
    assert hint.status == UNKNOWN and "Phúc Xá" in hint.suggestions[0]
    assert matcher.match_code("00001", ERA_PRE2025).code == "00001"
    assert matcher.match_code("318", ERA_PRE2025).code == "318"  # Bạch Long Vĩ: an island district
    old = matcher.match_name("Hòa Phú", "Hà Nội", ERA_PRE2025)
    assert old.status == AMBIGUOUS and len(old.suggestions) == 2
    assert "Huyện Chương Mỹ" in old.suggestions[0]
    assert matcher.match_name("Hoà Phú", "Hà Nội", ERA_PRE2025, "Ứng Hoà").code == "10417"


# --- Template ---------------------------------------------------------------------------------------


@realdata
def test_template_round_trip(registry, crosswalk, validate) -> None:
    data = build_template_xlsx(registry, communes=crosswalk.new_units)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [DATA_SHEET, HELP_SHEET, COMMUNES_SHEET]
    guide = [c.value for c in book[HELP_SHEET]["A"] if c.value]
    assert guide[0].startswith("HƯỚNG DẪN")
    assert guide.index("INSTRUCTIONS (English)") > 5
    listing = book[COMMUNES_SHEET]
    assert listing.max_row == 3321 + 1 and listing["A2"].value == "00004"
    sheet = book[DATA_SHEET]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["ma_xa", "ten_xa", "tinh", "nam"]
    assert "stunting_u5__tu_so" in headers and "play_point" in headers
    assert sheet["A1"].comment is not None and "—" in sheet["A1"].comment.text
    fill = {"ma_xa": "00004", "ten_xa": "Phường Ba Đình", "tinh": "Hà Nội", "nam": 2024,
            "stunting_u5__tu_so": 12, "stunting_u5__mau_so": 180, "play_point": "Có",
            "child_friendly_commune": "Không"}
    for col, header in enumerate(headers, start=1):
        sheet.cell(row=2, column=col, value=fill.get(header))
    for col, value in enumerate([None, "Hoà Bình", "TP Hồ Chí Minh", 2025, 3, 50], start=1):
        sheet.cell(row=3, column=col, value=value)
    out = io.BytesIO()
    book.save(out)
    result = validate(out.getvalue(), "template.xlsx")
    assert result.problems == []
    got = {(r.code, r.indicator): r.value for r in result.valid_rows.itertuples()}
    assert got == {("00004", "stunting_u5"): pytest.approx(100 * 12 / 180), ("00004", "play_point"): 100,
                   ("00004", "child_friendly_commune"): 0, ("27211", "underweight_u5"): 6}


@realdata
def test_english_template_headers_validate(registry, validate) -> None:
    aliases = hdr.load_column_aliases(registry)
    headers = [c["header"] for c in list_template_columns(registry, aliases, "en")]
    assert headers[:4] == ["commune_code", "commune", "province", "year"]
    assert "stunting_u5__numerator" in headers
    empty = validate(build_template_xlsx(registry, lang="en"), "t.xlsx")
    assert _codes(empty) == {vocab.EMPTY_FILE}  # the blank template has headers only
    row = {"commune_code": "8", "year": 2024, "stunting_u5__numerator": 1, "stunting_u5__denominator": 4}
    body = ",".join(headers) + "\n" + ",".join(str(row.get(h, "")) for h in headers) + "\n"
    result = validate(body)
    assert result.is_clean and result.valid_rows["value"].tolist() == [25]


def test_every_message_template_formats() -> None:
    fields = {"value": "v", "limit": "1", "field": "f", "detail": "d", "year": 2024, "numerator": 2,
              "denominator": 1, "min_year": 2015, "max_year": 2030, "first": "=", "present": "a", "missing": "b",
              "computed": 1, "count": 3}
    codes = {v for k, v in vars(vocab).items() if k.isupper() and isinstance(v, str)} & set(MESSAGE_KEYS)
    assert set(vocab.WARNING_CODES) | set(vocab.FILE_CODES) <= codes  # every problem code has a message
    for code in MESSAGE_KEYS:
        problem = make_problem(code, **fields)
        assert problem.message_vi and problem.message_en, code
    frame = up.ValidationResult(up._make_empty_valid(), [], {}).tabulate_problems()
    assert list(frame.columns) == ["row", "column", "value", "code", "severity", "message", "suggestions"]
