"""JSON API for a gemeente's own systems (docs/openapi.yaml): list and fetch handoffs, change their status.

Authentication is a bearer token per account (`python -m bot portal create-token`), never the session cookie:
so a web page can never make a signed-in consulent's browser call the API (no CSRF), and 401 is unambiguous.
The same rules as the pages apply (bot/portal/service.py), and every fetch and change is in the audit log.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from bot.handoff.models import Handoff
from bot.insight import gaps as social_map
from bot.insight import handoffs as quality
from bot.insight import report as insight
from bot.insight import unanswered
from bot.portal import accounts, service
from bot.portal.models import BEHEERDER, TEAMLEIDER, PortalUser
from bot.web.database import get_db

bp = Blueprint("api", __name__, url_prefix="/api")


def _error(status: int, message: str) -> ResponseReturnValue:
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wegwijzer"'
    return response


@bp.before_request
def authenticate() -> Any:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user: Optional[PortalUser] = None
    if scheme.lower() == "bearer":
        user = accounts.user_for_token(get_db(), token.strip())
    if user is None:
        return _error(401, "niet ingelogd: stuur Authorization: Bearer <token>")
    if request.path.startswith("/api/inzicht"):
        if user.role not in (TEAMLEIDER, BEHEERDER):
            return _error(403, "deze rol ziet geen inzicht")
    elif not service.reads_handoffs(user):
        return _error(403, "deze rol leest geen overdrachten")
    g.api_user = user
    return None


def _token() -> str:
    """Which token was used, for the audit log: the start of its stored hash (a reissued token differs)."""
    return f"token {g.api_user.api_token_hash[:8]}"


def _handoff(code: str) -> Handoff:
    return service.get_handoff(get_db(), g.api_user, code)


@bp.get("/handoffs")
def list_handoffs() -> ResponseReturnValue:
    status = request.args.get("status", "")[:20]
    if status and status not in (*service.STATUSES, "alle"):
        return _error(400, "onbekende status")
    db = get_db()
    handoffs = service.list_handoffs(db, g.api_user, service.Filters(status=status or "alle"))
    # One entry per gemeente, so each gemeente's beheerder sees the read; counts only, no personal data.
    for code in g.api_user.gemeente_codes:
        count = sum(1 for h in handoffs if h.gemeente_code == code)
        service.audit(
            db,
            g.api_user,
            "api_lijst",
            gemeente_code=code,
            detail=f"{_token()}; status {status or 'alle'}; {count} overdrachten",
        )
    db.commit()
    return jsonify(handoffs=[service.list_item(h) for h in handoffs])


@bp.get("/handoffs/<code>")
def get_handoff(code: str) -> ResponseReturnValue:
    db = get_db()
    try:
        handoff = _handoff(code)
    except service.NotFound:
        return _error(404, "niet gevonden")
    service.audit(db, g.api_user, "api_bekijken", handoff, _token())
    db.commit()
    return jsonify(service.document(db, handoff))


@bp.post("/handoffs/<code>/status")
def set_status(code: str) -> ResponseReturnValue:
    db = get_db()
    try:
        handoff = _handoff(code)
    except service.NotFound:
        return _error(404, "niet gevonden")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return _error(400, "verwacht JSON met 'status'")
    fields = {k: body.get(k) or "" for k in ("outcome", "outcome_detail", "contact_method")}
    if not all(isinstance(v, str) for v in fields.values()):
        return _error(400, "outcome, outcome_detail en contact_method zijn tekst")
    try:
        service.set_status(
            db,
            g.api_user,
            handoff,
            body["status"],
            fields["outcome"],
            fields["outcome_detail"],
            fields["contact_method"],
        )
    except service.Forbidden as problem:
        db.rollback()
        return _error(403, str(problem))
    except service.Invalid as problem:
        db.rollback()
        return _error(409, str(problem))
    db.commit()
    return jsonify(service.document(db, handoff))


def _insight_scope() -> Any:
    """(gemeenten, unit, periods) for an insight call, or an error response."""
    user: PortalUser = g.api_user
    gemeenten = insight.own_scope(user.gemeente_codes, request.args.get("gemeente", ""), bool(user.national_insight))
    if gemeenten is None:
        return _error(404, "niet gevonden")
    unit = request.args.get("eenheid", insight.WEEK)
    if unit not in insight.UNITS:
        return _error(400, f"eenheid moet een van {', '.join(insight.UNITS)} zijn")
    return gemeenten, unit, insight.PERIOD_COUNT[unit]


@bp.get("/inzicht/vragen")
def insight_questions() -> ResponseReturnValue:
    """What people ask (#20), the same figures as the portal's page: counts only, small ones as "< 5"."""
    found = _insight_scope()
    if not isinstance(found, tuple):
        return found
    gemeenten, unit, count = found
    return jsonify(insight.as_json(insight.what_people_ask(get_db(), gemeenten, unit, count=count)))


@bp.get("/inzicht/onbeantwoord")
def insight_unanswered() -> ResponseReturnValue:
    """What the assistant could not answer (#20): anonymised questions in groups of similar ones, with counts."""
    found = _insight_scope()
    if not isinstance(found, tuple):
        return found
    gemeenten = found[0]
    return jsonify(unanswered.as_json(unanswered.groups(get_db(), gemeenten), gemeenten))


@bp.get("/inzicht/overdrachten")
def insight_handoffs() -> ResponseReturnValue:
    """Warm handoff quality (#20): handoffs, first contact, the promise kept, outcomes, overdue now."""
    found = _insight_scope()
    if not isinstance(found, tuple):
        return found
    gemeenten, unit, count = found
    return jsonify(quality.as_json(quality.quality(get_db(), gemeenten, unit, count=count)))


@bp.get("/inzicht/sociale-kaart")
def insight_gaps() -> ResponseReturnValue:
    """Social-map gaps (#20): per theme the searches that found nothing nearby, per month, beside the map's services."""
    found = _insight_scope()
    if not isinstance(found, tuple):
        return found
    gemeenten, _unit, _count = found  # per month whatever was asked: the map counts per month
    return jsonify(social_map.as_json(social_map.gaps(get_db(), gemeenten)))
