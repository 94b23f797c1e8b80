"""The one place that opens the application database (SQLAlchemy 1.4 API)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from bot.common import settings

Base = declarative_base()


def get_engine(url: Optional[str] = None) -> Engine:
    """An engine for `url` (default: settings.DATABASE_URL, read at call time); one per URL per process."""
    return _engine(url or settings.DATABASE_URL)


@lru_cache(maxsize=None)
def _engine(url: str) -> Engine:
    """SQLite gets foreign keys, WAL, secure delete and a parent folder."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA secure_delete=ON")  # a deleted row (contact vault, purged handoff) is overwritten
    cursor.close()


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on any error: all or nothing."""
    session = sessionmaker(bind=get_engine(url), future=True)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def postgres_problem(url: str) -> Optional[str]:
    """None when PostgreSQL answers at `url`; otherwise why not (for a skip, or a benchmark's "not measured")."""
    try:
        import psycopg2

        psycopg2.connect(url, connect_timeout=3).close()
    except Exception as exc:  # any failure means: not reachable here; the caller says why
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


@contextmanager
def temporary_schema(server: str, prefix: str) -> Iterator[str]:
    """A fresh, empty schema in the PostgreSQL database `server`, as a URL whose search path is that schema;
    dropped afterwards (tests, the insight benchmark)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with get_engine(server).begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        drop_schema(server, schema)


def drop_schema(server: str, schema: str, attempts: int = 5, lock_wait: str = "10s") -> None:
    """DROP SCHEMA … CASCADE that cannot hang: a connection left open in a transaction on the schema (a killed
    server's, one behind a test proxy) would make the DROP wait for ever, out of reach of a test's timeout (the
    wait is inside libpq). Each try waits at most `lock_wait` for its locks, then ends the sessions holding them."""
    from sqlalchemy.exc import OperationalError

    holders = (
        "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s "
        "AND l.pid <> pg_backend_pid()"
    )
    for attempt in range(attempts):
        try:
            with get_engine(server).begin() as connection:
                connection.exec_driver_sql("SELECT set_config('lock_timeout', %(wait)s, true)", {"wait": lock_wait})
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            return
        except OperationalError:  # lock_timeout: someone still holds a lock in the schema
            if attempt == attempts - 1:
                raise
            with get_engine(server).begin() as connection:
                pids = [row[0] for row in connection.exec_driver_sql(holders, {"schema": schema})]
                for pid in pids:
                    connection.exec_driver_sql("SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})
