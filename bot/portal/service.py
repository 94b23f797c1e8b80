"""What a portal user may see and do with handoffs; every view and every change is written to the audit log.

Used by the pages (bot/web/portal/views.py) and the JSON API (bot/web/portal/api.py) alike, so both obey the same rules:
- nobody sees a handoff of a gemeente that is not theirs (treated as not existing: 404);
- consulenten and teamleiders read handoffs of their gemeenten; a consulent changes only unassigned handoffs
  or their own; a teamleider changes all of them and reassigns;
- beheerders manage accounts and read the audit log, but do not read handoffs (they need no personal data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.common import settings
from bot.common.clock import to_db_time, today, utc_now
from bot.handoff import codes
from bot.handoff.config import load_config
from bot.handoff.models import CLOSED, CONTACT_MADE, NEW, PICKED_UP, STATUSES, WITHDRAWN, Handoff
from bot.handoff.service import as_document, change_status, status_label
from bot.portal.models import BEHEERDER, CONSULENT, TEAMLEIDER, AuditEntry, HandoffNote, HandoffWork, PortalUser

OUTCOMES = {
    "geholpen": "geholpen",
    "doorverwezen": "doorverwezen naar …",
    "geen_contact": "geen contact mogelijk",
    "teruggetrokken": "persoon trok zich terug",
}
CONTACT_METHODS = {
    "telefoon": "telefoon",
    "e-mail": "e-mail",
    "chat": "chat of beeldbellen",
    "persoonlijk": "persoonlijk gesprek",
    "anders": "anders",
}
MAX_NOTE = 4000
MAX_DETAIL = 300
AGE_FILTERS = {"1": 1, "3": 3, "7": 7, "30": 30}  # "older than N days"
# The audit action of a changed webhook address (bot/portal/handoff_settings.py); shown to the gemeente's team.
WEBHOOK_CHANGED = "webhook_wijzigen"
WEBHOOK_NOTICE_DAYS = 14


class NotFound(LookupError):
    """No such handoff for this user (also when it belongs to another gemeente)."""


class Forbidden(PermissionError):
    """The user may see this but not do this."""


class Invalid(ValueError):
    """The request cannot be done as asked; the message is plain Dutch."""


def audit(
    session: Session,
    user: PortalUser,
    action: str,
    handoff: Optional[Handoff] = None,
    detail: Optional[str] = None,
    gemeente_code: Optional[str] = None,
) -> None:
    session.add(
        AuditEntry(
            at=to_db_time(utc_now()),
            username=user.username,
            action=action,
            reference_code=handoff.reference_code if handoff else None,
            gemeente_code=handoff.gemeente_code if handoff else gemeente_code,
            detail=detail,
        )
    )


def reads_handoffs(user: PortalUser) -> bool:
    return user.role in (CONSULENT, TEAMLEIDER)


def require_reader(user: PortalUser) -> None:
    if not reads_handoffs(user):
        raise Forbidden("deze rol leest geen overdrachten")


def get_handoff(session: Session, user: PortalUser, code: str) -> Handoff:
    """The handoff with `code` when it is in one of the user's gemeenten; NotFound otherwise."""
    require_reader(user)
    if not codes.is_valid_code(code or ""):
        raise NotFound(code)
    handoff = session.execute(
        select(Handoff).where(
            Handoff.reference_code == codes.normalise_code(code), Handoff.gemeente_code.in_(user.gemeente_codes)
        )
    ).scalar_one_or_none()
    if handoff is None:
        raise NotFound(code)
    return handoff


def work_of(session: Session, handoff: Handoff) -> HandoffWork:
    work = session.get(HandoffWork, handoff.id)
    if work is None:
        work = HandoffWork(handoff_id=handoff.id)
        session.add(work)
    return work


def may_change(user: PortalUser, work: HandoffWork) -> bool:
    if user.role == TEAMLEIDER:
        return True
    return user.role == CONSULENT and work.assigned_to in (None, user.username)


@dataclass
class Filters:
    status: str = ""
    topic: str = ""
    older_than: str = ""
    code: str = ""
    mine: bool = False


def list_handoffs(session: Session, user: PortalUser, filters: Filters) -> List[Handoff]:
    """The user's gemeenten' handoffs matching `filters`, oldest first. Filter values are bound, never pasted."""
    require_reader(user)
    query = select(Handoff).where(Handoff.gemeente_code.in_(user.gemeente_codes))
    if filters.status in STATUSES:
        query = query.where(Handoff.status == filters.status)
    elif filters.status != "alle":
        query = query.where(Handoff.status != CLOSED)
    if filters.older_than in AGE_FILTERS:
        cutoff = to_db_time(utc_now()) - timedelta(days=AGE_FILTERS[filters.older_than])
        query = query.where(Handoff.created_at <= cutoff)
    code = (filters.code or "").strip().upper()
    if code:
        query = query.where(Handoff.reference_code.contains(code, autoescape=True))
    handoffs = session.execute(query.order_by(Handoff.created_at, Handoff.id)).scalars().all()
    if filters.topic:
        handoffs = [h for h in handoffs if filters.topic in topics_of(h)]
    if filters.mine:
        handoffs = [
            h
            for h in handoffs
            if (session.get(HandoffWork, h.id) or HandoffWork()).assigned_to in (None, user.username)
        ]
    return handoffs


def topics_of(handoff: Handoff) -> List[str]:
    try:
        return [str(t) for t in json.loads(handoff.topics or "[]")]
    except ValueError:
        return []


def deadline_state(handoff: Handoff, on: Optional[date] = None) -> str:
    """ "passed", "near" or "" for an open handoff's promised date; closed handoffs have none."""
    if handoff.status in (CLOSED, CONTACT_MADE, WITHDRAWN):
        return ""
    on = on or today()
    if on > handoff.respond_by:
        return "passed"
    if (handoff.respond_by - on).days <= settings.WEB_DEADLINE_WARNING_DAYS:
        return "near"
    return ""


def delivery_problem(handoff: Handoff) -> Optional[str]:
    """Why the gemeente's own system did not get this handoff (no webhook, or it kept failing); None when it did."""
    for message in handoff.outbox:
        if message.delivered_at is None and message.flagged:
            return message.last_error or "niet afgeleverd"
    return None


def _change(session: Session, user: PortalUser, handoff: Handoff, status: str) -> None:
    change_status(session, handoff.reference_code, status, by=user.username)


def changeable(session: Session, user: PortalUser, handoff: Handoff) -> HandoffWork:
    """The handoff's work record when `user` may change it now; Forbidden or Invalid (in plain Dutch) otherwise."""
    work = work_of(session, handoff)
    if not may_change(user, work):
        raise Forbidden("deze overdracht is van een collega; vraag de teamleider om hem toe te wijzen")
    if handoff.status == CLOSED:
        raise Invalid("deze overdracht is al afgesloten")
    if handoff.status == WITHDRAWN:
        raise Invalid("deze overdracht is ingetrokken door de persoon; er is geen contact meer nodig")
    return work


def pick_up(session: Session, user: PortalUser, handoff: Handoff) -> None:
    work = changeable(session, user, handoff)
    if handoff.status != NEW:
        raise Invalid("deze overdracht is al opgepakt")
    work.assigned_to, work.assigned_at = user.username, to_db_time(utc_now())
    _change(session, user, handoff, PICKED_UP)
    audit(session, user, "oppakken", handoff, status_label(PICKED_UP))


def record_contact(session: Session, user: PortalUser, handoff: Handoff, method: str) -> None:
    work = changeable(session, user, handoff)
    if method not in CONTACT_METHODS:
        raise Invalid("kies hoe er contact is geweest")
    if work.assigned_to is None:
        work.assigned_to, work.assigned_at = user.username, to_db_time(utc_now())
    work.contact_method, work.contact_at = method, to_db_time(utc_now())
    _change(session, user, handoff, CONTACT_MADE)
    audit(session, user, "contact_vastgelegd", handoff, CONTACT_METHODS[method])


def check_close(outcome: str, detail: str = "") -> str:
    """The outcome's toelichting, tidied, when `outcome` can close a handoff; Invalid otherwise. Asked before the
    confirmation too, so a missing choice is said at once."""
    detail = " ".join((detail or "").split())[:MAX_DETAIL]
    if outcome not in OUTCOMES:
        raise Invalid("kies een uitkomst")
    if outcome == "doorverwezen" and not detail:
        raise Invalid("schrijf op naar wie de persoon is doorverwezen")
    return detail


def close(session: Session, user: PortalUser, handoff: Handoff, outcome: str, detail: str = "") -> None:
    work = changeable(session, user, handoff)
    detail = check_close(outcome, detail)
    work.outcome, work.outcome_detail = outcome, detail or None
    if work.assigned_to is None:
        work.assigned_to, work.assigned_at = user.username, to_db_time(utc_now())
    _change(session, user, handoff, CLOSED)
    audit(session, user, "afsluiten", handoff, OUTCOMES[outcome].replace(" …", ""))


def add_note(session: Session, user: PortalUser, handoff: Handoff, text: str) -> HandoffNote:
    require_reader(user)
    text = (text or "").strip()
    if not text:
        raise Invalid("een notitie is leeg")
    if len(text) > MAX_NOTE:
        raise Invalid(f"een notitie heeft hoogstens {MAX_NOTE} tekens")
    note = HandoffNote(handoff_id=handoff.id, at=to_db_time(utc_now()), by=user.username, text=text)
    session.add(note)
    audit(session, user, "notitie", handoff)
    session.flush()
    return note


def reassign(session: Session, user: PortalUser, handoff: Handoff, username: str) -> None:
    if user.role != TEAMLEIDER:
        raise Forbidden("alleen een teamleider wijst overdrachten toe")
    colleague = session.execute(
        select(PortalUser).where(PortalUser.username == (username or "").strip().lower())
    ).scalar_one_or_none()
    if (
        colleague is None
        or colleague.role not in (CONSULENT, TEAMLEIDER)
        or handoff.gemeente_code not in colleague.gemeente_codes
    ):
        raise Invalid("kies een collega van deze gemeente")
    work = work_of(session, handoff)
    work.assigned_to, work.assigned_at = colleague.username, to_db_time(utc_now())
    if handoff.status == NEW:
        _change(session, user, handoff, PICKED_UP)
    audit(session, user, "toewijzen", handoff, colleague.username)


def colleagues(session: Session, handoff: Handoff) -> List[str]:
    users = (
        session.execute(
            select(PortalUser)
            .where(PortalUser.role.in_((CONSULENT, TEAMLEIDER)), PortalUser.active.is_(True))
            .order_by(PortalUser.username)
        )
        .scalars()
        .all()
    )
    return [u.username for u in users if handoff.gemeente_code in u.gemeente_codes]


def notes_of(session: Session, handoff: Handoff) -> List[HandoffNote]:
    return (
        session.execute(
            select(HandoffNote).where(HandoffNote.handoff_id == handoff.id).order_by(HandoffNote.at, HandoffNote.id)
        )
        .scalars()
        .all()
    )


def set_status(
    session: Session,
    user: PortalUser,
    handoff: Handoff,
    status: str,
    outcome: str = "",
    detail: str = "",
    contact_method: str = "",
) -> None:
    """One entry point for the API: the same actions as the buttons on the page."""
    if status == PICKED_UP:
        pick_up(session, user, handoff)
    elif status == CONTACT_MADE:
        record_contact(session, user, handoff, contact_method)
    elif status == CLOSED:
        close(session, user, handoff, outcome, detail)
    else:
        raise Invalid(f"een overdracht kan niet terug naar {status!r}")


def document(session: Session, handoff: Handoff) -> Dict[str, Any]:
    """The handoff as the API returns it: the webhook document plus the portal's own facts."""
    doc = as_document(handoff, load_config().for_gemeente(handoff.gemeente_code))
    work = session.get(HandoffWork, handoff.id) or HandoffWork()
    doc["portal"] = {
        "assigned_to": work.assigned_to,
        "contact_method": work.contact_method,
        "outcome": work.outcome,
        "outcome_detail": work.outcome_detail,
        "retention_until": _iso(handoff.retention_until),
        "notes": [{"at": _iso(n.at), "by": n.by, "text": n.text} for n in notes_of(session, handoff)],
        "history": [{"from": c.from_status, "to": c.to_status, "at": _iso(c.at), "by": c.by} for c in handoff.history],
    }
    return doc


def list_item(handoff: Handoff) -> Dict[str, Any]:
    return {
        "reference_code": handoff.reference_code,
        "gemeente_code": handoff.gemeente_code,
        "status": handoff.status,
        "created_at": _iso(handoff.created_at),
        "respond_by": handoff.respond_by.isoformat(),
        "topics": topics_of(handoff),
        "deadline": deadline_state(handoff) or None,
    }


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def audit_entries(session: Session, user: PortalUser, limit: Optional[int] = 500) -> Sequence[AuditEntry]:
    """The audit log of the beheerder's gemeenten, and account actions by them, newest first."""
    if user.role != BEHEERDER:
        raise Forbidden("alleen beheerders lezen het auditlog")
    query = (
        select(AuditEntry)
        .where(AuditEntry.gemeente_code.in_(user.gemeente_codes))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return session.execute(query).scalars().all()


def webhook_notices(session: Session, user: PortalUser) -> Sequence[AuditEntry]:
    """Changes of a webhook address of the user's gemeenten in the last WEBHOOK_NOTICE_DAYS days, newest first,
    for every beheerder and teamleider: where the handoffs go is changed by one beheerder, so the team sees it
    and can object (the choice instead of a second beheerder's approval: many gemeenten have only one)."""
    if user.role not in (BEHEERDER, TEAMLEIDER):
        return []
    since = to_db_time(utc_now()) - timedelta(days=WEBHOOK_NOTICE_DAYS)
    return (
        session.execute(
            select(AuditEntry)
            .where(
                AuditEntry.action == WEBHOOK_CHANGED,
                AuditEntry.at >= since,
                AuditEntry.gemeente_code.in_(user.gemeente_codes),
            )
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(10)
        )
        .scalars()
        .all()
    )
