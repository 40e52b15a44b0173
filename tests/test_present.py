"""Presentation mode and link notices, server side (AppTest); the browser checks are in test_browser_present.py."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from geo.reporting.charts import BASE_FONT, build_trend_chart, scale_text
from tests.apptest import APP, open_page

pytestmark = pytest.mark.realdata


def _styles(at) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def _chart(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_presentation_link_hides_the_sidebar_pins_two_buttons_and_can_be_left(layers):
    at = open_page("views/overview.py", present="1", prov="12")
    assert "presentation mode" in _styles(at) and "stSidebar" in _styles(at)  # the sidebar hidden
    assert "Lai Châu" in at.title[0].value and "năm 2025" in at.title[0].value
    assert "Thấp còi" in at.title[0].value or "thấp còi" in at.title[0].value  # the indicator named
    assert "Dữ liệu minh họa" in at.title[0].value  # the mark in the title line
    assert at.button(key="present_controls").label == "Hiện bảng chọn"
    assert at.button(key="present_leave").label == "Thoát chế độ trình chiếu"
    # the trend chart is built with projector-sized text
    layout = _chart(at, 0)["layout"]
    assert layout["xaxis"]["tickfont"]["size"] >= 1.5 * BASE_FONT

    at.button(key="present_controls").click().run()  # show the sidebar: its hiding style is gone
    assert "presentation mode" in _styles(at) and "stSidebar" not in _styles(at)
    assert at.button(key="present_controls").label == "Ẩn bảng chọn"

    at.button(key="present_leave").click().run()
    assert "present" not in at.query_params and at.query_params["prov"] == "12"  # the rest of the link stays
    assert "presentation mode" not in _styles(at)
    assert not at.get("plotly_chart")[0].proto.spec.count('"tickfont"')  # back to the normal sizes
    assert "Tổng quan các mục tiêu" in at.title[0].value
    assert at.toggle(key="present_toggle").value is False


def test_presentation_mode_on_the_map_page_from_the_link(layers):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"present": "1", "prov": "12"})
    at.run()
    assert not at.exception
    assert "Lai Châu" in at.title[0].value and "2025" in at.title[0].value
    assert at.button(key="present_leave").label == "Thoát chế độ trình chiếu"
    at.toggle(key="present_toggle").set_value(False).run()
    assert "present" not in at.query_params


def test_english_labels_of_the_presentation_buttons(layers):
    at = open_page("views/overview.py", present="1", lang="en")
    assert at.button(key="present_controls").label == "Show controls"
    assert at.button(key="present_leave").label == "Leave presentation mode"


def test_scale_text_multiplies_every_text_and_is_a_no_op_at_one():
    from geo.indicators.registry import Target

    series = pd.DataFrame({"year": [2021, 2022], "value": [20.0, 18.0], "series_name": ["A", "A"]})
    target = Target(framework_id="f", indicator_id="i", year=2025, comparison="<", value=15.0, text_vi="< 15%",
                    text_en="< 15%")
    labels = {"axis_year": "Năm", "axis_value": "%"}
    plain = build_trend_chart(series, targets=[target], labels=labels, title="T", lang="vi")
    assert plain.to_json() == build_trend_chart(series, targets=[target], labels=labels, title="T",
                                                lang="vi", text_scale=1.0).to_json()
    assert plain.layout.xaxis.tickfont.size is None  # the screen default is left alone
    big = build_trend_chart(series, targets=[target], labels=labels, title="T", lang="vi", text_scale=1.6)
    assert big.layout.xaxis.tickfont.size == pytest.approx(BASE_FONT * 1.6)
    assert big.layout.yaxis.tickfont.size == pytest.approx(BASE_FONT * 1.6)
    assert big.layout.legend.font.size == pytest.approx(BASE_FONT * 1.6)
    assert big.layout.hoverlabel.font.size == pytest.approx(BASE_FONT * 1.6)
    assert big.data[-1].textfont.size == pytest.approx(BASE_FONT * 1.6)  # the target labels
    fig = scale_text(go.Figure(
        layout={"xaxis": {"tickfont": {"size": 14}}, "annotations": [{"text": "x", "font": {"size": 10}}]}), 2.0)
    assert fig.layout.xaxis.tickfont.size == 28 and fig.layout.annotations[0].font.size == 20


def test_an_invalid_link_parameter_is_named_and_the_rest_applies(layers):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"prov": "99", "ind": "xyz", "year": "2023", "types": "xa,nonsense"})
    at.run()
    assert not at.exception
    notice = [w.value for w in at.warning if "bỏ qua" in w.value]
    assert len(notice) == 1
    assert "`prov=99`" in notice[0] and "`ind=xyz`" in notice[0] and "`types=nonsense`" in notice[0]
    assert "year" not in notice[0]
    assert at.selectbox(key="year").value == "2023" and at.multiselect(key="types").value == ["xa"]
    assert at.query_params["year"] == "2023" and "prov" not in at.query_params
    at.radio(key="em").set_value("yes").run()  # shown once, not on every rerun
    assert not [w for w in at.warning if "bỏ qua" in w.value]


def test_a_crafted_parameter_cannot_become_a_link_in_the_notice(layers):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"lang": "en", "ind": "[x](javascript:alert(1))`"})
    at.run()
    notice = [w.value for w in at.warning if "ignored" in w.value][0]
    assert "`ind=[x](javascript:alert(1))`" in notice  # inside a code span, backtick removed
