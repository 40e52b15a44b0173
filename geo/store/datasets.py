"""Versioned store for uploaded datasets that never loses anything.

Why it is built this way:

* **Append-only history.** Every upload becomes a new version ``1, 2, 3, …`` of a named dataset, with
  uploader, UTC time, the original file (bytes, name, sha256), row counts, a JSON ``meta`` and a status.
  Nothing is ever updated in place: restoring an old version appends a *new* version that copies it
  (``restored_from`` records which one), so history is never rewritten.
* **Atomic writes.** A version is written in one transaction (version number, blobs, version row).
  If anything fails half-way (bad frame, exception, lost connection) the transaction rolls back and
  the previous version is exactly as it was; no partial version and no gap in the numbering remain.
* **Gap-free numbering under concurrency.** The next number comes from ``datasets.latest_version``,
  incremented with an ``UPDATE`` inside the write transaction. On PostgreSQL the update takes a row
  lock, so two sessions saving the same dataset queue behind each other; on SQLite every write
  transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time, others wait up to 30 s). The
  primary key ``(name, version)`` is the safety net, and transient conflicts (deadlock, serialisation
  failure, "database is locked") are retried.
* **Soft delete.** :meth:`DatasetStore.delete_dataset` needs the dataset name typed again as
  confirmation and only sets ``datasets.deleted_at``/``deleted_by``: every version and blob stays in
  the database and :meth:`DatasetStore.undelete_dataset` brings the dataset back with its whole
  history. A deleted dataset is listed (``deleted=True``) but cannot be loaded, saved or restored until
  it is undeleted. Purging for real (e.g. a data-protection request) is a deliberate admin action done
  in SQL, outside the app: delete its ``dataset_versions`` and ``datasets`` rows, then the ``blobs``
  no longer referenced by any version.
* **Compact content.** The long values table and the attributes table are stored as Parquet blobs
  (zstd) with an explicit Arrow schema, so 200k rows save and load in well under a second and dtypes
  (zero-padded text codes, integer years, NaN) survive exactly. Blobs are content-addressed by sha256
  in one ``blobs`` table: a restore or a re-upload of the same file costs no extra space, and every
  blob is checked against its hash when read.
* **One interface, two backends.** SQLite (embedded default, ``sqlite:///<cache>/datasets.db``) and
  PostgreSQL (``postgresql://user:pass@host:port/db``, driver psycopg 3) behave the same; the URL
  chooses (geo.store.engine sets the connection up, the accounts share it). Only SQLAlchemy Core is used.

Errors users can act on raise :class:`~geo.errors.DataError` (bilingual, with the fix); database URLs in
messages always have the password masked.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from geo.store.codec import (
    read_attributes_blob,
    read_values_blob,
    serialise_attributes,
    serialise_values,
)
from geo.store.engine import Database, create_engine, to_utc, utc_now, utc_series
from geo.store.engine import StoreUnavailable as StoreUnavailable  # the name ui/upload_page.py imports from here
from geo.store.schema import validate_attributes, validate_values
from geo.text.catalogue import error

# --- Public vocabulary -----------------------------------------------------------------------------

SCHEMA_VERSION = 1
DEFAULT_DB_FILENAME = "datasets.db"
NAME_MAX_CHARS = 80
UPLOADER_MAX_CHARS = 200
STATUS_OK = "ok"  # a stored version is always complete (writes are atomic); other states are reserved

DATASET_LIST_COLUMNS = (
    "name", "latest_version", "updated_at", "uploader", "rows", "original_filename", "deleted", "deleted_at",
)  # fmt: skip
VERSION_LIST_COLUMNS = (
    "version", "created_at", "uploader", "original_filename", "original_size", "original_sha256",
    "rows", "attribute_rows", "status", "restored_from", "meta",
)  # fmt: skip

_NAME_PUNCTUATION = set("-_.,()&+'")  # plus any Unicode letter, mark, digit, dash and the space
_SCHEMA_LOCK_KEY = 7_262_019  # pg_advisory_xact_lock key: serialises CREATE TABLE between processes

# --- Schema ----------------------------------------------------------------------------------------

_metadata = sa.MetaData()

store_info = sa.Table(
    "store_info",
    _metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

datasets = sa.Table(
    "datasets",
    _metadata,
    sa.Column("name", sa.String(NAME_MAX_CHARS), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("deleted_by", sa.Text, nullable=True),
)

blobs = sa.Table(
    "blobs",
    _metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

dataset_versions = sa.Table(
    "dataset_versions",
    _metadata,
    sa.Column("name", sa.String(NAME_MAX_CHARS), sa.ForeignKey("datasets.name"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("uploader", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("restored_from", sa.Integer, nullable=True),
    sa.Column("original_filename", sa.Text, nullable=False),
    sa.Column("original_size", sa.BigInteger, nullable=False),
    sa.Column("original_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
    sa.Column("values_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
    sa.Column("values_rows", sa.Integer, nullable=False),
    sa.Column("attributes_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
    sa.Column("attributes_rows", sa.Integer, nullable=False),
    sa.Column("meta", sa.Text, nullable=False),
    sa.CheckConstraint("version >= 1", name="ck_dataset_versions_version_positive"),
)

# --- Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StoredVersion:
    """One stored version; the original file is fetched only when asked for (it can be large)."""

    name: str
    version: int
    created_at: datetime
    uploader: str
    original_filename: str
    original_sha256: str
    original_size: int
    values: pd.DataFrame
    attributes: pd.DataFrame
    meta: dict[str, Any]
    status: str
    restored_from: int | None
    _fetch_original: Callable[[], bytes] = field(repr=False)

    def original_bytes(self) -> bytes:
        """The uploaded file exactly as received (checked against its sha256)."""
        return self._fetch_original()


# --- Pure helpers ----------------------------------------------------------------------------------


def normalize_dataset_name(name: str) -> str:
    """The canonical form of a dataset name (NFC, trimmed, inner whitespace collapsed), or DataError.

    Names are keys typed by people, so "Hà Giang 2024" typed on macOS (NFD) and Windows (NFC) must
    be the same dataset; letters of any script, digits, spaces, dashes and ``- _ . , ( ) & + '`` are
    allowed, up to 80 characters.
    """
    if not isinstance(name, str):
        raise error("err.store.name_not_text")
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if not text:
        raise error("err.store.name_empty")
    if len(text) > NAME_MAX_CHARS:
        raise error("err.store.name_too_long", length=len(text), name_max_chars=NAME_MAX_CHARS)
    bad = sorted({ch for ch in text if not _is_name_char(ch)})
    if bad:
        shown = " ".join(repr(ch) for ch in bad[:10])
        raise error("err.store.name_bad_chars", shown=shown)
    return text


def build_default_url(folder: str | Path) -> str:
    """``sqlite:///<folder>/datasets.db``: the embedded default, kept next to the app's cache."""
    return f"sqlite:///{Path(folder).resolve() / DEFAULT_DB_FILENAME}"


def _is_name_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch == " " or ch in _NAME_PUNCTUATION or category[0] in "LMN" or category == "Pd"


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dump_meta(meta: Mapping[str, Any] | None) -> str:
    """JSON text for ``meta``; NaN/Infinity are refused because PostgreSQL and browsers reject them."""
    if meta is None:
        meta = {}
    if not isinstance(meta, Mapping):
        raise error("err.store.meta_not_mapping")

    def _convert_to_plain(item: Any) -> Any:
        if isinstance(item, np.generic):
            return item.item()
        if isinstance(item, datetime | pd.Timestamp):
            return item.isoformat()
        raise TypeError(f"{type(item).__name__} is not JSON serialisable")

    try:
        return json.dumps(dict(meta), ensure_ascii=False, allow_nan=False, default=_convert_to_plain, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise error("err.store.meta_not_json", exc=exc) from exc


def _clean_uploader(uploader: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", uploader).split()) if isinstance(uploader, str) else ""
    if not text or len(text) > UPLOADER_MAX_CHARS:
        raise error("err.store.uploader_missing")
    return text


def _clean_filename(filename: str) -> str:
    """Only the base name: some browsers send a full client path, which is noise (and sometimes private)."""
    text = unicodedata.normalize("NFC", str(filename or "")).strip()
    return PureWindowsPath(PurePosixPath(text).name).name


# --- The store -------------------------------------------------------------------------------------


def open_store(url: str) -> DatasetStore:
    """Connect to the store at ``url`` (sqlite:/// or postgresql://) and create its tables if needed.

    Raises DataError when the URL is malformed or unsupported or the database cannot be reached; the
    message shows the URL with its password masked (geo.store.engine sets the connection up).
    """
    engine = create_engine(url)
    store = DatasetStore(engine, url)
    try:
        store._create_schema()
    except sa.exc.DatabaseError as exc:  # e.g. the SQLite path is some other file
        engine.dispose()
        raise error("err.store.not_a_store", url=store.url_masked, reason=str(exc.orig).splitlines()[0]) from exc
    except BaseException:
        engine.dispose()
        raise
    return store


class DatasetStore(Database):
    """Named, versioned datasets on SQLite or PostgreSQL; build it with :func:`open_store`.

    Its connection, write transactions and error messages are geo.store.engine.Database's.
    """

    # -- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> DatasetStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- writes ------------------------------------------------------------------------------------

    def save_version(
        self,
        name: str,
        *,
        values: pd.DataFrame,
        attributes: pd.DataFrame | None,
        original_bytes: bytes,
        original_filename: str,
        uploader: str,
        meta: Mapping[str, Any] | None = None,
        based_on: int | None = -1,
    ) -> int:
        """Store a new version atomically and return its number (1 for a new dataset).

        ``based_on``: the latest version the values were combined with (None: none existed); when another
        save came in between, nothing is written and the save is refused (no lost update). -1: not checked.
        """
        name = normalize_dataset_name(name)
        uploader = _clean_uploader(uploader)
        if not isinstance(original_bytes, bytes | bytearray | memoryview):
            raise error("err.store.original_not_bytes")
        original = bytes(original_bytes)
        # Serialise before the transaction so the write lock is held for milliseconds only.
        values_blob, values_rows = serialise_values(validate_values(values))
        attributes_blob, attributes_rows = serialise_attributes(validate_attributes(attributes))
        fields = {
            "uploader": uploader,
            "status": STATUS_OK,
            "restored_from": None,
            "original_filename": _clean_filename(original_filename),
            "original_size": len(original),
            "original_sha256": _hash(original),
            "values_sha256": _hash(values_blob),
            "values_rows": values_rows,
            "attributes_sha256": _hash(attributes_blob),
            "attributes_rows": attributes_rows,
            "meta": _dump_meta(meta),
        }
        new_blobs = [original, values_blob, attributes_blob]

        def _write(conn: sa.Connection) -> int:
            version = self._reserve_next_version(conn, name, create=True)
            if based_on != -1 and version != (based_on or 0) + 1:
                raise error("err.store.saved_meanwhile", name=name, version=version - 1)  # rolls back
            for data in sorted(new_blobs, key=_hash):  # fixed order: no lock cycles between sessions
                self._insert_blob(conn, data)
            _insert_version(conn, {"name": name, "version": version, "created_at": utc_now(), **fields})
            return version

        return self.write(_write)

    def restore_version(self, name: str, version: int, *, uploader: str) -> int:
        """Append a new version that is a copy of ``version`` (history is never rewritten); return it."""
        name = normalize_dataset_name(name)
        uploader = _clean_uploader(uploader)
        version = _check_version_number(version)

        def _write(conn: sa.Connection) -> int:
            new_version = self._reserve_next_version(conn, name, create=False)
            old = self._fetch_version_row(conn, name, version)
            copied = {c: old[c] for c in old.keys() if c not in ("name", "version", "created_at", "uploader")}
            _insert_version(
                conn,
                {
                    **copied,
                    "name": name,
                    "version": new_version,
                    "created_at": utc_now(),
                    "uploader": uploader,
                    "restored_from": version,
                },
            )
            return new_version

        return self.write(_write)

    def delete_dataset(self, name: str, *, confirm: str, by: str = "") -> None:
        """Soft-delete: hide the dataset but keep every version; ``confirm`` must repeat the name exactly.

        Deleting an already deleted dataset changes nothing. Use :meth:`undelete_dataset` to recover it.
        """
        name = normalize_dataset_name(name)
        typed = " ".join(unicodedata.normalize("NFC", confirm).split()) if isinstance(confirm, str) else ""

        def _write(conn: sa.Connection) -> None:
            row = self._fetch_dataset_row(conn, name)
            if typed != name:
                raise error("err.store.confirm_mismatch", name=name)
            if row.deleted_at is None:
                conn.execute(
                    datasets.update()
                    .where(datasets.c.name == name)
                    .values(deleted_at=utc_now(), deleted_by=" ".join(str(by or "").split()) or None)
                )

        self.write(_write)

    def undelete_dataset(self, name: str) -> None:
        """Bring a soft-deleted dataset back with its whole history (no-op if it is not deleted)."""
        name = normalize_dataset_name(name)

        def _write(conn: sa.Connection) -> None:
            self._fetch_dataset_row(conn, name)
            conn.execute(datasets.update().where(datasets.c.name == name).values(deleted_at=None, deleted_by=None))

        self.write(_write)

    # -- reads -------------------------------------------------------------------------------------

    def list_datasets(self, *, include_deleted: bool = True) -> pd.DataFrame:
        """One row per dataset with its latest version: name, latest_version, updated_at, uploader, rows, …"""
        v = dataset_versions
        query = (
            sa.select(
                datasets.c.name,
                datasets.c.latest_version,
                v.c.created_at.label("updated_at"),
                v.c.uploader,
                v.c.values_rows.label("rows"),
                v.c.original_filename,
                datasets.c.deleted_at,
            )
            .join(v, sa.and_(v.c.name == datasets.c.name, v.c.version == datasets.c.latest_version))
            .order_by(datasets.c.name)
        )
        if not include_deleted:
            query = query.where(datasets.c.deleted_at.is_(None))
        with self.read() as conn:
            rows = conn.execute(query).mappings().all()
        frame = pd.DataFrame(
            {
                "name": pd.Series([r["name"] for r in rows], dtype="str"),
                "latest_version": pd.Series([r["latest_version"] for r in rows], dtype="int64"),
                "updated_at": utc_series([r["updated_at"] for r in rows]),
                "uploader": pd.Series([r["uploader"] for r in rows], dtype="str"),
                "rows": pd.Series([r["rows"] for r in rows], dtype="int64"),
                "original_filename": pd.Series([r["original_filename"] for r in rows], dtype="str"),
                "deleted": pd.Series([r["deleted_at"] is not None for r in rows], dtype="bool"),
                "deleted_at": utc_series([r["deleted_at"] for r in rows]),
            }
        )
        return frame[list(DATASET_LIST_COLUMNS)]

    def dataset_names(self) -> list[str]:
        """Names of the datasets not deleted, sorted: what every rerun's sidebar asks, so one narrow query and
        no frame (list_datasets' join and frame were a tenth of a cached rerun)."""
        query = sa.select(datasets.c.name).where(datasets.c.deleted_at.is_(None)).order_by(datasets.c.name)
        with self.read() as conn:
            return [str(name) for name in conn.execute(query).scalars()]

    def list_versions(self, name: str) -> pd.DataFrame:
        """Every version of a dataset, oldest first (also for a deleted dataset, to decide on undelete)."""
        name = normalize_dataset_name(name)
        v = dataset_versions
        with self.read() as conn:
            self._fetch_dataset_row(conn, name)
            rows = conn.execute(sa.select(v).where(v.c.name == name).order_by(v.c.version)).mappings().all()
        frame = pd.DataFrame(
            {
                "version": pd.Series([r["version"] for r in rows], dtype="int64"),
                "created_at": utc_series([r["created_at"] for r in rows]),
                "uploader": pd.Series([r["uploader"] for r in rows], dtype="str"),
                "original_filename": pd.Series([r["original_filename"] for r in rows], dtype="str"),
                "original_size": pd.Series([r["original_size"] for r in rows], dtype="int64"),
                "original_sha256": pd.Series([r["original_sha256"] for r in rows], dtype="str"),
                "rows": pd.Series([r["values_rows"] for r in rows], dtype="int64"),
                "attribute_rows": pd.Series([r["attributes_rows"] for r in rows], dtype="int64"),
                "status": pd.Series([r["status"] for r in rows], dtype="str"),
                "restored_from": pd.Series([r["restored_from"] for r in rows], dtype="Int64"),
                "meta": pd.Series([json.loads(r["meta"]) for r in rows], dtype=object),
            }
        )
        return frame[list(VERSION_LIST_COLUMNS)]

    def find_latest(self, name: str) -> StoredVersion | None:
        """The latest version of ``name``, or None when no dataset has that name (what a new save adds to)."""
        name = normalize_dataset_name(name)
        with self.read() as conn:
            found = conn.execute(sa.select(datasets.c.name).where(datasets.c.name == name)).first()
        return None if found is None else self.load_version(name)

    def load_version(self, name: str, version: int | None = None) -> StoredVersion:
        """A version's tables and metadata (the latest when ``version`` is None)."""
        name = normalize_dataset_name(name)
        if version is not None:
            version = _check_version_number(version)
        with self.read() as conn:
            dataset = self._fetch_dataset_row(conn, name)
            _refuse_deleted(dataset)
            row = self._fetch_version_row(conn, name, dataset.latest_version if version is None else version)
            values_blob = self._read_blob(conn, row["values_sha256"])
            attributes_blob = self._read_blob(conn, row["attributes_sha256"])
        original_sha = row["original_sha256"]

        def _fetch_original() -> bytes:
            with self.read() as conn:
                return self._read_blob(conn, original_sha)

        return StoredVersion(
            name=name,
            version=row["version"],
            created_at=to_utc(row["created_at"]),
            uploader=row["uploader"],
            original_filename=row["original_filename"],
            original_sha256=original_sha,
            original_size=row["original_size"],
            values=read_values_blob(values_blob),
            attributes=read_attributes_blob(attributes_blob),
            meta=json.loads(row["meta"]),
            status=row["status"],
            restored_from=row["restored_from"],
            _fetch_original=_fetch_original,
        )

    # -- internals ---------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        """Create missing tables once, even when several processes start at the same moment."""

        def _write(conn: sa.Connection) -> None:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            _metadata.create_all(conn, checkfirst=True)
            found = conn.execute(sa.select(store_info.c.value).where(store_info.c.key == "schema_version")).scalar()
            if found is None:
                conn.execute(store_info.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(found) > SCHEMA_VERSION:
                raise error("err.store.newer_schema", url=self.url_masked, found=found)

        self.write(_write)

    def _fetch_dataset_row(self, conn: sa.Connection, name: str) -> sa.Row:
        row = conn.execute(sa.select(datasets).where(datasets.c.name == name)).first()
        if row is None:
            raise error("err.store.not_found", name=name)
        return row

    def _fetch_version_row(self, conn: sa.Connection, name: str, version: int) -> sa.RowMapping:
        v = dataset_versions
        row = conn.execute(sa.select(v).where(v.c.name == name, v.c.version == version)).mappings().first()
        if row is None:
            latest = conn.execute(sa.select(sa.func.max(v.c.version)).where(v.c.name == name)).scalar()
            raise error("err.store.no_such_version", name=name, version=version, latest=latest)
        return row

    def _reserve_next_version(self, conn: sa.Connection, name: str, *, create: bool) -> int:
        """Reserve the next number; the UPDATE row lock (PostgreSQL) / BEGIN IMMEDIATE (SQLite) serialises it."""
        now = utc_now()
        if create:
            conn.execute(
                self._build_insert_ignore(datasets, "name").values(
                    name=name, created_at=now, updated_at=now, latest_version=0
                )
            )
        conn.execute(
            datasets.update()
            .where(datasets.c.name == name)
            .values(latest_version=datasets.c.latest_version + 1, updated_at=now)
        )
        dataset = self._fetch_dataset_row(conn, name)
        _refuse_deleted(dataset)
        return dataset.latest_version

    def _build_insert_ignore(self, table: sa.Table, key: str) -> Any:
        insert = pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert
        return insert(table).on_conflict_do_nothing(index_elements=[key])

    def _insert_blob(self, conn: sa.Connection, data: bytes) -> None:
        sha = _hash(data)
        if conn.execute(sa.select(blobs.c.size).where(blobs.c.sha256 == sha)).first() is None:
            conn.execute(
                self._build_insert_ignore(blobs, "sha256").values(
                    sha256=sha, size=len(data), data=data, created_at=utc_now()
                )
            )

    def _read_blob(self, conn: sa.Connection, sha: str) -> bytes:
        data = conn.execute(sa.select(blobs.c.data).where(blobs.c.sha256 == sha)).scalar()
        data = bytes(data) if data is not None else b""
        if _hash(data) != sha:
            raise error("err.store.corrupted", sha=sha[:12], url=self.url_masked)
        return data


def _insert_version(conn: sa.Connection, row: dict[str, Any]) -> None:
    """The last step of a write; a module function so tests can inject a failure right here."""
    conn.execute(dataset_versions.insert().values(**row))


def _refuse_deleted(dataset: sa.Row) -> None:
    if dataset.deleted_at is not None:
        raise error("err.store.deleted", name=dataset.name)


def _check_version_number(version: Any) -> int:
    if isinstance(version, bool) or not isinstance(version, int | np.integer) or int(version) < 1:
        raise error("err.store.bad_version", version=repr(version))
    return int(version)
