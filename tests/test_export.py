"""Publication exports and the briefing pack: every file is opened and its content checked.

Chromium tests (marked `browser`) skip when the browser is missing; the national-map test also needs
the real boundary layers already built (it never builds them, to keep this file well under a minute).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from shapely.geometry import box

from geo import config
from geo.errors import DataError
from geo.geometry import boundaries
from geo.indicators.status import MET, NO_DATA, NOT_APPLICABLE, NOT_MET
from geo.reporting import briefing, export_map, render
from geo.reporting import publication as export
from geo.reporting.choropleth import NO_DATA_LINE, STATUS_COLOURS

HAS_CHROMIUM = Path(render.chromium_path()).is_file()
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason=f"Chromium not found at {render.chromium_path()}")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext not installed (apt-get install poppler-utils)")

TITLE = "Tỷ lệ suy dinh dưỡng thấp còi ở trẻ em dưới 5 tuổi — Tỉnh Thử, 2024"
MARK = "Dữ liệu minh họa"
LABELS = {
    "status.met": "Đạt", "status.not_met": "Chưa đạt", "status.no_data": "Không có số liệu",
    "status.no_target": "Chưa có mục tiêu", "status.not_applicable": "Không áp dụng", "yes": "Có", "no": "Không",
    "legend.title": "Chú giải",
    "illustrative.badge": "Dữ liệu minh họa / Illustrative data",
    "illustrative.note": "Số liệu do ứng dụng tự sinh để minh họa cách dùng, KHÔNG phải số liệu thống kê chính thức.",
    "export.title": "{indicator} — {area}, {year}",
    "export.subtitle": "Mục tiêu {target_year}: {target} · {framework}",
    "export.source_line": "Nguồn số liệu: {dataset} (phiên bản {version}). Ranh giới hành chính: {boundary}.",
    "export.reference_date": "Số liệu tính đến: {date}",
    "download.meta_indicator": "Chỉ số", "download.meta_definition": "Định nghĩa", "download.meta_target": "Mục tiêu",
    "download.meta_year": "Năm số liệu", "download.meta_filters": "Phạm vi và bộ lọc",
    "download.meta_framework": "Khung mục tiêu", "download.meta_dataset": "Bộ dữ liệu",
    "download.meta_reference_date": "Số liệu tính đến", "download.meta_created": "Thời điểm xuất",
    "download.meta_illustrative": "Dữ liệu minh họa",
    "briefing.title": "Bản tin tóm tắt: mục tiêu vì trẻ em — {area}, {year}",
    "briefing.framework": "Khung mục tiêu: {framework}",
    "briefing.dataset": "Bộ dữ liệu: {dataset} (phiên bản {version})",
    "briefing.reference_date": "Số liệu tính đến: {date}", "briefing.prepared_on": "Ngày lập: {date}",
    "briefing.boundary": "Ranh giới hành chính: {source}",
    "briefing.status_title": "Tình hình thực hiện các mục tiêu",
    "briefing.map_title": "Bản đồ đạt / chưa đạt mục tiêu theo xã",
    "briefing.equity_title": "Chênh lệch giữa các nhóm xã",
    "briefing.equity_note": "Chênh lệch tính bằng điểm phần trăm.",
    "briefing.lagging_title": "Các xã còn xa mục tiêu nhất",
    "briefing.lagging_note": "Khoảng cách: số điểm phần trăm còn thiếu so với mục tiêu.",
    "briefing.no_map": "Chưa có bản đồ.", "briefing.empty": "Không có số liệu.",
    "briefing.continued": "(tiếp theo)", "briefing.page": "Trang {n}",
    "briefing.col.indicator": "Chỉ số", "briefing.col.value": "Giá trị", "briefing.col.target_2025": "Mục tiêu 2025",
    "briefing.col.target_2030": "Mục tiêu 2030", "briefing.col.status_2025": "Tình trạng 2025",
    "briefing.col.status_2030": "Tình trạng 2030", "briefing.col.communes_meeting": "Số xã đạt",
    "briefing.col.em_area": "Vùng DTTS", "briefing.col.non_em_area": "Ngoài vùng DTTS",
    "briefing.col.em_gap": "Chênh lệch DTTS", "briefing.col.border": "Xã biên giới",
    "briefing.col.non_border": "Xã khác", "briefing.col.border_gap": "Chênh lệch biên giới",
    "briefing.col.commune": "Xã", "briefing.col.province": "Tỉnh / thành phố", "briefing.col.target": "Mục tiêu",
    "briefing.col.gap": "Khoảng cách",
}
META = {"short": "SDD thấp còi", "unit": "%", "direction": "lower_is_better", "measure": "rate"}


def test_label_keys_are_all_provided():
    assert set(export.LABEL_KEYS) <= set(LABELS)
    assert set(briefing.LABEL_KEYS) <= set(LABELS)


def test_ui_strings_file_has_every_export_label():
    from geo.text.catalogue import load_strings

    table = load_strings(config.registry_dir() / "strings.csv")
    if not any(key.startswith(("export.", "briefing.")) for key in table["vi"]):  # not pasted in yet
        pytest.skip("export/briefing UI strings not added to data/strings.csv yet")
    needed = set(export.LABEL_KEYS) | set(briefing.LABEL_KEYS)
    for lang, strings in table.items():
        assert not needed - set(strings), lang


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def geometry() -> gpd.GeoDataFrame:
    """Six 0.5° boxes in two rows, roughly where Lai Châu is."""
    boxes = [box(103 + 0.5 * i, 22 - 0.5 * j, 103.5 + 0.5 * i, 22.5 - 0.5 * j) for j in range(2) for i in range(3)]
    return gpd.GeoDataFrame({"code": [f"0{k}" for k in range(6)]}, geometry=boxes, crs=4326)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    values = [12.0, 31.5, np.nan, 18.0, 25.0, 9.5]
    status = [MET, NOT_MET, NO_DATA, MET, NOT_MET, MET]
    return pd.DataFrame({"code": [f"0{k}" for k in range(6)], "value": values, "status": status})


def decorate(fig: go.Figure, illustrative: bool = True) -> go.Figure:
    return export.decorate_for_publication(
        fig, title=TITLE,
        subtitle=export.compose_subtitle(LABELS, target="≤ 20%", target_year=2030,
                                         framework="Chương trình hành động quốc gia vì trẻ em 2021–2030"),
        source_line=export.compose_source_line(LABELS, dataset="Bộ số liệu thử", version="2025.1",
                                               boundary="sapnhap.bando.com.vn"),
        reference_date="31/12/2024", illustrative=illustrative, labels=LABELS, width_px=640, height_px=480,
    )


# --- the vector map ----------------------------------------------------------------------------------------


def test_status_map_embeds_geometry_and_shows_every_category(geometry, frame):
    fig = export_map.build_export_map(geometry, frame, mode="status", meta=META, labels=LABELS, lang="vi")
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"Đạt (3)", "Chưa đạt (2)", "Không có số liệu (1)"}
    met, no_data = by_name["Đạt (3)"], by_name["Không có số liệu (1)"]
    assert met.colorscale[0][1] == STATUS_COLOURS[MET] == "#0072B2"
    assert by_name["Chưa đạt (2)"].colorscale[0][1] == "#E69F00"
    assert no_data.colorscale[0][1] == "#D4D4D4" and no_data.marker.line.color == NO_DATA_LINE
    # Geometry is embedded (no URL to fetch), only the trace's own features, with code as the id.
    assert isinstance(met.geojson, dict) and sorted(f["id"] for f in met.geojson["features"]) == ["00", "03", "05"]
    geo = fig.layout.geo
    assert geo.visible is False and geo.fitbounds == "locations"
    assert fig.layout.separators == ",."


def signed_area(ring: list) -> float:
    xy = np.asarray(ring)
    return 0.5 * float(np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1]))


def test_embedded_polygons_wind_clockwise_and_drop_collapsed_parts(geometry, frame):
    from shapely.geometry import MultiPolygon

    sliver = box(104.0001, 21.0, 104.0002, 21.4)  # 11 m wide: nothing left on a 0.001° grid
    geoms = geometry.copy()
    geoms.loc[0, "geometry"] = MultiPolygon([geometry.geometry.iloc[0], sliver])
    fig = export_map.build_export_map(geoms, frame, mode="status", meta=META, labels=LABELS, decimals=3)
    features = [f for t in fig.data if t.type == "choropleth" for f in t.geojson["features"]]
    assert len(features) == 6
    for feature in features:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        assert len(polygons) == 1  # the sliver is gone
        assert all(signed_area(poly[0]) < 0 for poly in polygons)  # d3-geo wants clockwise exteriors


def test_no_data_stays_in_the_legend_when_empty(geometry, frame):
    full = frame.assign(value=frame["value"].fillna(20.0), status=frame["status"].replace(NO_DATA, MET))
    fig = export_map.build_export_map(geometry, full, mode="status", meta=META, labels=LABELS)
    swatch = [t for t in fig.data if t.name == "Không có số liệu (0)"]
    assert len(swatch) == 1 and swatch[0].type == "scattergeo" and swatch[0].marker.color == "#D4D4D4"


def with_not_applicable(frame: pd.DataFrame) -> pd.DataFrame:
    """Commune 04 reported 0 of 0 (nobody to count): no value, status 'not applicable'."""
    out = frame.copy()
    out.loc[4, ["value", "status"]] = [np.nan, NOT_APPLICABLE]
    return out


@pytest.mark.parametrize("mode", ["status", "value"])
def test_not_applicable_has_its_own_fill_and_legend_entry(geometry, frame, mode):
    fig = export_map.build_export_map(geometry, with_not_applicable(frame), mode=mode, meta=META, labels=LABELS)
    by_name = {t.name: t for t in fig.data if t.name}
    na, no_data = by_name["Không áp dụng (1)"], by_name["Không có số liệu (1)"]
    assert list(na.locations) == ["04"] and list(no_data.locations) == ["02"]  # 0 of 0 is not "no data"
    assert na.colorscale[0][1] == STATUS_COLOURS[NOT_APPLICABLE] != STATUS_COLOURS[NO_DATA]
    assert na.marker.line.color == NO_DATA_LINE and na.showlegend
    assert [f["id"] for f in na.geojson["features"]] == ["04"]
    drawn = [code for t in fig.data if t.type == "choropleth" for code in t.locations]
    assert sorted(drawn) == ["00", "01", "02", "03", "04", "05"]  # every commune once
    plain = export_map.build_export_map(geometry, frame, mode=mode, meta=META, labels=LABELS)
    assert not any(str(t.name).startswith("Không áp dụng") for t in plain.data)  # only when present


@pytest.mark.browser
@needs_chromium
def test_not_applicable_commune_prints_in_its_own_colour(geometry, frame):
    """Pixels inside each box of the printed map: white for 0 of 0, the no-data grey for the missing one."""
    import shapely
    from test_export_pixels import drawn_communes, hex_rgb

    fig = export_map.build_export_map(geometry, with_not_applicable(frame), mode="status", meta=META, labels=LABELS)
    png, svg = render.render_figures([(fig, "png"), (fig, "svg")], width_px=640, height_px=480, scale=1.0)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    codes = [list(t.locations) for t in fig.data if t.type == "choropleth"]
    seen = {}
    for code, fill, poly in drawn_communes(svg, codes):
        centre = shapely.get_point(shapely.maximum_inscribed_circle(poly), 0)
        x, y = int(round(centre.x)), int(round(centre.y))
        seen[code] = (fill, {tuple(int(c) for c in px) for px in img[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3)})
    assert sorted(seen) == ["00", "01", "02", "03", "04", "05"]
    assert seen["04"] == (hex_rgb(STATUS_COLOURS[NOT_APPLICABLE]), {hex_rgb(STATUS_COLOURS[NOT_APPLICABLE])})
    assert seen["02"] == (hex_rgb(STATUS_COLOURS[NO_DATA]), {hex_rgb(STATUS_COLOURS[NO_DATA])})
    assert seen["00"][1] == {hex_rgb(STATUS_COLOURS[MET])}


def test_value_map_has_a_colour_bar_with_units(geometry, frame):
    fig = export_map.build_export_map(geometry, frame, mode="value", meta=META, labels=LABELS)
    scale = [t for t in fig.data if t.showscale is not False and t.type == "choropleth" and t.z is not None
             and len(set(t.z)) > 1]
    assert len(scale) == 1 and scale[0].colorbar.title.text == "SDD thấp còi (%)"
    assert len(scale[0].locations) == 5  # no-data commune is in its own grey trace
    with pytest.raises(ValueError):
        export_map.build_export_map(geometry, frame, mode="classed", meta=META, labels=LABELS)


def test_decoration_adds_title_source_date_and_an_uncroppable_mark(geometry, frame):
    base = export_map.build_export_map(geometry, frame, mode="status", meta=META, labels=LABELS)
    fig = decorate(base)
    texts = [a.text for a in fig.layout.annotations]
    by_name = {a.name: a.text.replace("<br>", " ") for a in fig.layout.annotations}
    assert TITLE in by_name["title"] and "Mục tiêu 2030: ≤ 20%" in by_name["subtitle"]
    assert "<br>" in next(a.text for a in fig.layout.annotations if a.name == "title")  # wrapped to 640 px
    assert any("sapnhap.bando.com.vn" in t and "2025.1" in t.replace("<br>", " ") for t in texts)
    assert any("31/12/2024" in t for t in texts)
    names = {a.name for a in fig.layout.annotations}
    assert {"illustrative_band", "illustrative_banner"} <= names  # above the title and under the footer
    band = next(a for a in fig.layout.annotations if a.name == "illustrative_band")
    title = next(a for a in fig.layout.annotations if a.name == "title")
    assert MARK in band.text and band.y == 1 and band.yanchor == "bottom" and band.yshift > title.yshift
    # Nothing inside the plot area: every annotation sits in a margin, so no mark tints the map.
    assert all((a.y == 1 and a.yanchor == "bottom") or (a.y == 0 and a.yanchor == "top")
               for a in fig.layout.annotations)
    assert not base.layout.annotations  # the input figure is left alone
    plain = decorate(base, illustrative=False)
    assert not {"illustrative_band", "illustrative_banner"} & {a.name for a in plain.layout.annotations}


# --- rendering (Chromium) ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(geometry, frame) -> dict[str, bytes]:
    """PNG (scale 2), SVG and PDF of the decorated status map from one browser session."""
    if not HAS_CHROMIUM:
        pytest.skip(f"Chromium not found at {render.chromium_path()}")
    fig = decorate(export_map.build_export_map(geometry, frame, mode="status", meta=META, labels=LABELS))
    outputs = render.render_figures([(fig, "png"), (fig, "svg"), (fig, "pdf")], width_px=640, height_px=480,
                                    scale=2)
    return dict(zip(("png", "svg", "pdf"), outputs, strict=True))


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """pdftotext output with each page's whitespace collapsed (table cells and titles wrap); pages split by \f."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return "\f".join(" ".join(page.split()) for page in raw.split("\f"))


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.mark.browser
@needs_chromium
def test_png_has_the_requested_size_and_a_drawn_map(rendered):
    img = Image.open(io.BytesIO(rendered["png"])).convert("RGB")
    assert img.size == (1280, 960)
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200  # text antialiasing, map fills, the mark: anything but blank
    counts = {rgb: n for n, rgb in colours}
    blue, orange = counts.get((0x00, 0x72, 0xB2), 0), counts.get((0xE6, 0x9F, 0x00), 0)
    assert blue > 2000 and orange > 2000  # "met" and "not met" communes are filled...
    assert blue + orange < 0.2 * 1280 * 960  # ...and only them, not the globe around them (winding order)


@pytest.mark.browser
@needs_chromium
def test_svg_is_vector_and_keeps_the_vietnamese_title(rendered):
    svg = rendered["svg"].decode("utf-8")
    assert svg.lstrip().startswith("<svg") and "<image" not in svg  # paths, not a raster
    assert svg.count('class="choroplethlocation"') == 6
    assert "Tỷ lệ suy dinh dưỡng thấp còi" in svg and "Noto Sans" in svg
    assert "cdn.plot.ly" not in svg


@needs_pdftotext
@pytest.mark.browser
@needs_chromium
def test_pdf_text_extracts_intact(rendered, tmp_path):
    assert rendered["pdf"].startswith(b"%PDF") and pdf_pages(rendered["pdf"]) == 1
    text = pdf_text(rendered["pdf"], tmp_path)
    assert "Tỷ lệ suy dinh dưỡng thấp còi" in text
    assert "Đạt (3)" in text and MARK in text and "31/12/2024" in text


def test_render_rejects_unknown_formats_and_missing_browser():
    fig = go.Figure()
    with pytest.raises(ValueError):
        render.render_figure(fig, "jpeg", width_px=10, height_px=10)
    with pytest.raises(DataError):
        render.render_figure(fig, "png", width_px=10, height_px=10, browser_path="/nonexistent/chromium")


@pytest.mark.realdata
@pytest.mark.browser
@needs_chromium
def test_national_map_png(reference_dir):
    if not boundaries.layers_are_built(reference_dir, config.cache_dir(), config.static_dir()):
        pytest.skip("boundary layers not built yet (run the app or tests/test_boundaries.py once)")
    layers = boundaries.load_layers(reference_dir, config.cache_dir(), config.static_dir())
    geometry = layers.national_geometry()
    rng = np.random.default_rng(7)
    values = np.where(rng.random(len(geometry)) < 0.05, np.nan, rng.uniform(5, 40, len(geometry)))
    frame = pd.DataFrame({"code": geometry["code"], "value": values})
    frame["status"] = np.select([frame["value"].isna(), frame["value"] <= 20], [NO_DATA, MET], NOT_MET)
    outlines = boundaries.dissolve_provinces(geometry).rename(columns={"province_code": "code"})
    fig = decorate(export_map.build_export_map(geometry, frame, mode="status", meta=META, labels=LABELS,
                                           outlines=outlines, decimals=3))
    png = render.render_figure(fig, "png", width_px=900, height_px=1200)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == (900, 1200)
    counts = {rgb: n for n, rgb in img.getcolors(maxcolors=1 << 20)}
    blue, orange = counts.get((0x00, 0x72, 0xB2), 0), counts.get((0xE6, 0x9F, 0x00), 0)
    assert blue > 5000 and orange > 5000 and blue + orange < 0.3 * 900 * 1200


# --- the data behind the chart -----------------------------------------------------------------------------


@pytest.fixture()
def data_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["00001", "00002", "00003", "00004"],
        "name": ["Xã Đồng Văn", "=HYPERLINK(\"http://x\")", "+84 912", "@SUM(A1)"],
        "note": ["-bad", "\tTab", "\rCR", None],
        "value": [12.5, -3.25, np.nan, 40.0],
        "count": [1, 2, 3, 4],
    })


def export_meta(illustrative: bool = True):
    from geo.reporting.tabular import describe_file

    return describe_file(
        lang="vi", title=TITLE, indicator="Tỷ lệ suy dinh dưỡng thấp còi", definition="=1+1 trẻ thấp còi / trẻ được đo",
        year=2024, target="≤ 20% (2030)", framework="Chương trình hành động quốc gia vì trẻ em 2021–2030",
        framework_source="", framework_note="", filters="Tỉnh Thử", dataset="Bộ số liệu thử (2025.1)",
        boundary="sapnhap.bando.com.vn", illustrative=illustrative, created="2025-11-23T09:30:00")


def data_table(rows: pd.DataFrame):
    from geo.reporting.tabular import DataTable

    return DataTable(rows, {"code": "code", "name": "text", "note": "text", "value": "num1", "count": "int"},
                     name="Dữ liệu")


def test_csv_export_has_bom_metadata_and_exactly_the_rows(data_rows):
    import json
    import zipfile

    from geo.reporting.bundle import csv_bundle

    raw = csv_bundle(data_table(data_rows), export_meta())
    zf = zipfile.ZipFile(io.BytesIO(raw))
    data = zf.read("data.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    meta = json.loads(zf.read("metadata.json"))
    assert meta["illustrative"] is True and meta["created"] == "2025-11-23T09:30:00"
    readme = zf.read("README.txt").decode("utf-8")
    assert "'=1+1 trẻ thấp còi" not in data.decode("utf-8-sig") and "=1+1 trẻ thấp còi" in readme
    back = pd.read_csv(io.BytesIO(data))  # plain data with pandas defaults: no rows to skip, codes as text
    assert len(back) == len(data_rows) and list(back.columns) == list(data_rows.columns)
    assert back["name"].tolist()[1:] == ["'=HYPERLINK(\"http://x\")", "'+84 912", "'@SUM(A1)"]
    assert back["note"].tolist()[:2] == ["'-bad", "'\tTab"]
    assert back["value"].dtype == float and back["value"].iloc[1] == -3.2  # numbers stay numbers, as on screen
    assert back["code"].tolist() == ["VN" + c for c in data_rows["code"]]
    assert back["code"].str.removeprefix("VN").tolist() == data_rows["code"].tolist()


def test_xlsx_export_has_data_and_info_sheets(data_rows):
    from openpyxl import load_workbook

    from geo.reporting.workbook import HEADER_ROW, xlsx_workbook

    raw = xlsx_workbook([data_table(data_rows)], export_meta())
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames == ["Dữ liệu", "Thông tin"]
    ws = wb["Dữ liệu"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    assert rows[0] == tuple(data_rows.columns) and len(rows) - 1 == len(data_rows)
    assert [r[1] for r in rows[1:]] == ["Xã Đồng Văn", "'=HYPERLINK(\"http://x\")", "'+84 912", "'@SUM(A1)"]
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)  # no formula anywhere
    assert rows[2][3] == -3.2 and isinstance(rows[1][4], int) and rows[3][3] is None
    info = {r[0]: r[1] for r in wb["Thông tin"].iter_rows(values_only=True) if r[0]}
    assert info["Bộ dữ liệu"] == "Bộ số liệu thử (2025.1)" and info["Dữ liệu minh họa?"] == "Có"
    assert info["Định nghĩa"].startswith("'=")


# --- briefing pack -----------------------------------------------------------------------------------------


def map_png() -> bytes:
    img = Image.new("RGB", (900, 1200), "white")
    img.paste((0x00, 0x72, 0xB2), (100, 100, 500, 600))
    img.paste((0xE6, 0x9F, 0x00), (400, 500, 800, 1100))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def content(illustrative: bool = True, n_targets: int = 8, png: bytes | None = b"") -> briefing.BriefingContent:
    rng = np.random.default_rng(3)
    status = pd.DataFrame({
        "indicator": [f"Tỷ lệ suy dinh dưỡng thấp còi ở trẻ em dưới 5 tuổi ({i + 1})" for i in range(n_targets)],
        "value": rng.uniform(5, 40, n_targets), "target_2025": "≤ 23%", "target_2030": "≤ 20%",
        "status_2025": [MET, NOT_MET, NO_DATA, "no_target"] * (n_targets // 4) + [MET] * (n_targets % 4),
        "status_2030": NOT_MET, "communes_meeting": rng.integers(0, 3321, n_targets),
    })
    equity = pd.DataFrame({
        "indicator": ["Tỷ lệ suy dinh dưỡng thấp còi", "Xã có điểm vui chơi"],
        "em_area": [31.2, 40.0], "non_em_area": [18.4, 72.5], "em_gap": [12.8, 32.5],
        "border": [29.0, np.nan], "non_border": [20.1, 65.0], "border_gap": [8.9, np.nan],
    })
    lagging = pd.DataFrame({
        "commune": [f"Xã Đồng Văn {i}" for i in range(12)], "province": "Tuyên Quang",
        "value": np.linspace(48, 30, 12), "target": 20.0, "gap": np.linspace(28, 10, 12),
    })
    return briefing.BriefingContent(
        area_name="Tỉnh Thử", year=2024, framework_name="Chương trình hành động quốc gia vì trẻ em 2021–2030",
        dataset_name="Bộ số liệu thử", dataset_version="2025.1", illustrative=illustrative,
        status_table=status, status_map_png=map_png() if png == b"" else png, equity_table=equity,
        lagging_communes=lagging, lagging_indicator="Tỷ lệ suy dinh dưỡng thấp còi",
        reference_date="31/12/2024", prepared_on="23/11/2025",
    )


@needs_pdftotext
def test_briefing_pdf_pages_and_text(tmp_path):
    steps: list[tuple[float, str]] = []
    pdf = briefing.build_briefing_pdf(content(), LABELS, "vi", progress=lambda f, m: steps.append((f, m)))
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 5
    text = pdf_text(pdf, tmp_path)
    for needle in ("Bản tin tóm tắt: mục tiêu vì trẻ em — Tỉnh Thử, 2024", "Tỷ lệ", "thấp còi", "Đạt", "Chưa đạt",
                   MARK, "Chênh lệch giữa các nhóm xã", "+12,8 điểm %", "Xã Đồng Văn 11", "sapnhap.bando.com.vn",
                   "Trang 5"):
        assert needle in text, needle
    pages = text.split("\f")
    assert all(MARK in page for page in pages if page.strip())  # the banner is on every page
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and steps[-1] == (1.0, "done")


@needs_pdftotext
def test_briefing_pdf_without_mark_or_map_and_long_tables(tmp_path):
    pdf = briefing.build_briefing_pdf(content(illustrative=False, n_targets=60, png=None), LABELS, "en")
    text = pdf_text(pdf, tmp_path)
    assert MARK not in text and "Chưa có bản đồ." in text
    assert pdf_pages(pdf) > 5  # the 60-row status table runs on, header repeated
    assert text.count("Tình trạng 2025") >= 2 and "12.8" in text  # English number format


def test_briefing_pptx_slides_titles_and_mark():
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    c = content(n_targets=12)
    pptx = briefing.build_briefing_pptx(c, LABELS, "vi", rows_per_slide=10)
    deck = Presentation(io.BytesIO(pptx))
    titles = [s.shapes.title.text for s in deck.slides]
    assert len(deck.slides) == briefing.count_briefing_slides(c, 10) == 7
    assert titles == [
        "Bản tin tóm tắt: mục tiêu vì trẻ em — Tỉnh Thử, 2024", "Tình hình thực hiện các mục tiêu",
        "Tình hình thực hiện các mục tiêu (tiếp theo)", "Bản đồ đạt / chưa đạt mục tiêu theo xã",
        "Chênh lệch giữa các nhóm xã", "Các xã còn xa mục tiêu nhất", "Các xã còn xa mục tiêu nhất (tiếp theo)",
    ]
    for slide in deck.slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        assert any(t.startswith(MARK) for t in texts)
    table = next(sh.table for sh in deck.slides[1].shapes if sh.has_table)
    assert len(table.rows) == 11 and table.cell(1, 4).text == "Đạt"
    assert any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in deck.slides[3].shapes)
    plain = Presentation(io.BytesIO(briefing.build_briefing_pptx(content(illustrative=False), LABELS, "vi")))
    assert not any(MARK in sh.text_frame.text for s in plain.slides for sh in s.shapes if sh.has_text_frame)


def test_briefing_rejects_tables_missing_columns():
    bad = content()
    broken = briefing.BriefingContent(**{**bad.__dict__, "equity_table": bad.equity_table.drop(columns="em_gap")})
    with pytest.raises(ValueError, match="em_gap"):
        briefing.build_briefing_pdf(broken, LABELS, "vi")


@needs_chromium
def test_scale_sharpens_the_png_but_keeps_the_pdf_page_size():
    """300 dpi A4 means a bigger PNG, not a 2.6 m PDF page: scale is a raster resolution only."""
    from pypdf import PdfReader

    fig = go.Figure(go.Bar(x=["Đạt", "Chưa đạt"], y=[3, 2]))
    png, pdf = render.render_figures([(fig, "png"), (fig, "pdf")], width_px=400, height_px=300, scale=2)
    assert Image.open(io.BytesIO(png)).size == (800, 600)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - 400 * 0.75) < 2 and abs(float(box.height) - 300 * 0.75) < 2
