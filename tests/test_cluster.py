"""Two replicas behind nginx on one PostgreSQL (scripts/cluster.sh, loopback only): they agree, and one dying
does not stop the service. Needs PostgreSQL (VNCHILD_TEST_PG_URL, started by `make test`) and installs nginx."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from bench.bench_load import visit
from geo.store import accounts as acc
from geo.store.datasets import open_store
from tests.browser import enter, open_upload
from tests.pg import pg_schema

pytestmark = pytest.mark.cluster
ROOT = Path(__file__).resolve().parents[1]
NAME = "Điện Biên cụm 2024"


def _free_base_port() -> int:
    """A port p with p, p+1 and p+2 free on 127.0.0.1 (proxy and two replicas)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port > 60000:
            continue
        try:
            for p in (port + 1, port + 2):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError("no three free ports")


@pytest.fixture
def pg_url():
    with pg_schema("cluster") as url:
        yield url


@pytest.fixture
def cluster(pg_url, layers, tmp_path):
    port = _free_base_port()
    env = {**os.environ, "VNCHILD_CLUSTER_DIR": str(tmp_path / "cluster"), "VNCHILD_CLUSTER_PORT": str(port),
           "VNCHILD_STORE_URL": pg_url}
    env.pop("VNCHILD_EDITOR_PASSWORD", None)
    started = subprocess.run(["bash", "scripts/cluster.sh", "start", "2"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=420)
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        pids = [int((tmp_path / "cluster" / f"replica-{i}.pid").read_text()) for i in (1, 2)]
        yield {"proxy": started.stdout.strip().splitlines()[-1], "a": f"http://127.0.0.1:{port + 1}",
               "b": f"http://127.0.0.1:{port + 2}", "pids": pids, "dir": tmp_path / "cluster", "url": pg_url}
    finally:
        subprocess.run(["bash", "scripts/cluster.sh", "stop"], cwd=ROOT, env=env, capture_output=True, timeout=60)


def _datasets_offered(base: str) -> list[str]:
    # in a thread of its own: the browser fixture's Playwright keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        session = pool.submit(asyncio.run, visit(base)).result()
    assert session.stats.errors == [], session.stats.errors
    return session.widgets["ds"][1] if "ds" in session.widgets else []


USER, PASSWORD = "dienbien", "mật khẩu cụm Điện Biên"
FILE = "Mã xã (mới),Năm,Số trẻ được cân đo,Số trẻ SDD thể thấp còi\n03199,2024,50,5\n"


def _save_on_the_page(browser, base: str, path: Path) -> None:
    """What an editor does on replica A: upload the file, sign in with an account, save (real Chromium)."""
    page = open_upload(browser, base, path, timeout=120_000)
    page.get_by_text("1 dòng: 1 hợp lệ, 0 lỗi").first.wait_for(timeout=120_000)
    fields = (("textbox", "Tên bộ dữ liệu", NAME),
              ("textbox", "Tên đăng nhập (để trống nếu dùng mật khẩu chung)", USER),
              ("textbox", "Tên người thực hiện", "Lò Thị Mai"), ("password", "Mật khẩu biên tập", PASSWORD))
    for kind, label, text in fields:  # each field's rerun may re-render the ones below it: one at a time
        enter(page, page.get_by_role("textbox", name=label, exact=True) if kind == "textbox" else
              page.locator(f"input[type='password'][aria-label='{label}']"), text)
    page.wait_for_function("() => [...document.querySelectorAll('button')].some(b => "
                           "b.innerText.includes('Lưu bộ dữ liệu') && !b.disabled)", timeout=60_000)
    page.get_by_role("button", name="Lưu bộ dữ liệu").click()
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=f"Đã lưu «{NAME}», phiên bản 1",
                           timeout=120_000, polling=250)
    page.close()


@pytest.mark.browser
def test_replicas_share_the_store_and_survive_one_dying(cluster, browser, tmp_path):
    assert cluster["proxy"].startswith("http://127.0.0.1:")
    assert not any(NAME in o for o in _datasets_offered(cluster["b"]))
    with open_store(cluster["url"]) as store:  # the editor's account, made as `python -m geo users add` would
        acc.open_accounts(store).add_user(USER, PASSWORD, role="editor", scope="11")  # Điện Biên: 03199 Si Pa Phìn
    path = tmp_path / "dienbien.csv"
    path.write_text(FILE, encoding="utf-8")
    _save_on_the_page(browser, cluster["a"], path)  # saved through replica A's page: the audit row is its own
    # Both replicas list it at their next rerun: no replica keeps a stale list.
    for base in (cluster["a"], cluster["b"], cluster["proxy"]):
        assert any(NAME in o for o in _datasets_offered(base)), base
    # Replica A dies; new sessions through the proxy keep being served (by B).
    os.kill(cluster["pids"][0], signal.SIGKILL)
    for _ in range(4):
        assert any(NAME in o for o in _datasets_offered(cluster["proxy"]))
    with open_store(cluster["url"]) as store:
        audit = acc.open_accounts(store).list_audit(dataset=NAME)
        assert audit[["actor", "action", "version"]].values.tolist() == [[USER, "save", 1]]
        assert store.list_versions(NAME)["version"].tolist() == [1]  # nothing lost when A died
