"""The portal's pages: sign-in (password, then the second factor, or setting one up), inbox, handoff page with
its actions, and the beheerder's accounts, audit log and the gemeente's handoff settings."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Callable, Optional

import pyotp
import segno
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from bot.common import regions, settings
from bot.handoff import transcript as transcripts
from bot.handoff.config import effective_config
from bot.handoff.contact import InvalidContact, validate_phone
from bot.handoff.models import STATUSES, Handoff
from bot.handoff.service import checked_summary, checked_transcript, status_label
from bot.handoff.timeframe import local
from bot.portal import accounts, handoff_settings, service
from bot.portal.models import BEHEERDER, CONSULENT, ROLES, TEAMLEIDER, PortalUser
from bot.web.database import get_db
from bot.web.portal.auth import SignedIn, role_required, start_session
from bot.web.portal.rendering import as_seen

bp = Blueprint(
    "portal", __name__, template_folder="templates", static_folder="static", static_url_path="/static/portal"
)
READERS = (CONSULENT, TEAMLEIDER)
SIGN_IN_FAILED = "Inloggen is niet gelukt. Controleer je gebruikersnaam en wachtwoord, of probeer het later opnieuw."
CODE_FORMAT = "Vul de 6 cijfers in die je app nu laat zien, zonder letters of andere tekens."
WRONG_CODE = "Deze code klopt niet. Gebruik de code die je app nu laat zien."
PENDING_SECONDS = 300  # between a right password and the code
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
            return str(moment)
    return local(moment).strftime("%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y")


@bp.app_context_processor
def team_notices() -> dict:
    """Recent changes of a webhook address of the user's gemeenten, shown on every page to its beheerders and
    teamleiders (service.webhook_notices)."""
    if not current_user.is_authenticated:
        return {"webhook_notices": []}
    return {"webhook_notices": service.webhook_notices(get_db(), _user()), "gemeente_name": _gemeente_name}


def _gemeente_name(code: str) -> str:
    gemeente = regions.get_gemeente(code or "")
    return f"{gemeente.name} ({code})" if gemeente else code


def gemeente_label(code: str) -> str:
    """The gemeente as people call it ("Houten"); its CBS code only when the code is unknown."""
    gemeente = regions.get_gemeente(code or "")
    return gemeente.name if gemeente else code


def phone_national(phone: str) -> str:
    """A stored E.164 number as people dial it ("06 12345678")."""
    try:
        return validate_phone(phone).national
    except InvalidContact:
        return phone


bp.add_app_template_filter(as_seen, "as_seen")


@bp.app_context_processor
def labels() -> dict:
    return {
        "status_label": status_label,
        "statuses": STATUSES,
        "outcomes": service.OUTCOMES,
        "gemeente_label": gemeente_label,
        "phone_national": phone_national,
        "contact_methods": service.CONTACT_METHODS,
        "role_labels": ROLE_LABELS,
        "opening_hours": handoff_settings.opening_hours,
        "secret_labels": handoff_settings.SECRET_LABELS,
    }


def _user() -> PortalUser:
    return current_user.user


def _fail_slowly() -> None:
    time.sleep(current_app.config["FAILED_LOGIN_DELAY_MS"] / 1000)


def _source() -> str:
    """The address a sign-in comes from (behind WW_WEB_TRUSTED_PROXIES proxies: the one they saw)."""
    return accounts.source_of(request.remote_addr)


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("portal.home"))
    if request.method == "GET":
        return render_template("portal/login.html")
    db = get_db()
    result = accounts.check_password(
        db, request.form.get("username", "")[:100], request.form.get("password", ""), _source()
    )
    if result.user is None:
        db.commit()
        _fail_slowly()
        flash(SIGN_IN_FAILED, "error")
        return render_template("portal/login.html", username=request.form.get("username", "")[:100]), 200
    if result.needs_second_factor or result.needs_enrolment:
        db.commit()
        session.clear()
        session["pending"] = SignedIn(result.user).get_id()
        session["pending_at"] = time.time()
        return redirect(url_for("portal.second_factor" if result.needs_second_factor else "portal.enrol"))
    return _finish_sign_in(result.user)


def _finish_sign_in(user: PortalUser) -> ResponseReturnValue:
    db = get_db()
    accounts.signed_in(db, user, _source())
    service.audit(db, user, "inloggen", gemeente_code=user.gemeente_codes[0])
    db.commit()
    start_session(user)
    login_user(SignedIn(user))
    return redirect(url_for("portal.home"))


def _pending() -> Optional[PortalUser]:
    """The account whose password was right in this browser in the last PENDING_SECONDS, waiting for its code."""
    from bot.web.portal.auth import load

    if time.time() - session.get("pending_at", 0) >= PENDING_SECONDS:
        return None
    pending = load(session.get("pending", ""))
    return pending.user if pending else None


def _wrong_code(user: PortalUser, again: Callable[[], Any]) -> ResponseReturnValue:
    """Wrong codes count like wrong passwords, for this name from this source: after too many, start again;
    otherwise `again` shows the page once more."""
    db = get_db()
    source = _source()
    locked = accounts.is_locked_out(db, user.username, source) or accounts.count_failure(db, user.username, source)
    db.commit()
    _fail_slowly()
    if locked:
        session.clear()
        flash(SIGN_IN_FAILED, "error")
        return redirect(url_for("portal.login"))
    flash(WRONG_CODE, "error")
    return again()


@bp.route("/inloggen/code", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    user = _pending()
    if user is None or not user.totp_secret:
        session.clear()
        return redirect(url_for("portal.login"))
    if request.method == "GET":
        return render_template("portal/second_factor.html")
    code = request.form.get("code", "")[:50]
    if accounts.normalise_code(code) is None:
        # Not a guess (no code looks like this), so it does not count; said calmly, never a 500.
        flash(CODE_FORMAT, "error")
        return render_template("portal/second_factor.html"), 400
    db = get_db()
    if not accounts.is_locked_out(db, user.username, _source()) and accounts.check_totp(db, user, code):
        return _finish_sign_in(user)
    return _wrong_code(user, lambda: render_template("portal/second_factor.html"))


def _enrolment_page(user: PortalUser, status: int = 200) -> ResponseReturnValue:
    """The secret of the new second factor, as a QR code and as text; it lives in the session until the first
    right code stores it, and is never shown again after that."""
    secret = session.get("enrol_secret") or pyotp.random_base32()
    session["enrol_secret"] = secret
    uri = accounts.provisioning_uri(user, secret)
    # segno writes the SVG itself from the otpauth address; nothing typed by a person is in the markup.
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR-code voor je app", dark="#000")
    qr = Markup(svg)  # noqa: S704
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template("portal/enrol.html", qr=qr, secret=grouped, required=accounts.totp_required(user)), status


def _enrol(user: PortalUser, finish: Any) -> ResponseReturnValue:
    if request.method == "GET":
        return _enrolment_page(user)
    code = request.form.get("code", "")[:50]
    secret = session.get("enrol_secret", "")
    if not secret:
        return _enrolment_page(user)
    if accounts.normalise_code(code) is None:
        flash(CODE_FORMAT, "error")
        return _enrolment_page(user, 400)
    db = get_db()
    if not accounts.is_locked_out(db, user.username, _source()) and accounts.enrol_totp(db, user, secret, code):
        session.pop("enrol_secret", None)
        service.audit(db, user, "tweede_stap_ingesteld", gemeente_code=user.gemeente_codes[0])
        return finish(user)
    # The same secret again, so the app the person just set up keeps working.
    return _wrong_code(user, lambda: _enrolment_page(user))


@bp.route("/inloggen/tweede-stap", methods=["GET", "POST"])
def enrol() -> ResponseReturnValue:
    """Setting up the second factor during sign-in, for an account whose gemeente requires one."""
    user = _pending()
    if user is None or user.totp_secret:
        session.clear()
        return redirect(url_for("portal.login"))
    return _enrol(user, _finish_sign_in)


@bp.route("/account/tweede-stap", methods=["GET", "POST"])
@role_required(*ROLES)
def enrol_voluntarily() -> ResponseReturnValue:
    """Any signed-in account can add a second factor, also where its gemeente does not require one."""
    user = _user()
    if user.totp_secret:
        flash("Je account heeft al een tweede stap. Kwijt? Vraag de beheerder van je gemeente.", "info")
        return redirect(url_for("portal.home"))

    def done(_user: PortalUser) -> ResponseReturnValue:
        get_db().commit()
        flash("Je tweede stap is ingesteld. Vanaf nu vraagt het portaal bij het inloggen om een code.", "info")
        return redirect(url_for("portal.home"))

    return _enrol(user, done)


@bp.post("/uitloggen")
def logout() -> ResponseReturnValue:
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
def home() -> ResponseReturnValue:
    if current_user.role == BEHEERDER:
        return redirect(url_for("portal.accounts_page"))
    db = get_db()
    args = request.args
    filters = service.Filters(
        status=args.get("status", "")[:20],
        topic=args.get("onderwerp", "")[:100],
        older_than=args.get("ouder", "")[:5],
        code=args.get("code", "")[:20],
        mine=args.get("alleen_mijn") == "1",
    )
    handoffs = service.list_handoffs(db, _user(), filters)
    all_topics = sorted(
        {t for h in service.list_handoffs(db, _user(), service.Filters(status="alle")) for t in service.topics_of(h)}
    )
    work = {h.id: db.get(service.HandoffWork, h.id) for h in handoffs}
    return render_template(
        "portal/inbox.html",
        handoffs=handoffs,
        filters=filters,
        topics=all_topics,
        work=work,
        deadline=service.deadline_state,
        topics_of=service.topics_of,
        age_filters=service.AGE_FILTERS,
    )


def _handoff(code: str) -> Handoff:
    try:
        return service.get_handoff(get_db(), _user(), code)
    except service.NotFound:
        abort(404)


@bp.get("/overdracht/<code>")
@role_required(*READERS)
def handoff_page(code: str) -> ResponseReturnValue:
    db = get_db()
    handoff = _handoff(code)
    service.audit(db, _user(), "bekijken", handoff)
    db.commit()
    work = db.get(service.HandoffWork, handoff.id) or service.HandoffWork()
    config = effective_config(db).for_gemeente(handoff.gemeente_code)
    return render_template(
        "portal/handoff.html",
        handoff=handoff,
        work=work,
        gemeente=config.name,
        summary=checked_summary(handoff),
        transcript=checked_transcript(handoff),
        topics=service.topics_of(handoff),
        notes=service.notes_of(db, handoff),
        deadline=service.deadline_state(handoff),
        may_change=service.may_change(_user(), work) and handoff.status != "closed",
        colleagues=service.colleagues(db, handoff) if current_user.role == TEAMLEIDER else [],
        delivery_problem=service.delivery_problem(handoff),
        BOT=transcripts.BOT,
    )


ACTIONS = {
    "oppakken": (lambda db, user, h, form: service.pick_up(db, user, h), "Je hebt deze overdracht opgepakt."),
    "contact": (
        lambda db, user, h, form: service.record_contact(db, user, h, form.get("method", "")),
        "Het contact is vastgelegd.",
    ),
    "notitie": (
        lambda db, user, h, form: service.add_note(db, user, h, form.get("text", "")),
        "De notitie is opgeslagen.",
    ),
    "afsluiten": (
        lambda db, user, h, form: service.close(db, user, h, form.get("outcome", ""), form.get("detail", "")),
        "De overdracht is afgesloten.",
    ),
    "toewijzen": (
        lambda db, user, h, form: service.reassign(db, user, h, form.get("username", "")),
        "De overdracht is toegewezen.",
    ),
}
# A note's message is shown beside the note form, not at the top of the page: the consulent's eye stays there.
FLASH_CATEGORIES = {"notitie": ("note", "note-error")}


@bp.post("/overdracht/<code>/<action>")
@role_required(*READERS)
def handoff_action(code: str, action: str) -> ResponseReturnValue:
    if action not in ACTIONS:
        abort(404)
    db = get_db()
    handoff = _handoff(code)
    done_category, error_category = FLASH_CATEGORIES.get(action, ("info", "error"))
    do, done = ACTIONS[action]
    try:
        if action == "afsluiten" and request.form.get("bevestigd") != "ja":
            return _confirm_close(db, handoff)
        do(db, _user(), handoff, request.form)
    except service.Forbidden:
        db.rollback()
        abort(403)
    except service.Invalid as problem:
        db.rollback()
        flash(f"Dat lukte niet: {problem}.", error_category)
        return redirect(url_for("portal.handoff_page", code=handoff.reference_code))
    db.commit()
    flash(done, done_category)
    return redirect(url_for("portal.handoff_page", code=handoff.reference_code))


def _confirm_close(db: Any, handoff: Any) -> ResponseReturnValue:
    """Closing cannot be undone, so it is asked once more, with the chosen outcome in words."""
    service.changeable(db, _user(), handoff)
    db.rollback()  # only asked: nothing is stored until the consulent confirms
    detail = service.check_close(request.form.get("outcome", ""), request.form.get("detail", ""))
    return render_template(
        "portal/close_confirm.html",
        handoff=handoff,
        outcome=request.form["outcome"],
        detail=detail,
        retention_days=settings.HANDOFF_RETENTION_DAYS,
    )


@bp.route("/beheer/accounts", methods=["GET", "POST"])
@role_required(BEHEERDER)
def accounts_page() -> ResponseReturnValue:
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
    users = [
        u
        for u in db.query(PortalUser).order_by(PortalUser.username).all()
        if set(u.gemeente_codes) & set(me.gemeente_codes)
    ]
    return render_template(
        "portal/accounts.html",
        users=users,
        new_password=new_password,
        my_gemeenten=me.gemeente_codes,
        me=me.username,
        lockout_end=lambda user: accounts.lockout_end(db, user.username),
    )


def _colleague(me: PortalUser, username: str) -> PortalUser:
    """The account `username` if it shares a gemeente with `me`; 404 for any other (as if it did not exist)."""
    user = accounts.find_user(get_db(), username)
    if user is None or not set(user.gemeente_codes) & set(me.gemeente_codes):
        abort(404)
    return user


@bp.post("/beheer/accounts/<username>/ontgrendelen")
@role_required(BEHEERDER)
def unlock(username: str) -> ResponseReturnValue:
    db, me = get_db(), _user()
    user = _colleague(me, username)
    accounts.unlock(db, user.username)
    service.audit(db, me, "ontgrendelen", detail=user.username, gemeente_code=user.gemeente_codes[0])
    db.commit()
    flash(f"Account {user.username} is ontgrendeld.", "info")
    return redirect(url_for("portal.accounts_page"))


@bp.post("/beheer/accounts/<username>/landelijk-inzicht")
@role_required(BEHEERDER)
def national_insight(username: str) -> ResponseReturnValue:
    """Give or take away insight for every gemeente (#20). Not to oneself: a second beheerder decides that."""
    db, me = get_db(), _user()
    user = _colleague(me, username)
    granted = request.form.get("geven") == "ja"
    try:
        if user.id == me.id:
            raise accounts.AccountError("je kunt dit niet aan jezelf geven of afnemen; vraag een andere beheerder")
        accounts.set_national_insight(db, user.username, granted)
    except accounts.AccountError as problem:
        db.rollback()
        flash(f"Dat lukte niet: {problem}.", "error")
        return redirect(url_for("portal.accounts_page"))
    action = "landelijk_inzicht_geven" if granted else "landelijk_inzicht_intrekken"
    service.audit(db, me, action, detail=user.username, gemeente_code=user.gemeente_codes[0])
    db.commit()
    flash(
        f"{user.username} ziet nu ook het inzicht van heel Nederland."
        if granted
        else f"{user.username} ziet het inzicht van heel Nederland niet meer.",
        "info",
    )
    return redirect(url_for("portal.accounts_page"))


@bp.get("/beheer/audit")
@role_required(BEHEERDER)
def audit_page() -> ResponseReturnValue:
    return render_template("portal/audit.html", entries=service.audit_entries(get_db(), _user()))


@bp.get("/beheer/audit.csv")
@role_required(BEHEERDER)
def audit_csv() -> ResponseReturnValue:
    entries = service.audit_entries(get_db(), _user(), limit=None)
    return Response(
        accounts.audit_as_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=auditlog.csv"},
    )


@bp.get("/beheer/instellingen")
@role_required(BEHEERDER)
def settings_page() -> ResponseReturnValue:
    return render_template(
        "portal/settings.html", gemeenten=handoff_settings.overview(get_db(), _user().gemeente_codes)
    )


def _own_gemeente(code: str) -> str:
    # A beheerder changes only their own gemeenten; another gemeente's settings are not secret, so 403, not 404.
    code = code.strip().upper()
    if code not in _user().gemeente_codes:
        abort(403)
    return code


@bp.route("/beheer/instellingen/<code>", methods=["GET", "POST"])
@role_required(BEHEERDER)
def settings_edit(code: str) -> ResponseReturnValue:
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
        return render_template("portal/settings_edit.html", current=current, form=form, errors=problems.errors), 400
    db.commit()
    flash(
        "De instellingen zijn opgeslagen. Nieuwe overdrachten krijgen ze meteen."
        if changed
        else "Er is niets veranderd.",
        "info",
    )
    return redirect(url_for("portal.settings_page"))


@bp.post("/beheer/instellingen/<code>/standaard")
@role_required(BEHEERDER)
def settings_reset(code: str) -> ResponseReturnValue:
    db = get_db()
    code = _own_gemeente(code)
    done = handoff_settings.reset(db, _user(), code)
    db.commit()
    flash("De standaardinstellingen gelden weer." if done else "Er waren geen eigen instellingen.", "info")
    return redirect(url_for("portal.settings_page"))


@bp.app_errorhandler(403)
def forbidden(_error: Any) -> ResponseReturnValue:
    return render_template(
        "portal/error.html", title="Geen toegang", message="Je hebt geen toegang tot deze pagina of deze handeling."
    ), 403


@bp.app_errorhandler(404)
def not_found(_error: Any) -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        return {"error": "niet gevonden"}, 404
    return render_template(
        "portal/error.html",
        title="Niet gevonden",
        message="Deze pagina of overdracht bestaat niet, of je hebt er geen toegang toe.",
    ), 404


@bp.app_errorhandler(400)
def bad_request(error: Any) -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        return {"error": "ongeldig verzoek"}, 400
    return render_template(
        "portal/error.html",
        title="Ongeldig verzoek",
        message="Dit verzoek kon niet worden verwerkt. Laad de pagina opnieuw en probeer het nog eens.",
    ), 400
