"""Attack groups 3 and 4 (issue #15): personal details slip through nowhere, and no input is unbounded. Against the
real running stack: every PII variant of the issue (and ours) over REST and socket.io, then a scan of every store
(conversation store, application database, every log file) for any of them in clear; oversized bodies, long ids,
deep metadata, non-text messages and floods, each checked for its status code, its Dutch answer and the log."""

from __future__ import annotations

import http.client
import json
import queue
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from bot.conversation.messages import text as system_text
from tests.conftest import Chat
from tests.test_security_socketio import Client, socket_url, texts  # noqa: F401 (fixture)

pytestmark = pytest.mark.stack

# (what is typed, the strings that must never be found in clear in any store afterwards)
BSN = ["123  456  708", "123/456/721", "123_456_733", "+123456745", "123.456.708", "12 34 56 708"]
IBAN = ["NL64-ABNA-0417-1643-01", "NL37.ABNA.0417.1643.02", "NL10  ABNA 0417 1643 03", "NL91_ABNA_0417_1643_00"]
DETAILS = [
    "Kerkstraat 12",
    "Laan van Nieuw Oost-Indië 45",
    "dorpsstraat 3a",
    "3512 AB",
    "3572ab",
    "12-03-1985",
    "3 maart 1985",
    "1985-03-12",
    "01/02/1990",
]
# Contact details: allowed in the contact vault only (30 minutes, by design), nowhere else.
PHONE, EMAIL = "0611111104", "pii-test-104@example.com"
PAYLOAD = '/inform{"preferred_time": "%s of %s"}' % (PHONE, EMAIL)
METADATA = {
    "gemeente": "Utrecht",
    "bsn": "123456782",
    "email": "meta-pii@example.com",
    "nested": {"telefoon": "0622222205"},
}
SENDERS = ["0633333306", "user-111222333", "sender@example.com"]


def digits(value: str) -> str:
    return "".join(c for c in value if c.isalnum())


def needles(variants: List[str]) -> List[str]:
    """Each variant as typed and without its separators (the digits alone must not be stored either)."""
    return sorted({n for v in variants for n in (v, digits(v)) if len(n) >= 5})


def store_texts(stack_var: Path) -> Dict[str, str]:
    """Every store of the running stack as text: the databases' files (WAL included) and all logs; the
    application database also row by row, without the contact vault (see CONTACT_VAULT)."""
    found: Dict[str, str] = {}
    for path in sorted(stack_var.rglob("*")):
        if path.is_file() and (path.name.startswith(("tracker.db", "wegwijzer.db")) or path.suffix == ".log"):
            found[str(path)] = path.read_bytes().decode("utf-8", "replace")
    with sqlite3.connect(stack_var / "wegwijzer.db") as db:
        tables = [t for (t,) in db.execute("select name from sqlite_master where type = 'table'")]
        found["wegwijzer.db rows"] = "\n".join(
            str(row) for t in tables if t != "contact_vault" for row in db.execute(f'select * from "{t}"')
        )
        found[VAULT_ROWS] = "\n".join(str(row) for row in db.execute("select * from contact_vault"))
    return found


# Read row by row, the app database's file is not scanned as bytes: there a vault record's "06 12345678" runs into
# its expiry date "2026-…" and reads as "123456782". Deleted rows are zeroed (PRAGMA secure_delete, bot/common/db.py).
VAULT_ROWS = "contact_vault rows"


def in_clear(stores: Dict[str, str], values: List[str], skip_app_files: bool = False) -> List[str]:
    hits = []
    for name, content in stores.items():
        if skip_app_files and "wegwijzer.db" in name and not name.endswith("rows"):
            continue  # the file holds the contact vault; its other rows are checked one by one
        lowered = content.lower()
        hits += [f"{value!r} in {name}" for value in values if value.lower() in lowered]
    return hits


def test_no_pii_variant_is_stored_anywhere(stack, stack_var: Path, socket_url: str):
    """The count asked for by the issue: PII variants tried, found afterwards in clear (must be 0)."""
    typed = BSN + IBAN + DETAILS
    rest = Chat(stack)
    rest.say("hallo", metadata=METADATA)
    for value in typed:
        assert any(
            "verwijderd" in m.get("text", "") or "weggehaald" in m.get("text", "")
            for m in rest.say(f"mijn gegevens: {value}")
        ), value
    rest.say(PAYLOAD)
    rest.say({"bericht": "mijn bsn is 123456721", "email": "object-pii@example.com"})
    for sender in SENDERS:
        answer = Chat(stack, sender=sender).say("hallo")
        assert answer and all(m["recipient_id"].startswith("anon-") for m in answer), "stored under a hash"
    client = Client(socket_url)
    try:
        for value in typed[::2]:
            client.say(f"ik geef je {value}", settle=0.3)
        client.client.emit("user_uttered", {"message": PAYLOAD, "session_id": client.token, "customData": METADATA})
        client.heard(first_within=60, settle=0.5)
        client.client.emit("user_uttered", {"message": {"bsn": "123456721"}, "session_id": client.token})
        assert system_text("not_text") in texts(client.heard(first_within=60, settle=0.5))
    finally:
        client.close()

    stores = store_texts(stack_var)
    never = needles(typed) + ["123456721", "123456782", "object-pii@", "meta-pii@", "0622222205", *SENDERS]
    contact = [PHONE, EMAIL]
    found = in_clear(stores, never, skip_app_files=True) + in_clear(
        {name: text for name, text in stores.items() if name != VAULT_ROWS}, contact, skip_app_files=True
    )
    tried = len(typed) + len(SENDERS) + len(contact) + 4  # + the metadata values and the non-text message
    print(f"PII variants tried: {tried} (REST and socket.io); found afterwards in clear: {len(found)}")
    assert not found, found
    assert stores[str(stack_var / "tracker.db")], "the scan read the conversation store"


# --- group 4: unbounded input -----------------------------------------------------------------------------------


def stack_max_bytes(stack) -> int:
    return int(stack.environment().get("WW_MAX_REQUEST_BYTES") or 64 * 1024)


def rasa_log(stack) -> Path:
    return Path(stack.log_dir) / "rasa.log"


def test_an_oversized_body_is_refused_with_413_and_a_dutch_text(stack, stack_var: Path):
    before = (stack_var / "tracker.db").stat().st_size
    body = {"sender": f"big-{uuid.uuid4().hex[:8]}", "message": "hoi", "metadata": {"gemeente": "x" * 5_000_000}}
    response = requests.post(stack.rest_url, json=body, timeout=60)
    assert response.status_code == 413
    assert response.json()["text"] == system_text("too_large")
    assert (stack_var / "tracker.db").stat().st_size < before + 1_000_000, "nothing of it stored"
    assert Chat(stack).say_text("wat is jobcoaching?"), "the server goes on"


def test_a_long_sender_id_is_stored_as_a_short_hash(stack, stack_var: Path):
    long_id = "a" * 200_000
    first = Chat(stack, sender=long_id[:60_000]).say("hallo")
    again = Chat(stack, sender=long_id[:60_000]).say("wat is jobcoaching?")
    assert first[0]["recipient_id"] == again[0]["recipient_id"], "the same conversation goes on"
    with sqlite3.connect(stack_var / "tracker.db") as db:
        longest = db.execute("select max(length(sender_id)) from events").fetchone()[0]
    assert longest <= 69


def test_a_long_socket_session_id_is_never_a_sender(stack, stack_var: Path, socket_url: str):
    """Over polling the 200 KB packet is above WW_MAX_REQUEST_BYTES and refused; a shorter long id gets a new,
    server-issued session (bot/rasa/socket_sessions.py). Neither becomes a sender id."""
    for length in (200_000, 50_000):
        client = Client(socket_url, request_session=False)
        try:
            client.client.emit("session_request", {"session_id": "s" * length})
            try:
                assert len(client.confirmed.get(timeout=10)) < 200, "a new id of the server's own"
            except queue.Empty:
                assert length > stack_max_bytes(stack), "only an oversized packet goes unanswered"
        finally:
            client.close()
    with sqlite3.connect(stack_var / "tracker.db") as db:
        assert db.execute("select max(length(sender_id)) from events").fetchone()[0] <= 69


@pytest.mark.parametrize("depth", [900, 100_000])
def test_deep_metadata_gets_an_answer_and_no_traceback(stack, depth: int):
    log = rasa_log(stack)
    before = log.read_text(errors="replace").count("Traceback")
    nested: Any = {"gemeente": "Utrecht"}
    body = '{"sender": "deep-%s", "message": "wat is jobcoaching?", "metadata": %s%s%s}' % (
        uuid.uuid4().hex[:8],
        '{"a": ' * depth,
        json.dumps(nested),
        "}" * depth,
    )
    response = requests.post(stack.rest_url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code in (200, 413)
    if response.status_code == 200:
        assert response.json(), "an answer"
    assert log.read_text(errors="replace").count("Traceback") == before


def test_a_message_that_is_an_object_gets_a_calm_answer_and_is_not_logged(stack):
    secret = f"geheim-{uuid.uuid4().hex[:8]}"
    answer = Chat(stack).say({"text": secret, "nested": [secret]})
    assert [m["text"] for m in answer] == [system_text("not_text")]
    assert Chat(stack).say([secret])[0]["text"] == system_text("not_text")
    assert secret not in rasa_log(stack).read_text(errors="replace")


def test_too_many_messages_from_one_conversation_get_429(stack):
    limit = int(stack.environment()["WW_RATE_LIMIT_PER_SENDER"])
    chat = Chat(stack)
    refused = []
    for _ in range(2 * limit):  # the bucket refills while we send: keep going until it is empty
        reply = chat.post({"sender": chat.sender, "message": "hoi"})
        if reply.status_code == 429:
            refused.append(reply)
            break
    assert refused and refused[0].json()["text"] == system_text("too_fast")
    assert Chat(stack).say_text("hoi"), "another conversation goes on"


def test_too_many_requests_from_one_address_get_429(stack):
    limit = int(stack.environment()["WW_RATE_LIMIT_PER_CLIENT"])
    connection = http.client.HTTPConnection("127.0.0.1", stack.rasa_port, timeout=30, source_address=("127.0.0.7", 0))
    refused = []
    for _ in range(2 * limit):
        connection.request("GET", "/webhooks/rest/")
        reply = connection.getresponse()
        body = reply.read()
        if reply.status == 429:
            refused.append(body)
            break
    connection.close()
    assert refused and json.loads(refused[0])["text"] == system_text("too_fast")
    assert Chat(stack).say_text("hoi"), "other addresses go on"


def test_too_many_socket_messages_get_the_dutch_answer(stack, socket_url: str):
    limit = int(stack.environment()["WW_RATE_LIMIT_PER_SENDER"])
    client = Client(socket_url)
    try:
        for _ in range(limit + 10):
            client.client.emit("user_uttered", {"message": "hoi", "session_id": client.token})
            time.sleep(0.05)  # one packet per polling request, as a fast typist's widget sends them
        heard = texts(client.heard(first_within=60, settle=8))
        assert system_text("too_fast") in heard
    finally:
        client.close()
