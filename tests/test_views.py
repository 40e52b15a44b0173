"""AppTest of every page of the app and its main widgets (server side, no browser)."""

from __future__ import annotations

import json
import re

import pytest

from tests.apptest import open_page

pytestmark = pytest.mark.realdata


def texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def test_overview_has_a_tile_per_indicator_and_a_province_status_map(layers):
    at = open_page("views/overview.py")
    body = texts(at)
    # 17 indicators: 14 with targets get a line per target year, the 3 context ones a context caption
    assert body.count("2025**:") == 14 and body.count("2030**:") == 14
    assert "✔ Đạt" in body and "✘ Chưa đạt" in body
    data = overview_map(at)  # the province status map is the browser map, one shape per province
    assert data["code_width"] == 2 and len(set(codes(data))) == 34
    assert data["geo"].endswith("provinces_national.mesh") and data["labels"].endswith("labels_national.json")
    at.toggle(key="present_toggle").set_value(True).run()
    assert at.query_params["present"] == "1"
    assert any("presentation mode" in h.proto.body for h in at.get("html"))  # the page style (st.html)


def overview_map(at) -> dict:
    """The data the overview's browser map (deck.gl component) receives on this rerun."""
    return json.loads(at.get("bidi_component")[-1].proto.json)


def codes(data: dict) -> list[str]:
    w = data["code_width"]
    return [data["codes"][i:i + w] for i in range(0, len(data["codes"]), w)]


def test_overview_follows_the_province_filter(layers):
    """A province's overview map shows its communes (not one province shape), named, with the province's bounds."""
    at = open_page("views/overview.py", prov="12")
    assert "Lai Châu" in at.title[0].value
    data = overview_map(at)
    shown = codes(data)
    communes = layers.communes
    assert data["code_width"] == 5 and set(shown) == set(communes.loc[communes["province_code"] == "12", "code"])
    assert data["geo"].endswith("communes_12.mesh") and data["labels"].endswith("labels_12.json")
    assert not at.get("plotly_chart") or all("provinces_national" not in c.proto.spec for c in at.get("plotly_chart"))


def test_a_province_clicked_on_the_national_status_map_opens_that_province(layers):
    """The click arrives as the pending province (what ui/webmap.py sets): the filter and the URL follow."""
    from ui.state import PENDING_PROVINCE_KEY

    at = open_page("views/overview.py")
    assert overview_map(at)["code_width"] == 2
    at.session_state[PENDING_PROVINCE_KEY] = "12"
    at.run()
    assert not at.exception
    assert at.query_params["prov"] == "12" and "Lai Châu" in at.title[0].value
    assert overview_map(at)["code_width"] == 5


def test_lagging_ranks_searches_and_offers_downloads(layers):
    at = open_page("views/lagging.py", prov="15")
    table = at.dataframe[0].value
    gaps = table["Khoảng cách tới mục tiêu (điểm %)"].tolist()
    assert gaps == sorted(gaps, reverse=True) and min(gaps) > 0
    assert set(table["Tỉnh / thành phố"]) == {"Lào Cai"}
    at.radio(key="order").set_value("nearest").run()
    nearest = at.dataframe[0].value["Khoảng cách tới mục tiêu (điểm %)"].tolist()
    assert nearest == sorted(nearest)
    assert at.query_params["order"] == "nearest"
    first = at.dataframe[0].value["Xã / phường"].iloc[0]
    at.text_input(key="search").input(first.split(" ", 1)[1].lower()).run()
    assert first in at.dataframe[0].value["Xã / phường"].tolist()
    assert len(at.get("download_button")) == 2


def test_lagging_for_a_share_of_communes_target_counts_communes_needed(layers):
    at = open_page("views/lagging.py", ind="play_point", ty="2030")
    assert any(re.search(r"Cần thêm \d+ xã ở", m.value) for m in at.markdown)
    assert len(at.dataframe) == 2


def test_profile_shows_indicators_history_and_merger(layers):
    at = open_page("views/profile.py", commune="00004")
    assert at.header[0].value == "Phường Ba Đình"
    assert len(at.dataframe[0].value) == 17  # every indicator, context ones included
    assert "Phường Trúc Bạch" in texts(at)
    assert at.get("plotly_chart")  # history chart
    at.selectbox(key="commune").set_value("02761").run()
    assert at.header[0].value != "Phường Ba Đình" and at.query_params["commune"] == "02761"


def test_profile_without_commune_asks_to_pick_one(layers):
    at = open_page("views/profile.py")
    assert any("Chọn một xã" in i.value for i in at.info)


def test_equity_compares_groups_per_indicator_and_province(layers):
    at = open_page("views/equity.py")
    national = at.dataframe[0].value
    assert len(national) == 17 * 4  # every indicator x em_area, border, coastal, island
    em_stunting = national[(national["Chỉ số"].str.contains("thấp còi")) & (national["Nhóm"] == "Vùng đồng bào DTTS")]
    assert em_stunting["Mức bất lợi của nhóm (điểm %)"].iloc[0] > 0
    at.radio(key="equity_group").set_value("border").run()
    assert len(at.dataframe[1].value) == 34
    at.radio(key="equity_group").set_value("island").run()
    by_province = at.dataframe[1].value
    assert len(by_province) == 34 and (by_province["Nhóm"] == "Xã đảo").all()


def test_english_switch_and_number_format(layers):
    at = open_page("views/map.py", lang="en")
    assert "Stunting" in at.main.subheader[0].value
    assert re.fullmatch(r"\d+\.\d%", at.metric[1].value)
    at.radio(key="lang").set_value("vi").run()
    assert re.fullmatch(r"\d+,\d%", at.metric[1].value)


def test_selection_survives_page_switches(layers):
    at = open_page("views/map.py", ind="underweight_u5", prov="12", ty="2030")
    for page in ("views/lagging.py", "views/equity.py", "views/overview.py", "views/map.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.query_params["ind"] == "underweight_u5" and at.query_params["prov"] == "12"
        assert at.query_params["ty"] == "2030"
