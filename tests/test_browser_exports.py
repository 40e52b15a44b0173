"""Publication exports in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The app runs as a real server; the browser clicks the export and briefing buttons and saves what the
download buttons hand out, exactly as a user would.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.realdata]



# True once no script run has been going for a second: the page's follow-up reruns (the URL written back,
# the map's view) are over, so a click is not taken by a run that re-renders its button.
SETTLED = """() => {
  const state = document.querySelector("[data-testid='stApp']")?.getAttribute("data-test-script-state");
  const now = performance.now();
  if (!state || state === "running") { window.__busyAt = now; return false; }
  return now - (window.__busyAt || 0) > 1000;
}"""


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    page.wait_for_function(SETTLED, timeout=90_000, polling=100)
    return page


def _download(page, label: str, path: Path) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label).click()
    info.value.save_as(path)
    return path.read_bytes()


def test_map_export_downloads_the_png_and_the_data_of_the_view(server, browser, layers, tmp_path):
    page = _open(browser, f"{server}/?prov=15")
    page.get_by_text("Xuất bản đồ và số liệu").first.click(timeout=90_000)
    page.wait_for_function(SETTLED, timeout=90_000, polling=100)
    page.get_by_role("button", name="Tạo tệp bản đồ (PNG, SVG, PDF)").click(timeout=30_000)
    page.get_by_role("button", name="Tải ảnh PNG").wait_for(timeout=120_000)
    page.get_by_role("button", name="Tải tệp PDF (vector)").wait_for(timeout=120_000)  # renders after the PNG
    assert page.get_by_role("button", name="Tải tệp PDF (vector)").count() == 1

    png = _download(page, "Tải ảnh PNG", tmp_path / "map.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (1600, 1200)

    import zipfile

    import pandas as pd

    raw = _download(page, "Tải số liệu CSV", tmp_path / "data.zip")
    data = zipfile.ZipFile(io.BytesIO(raw)).read("data.csv")
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    table = pd.read_csv(io.BytesIO(data))  # plain data: pandas defaults
    assert set(table["Tỉnh / thành phố"]) == {"Lào Cai"}
    assert len(table) == int((layers.communes["province_code"] == "15").sum())
    page.close()


def test_overview_briefing_downloads_a_pdf(server, browser, tmp_path):
    from pypdf import PdfReader

    page = _open(browser, f"{server}/overview?prov=15")
    page.get_by_role("button", name="Tạo bản tin tóm tắt").click(timeout=90_000)
    page.get_by_role("button", name="Tải bản tin (PDF)").wait_for(timeout=120_000)
    pdf = _download(page, "Tải bản tin (PDF)", tmp_path / "briefing.pdf")
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 4
    assert page.get_by_role("button", name="Tải bản trình chiếu (PowerPoint)").count() == 1
    page.close()
