"""The notifier sends signed webhooks to a real local receiver, retries with backoff, flags, and survives crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict

import pytest
from sqlalchemy import select

from bot.common import settings
from bot.common.db import session_scope
from bot.handoff.config import HandoffConfig, load_config
from bot.handoff.models import HandoffOutbox
from bot.handoff.notifier import DeliveryPolicy, _claim_due, deliver_pending, sign, verify_signature
from bot.handoff.service import submit_handoff
from tests.handoff.conftest import (
    BSN,
    SECRET,
    SECRET_ENV,
    Receiver,
    config_dict,
    make_request,
    session_factory,
    write_config,
)

POLICY = DeliveryPolicy(base_delay_s=10, max_delay_s=300, max_attempts=3, timeout_s=5, lease_s=60)


def outbox(url: str) -> HandoffOutbox:
    with session_scope(url) as session:
        message = session.execute(select(HandoffOutbox)).scalar_one()
        session.expunge(message)
        return message


def test_signature_round_trip_and_tampering() -> None:
    body, now, key = b'{"a":1}', time.time(), "WW-7K3M-QN"
    stamp = str(int(now))
    header = sign(SECRET, stamp, key, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(SECRET, stamp, key, body, header, tolerance_s=300, now=now)
    assert not verify_signature(SECRET, stamp, key, b'{"a":2}', header, now=now)
    assert not verify_signature(SECRET, stamp, "WW-ANDERS-99", body, header, now=now), "the key is signed too"
    assert not verify_signature("ander-geheim", stamp, key, body, header, now=now)
    assert not verify_signature(
        SECRET, str(int(now) - 301), key, body, sign(SECRET, str(int(now) - 301), key, body), tolerance_s=300, now=now
    )
    assert not verify_signature(SECRET, "gisteren", key, body, header, now=now)
    assert not verify_signature(SECRET, stamp, key, body, header.replace("sha256=", "md5="), now=now)
    assert not verify_signature(SECRET, stamp, key, body, "", now=now)
    assert not verify_signature(SECRET, stamp, key, body, "sha256=ｆｆ" + header[9:], now=now)  # non-ASCII: False
    assert not verify_signature(SECRET, "１" + stamp[1:], key, body, header, now=now)


def test_delivery_is_signed_and_carries_the_handoff(db_url: str, config: HandoffConfig, receiver: Receiver) -> None:
    code = submit_handoff(make_request(), db_url, config).reference_code
    now = datetime(2026, 11, 26, 10, 1)
    stats = deliver_pending(session_factory(db_url), now=now, policy=POLICY, config=config)
    assert (stats.delivered, stats.failed, stats.flagged) == (1, 0, 0)
    [request] = receiver.received
    assert request.signature_ok
    assert request.headers["Idempotency-Key"] == code
    assert request.headers["X-Wegwijzer-Event"] == "handoff.created"
    document = request.json["handoff"]
    assert document["reference_code"] == code and document["gemeente"] == {"code": "GM0321", "name": "Houten"}
    assert document["contact"]["phone"] == "+31612345678" and document["contact"]["phone_national"] == "06 12345678"
    assert document["respond_by"] == "2026-12-01"
    assert BSN not in request.body.decode()
    assert outbox(db_url).delivered_at is not None
    # Delivered messages are not sent again.
    assert (
        deliver_pending(session_factory(db_url), now=now + timedelta(days=1), policy=POLICY, config=config).delivered
        == 0
    )
    assert len(receiver.received) == 1


def test_receiver_down_is_retried_later_and_then_delivered(
    tmp_path: Path, sqlite_url: str, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = Receiver().start()
    port, url = down.port, down.url
    monkeypatch.setenv("WW_HANDOFF_DEMO_URL", url)
    down.stop()  # nothing listens on this port now
    config = load_config(write_config(tmp_path, config_dict(url)))
    submit_handoff(make_request(), sqlite_url, config)
    now = datetime(2026, 11, 26, 10, 1)
    stats = deliver_pending(session_factory(sqlite_url), now=now, policy=POLICY, config=config)
    assert (stats.delivered, stats.failed) == (0, 1)
    message = outbox(sqlite_url)
    assert message.attempts == 1 and "ConnectionError" in message.last_error
    assert message.next_attempt_at == now + timedelta(seconds=10)
    # Not due yet: nothing happens.
    assert (
        deliver_pending(
            session_factory(sqlite_url), now=now + timedelta(seconds=5), policy=POLICY, config=config
        ).failed
        == 0
    )
    up = Receiver().start(port)
    try:
        stats = deliver_pending(
            session_factory(sqlite_url), now=now + timedelta(seconds=11), policy=POLICY, config=config
        )
        assert stats.delivered == 1 and up.received[0].signature_ok
    finally:
        up.stop()


def test_a_500_is_retried_with_growing_delays(sqlite_url: str, config: HandoffConfig, receiver: Receiver) -> None:
    receiver.replies = [500, 503]
    submit_handoff(make_request(), sqlite_url, config)
    now = datetime(2026, 11, 26, 10, 1)
    factory = session_factory(sqlite_url)
    assert deliver_pending(factory, now=now, policy=POLICY, config=config).failed == 1
    assert outbox(sqlite_url).last_error == "HTTP 500 Internal Server Error"
    assert outbox(sqlite_url).next_attempt_at == now + timedelta(seconds=10)
    later = now + timedelta(seconds=10)
    assert deliver_pending(factory, now=later, policy=POLICY, config=config).failed == 1
    assert outbox(sqlite_url).next_attempt_at == later + timedelta(seconds=20)
    assert deliver_pending(factory, now=later + timedelta(seconds=20), policy=POLICY, config=config).delivered == 1
    assert len(receiver.received) == 3 and len(set(receiver.keys)) == 1


def test_retry_after_is_respected(sqlite_url: str, config: HandoffConfig, receiver: Receiver) -> None:
    receiver.replies = [(429, {"Retry-After": "120"}), 503]
    submit_handoff(make_request(), sqlite_url, config)
    now = datetime(2026, 11, 26, 10, 1)
    deliver_pending(session_factory(sqlite_url), now=now, policy=POLICY, config=config)
    assert outbox(sqlite_url).last_error == "HTTP 429 Too Many Requests"
    assert outbox(sqlite_url).next_attempt_at == now + timedelta(seconds=120)
    later = now + timedelta(seconds=120)
    deliver_pending(session_factory(sqlite_url), now=later, policy=POLICY, config=config)
    assert outbox(sqlite_url).next_attempt_at == later + timedelta(seconds=20)  # no Retry-After: backoff
    assert POLICY.delay(1, retry_after_s=120) == 120 and POLICY.delay(1, retry_after_s=9999) == 300
    assert POLICY.delay(4) == 80 and POLICY.delay(20) == 300


def test_after_max_attempts_the_message_is_flagged(sqlite_url: str, config: HandoffConfig, receiver: Receiver) -> None:
    receiver.replies = [500] * 10
    submit_handoff(make_request(), sqlite_url, config)
    now = datetime(2026, 11, 26, 10, 1)
    factory = session_factory(sqlite_url)
    for hop in range(POLICY.max_attempts):
        deliver_pending(factory, now=now + timedelta(hours=hop), policy=POLICY, config=config)
    message = outbox(sqlite_url)
    assert message.flagged and message.attempts == POLICY.max_attempts and message.delivered_at is None
    # Flagged means: for the portal, no more automatic attempts.
    assert deliver_pending(factory, now=now + timedelta(days=1), policy=POLICY, config=config).failed == 0
    assert len(receiver.received) == POLICY.max_attempts


def test_a_missing_secret_means_not_sent(
    sqlite_url: str, config: HandoffConfig, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit_handoff(make_request(), sqlite_url, config)
    monkeypatch.delenv(SECRET_ENV)
    stats = deliver_pending(
        session_factory(sqlite_url), now=datetime(2026, 11, 26, 10, 1), policy=POLICY, config=config
    )
    assert stats.failed == 1 and receiver.received == []
    assert SECRET_ENV in outbox(sqlite_url).last_error


def test_a_claimed_message_is_not_claimed_twice(sqlite_url: str, config: HandoffConfig) -> None:
    submit_handoff(make_request(), sqlite_url, config)
    now = datetime(2026, 11, 26, 10, 1)
    factory = session_factory(sqlite_url)
    assert len(_claim_due(factory, now, POLICY, 10)) == 1
    assert _claim_due(factory, now, POLICY, 10) == []  # a second notifier finds it leased
    assert len(_claim_due(factory, now + timedelta(seconds=POLICY.lease_s), POLICY, 10)) == 1


def _env(url: str, config_path: Path, **extra: str) -> Dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "WW_HANDOFF_CONFIG": str(config_path),
        SECRET_ENV: SECRET,
        "PYTHONPATH": str(settings.ROOT),
        **extra,
    }


def _run(args: list, env: Dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=settings.ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


CREATE_AND_DIE = """
import os, signal
from bot.handoff.service import submit_handoff
from tests.handoff.conftest import make_request
receipt = submit_handoff(make_request(submitted_at=None))
print(receipt.reference_code, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # dies after the commit, before anything is sent
"""


def test_a_process_killed_between_commit_and_send_is_delivered_after_restart(
    sqlite_url: str, config_path: Path, receiver: Receiver
) -> None:
    env = _env(sqlite_url, config_path)
    created = _run(["-c", CREATE_AND_DIE], env)
    assert created.returncode == -signal.SIGKILL, created.stderr
    code = created.stdout.strip()
    assert receiver.received == []
    notified = _run(["-m", "bot", "handoff", "notify", "--once"], env)
    assert notified.returncode == 0, notified.stderr
    assert "1 afgeleverd" in notified.stdout
    assert receiver.keys == [code] and receiver.received[0].signature_ok


def test_a_notifier_killed_mid_send_resends_with_the_same_idempotency_key(
    sqlite_url: str, config_path: Path, config: HandoffConfig, receiver: Receiver
) -> None:
    import threading

    code = submit_handoff(make_request(submitted_at=None), sqlite_url, config).reference_code
    receiver.hold = threading.Event()  # the receiver takes the request but does not answer yet
    env = _env(sqlite_url, config_path, WW_HANDOFF_LEASE_S="1")
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "handoff", "notify", "--once"],
        cwd=settings.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert receiver.arrived.wait(30), "the notifier never reached the receiver"
        first.kill()  # killed while waiting for the answer: the message was sent but not marked delivered
        first.wait(10)
    finally:
        receiver.hold.set()
        if first.poll() is None:
            first.kill()
        first.communicate()
    receiver.hold = None
    assert outbox(sqlite_url).delivered_at is None
    time.sleep(1.2)  # the lease of the killed notifier runs out
    again = _run(["-m", "bot", "handoff", "notify", "--once"], env)
    assert again.returncode == 0 and "1 afgeleverd" in again.stdout, again.stdout + again.stderr
    assert receiver.keys == [code, code], "the receiver recognises the repeat by its Idempotency-Key"
    assert json.loads(receiver.received[0].body)["handoff"] == json.loads(receiver.received[1].body)["handoff"]
    assert outbox(sqlite_url).delivered_at is not None


def test_the_shipped_config_points_at_the_demo_receiver(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WW_HANDOFF_DEMO_URL", raising=False)
    shipped = load_config(settings.KNOWLEDGE_DIR / "handoff" / "gemeenten.yml")
    assert shipped.for_gemeente("GM0344").endpoint == "http://127.0.0.1:8080/demo/handoff-receiver"
    monkeypatch.setenv("WW_HANDOFF_DEMO_URL", "http://127.0.0.1:9999/ontvanger")
    shipped = load_config(settings.KNOWLEDGE_DIR / "handoff" / "gemeenten.yml")
    assert shipped.for_gemeente("GM0321").endpoint == "http://127.0.0.1:9999/ontvanger"
