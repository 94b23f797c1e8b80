"""Create a handoff and answer questions about it: the functions a thin Rasa action (and the portal) calls."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.common import privacy, regions, settings
from bot.common.clock import to_db_time, utc_now
from bot.common.db import session_scope
from bot.common.gemeente_contact import with_number
from bot.handoff import codes, texts, timeframe
from bot.handoff import transcript as transcripts
from bot.handoff.config import GemeenteConfig, HandoffConfig, effective_config
from bot.handoff.contact import GEEN_VOORKEUR, validate_contact, validate_phone
from bot.handoff.models import (
    CLOSED,
    EVENT_CREATED,
    FINISHED,
    NEW,
    STATUSES,
    WITHDRAWN,
    Handoff,
    HandoffOutbox,
    HandoffStatusChange,
)
from bot.handoff.summary import build_summary

ASSISTANT = "assistent"
NO_ENDPOINT = "geen webhook ingesteld voor deze gemeente: oppakken in het portaal"
MAX_ALIAS = 100
LOG = logging.getLogger(__name__)
MAX_FIELD = 4000
# After a lost connection at COMMIT: seconds to wait before each look for the handoff (the database restarting).
STORED_CHECK_WAITS = (0.0, 1.0, 2.0, 3.0)


@dataclass
class HandoffRequest:
    """Everything the conversation gathered, as plain values from the tracker's slots and events."""

    gemeente_code: str  # CBS code GMxxxx
    consent_text: str  # the exact words the person said yes to
    consent_at: datetime  # when they said yes (aware, or naive UTC)
    contact_channel: str  # telefoon | e-mail | chat of beeldbellen (or words the person used)
    phone: Optional[str] = None
    email: Optional[str] = None
    preferred_time: str = GEEN_VOORKEUR
    alias: Optional[str] = None
    reason: str = ""  # why a person is needed, e.g. "vraagt zelf om een medewerker"
    question: str = ""  # the question in the person's own words
    answers: Dict[str, Any] = field(default_factory=dict)  # see summary.build_summary
    articles_shown: List[Any] = field(default_factory=list)  # article ids, or {"id", "title"}
    topics: List[str] = field(default_factory=list)
    intents: List[str] = field(default_factory=list)
    transcript: List[Dict[str, Any]] = field(default_factory=list)  # {who: bot|person, text, time}
    submitted_at: Optional[datetime] = None  # default: now


@dataclass(frozen=True)
class HandoffReceipt:
    """What the person is told: their code, by when they hear back, and what they can do meanwhile."""

    reference_code: str
    gemeente_code: str
    gemeente_name: str
    respond_by: date
    deadline_sentence: str
    office_notice: Optional[str]  # only when the office is closed right now
    contact_route: str
    delivery: str  # "webhook" (sent by the notifier) | "portaal" (no webhook: waits in the portal)

    def messages(self) -> List[str]:
        """The messages for the person, in order, one per chat bubble."""
        lines = [
            texts.text("received", gemeente=self.gemeente_name),
            texts.text("reference_code", code=self.reference_code),
            self.deadline_sentence,
        ]
        if self.office_notice:
            lines.append(self.office_notice)
        lines.append(texts.text("contact_route", route=self.contact_route))
        return lines


@dataclass(frozen=True)
class _Private:
    """The privacy boundary of a handoff (#19): every free text of a request passes here once, on the way in —
    BSN, IBAN, addresses, postcodes and dates scrubbed (bot/common/privacy.py), the person's own phone number and
    e-mail address masked where they typed them, and cut to length. The transcript has the same boundary in
    transcript.clean. The summary and the stored record trust what they get; on the way out, `as_document`
    (webhook, API) and the portal's page read the free text through `_checked`."""

    phone: Optional[str]
    email: Optional[str]

    def text(self, value: Any, limit: int = MAX_FIELD) -> str:
        scrubbed = privacy.scrub(str(value or "").strip())
        return privacy.mask_known_contact(scrubbed, self.phone, self.email)[:limit]

    def deep(self, value: Any) -> Any:
        """Every string inside dicts and lists, the same way."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {str(k): self.deep(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.deep(v) for v in value]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and privacy.scrub(str(value)) != str(value):
            return self.text(value)  # a number that is a BSN or the like becomes its marker
        return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _code_exists(session: Session, code: str) -> bool:
    return session.execute(select(Handoff.id).where(Handoff.reference_code == code)).first() is not None


def create_handoff(session: Session, request: HandoffRequest, config: Optional[HandoffConfig] = None) -> HandoffReceipt:
    """Store the handoff, its first status and its outbox message in `session`'s transaction: all or nothing.

    The caller commits (use `submit_handoff` to have it done). Raises contact.InvalidContact for unusable
    contact details and ValueError for a missing consent or an unknown gemeente. Whether anyone reads a
    handoff for the gemeente is asked before: bot/portal/accounts.py, reads_handoffs.
    """
    gemeente = regions.get_gemeente(request.gemeente_code)
    if gemeente is None:
        raise ValueError(f"onbekende gemeentecode: {request.gemeente_code!r}")
    if not (request.consent_text or "").strip() or request.consent_at is None:
        raise ValueError("zonder toestemming (tekst en tijdstip) wordt niets doorgegeven")
    contact = validate_contact(request.contact_channel, request.phone, request.email, request.preferred_time)
    gemeente_config = (config or effective_config(session)).for_gemeente(gemeente.code)
    submitted = request.submitted_at or utc_now()
    created = to_db_time(submitted)
    respond_by = timeframe.respond_by(submitted, gemeente_config)
    phone = contact.phone.e164 if contact.phone else None
    private = _Private(phone, contact.email)
    turns = transcripts.clean(request.transcript, phone, contact.email)
    reason = private.text(request.reason)

    handoff = Handoff(
        reference_code=codes.unique_code(lambda code: _code_exists(session, code)),
        gemeente_code=gemeente.code,
        status=NEW,
        consent_text=private.text(request.consent_text),
        consent_at=to_db_time(request.consent_at),
        contact_channel=contact.channel,
        phone=phone,
        email=contact.email,
        preferred_time=contact.preferred_time,
        alias=private.text(request.alias, MAX_ALIAS) or None,
        reason=reason,
        topics=_json([private.text(t, 100) for t in request.topics]),
        intents=_json([private.text(i, 100) for i in request.intents]),
        summary=_json(
            build_summary(
                private.text(request.question),
                private.deep(request.answers or {}),
                private.deep(list(request.articles_shown)),
                reason,
                gemeente.code,
                unanswered=transcripts.unanswered(turns),
            )
        ),
        transcript=_json(turns),
        created_at=created,
        respond_by=respond_by,
        retention_until=created + timedelta(days=settings.HANDOFF_RETENTION_DAYS),
    )
    session.add(handoff)
    handoff.history.append(HandoffStatusChange(from_status=None, to_status=NEW, at=created, by=ASSISTANT))
    handoff.outbox.append(_outbox_message(handoff, gemeente_config, created))
    session.flush()
    return _receipt(handoff, gemeente_config, submitted)


def _receipt(handoff: Handoff, config: GemeenteConfig, submitted: datetime) -> HandoffReceipt:
    return HandoffReceipt(
        reference_code=handoff.reference_code,
        gemeente_code=handoff.gemeente_code,
        gemeente_name=config.name,
        respond_by=handoff.respond_by,
        deadline_sentence=timeframe.deadline_sentence(handoff.respond_by, submitted),
        office_notice=timeframe.office_notice(submitted, config),
        contact_route=with_number(config.contact_route, handoff.gemeente_code),
        delivery="webhook" if config.endpoint else "portaal",
    )


def _outbox_message(handoff: Handoff, config: GemeenteConfig, now: datetime) -> HandoffOutbox:
    # No personal data here: the notifier builds the body from the handoff row when it sends.
    payload = {"event": EVENT_CREATED, "reference_code": handoff.reference_code, "gemeente_code": handoff.gemeente_code}
    return HandoffOutbox(
        event=EVENT_CREATED,
        payload=_json(payload),
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        flagged=config.endpoint is None,
        last_error=None if config.endpoint else NO_ENDPOINT,
    )


def submit_handoff(
    request: HandoffRequest, url: Optional[str] = None, config: Optional[HandoffConfig] = None
) -> HandoffReceipt:
    """`create_handoff` in its own transaction, committed before the receipt is returned.

    A code taken at the same moment by another process makes the commit fail; then it tries once more.
    """
    for attempt in (1, 2):
        receipt: Optional[HandoffReceipt] = None
        try:
            with session_scope(url) as session:
                receipt = create_handoff(session, request, config)
            return receipt  # noqa: RET504 (returned after the commit of session_scope, not before)
        except IntegrityError:
            if attempt == 2:
                raise
        except DBAPIError:
            # The connection can drop after COMMIT reached the database: then the handoff is stored whole, and
            # the person must get their code, not "niets bewaard". So look it up before saying it failed.
            if receipt is not None and _stored_after_all(url, receipt.reference_code):
                return receipt
            raise
    raise AssertionError("unreachable")


def _stored_after_all(url: Optional[str], code: str) -> bool:
    """Whether the handoff with `code` is in the database; asked a few times while the database comes back."""
    for wait in STORED_CHECK_WAITS:
        time.sleep(wait)
        try:
            with session_scope(url) as session:
                return _code_exists(session, code)
        except DBAPIError:
            continue
    return False


def find_handoff(session: Session, text: str) -> Optional[Handoff]:
    """The handoff for a code as the person typed it; None when malformed, wrong check character or unknown."""
    if not codes.is_valid_code(text):
        return None
    code = codes.normalise_code(text)
    return session.execute(select(Handoff).where(Handoff.reference_code == code)).scalar_one_or_none()


def status_label(status: str) -> str:
    """The Dutch label: nieuw, in behandeling, er is contact geweest, afgesloten."""
    return str(texts.entry(f"status.{status}"))


def status_of(session: Session, code: str) -> Optional[str]:
    """The status of the handoff with `code` as a Dutch label, or None. Nothing else about it is revealed."""
    handoff = find_handoff(session, code)
    return status_label(handoff.status) if handoff else None


def status_message(session: Session, code: str, today: Optional[date] = None) -> str:
    """For the code the person gave: what its status means and what happens next; or help when it is mistyped
    or unknown. Nothing else about the handoff is revealed."""
    if not codes.is_valid_code(code):
        return texts.text("status_malformed", code=code.upper())
    normalised = codes.normalise_code(code)
    handoff = find_handoff(session, code)
    if handoff is None:
        return texts.text("status_unknown", code=normalised)
    day = timeframe.format_day(handoff.respond_by, today or timeframe.local(utc_now()).date())
    return texts.text(f"status_meaning.{handoff.status}", code=normalised, datum=day)


def change_status(session: Session, code: str, new_status: str, by: str, now: Optional[datetime] = None) -> Handoff:
    """Move a handoff to `new_status` with a history row; closing it starts the retention period."""
    if new_status not in STATUSES:
        raise ValueError(f"onbekende status {new_status!r}; kies uit {', '.join(STATUSES)}")
    handoff = find_handoff(session, code)
    if handoff is None:
        raise LookupError(f"geen overdracht met code {code!r}")
    at = to_db_time(now or utc_now())
    if handoff.status == new_status:
        return handoff
    handoff.history.append(HandoffStatusChange(from_status=handoff.status, to_status=new_status, at=at, by=by))
    handoff.status = new_status
    if new_status == CLOSED:
        handoff.closed_at = at
        handoff.retention_until = at + timedelta(days=settings.HANDOFF_RETENTION_DAYS)
    else:
        handoff.closed_at = None
        handoff.retention_until = max(handoff.retention_until, at + timedelta(days=settings.HANDOFF_RETENTION_DAYS))
    session.flush()
    return handoff


WITHDRAWN_BY = "de persoon"


def withdraw(session: Session, code: str, now: Optional[datetime] = None) -> Optional[Handoff]:
    """The person takes their handoff back with its code: the status becomes "ingetrokken door de persoon", the
    contact details are erased, an undelivered webhook message is not sent any more, and the retention period
    starts. None for an unknown code; a finished handoff is returned unchanged."""
    handoff = find_handoff(session, code)
    if handoff is None or handoff.status in FINISHED:
        return handoff
    at = to_db_time(now or utc_now())
    handoff.history.append(HandoffStatusChange(from_status=handoff.status, to_status=WITHDRAWN, at=at, by=WITHDRAWN_BY))
    handoff.status, handoff.closed_at = WITHDRAWN, at
    handoff.retention_until = at + timedelta(days=settings.HANDOFF_RETENTION_DAYS)
    handoff.phone = handoff.email = handoff.alias = None  # the summary has channel and moment only, no number
    for message in list(handoff.outbox):
        if message.delivered_at is None:
            handoff.outbox.remove(message)
    session.flush()
    return handoff


def requeue(session: Session, code: str, now: Optional[datetime] = None) -> int:
    """Try a flagged message again from now (after fixing an endpoint or secret); returns how many."""
    handoff = find_handoff(session, code)
    if handoff is None:
        raise LookupError(f"geen overdracht met code {code!r}")
    count = 0
    for message in handoff.outbox:
        if message.delivered_at is None and message.flagged:
            message.flagged, message.attempts = False, 0
            message.next_attempt_at = to_db_time(now or utc_now())
            count += 1
    session.flush()
    return count


def as_document(handoff: Handoff, config: GemeenteConfig) -> Dict[str, Any]:
    """The handoff as the gemeente receives it (webhook body) and the portal shows it."""
    return {
        "reference_code": handoff.reference_code,
        "gemeente": {"code": handoff.gemeente_code, "name": config.name},
        "status": handoff.status,
        "created_at": _iso(handoff.created_at),
        "respond_by": handoff.respond_by.isoformat(),
        "reason": _checked(handoff.reason, handoff.reference_code),
        "consent": {"text": handoff.consent_text, "at": _iso(handoff.consent_at)},
        "contact": {
            "channel": handoff.contact_channel,
            "phone": handoff.phone,
            "phone_national": _national(handoff.phone),
            "email": handoff.email,
            "preferred_time": handoff.preferred_time,
            "alias": _checked(handoff.alias, handoff.reference_code),
        },
        "summary": checked_summary(handoff),
        "topics": json.loads(handoff.topics),
        "intents": json.loads(handoff.intents),
        "transcript": transcripts.as_plain_words(checked_transcript(handoff)),
    }


def checked_summary(handoff: Handoff) -> Dict[str, Any]:
    """The stored summary, checked on the way out (the webhook, the API and the portal's page all read it here)."""
    return dict(_checked(json.loads(handoff.summary), handoff.reference_code))


def checked_transcript(handoff: Handoff) -> List[Dict[str, Any]]:
    """The stored conversation, its texts checked on the way out (times are not free text)."""
    turns = json.loads(handoff.transcript)
    return [{**turn, "text": _checked(turn.get("text"), handoff.reference_code)} for turn in turns]


def _checked(value: Any, code: str) -> Any:
    """The check on the way out: free text that still holds something the boundary removes (a record stored before
    a pattern was added) is scrubbed now, and logged by code only."""
    if isinstance(value, str):
        cleaned = privacy.scrub(value)
        if cleaned != value:
            LOG.warning("overdracht %s: tekst met een nummer of adres op weg naar buiten; nu verwijderd", code)
        return cleaned
    if isinstance(value, Mapping):
        return {k: _checked(v, code) for k, v in value.items()}
    if isinstance(value, list):
        return [_checked(v, code) for v in value]
    return value  # None, numbers


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds") if moment else None


def _national(phone: Optional[str]) -> Optional[str]:
    return validate_phone(phone).national if phone else None
