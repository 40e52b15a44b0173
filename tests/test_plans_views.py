"""AppTest: the plan follows the area, every Tam Đường target has a tile with a status, notes on screen."""

from __future__ import annotations

import re

import pytest

from geo.indicators.registry import load_registry
from tests.apptest import open_page

pytestmark = pytest.mark.realdata

STATUS_WORDS = ("✔ Đạt", "✘ Chưa đạt", "∅ Không có số liệu", "— Không áp dụng")


def tiles(at) -> dict[str, list[str]]:
    """Tile heading (indicator short name) -> the markdown lines under it, in page order."""
    reg = load_registry()
    shorts = {f"**{reg.indicator(i)['short_vi']}**": i for i in reg.indicator_ids()}
    out: dict[str, list[str]] = {}
    current = None
    for md in at.markdown:
        if md.value in shorts:
            current = shorts[md.value]
            out[current] = []
        elif current is not None and re.match(r"^(## |\*\*20(25|30)\*\*:)", md.value):
            out[current].append(md.value)
    return out


def test_lai_chau_with_the_tam_duong_plan_has_a_status_for_all_14_targets(layers):
    at = open_page("views/overview.py", prov="12", fw="tam_duong")
    reg = load_registry()
    rows = reg.targets_for("tam_duong")
    assert rows["indicator_id"].nunique() == 14
    found = tiles(at)
    for r in rows.itertuples(index=False):
        lines = [x for x in found[r.indicator_id] if x.startswith(f"**{int(r.target_year)}**:")]
        assert len(lines) == 1, (r.indicator_id, r.target_year)
        assert r.text_vi in lines[0] and any(w in lines[0] for w in STATUS_WORDS), lines[0]
    # the three context indicators are shown as context, never as "not met"
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("Chỉ số bối cảnh") == 3
    # Lai Châu lies partly outside former Tam Đường district: the screen says so
    assert any("chỉ áp dụng cho" in w.value and "Tam Đường" in w.value for w in at.warning)


def test_a_line_without_target_names_another_plans_target(layers):
    at = open_page("views/overview.py", prov="12", fw="hanoi_138")
    lines = tiles(at)["preschool_age5"]
    line = next(x for x in lines if x.startswith("**2025**:"))
    assert "không có chỉ tiêu" in line and "Kế hoạch huyện Tam Đường" in line and "> 99,9%" in line


def test_whole_country_defaults_to_a_national_plan_and_says_values_come_from_a_summary(layers):
    at = open_page("views/overview.py")  # stunting: the default national plan sets none, Decision 1896 does
    reg = load_registry()
    national = reg.framework("nutrition_1896")
    assert national["scope"] == "national"
    assert any(national["name_vi"] in c.value for c in at.caption)
    other = open_page("views/overview.py", ind="preschool_age5")
    assert any(reg.framework(reg.default_framework())["name_vi"] in c.value for c in other.caption)
    assert any("bản tóm tắt" in c.value for c in at.caption)
    assert not at.warning or not any("chỉ áp dụng cho" in w.value for w in at.warning)
    assert "fw" not in at.query_params  # automatic: nothing in the URL


def test_default_plan_follows_the_area_and_an_explicit_choice_wins(layers):
    at = open_page("views/overview.py", prov="01")
    assert any("Hà Nội" in c.value and "138" not in c.value and "Kế hoạch của TP. Hà Nội" in c.value
               for c in at.caption)
    profile = open_page("views/profile.py", prov="12", commune="03390")  # Xã Bình Lư, former Tam Đường
    fw = profile.selectbox(key="fw")
    assert fw.value == "" and "Tam Đường" in fw.format_func("")
    chosen = open_page("views/profile.py", prov="12", commune="03390", fw="nutrition_1896")
    assert chosen.selectbox(key="fw").value == "nutrition_1896"


def test_all_plans_side_by_side_for_one_indicator(layers):
    at = open_page("views/overview.py", ind="stunting_u5")
    table = next(df.value for df in at.dataframe if "Kế hoạch" in df.value.columns)
    assert len(table) == 3  # Tam Đường, Decision 1896, Hà Nội 138 set stunting targets
    assert table["Kế hoạch"].str.contains("bản tóm tắt").sum() == 1  # Decision 1896


def test_target_year_reached_says_met_or_not_met_and_offers_2030(layers):
    at = open_page("views/overview.py", ind="stunting_u5", fw="nutrition_1896")  # data year 2025, 2025 target
    body = " ".join(m.value for m in at.markdown)
    assert re.search(r"Đã đến năm mục tiêu 2025: (đạt|chưa đạt, thiếu [\d,]+ điểm %)", body), body[:500]
    assert "Tiến độ tới mục tiêu 2030" in body
    standing = open_page("views/overview.py", ind="disaster_relief", fw="tam_duong", prov="12")
    assert "Chỉ tiêu thường xuyên (hằng năm)" in " ".join(m.value for m in standing.markdown)
