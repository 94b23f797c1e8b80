"""Real databases for tests: migrated SQLite files, and fresh PostgreSQL schemas when a server is reachable."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import pytest

from bot.common.db import get_engine
from bot.ops.migrate import upgrade

POSTGRES = os.environ.get("WW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_problem() -> Optional[str]:
    """None when PostgreSQL answers at POSTGRES; otherwise why not, for the skip message."""
    try:
        import psycopg2

        psycopg2.connect(POSTGRES, connect_timeout=3).close()
    except Exception as exc:  # any failure means: not reachable here; the skip says why
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


@contextmanager
def postgres_schema(prefix: str = "ww_test") -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, dropped afterwards; a skip that says why when there is no server."""
    problem = postgres_problem()
    if problem:
        pytest.skip(f"PostgreSQL niet bereikbaar op {POSTGRES} ({problem})")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with get_engine(POSTGRES).begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        drop_schema(schema)


def drop_schema(schema: str, attempts: int = 5, lock_wait: str = "10s") -> None:
    """DROP SCHEMA … CASCADE that cannot hang: a connection left open in a transaction on the schema (a killed
    server's, one behind a test proxy) would make the DROP wait for ever, out of reach of pytest's timeout (the
    wait is inside libpq). Each try waits at most `lock_wait` for its locks, then ends the sessions holding them."""
    from sqlalchemy.exc import OperationalError

    holders = (
        "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s "
        "AND l.pid <> pg_backend_pid()"
    )
    for attempt in range(attempts):
        try:
            with get_engine(POSTGRES).begin() as connection:
                connection.exec_driver_sql("SELECT set_config('lock_timeout', %(wait)s, true)", {"wait": lock_wait})
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            return
        except OperationalError:  # lock_timeout: someone still holds a lock in the schema
            if attempt == attempts - 1:
                raise
            with get_engine(POSTGRES).begin() as connection:
                pids = [row[0] for row in connection.exec_driver_sql(holders, {"schema": schema})]
                for pid in pids:
                    connection.exec_driver_sql("SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})


def sqlite_database(folder: Path) -> str:
    """A new SQLite file in `folder`, migrated to the newest revision."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'wegwijzer.db'}"
    upgrade(url)
    return url
