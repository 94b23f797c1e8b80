"""Real databases for tests: migrated SQLite files, and fresh PostgreSQL schemas when a server is reachable."""

from __future__ import annotations

import os
from contextlib import contextmanager
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


def sqlite_database(folder: Path) -> str:
    """A new SQLite file in `folder`, migrated to the newest revision."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'wegwijzer.db'}"
    upgrade(url)
    return url
