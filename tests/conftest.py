"""Shared fixtures. Real-data tests skip cleanly when ../shared/data is not there."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from geo import config
from geo.geometry import boundaries


@pytest.fixture(scope="session")
def reference_dir():
    ref = config.reference_dir()
    if not (ref / boundaries.COMMUNES_FILE).exists():
        pytest.skip(f"reference data not found at {ref} (set VNCHILD_DATA_DIR)")
    return ref


@pytest.fixture(scope="session")
def layers(reference_dir):
    """The app's real derived layers (built once into the git-ignored cache, ~1 min the first time)."""
    return boundaries.build_layers(reference_dir, config.cache_dir(), config.static_dir())


@pytest.fixture(scope="session", autouse=True)
def private_store(tmp_path_factory):
    """Keep every test (and the app servers they start) out of the real userdata/ store."""
    if "VNCHILD_STORE_URL" not in os.environ:
        os.environ["VNCHILD_STORE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('store') / 'datasets.db'}"
    yield


ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def refs(reference_dir):
    """What an upload is checked against: the registry, the crosswalk, its commune matcher and the header aliases."""
    from geo.indicators.registry import YES_NO, load_registry
    from geo.ingest.crosswalk import load_crosswalk
    from geo.ingest.headers import load_column_aliases
    from geo.ingest.match import build_matcher

    reg = load_registry()
    yes_no = [i for i in reg.indicator_ids() if reg.indicator(i)["measure"] == YES_NO]
    cw = load_crosswalk(reference_dir, yes_no_indicators=yes_no)
    return {"registry": reg, "crosswalk": cw, "matcher": build_matcher(cw.new_units, cw),
            "aliases": load_column_aliases(reg)}


@pytest.fixture(scope="module")
def server(layers, tmp_path_factory):
    """The real app on a free localhost port (its log goes to a file so a full pipe can never block it)."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
        pytest.fail("streamlit did not start: " + log_path.read_text(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (scripts/install-system.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
