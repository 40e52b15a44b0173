"""Faults around the store: a hung database, a short outage, a wrong URL, PostgreSQL stopped during a save."""

from __future__ import annotations

import socket
import threading
import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import DataError
from geo.store import datasets as ds_mod
from geo.store import engine
from geo.store.datasets import open_store
from geo.store.engine import StoreUnavailable
from tests import pg
from tests.apptest import APP

pytestmark = pytest.mark.realdata
SECRET = "s3cret-pw"


@pytest.fixture
def hung_server():
    """A TCP port that accepts connections and never answers (a hung database server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], held
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


def _texts(at: AppTest) -> str:
    return " | ".join(str(e.value) for kind in ("warning", "error") for e in getattr(at, kind))


def test_a_hung_database_costs_one_timeout_then_fails_fast_and_keeps_the_choice(layers, hung_server, monkeypatch):
    port, connections = hung_server
    url = f"postgresql://vnchild:{SECRET}@127.0.0.1:{port}/vnchild"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    engine._OUTAGES.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ds"] = "Lai Châu 2024"
    at.run()
    assert not at.exception, at.exception
    shown = _texts(at)
    assert "không truy cập được" in shown and SECRET not in shown and str(port) not in shown
    assert at.session_state["ds"] == "Lai Châu 2024"  # the choice stays (and so does ds= in the URL)
    tried = len(connections)
    assert tried >= 1
    at.selectbox(key="ind").set_value("underweight_u5").run()
    assert not at.exception, at.exception
    # Fail fast during the outage: the next rerun does not even try (no new connection, no 5 s timeout).
    assert len(connections) == tried
    assert at.session_state["ds"] == "Lai Châu 2024" and "không truy cập được" in _texts(at)
    engine._OUTAGES.clear()


def test_after_a_short_outage_the_chosen_dataset_comes_back(layers, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    values = pd.DataFrame({"code": ["00004"], "year": [2025], "indicator": ["stunting_u5"], "numerator": [1.0],
                           "denominator": [10.0], "value": [10.0]})
    with open_store(url) as store:
        store.save_version("Hà Nội 2025", values=values, attributes=None, original_bytes=b"x",
                           original_filename="a.csv", uploader="Lan")
        masked = store.url_masked
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ds"] = "Hà Nội 2025"
    down = StoreUnavailable("Kho không truy cập được.", "The store is unreachable.")
    engine._OUTAGES[masked] = (time.monotonic() + 60, down)  # the outage, as the store records it
    try:
        at.run()
        assert not at.exception, at.exception
        assert "không truy cập được" in _texts(at) and at.session_state["ds"] == "Hà Nội 2025"
    finally:
        engine._OUTAGES.clear()  # the database is back
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["ds"] == "Hà Nội 2025"
    assert any("Hà Nội 2025 (phiên bản 1)" in str(c.value) for c in at.caption)


def test_a_wrong_database_password_is_a_clear_message_not_a_traceback(pg_base_url):
    import sqlalchemy as sa

    wrong = sa.make_url(pg_base_url).set(password="not-the-password").render_as_string(hide_password=False)
    engine._OUTAGES.clear()
    with pytest.raises(DataError) as err:
        open_store(wrong)
    assert "not-the-password" not in err.value.en + err.value.vi
    assert "unreachable" in err.value.en and "password authentication failed" in err.value.en
    engine._OUTAGES.clear()


@pytest.fixture
def pg_base_url():
    return pg.pg_base_url()


def test_postgresql_gone_during_a_save_keeps_the_previous_version_whole(pg_base_url, monkeypatch):
    """The server ends the connection in the middle of the write transaction (as a stop or crash does)."""
    import uuid

    import sqlalchemy as sa

    schema = f"fault_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(sa.make_url(pg_base_url).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(pg_base_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    values = pd.DataFrame({"code": ["00004"], "year": [2025], "indicator": ["stunting_u5"], "numerator": [1.0],
                           "denominator": [10.0], "value": [10.0]})
    try:
        with open_store(url) as store:
            store.save_version("Hà Nội 2025", values=values, attributes=None, original_bytes=b"v1",
                               original_filename="a.csv", uploader="Lan")
            real_insert = ds_mod._insert_version

            def _server_goes_away(conn, row):
                conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")

            monkeypatch.setattr(ds_mod, "_insert_version", _server_goes_away)
            with pytest.raises(DataError) as err:
                store.save_version("Hà Nội 2025", values=values.assign(value=20.0), attributes=None,
                                   original_bytes=b"v2", original_filename="b.csv", uploader="Lan")
            assert "Không kết nối được" in err.value.vi and "unreachable" in err.value.en
            assert "Nothing changed" in err.value.fix_en
            monkeypatch.setattr(ds_mod, "_insert_version", real_insert)
            engine._OUTAGES.clear()  # the server is back
            assert store.list_versions("Hà Nội 2025")["version"].tolist() == [1]
            assert store.load_version("Hà Nội 2025").values["value"].tolist() == [10.0]
            with store.engine.connect() as conn:  # no half-written blob or counter left behind
                assert conn.execute(sa.text("SELECT latest_version FROM datasets")).scalar() == 1
                assert conn.execute(sa.text("SELECT count(*) FROM blobs")).scalar() == 3
    finally:
        engine._OUTAGES.clear()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
