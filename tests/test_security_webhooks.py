"""Attack groups 5, 8 and 9 of issue #15 against the real web app and notifier: a beheerder cannot point the
handoffs at this machine or the internal network (checked when saving, after DNS, and again when the notifier
connects), a changed address is audited and shown to the team, the demo receiver takes any header calmly, and a
captured delivery cannot be replayed under a new Idempotency-Key."""

from __future__ import annotations

import html
import json
import socket
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from sqlalchemy import select

from bot.common.clock import to_db_time, utc_now
from bot.common.db import session_scope
from bot.handoff.config import load_config
from bot.handoff.models import Handoff, HandoffOutbox, HandoffSettingsOverride
from bot.handoff.notifier import DeliveryPolicy, deliver_pending
from bot.handoff.service import submit_handoff
from bot.ops.stack import Stack
from bot.portal.models import AuditEntry
from tests.handoff.conftest import (
    SECRET,
    SECRET_ENV,
    Receiver,
    config_dict,
    make_request,
    session_factory,
    sqlite_url,  # noqa: F401 (a fixture)
    write_config,
)
from tests.portal.conftest import add_handoff
from tests.portal_http import Browser, add_user, stack_database, start_web_stack

pytestmark = pytest.mark.stack

UTRECHT, BUNNIK, HOUTEN, ZEIST = "GM0344", "GM0312", "GM0321", "GM0355"
PUBLIC = "93.184.215.14"  # a public internet address (an IP literal: this machine has no DNS for the internet)
WEEK = {f"uren_{day}": "09:00-17:00" for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")}
WEEK.update(uren_zaterdag="gesloten", uren_zondag="gesloten")


@pytest.fixture(scope="module")
def capture() -> Iterator[Receiver]:
    """Stands in for the demo receiver's address in this stack, so that a real delivery can be captured."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def attacker() -> Iterator[Receiver]:
    """The listener a malicious beheerder wants the handoffs at: on this machine, not the demo receiver."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, capture: Receiver) -> Iterator[Stack]:
    stack = start_web_stack(
        tmp_path_factory.mktemp("webhook-security"), WW_HANDOFF_DEMO_URL=capture.url, WW_HANDOFF_SECRET_DEMO=SECRET
    )
    for username, role, gemeente in (
        ("houtenbeheer", "beheerder", HOUTEN),
        ("bunnikbeheer", "beheerder", BUNNIK),
        ("bunniklead", "teamleider", BUNNIK),
        ("bunnikconsulent", "consulent", BUNNIK),
        ("zeistlead", "teamleider", ZEIST),
    ):
        add_user(stack, username, role, gemeente)
    try:
        yield stack
    finally:
        stack.stop()


def settings_form(code: str, **changes: str) -> Dict[str, str]:
    config = load_config().for_gemeente(code)
    values = {
        "response_days": str(config.response_days),
        "contact_route": config.contact_route,
        **WEEK,
        "holidays": "",
        "email": config.email or "",
        "endpoint": "",
        "new_secret": "",
    }
    values.update(changes)
    return values


def audit(stack: Stack, action: str, gemeente: str) -> List[str]:
    with session_scope(stack_database(stack)) as session:
        return list(
            session.execute(
                select(AuditEntry.detail)
                .where(AuditEntry.action == action, AuditEntry.gemeente_code == gemeente)
                .order_by(AuditEntry.id)
            ).scalars()
        )


def outbox_of(stack: Stack, code: str, timeout: float = 30) -> HandoffOutbox:
    """The handoff's outbox message once the notifier has tried it (delivered, or failed with a reason)."""
    deadline = time.monotonic() + timeout
    while True:
        with session_scope(stack_database(stack)) as session:
            message = session.execute(
                select(HandoffOutbox)
                .join(Handoff, Handoff.id == HandoffOutbox.handoff_id)
                .where(Handoff.reference_code == code)
            ).scalar_one()
            session.expunge(message)
        if message.delivered_at or message.last_error or time.monotonic() > deadline:
            return message
        time.sleep(0.5)


ATTACKS = [
    "http://127.0.0.1:{attacker}/steal",  # the listener of the report
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://10.0.0.5:8443/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.10/hook",
    "http://[::1]:6379/",  # Redis on this machine
    "http://127.0.0.1:{action_port}/webhook",  # the action server's own address
    "https://localhost/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "https://[fd00::1]/hook",  # unique-local
    "https://[fe80::1]/hook",  # link-local
    "https://224.0.0.1/hook",  # multicast
    "http://0.0.0.0:{web_port}/demo/handoff-receiver",  # unspecified: reaches this machine on Linux
    "https://2130706433/hook",  # 127.0.0.1 written as one number
    "https://0x7f.1/hook",  # and in hexadecimal
    f"http://{PUBLIC}/hook",  # public, but plain http
]


@pytest.mark.parametrize("target", ATTACKS)
def test_a_beheerder_cannot_point_the_webhook_at_this_machine_or_the_internal_network(
    web: Stack, attacker: Receiver, target
):
    url = target.format(attacker=attacker.port, action_port=web.action_port, web_port=web.web_port)
    browser = Browser(web)
    assert browser.sign_in("houtenbeheer").status_code == 302
    page = f"/beheer/instellingen/{HOUTEN}"
    response = browser.post(page, settings_form(HOUTEN, endpoint=url))
    text = html.unescape(response.text)
    assert response.status_code == 400, text[:300]
    assert "wordt niets gestuurd" in text or "alleen via https" in text or "https://" in text
    with session_scope(stack_database(web)) as session:
        assert session.get(HandoffSettingsOverride, HOUTEN) is None, "nothing saved"
    assert audit(web, "webhook_wijzigen", HOUTEN) == []


def test_the_notifier_refuses_an_internal_address_when_it_connects(web: Stack, attacker: Receiver):
    """An address that got in anyway (saved before this check, or DNS that changed since) is refused at send
    time: the handoff is flagged for the portal, and the listener receives nothing."""
    with session_scope(stack_database(web)) as session:
        session.add(
            HandoffSettingsOverride(
                gemeente_code=ZEIST,
                settings=json.dumps({"endpoint": f"http://127.0.0.1:{attacker.port}/steal"}),
                webhook_secret="x" * 40,
                updated_at=to_db_time(utc_now()),
                updated_by="vroeger",
            )
        )
    code = add_handoff(stack_database(web), ZEIST)
    message = outbox_of(web, code)
    assert message.delivered_at is None and message.flagged
    assert message.last_error.startswith("niet verstuurd") and "deze computer zelf" in message.last_error
    time.sleep(1.5)  # another notifier round
    assert attacker.received == [], "no handoff (phone number, transcript) reached the listener"


def test_a_changed_webhook_is_audited_with_old_and_new_address_and_shown_to_the_team(web: Stack, capture: Receiver):
    browser = Browser(web)
    browser.sign_in("bunnikbeheer")
    page = f"/beheer/instellingen/{BUNNIK}"
    new = f"https://{PUBLIC}/overdracht?token=geheim-in-de-query"
    assert browser.post(page, settings_form(BUNNIK, endpoint=new)).status_code == 302
    [detail] = audit(web, "webhook_wijzigen", BUNNIK)
    assert detail == f"{capture.url} → https://{PUBLIC}/overdracht", "old and new, without the query"
    for username, sees in (
        ("bunniklead", True),
        ("bunnikbeheer", True),
        ("bunnikconsulent", False),
        ("zeistlead", False),
    ):
        reader = Browser(web)
        reader.sign_in(username)
        home = html.unescape(reader.http.get(reader.base + "/", timeout=30).text)  # a beheerder lands on accounts
        assert ("het webhook-adres van Bunnik (GM0312)" in home and f"https://{PUBLIC}/overdracht" in home) == sees, (
            username
        )
        assert "geheim-in-de-query" not in home
    assert browser.post(f"{page}/standaard", {}, "/beheer/instellingen").status_code == 302
    assert audit(web, "webhook_wijzigen", BUNNIK)[-1] == f"https://{PUBLIC}/overdracht → {capture.url}"


def test_a_captured_delivery_replayed_under_a_new_idempotency_key_is_refused(web: Stack, capture: Receiver):
    code = add_handoff(stack_database(web), UTRECHT)
    assert outbox_of(web, code).delivered_at is not None
    [delivery] = [r for r in capture.received if r.headers.get("Idempotency-Key") == code]
    assert delivery.signature_ok
    receiver = f"http://127.0.0.1:{web.web_port}/demo/handoff-receiver"
    headers = {
        name: value
        for name, value in delivery.headers.items()
        if name.lower().startswith("x-wegwijzer") or name.lower() in ("idempotency-key", "content-type")
    }
    first = requests.post(receiver, data=delivery.body, headers=headers, timeout=10)
    assert first.status_code == 200 and first.json() == {"received": code, "duplicate": False}
    again = requests.post(receiver, data=delivery.body, headers=headers, timeout=10)
    assert again.status_code == 200 and again.json()["duplicate"] is True, "the same key: recognised, not new"
    for key in ("WW-NIEU-W1", code.lower(), code + " ", "x" * 100):
        replay = requests.post(receiver, data=delivery.body, headers={**headers, "Idempotency-Key": key}, timeout=10)
        assert replay.status_code == 401 or (key.strip() == code and replay.json()["duplicate"]), key


@pytest.mark.parametrize(
    "header, value",
    [
        ("X-Wegwijzer-Signature", "sha256=ｆｆｆｆ".encode("utf-8")),
        ("X-Wegwijzer-Signature", "sha256=\u00e9\u00e9".encode("latin-1")),
        ("X-Wegwijzer-Timestamp", "１７９５６０００００".encode("utf-8")),
        ("Idempotency-Key", "WW-ＡＢＣＤ-ＥＦ".encode("utf-8")),
    ],
    ids=["full-width-signature", "latin-1-signature", "full-width-timestamp", "full-width-key"],
)
def test_the_demo_receiver_answers_non_ascii_headers_calmly(web: Stack, header: str, value: bytes):
    stamp = str(int(time.time()))
    headers: Dict[str, Any] = {
        "X-Wegwijzer-Timestamp": stamp,
        "X-Wegwijzer-Signature": "sha256=" + "0" * 64,
        "Idempotency-Key": "WW-7K3M-QN",
        "Content-Type": "application/json",
    }
    headers[header] = value
    response = requests.post(
        f"http://127.0.0.1:{web.web_port}/demo/handoff-receiver", data=b"{}", headers=headers, timeout=10
    )
    assert response.status_code == 401 and response.json() == {"error": "ongeldige handtekening"}


def test_dns_that_changes_between_the_check_and_the_connection_is_caught(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
):
    """DNS rebinding: the name resolves to a public address for the check and to this machine a moment later.
    The notifier connects only to an address it has just checked, so it refuses instead of connecting."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    answers = iter([PUBLIC] + ["127.0.0.1"] * 10)
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "gemeente.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), int(port)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    config = load_config(write_config(tmp_path, config_dict("https://gemeente.example/hook")))
    submit_handoff(make_request(), sqlite_url, config)
    policy = DeliveryPolicy(base_delay_s=10, max_delay_s=300, max_attempts=3, timeout_s=5, lease_s=60)
    stats = deliver_pending(
        session_factory(sqlite_url), now=datetime(2026, 11, 26, 10, 1), policy=policy, config=config
    )
    assert stats.flagged == 1
    with session_scope(sqlite_url) as session:
        error = session.execute(select(HandoffOutbox.last_error)).scalar_one()
    assert error.startswith("niet verstuurd") and "deze computer zelf" in error, error
