"""Faults in the production profile: action servers gone, PostgreSQL restarting in the middle of a handoff."""

from __future__ import annotations

import time

import pytest

from bot.ops.production import ProductionStack
from tests.production.conftest import Conversation
from tests.production.pg_proxy import PostgresProxy
from tests.production.store import count

pytestmark = pytest.mark.stack

HANDOFF_TABLES = ("handoff", "handoff_outbox", "handoff_status_change")
FAILED = "niet gelukt om je vraag door te geven"  # knowledge/system_messages.yml, handoff_failed
TECHNICAL = "Sorry, ik heb nu geen antwoord voor je"  # technical_problem


def test_one_action_server_down_goes_unnoticed(production: ProductionStack):
    chat = Conversation([production.rest_url])
    production.kill("actions-1")
    try:
        for _ in range(3):  # nginx passes over the stopped one
            assert "We beginnen opnieuw" in chat.say_text("/restart")
    finally:
        production.restart("actions-1")


def test_all_action_servers_down_gives_a_friendly_answer_and_recovers(production: ProductionStack):
    chat = Conversation([production.rest_url])
    assert "Ik kan je helpen" in chat.say_text("wat kun je")
    for name in ("actions-1", "actions-2"):
        production.kill(name)
    try:
        assert "Ik kan je helpen" in chat.say_text("wat kun je"), "answers without actions still work"
        messages = chat.say("/restart")  # needs an action server
        assert messages and "probeer het" in messages[-1]["text"].lower()
    finally:
        for name in ("actions-1", "actions-2"):
            production.restart(name)
    assert "We beginnen opnieuw" in chat.say_text("/restart")


def handoff_until_summary(chat: Conversation) -> None:
    chat.say("Mijn aanvraag voor Wajong is afgewezen en ik weet niet wat ik nu moet")
    assert "vrijwillig" in chat.say_text("kan ik iemand van de gemeente spreken?")
    chat.say("/affirm")
    chat.say("Houten")
    chat.say('/inform{"channel": "telefoon"}')
    chat.say("mijn nummer is 06 12345678")
    chat.say('/inform{"preferred_time": "ochtend"}')
    chat.say("Sam")
    assert "Klopt dit?" in chat.say_text('/deny{"field": "rest"}')  # "Sla de rest over"


def rows(production: ProductionStack) -> dict:
    return {table: count(production.database_url, table) for table in HANDOFF_TABLES}


def wait_until_up(proxy: PostgresProxy) -> None:
    while proxy.is_down:
        time.sleep(0.2)
    time.sleep(0.5)


def test_postgres_restart_inside_the_handoff_transaction_stores_nothing_and_says_so(
    production: ProductionStack, pg_proxy: PostgresProxy
):
    chat = Conversation([production.rest_url])
    handoff_until_summary(chat)
    before = rows(production)
    # The connection drops after the handoff row was sent and before its outbox row: mid-transaction.
    trigger = pg_proxy.arm(b"INSERT INTO handoff_outbox", down_seconds=2)
    answer = chat.say_text("/affirm")
    assert trigger.fired.is_set(), "the restart happened inside the handoff"
    assert rows(production) == before, "nothing of the handoff was kept"
    assert FAILED in answer or TECHNICAL in answer, answer
    assert "Je code is WW-" not in answer
    wait_until_up(pg_proxy)
    # Once PostgreSQL is back the person can try again, and then it is stored whole.
    retry = chat.say_text("/affirm")
    if "Je code is WW-" not in retry:  # the form had ended with the failure: ask again
        handoff_until_summary(chat)
        retry = chat.say_text("/affirm")
    assert "Je code is WW-" in retry
    after = rows(production)
    assert all(after[table] == before[table] + 1 for table in HANDOFF_TABLES), after


def test_postgres_restart_while_the_handoff_commits_never_leaves_half_a_handoff(
    production: ProductionStack, pg_proxy: PostgresProxy
):
    chat = Conversation([production.rest_url])
    handoff_until_summary(chat)
    before = rows(production)
    # COMMIT reaches the server, its answer never reaches the action server (the worst moment).
    trigger = pg_proxy.arm(b"INSERT INTO handoff_outbox", then=b"COMMIT", down_seconds=2, forward_last=True)
    answer = chat.say_text("/affirm")
    assert trigger.fired.is_set()
    wait_until_up(pg_proxy)
    after = rows(production)
    added = {after[table] - before[table] for table in HANDOFF_TABLES}
    assert added in ({0}, {1}), f"all or nothing: {before} → {after}"
    told_code, told_failed = "Je code is WW-" in answer, FAILED in answer or TECHNICAL in answer
    assert told_code or told_failed, f"the person is told either way: {answer}"
    if added == {0}:
        assert told_failed, "nothing stored must never come with a code"
    else:
        assert told_code, "a stored handoff is found again after the lost connection, and the person gets its code"
