"""Presentation mode and the lagging table in real Chromium (the projector and the planner's laptop)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
README_SHOT = ROOT / "docs" / "presentation.png"  # committed, shown in the README
SIDEBAR = "[data-testid='stSidebar']"
TICK = ".js-plotly-plot .xtick text"
LEAVE = "Thoát chế độ trình chiếu"
SHOW = "Hiện bảng chọn"


def _open(browser, url: str, size: tuple[int, int]):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=90_000)
    return page


def _tick_size(page) -> float:
    """The font size of the first x tick of the first plotly chart, as drawn in its SVG."""
    page.wait_for_selector(TICK, timeout=90_000)
    return page.eval_on_selector(TICK, "el => parseFloat(getComputedStyle(el).fontSize)")


def _sidebar_shown(page) -> bool:
    return page.evaluate(f"() => {{ const s = document.querySelector(\"{SIDEBAR}\"); if (!s) return false;"
                         " const r = s.getBoundingClientRect(); return r.width > 50 && r.right > 50 &&"
                         " getComputedStyle(s).display !== 'none'; }")


def _truncated_kpi_labels(page) -> list[str]:
    """KPI labels (and every element inside them) whose text is wider than their box (cut or ellipsed)."""
    page.wait_for_selector("[data-testid='stMetricLabel']", timeout=60_000)
    return page.evaluate("""() => [...document.querySelectorAll("[data-testid='stMetricLabel']")].flatMap(
        l => [l, ...l.querySelectorAll('*')]).filter(e => e.scrollWidth > e.clientWidth + 1 ||
        getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth)
        .map(e => e.innerText)""")


def _wait_url(page, predicate: str) -> None:
    page.wait_for_function(f"() => {{ const q = new URLSearchParams(location.search); return {predicate}; }}",
                           timeout=60_000)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_presentation_mode_is_large_collapsed_and_can_be_left(server, browser, size):
    ARTIFACTS.mkdir(exist_ok=True)
    tag = f"{size[0]}x{size[1]}"
    normal = _open(browser, f"{server}/overview?prov=12", size)
    normal_tick = _tick_size(normal)
    assert _sidebar_shown(normal)
    normal.close()

    page = _open(browser, f"{server}/overview?prov=12&present=1", size)
    present_tick = _tick_size(page)
    assert present_tick >= 1.5 * normal_tick, (normal_tick, present_tick)
    assert not _sidebar_shown(page)  # collapsed: the room sees the content
    title = page.locator("[data-testid='stMainBlockContainer'] h1").first.inner_text()
    assert "Lai Châu" in title and "2025" in title
    assert page.get_by_text("Dữ liệu minh họa / Illustrative data").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / f"present_overview_{tag}.png"))

    # the always-visible controls: open the sidebar and put it away again
    show = page.get_by_role("button", name=SHOW)
    assert show.is_visible() and page.get_by_role("button", name=LEAVE).is_visible()
    show.click()
    page.wait_for_function(f"() => !!document.querySelector(\"{SIDEBAR}\") && "
                           f"document.querySelector(\"{SIDEBAR}\").getBoundingClientRect().width > 50", timeout=60_000)
    assert page.locator(SIDEBAR).get_by_text("Tỉnh / thành phố").first.is_visible()
    page.get_by_role("button", name="Ẩn bảng chọn").click()
    page.get_by_role("button", name=SHOW).wait_for(timeout=60_000)
    assert not _sidebar_shown(page)

    # leave with the keyboard: Tab to the labelled button, Enter
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # Tab from the page's start
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.innerText || ''").strip() \
                .endswith(LEAVE):
            break
    else:
        pytest.fail("the leave button is not reachable with Tab")
    page.keyboard.press("Enter")
    _wait_url(page, "!q.has('present') && q.get('prov') === '12'")
    page.wait_for_function(f"() => !!document.querySelector(\"{SIDEBAR}\") && "
                           f"document.querySelector(\"{SIDEBAR}\").getBoundingClientRect().width > 50", timeout=60_000)
    page.wait_for_function(f"() => parseFloat(getComputedStyle(document.querySelector(\"{TICK}\")).fontSize) < "
                           f"{present_tick}", timeout=60_000)
    assert page.get_by_role("button", name=LEAVE).count() == 0
    page.close()

    # the commune map page in presentation mode: KPI labels whole, the map within the first screen
    page = _open(browser, f"{server}/?prov=12&present=1", size)
    assert not _truncated_kpi_labels(page)
    page.wait_for_selector(".vnmap", timeout=90_000)
    page.wait_for_function("() => { const m = document.querySelector('.vnmap'); return m && m.dataset.version && "
                           "m.dataset.rendered === m.dataset.version; }", timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / f"present_map_{tag}.png"))
    top = page.locator(".vnmap").first.bounding_box()["y"]
    assert top < size[1] * 0.72, top  # the map starts on the first screen (488 px at 1280×720, 405 at 1920×1080)
    if size == (1920, 1080):
        README_SHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(README_SHOT))
    # leave with the visible control (a click)
    page.get_by_role("button", name=LEAVE).click()
    _wait_url(page, "!q.has('present') && q.get('prov') === '12'")
    assert not _truncated_kpi_labels(page)  # also in the normal layout ("Số xã đạt mục tiêu …" was cut)
    page.close()


def test_presentation_mode_screenshot_at_4k(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = _open(browser, f"{server}/?prov=12&present=1", (3840, 2160))
    page.wait_for_function("() => { const m = document.querySelector('.vnmap'); return m && m.dataset.version && "
                           "m.dataset.rendered === m.dataset.version; }", timeout=120_000)
    assert not _sidebar_shown(page) and not _truncated_kpi_labels(page)
    page.screenshot(path=str(ARTIFACTS / "present_map_3840x2160.png"))
    page.goto(f"{server}/overview?prov=12&present=1", wait_until="domcontentloaded")
    _tick_size(page)
    page.screenshot(path=str(ARTIFACTS / "present_overview_3840x2160.png"))
    page.close()


def test_a_lagging_table_row_click_opens_that_communes_profile(server, browser):
    page = _open(browser, f"{server}/lagging?prov=12", (1280, 720))
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=90_000)
    grid.scroll_into_view_if_needed()
    # glide-data-grid keeps an accessible (hidden) copy of the visible cells: read the third row's name and code
    row = grid.locator("table tr").filter(has_text=re.compile(r"\d{5}")).nth(2)
    row.wait_for(state="attached", timeout=60_000)
    cells = [(c.text_content() or "").strip() for c in row.locator("td, th").all()]
    code = next(c for c in cells if re.fullmatch(r"\d{5}", c))
    name = next(c for c in cells if c.startswith(("Xã ", "Phường ", "Đặc khu ")))
    box = grid.bounding_box()
    pitch = 37  # header and row height as drawn (Streamlit's 35 px rows plus the grid lines)
    page.mouse.click(box["x"] + 16, box["y"] + pitch * 3 + pitch / 2)  # the third row's selection box
    page.wait_for_url("**/profile?*", timeout=60_000)
    _wait_url(page, f"q.get('commune') === '{code}' && q.get('prov') === '12'")
    heading = page.locator("[data-testid='stMainBlockContainer'] h2").first
    heading.wait_for(timeout=60_000)
    assert heading.inner_text().strip() == name  # the profile names the commune of the clicked row
    page.close()
