"""Retention: closed handoffs are deleted once their retention date has passed; only counts remain."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.common.clock import to_db_time, utc_now
from bot.handoff.models import FINISHED, Handoff, HandoffPurgeCount


def purge(session: Session, now: Optional[datetime] = None) -> int:
    """Delete closed and withdrawn handoffs past `retention_until` (with history and outbox); count them per
    gemeente and month."""
    now = to_db_time(now or utc_now())
    if session.get_bind().dialect.name == "sqlite":
        # Overwrite deleted rows with zeros, so the text does not linger in free pages of the file.
        session.execute(text("PRAGMA secure_delete = ON"))
    expired = (
        session.execute(select(Handoff).where(Handoff.status.in_(FINISHED), Handoff.retention_until < now))
        .scalars()
        .all()
    )
    for handoff in expired:
        _count(session, handoff.gemeente_code, handoff.created_at.strftime("%Y-%m"))
        session.delete(handoff)
    session.flush()
    return len(expired)


def _count(session: Session, gemeente_code: str, month: str) -> None:
    row = session.execute(
        select(HandoffPurgeCount).where(
            HandoffPurgeCount.gemeente_code == gemeente_code, HandoffPurgeCount.month == month
        )
    ).scalar_one_or_none()
    if row is None:
        row = HandoffPurgeCount(gemeente_code=gemeente_code, month=month, count=0)
        session.add(row)
    row.count += 1


def checkpoint_sqlite(session: Session) -> None:
    """Fold SQLite's write-ahead log into the database file and empty it, so no old page copies remain in it."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
