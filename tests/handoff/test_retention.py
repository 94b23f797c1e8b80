"""Retention: closed handoffs past their date are deleted with everything attached; only counts remain."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from bot.common.db import session_scope
from bot.handoff.config import HandoffConfig
from bot.handoff.models import Handoff, HandoffOutbox, HandoffPurgeCount, HandoffStatusChange
from bot.handoff.retention import checkpoint_sqlite, purge
from bot.handoff.service import change_status, submit_handoff
from tests.handoff.conftest import make_request

MARKER = "Paarse giraffe met een rugzak"
CLOSED_AT = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)


def _count(url: str, model: type) -> int:
    with session_scope(url) as session:
        return session.execute(select(func.count()).select_from(model)).scalar()


def test_purge_deletes_only_closed_handoffs_past_their_date(db_url: str, config: HandoffConfig) -> None:
    closed = submit_handoff(make_request(question=MARKER), db_url, config).reference_code
    still_open = submit_handoff(make_request(), db_url, config).reference_code
    with session_scope(db_url) as session:
        change_status(session, closed, "closed", "consulent-1", now=CLOSED_AT)
    with session_scope(db_url) as session:
        assert purge(session, now=CLOSED_AT + timedelta(days=89)) == 0  # not yet
    with session_scope(db_url) as session:
        # Far in the future: the open one is past its provisional date, but open handoffs are never purged.
        assert purge(session, now=CLOSED_AT + timedelta(days=1000)) == 1
    with session_scope(db_url) as session:
        assert [h.reference_code for h in session.execute(select(Handoff)).scalars()] == [still_open]
        counts = session.execute(select(HandoffPurgeCount)).scalars().all()
        assert [(c.gemeente_code, c.month, c.count) for c in counts] == [("GM0321", "2026-11", 1)]
    assert _count(db_url, HandoffOutbox) == 1 and _count(db_url, HandoffStatusChange) == 1


def test_purged_text_is_gone_from_the_sqlite_file(tmp_path: Path, sqlite_url: str, config: HandoffConfig) -> None:
    code = submit_handoff(make_request(question=MARKER), sqlite_url, config).reference_code
    files = lambda: b"".join(p.read_bytes() for p in tmp_path.glob("wegwijzer.db*"))  # noqa: E731
    assert MARKER.encode() in files()
    with session_scope(sqlite_url) as session:
        change_status(session, code, "closed", "consulent-1", now=CLOSED_AT)
    with session_scope(sqlite_url) as session:
        assert purge(session, now=CLOSED_AT + timedelta(days=91)) == 1
    with session_scope(sqlite_url) as session:
        checkpoint_sqlite(session)
    assert MARKER.encode() not in files()
    assert code.encode() not in files()
