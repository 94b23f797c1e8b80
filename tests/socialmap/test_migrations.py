"""Migrations bring an empty database to the models' schema, on SQLite and PostgreSQL, and back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import bot.insight.models  # noqa: F401  (every table of the history on Base.metadata)
from bot.common import settings
from bot.common.db import Base, get_engine
from bot.ops.migrate import current_revision, downgrade, head_revision, is_up_to_date, upgrade
from bot.socialmap import models

HSDS_TABLES = {m.__tablename__ for m in models.HSDS_MODELS} | {"unmet_need"}


def _differences(url: str) -> list:
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _check_upgrade_and_downgrade(url: str) -> None:
    assert current_revision(url) is None and not is_up_to_date(url)
    upgrade(url)
    assert current_revision(url) == head_revision()
    assert set(inspect(get_engine(url)).get_table_names()) >= HSDS_TABLES
    assert _differences(url) == [], "the migrations and models.py describe different schemas"
    upgrade(url)  # already at head: nothing happens
    downgrade(url, "base")
    assert not HSDS_TABLES & set(inspect(get_engine(url)).get_table_names())
    upgrade(url)
    assert is_up_to_date(url)


def test_upgrade_and_downgrade_on_sqlite(empty_sqlite_url: str) -> None:
    _check_upgrade_and_downgrade(empty_sqlite_url)


def test_upgrade_and_downgrade_on_postgresql(postgres_schema_url: str) -> None:
    _check_upgrade_and_downgrade(postgres_schema_url)


def test_db_upgrade_command_uses_database_url(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=settings.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "bijgewerkt" in done.stdout
    assert current_revision(url) == head_revision()
    get_engine(url).dispose()


def test_socialmap_commands_refuse_an_old_database(empty_sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    from bot.ops.cli.socialmap import main

    assert main(["--db", empty_sqlite_url, "stale"]) == 2
    assert "python -m bot db upgrade" in capsys.readouterr().out
