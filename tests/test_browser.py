"""Real headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against a running app."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(layers):
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/install-system.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _count_colour(png: bytes, rgb: tuple[int, int, int], tol: int = 16) -> int:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for px in img.getdata() if all(abs(a - b) <= tol for a, b in zip(px, rgb, strict=True)))


def test_map_is_drawn_offline_with_geometry_fetched_once(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/", wait_until="domcontentloaded")
    page.wait_for_selector(".js-plotly-plot .maplibregl-canvas", timeout=90_000)
    page.wait_for_function(
        "() => window.PlotlyGeoAssets && Object.keys(window.PlotlyGeoAssets).some(k => k.endsWith('.geojson'))",
        timeout=60_000)
    page.wait_for_timeout(2500)  # let MapLibre paint the fills
    chart = page.locator(".js-plotly-plot").first
    ARTIFACTS.mkdir(exist_ok=True)
    png = chart.screenshot(path=str(ARTIFACTS / "map_national.png"))
    assert page.get_by_text("Dữ liệu minh họa / Illustrative data").first.is_visible()
    assert page.locator(".legend").get_by_text("Chưa đạt").count() >= 1
    # both status colours are actually painted on the map canvas
    assert _count_colour(png, (0x00, 0x72, 0xB2)) > 500
    assert _count_colour(png, (0xE6, 0x9F, 0x00)) > 500
    # offline: nothing was requested from anywhere but the app itself
    assert all(u.startswith(server) or u.startswith("data:") or u.startswith("blob:") for u in requests), \
        [u for u in requests if not u.startswith(server)][:5]
    geo_requests = [u for u in requests if u.endswith("communes_national.geojson")]
    assert len(geo_requests) == 1

    # a filter change recolours without fetching the geometry again
    page.get_by_text("Tất cả").nth(1).wait_for()
    page.locator("[data-testid='stSidebar']").get_by_text("Có", exact=True).nth(1).click()  # border = yes
    page.wait_for_function("() => location.search.includes('border=yes')", timeout=30_000)
    page.wait_for_timeout(2500)
    assert len([u for u in requests if u.endswith("communes_national.geojson")]) == 1
    page.close()
