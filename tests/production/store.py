"""Reading what the production stack stored, straight from PostgreSQL (not through the test's proxy)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.common.db import get_engine
from tests.databases import POSTGRES


def direct(url: str) -> str:
    """`url` on PostgreSQL's own port instead of the proxy's."""
    return make_url(url).set(port=make_url(POSTGRES).port or 5432).render_as_string(hide_password=False)


def events_of(tracker_db: str, sender: str) -> List[Dict[str, Any]]:
    """The conversation's events in the order Rasa stored them."""
    with get_engine(direct(tracker_db)).connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
        )
        return [json.loads(row[0]) for row in rows]


def count_senders(tracker_db: str) -> int:
    with get_engine(direct(tracker_db)).connect() as connection:
        return int(connection.execute(text("SELECT count(DISTINCT sender_id) FROM events")).scalar_one())


def user_texts(tracker_db: str, sender: str) -> List[str]:
    return [e.get("text") for e in events_of(tracker_db, sender) if e["event"] == "user"]


def slot_values(tracker_db: str, sender: str, slot: str) -> List[Any]:
    return [e.get("value") for e in events_of(tracker_db, sender) if e["event"] == "slot" and e.get("name") == slot]


def count(database_url: str, table: str) -> int:
    with get_engine(direct(database_url)).connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
