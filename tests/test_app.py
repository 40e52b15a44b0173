"""Streamlit AppTest of the map page and its widgets (server side, no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.realdata
APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app(layers):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _figure(at) -> dict:
    """The data the browser map (deck.gl component) receives on this rerun."""
    return json.loads(at.get("bidi_component")[0].proto.json)


def _located(fig: dict) -> set[str]:
    """Codes drawn as communes."""
    codes = fig["codes"]
    return {codes[i:i + 5] for i in range(0, len(codes), 5)}


def _names(fig: dict) -> list[str]:
    return [entry["label"] for entry in fig["legend"]]


def _metric(at, index: int) -> str:
    return at.metric[index].value


def test_default_view_shows_every_commune_with_status_and_illustrative_label(app):
    fig = _figure(app)
    assert len(_located(fig)) == 3321
    names = _names(fig)
    assert any("Đạt" in n for n in names) and any("Chưa đạt" in n for n in names)
    assert any("Không có số liệu" in n for n in names)
    assert len(fig["colour"]) == 3321 and all(0 <= c < len(fig["palette"]) for c in fig["colour"])
    # geometry is referenced by URL (fetched once by the browser), never embedded
    assert isinstance(fig["geo"], str) and fig["geo"].endswith(".mesh") and "features" not in json.dumps(fig)
    assert any("Dữ liệu minh họa / Illustrative data" in w.value for w in app.warning)
    assert re.fullmatch(r"[\d.]+ / 3\.321 xã", _metric(app, 0))
    assert app.query_params == {} or "ind" not in app.query_params


def test_filters_change_map_kpis_and_url(app):
    app.selectbox(key="prov").set_value("15").run()  # Lào Cai
    fig = _figure(app)
    codes = _located(fig)
    assert 0 < len(codes) < 3321
    assert fig["geo"].endswith("communes_15.mesh")
    assert app.query_params["prov"] == "15"
    total_lc = len(codes)
    app.radio(key="border").set_value("yes").run()
    border_codes = _located(_figure(app))
    assert 0 < len(border_codes) < total_lc
    assert app.query_params["border"] == "yes"
    assert _metric(app, 0).endswith(f"/ {len(border_codes)} xã")
    app.radio(key="em").set_value("no")
    app.radio(key="border").set_value("all").run()
    app.multiselect(key="types").set_value(["phuong"]).run()
    assert len(_located(_figure(app))) < total_lc


def test_indicator_year_target_year_and_colour_modes(app):
    app.selectbox(key="ind").set_value("underweight_u5").run()
    assert "nhẹ cân" in app.main.subheader[0].value
    app.radio(key="ty").set_value("2030").run()
    assert "2030" in app.metric[2].label
    app.selectbox(key="year").set_value("2021").run()
    app.radio(key="colour").set_value("value").run()
    fig = _figure(app)
    assert fig["bar"] and fig["bar"]["min"].endswith("%")  # a colour bar with its range
    app.radio(key="colour").set_value("classed").run()
    names = [n for n in _names(_figure(app)) if "%" in n]
    classes = [n for n in names if "kém chính xác" not in n]
    assert 3 <= len(classes) <= 5
    assert any("kém chính xác" in n for n in names)  # low-precision communes drawn paler, own legend entry
    assert not app.exception


def test_share_of_communes_indicator_reports_communes_needed(app):
    app.selectbox(key="ind").set_value("play_point")
    app.selectbox(key="fw").set_value("tam_duong")  # 95 % of communes by 2030: not yet reached nationally
    app.radio(key="ty").set_value("2030").run()
    assert "xã" in (app.metric[2].delta or "")
    assert "%" in app.metric[1].value


def test_missing_target_falls_back_to_values(app):
    app.selectbox(key="ind").set_value("school_sanitation").run()  # no national plan sets one
    assert any("Không có mục tiêu" in i.value for i in app.info)
    assert not app.exception


def test_url_restores_the_view(layers):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"ind": "underweight_u5", "prov": "15", "ty": "2030", "lang": "en", "em": "yes",
                            "colour": "value", "year": "2023"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="ind").value == "underweight_u5" and at.selectbox(key="prov").value == "15"
    assert at.radio(key="ty").value == "2030" and at.radio(key="em").value == "yes"
    assert at.radio(key="lang").value == "en"
    assert "Underweight" in at.main.subheader[0].value or "underweight" in at.main.subheader[0].value


def test_bad_url_values_fall_back_to_defaults(layers):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"ind": "<script>", "prov": "99", "year": "1900", "types": "nonsense"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="ind").value == "stunting_u5" and at.selectbox(key="prov").value == ""
    assert at.multiselect(key="types").value == ["xa", "phuong", "dac_khu"]


def test_missing_data_folder_shows_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("VNCHILD_DATA_DIR", str(tmp_path / "nowhere"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "Không tìm thấy" in text and "VNCHILD_DATA_DIR" in text


def test_server_process_collects_garbage_rarely(app):
    """The app sets the server's collector thresholds (ui/process.py), so full collections stop every session
    for 0.2-0.4 s a few times an hour instead of every few seconds under load; a rerun keeps them."""
    import gc

    from ui.process import GC_THRESHOLDS

    default = (700, 10, 10)
    gc.set_threshold(*default)
    try:
        app.selectbox(key="prov").set_value("15").run()
        assert not app.exception
        assert gc.get_threshold() == GC_THRESHOLDS != default
    finally:
        gc.set_threshold(*default)


def test_every_rerun_computes_in_a_rerun_slot(app, monkeypatch):
    """app.py runs each page inside the server's admission queue (ui/process.py): one slot per rerun, given
    back when the page is done, so queued reruns of other sessions run next."""
    from tests.apptest import SlotLog

    log = SlotLog(monkeypatch)
    app.selectbox(key="prov").set_value("15").run()
    app.switch_page("views/lagging.py").run()
    assert not app.exception and app.dataframe
    assert log.held == [True, True]
    assert log.slots._free == 1 and log.slots.queued() == 0


def test_shared_views_are_not_changed_by_the_pages_that_read_them(app):
    """The assessed national frame and each filter's cut are shared by every session (ui.cache per_view and
    per_selection): smoothing the map, another province and coming back must give the same communes and the
    same colours as the first visit."""
    app.selectbox(key="prov").set_value("15").run()
    first = _figure(app)
    app.radio(key="colour").set_value("value").run()
    plain = _figure(app)
    app.toggle(key="smooth_toggle").set_value(True).run()
    smoothed = _figure(app)
    assert smoothed["colour"] != plain["colour"]  # the smoothed rates colour the map
    assert _located(smoothed) == _located(first)
    app.toggle(key="smooth_toggle").set_value(False).run()
    assert _figure(app)["colour"] == plain["colour"]  # and never into the shared frame
    app.radio(key="colour").set_value("status").run()
    app.selectbox(key="prov").set_value("01").run()
    assert _located(_figure(app)).isdisjoint(_located(first))
    app.selectbox(key="prov").set_value("15").run()
    again = _figure(app)
    assert again["codes"] == first["codes"] and again["colour"] == first["colour"]
    fresh = AppTest.from_file(APP, default_timeout=120)  # another session, same shared caches
    fresh.query_params["prov"] = "15"
    fresh.run()
    assert not fresh.exception and _figure(fresh)["colour"] == first["colour"]
