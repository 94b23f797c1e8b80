"""bot.rasa.tracker_store.SQLTrackerStore on a real SQLite file: every event stored once, in order, without Rasa's
count query for a tracker it read itself (and with it for one it did not)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event

from bot.rasa.tracker_store import SQLTrackerStore


@pytest.fixture
def store(tmp_path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


@pytest.fixture
def counts(store: SQLTrackerStore) -> List[str]:
    """The count queries the store sends (Rasa's way of finding what is not stored yet)."""
    seen: List[str] = []

    def before(conn, cursor, statement, *_):
        if "count(" in statement.lower():
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", before)
    return seen


def stored(store: SQLTrackerStore, sender: str) -> List[str]:
    path = str(store.engine.url.database)
    return [
        row[0]
        for row in sqlite3.connect(path).execute(
            "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        )
    ]


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("hoi"))
    tracker.update(ActionExecuted("action_listen"))


def test_a_conversation_read_and_saved_turn_by_turn_stores_each_event_once(store: SQLTrackerStore, counts: List[str]):
    tracker = DialogueStateTracker("a", slots=[])
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))  # a new conversation: the store did not read it, so it counts
    assert len(counts) == 1
    for text in ("hallo", "nog een vraag", "dank je"):
        again = asyncio.run(store.retrieve("a"))
        turn(again, text)
        asyncio.run(store.save(again))
        asyncio.run(store.save(again))  # a second save of the same tracker adds nothing
    assert stored(store, "a") == ["session_started", "action"] + ["user", "action", "bot", "action"] * 3
    assert len(counts) == 1, "no count query for trackers the store read itself"
    assert [e.text for e in asyncio.run(store.retrieve("a")).events if isinstance(e, UserUttered)] == [
        "hallo",
        "nog een vraag",
        "dank je",
    ]


def test_a_new_session_keeps_the_old_one_stored_and_adds_only_the_new_events(store: SQLTrackerStore):
    tracker = DialogueStateTracker("b", slots=[])
    turn(tracker, "eerste gesprek")
    asyncio.run(store.save(tracker))
    later = asyncio.run(store.retrieve("b"))
    later.update(SessionStarted())
    turn(later, "later terug")
    asyncio.run(store.save(later))
    assert stored(store, "b") == [
        "user",
        "action",
        "bot",
        "action",
        "session_started",
        "user",
        "action",
        "bot",
        "action",
    ]
    assert type(next(iter(asyncio.run(store.retrieve("b")).events))).__name__ == "SessionStarted"


def test_a_copy_of_a_tracker_is_counted_as_rasa_does(store: SQLTrackerStore, counts: List[str]):
    tracker = DialogueStateTracker("c", slots=[])
    turn(tracker, "hallo")
    asyncio.run(store.save(tracker))
    copy = asyncio.run(store.retrieve("c")).copy()
    turn(copy, "weer")
    before = len(counts)
    asyncio.run(store.save(copy))
    assert len(counts) == before + 1 and stored(store, "c") == ["user", "action", "bot", "action"] * 2
