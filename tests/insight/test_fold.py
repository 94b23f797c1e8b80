"""Folding the conversation store into counts (#20): real Rasa events in a real SQLite store, folded into the app
database; deleting the conversations afterwards leaves the counts."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from bot.common.clock import AMSTERDAM
from bot.common.db import session_scope
from bot.conversation.store import purge_conversations
from bot.insight.fold import fold
from bot.insight.models import CONVERSATION, HANDOFF, QUESTION, SOCIALMAP, UNANSWERED, UNKNOWN, InsightCount

HOUTEN, UTRECHT = "GM0321", "GM0344"
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=AMSTERDAM).timestamp()


def user(text: str, intent: str, at: float, gemeente: str = "") -> UserUttered:
    metadata: Dict[str, Any] = {"gemeente": gemeente} if gemeente else {}
    return UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=at, metadata=metadata)


def save(store: SQLTrackerStore, sender: str, events: List[Event]) -> None:
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, slots=Domain.empty().slots)
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))


@pytest.fixture()
def store(tmp_path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


def counts(url: str) -> Dict[tuple, int]:
    with session_scope(url) as session:
        return {
            (r.day, r.gemeente_code, r.kind, r.topic): r.count for r in session.execute(select(InsightCount)).scalars()
        }


def test_conversations_questions_and_outcomes_are_counted_once(
    store: SQLTrackerStore, app_database: str, tmp_path: Path
) -> None:
    day = date(2026, 11, 30)
    # On Utrecht's widget, about jobcoaching, then the social map twice: one conversation, one social-map search.
    save(
        store,
        "a",
        [
            user("wat is jobcoaching?", "ask_jobcoaching", MONDAY, UTRECHT),
            ActionExecuted("action_show_article", timestamp=MONDAY + 1),
            user("waar kan ik terecht?", "ask_where_to_go", MONDAY + 60, UTRECHT),
            ActionExecuted("action_search_social_map", timestamp=MONDAY + 61),
            ActionExecuted("action_search_social_map", timestamp=MONDAY + 62),
        ],
    )
    # Names Houten in the first message (the slot follows the message): the question counts for Houten.
    save(
        store,
        "b",
        [
            user("ik woon in Houten, mag ik loonkostensubsidie?", "ask_loonkostensubsidie", MONDAY + 100),
            SlotSet("gemeente", HOUTEN, timestamp=MONDAY + 101),
            ActionExecuted("action_default_fallback", timestamp=MONDAY + 102),
            user("ik wil een medewerker", "request_human", MONDAY + 160),
            ActionExecuted("action_submit_handoff", timestamp=MONDAY + 200),
        ],
    )
    # No gemeente at all, only a greeting: a conversation, no question.
    save(store, "c", [user("hallo", "greet", MONDAY + 300)])
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    with session_scope(app_database) as session:
        assert fold(session, url) > 0
    assert counts(app_database) == {
        (day, UTRECHT, CONVERSATION, ""): 1,
        (day, UTRECHT, QUESTION, "ask_jobcoaching"): 1,
        (day, UTRECHT, QUESTION, "ask_where_to_go"): 1,
        (day, UTRECHT, SOCIALMAP, ""): 1,
        (day, HOUTEN, CONVERSATION, ""): 1,
        (day, HOUTEN, QUESTION, "ask_loonkostensubsidie"): 1,
        (day, HOUTEN, QUESTION, "request_human"): 1,
        (day, HOUTEN, UNANSWERED, ""): 1,
        (day, HOUTEN, HANDOFF, ""): 1,
        (day, UNKNOWN, CONVERSATION, ""): 1,
    }

    # A later run counts only what is new; a conversation that goes on is not counted again.
    save(
        store,
        "a",
        [
            user("en hoe lang duurt jobcoaching?", "ask_jobcoaching", MONDAY + 3600, UTRECHT),
            ActionExecuted("action_search_social_map", timestamp=MONDAY + 3601),
        ],
    )
    with session_scope(app_database) as session:
        fold(session, url)
        assert fold(session, url) == 0, "nothing new"
    after = counts(app_database)
    assert after[(day, UTRECHT, QUESTION, "ask_jobcoaching")] == 2
    assert after[(day, UTRECHT, CONVERSATION, "")] == 1 and after[(day, UTRECHT, SOCIALMAP, "")] == 1

    # The retention purge deletes the conversations; the counts stay, and nothing in them names a person.
    assert purge_conversations(url, days=0, now=MONDAY + 10**7) == 3
    assert counts(app_database) == after
    assert not any(sender in str(key) for key in after for sender in ("'a'", "'b'", "'c'"))


def test_an_empty_or_missing_store_is_fine(app_database: str, tmp_path: Path) -> None:
    with session_scope(app_database) as session:
        assert fold(session, f"sqlite:///{tmp_path / 'none.db'}") == 0
