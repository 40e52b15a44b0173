"""Editor accounts: hashing, roles, province scope, throttling and lockout, the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from geo.errors import DataError
from geo.store import accounts as acc
from geo.store.datasets import open_store
from tests.pg import pg_schema

PASSWORD = "mật khẩu đủ dài 2025"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty dataset store: a fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        with open_store(f"sqlite:///{tmp_path / 'datasets.db'}") as opened:
            yield opened
        return
    with pg_schema() as url, open_store(url) as opened:
        yield opened


class Clock:
    """A clock the test moves by hand, so throttling and lockout are tested without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(store, clock):
    return acc.open_accounts(store, clock=clock)


def test_password_is_stored_only_as_an_argon2_hash(accounts, store):
    accounts.add_user("laichau.editor", PASSWORD, role="editor", scope="12")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(acc.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PASSWORD not in repr(accounts.authenticate("laichau.editor", PASSWORD))
    assert PASSWORD not in accounts.list_users().to_csv()


def test_password_typed_in_nfd_matches_the_nfc_one(accounts):
    accounts.add_user("hanoi", "Hà Nội mùa thu 2025", role="editor", scope="01")
    import unicodedata

    assert accounts.authenticate("HaNoi", unicodedata.normalize("NFD", "Hà Nội mùa thu 2025")).name == "hanoi"


def test_roles_and_scope(accounts):
    editor = accounts.add_user("laichau", PASSWORD, role="editor", scope="12, 1")
    assert editor.provinces == frozenset({"12", "01"}) and editor.can_edit and not editor.is_admin
    viewer = accounts.add_user("press", PASSWORD, role="viewer")
    assert viewer.provinces is None and not viewer.can_edit
    with pytest.raises(DataError, match="only view"):
        acc.refuse_unless_editor(viewer)
    with pytest.raises(DataError, match="login name and password"):
        acc.refuse_unless_editor(None)
    with pytest.raises(DataError, match="Unknown role"):
        accounts.add_user("boss", PASSWORD, role="owner")
    with pytest.raises(DataError, match="Invalid scope"):
        accounts.add_user("bad", PASSWORD, role="editor", scope="12,Hà Nội")
    with pytest.raises(DataError, match="already exists"):
        accounts.add_user("LaiChau", PASSWORD, role="editor", scope="12")
    with pytest.raises(DataError, match="10 to 256"):
        accounts.add_user("short", "ngắn", role="editor")
    listed = accounts.list_users().set_index("name")
    assert listed.loc["laichau", "scope"] == "01,12" and listed.loc["press", "scope"] == "all"


def test_out_of_scope_rows_are_named_and_refused():
    province_of = pd.Series({"03199": "12", "00004": "01", "00007": "01"})
    laichau = acc.Account("laichau", "editor", frozenset({"12"}))
    assert acc.out_of_scope_codes(laichau, ["03199", "00004", "00004", "99999"], province_of) == ["00004", "99999"]
    assert acc.out_of_scope_codes(acc.bootstrap_account(), ["00004", "99999"], province_of) == []
    acc.refuse_out_of_scope(laichau, ["03199"], province_of)  # all inside: no error
    with pytest.raises(DataError) as err:
        acc.refuse_out_of_scope(laichau, ["03199", "00004", "00007"], province_of, {"12": "Lai Châu"})
    assert "Lai Châu" in err.value.en and "2 communes" in err.value.en and "00004, 00007" in err.value.en
    assert "2 xã" in err.value.vi and "Chưa có gì được lưu" in err.value.fix_vi


def test_wrong_passwords_are_throttled_then_locked(accounts, clock):
    accounts.add_user("laichau", PASSWORD, role="editor", scope="12")
    with pytest.raises(DataError) as first:
        accounts.authenticate("laichau", "wrong password 1")
    assert "password is wrong" in first.value.en and "Wait" not in first.value.en  # one slip costs nothing
    with pytest.raises(DataError, match="Wait 1 seconds"):
        accounts.authenticate("laichau", "wrong password 2")
    # Within the wait even the right password is not checked.
    with pytest.raises(DataError, match="Wait 1 seconds"):
        accounts.authenticate("laichau", PASSWORD)
    waits = []
    for attempt in range(3, acc.MAX_FAILURES + 1):
        clock.advance(acc.MAX_DELAY_S)
        with pytest.raises(DataError) as err:
            accounts.authenticate("laichau", f"wrong password {attempt}")
        waits.append(err.value.en)
    assert "Wait 2 seconds" in waits[0] and "Wait 4 seconds" in waits[1] and "locked" in waits[-1]
    assert "15 minutes" in waits[-1]
    clock.advance(acc.MAX_DELAY_S)
    with pytest.raises(DataError, match="locked"):
        accounts.authenticate("laichau", PASSWORD)  # locked: the right password does not open it
    assert accounts.list_users().loc[0, "locked_until"] is not None
    audit = accounts.list_audit()
    assert audit.loc[0, "action"] == "login_locked" and audit.loc[0, "actor"] == "laichau"
    clock.advance(acc.LOCKOUT_S)
    assert accounts.authenticate("laichau", PASSWORD).name == "laichau"
    assert accounts.list_users().loc[0, "failures"] == 0  # success clears the counter


def test_thirty_quick_guesses_never_open_the_account(accounts, clock):
    """The attack measured before: 30 wrong tries 0.6 s apart, then the right password."""
    accounts.add_user("laichau", PASSWORD, role="editor", scope="12")
    for i in range(30):
        with pytest.raises(DataError):
            accounts.authenticate("laichau", f"guess {i:02d} that is wrong")
        clock.advance(0.6)
    with pytest.raises(DataError, match="locked"):
        accounts.authenticate("laichau", PASSWORD)


def test_admin_unlock_and_new_password_clear_a_lockout(accounts, clock):
    accounts.add_user("laichau", PASSWORD, role="editor", scope="12")
    for _ in range(acc.MAX_FAILURES):
        clock.advance(acc.MAX_DELAY_S)
        with pytest.raises(DataError):
            accounts.authenticate("laichau", "wrong password")
    accounts.unlock("laichau")
    assert accounts.authenticate("laichau", PASSWORD).role == "editor"
    accounts.set_password("laichau", "một mật khẩu mới dài")
    clock.advance(acc.MAX_DELAY_S)
    with pytest.raises(DataError, match="password is wrong"):
        accounts.authenticate("laichau", PASSWORD)
    accounts.set_password("laichau", "mật khẩu thứ ba dài")  # also clears the wait
    assert accounts.authenticate("laichau", "mật khẩu thứ ba dài").name == "laichau"


def test_unknown_and_disabled_accounts_fail_like_a_wrong_password(accounts, clock):
    accounts.add_user("laichau", PASSWORD, role="editor", scope="12")
    with pytest.raises(DataError) as unknown:
        accounts.authenticate("nobody", PASSWORD)
    accounts.set_disabled("laichau")
    with pytest.raises(DataError) as disabled:
        accounts.authenticate("laichau", PASSWORD)
    assert unknown.value.en == disabled.value.en
    accounts.set_disabled("laichau", False)
    clock.advance(acc.MAX_DELAY_S)
    assert accounts.authenticate("laichau", PASSWORD).name == "laichau"


def test_bootstrap_password_is_an_admin_until_accounts_exist(store, clock):
    accounts = acc.open_accounts(store, bootstrap_password="laptop editor password", clock=clock)
    admin = accounts.check_bootstrap("laptop editor password")
    assert admin.is_admin and admin.provinces is None
    with pytest.raises(DataError, match="password is wrong"):
        accounts.check_bootstrap("not it at all")
    assert "laptop editor password" not in repr(accounts)
    accounts.add_user("laichau", PASSWORD, role="editor", scope="12")
    clock.advance(acc.MAX_DELAY_S)
    with pytest.raises(DataError, match="password is wrong"):
        accounts.check_bootstrap("laptop editor password")


def test_failures_are_shared_by_every_process_on_the_store(store, clock):
    """Two replicas = two Accounts objects on one database: the counter is in the database, not in memory."""
    first = acc.open_accounts(store, clock=clock)
    second = acc.open_accounts(store, clock=clock)
    first.add_user("laichau", PASSWORD, role="editor", scope="12")
    for replica in [first, second] * 3:
        clock.advance(acc.MAX_DELAY_S)
        with pytest.raises(DataError):
            replica.authenticate("laichau", "wrong password")
    with pytest.raises(DataError, match="locked"):
        second.authenticate("laichau", PASSWORD)


def test_audit_log_is_newest_first_and_filterable(accounts, clock):
    accounts.record("laichau", "save", dataset="Lai Châu 2024", version=1, detail={"rows": 10})
    clock.advance(5)
    accounts.record("laichau", "restore", dataset="Lai Châu 2024", version=2, detail={"from": 1})
    accounts.record("hanoi", "delete", dataset="Hà Nội 2024")
    log = accounts.list_audit(dataset="Lai Châu 2024")
    assert list(log["action"]) == ["restore", "save"] and list(log["version"]) == [2, 1]
    assert log.loc[1, "detail"] == {"rows": 10} and str(log.loc[0, "at"].tz) == "UTC"
    assert len(accounts.list_audit(limit=2)) == 2
    with pytest.raises(ValueError):
        accounts.record("x", "drop_table")


# --- The command line ---------------------------------------------------------------------------------


def _cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "users", "--store", url, *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_cli_manages_accounts_without_ever_printing_a_password(tmp_path):
    url = f"sqlite:///{tmp_path / 'datasets.db'}"
    added = _cli(url, "add", "laichau", "--role", "editor", "--scope", "12", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "laichau role=editor scope=12" in added.stdout
    listed = _cli(url, "list")
    assert listed.returncode == 0 and "laichau" in listed.stdout and "editor" in listed.stdout
    assert _cli(url, "disable", "laichau").returncode == 0
    short = _cli(url, "passwd", "laichau", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "10 to 256" in short.stderr and "Traceback" not in short.stderr
    missing = _cli(url, "unlock", "nobody")
    assert missing.returncode == 0  # unlocking a name with no failures is harmless
    unknown = _cli(url, "disable", "nobody")
    assert unknown.returncode == 1 and "There is no account" in unknown.stderr
    for run in (added, listed, short):
        assert PASSWORD not in run.stdout + run.stderr and "short" not in run.stdout
    with open_store(url) as store:
        accounts = acc.open_accounts(store)
        with pytest.raises(DataError):
            accounts.authenticate("laichau", PASSWORD)  # disabled
        actions = list(accounts.list_audit()["action"])
    assert actions == ["user_unlock", "user_disable", "user_add"]


def test_cli_wrong_database_url_names_the_setting_without_a_traceback(tmp_path):
    run = _cli("postgresql://vnchild:s3cret-pw@127.0.0.1:9/nothing", "list")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "s3cret-pw" not in run.stderr and "127.0.0.1:9" in run.stderr and run.stderr.startswith("--store:")
