"""The conversation store (Rasa's SQL tracker store, table `events`): one conversation deleted at the person's
request, and whole conversations idle for longer than the set period deleted (run by bot/ops/retention.py).

Works on Rasa's SQL tracker store (table `events`), on the SQLite file by default.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Optional

from sqlalchemy import MetaData, Table, create_engine, delete, func, inspect, select
from sqlalchemy.engine import Connection

from bot.common import settings

# The marker an action sends when the person asks to delete this conversation (actions/rights.py); the channel
# (bot/rasa/channels.py) takes it out of the answer and deletes the conversation once the turn has been saved.
FORGET_CONVERSATION = {"wegwijzer": "forget_conversation"}


def tracker_url(path_or_url: Optional[str] = None) -> str:
    """The conversation store as a URL: the argument, else TRACKER_DB, else var/tracker.db."""
    value = path_or_url or os.environ.get("TRACKER_DB") or str(settings.VAR_DIR / "tracker.db")
    return value if "://" in value else f"sqlite:///{value}"


def purge_conversations(url: str, days: int, now: Optional[float] = None) -> int:
    """Delete every conversation whose last event is older than `days`; return how many were deleted."""

    def purge(connection: Connection, events: Table) -> int:
        cutoff = (now or time.time()) - days * 86400
        idle = select(events.c.sender_id).group_by(events.c.sender_id).having(func.max(events.c.timestamp) < cutoff)
        senders = [row[0] for row in connection.execute(idle)]
        for start in range(0, len(senders), 500):
            connection.execute(delete(events).where(events.c.sender_id.in_(senders[start : start + 500])))
        return len(senders)

    return _on_events(url, purge)


def delete_conversation(url: str, sender_id: str) -> int:
    """Delete one conversation at the person's request ("verwijder mijn gesprek"); returns the events deleted."""
    return _on_events(
        url,
        lambda connection, events: connection.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount,
    )


def _on_events(url: str, work: Callable[[Connection, Table], int]) -> int:
    """Run `work` in one transaction on Rasa's `events` table of the store at `url`; 0 when there is none yet."""
    engine = create_engine(url, future=True)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        events = Table("events", MetaData(), autoload_with=engine)
        with engine.begin() as connection:
            return work(connection, events)
    finally:
        engine.dispose()
