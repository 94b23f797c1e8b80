"""Send due outbox messages to the gemeenten' webhooks: signed, retried with backoff, flagged when it keeps failing.

Crash-safe by design: a message is marked delivered only after a 2xx answer, so a notifier that dies mid-send
simply sends it again later; the receiver recognises the repeat by its Idempotency-Key (the reference code),
which the signature covers, so a captured delivery cannot be passed off as a new one under another key.
It connects only to public addresses over https (bot/handoff/endpoints.py), checked at the moment it connects.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Callable, ContextManager, List, Optional

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.common import settings
from bot.common.clock import to_db_time, utc_now
from bot.common.db import session_scope
from bot.handoff.config import HandoffConfig, effective_config
from bot.handoff.endpoints import UnsafeEndpoint, guarded_session
from bot.handoff.models import Handoff, HandoffOutbox
from bot.handoff.service import NO_ENDPOINT, as_document

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Wegwijzer-Timestamp"
SIGNATURE_HEADER = "X-Wegwijzer-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_HEADER = "X-Wegwijzer-Event"
MAX_ERROR = 500

SessionFactory = Callable[[], ContextManager[Session]]


@dataclass(frozen=True)
class DeliveryPolicy:
    base_delay_s: int
    max_delay_s: int
    max_attempts: int
    timeout_s: int
    lease_s: int

    @classmethod
    def from_settings(cls) -> "DeliveryPolicy":
        return cls(
            settings.HANDOFF_RETRY_BASE_SECONDS,
            settings.HANDOFF_RETRY_MAX_SECONDS,
            settings.HANDOFF_MAX_ATTEMPTS,
            settings.HANDOFF_HTTP_TIMEOUT_SECONDS,
            settings.HANDOFF_LEASE_SECONDS,
        )

    def delay(self, attempts: int, retry_after_s: Optional[float] = None) -> float:
        """Exponential backoff after `attempts` failures, never shorter than the receiver's Retry-After."""
        backoff = self.base_delay_s * 2 ** max(attempts - 1, 0)
        return min(max(backoff, retry_after_s or 0), self.max_delay_s)


@dataclass
class DeliveryStats:
    delivered: int = 0
    failed: int = 0  # will be tried again
    flagged: int = 0  # given up: for the portal

    def __str__(self) -> str:
        return f"{self.delivered} afgeleverd, {self.failed} mislukt (volgt opnieuw), {self.flagged} gemarkeerd"


@dataclass(frozen=True)
class _Outcome:
    code: str
    delivered: bool
    error: Optional[str] = None
    retry_after_s: Optional[float] = None
    give_up: bool = False  # retrying cannot help (no endpoint any more)


def signed_bytes(timestamp: str, idempotency_key: str, body: bytes) -> bytes:
    """What the signature covers: `timestamp + "." + Idempotency-Key + "." + body` (UTF-8)."""
    return f"{timestamp}.{idempotency_key}.".encode("utf-8") + body


def sign(secret: str, timestamp: str, idempotency_key: str, body: bytes) -> str:
    """ "sha256=<hex>" of HMAC-SHA256 over `signed_bytes`: the time, the Idempotency-Key and the body."""
    digest = hmac.new(secret.encode("utf-8"), signed_bytes(timestamp, idempotency_key, body), hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    idempotency_key: str,
    body: bytes,
    header: str,
    tolerance_s: Optional[int] = None,
    now: Optional[float] = None,
) -> bool:
    """For receivers: True when `header` signs `body` and `idempotency_key` at `timestamp` with `secret`, and the
    time is recent. Any text is taken, non-ASCII included (a wrong header is False, never an error)."""
    tolerance = settings.HANDOFF_SIGNATURE_TOLERANCE_SECONDS if tolerance_s is None else tolerance_s
    timestamp = (timestamp or "").strip()
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False  # an old message replayed, or a clock far off
    if not secret or not header or not idempotency_key:
        return False
    expected = sign(secret, timestamp, idempotency_key, body).encode("ascii")
    # Bytes on both sides: hmac.compare_digest raises TypeError on a str with non-ASCII characters.
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "surrogateescape"))


def deliver_pending(
    session_factory: SessionFactory,
    now: Optional[datetime] = None,
    policy: Optional[DeliveryPolicy] = None,
    config: Optional[HandoffConfig] = None,
    limit: int = 100,
) -> DeliveryStats:
    """Send every due message once. `now` is the scheduling clock (signatures always use the real time)."""
    now = to_db_time(now or utc_now())
    policy = policy or DeliveryPolicy.from_settings()
    if config is None:
        with session_factory() as session:
            config = effective_config(session)  # the file with the portal's changes (endpoint, secret)
    stats = DeliveryStats()
    for message_id in _claim_due(session_factory, now, policy, limit):
        outcome = _send(session_factory, message_id, config, policy)
        if outcome is not None:
            _record(session_factory, message_id, outcome, now, policy, stats)
    return stats


def _claim_due(session_factory: SessionFactory, now: datetime, policy: DeliveryPolicy, limit: int) -> List[int]:
    """Due messages, each claimed for `lease_s` so that a second notifier does not send it at the same time."""
    claimed = []
    with session_factory() as session:
        due = session.execute(
            select(HandoffOutbox.id, HandoffOutbox.next_attempt_at)
            .where(
                HandoffOutbox.delivered_at.is_(None),
                HandoffOutbox.flagged.is_(False),
                HandoffOutbox.next_attempt_at <= now,
            )
            .order_by(HandoffOutbox.next_attempt_at)
            .limit(limit)
        ).all()
        for message_id, planned in due:
            result = session.execute(
                update(HandoffOutbox)
                .where(
                    HandoffOutbox.id == message_id,
                    HandoffOutbox.next_attempt_at == planned,
                    HandoffOutbox.delivered_at.is_(None),
                )
                .values(next_attempt_at=now + timedelta(seconds=policy.lease_s))
            )
            if result.rowcount == 1:
                claimed.append(message_id)
        session.commit()
    return claimed


def _send(
    session_factory: SessionFactory, message_id: int, config: HandoffConfig, policy: DeliveryPolicy
) -> Optional[_Outcome]:
    # Read and close the transaction first: no database lock is held while waiting for the receiver.
    with session_factory() as session:
        message = session.get(HandoffOutbox, message_id)
        if message is None:
            return None  # purged since it was claimed: nothing left to send
        handoff = session.get(Handoff, message.handoff_id)
        gemeente = config.for_gemeente(handoff.gemeente_code)
        code, event = handoff.reference_code, message.event
        body = json.dumps(
            {"event": event, "handoff": as_document(handoff, gemeente)},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode("utf-8")
    if not gemeente.endpoint:
        return _Outcome(code, False, NO_ENDPOINT, give_up=True)
    secret = gemeente.secret()
    if not secret:
        return _Outcome(
            code, False, f"omgevingsvariabele {gemeente.secret_env} is niet gezet: niet ondertekend, dus niet verstuurd"
        )
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, code, body),
        IDEMPOTENCY_HEADER: code,
        EVENT_HEADER: event,
    }
    try:
        # No redirects: signed personal data goes to the configured address or nowhere. The guarded session
        # resolves the name and connects only to a public address it has just checked.
        with guarded_session(gemeente.endpoint) as http:
            response = http.post(
                gemeente.endpoint, data=body, headers=headers, timeout=policy.timeout_s, allow_redirects=False
            )
    except UnsafeEndpoint as error:
        log.warning("overdracht %s niet verstuurd naar %s: %s", code, gemeente.endpoint, error)
        return _Outcome(code, False, f"niet verstuurd: {error}"[:MAX_ERROR], give_up=True)
    except requests.RequestException as error:
        return _Outcome(code, False, f"{type(error).__name__}: {error}"[:MAX_ERROR])
    if 200 <= response.status_code < 300:
        return _Outcome(code, True)
    return _Outcome(
        code,
        False,
        f"HTTP {response.status_code} {response.reason or ''}".strip(),
        retry_after_s=_retry_after(response.headers.get("Retry-After")),
    )


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max((parsedate_to_datetime(value).timestamp() - time.time()), 0.0)
    except (TypeError, ValueError):
        return None


def _record(
    session_factory: SessionFactory,
    message_id: int,
    outcome: _Outcome,
    now: datetime,
    policy: DeliveryPolicy,
    stats: DeliveryStats,
) -> None:
    with session_factory() as session:
        message = session.get(HandoffOutbox, message_id)
        if message is None:
            return
        code = outcome.code
        if outcome.delivered:
            message.delivered_at, message.last_error = to_db_time(utc_now()), None
            stats.delivered += 1
            log.info("overdracht %s afgeleverd", code)
        else:
            message.attempts += 1
            message.last_error = outcome.error
            if outcome.give_up or message.attempts >= policy.max_attempts:
                message.flagged = True
                stats.flagged += 1
                log.warning(
                    "overdracht %s gemarkeerd voor het portaal na %d pogingen: %s",
                    code,
                    message.attempts,
                    outcome.error,
                )
            else:
                delay = policy.delay(message.attempts, outcome.retry_after_s)
                message.next_attempt_at = now + timedelta(seconds=delay)
                stats.failed += 1
                log.info(
                    "overdracht %s mislukt (poging %d), opnieuw over %.0f s: %s",
                    code,
                    message.attempts,
                    delay,
                    outcome.error,
                )
        session.commit()


def run_forever(
    interval: Optional[float] = None,
    session_factory: Optional[SessionFactory] = None,
    stop: Optional[threading.Event] = None,
) -> None:
    """Deliver every `interval` seconds until `stop` is set; an error is logged and the next round tries again."""
    interval = settings.HANDOFF_NOTIFY_INTERVAL_SECONDS if interval is None else interval
    session_factory = session_factory or session_scope
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            stats = deliver_pending(session_factory)
            if stats.delivered or stats.failed or stats.flagged:
                log.info("ronde klaar: %s", stats)
        except Exception:  # a bad config or a database hiccup must not end the loop; it is logged in full
            log.exception("afleveren mislukt; volgende ronde over %s s", interval)
        stop.wait(interval)
