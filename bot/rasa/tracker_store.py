"""Rasa's SQL tracker store, without a count query on every save, and (for PostgreSQL) checking each pooled
connection before use.

Saving: Rasa 3.6 finds the events it has not stored yet by counting, in the database, the stored events of the
conversation's latest session: one more query per message (8 % of the Rasa server's time per message by py-spy).
The tracker it saves was read from the same store a moment before, under the conversation's lock, so that count
is known: the number of events read. `SQLTrackerStore` remembers it on the tracker and counts only for a tracker
it did not read itself (a new conversation, a copy).

Restarts: Rasa 3.6 keeps PostgreSQL connections in a pool without testing them. After a database restart every
pooled connection is dead; the next message fails on it, Rasa falls back to an empty in-memory conversation for
that turn, and the person gets "Sorry" with their conversation forgotten. `pool_pre_ping` tests a connection when
it is taken from the pool and replaces a dead one, so the first message after a restart simply works.

Configured in endpoints.yml as `tracker_store: type: bot.rasa.tracker_store.SQLTrackerStore` and in
endpoints.production.yml as `bot.rasa.tracker_store.ResilientSQLTrackerStore`, with the same keys as Rasa's `type: SQL`.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator, Optional, Text

import sqlalchemy as sa
from rasa.core import tracker_store as rasa_tracker_store
from rasa.shared.core.trackers import DialogueStateTracker

STORED = "_wegwijzer_stored_events"  # on a tracker read from the store: how many of its events are stored


class SQLTrackerStore(rasa_tracker_store.SQLTrackerStore):
    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            setattr(tracker, STORED, len(tracker.events))  # the latest session's events, as the count would say
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED, None)
        # A tracker cut to a maximum history (a deque with maxlen) drops old events as new ones come: count then.
        if stored is None or stored > len(tracker.events) or tracker.events.maxlen is not None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, STORED, len(tracker.events))  # a second save of the same tracker adds only what is new


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # connects, waits for the database, creates the table
        engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # made in Rasa's untyped __init__
        url = engine.url
        engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **rasa_tracker_store.create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
