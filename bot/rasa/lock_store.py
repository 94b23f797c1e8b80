"""Rasa's Redis lock store with its read-change-write steps made atomic, for several Rasa servers.

Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it in Python and writes it back. Two
servers that take a message of the same conversation at the same moment both read "no tickets", both issue
ticket 1 and both think they hold the lock; one message's events are then lost (RasaHQ/rasa#9213; Rasa's own
fix, #11256, was reverted in #11428 and lives in Rasa Pro). Here every such step runs in a Redis transaction
(WATCH/MULTI/EXEC) and is repeated when another server changed the lock in between.

Second, a waiting message keeps its own ticket alive. In Rasa's version every ticket expires
TICKET_LOCK_LIFETIME after it was issued, waiting or not; when a server dies holding the lock, the next
message's ticket (issued a moment later) expires in the same second as the dead one, and that message then
waits for a turn that never comes until the request times out with an empty answer. Here only the ticket being
served can expire: that is the one a dead server leaves behind.

Configured in endpoints.production.yml as `lock_store: type: bot.rasa.lock_store.AtomicRedisLockStore`.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import deque
from typing import Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
# A change returns its result and the lock to store (None: delete the lock).
Change = Callable[[Optional[TicketLock]], Tuple[T, Optional[TicketLock]]]


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes cannot interleave between servers."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a custom lock store from its endpoint entry; the same keys as `type: redis`.
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    def _atomically(self, conversation_id: Text, change: Change[T]) -> T:
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    result, lock = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps(), ex=_seconds_left(lock))
                    pipe.execute()
                    return result
                except redis.WatchError:  # another server changed this lock meanwhile: read it again
                    continue

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[int, Optional[TicketLock]]:
            lock = lock or TicketLock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._atomically(conversation_id, issue)
        except Exception as error:  # Rasa's contract: any failure here is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self._atomically(conversation_id, _waiting(conversation_id, ticket))
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        self._atomically(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._atomically(conversation_id, _without(ticket_number, delete_when_idle=False))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # One step: between "nobody waits" and "delete" another server could have taken a ticket.
        self._atomically(conversation_id, _without(ticket_number, delete_when_idle=True))


def _waiting(conversation_id: Text, ticket_number: int) -> Change:
    """Drop expired tickets; while others are ahead, give the waiting ticket a new lifetime (and put it back in
    its place if it had expired meanwhile)."""

    def change(lock: Optional[TicketLock]) -> Tuple[TicketLock, Optional[TicketLock]]:
        lock = lock or TicketLock(conversation_id)
        lock.remove_expired_tickets()
        others = [t for t in lock.tickets if t.number != ticket_number]
        own = next((t for t in lock.tickets if t.number == ticket_number), None)
        if own is None or any(t.number < ticket_number for t in others):
            own = Ticket(ticket_number, time.time() + LOCK_LIFETIME)
        lock.tickets = deque(sorted([*others, own], key=lambda t: t.number))
        return lock, lock

    return change


def _without(ticket_number: int, delete_when_idle: bool) -> Change:
    def change(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
        if lock is None:
            return None, None
        lock.remove_ticket_for(ticket_number)
        return None, None if delete_when_idle and not lock.is_someone_waiting() else lock

    return change


def _seconds_left(lock: TicketLock) -> Optional[int]:
    """Redis forgets a lock once its last ticket has expired (a server that died keeps no key behind)."""
    if not lock.tickets:
        return 60
    return max(1, math.ceil(max(t.expires for t in lock.tickets) - time.time()) + 1)
