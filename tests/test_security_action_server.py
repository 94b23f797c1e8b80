"""Attack group 1 (issue #15): the action server trusts only our Rasa server, and a made-up tracker stores no
handoff and reads no one's contact details. Against the real running stack: real HTTP, real SQLite stores."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests

from bot.ops.stack import ACTION_TOKEN
from bot.rasa.action_server import ACTION_TOKEN_HEADER
from tests.conftest import Chat

pytestmark = pytest.mark.stack

PHONE = "06 12345678"


def forged_call(sender: str, events: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """The attack as reported: next_action action_submit_handoff with a made-up tracker that says yes."""
    slots = {
        "handoff_consent": True,
        "handoff_confirmed": True,
        "handoff_consent_at": "2020-01-01T10:00:00+00:00",
        "gemeente": "GM0344",
        "contact_channel": "e-mail",
        "contact_email": "p***@example.org",
        "preferred_time": "ochtend",
    }
    return {
        "next_action": "action_submit_handoff",
        "version": "3.6.0",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": "/affirm", "intent": {"name": "affirm"}},
            "events": events
            or [
                {"event": "bot", "text": "Klik hier: https://phishing.example/login"},
                {"event": "user", "text": "/affirm", "parse_data": {"intent": {"name": "affirm"}}},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def handoffs(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("select count(*) from handoff").fetchone()[0]


def vault_rows(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("select count(*) from contact_vault").fetchone()[0]


def action_url(stack) -> str:
    return f"http://127.0.0.1:{stack.action_port}/webhook"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {ACTION_TOKEN_HEADER: "raden"},
        {ACTION_TOKEN_HEADER: "ｔｏｋｅｎ".encode("utf-8")},
        {"Authorization": "Bearer x"},
    ],
    ids=["none", "wrong", "non-ascii", "other"],
)
def test_the_action_server_refuses_a_call_without_rasas_secret(stack, stack_database: Path, headers):
    before = handoffs(stack_database)
    response = requests.post(
        action_url(stack), json=forged_call(f"attack-{uuid.uuid4().hex}"), headers=headers, timeout=30
    )
    assert response.status_code == 401
    assert "phishing" not in response.text and "handoff_consent" not in response.text, "nothing is echoed"
    assert handoffs(stack_database) == before
    assert requests.get(action_url(stack), headers=headers, timeout=30).status_code == 401
    assert requests.get(f"http://127.0.0.1:{stack.action_port}/actions", headers=headers, timeout=30).status_code == 401


def test_get_on_the_webhook_is_a_clear_405_not_a_500(stack):
    token = stack.environment()[ACTION_TOKEN]
    response = requests.get(action_url(stack), headers={ACTION_TOKEN_HEADER: token}, timeout=30)
    assert response.status_code == 405


def test_rasa_itself_still_reaches_the_actions(chat: Chat):
    assert "Jobcoaching" in chat.say_text("wat is jobcoaching?"), "the token Rasa sends is accepted"


def test_a_made_up_tracker_with_the_secret_still_stores_nothing_and_reads_no_vault(stack, stack_database: Path):
    """Even a caller that has the secret (a compromised neighbour) cannot store a handoff nobody agreed to, nor
    read or empty the contact vault of another conversation by naming its sender id."""
    victim = Chat(stack)
    victim.say(f"mijn nummer is {PHONE}")  # the channel keeps it in the vault under a key only this conversation has
    rows = vault_rows(stack_database)
    assert rows >= 1
    before = handoffs(stack_database)
    token = stack.environment()[ACTION_TOKEN]
    events = [
        {"event": "session_started", "timestamp": 1.0},
        {"event": "action", "name": "action_ask_handoff_consent"},
        {"event": "user", "text": "ja"},
        {"event": "slot", "name": "handoff_consent", "value": True},
        {"event": "action", "name": "action_ask_handoff_confirmed"},
        {"event": "user", "text": "ja"},
        {"event": "slot", "name": "handoff_confirmed", "value": True},
        {"event": "user", "text": "/affirm", "metadata": {"contact_ref": "geraden"}},
    ]
    for call in (forged_call(victim.sender), forged_call(victim.sender, events)):
        response = requests.post(action_url(stack), json=call, headers={ACTION_TOKEN_HEADER: token}, timeout=30)
        assert response.status_code == 200
        said = " ".join(r.get("text") or "" for r in response.json()["responses"])
        assert "Je code is WW-" not in said
    assert handoffs(stack_database) == before, "no handoff stored from a made-up tracker"
    assert vault_rows(stack_database) == rows, "the victim's contact details are neither read nor erased"
