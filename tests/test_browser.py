"""Real headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against a running app."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


def _count_colour(png: bytes, rgb: tuple[int, int, int], tol: int = 16) -> int:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((np.abs(pixels - np.array(rgb)) <= tol).all(axis=-1).sum())


MAP = ".vnmap"
RENDERED = "() => { const m = document.querySelector('.vnmap'); return m && m.dataset.version && " \
           "m.dataset.rendered === m.dataset.version; }"


def _wait_rendered(page, after: str | None = None) -> str:
    """Wait until the map has drawn the colours of the latest rerun (newer than `after` when given)."""
    page.wait_for_function(RENDERED if after is None else
                           f"() => ({RENDERED})() && document.querySelector('.vnmap').dataset.version !== '{after}'",
                           timeout=90_000)
    return page.locator(MAP).first.get_attribute("data-version")


def test_map_is_drawn_offline_with_geometry_fetched_once(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/", wait_until="domcontentloaded")
    version = _wait_rendered(page)
    chart = page.locator(MAP).first
    ARTIFACTS.mkdir(exist_ok=True)
    png = chart.screenshot(path=str(ARTIFACTS / "map_national.png"))
    assert page.get_by_text("Dữ liệu minh họa / Illustrative data").first.is_visible()
    assert page.locator(".vnmap-legend").get_by_text("Chưa đạt").count() >= 1
    # both status colours are actually painted on the map canvas
    assert _count_colour(png, (0x00, 0x72, 0xB2)) > 500
    assert _count_colour(png, (0xE6, 0x9F, 0x00)) > 500
    # the province outlines (one-pixel GL lines, #222; the names' #141414 is further than the tolerance)
    assert _count_colour(png, (34, 34, 34), tol=6) > 300
    # offline: nothing was requested from anywhere but the app itself
    assert all(u.startswith(server) or u.startswith("data:") or u.startswith("blob:") for u in requests), \
        [u for u in requests if not u.startswith(server)][:5]
    geo_requests = [u for u in requests if u.endswith("communes_national.mesh")]
    assert len(geo_requests) == 1

    # a filter change recolours without fetching the geometry again
    page.get_by_text("Tất cả").nth(1).wait_for()
    page.locator("[data-testid='stSidebar']").get_by_text("Có", exact=True).nth(1).click()  # border = yes
    page.wait_for_function("() => location.search.includes('border=yes')", timeout=30_000)
    _wait_rendered(page, after=version)
    after = chart.screenshot()
    assert _count_colour(after, (0xE6, 0x9F, 0x00)) < _count_colour(png, (0xE6, 0x9F, 0x00))  # fewer communes
    assert len([u for u in requests if u.endswith("communes_national.mesh")]) == 1
    page.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    return page


def test_copied_link_restores_the_same_view(server, browser):
    page = _open(browser, f"{server}/lagging?ind=underweight_u5&prov=15&ty=2030&order=nearest")
    page.get_by_text("Xã chậm tiến độ", exact=True).last.wait_for(timeout=60_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Sao chép liên kết", exact=True).first.click()  # the copy-link expander
    link = sidebar.locator("[data-testid='stMarkdownContainer'] code").filter(has_text="http://").first \
        .inner_text(timeout=30_000).strip()
    assert "/lagging?" in link and "prov=15" in link and "ind=underweight_u5" in link and "order=nearest" in link
    page.close()

    again = _open(browser, link)
    again.get_by_text("Xã chậm tiến độ", exact=True).last.wait_for(timeout=60_000)
    again.get_by_text("Tỷ lệ suy dinh dưỡng thể nhẹ cân ở trẻ em dưới 5 tuổi — Lào Cai — năm 2025, "
                      "so với mục tiêu 2030").first.wait_for(timeout=30_000)
    province = again.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Tỉnh")
    assert "Lào Cai" in province.locator("input").first.input_value() or province.get_by_text("Lào Cai").count()
    assert again.locator("label").filter(has_text="Gần đạt mục tiêu nhất").locator("input").is_checked()
    again.close()


def _view(page) -> dict:
    import json

    return json.loads(page.locator(MAP).first.get_attribute("data-view"))


def test_map_hover_click_to_profile_and_kept_view(server, browser):
    """On the deck.gl map: hover names the commune with its values, the view survives reruns, a click opens
    the profile."""
    page = _open(browser, f"{server}/?prov=01")
    version = _wait_rendered(page)
    box = page.locator(MAP).first.bounding_box()
    x, y = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    tip = page.locator(".vnmap-tooltip").filter(has_text="Giá trị").filter(has_not_text="…")  # values fetched
    tip.first.wait_for(timeout=30_000)
    text = tip.first.inner_text()
    assert "Hà Nội" in text and text.split("\n")[0].startswith(("Phường", "Xã"))
    assert "Giá trị" in text and "%" in text and "Mục tiêu" in text

    # zoom in with the wheel; a filter change and an indicator change keep that view
    start = _view(page)["zoom"]
    for _ in range(3):
        page.mouse.wheel(0, -300)
    page.wait_for_function(f"() => JSON.parse(document.querySelector('.vnmap').dataset.view).zoom > {start + 0.5}",
                           timeout=30_000)
    # settled: the view has not changed for half a second (the last wheel event is handled)
    page.wait_for_function("() => { const v = document.querySelector('.vnmap').dataset.view, now = performance.now();"
                           " if (v !== window.__lastView) { window.__lastView = v; window.__since = now; }"
                           " return now - window.__since > 500; }", timeout=30_000, polling=100)
    zoomed = _view(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("label").filter(has_text="Không").first.click()  # ethnic-minority area = no
    page.wait_for_function("() => location.search.includes('em=no')", timeout=30_000)
    version = _wait_rendered(page, after=version)
    sidebar.locator("[data-testid='stSelectbox']").filter(has_text="Chỉ số").locator("input").click()
    page.keyboard.type("Tỷ lệ suy dinh dưỡng thể nhẹ cân")
    page.get_by_role("option").first.click()
    page.wait_for_function("() => location.search.includes('ind=underweight_u5')", timeout=30_000)
    _wait_rendered(page, after=version)
    kept = _view(page)
    assert abs(kept["zoom"] - zoomed["zoom"]) < 1e-6
    assert abs(kept["longitude"] - zoomed["longitude"]) < 1e-6 and abs(kept["latitude"] - zoomed["latitude"]) < 1e-6

    page.mouse.click(x, y)
    page.wait_for_url("**/profile?*", timeout=60_000)
    assert "commune=" in page.url and "prov=01" in page.url
    page.get_by_text("Hồ sơ xã", exact=True).last.wait_for(timeout=30_000)
    header = page.locator("h2").first.inner_text()
    assert header.startswith(("Phường", "Xã"))
    page.close()


def test_lagging_table_downloads_with_diacritics_and_the_filtered_rows(server, browser, tmp_path):
    """The lagging downloads hold exactly the rows the page counts, with Vietnamese names intact."""
    import zipfile

    from openpyxl import load_workbook

    from tests.test_browser_downloads import _download, check_bundle

    page = _open(browser, f"{server}/lagging?prov=15")
    caption = page.get_by_text("xã chưa đạt mục tiêu").first
    caption.wait_for(timeout=60_000)
    expected_rows = int(caption.inner_text().split()[0].replace(".", ""))
    _, raw = _download(page, "Tải số liệu CSV", tmp_path)
    assert zipfile.ZipFile(io.BytesIO(raw)).read("data.csv").startswith(b"\xef\xbb\xbf")  # BOM for Excel
    table, _ = check_bundle(raw)
    assert len(table) == expected_rows
    assert set(table["Tỉnh / thành phố"]) == {"Lào Cai"} and "Xã / phường" in table.columns
    _, xlsx = _download(page, "Tải số liệu Excel", tmp_path)
    book = load_workbook(io.BytesIO(xlsx))
    sheet = book.worksheets[0]  # row 1: title with the illustrative mark, row 2: header
    assert sheet.max_row - 2 == expected_rows
    assert any("Lào Cai" == cell.value for row in sheet.iter_rows() for cell in row)
    page.close()


def test_clicking_a_funnel_point_opens_the_profile(server, browser):
    page = _open(browser, f"{server}/funnel?prov=12")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=90_000)
    page.wait_for_function("() => { const g = document.querySelector('.js-plotly-plot'); "
                           "return !!g && !!g._fullLayout && !g._transitioning; }", timeout=30_000)
    points = page.locator(".js-plotly-plot .scatterlayer .trace:last-child .point")
    target = points.nth(0) if points.count() else page.locator(".js-plotly-plot .scatterlayer .point").last
    box = target.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/profile?*", timeout=60_000)
    assert "commune=" in page.url
    page.locator("h2").first.wait_for(timeout=30_000)
    page.close()


def test_trend_and_certainty_layers_are_drawn(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    for query, legend, colour in (("colour=trend&ty=2030", "Chậm tiến độ", (0xD5, 0x5E, 0x00)),
                                  ("colour=certainty", "Chưa thể kết luận", (0xF0, 0xE4, 0x42))):
        page.goto(f"{server}/?{query}", wait_until="domcontentloaded")
        page.locator(".vnmap-legend").get_by_text(legend).first.wait_for(timeout=90_000)
        _wait_rendered(page)
        png = page.locator(MAP).first.screenshot()
        assert _count_colour(png, colour) > 300, query
    page.close()
