"""Pure logic behind the leaders', planners' and journalists' views, on tiny hand-computed data.

The toy country (2025 stunting counts; "-" = no data; target < 20 % in 2025, < 18 % in 2030):

    code  prov  em_area  border  under5  stunting     play point
    c1    P1    True     False   100     30/100 30%   yes
    c2    P1    False    True     50      5/50  10%   no
    c3    P2    True     True     20     10/20  50%   no
    c4    P2    False    False    10      -           yes
    c5    P3    NA       False    30      3/30  10%   no
    c6    P3    False    False    40      2/40   5%   yes

All communes: 50/240 = 20.83 % from counts (the mean of the percentages would be 21 %).
"""

from __future__ import annotations

import io
import math
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest

from geo.analysis.equity import compare_groups
from geo.analysis.overview import summarise_provinces, summarise_targets
from geo.analysis.profile import is_unchanged, parse_before_merger, profile_commune
from geo.analysis.ranking import (
    closest_to_qualifying,
    communes_needed_by_province,
    count_targets_met,
    rank_lagging,
    trend_arrows,
)
from geo.indicators.registry import Registry, Target
from geo.indicators.selection import Filters, assess_communes, join_indicator
from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_MET
from geo.indicators.trends import FLAT, IMPROVING, WORSENING, compute_aarr
from geo.reporting.downloads import label_columns, to_csv_bytes, to_xlsx_bytes

FW = "fw"


def _indicator(id_, measure, direction, aggregation, order):
    return {"id": id_, "name_vi": id_, "name_en": id_, "short_vi": id_, "short_en": id_, "unit": "%",
            "measure": measure, "direction": direction, "aggregation": aggregation, "order": order}


@pytest.fixture(scope="module")
def reg() -> Registry:
    indicators = pd.DataFrame([  # deliberately not in display order
        _indicator("play_point", "yes_no", "higher_is_better", "share_of_communes", 2),
        _indicator("stunting_u5", "rate", "lower_is_better", "sum_counts", 1),
        _indicator("school_sanitation", "share", "higher_is_better", "sum_counts", 3),
    ])
    frameworks = pd.DataFrame([{"id": FW, "name_vi": "k", "name_en": "p", "default": 1}])
    targets = pd.DataFrame([
        (FW, "stunting_u5", 2025, "<", 20.0, "dưới 20%", "below 20%"),
        (FW, "stunting_u5", 2030, "<", 18.0, "dưới 18%", "below 18%"),
        (FW, "play_point", 2025, ">=", 60.0, "60% số xã", "60% of communes"),
        (FW, "play_point", 2030, ">=", 95.0, "95% số xã", "95% of communes"),
    ], columns=["framework_id", "indicator_id", "target_year", "comparison", "value", "text_vi", "text_en"])
    return Registry(indicators=indicators, frameworks=frameworks, targets=targets)


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["c1", "c2", "c3", "c4", "c5", "c6"],
        "name": ["An", "Bình", "Cường", "Dũng", "Én", "Phú"],
        "full_name": ["Xã An", "Phường Bình", "Xã Cường", "Xã Dũng", "Xã Én", "Xã Phú"],
        "province_code": ["P1", "P1", "P2", "P2", "P3", "P3"],
        "province_name": ["Một", "Một", "Hai", "Hai", "Ba", "Ba"],
        "commune_type": ["xa", "phuong", "xa", "xa", "xa", "xa"],
        "em_area": pd.array([True, False, True, False, pd.NA, False], dtype="boolean"),
        "border": [False, True, True, False, False, False],
        "under5": pd.array([100, 50, 20, 10, 30, 40], dtype="Int64"),
        "before_merger": ["Xã Cũ A, Xã Cũ B (phần còn lại sau khi sáp nhập vào xã X, xã Y)", "giữ nguyên",
                          None, "", "Xã E", "Xã F"],
    })


def _rows(year, indicator, counts):
    return [(code, year, indicator, n, d, 100.0 * n / d) for code, (n, d) in counts.items()]


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    rows = (
        _rows(2025, "stunting_u5", {"c1": (30, 100), "c2": (5, 50), "c3": (10, 20), "c5": (3, 30), "c6": (2, 40)})
        + _rows(2021, "stunting_u5", {"c1": (40, 100), "c2": (4, 50), "c3": (201, 400)})
        + _rows(2025, "play_point", {c: (v, 1) for c, v in
                                     {"c1": 1, "c2": 0, "c3": 0, "c4": 1, "c5": 0, "c6": 1}.items()})
        + _rows(2025, "school_sanitation", {"c1": (3, 4), "c2": (1, 4)})
    )
    return pd.DataFrame(rows, columns=["code", "year", "indicator", "numerator", "denominator", "value"])


def _assessed(communes, values, reg, indicator, year=2025, target_year=2025):
    meta = reg.indicator(indicator)
    target = reg.target(FW, indicator, target_year)
    frame, _ = join_indicator(communes, values, indicator, year)
    return assess_communes(frame, meta, target), meta, target


# --- overview ---------------------------------------------------------------------------------------


def test_overview_aggregates_from_counts_in_registry_order(communes, values, reg):
    out = summarise_targets(communes, values, reg, FW, 2025).set_index("indicator")
    assert list(out.index) == ["stunting_u5", "play_point", "school_sanitation"]
    st = out.loc["stunting_u5"]
    assert st["value"] == pytest.approx(100 * 50 / 240)  # not the mean of percentages, 21 %
    assert st["n_communes"] == 6 and st["n_reporting"] == 5
    assert st["target_2025"] == 20 and st["target_text_2025"] == "dưới 20%"
    assert st["status_2025"] == NOT_MET and st["gap_2025"] == pytest.approx(50 / 2.4 - 20)
    assert st["n_met_2025"] == 3  # c2, c5, c6
    assert st["cases_to_target_2025"] == 2  # 50 - 20 % of 240 = 2 stunted children
    assert st["cases_to_target_2030"] == 7  # 50 - 43.2 = 6.8, rounded up
    assert pd.isna(st["communes_needed_2025"])
    play = out.loc["play_point"]
    assert play["value"] == pytest.approx(50.0)
    assert play["communes_needed_2025"] == 1  # ceil(60 % of 6) = 4, 3 have one
    assert play["communes_needed_2030"] == 3  # ceil(95 % of 6) = 6
    assert play["n_met_2025"] == 3
    san = out.loc["school_sanitation"]
    assert san["value"] == pytest.approx(50.0) and san["status_2025"] == NO_TARGET
    assert pd.isna(san["n_met_2025"]) and san["target_text_2030"] == ""


def test_overview_respects_filters_and_language(communes, values, reg):
    out = summarise_targets(communes, values, reg, FW, 2025, Filters(province="P1"), lang="en")
    st = out.set_index("indicator").loc["stunting_u5"]
    assert st["value"] == pytest.approx(100 * 35 / 150) and st["n_communes"] == 2
    assert st["target_text_2025"] == "below 20%"


def test_overview_of_a_year_without_data_is_no_data(communes, values, reg):
    out = summarise_targets(communes, values, reg, FW, 2019).set_index("indicator")
    assert out.loc["stunting_u5", "status_2025"] == NO_DATA and out.loc["stunting_u5", "n_reporting"] == 0
    assert pd.isna(out.loc["play_point", "communes_needed_2025"])


def test_province_table_one_row_per_province(communes, values, reg):
    out = summarise_provinces(communes, values, reg, FW, "stunting_u5", 2025, 2025).set_index("province_code")
    assert list(out.index) == ["P1", "P2", "P3"]
    assert out.loc["P1", "value"] == pytest.approx(100 * 35 / 150)
    assert out.loc["P1", "status"] == NOT_MET and out.loc["P1", "cases_to_target"] == 5
    assert out.loc["P2", "n_communes"] == 2 and out.loc["P2", "n_reporting"] == 1
    assert out.loc["P3", "status"] == MET and out.loc["P3", "n_met"] == 2
    play = summarise_provinces(communes, values, reg, FW, "play_point", 2025, 2025).set_index("province_code")
    assert play["communes_needed"].tolist() == [1, 1, 1]  # each has 1 of 2: ceil(60 % of 2) = 2


# --- ranking ----------------------------------------------------------------------------------------


def test_rank_furthest_and_nearest_with_children_affected(communes, values, reg):
    frame, meta, target = _assessed(communes, values, reg, "stunting_u5")
    furthest = rank_lagging(frame, meta, target, order="furthest")
    assert furthest["code"].tolist() == ["c3", "c1"]  # gaps 30 and 10 points; met and no-data left out
    assert furthest["rank"].tolist() == [1, 2]
    assert furthest["cases_to_target"].tolist() == [6, 10]  # 10 - 20 % of 20; 30 - 20 % of 100
    assert furthest["gap"].tolist() == pytest.approx([30.0, 10.0])
    nearest = rank_lagging(frame, meta, target, order="nearest", limit=1)
    assert nearest["code"].tolist() == ["c1"]
    assert {"em_area", "border", "province_name", "target"} <= set(nearest.columns)


def test_rank_without_target_is_empty_and_yes_no_is_refused(communes, values, reg):
    frame, meta, _ = _assessed(communes, values, reg, "stunting_u5")
    assert rank_lagging(frame.drop(columns=["status"]), meta, None).empty
    play, play_meta, play_target = _assessed(communes, values, reg, "play_point")
    with pytest.raises(ValueError):
        rank_lagging(play, play_meta, play_target)
    with pytest.raises(ValueError):
        rank_lagging(frame, meta, None, order="closest")


def test_trend_arrow_is_the_aarr_rule_with_flat_band(communes, values, reg):
    frame, meta, target = _assessed(communes, values, reg, "stunting_u5")
    trend = trend_arrows(values, meta).set_index("code")
    assert trend.loc["c1", "trend"] == IMPROVING  # 40 % -> 30 %, lower is better
    assert trend.loc["c2", "trend"] == WORSENING  # 8 % -> 10 %
    assert trend.loc["c3", "trend"] == FLAT  # 50.25 % -> 50 %: |AARR| < 0.5 %/yr
    years = trend.loc["c1", "trend_to"] - trend.loc["c1", "trend_from"]
    assert trend.loc["c1", "trend_from"] == 2021
    assert trend.loc["c1", "aarr"] == pytest.approx(compute_aarr([2021, 2021 + years], [40.0, 30.0]))
    assert pd.isna(trend.loc["c5", "trend"])  # one year only
    assert trend_arrows(values, meta, year=2024).set_index("code")["trend"].isna().all()
    ranked = rank_lagging(frame, meta, target, history=values, year=2025)
    assert ranked.set_index("code")["trend"].to_dict() == {"c3": FLAT, "c1": IMPROVING}


def test_communes_needed_per_province_rounds_up():
    frame = pd.DataFrame({
        "code": [f"x{i}" for i in range(7)] + ["y1", "y2", "y3", "z1"],
        "province_code": ["X"] * 7 + ["Y"] * 3 + ["Z"],
        "province_name": ["Ích"] * 7 + ["Yên"] * 3 + ["Zê"],
        "numerator": [1, 1, 0, 0, 0, 0, 0, 1, 1, 1, np.nan],
        "denominator": [1] * 10 + [np.nan],
    })
    target = Target("fw", "play_point", 2025, ">=", 60.0, "", "")
    out = communes_needed_by_province(frame, target)
    assert out["province_code"].tolist() == ["X", "Y", "Z"]
    x = out.iloc[0]
    assert (x["n_yes"], x["n_no"], x["communes_needed"]) == (2, 5, 3)  # 60 % of 7 = 4.2 -> 5
    assert out.iloc[1]["communes_needed"] == 0 and out.iloc[1]["status"] == MET
    assert pd.isna(out.iloc[2]["communes_needed"]) and out.iloc[2]["status"] == NO_DATA


def test_closest_to_qualifying_orders_by_readiness_then_children(communes, values, reg):
    frame, meta, _ = _assessed(communes, values, reg, "play_point")
    plain = closest_to_qualifying(frame, meta)
    assert plain["code"].tolist() == ["c2", "c5", "c3"]  # communes with "no", by under-5s 50, 30, 20
    ready = count_targets_met(values, reg, FW, 2025, 2025, exclude=("play_point",))
    assert ready.set_index("code")["n_targets_met"].to_dict() == {"c1": 0, "c2": 1, "c3": 0, "c5": 1, "c6": 1}
    ranked = closest_to_qualifying(frame, meta, ready)
    assert ranked["code"].tolist() == ["c2", "c5", "c3"]
    assert ranked["readiness"].tolist() == [1.0, 1.0, 0.0]
    with pytest.raises(ValueError):
        closest_to_qualifying(frame, reg.indicator("stunting_u5"))


# --- equity -----------------------------------------------------------------------------------------


def test_groups_national_from_counts_with_unknown_flag(communes, values, reg):
    meta, target = reg.indicator("stunting_u5"), reg.target(FW, "stunting_u5", 2025)
    row = compare_groups(communes, values, meta, target, 2025, "em_area").iloc[0]
    assert row["value_group"] == pytest.approx(100 * 40 / 120)  # c1 + c3
    assert row["value_rest"] == pytest.approx(100 * 7 / 90)  # c2 + c6 (c4 no data)
    assert (row["n_group"], row["n_group_reporting"], row["n_rest"], row["n_rest_reporting"]) == (2, 2, 3, 2)
    assert row["n_unknown"] == 1  # c5
    assert row["gap_between"] == pytest.approx(100 * 40 / 120 - 100 * 7 / 90)  # positive: group worse off
    assert row["status_group"] == NOT_MET and row["status_rest"] == MET


def test_groups_by_province_survive_an_empty_group(communes, values, reg):
    meta, target = reg.indicator("stunting_u5"), reg.target(FW, "stunting_u5", 2025)
    out = compare_groups(communes, values, meta, target, 2025, "border", by_province=True).set_index("province_code")
    assert out.loc["P1", "difference"] == pytest.approx(10.0 - 30.0)
    assert out.loc["P1", "gap_between"] == pytest.approx(-20.0)  # border commune better off
    assert out.loc["P3", "n_group"] == 0 and math.isnan(out.loc["P3", "value_group"])
    assert out.loc["P3", "status_group"] == NO_DATA and math.isnan(out.loc["P3", "difference"])
    assert out.loc["P3", "value_rest"] == pytest.approx(100 * 5 / 70)
    assert out.loc["P2", "n_rest"] == 1 and out.loc["P2", "n_rest_reporting"] == 0
    with pytest.raises(ValueError):
        compare_groups(communes, values, meta, target, 2025, "province_code")


# --- profile ----------------------------------------------------------------------------------------


def test_profile_against_targets_province_and_similar(communes, values, reg):
    prof = profile_commune("c1", communes, values, reg, FW)
    assert prof["year"] == 2025 and prof["commune"]["full_name"] == "Xã An"
    table = prof["indicators"].set_index("indicator")
    assert list(table.index) == ["stunting_u5", "play_point", "school_sanitation"]
    st = table.loc["stunting_u5"]
    assert (st["status_2025"], st["gap_2025"], st["cases_to_target_2025"]) == (NOT_MET, 10.0, 10.0)
    assert st["province_value"] == pytest.approx(100 * 35 / 150) and st["province_reporting"] == 2
    assert st["gap_vs_province"] == pytest.approx(30 - 100 * 35 / 150)  # positive: worse than its province
    assert math.isnan(st["similar_value"]) and st["similar_reporting"] == 0  # no other em, non-border commune
    assert st["national_value"] == pytest.approx(100 * 50 / 240)
    assert table.loc["play_point", "status_2025"] == MET and math.isnan(table.loc["play_point", "gap_vs_province"])
    hist = prof["history"]
    assert len(hist) == 3 * 2  # every indicator x every data year, gaps kept
    assert hist.set_index(["indicator", "year"]).loc[("stunting_u5", 2021), "numerator"] == 40
    assert [b["partial"] for b in prof["before_merger"]] == [False, True]
    assert prof["unchanged"] is False


def test_profile_of_commune_without_data_and_similar_peers(communes, values, reg):
    prof = profile_commune("c4", communes, values, reg, FW)
    st = prof["indicators"].set_index("indicator").loc["stunting_u5"]
    assert st["status_2025"] == NO_DATA and math.isnan(st["gap_vs_province"])
    assert st["similar_value"] == pytest.approx(5.0)  # c6 only: same flags (c5's unknown flag does not match)
    assert prof["similar"] == {"em_area": False, "border": False, "n_communes": 1}
    assert prof["before_merger"] == []
    assert profile_commune("c2", communes, values, reg, FW)["unchanged"] is True
    with pytest.raises(KeyError):
        profile_commune("nope", communes, values, reg, FW)


# --- before_merger ----------------------------------------------------------------------------------

BA_DINH = (
    "Phường Quán Thánh, Phường Trúc Bạch, Phường Cửa Nam, Phường Điện Biên, Phường Đội Cấn, Phường Kim Mã, "
    "Phường Ngọc Hà, Phường Thụy Khuê, Phường Cửa Đông (phần còn lại sau khi sáp nhập vào phường Hoàn Kiếm), "
    "Phường Đồng Xuân (phần còn lại sau khi sáp nhập vào phường Hoàn Kiếm)"
)


def test_parse_real_looking_list():
    items = parse_before_merger(BA_DINH)
    assert len(items) == 10
    assert items[0] == {"name": "Phường Quán Thánh", "partial": False, "note": ""}
    assert items[-1] == {"name": "Phường Đồng Xuân", "partial": True,
                         "note": "phần còn lại sau khi sáp nhập vào phường Hoàn Kiếm"}


def test_commas_inside_parentheses_do_not_split():
    text = ("Phường Giảng Võ, Phường Kim Mã (phần còn lại sau khi sáp nhập vào phường Ba Đình, phường Ngọc Hà), "
            "Phường Quang Trung (quận Đống Đa) (phần còn lại sau khi sáp nhập vào phường Văn Miếu)")
    items = parse_before_merger(text)
    assert [i["name"] for i in items] == ["Phường Giảng Võ", "Phường Kim Mã", "Phường Quang Trung"]
    assert items[1]["note"] == "phần còn lại sau khi sáp nhập vào phường Ba Đình, phường Ngọc Hà"
    assert items[2]["partial"] and items[2]["note"].startswith("quận Đống Đa; phần còn lại")


def test_nested_parentheses_with_commas():
    text = "Xã A (phần còn lại sau khi sáp nhập vào xã B (huyện C, tỉnh D), xã E), Xã F (một phần), Xã G"
    items = parse_before_merger(text)
    assert [i["name"] for i in items] == ["Xã A", "Xã F", "Xã G"]
    assert items[0]["note"] == "phần còn lại sau khi sáp nhập vào xã B (huyện C, tỉnh D), xã E"
    assert [i["partial"] for i in items] == [True, True, False]


def test_notes_that_are_not_partial_and_empty_inputs():
    items = parse_before_merger("Khu vực bãi bồi ven biển (do huyện Kim Sơn quản lý), Xã Cồn Thoi")
    assert items[0] == {"name": "Khu vực bãi bồi ven biển", "partial": False, "note": "do huyện Kim Sơn quản lý"}
    for empty in (None, float("nan"), "", "  ", "giữ nguyên", "Giữ nguyên"):
        assert parse_before_merger(empty) == []
    assert is_unchanged("giữ nguyên") and not is_unchanged(BA_DINH) and not is_unchanged(None)


def test_decomposed_unicode_is_normalised():
    nfd = unicodedata.normalize("NFD", "Phường Cửa Đông (phần còn lại sau khi sáp nhập vào phường Hoàn Kiếm)")
    item = parse_before_merger(nfd)[0]
    assert item["name"] == unicodedata.normalize("NFC", "Phường Cửa Đông") and item["partial"]


# --- tables -----------------------------------------------------------------------------------------

NASTY = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "Phường Ba Đình"]


def _nasty_frame():
    return pd.DataFrame({"name": NASTY, "value": [-5.2, 1.0, np.nan, 3.5, 0.0, 2.25],
                         "count": pd.array([1, -2, None, 4, 5, 6], dtype="Int64")})


def test_csv_has_bom_keeps_diacritics_and_neutralises_formulas():
    data = to_csv_bytes(_nasty_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["name"].tolist() == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "Phường Ba Đình"]
    assert back["value"].iloc[0] == -5.2 and pd.api.types.is_float_dtype(back["value"])
    text = data.decode("utf-8-sig")
    assert ",-5.2," in text and "'-5.2" not in text  # a negative number is a number, not a formula


def test_csv_neutralises_formulas_after_a_bare_carriage_return_or_line_feed():
    """A reader that breaks lines at CR (or LF) must never see a line that starts with a formula."""
    data = to_csv_bytes(pd.DataFrame({"cell": ["\r=4", "ok\r=SUM(A1)", "x\n+1", "a\r\n@b", "fine\rtext"]}))
    text = data.decode("utf-8-sig")
    lines = [line for line in re.split(r"[\r\n]", text) if line]
    assert not [line for line in lines if line.lstrip('"').startswith(("=", "+", "-", "@"))], lines
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)["cell"].tolist()
    assert back == ["'\r'=4", "ok\r'=SUM(A1)", "x\n'+1", "a\r\n'@b", "fine\rtext"]  # kept, only neutralised


def test_xlsx_round_trip_keeps_numbers_and_diacritics():
    from openpyxl import load_workbook

    data = to_xlsx_bytes({"Xã / phường": _nasty_frame()}, {"Nguồn": "Dữ liệu minh họa", "=bad": "=1+1"})
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Thông tin", "Xã _ phường"]
    meta = wb["Thông tin"]
    assert [c.value for c in meta[1]] == ["Nguồn", "Dữ liệu minh họa"]
    assert [c.value for c in meta[2]] == ["'=bad", "'=1+1"]
    ws = wb["Xã _ phường"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("name", "value", "count")
    assert [r[0] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx",
                                        "Phường Ba Đình"]
    assert rows[1][1] == -5.2 and isinstance(rows[1][1], float)
    assert rows[2][2] == -2 and rows[3][1] is None and rows[3][2] is None
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


def test_xlsx_drops_control_characters_xml_cannot_hold():
    from openpyxl import load_workbook

    data = to_xlsx_bytes({"t": pd.DataFrame({"name": ["Xã\x01 An\x0b", "a\tb"]})})
    rows = list(load_workbook(io.BytesIO(data))["t"].iter_rows(values_only=True))
    assert rows[1:] == [("Xã An",), ("a\tb",)]


def test_label_columns():
    df = pd.DataFrame({"code": ["c1"], "value": [1.0], "internal": [0]})
    labelled = label_columns(df, {"value": "Giá trị (%)", "code": "Mã xã"})
    assert list(labelled.columns) == ["Mã xã", "Giá trị (%)", "internal"]
    only = label_columns(df, {"value": "Giá trị (%)", "code": "Mã xã"}, only_mapped=True)
    assert list(only.columns) == ["Giá trị (%)", "Mã xã"]


# --- the real national data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(reference_dir):
    from geo.geometry.boundaries import load_communes
    from geo.indicators.registry import load_registry
    from geo.indicators.selection import attach_attributes
    from geo.synthetic.illustrative import generate_illustrative, load_generator_input

    ds = generate_illustrative(load_generator_input(reference_dir))
    communes = pd.DataFrame(load_communes(reference_dir).drop(columns="geometry"))
    communes["border"] = False  # the real flag needs the derived layers (a minute to build); not tested here
    return attach_attributes(communes, ds.attributes), ds.values, load_registry()


@pytest.mark.realdata
def test_real_overview_and_provinces(real):
    communes, values, registry = real
    fw = registry.default_framework()
    overview = summarise_targets(communes, values, registry, fw, 2025)
    assert len(overview) == len(registry.indicator_ids()) == 17 and overview["n_communes"].eq(3321).all()
    stunting = values[(values["indicator"] == "stunting_u5") & (values["year"] == 2025)]
    row = overview.set_index("indicator").loc["stunting_u5"]
    assert row["value"] == pytest.approx(100 * stunting["numerator"].sum() / stunting["denominator"].sum())
    provinces = summarise_provinces(communes, values, registry, fw, "stunting_u5", 2025, 2025)
    assert len(provinces) == 34 and provinces["n_communes"].sum() == 3321


@pytest.mark.realdata
def test_real_profile_and_groups(real):
    communes, values, registry = real
    prof = profile_commune("00004", communes, values, registry, registry.default_framework())
    assert len(prof["indicators"]) == 17 and prof["before_merger"]
    assert any(item["partial"] for item in prof["before_merger"])
    meta = registry.indicator("stunting_u5")
    row = compare_groups(communes, values, meta, None, 2025, "em_area").iloc[0]
    assert row["n_group"] + row["n_rest"] + row["n_unknown"] == 3321
    assert row["gap_between"] > 0  # ethnic-minority areas fare worse in the illustrative model


def test_in_codes_matches_pandas_isin_including_missing_and_empty():
    import numpy as np
    import pandas as pd

    from geo.indicators.selection import in_codes

    codes = pd.Series(["01001", "02002", None, "03003", "00100"], dtype="string")
    for wanted in (pd.Series(["02002", "03003"], dtype="string"), frozenset({"00100", "99999"}), ["01001"], []):
        expected = codes.isin(list(wanted)).fillna(False).to_numpy(dtype=bool)
        got = in_codes(codes, wanted)
        assert got.dtype == np.bool_ and got.tolist() == expected.tolist(), wanted
    assert in_codes(codes.astype(object), ["00100"]).tolist() == [False, False, False, False, True]


def test_one_indicators_rows_split_once_are_the_rows_a_filter_gives():
    """The pages' per-indicator rows (split once per dataset version) equal filtering the whole table."""
    from ui.cache import indicator_values

    values = pd.DataFrame({"code": ["c1", "c2", "c1", "c3"], "indicator": pd.array(["a", "b", "a", "b"], "string"),
                           "year": [2024, 2024, 2025, 2025], "numerator": [1.0, 2.0, 3.0, 4.0]})
    for key in ("test-split|1", None):
        for ind in ("a", "b"):
            pd.testing.assert_frame_equal(indicator_values(key, values, ind), values[values["indicator"] == ind])
        missing = indicator_values(key, values, "zz")
        assert missing.empty and list(missing.columns) == list(values.columns)
