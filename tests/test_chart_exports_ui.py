"""Chart files from the pages (equity, funnel, profile history, map): PDF and SVG titled with the chart's title.

Each page's render button is clicked in AppTest; the files it stores are opened. The PDF's info
title must equal the title printed on the chart (never the browser's "Kaleido-fier"), and its
subject and the SVG's metadata carry the target and the source.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo.reporting import render as gx
from tests.apptest import SlotLog, open_exports, open_page

pytestmark = [pytest.mark.realdata, pytest.mark.browser]
needs_chromium = pytest.mark.skipif(not Path(gx.chromium_path()).is_file(), reason="Chromium not found")
SVG = "{http://www.w3.org/2000/svg}"


def check_titled(files: dict, title: str) -> None:
    info = PdfReader(io.BytesIO(files["pdf"])).metadata
    assert info.title == title and "Kaleido" not in str(dict(info))
    assert "Mục tiêu" in info.subject and "Dữ liệu minh họa" in (info.get("/Keywords") or "")
    root = ET.fromstring(files["svg"])
    assert root.find(f"{SVG}title").text == title
    assert "sapnhap.bando.com.vn" in ET.tostring(root, encoding="unicode")


@needs_chromium
def test_equity_chart_exports_with_its_title(layers):
    at = open_exports(open_page("views/equity.py", timeout=300, prov="12"), "equity_chart")
    at.button(key="export_equity_chart_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    stored = at.session_state["_export_chart_equity_chart"]
    title = "Tỷ lệ suy dinh dưỡng thể thấp còi ở trẻ em dưới 5 tuổi: từng nhóm xã ưu tiên so với các xã còn lại" \
            " — Lai Châu, 2025"
    check_titled(stored["files"], title)
    assert stored["base"].startswith("stunting-u5_p12-lai-chau_y2025_t2025_") and stored["base"].endswith("chart")


@needs_chromium
def test_funnel_and_map_exports_are_titled(layers, monkeypatch):
    at = open_exports(open_page("views/funnel.py", timeout=300, prov="12"), "funnel")
    log = SlotLog(monkeypatch)
    at.button(key="export_funnel_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert log.released == [(True, 1)]  # the render waits on Chromium without the page's rerun slot
    check_titled(at.session_state["_export_chart_funnel"]["files"],
                 "Biểu đồ phễu: tỷ lệ theo số trẻ của xã — Tỷ lệ suy dinh dưỡng thể thấp còi ở trẻ em dưới 5 tuổi, "
                 "Lai Châu")
    open_exports(at.switch_page("views/map.py"), "map")
    at.button(key="export_map_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    check_titled(at.session_state["_export_map"]["files"],
                 "Tỷ lệ suy dinh dưỡng thể thấp còi ở trẻ em dưới 5 tuổi — Lai Châu, 2025")


@needs_chromium
def test_profile_history_export_is_titled(layers):
    at = open_page("views/profile.py", timeout=300, prov="12")
    code = layers.communes.loc[layers.communes["province_code"] == "12", "code"].iloc[0]
    at.selectbox(key="commune").set_value(code).run()
    assert not at.exception
    open_exports(at, "history")
    at.button(key="export_history_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    files = at.session_state["_export_chart_history"]["files"]
    title = PdfReader(io.BytesIO(files["pdf"])).metadata.title
    assert title.startswith("Diễn biến 2021–2025: SDD thấp còi (dưới 5 tuổi) — ")
    check_titled(files, title)
