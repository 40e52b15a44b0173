"""The store's database: one engine set-up and one set of transaction rules for datasets and accounts.

Why it is built this way:

* **One URL, two backends.** ``sqlite:///<file>`` (the embedded default) or ``postgresql://…`` (driver
  psycopg 3); :func:`create_engine` checks the URL and builds the engine, and URLs in messages always
  have the password masked.
* **One writer at a time on SQLite.** Every write transaction starts with ``BEGIN IMMEDIATE`` (others wait
  up to 30 s) and WAL lets readers go on meanwhile; on PostgreSQL row locks queue writers.
* **All or nothing, retried.** :meth:`Database.write` runs its work in one transaction and retries
  transient conflicts (deadlock, serialisation failure, "database is locked"); a failure rolls back.
* **Outages fail fast and say so.** A server that cannot be reached becomes :class:`StoreUnavailable`
  (bilingual, password masked); for ``OUTAGE_RETRY_S`` after one failure every call gets it at once.
* **Times are UTC.** SQLite hands back naive datetimes (we always write UTC), PostgreSQL aware ones in the
  session zone: :func:`to_utc` reads both.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from geo.errors import DataError
from geo.text.catalogue import error

SQLITE_BUSY_TIMEOUT_S = 30
PG_CONNECT_TIMEOUT_S = 5
WRITE_OPTION = "vnchild_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
RETRIES = 6
PG_TRANSIENT = {"40001", "40P01", "23505", "55P03"}  # serialisation, deadlock, unique violation, lock
OUTAGE_RETRY_S = 15.0
_OUTAGES: dict[str, tuple[float, DataError]] = {}  # masked URL → (retry after, the error): shared by the process


class StoreUnavailable(DataError):
    """The store's database cannot be reached; its message names the (masked) URL, for the log and admins.

    Pages show visitors a message without connection details and keep the user's dataset choice.
    """


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes (we always write UTC); PostgreSQL aware ones in the session zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_series(moments: list[datetime | None]) -> pd.Series:
    """A column of stored moments, all UTC (missing ones NaT)."""
    return pd.Series(pd.to_datetime([to_utc(m) for m in moments], utc=True), dtype="datetime64[us, UTC]")


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to show in messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparsable URL: mask anything that looks like user:password@
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _is_connection_failure(exc: Exception, dialect: str) -> bool:
    """A server that cannot be reached (not a busy SQLite file or a conflict another attempt resolves)."""
    if dialect != "postgresql":
        return False
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return sqlstate is None or str(sqlstate).startswith("08")


def _is_transient(exc: sa.exc.DBAPIError) -> bool:
    """Conflicts another attempt can resolve: deadlocks, serialisation failures, a busy SQLite file."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in PG_TRANSIENT
    message = str(exc.orig).lower()
    return "database is locked" in message or "unique constraint failed: dataset_versions" in message


def create_engine(url: str) -> sa.engine.Engine:
    """The engine for ``url`` (sqlite:/// or postgresql://); DataError when the URL is malformed or unsupported."""
    if not isinstance(url, str) or not url.strip():
        raise error("err.store.url_missing")
    try:
        parsed = sa.engine.make_url(url.strip())
    except sa.exc.ArgumentError as exc:
        raise error("err.store.url_invalid", url=mask_url(url)) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _create_sqlite_engine(parsed)
    if backend in ("postgresql", "postgres"):
        return sa.create_engine(
            parsed.set(drivername="postgresql+psycopg"),
            pool_pre_ping=True,
            connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
        )
    raise error("err.store.url_unsupported", backend=backend, url=mask_url(url))


def _create_sqlite_engine(parsed: sa.engine.URL) -> sa.engine.Engine:
    """A file SQLite engine whose write transactions start with BEGIN IMMEDIATE (one writer at a time)."""
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        raise error("err.store.sqlite_in_memory")
    try:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error("err.store.folder_unwritable", database=database, reason=exc.strerror) from exc
    engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) emit BEGIN, so we can choose BEGIN IMMEDIATE for writes.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer and vice versa
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """An engine with the store's rules: read connections, retried all-or-nothing writes, explained errors."""

    def __init__(self, engine: sa.engine.Engine, url: str) -> None:
        self.engine = engine
        self.url_masked = mask_url(url)
        self._password = engine.url.password or ""
        self.dialect = engine.dialect.name

    def close(self) -> None:
        """Release pooled connections (the database can still be used; it reconnects on demand)."""
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.explain_errors(), self.engine.connect() as conn:
            yield conn

    def write(self, work: Callable[[sa.Connection], Any]) -> Any:
        """Run ``work`` in one write transaction, retrying transient conflicts; all or nothing."""
        with self.explain_errors():
            for attempt in range(RETRIES):
                try:
                    with self.engine.connect() as conn:
                        conn.execution_options(**{WRITE_OPTION: True})
                        with conn.begin():
                            return work(conn)
                except sa.exc.DBAPIError as exc:
                    if attempt == RETRIES - 1 or not _is_transient(exc):
                        raise
                    time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def explain_errors(self) -> Iterator[None]:
        """Turn connection failures into a bilingual DataError that never shows the password.

        Fails fast during an outage: after one failure, every call for ``OUTAGE_RETRY_S`` seconds gets the same
        error at once instead of waiting for its own connection timeout (a hung server made every rerun of
        every user wait 5 s); the first call after that tries again, and a success ends the outage.
        """
        known = _OUTAGES.get(self.url_masked)
        if known is not None and time.monotonic() < known[0]:
            raise known[1]
        try:
            yield
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            reason = lines[0] if lines else type(exc).__name__
            if self._password:
                reason = reason.replace(self._password, "***")
            err = error("err.store.unreachable", url=self.url_masked, reason=reason)
            down = StoreUnavailable(err.vi, err.en, err.fix_vi, err.fix_en)
            if _is_connection_failure(exc, self.dialect):
                _OUTAGES[self.url_masked] = (time.monotonic() + OUTAGE_RETRY_S, down)
            raise down from exc
        else:
            _OUTAGES.pop(self.url_masked, None)
