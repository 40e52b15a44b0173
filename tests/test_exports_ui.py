"""The export and briefing UI (ui/exports.py) on the real pages; every file it produces is opened and checked.

AppTest cannot hand out a download button's bytes, but the rendered files live in st.session_state
(one key per panel), and the data files come from the same builders the buttons call, run inside a
real session by a small script. Rendering needs Chromium (kaleido); the Lai Châu view (prov=12,
38 communes) keeps each render to a few seconds.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from geo import config
from geo.indicators.registry import load_registry
from geo.reporting import render as export
from tests.apptest import open_exports, run_script
from tests.apptest import open_page as open_apptest_page

pytestmark = [pytest.mark.realdata]

APP = str(Path(__file__).resolve().parents[1] / "app.py")
MARK = "Dữ liệu minh họa"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
needs_chromium = pytest.mark.skipif(not Path(export.chromium_path()).is_file(),
                                    reason=f"Chromium not found at {export.chromium_path()}")


def open_page(page: str, **params) -> AppTest:
    return open_apptest_page(page, timeout=300, **params)


def download_labels(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True,
                         timeout=30).stdout
    return " ".join(raw.split())


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def stunting_vi() -> str:
    return load_registry(config.registry_dir()).indicator("stunting_u5")["name_vi"]


@needs_chromium
def test_map_page_exports_the_current_view_as_png_svg_pdf(layers, stunting_vi, tmp_path):
    at = open_page("views/map.py", prov="12")
    assert "Xuất bản đồ và số liệu" in [e.label for e in at.expander]
    assert not download_labels(at) and not at.button  # closed, the panel builds nothing (lazy expander)
    open_exports(at, "map")
    assert "Tải ảnh PNG" not in download_labels(at)  # nothing is drawn before the click
    assert [label.split(" (")[0] for label in download_labels(at)] == ["Tải số liệu CSV", "Tải số liệu Excel"]

    at.button(key="export_map_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert download_labels(at)[:3] == ["Tải ảnh PNG", "Tải ảnh vector SVG", "Tải tệp PDF (vector)"]
    files = at.session_state["_export_map"]["files"]
    assert set(files) == {"png", "svg", "pdf"}
    title = f"{stunting_vi} — Lai Châu, 2025"

    png = Image.open(io.BytesIO(files["png"])).convert("RGB")
    assert files["png"].startswith(PNG_SIGNATURE) and png.size == (1600, 1200)  # default preset, scale 1
    colours = png.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200  # map, text, the mark: not blank
    counts = {rgb: n for n, rgb in colours}
    assert counts.get((0xE6, 0x9F, 0x00), 0) + counts.get((0x00, 0x72, 0xB2), 0) > 50_000  # communes filled

    svg = files["svg"].decode("utf-8")
    assert svg.lstrip().startswith("<svg") and "<image" not in svg
    assert title in svg and svg.count('class="choroplethlocation"') >= 38

    assert files["pdf"].startswith(b"%PDF") and pdf_pages(files["pdf"]) == 1
    text = pdf_text(files["pdf"], tmp_path)
    assert title in text and "Tỷ lệ" in text and "thấp còi" in text and MARK in text
    assert "Số liệu tính đến: 2025" in text and "sapnhap.bando.com.vn" in text

    # Another view: the files of the old one are no longer offered.
    at.selectbox(key="prov").set_value("15").run()
    assert "Tải ảnh PNG" not in download_labels(at) and "_export_map" not in at.session_state


def test_size_presets_fill_width_height_and_scale(layers):
    at = open_exports(open_page("views/map.py", prov="12"), "map")
    at.selectbox(key="export_preset").set_value("a4_landscape").run()
    assert (at.number_input(key="export_width").value, at.number_input(key="export_height").value) == (1123, 794)
    assert at.number_input(key="export_scale").value == pytest.approx(3.125)


def test_a_missing_browser_is_a_clear_message_not_a_traceback(layers, monkeypatch):
    monkeypatch.setenv(export.CHROMIUM_ENV, "/nonexistent/chromium")
    at = open_exports(open_page("views/map.py", prov="12"), "map")
    at.button(key="export_map_render").click().run()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "Không xuất được tệp" in message and "Chromium" in message and "Traceback" not in message
    assert "Tải ảnh PNG" not in download_labels(at)


def _data_script():
    """Runs as a Streamlit page: the map data files for the URL's view, plus a copy with hostile names."""
    import streamlit as st

    from ui import export_panel as exports
    from ui.context import load_context

    ctx = load_context()
    out = {"n": len(ctx.frame), "province_codes": sorted(set(ctx.frame["province_code"]))}
    out.update(exports.data_files(ctx, [exports.map_data(ctx)], title=exports.map_title(ctx)))
    out["name"] = exports.download_name(ctx, "map_data", "zip")
    hostile = ctx.frame.copy()
    hostile.loc[hostile.index[:3], "full_name"] = ['=HYPERLINK("http://x.invalid","a")', "+1+1", "@SUM(A1)"]
    ctx.frame = hostile
    out["hostile"] = exports.data_files(ctx, [exports.map_data(ctx)], title="x")
    st.session_state["out"] = out


def test_map_data_files_hold_exactly_the_view_rows_with_metadata(layers):
    import json
    import zipfile

    at = run_script(_data_script, prov="12")
    out = at.session_state["out"]
    n_communes = int((layers.communes["province_code"] == "12").sum())
    assert out["n"] == n_communes and out["province_codes"] == ["12"]
    assert out["name"].startswith("stunting-u5_p12-lai-chau_y2025_t2025_") and out["name"].endswith("map-data.zip")

    bundle = zipfile.ZipFile(io.BytesIO(out["zip"]))
    assert sorted(bundle.namelist()) == ["README.txt", "data.csv", "metadata.json"]
    raw = bundle.read("data.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(raw))  # pandas defaults: plain data, one header row
    assert len(table) == n_communes and set(table["Tỉnh / thành phố"]) == {"Lai Châu"}
    assert "Xã / phường" in table.columns and table["Giá trị (%)"].dtype == float
    assert (table["Giá trị (%)"].dropna() == table["Giá trị (%)"].dropna().round(1)).all()  # as on screen
    counts = [c for c in table.columns if c.startswith(("Tử số", "Mẫu số"))]
    assert counts and all(pd.api.types.is_integer_dtype(table[c]) or (table[c].dropna() % 1 == 0).all()
                          for c in counts)
    meta = json.loads(bundle.read("metadata.json"))
    for key in ("indicator", "definition", "target", "framework", "source", "created", "filters", "method"):
        assert meta.get(key), key
    assert meta["illustrative"] is True and MARK in meta["illustrative_note"] and meta["target"].startswith("2025: ")
    assert meta["data_date"] == "2025" and "Lai Châu" in meta["filters"]
    codes = table["Mã xã"]  # read with pandas defaults: text, zeros kept, the bare code after the prefix
    assert codes.str.fullmatch(r"VN\d{5}").all()
    assert set(codes.str.removeprefix("VN")) == set(layers.communes.loc[layers.communes["province_code"] == "12",
                                                                         "code"])
    assert pd.read_csv(io.BytesIO(raw), dtype={"Mã xã": str})["Mã xã"].equals(codes)  # README's dtype line

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(out["xlsx"]))
    assert book.sheetnames == ["Danh sách xã", "Thông tin"]
    sheet = book["Danh sách xã"]
    assert sheet.max_row - 2 == n_communes and sheet.freeze_panes == "A3" and MARK in sheet["A1"].value
    about = {row[0]: row[1] for row in book["Thông tin"].iter_rows(values_only=True) if row[0]}
    assert about.get("Dữ liệu minh họa?") == "Có" and about.get("Định nghĩa")

    hostile_zip = zipfile.ZipFile(io.BytesIO(out["hostile"]["zip"]))
    hostile = hostile_zip.read("data.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in hostile and ",'+1+1," in hostile and ",'@SUM(A1)," in hostile
    assert not re.search(r"(^|,)=HYPERLINK", hostile, flags=re.M)
    sheet = load_workbook(io.BytesIO(out["hostile"]["xlsx"]))["Danh sách xã"]
    names = [cell.value for cell in next(sheet.iter_cols(min_col=2, max_col=2, min_row=3))]
    assert sheet.cell(2, 2).value == "Xã / phường"
    assert {"'=HYPERLINK(\"http://x.invalid\",\"a\")", "'+1+1", "'@SUM(A1)"} <= set(names)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def _coastal_script():
    """Runs as a Streamlit page: what the panel labels a coastal/island-filtered view with."""
    import io
    import json
    import zipfile

    import streamlit as st

    from ui import export_panel as exports
    from ui.context import load_context

    ctx = load_context()
    bundle = zipfile.ZipFile(io.BytesIO(exports.data_files(ctx, [exports.map_data(ctx)], title="x")["zip"]))
    st.session_state["out"] = {"title": exports.map_title(ctx), "area": exports.area_label(ctx),
                               "name": exports.download_name(ctx, "map_data", "zip"), "n": len(ctx.frame),
                               "all_coastal": bool(ctx.frame["coastal"].fillna(False).all()),
                               "filters": json.loads(bundle.read("metadata.json"))["filters"]}


def test_a_coastal_and_island_filtered_export_names_the_filters(layers):
    at = run_script(_coastal_script, coast="yes", island="no")
    out = at.session_state["out"]
    assert out["n"] > 0 and out["all_coastal"]
    assert out["area"] == "Cả nước (Xã ven biển: Có; Xã đảo: Không)"
    assert out["title"].endswith("— Cả nước (Xã ven biển: Có; Xã đảo: Không), 2025")
    assert "_coastal-yes_island-no_" in out["name"]
    assert "Xã ven biển: Có" in out["filters"] and "Xã đảo: Không" in out["filters"]


@needs_chromium
def test_overview_briefing_pack_pdf_and_pptx(layers, tmp_path):
    from pptx import Presentation

    at = open_page("views/overview.py", prov="12")
    assert "Tải bản tin (PDF)" not in download_labels(at)
    at.button(key="briefing_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    labels = download_labels(at)
    assert "Tải bản tin (PDF)" in labels and "Tải bản trình chiếu (PowerPoint)" in labels
    files = at.session_state["_export_briefing"]["files"]

    pdf = files["pdf"]
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) >= 5
    text = pdf_text(pdf, tmp_path)
    for expected in ("Bản tin tóm tắt: mục tiêu vì trẻ em — Lai Châu, 2025", "Tình hình thực hiện các mục tiêu",
                     "Bản đồ đạt / chưa đạt mục tiêu theo xã", "Chênh lệch giữa các nhóm xã",
                     "Các xã còn xa mục tiêu nhất", "Tỷ lệ", "thấp còi", MARK, "Số xã đạt mục tiêu 2025"):
        assert expected in text, expected

    deck = Presentation(io.BytesIO(files["pptx"]))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[0] == "Bản tin tóm tắt: mục tiêu vì trẻ em — Lai Châu, 2025"
    base = [re.sub(r" \(tiếp theo\)$", "", title) for title in titles[1:]]
    assert list(dict.fromkeys(base)) == ["Tình hình thực hiện các mục tiêu", "Bản đồ đạt / chưa đạt mục tiêu theo xã",
                                         "Chênh lệch giữa các nhóm xã", "Các xã còn xa mục tiêu nhất"]
    assert len(titles) == 8  # 12 indicators and 15 communes: status, equity and lagging tables take 2 slides each
    assert any(shape.name == "illustrative_banner" for shape in deck.slides[3].shapes)  # the map slide too

    # English session: the Vietnamese pack is not offered any more, a new one is in English.
    at.radio(key="lang").set_value("en").run()
    assert "Download briefing (PDF)" not in download_labels(at)
    at.button(key="briefing_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    english = pdf_text(at.session_state["_export_briefing"]["files"]["pdf"], tmp_path)
    assert "Briefing: targets for children — Lai Châu, 2025" in english and "Illustrative data" in english
    assert "Download slides (PowerPoint)" in download_labels(at)


@needs_chromium
def test_overview_charts_export_with_their_data(layers, tmp_path):
    at = open_exports(open_page("views/overview.py", prov="12"), "area_trend", "province_map")
    at.button(key="export_area_trend_render").click().run()
    at.button(key="export_province_map_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    trend = at.session_state["_export_chart_area_trend"]["files"]
    assert Image.open(io.BytesIO(trend["png"])).size == (1600, 1000)
    assert "Xu hướng:" in trend["svg"].decode("utf-8") and "<image" not in trend["svg"].decode("utf-8")
    provinces = at.session_state["_export_chart_province_map"]["files"]
    assert "Tình trạng theo tỉnh" in pdf_text(provinces["pdf"], tmp_path)
    assert download_labels(at).count("Tải ảnh PNG") == 2


def test_a_missing_browser_still_gives_the_briefing_pack_without_the_map_image(layers, monkeypatch, tmp_path):
    monkeypatch.setenv(export.CHROMIUM_ENV, "/nonexistent/chromium")
    at = open_page("views/overview.py", prov="12")
    at.button(key="briefing_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Tải bản tin (PDF)" in download_labels(at)
    note = " ".join(w.value for w in at.warning)
    assert "không có hình bản đồ" in note and "Chromium" in note
    text = pdf_text(at.session_state["_export_briefing"]["files"]["pdf"], tmp_path)
    assert "không có hình bản đồ" in text and "Các xã còn xa mục tiêu nhất" in text


@needs_chromium
def test_overview_makes_packs_for_chosen_provinces_in_one_click(layers):
    import zipfile

    at = open_exports(open_page("views/overview.py"), "packs")
    at.multiselect(key="briefing_provinces").set_value(["12", "15"]).run()
    at.button(key="briefing_all_render").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    stored = at.session_state["_export_packs"]
    assert stored["ok"] == 2 and stored["failed"] == 0
    archive = zipfile.ZipFile(io.BytesIO(stored["zip"]))
    names = archive.namelist()
    assert sum(n.endswith(".pdf") for n in names) == 2 and sum(n.endswith(".pptx") for n in names) == 2
    index = pd.read_csv(io.BytesIO(archive.read("index.csv")))  # pandas defaults: the codes are text
    assert index["Mã tỉnh"].tolist() == ["VN12", "VN15"] and index["Lỗi"].isna().all()
    assert "Tải tất cả (tệp nén: PDF, PowerPoint, mục lục)" in download_labels(at)
    assert any("Đã tạo 2 bản tin" in c.value for c in at.caption)
