"""AppTest of the trend and uncertainty layers: map modes, smoothing, funnel plot, tables, profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import config
from tests.apptest import open_page

pytestmark = pytest.mark.realdata


def figure(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def commune_map(at) -> dict:
    """The data the browser map (deck.gl component) receives on this rerun."""
    return json.loads(at.get("bidi_component")[0].proto.json)


def map_hover(data: dict) -> dict:
    """The hover texts of that view, from the static file the browser fetches on the first hover."""
    return json.loads((config.static_dir() / Path(data["hover"]).relative_to("app/static")).read_text("utf-8"))


def paler(data: dict) -> int:
    """Communes drawn paler (low precision)."""
    return sum(1 for c in data["colour"] if data["palette"][c][3] < 255)


def test_map_certainty_layer_separates_not_clearly_different(layers):
    at = open_page("views/map.py", colour="certainty")
    data = commune_map(at)
    names = [e["label"] for e in data["legend"]]
    assert any("Đạt rõ ràng" in n for n in names) and any("Chưa thể kết luận" in n for n in names)
    assert any("kém chính xác" in n for n in names)  # low-precision communes have their own paler entries
    assert paler(data) > 0
    hover = map_hover(data)
    assert hover["codes"] == data["codes"]
    assert "KTC 95%" in hover["rows"].split("\n")[0].split("\t")[0]


def test_map_trend_layer_and_threshold(layers):
    at = open_page("views/map.py", colour="trend", ty="2030")
    names = [e["label"] for e in commune_map(at)["legend"]]
    assert any("Chậm tiến độ" in n for n in names) and any("Đúng tiến độ" in n for n in names)
    at.selectbox(key="minn").set_value("200").run()
    at.radio(key="colour").set_value("status").run()
    low = paler(commune_map(at))
    at.selectbox(key="minn").set_value("20").run()
    fewer = paler(commune_map(at))
    assert low > fewer and at.query_params["minn"] == "20"


def test_smoothed_rates_are_labelled_and_shrink_the_spread(layers):
    def spread(data: dict) -> float:  # the colour bar's range, e.g. "3,1%" to "41,7%"
        lo, hi = (float(data["bar"][k].rstrip("%").replace(",", ".")) for k in ("min", "max"))
        return hi - lo

    at = open_page("views/map.py", colour="value")
    raw = spread(commune_map(at))
    at.toggle(key="smooth_toggle").set_value(True).run()
    assert at.query_params["smooth"] == "1"
    assert any("làm trơn" in i.value for i in at.info)
    assert spread(commune_map(at)) < raw


def test_funnel_plot_has_limits_target_and_clickable_points(layers):
    at = open_page("views/funnel.py", prov="15")
    fig = figure(at)
    points = [tr for tr in fig["data"] if tr.get("mode") == "markers" and tr.get("customdata")]
    codes = {row[0] for tr in points for row in tr["customdata"]}
    assert codes and all(len(c) == 5 for c in codes)
    names = " ".join(tr.get("name", "") for tr in fig["data"])
    assert "95%" in names and "99,8%" in names
    at2 = open_page("views/funnel.py", ind="play_point")
    assert any("có/không" in i.value for i in at2.info)


def test_lagging_table_carries_interval_precision_and_progress(layers):
    at = open_page("views/lagging.py", prov="15", ty="2030")
    table = at.dataframe[0].value
    for col in ("KTC 95% — cận dưới (%)", "Ít trẻ, kém chính xác", "Tiến độ tới mục tiêu",
                "AARR cần để đạt mục tiêu 2030 (%/năm)", "AARR hiện tại (%/năm)"):
        assert col in table.columns
    assert table["AARR cần để đạt mục tiêu 2030 (%/năm)"].notna().all()
    assert (table["KTC 95% — cận dưới (%)"] <= table["Giá trị (%)"]).all()
    assert set(table["Tiến độ tới mục tiêu"]) <= {"Chậm tiến độ", "Đúng tiến độ", "Không đủ số liệu để đánh giá"}


def test_profile_and_overview_show_progress(layers):
    at = open_page("views/profile.py", commune="02761", ty="2030")
    assert "Tiến độ tới mục tiêu 2030" in at.dataframe[0].value.columns
    traces = figure(at)["data"]
    assert any(tr.get("line", {}).get("dash") for tr in traces)  # projection drawn dashed
    ov = open_page("views/overview.py", ty="2030")
    assert any("Tiến độ tới mục tiêu 2030" in m.value for m in ov.markdown)


def test_lagging_aarr_needed_once_the_target_year_has_come(layers):
    """2025 data against the 2025 target: the column is for the plan's 2030 target, said in a caption, and each
    row's value is the rate that takes the commune's value to that target in 5 years."""
    at = open_page("views/lagging.py", prov="12", ind="underweight_u5", fw="tam_duong")
    table = at.dataframe[0].value
    column = "AARR cần để đạt mục tiêu 2030 (%/năm)"
    assert column in table.columns and table[column].notna().all()
    assert any("Năm mục tiêu 2025 đã đến" in c.value for c in at.caption)
    expected = (1 - (12.0 / table["Giá trị (%)"]) ** (1 / 5)) * 100  # Tam Đường: underweight < 12 % by 2030
    assert (table[column] - expected).abs().max() < 1e-9
