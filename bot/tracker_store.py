"""Rasa's SQL tracker store, checking each pooled connection before use, for a PostgreSQL that can restart.

Rasa 3.6 keeps PostgreSQL connections in a pool without testing them. After a database restart every pooled
connection is dead; the next message fails on it, Rasa falls back to an empty in-memory conversation for that
turn, and the person gets "Sorry" with their conversation forgotten. `pool_pre_ping` tests a connection when it
is taken from the pool and replaces a dead one, so the first message after a restart simply works.

Configured in endpoints.production.yml as `tracker_store: type: bot.tracker_store.ResilientSQLTrackerStore`,
with the same keys as Rasa's `type: SQL`.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # connects, waits for the database, creates the table
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
