"""Attack group 2 (issue #15): knowing a socket.io session id is not enough to listen to or speak in that
conversation, and a REST sender id never reaches a socket.io conversation. Against the real running stack with
real python-socketio clients (polling, as tests/widget/test_socketio.py) and the real SQLite conversation store."""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import pytest
import requests

from bot.common import settings
from bot.conversation.messages import text as system_text
from bot.rasa.socket_sessions import SENDER_PREFIX, SessionTokens, without_socket_prefix

pytestmark = pytest.mark.stack

HANDOFF = "kan ik iemand van de gemeente spreken?"


class Client:
    """A real socket.io client: every message it receives is kept, in order."""

    def __init__(self, url: str, session_id: Any = None, request_session: bool = True) -> None:
        import socketio

        self.received: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.confirmed: "queue.Queue[str]" = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.connect(url, transports=["polling"])
        self.token: Optional[str] = None
        if request_session:
            self.client.emit("session_request", {"session_id": session_id})
            self.token = self.confirmed.get(timeout=20)

    def say(self, text: str, session_id: Any = None, settle: float = 1.5) -> List[Dict[str, Any]]:
        self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.token})
        return self.heard(first_within=60, settle=settle)

    def heard(self, first_within: float = 0.0, settle: float = 1.5) -> List[Dict[str, Any]]:
        """What arrived: waits up to `first_within` s for a first message, then `settle` s for the rest."""
        messages: List[Dict[str, Any]] = []
        with contextlib.suppress(queue.Empty):
            messages.append(self.received.get(timeout=first_within) if first_within else self.received.get_nowait())
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                messages.append(self.received.get(timeout=0.2))
        return messages

    def close(self) -> None:
        self.client.disconnect()


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def sender_of(token: str) -> str:
    return SENDER_PREFIX + token.split(".")[0]


def user_texts(tracker: Path, sender: str) -> List[str]:
    with sqlite3.connect(tracker) as db:
        rows = db.execute("select data from events where sender_id = ? and type_name = 'user'", (sender,)).fetchall()
    return [json.loads(data).get("text") for (data,) in rows]


def all_senders(tracker: Path) -> Set[str]:
    with sqlite3.connect(tracker) as db:
        return {sender for (sender,) in db.execute("select distinct sender_id from events")}


def socket_senders(tracker: Path) -> Dict[str, int]:
    """Every socket.io conversation with its number of events."""
    with sqlite3.connect(tracker) as db:
        return dict(
            db.execute("select sender_id, count(*) from events where sender_id like 'sio-%' group by sender_id")
        )


@pytest.fixture
def socket_url(stack: Any) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}"


@pytest.fixture
def tracker(stack: Any, stack_var: Path) -> Path:
    return stack_var / "tracker.db"


@pytest.fixture
def victim(socket_url: str):
    person = Client(socket_url)
    assert "vrijwillig" in texts(person.say(HANDOFF)), "the consent question, as in the reported attack"
    yield person
    person.close()


def test_the_server_issues_a_signed_id_and_a_reconnect_with_it_continues(socket_url: str, tracker: Path) -> None:
    first = Client(socket_url, session_id="mijn-eigen-id")
    try:
        assert first.token and first.token != "mijn-eigen-id", "a client cannot choose its id"
        first.say(HANDOFF)
    finally:
        first.close()
    again = Client(socket_url, session_id=first.token)
    try:
        assert again.token == first.token
        assert "welke gemeente" in texts(again.say("/affirm")).lower(), "the same conversation goes on"
    finally:
        again.close()
    assert user_texts(tracker, sender_of(first.token)) == [HANDOFF, "/affirm"]


def forgeries(token: str) -> Dict[str, Any]:
    session_id, _, signature = token.partition(".")
    return {
        "bare id": session_id,
        "stored sender id": SENDER_PREFIX + session_id,
        "forged signature": f"{session_id}.{'0' * 64}",
        "signature of another id": f"{uuid.uuid4().hex}.{signature}",
        "upper case": token.upper(),
        "non-ascii": f"{session_id}.{'ｆ' * 64}",
        # The reported 200,000 characters no longer pass the body cap (WW_MAX_REQUEST_BYTES); just under it:
        "long": session_id * (settings.MAX_REQUEST_BYTES // 2 // len(session_id)),
        "not a string": {"id": session_id},
    }


@pytest.mark.parametrize("kind", list(forgeries(f"{'a' * 32}.{'b' * 64}")))
def test_a_second_client_with_a_known_id_gets_a_new_conversation_and_hears_nothing(
    victim: Client, socket_url: str, tracker: Path, kind: str
) -> None:
    attacker = Client(socket_url, session_id=forgeries(victim.token)[kind])
    try:
        assert attacker.token != victim.token
        assert sender_of(attacker.token) != sender_of(victim.token), "a conversation of its own"
        # The victim goes on; the attacker hears none of it (the reported attack heard the next question).
        assert "welke gemeente" in texts(victim.say("/affirm")).lower()
        assert attacker.heard(settle=1.0) == []
        # What the attacker says goes to its own conversation, never the victim's.
        assert attacker.say("/deny")
        assert victim.heard(settle=1.0) == []
    finally:
        attacker.close()
    assert user_texts(tracker, sender_of(victim.token)) == [HANDOFF, "/affirm"]


@pytest.mark.parametrize("session_id", ["victim", None, "", 42], ids=["victims token", "none", "empty", "number"])
def test_a_message_with_a_session_id_not_issued_to_this_connection_is_refused(
    victim: Client, socket_url: str, tracker: Path, session_id: Any
) -> None:
    attacker = Client(socket_url)  # a valid session of its own, bound to its own connection
    try:
        sent = victim.token if session_id == "victim" else session_id
        attacker.client.emit("user_uttered", {"message": "/affirm", "session_id": sent})
        answer = attacker.heard(first_within=20)
        assert texts(answer) == system_text("session_unknown"), "a calm answer in Dutch, nothing else"
        assert victim.heard(settle=0.5) == []
    finally:
        attacker.close()
    assert user_texts(tracker, sender_of(victim.token)) == [HANDOFF]
    assert user_texts(tracker, sender_of(attacker.token)) == []


def test_a_message_without_a_session_request_is_refused(victim: Client, socket_url: str, tracker: Path) -> None:
    stranger = Client(socket_url, request_session=False)
    try:
        for data in ({"message": "/affirm", "session_id": victim.token}, "/affirm", ["x"]):
            stranger.client.emit("user_uttered", data)
            assert texts(stranger.heard(first_within=20, settle=0.3)) == system_text("session_unknown")
        assert victim.heard(settle=0.5) == []
    finally:
        stranger.close()
    assert user_texts(tracker, sender_of(victim.token)) == [HANDOFF]


@pytest.mark.parametrize("prefix", ["", SENDER_PREFIX], ids=["stored sender id", "doubled prefix"])
def test_a_rest_sender_never_reaches_a_socketio_conversation(
    victim: Client, stack: Any, tracker: Path, prefix: str
) -> None:
    socketio_conversations = socket_senders(tracker)
    conversations = all_senders(tracker)
    sender = prefix + sender_of(victim.token)
    response = requests.post(stack.rest_url, json={"sender": sender, "message": "/affirm"}, timeout=60)
    assert response.status_code == 200 and response.json(), "REST answers, in a conversation of its own"
    assert "welke gemeente" not in response.text.lower(), "not the victim's form"
    assert victim.heard(settle=1.0) == []
    assert user_texts(tracker, sender_of(victim.token)) == [HANDOFF]
    assert socket_senders(tracker) == socketio_conversations, "no socket.io conversation made or touched"
    assert len(all_senders(tracker) - conversations) == 1, "REST's own, new conversation"


# Unit tests of the token itself (no stack needed, but kept with the attack they guard against).


def test_tokens_verify_only_with_the_same_secret() -> None:
    tokens = SessionTokens("geheim")
    token = tokens.issue()
    assert tokens.sender(token) == SENDER_PREFIX + token.split(".")[0]
    assert SessionTokens("ander geheim").sender(token) is None
    assert tokens.issue() != token
    for bad in (None, 5, "", ".", token + "0", token[:-1], token.replace(".", ""), "é" * 97, token + "\n"):
        assert tokens.sender(bad) is None, bad
    with pytest.raises(RuntimeError, match="WW_SESSION_SECRET"):
        SessionTokens("")


def test_rest_senders_are_moved_out_of_the_socketio_namespace() -> None:
    assert without_socket_prefix("sio-abc") == "abc"
    assert without_socket_prefix("sio-sio-abc") == "abc"
    assert without_socket_prefix("anna") == "anna"
    assert without_socket_prefix("sio-") == ""
