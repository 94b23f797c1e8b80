"""The portal's pages: sign-in, inbox, handoff page with its actions, and the beheerder's accounts, audit log
and the gemeente's handoff settings."""
from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timezone
from typing import Any, Optional

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_user, logout_user

from bot.handoff import transcript as transcripts
from bot.handoff.config import effective_config
from bot.handoff.models import STATUSES
from bot.handoff.service import status_label
from bot.portal import accounts, handoff_settings, service
from bot.portal.auth import SignedIn, role_required, start_session
from bot.portal.models import BEHEERDER, CONSULENT, ROLES, TEAMLEIDER, PortalUser
from bot.web.database import get_db

bp = Blueprint("portal", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/portal")
READERS = (CONSULENT, TEAMLEIDER)
SIGN_IN_FAILED = "Inloggen is niet gelukt. Controleer je gebruikersnaam en wachtwoord, of probeer het later opnieuw."
ROLE_LABELS = {CONSULENT: "consulent", TEAMLEIDER: "teamleider", BEHEERDER: "beheerder"}


@bp.app_template_filter("local")
def local_time(moment: Optional[Any], with_time: bool = True) -> str:
    """A stored naive-UTC time (or an ISO string) as Dutch local time, e.g. 24-11-2026 09:41."""
    if not moment:
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(service.LOCAL)
    return local.strftime("%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y")


@bp.app_context_processor
def labels() -> dict:
    return {"status_label": status_label, "statuses": STATUSES, "outcomes": service.OUTCOMES,
            "contact_methods": service.CONTACT_METHODS, "role_labels": ROLE_LABELS,
            "opening_hours": handoff_settings.opening_hours, "secret_labels": handoff_settings.SECRET_LABELS}


def _user() -> PortalUser:
    return current_user.user


def _fail_slowly() -> None:
    time.sleep(current_app.config["FAILED_LOGIN_DELAY_MS"] / 1000)


@bp.route("/inloggen", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("portal.home"))
    if request.method == "GET":
        return render_template("portal/login.html")
    db = get_db()
    result = accounts.check_password(db, request.form.get("username", "")[:100], request.form.get("password", ""))
    if result.user is None:
        db.commit()
        _fail_slowly()
        flash(SIGN_IN_FAILED, "error")
        return render_template("portal/login.html", username=request.form.get("username", "")[:100]), 200
    if result.needs_second_factor:
        db.commit()
        session.clear()
        session["pending"] = SignedIn(result.user).get_id()
        session["pending_at"] = time.time()
        return redirect(url_for("portal.second_factor"))
    return _finish_sign_in(result.user)


def _finish_sign_in(user: PortalUser):  # type: ignore[no-untyped-def]
    db = get_db()
    accounts.signed_in(db, user)
    service.audit(db, user, "inloggen", gemeente_code=user.gemeente_codes[0])
    db.commit()
    start_session(user)
    login_user(SignedIn(user))
    return redirect(url_for("portal.home"))


@bp.route("/inloggen/code", methods=["GET", "POST"])
def second_factor():  # type: ignore[no-untyped-def]
    from bot.portal.auth import load

    pending = load(session.get("pending", "")) if time.time() - session.get("pending_at", 0) < 300 else None
    if pending is None:
        session.clear()
        return redirect(url_for("portal.login"))
    if request.method == "POST":
        db = get_db()
        if not accounts.is_locked(pending.user) and accounts.check_totp(db, pending.user,
                                                                         request.form.get("code", "")):
            return _finish_sign_in(pending.user)
        # Wrong codes count like wrong passwords: after too many the account is locked and must start again.
        locked = accounts.is_locked(pending.user) or accounts.count_failure(db, pending.user)
        db.commit()
        _fail_slowly()
        if locked:
            session.clear()
            flash(SIGN_IN_FAILED, "error")
            return redirect(url_for("portal.login"))
        flash("Deze code klopt niet. Gebruik de code die je app nu laat zien.", "error")
    return render_template("portal/second_factor.html")


@bp.post("/uitloggen")
def logout():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        db = get_db()
        user = _user()
        accounts.end_sessions(db, user)
        service.audit(db, user, "uitloggen", gemeente_code=user.gemeente_codes[0])
        db.commit()
        logout_user()
    session.clear()
    flash("Je bent uitgelogd.", "info")
    return redirect(url_for("portal.login"))


@bp.get("/")
@role_required(*ROLES)
def home():  # type: ignore[no-untyped-def]
    if current_user.role == BEHEERDER:
        return redirect(url_for("portal.accounts_page"))
    db = get_db()
    args = request.args
    filters = service.Filters(status=args.get("status", "")[:20], topic=args.get("onderwerp", "")[:100],
                              older_than=args.get("ouder", "")[:5], code=args.get("code", "")[:20],
                              mine=args.get("alleen_mijn") == "1")
    handoffs = service.list_handoffs(db, _user(), filters)
    all_topics = sorted({t for h in service.list_handoffs(db, _user(), service.Filters(status="alle"))
                         for t in service.topics_of(h)})
    work = {h.id: db.get(service.HandoffWork, h.id) for h in handoffs}
    return render_template("portal/inbox.html", handoffs=handoffs, filters=filters, topics=all_topics,
                           work=work, deadline=service.deadline_state, topics_of=service.topics_of,
                           age_filters=service.AGE_FILTERS)


def _handoff(code: str):  # type: ignore[no-untyped-def]
    try:
        return service.get_handoff(get_db(), _user(), code)
    except service.NotFound:
        abort(404)


@bp.get("/overdracht/<code>")
@role_required(*READERS)
def handoff_page(code: str):  # type: ignore[no-untyped-def]
    db = get_db()
    handoff = _handoff(code)
    service.audit(db, _user(), "bekijken", handoff)
    db.commit()
    work = db.get(service.HandoffWork, handoff.id) or service.HandoffWork()
    config = effective_config(db).for_gemeente(handoff.gemeente_code)
    return render_template(
        "portal/handoff.html", handoff=handoff, work=work, gemeente=config.name,
        summary=json.loads(handoff.summary), transcript=json.loads(handoff.transcript),
        topics=service.topics_of(handoff), notes=service.notes_of(db, handoff), deadline=service.deadline_state(handoff),
        may_change=service.may_change(_user(), work) and handoff.status != "closed",
        colleagues=service.colleagues(db, handoff) if current_user.role == TEAMLEIDER else [],
        delivery_problem=service.delivery_problem(handoff),
        BOT=transcripts.BOT,
    )


ACTIONS = {
    "oppakken": (lambda db, user, h, form: service.pick_up(db, user, h), "Je hebt deze overdracht opgepakt."),
    "contact": (lambda db, user, h, form: service.record_contact(db, user, h, form.get("method", "")),
                "Het contact is vastgelegd."),
    "notitie": (lambda db, user, h, form: service.add_note(db, user, h, form.get("text", "")),
                "De notitie is opgeslagen."),
    "afsluiten": (lambda db, user, h, form: service.close(db, user, h, form.get("outcome", ""),
                                                          form.get("detail", "")),
                  "De overdracht is afgesloten."),
    "toewijzen": (lambda db, user, h, form: service.reassign(db, user, h, form.get("username", "")),
                  "De overdracht is toegewezen."),
}


@bp.post("/overdracht/<code>/<action>")
@role_required(*READERS)
def handoff_action(code: str, action: str):  # type: ignore[no-untyped-def]
    if action not in ACTIONS:
        abort(404)
    db = get_db()
    handoff = _handoff(code)
    do, done = ACTIONS[action]
    try:
        do(db, _user(), handoff, request.form)
    except service.Forbidden:
        db.rollback()
        abort(403)
    except service.Invalid as problem:
        db.rollback()
        flash(f"Dat lukte niet: {problem}.", "error")
        return redirect(url_for("portal.handoff_page", code=handoff.reference_code))
    db.commit()
    flash(done, "info")
    return redirect(url_for("portal.handoff_page", code=handoff.reference_code))


@bp.route("/beheer/accounts", methods=["GET", "POST"])
@role_required(BEHEERDER)
def accounts_page():  # type: ignore[no-untyped-def]
    db = get_db()
    me = _user()
    new_password = None
    if request.method == "POST":
        gemeenten = [g for g in request.form.getlist("gemeente") if g]
        try:
            if not gemeenten or not set(gemeenten) <= set(me.gemeente_codes):
                raise accounts.AccountError("kies een of meer van jouw gemeenten")
            username = request.form.get("username", "")
            new_password = accounts.create_user(db, username, request.form.get("role", ""), gemeenten)
            service.audit(db, me, "account_aanmaken", detail=username.strip().lower(), gemeente_code=gemeenten[0])
            db.commit()
            flash(f"Account {username.strip().lower()} is aangemaakt.", "info")
        except accounts.AccountError as problem:
            db.rollback()
            flash(f"Dat lukte niet: {problem}.", "error")
    users = [u for u in db.query(PortalUser).order_by(PortalUser.username).all()
             if set(u.gemeente_codes) & set(me.gemeente_codes)]
    return render_template("portal/accounts.html", users=users, new_password=new_password,
                           my_gemeenten=me.gemeente_codes, is_locked=accounts.is_locked)


@bp.post("/beheer/accounts/<username>/ontgrendelen")
@role_required(BEHEERDER)
def unlock(username: str):  # type: ignore[no-untyped-def]
    db = get_db()
    me = _user()
    user = accounts.find_user(db, username)
    if user is None or not set(user.gemeente_codes) & set(me.gemeente_codes):
        abort(404)
    accounts.unlock(db, user.username)
    service.audit(db, me, "ontgrendelen", detail=user.username, gemeente_code=user.gemeente_codes[0])
    db.commit()
    flash(f"Account {user.username} is ontgrendeld.", "info")
    return redirect(url_for("portal.accounts_page"))


@bp.get("/beheer/audit")
@role_required(BEHEERDER)
def audit_page():  # type: ignore[no-untyped-def]
    return render_template("portal/audit.html", entries=service.audit_entries(get_db(), _user()))


@bp.get("/beheer/audit.csv")
@role_required(BEHEERDER)
def audit_csv():  # type: ignore[no-untyped-def]
    entries = service.audit_entries(get_db(), _user(), limit=None)
    return Response(audit_as_csv(entries), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=auditlog.csv"})


def audit_as_csv(entries: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tijd_utc", "gebruiker", "actie", "code", "gemeente", "details"])
    for e in entries:
        writer.writerow([e.at.isoformat(timespec="seconds"), e.username, e.action, e.reference_code or "",
                         e.gemeente_code or "", _no_formula(e.detail or "")])
    return out.getvalue()


def _no_formula(value: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@bp.get("/beheer/instellingen")
@role_required(BEHEERDER)
def settings_page():  # type: ignore[no-untyped-def]
    return render_template("portal/settings.html",
                           gemeenten=handoff_settings.overview(get_db(), _user().gemeente_codes))


def _own_gemeente(code: str) -> str:
    # A beheerder changes only their own gemeenten; another gemeente's settings are not secret, so 403, not 404.
    code = code.strip().upper()
    if code not in _user().gemeente_codes:
        abort(403)
    return code


@bp.route("/beheer/instellingen/<code>", methods=["GET", "POST"])
@role_required(BEHEERDER)
def settings_edit(code: str):  # type: ignore[no-untyped-def]
    db = get_db()
    code = _own_gemeente(code)
    current = handoff_settings.settings_of(db, code)
    if request.method == "GET":
        form = handoff_settings.SettingsForm.from_config(current.effective, current.national)
        return render_template("portal/settings_edit.html", current=current, form=form, errors={})
    form = handoff_settings.SettingsForm.from_request(request.form)
    try:
        changed = handoff_settings.save(db, _user(), code, form)
    except handoff_settings.Problems as problems:
        db.rollback()
        return render_template("portal/settings_edit.html", current=current, form=form,
                               errors=problems.errors), 400
    db.commit()
    flash("De instellingen zijn opgeslagen. Nieuwe overdrachten krijgen ze meteen." if changed
          else "Er is niets veranderd.", "info")
    return redirect(url_for("portal.settings_page"))


@bp.post("/beheer/instellingen/<code>/standaard")
@role_required(BEHEERDER)
def settings_reset(code: str):  # type: ignore[no-untyped-def]
    db = get_db()
    code = _own_gemeente(code)
    done = handoff_settings.reset(db, _user(), code)
    db.commit()
    flash("De standaardinstellingen gelden weer." if done else "Er waren geen eigen instellingen.", "info")
    return redirect(url_for("portal.settings_page"))


@bp.app_errorhandler(403)
def forbidden(_error: Any):  # type: ignore[no-untyped-def]
    return render_template("portal/error.html", title="Geen toegang",
                           message="Je hebt geen toegang tot deze pagina of deze handeling."), 403


@bp.app_errorhandler(404)
def not_found(_error: Any):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return {"error": "niet gevonden"}, 404
    return render_template("portal/error.html", title="Niet gevonden",
                           message="Deze pagina of overdracht bestaat niet, of je hebt er geen toegang toe."), 404


@bp.app_errorhandler(400)
def bad_request(error: Any):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return {"error": "ongeldig verzoek"}, 400
    return render_template("portal/error.html", title="Ongeldig verzoek",
                           message="Dit verzoek kon niet worden verwerkt. Laad de pagina opnieuw en probeer het "
                                   "nog eens."), 400
