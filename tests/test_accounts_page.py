"""Editor accounts on the data page (AppTest): province scope, audit log, and the password kept nowhere."""

from __future__ import annotations

import logging

import pytest

from geo.store import accounts as acc
from geo.store.datasets import open_store
from tests.test_upload_page import NAME, _messages, _open, _save_directly, _upload

pytestmark = pytest.mark.realdata
EDITOR_PW = "mật khẩu Lai Châu dài"
HANOI_PW = "mật khẩu Hà Nội dài 01"


@pytest.fixture
def accounts_url(tmp_path, monkeypatch, layers):
    url = f"sqlite:///{tmp_path}/a.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    monkeypatch.delenv("VNCHILD_EDITOR_PASSWORD", raising=False)
    with open_store(url) as store:
        accounts = acc.open_accounts(store)
        accounts.add_user("laichau", EDITOR_PW, role="editor", scope="12")
        accounts.add_user("hanoi", HANOI_PW, role="editor", scope="01")
        accounts.add_user("press", "chỉ xem thôi nhé", role="viewer")
    return url


def _save_as(at, user: str, password: str, name: str = NAME):
    at.text_input(key="upload_name").input(name)
    at.text_input(key="upload_by").input("Lan")
    at.text_input(key="upload_user").input(user)
    at.text_input(key="upload_password").input(password)
    at.button(key="upload_save").click().run()
    assert not at.exception, at.exception
    return at


def test_an_editor_cannot_save_another_provinces_communes(accounts_url, caplog):
    at = _upload(_open(), "good_new_codes.csv")  # communes of Hà Nội (province 01)
    assert not at.button(key="upload_save").disabled  # accounts exist: saving is possible without the env password
    with caplog.at_level(logging.DEBUG):
        _save_as(at, "laichau", EDITOR_PW)
        refused = _messages(at, "error")
        assert "chỉ được ghi dữ liệu của Lai Châu" in refused and "00004" in refused
        with open_store(accounts_url) as store:
            assert store.list_datasets().empty
        _save_as(at, "press", "chỉ xem thôi nhé")
        assert "chỉ được xem" in _messages(at, "error")
        _save_as(at, "hanoi", HANOI_PW)
        assert f"«{NAME}», phiên bản 1" in _messages(at, "success")
    with open_store(accounts_url) as store:
        log = acc.open_accounts(store).list_audit(dataset=NAME)
    assert log[["actor", "action", "version"]].values.tolist() == [["hanoi", "save", 1]]
    # The password is in no session-state entry and no log line.
    dump = repr({k: at.session_state[k] for k in at.session_state})
    for secret in (EDITOR_PW, HANOI_PW):
        assert secret not in dump and secret not in caplog.text
    assert at.text_input(key="upload_password").value == ""


def test_restore_and_delete_respect_the_scope_and_are_in_the_audit_log(accounts_url):
    _save_directly(accounts_url, versions=2)  # Hà Nội communes
    at = _open()
    at.selectbox(key=f"manage_version_{NAME}").set_value(1)
    for user, password in (("laichau", EDITOR_PW), ("hanoi", HANOI_PW)):
        at.text_input(key="manage_by").input("Minh")
        at.text_input(key="manage_user").input(user)
        at.text_input(key="manage_password").input(password)
        at.button(key="manage_restore").click().run()
    with open_store(accounts_url) as store:
        assert store.list_versions(NAME)["version"].tolist() == [1, 2, 3]  # only Hà Nội's editor restored
    at.text_input(key="manage_confirm").input(NAME)
    at.text_input(key="manage_user").input("laichau")
    at.text_input(key="manage_password").input(EDITOR_PW)
    at.button(key="manage_delete").click().run()
    assert "ngoài phạm vi" in _messages(at, "error")
    with open_store(accounts_url) as store:
        assert store.list_datasets()["deleted"].tolist() == [False]
    at.run()
    shown = at.dataframe[-1].value  # the audit log table on the page
    assert shown.iloc[0].tolist()[1:] == ["hanoi", "restore", 3]


def test_repeated_wrong_passwords_lock_the_account_on_the_page(accounts_url):
    at = _upload(_open(), "good_new_codes.csv")
    for i in range(acc.MAX_FAILURES):
        _save_as(at, "hanoi", f"sai mật khẩu {i}")
        with open_store(accounts_url) as store:  # skip the wait, keep the count (as if time passed)
            store.engine.dispose()
            with store.engine.begin() as conn:
                conn.execute(acc.login_failures.update().values(last_failure_at=acc._clock().replace(year=2000)))
    _save_as(at, "hanoi", HANOI_PW)
    assert "tạm khóa" in _messages(at, "error")
    with open_store(accounts_url) as store:
        assert store.list_datasets().empty
