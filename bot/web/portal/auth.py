"""Who is signed in: Flask-Login with a per-account nonce in the session (sign-out ends every old cookie),
idle and absolute session expiry, and a role check for views."""

from __future__ import annotations

import time
from functools import wraps
from typing import Any, Callable, Optional

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, logout_user

from bot.portal.models import PortalUser
from bot.web.database import get_db

login_manager = LoginManager()


class SignedIn(UserMixin):
    """The signed-in account, as Flask-Login sees it; `get_id` carries the nonce so old cookies stop working."""

    def __init__(self, user: PortalUser) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_nonce}"

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role


def load(token: str) -> Optional[SignedIn]:
    user_id, _, nonce = (token or "").partition(":")
    if not user_id.isdigit():
        return None
    user = get_db().get(PortalUser, int(user_id))
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return SignedIn(user)


def _expire() -> Any:
    if request.endpoint in (None, "static", "healthz") or request.blueprint in ("api", "demo"):
        return None
    if not current_user.is_authenticated:
        return None
    now = time.time()
    idle = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    longest = current_app.config["SESSION_MAX_AGE"].total_seconds()
    if now - session.get("seen", 0) > idle or now - session.get("started", 0) > longest:
        logout_user()
        session.clear()
        flash("Je sessie is verlopen. Log opnieuw in.", "info")
        return redirect(url_for("portal.login"))
    session["seen"] = now
    return None


def start_session(user: PortalUser) -> None:
    session.clear()  # no values from before sign-in survive (session fixation)
    session.permanent = True
    session["started"] = session["seen"] = time.time()


def role_required(*roles: str) -> Callable:
    """Signed in (else to the sign-in page) and one of `roles` (else 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "portal.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load)
    app.before_request(_expire)
