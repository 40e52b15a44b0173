"""Saved column mappings, on the dataset store's database: a user's settled meaning of a file's headers, by name.

One small table of its own (own metadata, like the accounts), so it never touches the dataset tables. A
mapping is looked up by the file's header signature (geo/ingest/mapping.py); saving under an existing name
replaces that name's mapping (a mapping is a setting, not data: no history is kept).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from geo.ingest.mapping import ColumnMapping
from geo.store.engine import Database
from geo.text.catalogue import error

MAX_NAME = 80
_metadata = sa.MetaData()

column_mappings = sa.Table(
    "column_mappings",
    _metadata,
    sa.Column("name", sa.String(MAX_NAME), primary_key=True),
    sa.Column("signature", sa.String(64), nullable=False, index=True),
    sa.Column("roles", sa.Text, nullable=False),  # JSON: per column position, a list of roles
    sa.Column("headers", sa.Text, nullable=False),  # JSON: the headers as written, for the list on screen
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)


def clean_mapping_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise error("err.ingest.mapping.bad_name", limit=MAX_NAME)
    return name


class Mappings:
    """Saved mappings on the store's engine; writes go through the store's write transaction (retries, locks)."""

    def __init__(self, store: Database) -> None:
        self._write = store.write
        self._read = store.read

    def _exists(self) -> bool:
        """Reads never write: before the first save there is no table, hence no mapping."""
        with self._read() as conn:
            return sa.inspect(conn).has_table(column_mappings.name)

    def save(self, mapping: ColumnMapping, *, name: str, headers: list[str], by: str) -> ColumnMapping:
        name = clean_mapping_name(name)
        row = {"name": name, "signature": mapping.signature, "roles": mapping.to_json(),
               "headers": json.dumps([str(h) for h in headers], ensure_ascii=False), "saved_by": by or "",
               "saved_at": datetime.now(UTC)}

        def _write(conn: sa.Connection) -> None:
            _metadata.create_all(conn, checkfirst=True)
            conn.execute(column_mappings.delete().where(column_mappings.c.name == name))
            conn.execute(column_mappings.insert().values(**row))

        self._write(_write)
        return ColumnMapping(mapping.signature, mapping.roles, name)

    def for_signature(self, signature: str) -> list[ColumnMapping]:
        """Mappings saved for these exact headers, newest first."""
        if not self._exists():
            return []
        with self._read() as conn:
            rows = conn.execute(sa.select(column_mappings).where(column_mappings.c.signature == signature)
                                .order_by(column_mappings.c.saved_at.desc())).mappings().all()
        return [ColumnMapping.from_json(r["signature"], r["roles"], r["name"]) for r in rows]

    def get(self, name: str) -> ColumnMapping | None:
        if not self._exists():
            return None
        with self._read() as conn:
            r = conn.execute(sa.select(column_mappings).where(column_mappings.c.name == clean_mapping_name(name))
                             ).mappings().first()
        return None if r is None else ColumnMapping.from_json(r["signature"], r["roles"], r["name"])

    def all(self) -> list[ColumnMapping]:
        """Every saved mapping, newest first (a handful: they are per form, not per file)."""
        if not self._exists():
            return []
        with self._read() as conn:
            rows = conn.execute(sa.select(column_mappings).order_by(column_mappings.c.saved_at.desc())).mappings()
            return [ColumnMapping.from_json(r["signature"], r["roles"], r["name"]) for r in rows]

    def list_names(self) -> list[str]:
        if not self._exists():
            return []
        with self._read() as conn:
            return [r[0] for r in conn.execute(sa.select(column_mappings.c.name).order_by(column_mappings.c.name))]


def open_mappings(store: Any) -> Mappings:
    """The saved mappings of a dataset store (geo.store.datasets.DatasetStore); the table comes with the first save."""
    return Mappings(store)
