"""Folding the conversation store into counts (#20): run before the retention job deletes conversations, so that
what remains of them is how many there were, about what, per gemeente and day — and nothing else.

Each run reads the events after the last one it counted (a watermark), in order:
- a conversation is counted on its first message, for the gemeente known then;
- a message whose intent is a topic (an article, or a service such as a person or the social map) is a question
  about that topic, for the gemeente known at that turn (one named in the message itself counts for it);
- a conversation that ended in a handoff, searched the social map, or got no answer is counted once for each.
The gemeente is the one the person named (the `gemeente` slot), else the one of the widget's page (message
metadata), else "onbekend". Days are Dutch calendar days.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Set, Tuple

from sqlalchemy import MetaData, Table, and_, create_engine, func, inspect, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.common import regions
from bot.common.clock import AMSTERDAM
from bot.conversation.knowledge import library
from bot.insight import unanswered
from bot.insight.models import (
    CONVERSATION,
    HANDOFF,
    QUESTION,
    SOCIALMAP,
    UNANSWERED,
    UNKNOWN,
    InsightCount,
    InsightFold,
)

SOURCE = "events"
FORGET_ACTION = "action_delete_conversation"
BATCH = 5000
# Intents that are a topic besides the articles' own: services people ask for.
SERVICE_TOPICS = ("ask_where_to_go", "request_human", "ask_handoff_status", "withdraw_handoff", "delete_conversation")
OUTCOME_OF_ACTION = {
    "action_submit_handoff": HANDOFF,
    "action_search_social_map": SOCIALMAP,
    **dict.fromkeys(unanswered.ACTIONS, UNANSWERED),
}
Key = Tuple[date, str, str, str]  # day, gemeente, kind, topic


def topics() -> FrozenSet[str]:
    """The intents that are a topic: the articles' and the services people ask for."""
    return frozenset(library().by_intent) | frozenset(SERVICE_TOPICS)


@dataclass
class _Sender:
    """What the fold knows of one conversation while it reads a batch."""

    gemeente: Optional[str] = None  # named by the person
    widget: Optional[str] = None  # the widget's page
    started: bool = False
    outcomes: Set[str] = field(default_factory=set)
    last_question: Optional[Tuple[str, Any]] = None  # the text and parse data of the person's latest message
    forgotten: bool = False  # asked to wipe the conversation: none of its questions is kept

    def where(self) -> str:
        return self.gemeente or self.widget or UNKNOWN


def fold(session: Session, tracker_url: str, batch: int = BATCH) -> int:
    """Count the events not counted yet into InsightCount; how many events were read."""
    engine = create_engine(tracker_url, future=True)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        events = Table("events", MetaData(), autoload_with=engine)
        mark = session.get(InsightFold, SOURCE) or InsightFold(source=SOURCE, last_event_id=0)
        session.add(mark)
        read = 0
        with engine.connect() as connection:
            while True:
                rows = connection.execute(
                    select(
                        events.c.id,
                        events.c.sender_id,
                        events.c.type_name,
                        events.c.timestamp,
                        events.c.action_name,
                        events.c.intent_name,
                        events.c.data,
                    )
                    .where(events.c.id > mark.last_event_id)
                    .order_by(events.c.id)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                counts, questions = _count(connection, events, rows, mark.last_event_id, topics())
                add_counts(session, counts)
                unanswered.record(session, questions)
                mark.last_event_id = rows[-1].id
                read += len(rows)
                session.flush()
        return read
    finally:
        engine.dispose()


def _count(
    connection: Connection, events: Table, rows: List[Any], before: int, wanted: FrozenSet[str]
) -> Tuple[Counter, List[unanswered.Found]]:
    """The counts of these events, and the questions the assistant could not answer (not for a conversation the
    person asked to wipe: its events are about to go, and so must its questions)."""
    counts: Counter = Counter()
    questions: List[Tuple[_Sender, unanswered.Found]] = []
    senders: Dict[str, _Sender] = {}
    for row in rows:
        sender = senders.get(row.sender_id)
        if sender is None:
            sender = senders[row.sender_id] = _earlier(connection, events, row.sender_id, before)
        day = datetime.fromtimestamp(row.timestamp, AMSTERDAM).date()
        data = _data(row.data)
        if row.type_name == "slot" and data.get("name") == "gemeente":
            value = data.get("value")
            sender.gemeente = value if isinstance(value, str) and value else sender.gemeente
        elif row.type_name == "user":
            widget = (data.get("metadata") or {}).get("gemeente") if isinstance(data.get("metadata"), dict) else None
            if isinstance(widget, str) and widget:
                sender.widget = regions.current_code(widget) or sender.widget
            named = _named_in_turn(rows, row) or sender.gemeente
            where = named or sender.widget or UNKNOWN
            if not sender.started:
                sender.started = True
                counts[(day, where, CONVERSATION, "")] += 1
            if row.intent_name in wanted:
                counts[(day, where, QUESTION, row.intent_name)] += 1
            sender.last_question = (str(data.get("text") or ""), data.get("parse_data"))
        elif row.type_name == "action" and row.action_name == FORGET_ACTION:
            sender.forgotten = True
        elif row.type_name == "action" and row.action_name in OUTCOME_OF_ACTION:
            outcome = OUTCOME_OF_ACTION[row.action_name]
            if outcome == UNANSWERED and sender.last_question and sender.last_question[0].strip():
                text, parse_data = sender.last_question
                topic, confidence = unanswered.guessed(parse_data)
                found = unanswered.Found(row.sender_id, day, sender.where(), text, topic, confidence)
                questions.append((sender, found))
                sender.last_question = None  # one fallback after another for the same message: counted once
            if outcome not in sender.outcomes:
                sender.outcomes.add(outcome)
                counts[(day, sender.where(), outcome, "")] += 1
    return counts, [found for sender, found in questions if not sender.forgotten]


def _named_in_turn(rows: List[Any], user_row: Any) -> Optional[str]:
    """A gemeente the person named in this very message: a `gemeente` slot set before their next message."""
    start = next(i for i, r in enumerate(rows) if r.id == user_row.id)
    for row in rows[start + 1 :]:
        if row.sender_id != user_row.sender_id:
            continue
        if row.type_name == "user":
            return None
        data = _data(row.data) if row.type_name == "slot" else {}
        if data.get("name") == "gemeente" and isinstance(data.get("value"), str) and data["value"]:
            return str(data["value"])
    return None


def _earlier(connection: Connection, events: Table, sender_id: str, before: int) -> _Sender:
    """What earlier runs already saw of this conversation (its events are still in the store)."""
    sender = _Sender()
    if before <= 0:
        return sender
    earlier = and_(events.c.sender_id == sender_id, events.c.id <= before)
    sender.started = (
        connection.execute(
            select(func.count()).select_from(events).where(earlier, events.c.type_name == "user")
        ).scalar_one()
        > 0
    )
    actions = connection.execute(
        select(events.c.action_name).where(earlier, events.c.action_name.in_(list(OUTCOME_OF_ACTION))).distinct()
    ).scalars()
    sender.outcomes = {OUTCOME_OF_ACTION[a] for a in actions}
    unanswered_actions = [a for a, outcome in OUTCOME_OF_ACTION.items() if outcome == UNANSWERED]
    wanted = or_(
        events.c.type_name.in_(("slot", "user")), events.c.action_name.in_([*unanswered_actions, FORGET_ACTION])
    )
    for (raw,) in connection.execute(select(events.c.data).where(earlier, wanted).order_by(events.c.id)):
        data = _data(raw)
        if data.get("event") == "slot" and data.get("name") == "gemeente" and data.get("value"):
            sender.gemeente = str(data["value"])
        metadata = data.get("metadata")
        if data.get("event") == "user" and isinstance(metadata, dict) and isinstance(metadata.get("gemeente"), str):
            sender.widget = regions.current_code(metadata["gemeente"]) or sender.widget
        if data.get("event") == "user":
            sender.last_question = (str(data.get("text") or ""), data.get("parse_data"))
        elif data.get("event") == "action" and data.get("name") in unanswered_actions:
            sender.last_question = None  # taken as unanswered by an earlier run
        elif data.get("event") == "action" and data.get("name") == FORGET_ACTION:
            sender.forgotten = True
    return sender


def _data(raw: Any) -> Dict[str, Any]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def add_counts(session: Session, counts: Mapping[Key, int]) -> None:
    """Add `counts` to `insight_count` (a row per day, gemeente, kind and topic; made when it is not there yet)."""
    for (day, gemeente, kind, topic), value in counts.items():
        row = session.get(InsightCount, (day, gemeente, kind, topic))
        if row is None:
            session.add(InsightCount(day=day, gemeente_code=gemeente, kind=kind, topic=topic, count=value))
        else:
            row.count += value
