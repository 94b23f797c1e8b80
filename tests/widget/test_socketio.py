"""Rasa's socket.io channel as the widget uses it, from Python (polling transport; see platform.md): with session
persistence on, a bot reply arrives, a new connection with the same session id continues the same conversation,
and the gemeente sent as metadata is used without asking."""

from __future__ import annotations

import contextlib
import queue
import time
from typing import Any, Dict, List, Optional

import pytest

pytestmark = pytest.mark.stack


class SocketChat:
    """One widget-like connection: session_request, then user_uttered with the session id."""

    def __init__(self, url: str, session_id: Optional[str] = None) -> None:
        import socketio

        self.replies: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.confirmed: "queue.Queue[str]" = queue.Queue()
        self.client = socketio.Client()
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.connect(url, transports=["polling"])
        self.client.emit("session_request", {"session_id": session_id})
        self.session_id = self.confirmed.get(timeout=20)

    def say(self, text: str, metadata: Optional[Dict[str, Any]] = None, settle: float = 1.5) -> List[Dict[str, Any]]:
        data: Dict[str, Any] = {"message": text, "session_id": self.session_id}
        if metadata:
            data["metadata"] = metadata
        self.client.emit("user_uttered", data)
        messages = [self.replies.get(timeout=60)]
        deadline = time.monotonic() + settle  # the rest of this turn's messages follow right after the first
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                messages.append(self.replies.get(timeout=0.3))
        return messages

    def close(self) -> None:
        self.client.disconnect()


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


@pytest.fixture
def socket_url(stack: Any) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}"


def test_a_reply_arrives_over_socketio_with_session_persistence(socket_url: str) -> None:
    chat = SocketChat(socket_url)
    try:
        welcome = chat.say("hallo")
        assert "computerprogramma" in texts(welcome)
        assert any(r["payload"] == "/request_human" for m in welcome for r in m.get("quick_replies") or [])
    finally:
        chat.close()


def test_a_new_connection_with_the_same_session_id_continues_the_conversation(socket_url: str) -> None:
    first = SocketChat(socket_url)
    first.say("kan ik iemand van de gemeente spreken?")
    first.close()
    again = SocketChat(socket_url, first.session_id)
    try:
        assert again.session_id == first.session_id
        # The handoff form is still waiting for consent: "ja" continues it, it does not start anything new.
        assert "welke gemeente" in texts(again.say("/affirm")).lower()
    finally:
        again.close()


def test_the_widgets_gemeente_is_used_without_asking(socket_url: str) -> None:
    chat = SocketChat(socket_url)
    utrecht = {"gemeente": "GM0344"}
    try:
        answer = texts(chat.say("Heb ik recht op hulp als ik geen uitkering heb?", utrecht))
        assert "Utrecht" in answer, "the local answer of the widget's gemeente"
        assert "vrijwillig" in texts(chat.say("/request_human", utrecht))
        next_question = texts(chat.say("/affirm", utrecht))
        assert "welke gemeente" not in next_question.lower() and "contact" in next_question
    finally:
        chat.close()


def test_without_metadata_the_gemeente_is_asked(socket_url: str) -> None:
    chat = SocketChat(socket_url)
    try:
        chat.say("/request_human")
        assert "welke gemeente" in texts(chat.say("/affirm")).lower()
    finally:
        chat.close()


def test_the_widgets_gemeente_can_be_corrected_at_the_summary(socket_url: str) -> None:
    chat = SocketChat(socket_url)
    utrecht = {"gemeente": "GM0344"}
    try:
        for text in (
            "/request_human",
            "/affirm",
            '/inform{"channel": "telefoon"}',
            "06 12345678",
            '/inform{"preferred_time": "ochtend"}',
            "Sam",
        ):
            chat.say(text, utrecht)
        assert "Gemeente: Utrecht" in texts(chat.say('/deny{"field": "rest"}', utrecht))  # "Sla de rest over"
        assert "welke gemeente" in texts(chat.say('/deny{"field": "gemeente"}', utrecht)).lower()
        assert "Gemeente: Zeist" in texts(chat.say("Zeist", utrecht)), "the person's answer wins over the page's"
    finally:
        chat.close()
