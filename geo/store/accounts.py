"""Editor accounts, their province scope, login throttling and the audit log, in the dataset store's database.

Why it is built this way:

* **One database for everything.** Accounts, login failures and the audit log live next to the datasets, so
  every replica behind the proxy sees the same users, the same lockouts and the same history.
* **Only a hash is kept.** Passwords are hashed with Argon2id (argon2-cffi, its maintained defaults) and
  NFC-normalised first, so a Vietnamese password typed on any keyboard matches. A password never leaves
  :func:`hash_password`/:meth:`Accounts.authenticate`: not in a message, a log line, an ``Account`` or a repr.
* **Failures cost time, then lock.** After the n-th wrong password the account must wait ``2**(n-2)`` seconds
  (0, 1, 2, 4 s) before the next try is even checked; the ``MAX_FAILURES``-th failure locks it for
  ``LOCKOUT_S``. The counters are rows in the database, so they hold across replicas and restarts. Unknown
  names are counted the same way and cost the same hashing time, so a guess cannot tell a name exists.
* **Scope is a list of 2-digit province codes** (or everyone, ``ALL``). An editor may save, restore or delete
  only data whose communes all lie in their provinces; :func:`out_of_scope_codes` says which rows are not.
* **Bootstrap admin.** With no accounts, a laptop install keeps working with ``VNCHILD_EDITOR_PASSWORD``:
  it signs in as the admin ``BOOTSTRAP_NAME`` (throttled and locked like any account).
* **Append-only audit log.** Every save, restore, delete, undelete, lockout and account change adds a row
  (who, what, which dataset and version, when); rows are never updated.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import argon2
import pandas as pd
import sqlalchemy as sa

from geo.errors import DataError
from geo.store.engine import Database, to_utc, utc_series
from geo.store.engine import utc_now as _clock
from geo.text.catalogue import error

ROLES = ("viewer", "editor", "admin")
EDITING_ROLES = ("editor", "admin")
ALL = "all"
BOOTSTRAP_NAME = "admin"
MAX_FAILURES = 5
LOCKOUT_S = 15 * 60
MAX_DELAY_S = 60
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 256
USER_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_PROVINCE_PATTERN = re.compile(r"^\d{2}$")
AUDIT_COLUMNS = ("at", "actor", "action", "dataset", "version", "detail")
USER_COLUMNS = ("name", "role", "scope", "disabled", "locked_until", "failures", "created_at", "updated_at")
ACTIONS = ("save", "restore", "delete", "undelete", "login_locked", "user_add", "user_disable", "user_enable",
           "user_passwd", "user_unlock", "refused_scope", "mapping_save")

_hasher = argon2.PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")  # verified for unknown names: same cost as a real one

# --- Schema (own metadata: create_all never touches the dataset tables) ------------------------------

_metadata = sa.MetaData()

users = sa.Table(
    "users",
    _metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),  # "all" or a JSON list of 2-digit province codes
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

login_failures = sa.Table(
    "login_failures",
    _metadata,
    sa.Column("name", sa.String(40), primary_key=True),  # also unknown names, so guessing costs the same
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)

audit_log = sa.Table(
    "audit_log",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("dataset", sa.Text, nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
)


# --- Values ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """Who is signed in: never holds the password or its hash."""

    name: str
    role: str
    provinces: frozenset[str] | None  # None: every province

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scope_text(self) -> str:
        return ALL if self.provinces is None else ",".join(sorted(self.provinces))

    def covers(self, province_code: str) -> bool:
        return self.provinces is None or str(province_code).zfill(2) in self.provinces


def bootstrap_account() -> Account:
    return Account(BOOTSTRAP_NAME, "admin", None)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def hash_password(password: str) -> str:
    """Argon2id hash of the NFC form; refuses passwords too short to resist guessing (without echoing them)."""
    if not isinstance(password, str) or not (PASSWORD_MIN_CHARS <= len(_nfc(password)) <= PASSWORD_MAX_CHARS):
        raise error("err.account.password_length", low=PASSWORD_MIN_CHARS, high=PASSWORD_MAX_CHARS)
    return _hasher.hash(_nfc(password))


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, _nfc(password))
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def normalize_user_name(name: str) -> str:
    """Lower-case ASCII login names (2–40 chars: letters, digits, . _ -): no look-alike accounts."""
    text = _nfc(str(name or "")).strip().lower()
    if not USER_NAME_PATTERN.match(text):
        raise error("err.account.bad_name", name=text[:40])
    return text


def parse_scope(scope: str | Iterable[str]) -> frozenset[str] | None:
    """``"all"`` → None (every province); ``"12,01"`` or ``["12", "1"]`` → {"01", "12"}."""
    if isinstance(scope, str):
        if scope.strip().lower() == ALL:
            return None
        items = [s for s in re.split(r"[,\s]+", scope) if s]
    else:
        items = [str(s) for s in scope]
    codes = {s.strip().zfill(2) for s in items}
    bad = sorted(c for c in codes if not _PROVINCE_PATTERN.match(c))
    if not codes or bad:
        raise error("err.account.bad_scope", scope=", ".join(bad) or "—")
    return frozenset(codes)


def _dump_scope(provinces: frozenset[str] | None) -> str:
    return ALL if provinces is None else json.dumps(sorted(provinces))


def _load_scope(text: str) -> frozenset[str] | None:
    return None if text == ALL else frozenset(json.loads(text))


def out_of_scope_codes(account: Account, codes: Iterable[str], province_of: pd.Series) -> list[str]:
    """Commune codes the account may not write, sorted: outside its provinces, or of no known province.

    ``province_of`` maps a 2025 commune code to its 2-digit province code. A code it does not know is out of
    scope for a limited editor: when the code cannot tell the province, refusing is the safe answer.
    """
    unique = pd.Index(pd.unique(pd.Series(list(codes), dtype=object).astype(str)))
    if account.provinces is None:
        return []
    provinces = province_of.reindex(unique).astype(object)
    inside = provinces.map(lambda p: isinstance(p, str) and p.zfill(2) in account.provinces).astype(bool)
    return sorted(unique[~inside.to_numpy()])


def refuse_out_of_scope(account: Account, codes: Iterable[str], province_of: pd.Series,
                        province_names: dict[str, str] | None = None) -> None:
    """DataError listing (at most 10 of) the communes outside the editor's provinces; nothing is written."""
    bad = out_of_scope_codes(account, codes, province_of)
    if not bad:
        return
    names = province_names or {}
    allowed = ", ".join(f"{names.get(p, p)}" for p in sorted(account.provinces or ())) or "—"
    shown = ", ".join(bad[:10]) + (f" … (+{len(bad) - 10})" if len(bad) > 10 else "")
    raise error("err.account.out_of_scope", name=account.name, allowed=allowed, n=len(bad), codes=shown)


def _refuse_role(account: Account) -> None:
    if not account.can_edit:
        raise error("err.account.viewer", name=account.name, role=account.role)


def refuse_unless_editor(account: Account | None) -> Account:
    """The account when it may write at all; a clear DataError otherwise (not signed in, or viewer)."""
    if account is None:
        raise error("err.account.sign_in")
    _refuse_role(account)
    return account


def _login_refused(seconds: float, locked: bool) -> DataError:
    wait = max(0, int(seconds + 0.999))
    if locked:
        return error("err.login.locked", failures=MAX_FAILURES, minutes=wait // 60 + (wait % 60 > 0))
    return error("err.login.wait", seconds=wait) if wait else error("err.login.wrong")


# --- The accounts, on the store's database -----------------------------------------------------------


class Accounts:
    """Accounts, login throttling and the audit log on the dataset store's database.

    Writes and reads go through geo.store.engine.Database (one write transaction with SQLite's
    ``BEGIN IMMEDIATE`` and retries; errors explained the same way as the store's).
    """

    def __init__(self, db: Database, *, bootstrap_password: str | None = None,
                 clock: Callable[[], datetime] = _clock) -> None:
        self.engine = db.engine
        self._write = db.write
        self._read = db.read
        self._bootstrap = bootstrap_password or None
        self._clock = clock
        self._write(lambda conn: _metadata.create_all(conn, checkfirst=True))

    def __repr__(self) -> str:  # never shows the bootstrap password
        return f"Accounts({self.engine.url.render_as_string(hide_password=True)})"

    # -- users -------------------------------------------------------------------------------------

    def add_user(self, name: str, password: str, *, role: str, scope: str | Iterable[str] = ALL,
                 by: str = "cli") -> Account:
        name = normalize_user_name(name)
        role = _check_role(role)
        provinces = parse_scope(scope)
        password_hash = hash_password(password)
        now = self._clock()

        def _write(conn: sa.Connection) -> None:
            if conn.execute(sa.select(users.c.name).where(users.c.name == name)).first() is not None:
                raise error("err.account.exists", name=name)
            conn.execute(users.insert().values(name=name, password_hash=password_hash, role=role,
                                               scope=_dump_scope(provinces), disabled=False, created_at=now,
                                               updated_at=now))
            self._audit(conn, by, "user_add", detail={"user": name, "role": role, "scope": _dump_scope(provinces)})

        self._write(_write)
        return Account(name, role, provinces)

    def set_password(self, name: str, password: str, *, by: str = "cli") -> None:
        """New password; also clears the failure counter and any lockout."""
        name = normalize_user_name(name)
        password_hash = hash_password(password)

        def _write(conn: sa.Connection) -> None:
            self._require_user(conn, name)
            conn.execute(users.update().where(users.c.name == name).values(password_hash=password_hash,
                                                                           updated_at=self._clock()))
            conn.execute(login_failures.delete().where(login_failures.c.name == name))
            self._audit(conn, by, "user_passwd", detail={"user": name})

        self._write(_write)

    def set_disabled(self, name: str, disabled: bool = True, *, by: str = "cli") -> None:
        name = normalize_user_name(name)

        def _write(conn: sa.Connection) -> None:
            self._require_user(conn, name)
            conn.execute(users.update().where(users.c.name == name).values(disabled=disabled,
                                                                           updated_at=self._clock()))
            self._audit(conn, by, "user_disable" if disabled else "user_enable", detail={"user": name})

        self._write(_write)

    def unlock(self, name: str, *, by: str = "cli") -> None:
        name = normalize_user_name(name) if name != BOOTSTRAP_NAME else name

        def _write(conn: sa.Connection) -> None:
            conn.execute(login_failures.delete().where(login_failures.c.name == name))
            self._audit(conn, by, "user_unlock", detail={"user": name})

        self._write(_write)

    def list_users(self) -> pd.DataFrame:
        now = self._clock()
        with self._read() as conn:
            rows = conn.execute(
                sa.select(users.c.name, users.c.role, users.c.scope, users.c.disabled, users.c.created_at,
                          users.c.updated_at, login_failures.c.failures, login_failures.c.locked_until)
                .select_from(users.outerjoin(login_failures, login_failures.c.name == users.c.name))
                .order_by(users.c.name)
            ).mappings().all()
        records = []
        for r in rows:
            locked = to_utc(r["locked_until"])
            records.append({
                "name": r["name"], "role": r["role"],
                "scope": ALL if r["scope"] == ALL else ",".join(json.loads(r["scope"])),
                "disabled": bool(r["disabled"]), "locked_until": locked if locked and locked > now else None,
                "failures": int(r["failures"] or 0), "created_at": to_utc(r["created_at"]),
                "updated_at": to_utc(r["updated_at"]),
            })
        return pd.DataFrame(records, columns=list(USER_COLUMNS))

    def has_users(self) -> bool:
        with self._read() as conn:
            return conn.execute(sa.select(users.c.name).limit(1)).first() is not None

    # -- sign-in -----------------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, *, bootstrap_password: str | None = None) -> Account:
        """The account when the password is right; DataError (wrong / wait / locked) otherwise.

        Checked in this order: lockout and throttle (without hashing), then the hash. Unknown names and
        disabled accounts fail like a wrong password, so the answer never tells which names exist.
        """
        key = _nfc(str(name or "")).strip().lower()[:40]
        now = self._clock()
        with self._read() as conn:
            state = conn.execute(sa.select(login_failures).where(login_failures.c.name == key)).mappings().first()
            user = conn.execute(sa.select(users).where(users.c.name == key)).mappings().first()
            any_user = user is not None or conn.execute(sa.select(users.c.name).limit(1)).first() is not None
        if state is not None:
            locked_until = to_utc(state["locked_until"])
            if locked_until is not None and locked_until > now:
                raise _login_refused((locked_until - now).total_seconds(), locked=True)
            if locked_until is None:
                ready_at = to_utc(state["last_failure_at"]) + timedelta(seconds=_delay_s(state["failures"]))
                if ready_at > now:
                    raise _login_refused((ready_at - now).total_seconds(), locked=False)
        bootstrap = bootstrap_password or self._bootstrap
        account = self._check_password(key, password, user, any_user, bootstrap)
        if account is None:
            self._record_failure(key, now)  # raises the refusal
        if state is not None:
            self._write(lambda conn: conn.execute(login_failures.delete().where(login_failures.c.name == key)))
        return account

    def _check_password(self, key: str, password: str, user: Any, any_user: bool,
                        bootstrap: str | None) -> Account | None:
        if not isinstance(password, str) or not password or len(password) > PASSWORD_MAX_CHARS * 4:
            _verify(_DUMMY_HASH, "x")
            return None
        if user is not None:
            ok = _verify(user["password_hash"], password)
            if ok and not user["disabled"]:
                return Account(user["name"], user["role"], _load_scope(user["scope"]))
            return None
        if key == BOOTSTRAP_NAME and bootstrap and not any_user:
            _verify(_DUMMY_HASH, password)  # same cost as a stored account
            return bootstrap_account() if _same(password, bootstrap) else None
        _verify(_DUMMY_HASH, password)
        return None

    def check_bootstrap(self, password: str) -> Account:
        """Sign in with only the bootstrap password (the laptop form has no name field)."""
        return self.authenticate(BOOTSTRAP_NAME, password)

    def _record_failure(self, key: str, now: datetime) -> None:
        def _write(conn: sa.Connection) -> tuple[int, datetime | None]:
            row = conn.execute(sa.select(login_failures).where(login_failures.c.name == key)).mappings().first()
            failures = 1 if row is None or to_utc(row["locked_until"]) is not None else row["failures"] + 1
            locked = now + timedelta(seconds=LOCKOUT_S) if failures >= MAX_FAILURES else None
            values = {"failures": failures, "last_failure_at": now, "locked_until": locked}
            if row is None:
                conn.execute(login_failures.insert().values(name=key, **values))
            else:
                conn.execute(login_failures.update().where(login_failures.c.name == key).values(**values))
            if locked is not None:
                self._audit(conn, key, "login_locked", detail={"failures": failures})
            return failures, locked

        failures, locked = self._write(_write)
        if locked is not None:
            raise _login_refused(LOCKOUT_S, locked=True)
        raise _login_refused(_delay_s(failures), locked=False)

    # -- audit log ---------------------------------------------------------------------------------

    def record(self, actor: str, action: str, *, dataset: str | None = None, version: int | None = None,
               detail: dict[str, Any] | None = None) -> None:
        """Append one audit row in its own transaction (for actions whose write already committed)."""
        self._write(lambda conn: self._audit(conn, actor, action, dataset=dataset, version=version, detail=detail))

    def _audit(self, conn: sa.Connection, actor: str, action: str, *, dataset: str | None = None,
               version: int | None = None, detail: dict[str, Any] | None = None) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        conn.execute(audit_log.insert().values(
            at=self._clock(), actor=str(actor)[:200], action=action, dataset=dataset,
            version=None if version is None else int(version),
            detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)))

    def list_audit(self, *, dataset: str | None = None, limit: int = 200) -> pd.DataFrame:
        """The newest ``limit`` audit rows, newest first (optionally for one dataset)."""
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(int(limit))
        if dataset is not None:
            query = query.where(audit_log.c.dataset == dataset)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        frame = pd.DataFrame({
            "at": utc_series([r["at"] for r in rows]),
            "actor": pd.Series([r["actor"] for r in rows], dtype="str"),
            "action": pd.Series([r["action"] for r in rows], dtype="str"),
            "dataset": pd.Series([r["dataset"] for r in rows], dtype=object),
            "version": pd.Series([r["version"] for r in rows], dtype="Int64"),
            "detail": pd.Series([json.loads(r["detail"]) for r in rows], dtype=object),
        })
        return frame[list(AUDIT_COLUMNS)]

    # -- internals ---------------------------------------------------------------------------------

    def _require_user(self, conn: sa.Connection, name: str) -> None:
        if conn.execute(sa.select(users.c.name).where(users.c.name == name)).first() is None:
            raise error("err.account.missing", name=name)


def _delay_s(failures: int) -> float:
    """No wait after one slip, then 1, 2, 4 s …: a person retyping is not slowed, a guesser is."""
    return 0.0 if failures <= 1 else float(min(2 ** (int(failures) - 2), MAX_DELAY_S))


def _same(given: str, configured: str) -> bool:
    import hmac

    return hmac.compare_digest(_nfc(given).encode("utf-8"), _nfc(configured).encode("utf-8"))


def _check_role(role: str) -> str:
    role = str(role or "").strip().lower()
    if role not in ROLES:
        raise error("err.account.bad_role", role=role, roles=", ".join(ROLES))
    return role


def open_accounts(store: Database, *, bootstrap_password: str | None = None,
                  clock: Callable[[], datetime] = _clock) -> Accounts:
    """The accounts of a dataset store (``geo.store.datasets.DatasetStore``), creating their tables if needed."""
    return Accounts(store, bootstrap_password=bootstrap_password, clock=clock)
