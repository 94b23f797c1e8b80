"""The lock store several Rasa servers share: no ticket is ever handed out twice, even when Redis is slow."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Iterator, List

import pytest
import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.ops.production import redis_problem, redis_variables
from bot.rasa.lock_store import AtomicRedisLockStore
from tests.production.conftest import REDIS_URL

SERVERS = 4


@pytest.fixture
def prefix() -> Iterator[str]:
    problem = redis_problem(REDIS_URL)
    if problem:
        pytest.skip(f"Redis niet bereikbaar op {REDIS_URL} ({problem})")
    prefix = f"wwlock{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def slow_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lock read takes 50 ms, as on a busy network: wide open for two servers to interleave."""
    original = TicketLock.from_dict.__func__

    def slow(cls, data):
        time.sleep(0.05)
        return original(cls, data)

    monkeypatch.setattr(TicketLock, "from_dict", classmethod(slow))


def endpoint(prefix: str) -> EndpointConfig:
    values = redis_variables(REDIS_URL, prefix)
    return EndpointConfig(
        url=values["REDIS_HOST"],
        port=values["REDIS_PORT"],
        db=values["REDIS_DB"],
        password=values["REDIS_PASSWORD"] or None,
        key_prefix=prefix,
    )


def tickets_from_servers(make_store) -> List[int]:
    """Each 'server' (a store of its own, as in its own process) asks for a ticket at the same moment."""
    stores = [make_store() for _ in range(SERVERS)]
    stores[0].issue_ticket("gesprek")  # a lock exists: every later ticket reads, changes and writes it
    start = threading.Barrier(SERVERS)
    tickets: List[int] = []

    def take(store) -> None:
        start.wait()
        tickets.append(store.issue_ticket("gesprek"))

    threads = [threading.Thread(target=take, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return tickets


def test_rasa_redis_lock_store_hands_one_ticket_to_several_servers(prefix: str, slow_redis: None):
    values = redis_variables(REDIS_URL, prefix)
    tickets = tickets_from_servers(
        lambda: RedisLockStore(
            host=values["REDIS_HOST"], port=int(values["REDIS_PORT"]), db=int(values["REDIS_DB"]), key_prefix=prefix
        )
    )
    assert len(set(tickets)) < SERVERS, "the race this project's lock store exists for"


def test_atomic_lock_store_hands_every_server_its_own_ticket(prefix: str, slow_redis: None):
    tickets = tickets_from_servers(lambda: AtomicRedisLockStore(endpoint(prefix)))
    assert sorted(tickets) == [1, 2, 3, 4]


def test_a_finished_lock_is_removed_and_a_waiting_one_kept(prefix: str):
    first, second = AtomicRedisLockStore(endpoint(prefix)), AtomicRedisLockStore(endpoint(prefix))
    a = first.issue_ticket("gesprek")
    b = second.issue_ticket("gesprek")
    lock = first.get_lock("gesprek")
    assert lock is not None and not lock.is_locked(a) and lock.is_locked(b)
    first.cleanup("gesprek", a)
    lock = second.get_lock("gesprek")
    assert lock is not None and not lock.is_locked(b), "the waiting server's turn, its ticket kept"
    second.cleanup("gesprek", b)
    assert second.get_lock("gesprek") is None
    assert redis.Redis.from_url(REDIS_URL).ttl(first.key_prefix + "gesprek") == -2, "no key left behind"


@pytest.mark.parametrize("store_class, served", [(RedisLockStore, False), (AtomicRedisLockStore, True)])
def test_the_next_message_is_served_after_a_server_died_holding_the_lock(
    prefix: str, monkeypatch: pytest.MonkeyPatch, store_class, served: bool
):
    """A dead server's ticket expires; the message that waited behind it must get its turn."""
    import bot.rasa.lock_store

    monkeypatch.setattr(bot.rasa.lock_store, "LOCK_LIFETIME", 1)
    store = (
        AtomicRedisLockStore(endpoint(prefix))
        if store_class is AtomicRedisLockStore
        else RedisLockStore(
            port=int(redis_variables(REDIS_URL, prefix)["REDIS_PORT"]),
            db=int(redis_variables(REDIS_URL, prefix)["REDIS_DB"]),
            key_prefix=prefix,
        )
    )
    store.issue_ticket("gesprek", 1)  # the server that dies: it never finishes serving
    waiting = store.issue_ticket("gesprek", 1)

    async def turn() -> bool:
        try:
            await asyncio.wait_for(store._acquire_lock("gesprek", waiting, 0.2), timeout=5)
            return True
        except asyncio.TimeoutError:
            return False

    assert asyncio.run(turn()) is served
