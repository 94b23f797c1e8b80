"""Migration 0002 creates exactly the tables of bot/handoff/models.py, on SQLite and PostgreSQL, and removes them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import bot.handoff.contact_vault
import bot.handoff.models
import bot.insight.models  # noqa: F401  (registers the tables on Base.metadata)
from bot.common.db import Base, get_engine
from bot.ops.migrate import current_revision, downgrade, head_revision, upgrade

TABLES = {"handoff", "handoff_status_change", "handoff_outbox", "handoff_purge_count"}


def _check(url: str) -> None:
    assert current_revision(url) == head_revision()
    with get_engine(url).connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
        indexes = {i["name"] for i in inspect(connection).get_indexes("handoff")}
        assert "ix_handoff_portal" in indexes
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    downgrade(url, "0001_socialmap")
    with get_engine(url).connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
    upgrade(url)


def test_on_sqlite(sqlite_url: str) -> None:
    _check(sqlite_url)


def test_on_postgresql(postgres_url: str) -> None:
    _check(postgres_url)
