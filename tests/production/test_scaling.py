"""Several Rasa servers, one conversation: state in PostgreSQL, one lock per conversation in Redis, nginx in front."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Tuple

import pytest
import requests

from bot.ops.production import ProductionStack
from tests.production.conftest import Conversation
from tests.production.store import count_senders, events_of, slot_values, user_texts

pytestmark = pytest.mark.stack

PHONE = "06 12345678"


def both_servers(production: ProductionStack) -> List[str]:
    return [production.instance_rest_url(0), production.instance_rest_url(1)]


def test_a_conversation_switching_server_every_message_keeps_slots_and_history(production: ProductionStack):
    chat = Conversation(both_servers(production))
    steps = [
        ("Mijn aanvraag voor Wajong is afgewezen en ik weet niet wat ik nu moet", ""),
        ("kan ik iemand van de gemeente spreken?", "vrijwillig"),
        ("/affirm", "welke gemeente"),
        ("Houten", "contact"),
        ('/inform{"channel": "telefoon"}', "telefoonnummer"),
        (f"mijn nummer is {PHONE}", "gebeld"),
        ('/inform{"preferred_time": "ochtend"}', "noemen"),
        ("Sam", "Wat wil je dat er nu gebeurt"),
        ("Samen zoeken naar werk", "Wat helpt jou"),
        ("mijn moeder denkt mee", "wat zit in de weg"),
        ("reizen is lastig", "vooraf moet weten"),
    ]
    for text, expected in steps:  # each form step only works when the previous step's state moved along
        assert expected in chat.say_text(text)
    summary = chat.say_text("niet bellen voor 10 uur")
    assert "Klopt dit?" in summary and "Houten" in summary and "06-****5678" in summary and "Sam" in summary
    assert "Samen zoeken naar werk" in summary and "reizen is lastig" in summary
    done = chat.say_text("/affirm")
    assert "Je code is WW-" in done, "the handoff went through the action servers behind nginx"
    sent = [text for text, _ in steps] + ["niet bellen voor 10 uur", "/affirm"]
    stored = user_texts(production.tracker_db, chat.sender)
    assert stored == [t.replace(PHONE, "06-****5678") for t in sent], "every message once, in order"
    assert "GM0321" in slot_values(production.tracker_db, chat.sender, "gemeente")


def test_messages_of_one_conversation_sent_at_once_to_both_servers_are_handled_one_by_one(production: ProductionStack):
    urls = both_servers(production)
    chat = Conversation(urls)
    chat.say("hallo")
    texts = ["wat kun je", "Heb ik recht op hulp als ik geen uitkering heb?", "wat is jobcoaching", "dank je"]
    start = threading.Barrier(len(texts))

    def send(index: int) -> requests.Response:
        start.wait()
        return chat.post(texts[index], urls[index % 2])

    with ThreadPoolExecutor(len(texts)) as pool:
        responses = list(pool.map(send, range(len(texts))))
    assert [r.status_code for r in responses] == [200] * len(texts)
    assert all(r.json() for r in responses), "every message answered"
    events = events_of(production.tracker_db, chat.sender)
    assert sorted(user_texts(production.tracker_db, chat.sender)[1:]) == sorted(texts), "no message lost"
    # Serialised: each message's turn ends (action_listen) before the next message is taken in.
    kinds = [e["name"] if e["event"] == "action" else e["event"] for e in events]
    users = [i for i, kind in enumerate(kinds) if kind == "user"]
    for previous, current in itertools.pairwise(users):
        between = kinds[previous + 1 : current]
        assert "bot" in between and between[-1] == "action_listen", kinds[previous : current + 1]
    assert len({(e["event"], e.get("timestamp")) for e in events}) == len(events), "no event stored twice"


def test_socketio_through_nginx_answers_and_websocket_upgrade_passes(production: ProductionStack):
    import socketio

    answers: List[Dict] = []
    received = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", lambda data: (answers.append(data), received.set()))
    confirmed = threading.Event()
    issued: List[str] = []  # the server issues the session id (bot/rasa/socket_sessions.py)
    client.on("session_confirm", lambda token: (issued.append(token), confirmed.set()))
    # Polling: many HTTP requests per session, which nginx must keep on one Rasa server (ip_hash).
    client.connect(production.public_url, socketio_path="/socket.io", transports=["polling"])
    try:
        client.emit("session_request", {"session_id": None})
        assert confirmed.wait(30)
        client.emit("user_uttered", {"message": "wat kun je", "session_id": issued[0]})
        assert received.wait(60), "a bot reply over socket.io through nginx"
        assert "Ik kan je helpen" in " ".join(a.get("text", "") for a in answers)
    finally:
        client.disconnect()
    assert websocket_handshake(production.public_port).startswith("HTTP/1.1 101")


def websocket_handshake(port: int) -> str:
    """The status line of a raw websocket upgrade through nginx (the browser's transport)."""
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).decode(errors="replace").splitlines()[0]


def test_one_rasa_server_killed_under_load_traffic_goes_on_and_nothing_is_lost(production: ProductionStack):
    clients = [Conversation([production.rest_url]) for _ in range(4)]
    texts = ["hallo", "wat kun je", "wat is jobcoaching", "Heb ik recht op hulp als ik geen uitkering heb?"]
    # sender, text, sent at, answered at, status (0: no HTTP answer), a real answer (not empty, not "Sorry")
    results: List[Tuple[str, str, float, float, int, bool]] = []
    stop = threading.Event()

    def load(chat: Conversation) -> None:
        turn = 0
        while not stop.is_set():
            text = texts[turn % len(texts)]
            turn += 1
            sent = time.monotonic()
            try:
                response = chat.post(text)
                status, real = response.status_code, is_real_answer(response)
            except requests.RequestException:
                status, real = 0, False
            results.append((chat.sender, text, sent, time.monotonic(), status, real))

    threads = [threading.Thread(target=load, args=(chat,)) for chat in clients]
    for thread in threads:
        thread.start()
    try:
        time.sleep(5)
        production.kill("rasa-1")
        killed_at = time.monotonic()  # requests sent before this may have been inside the server
        time.sleep(15)
        production.restart("rasa-1")
        time.sleep(5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(200)
    failed = [r for r in results if not r[5]]
    # Only a message that was inside the killed server at that moment may fail; nothing sent after it.
    assert all(r[2] < killed_at for r in failed), failed
    assert len(failed) <= len(clients), failed
    after = [r for r in results if r[2] > killed_at]
    assert len(after) >= 10 and all(r[5] for r in after)
    # The conversation whose message died with the server waits for its lock to expire, then goes on.
    assert max(r[3] - r[2] for r in after) < int(production.environment()["TICKET_LOCK_LIFETIME"]) + 15
    for chat in clients:
        answered = [r[1] for r in sorted(results, key=lambda r: r[2]) if r[0] == chat.sender and r[5]]
        stored = user_texts(production.tracker_db, chat.sender)
        assert is_subsequence(answered, stored), diagnosis(production, chat.sender, answered, stored)
    # The restarted server carries on with a conversation it has never seen.
    assert "Ik kan je helpen" in clients[0].say_text("wat kun je", production.instance_rest_url(0))


def diagnosis(production: ProductionStack, sender: str, answered: List[str], stored: List[str]) -> str:
    """What a failure needs to be understood after the stack is gone (seen once in CI: nothing stored for a
    conversation that was answered throughout): the texts, what the table holds, and what the servers logged."""
    kinds = sorted({e["event"] for e in events_of(production.tracker_db, sender)})
    logged = [
        f"{log.name}: {line.strip()[:300]}"
        for log in sorted(production.log_dir.glob("rasa-*.log"))
        for line in log.read_text(errors="replace").splitlines()
        if " ERROR " in line or "WARNING  rasa.core.tracker_store" in line or "Traceback" in line
    ]
    return (
        f"answered {len(answered)}: {answered[:8]} …\nstored {len(stored)}: {stored[:8]} …\nevent kinds {kinds}\n"
        f"senders stored {count_senders(production.tracker_db)}\nlogged:\n" + "\n".join(logged[-40:])
    )


def is_real_answer(response: requests.Response) -> bool:
    texts = [m.get("text", "") for m in response.json()] if response.status_code == 200 else []
    return bool(texts) and not any(t.startswith("Sorry, ik heb nu geen antwoord") for t in texts)


def is_subsequence(needle: List[str], haystack: List[str]) -> bool:
    remaining = iter(haystack)
    return all(any(item == candidate for candidate in remaining) for item in needle)
