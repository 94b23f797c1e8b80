"""The demo receiver checks signatures and keys; the stack starts the portal, a demo account with a generated
password, and a random demo secret with which the notifier's deliveries verify."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests
from sqlalchemy import select

from bot.common.db import session_scope
from bot.handoff.models import HandoffOutbox
from bot.handoff.notifier import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from bot.ops.stack import Stack, free_port
from bot.portal import accounts
from tests.portal.conftest import HOUTEN, Portal, add_handoff

SECRET = "demo-geheim-voor-de-test"


def _post(portal: Portal, body: bytes, secret: str, key: str = "WW-7K3M-QN"):
    stamp = str(int(time.time()))
    return portal.app.test_client().post(
        "/demo/handoff-receiver",
        data=body,
        headers={
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(secret, stamp, key, body),
            IDEMPOTENCY_HEADER: key,
            "Content-Type": "application/json",
        },
    )


def test_demo_receiver_verifies_and_is_idempotent(portal: Portal, monkeypatch) -> None:
    monkeypatch.setenv("WW_HANDOFF_SECRET_DEMO", SECRET)
    body = json.dumps({"reference_code": "WW-7K3M-QN"}).encode()
    assert _post(portal, body, "verkeerd geheim").status_code == 401
    first = _post(portal, body, SECRET)
    assert first.status_code == 200 and first.get_json() == {"received": "WW-7K3M-QN", "duplicate": False}
    again = _post(portal, body, SECRET)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    unsigned = portal.app.test_client().post("/demo/handoff-receiver", data=body)
    assert unsigned.status_code == 401


def test_demo_receiver_refuses_everything_without_a_secret(portal: Portal, monkeypatch) -> None:
    monkeypatch.delenv("WW_HANDOFF_SECRET_DEMO", raising=False)
    assert _post(portal, b"{}", "").status_code == 401


def test_stack_serves_the_portal_and_the_notifier_delivers_to_the_demo_receiver(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("WW_HANDOFF_SECRET_DEMO", raising=False)
    monkeypatch.delenv("WW_HANDOFF_DEMO_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'wegwijzer.db'}"
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        log_dir=tmp_path / "logs",
        env={
            "DATABASE_URL": url,
            "TRACKER_DB": str(tmp_path / "tracker.db"),
            "WW_VAR_DIR": str(tmp_path),
            "WW_HANDOFF_NOTIFY_INTERVAL_S": "1",
        },
    )
    stack.services = [stack.service("web"), stack.service("notifier")]
    secret = stack.environment()["WW_HANDOFF_SECRET_DEMO"]
    assert len(secret) >= 32 and secret != Stack(rasa_port=1, action_port=2).env["WW_HANDOFF_SECRET_DEMO"]
    try:
        stack.start(timeout=60)
        assert stack.demo_password and len(stack.demo_password) >= 16
        assert requests.get(f"http://127.0.0.1:{stack.web_port}/healthz", timeout=5).json() == {"status": "ok"}
        page = requests.get(f"http://127.0.0.1:{stack.web_port}/inloggen", timeout=5)
        assert "Inloggen" in page.text and "Content-Security-Policy" in page.headers
        with session_scope(url) as session:
            user = accounts.find_user(session, "demo")
            assert user.role == "teamleider" and HOUTEN in user.gemeente_codes
        code = add_handoff(url, HOUTEN)
        deadline = time.monotonic() + 60
        delivered = None
        while time.monotonic() < deadline and delivered is None:
            with session_scope(url) as session:
                message = session.execute(select(HandoffOutbox)).scalar_one()
                delivered, error = message.delivered_at, message.last_error
            time.sleep(0.5)
        assert delivered is not None, f"{code} not delivered: {error}"
        stack.stop()
        stack.start(timeout=60)
        assert stack.demo_password is None  # an account exists now: no new password is made or shown
    finally:
        stack.stop()
