"""Real databases for tests: migrated SQLite files, and fresh PostgreSQL schemas when a server is reachable."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import pytest

from bot.common import db
from bot.ops.migrate import upgrade

POSTGRES = os.environ.get("WW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_problem() -> Optional[str]:
    """None when PostgreSQL answers at POSTGRES; otherwise why not, for the skip message."""
    return db.postgres_problem(POSTGRES)


@contextmanager
def postgres_schema(prefix: str = "ww_test") -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, dropped afterwards; a skip that says why when there is no server."""
    problem = postgres_problem()
    if problem:
        pytest.skip(f"PostgreSQL niet bereikbaar op {POSTGRES} ({problem})")
    with db.temporary_schema(POSTGRES, prefix) as url:
        yield url


def drop_schema(schema: str, attempts: int = 5, lock_wait: str = "10s") -> None:
    """DROP SCHEMA … CASCADE on POSTGRES that cannot hang (bot/common/db.py)."""
    db.drop_schema(POSTGRES, schema, attempts, lock_wait)


def sqlite_database(folder: Path, name: str = "wegwijzer.db") -> str:
    """A new SQLite file `name` in `folder` at the newest revision: a copy of one migrated in this process (the
    migrations take a third of a second; a copy a few milliseconds)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(_migrated(), path)
    return f"sqlite:///{path}"


@lru_cache(maxsize=1)
def _migrated() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ww-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    url = f"sqlite:///{folder / 'template.db'}"
    upgrade(url)
    written_out(url)
    return folder / "template.db"


def written_out(url: str) -> None:
    """Close the engine of a SQLite database and write its log into the file, so that a copy of the file is whole."""
    db.get_engine(url).dispose()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
