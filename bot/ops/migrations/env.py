"""Alembic environment: one migration history for the application database (see bot/ops/migrate.py)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

# Every area's models module is imported here, so that `revision --autogenerate` sees all tables.
import bot.handoff.contact_vault
import bot.handoff.models
import bot.insight.models
import bot.portal.models
import bot.socialmap.models  # noqa: F401
from bot.common.db import Base

config = context.config
target_metadata = Base.metadata


def _configure(**kwargs: Any) -> None:
    # SQLite cannot ALTER most things in place; batch mode lets later migrations change columns anyway.
    context.configure(target_metadata=target_metadata, render_as_batch=True, compare_type=True, **kwargs)


def run_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
