"""The test PostgreSQL server (``make test`` starts it: VNCHILD_TEST_PG_URL) and a fresh schema per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

PG_URL_ENV = "VNCHILD_TEST_PG_URL"


def pg_base_url() -> str:
    """The server's URL; CI fails without one (it must test PostgreSQL), elsewhere the test is skipped."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        reason = f'{PG_URL_ENV} not set; run: export {PG_URL_ENV}="$(scripts/start-postgres.sh)"'
        if os.environ.get("CI"):
            pytest.fail(f"CI must test PostgreSQL: {reason}")
        pytest.skip(reason)
    return url


@contextmanager
def pg_schema(prefix: str = "test") -> Iterator[str]:
    """A URL whose search_path is a fresh schema on the test server, dropped with everything in it afterwards."""
    base = pg_base_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sa.make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
