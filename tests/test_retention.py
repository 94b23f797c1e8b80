"""Conversation retention on a real Rasa SQL tracker store (SQLite), filled through Rasa's own store class."""

import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.store import purge_conversations


def conversation(store: SQLTrackerStore, sender: str, when: float) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("hallo", {"name": "greet", "confidence": 1.0}, timestamp=when))
    import asyncio

    asyncio.run(store.save(tracker))


def test_only_conversations_idle_longer_than_the_period_are_deleted(tmp_path: Path):
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    now = time.time()
    conversation(store, "old", now - 40 * 86400)
    conversation(store, "recent", now - 2 * 86400)
    assert purge_conversations(f"sqlite:///{db}", days=30, now=now) == 1
    import sqlite3

    senders = {row[0] for row in sqlite3.connect(db).execute("select sender_id from events")}
    assert senders == {"recent"}


def test_an_empty_or_missing_store_is_fine(tmp_path: Path):
    assert purge_conversations(f"sqlite:///{tmp_path / 'none.db'}", days=30) == 0


def test_the_one_retention_job_deletes_every_part_and_says_what(
    tmp_path: Path, app_database: str, capsys: pytest.CaptureFixture
) -> None:
    """`python -m bot retention purge` (the stack's loop and a cluster's CronJob run the same function)."""
    import datetime as dt

    from sqlalchemy import select

    from bot.common.db import session_scope
    from bot.handoff import contact_vault
    from bot.ops import retention

    with session_scope(app_database) as session:
        found = contact_vault.take_out_contacts("bel 0612345678")[1]
        contact_vault.keep(session, "s1", found, "r1", now=dt.datetime(2026, 1, 1))  # long expired
    assert retention.main(["purge", "--only", "conversations", "--tracker-db", str(tmp_path / "none.db")]) == 0
    assert capsys.readouterr().out.startswith("0 gesprek(ken), 0 afgesloten overdracht(en)")
    with session_scope(app_database) as session:
        assert session.execute(select(contact_vault.ContactVaultEntry)).first() is not None, "only the part asked for"
    assert retention.main(["purge", "--db", app_database, "--tracker-db", str(tmp_path / "none.db")]) == 0
    assert "1 contactgegeven(s) verwijderd" in capsys.readouterr().out
    with session_scope(app_database) as session:
        assert session.execute(select(contact_vault.ContactVaultEntry)).first() is None
