"""The web app (application factory): the consulent portal at `/`, its JSON API at `/api/`, the chat widget's files
at `/widget/`, the demo pages and the public HSDS 3.0 read API of the social map at `/hsds/`."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Mapping, Optional

from flask import Flask
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.common import settings
from bot.web import database, security

csrf = CSRFProtect()


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    """The app; `config` overrides the settings (tests pass TESTING, DATABASE_URL, …)."""
    from bot.web import demo, hsds_api, widget
    from bot.web.portal import api, auth, insight, views  # noqa: F401 (insight adds its pages to views.bp)

    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.WEB_SECRET_KEY or secrets.token_hex(32),
        DATABASE_URL=settings.DATABASE_URL,
        SESSION_COOKIE_NAME="ww_portaal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.WEB_SESSION_IDLE_MINUTES),
        SESSION_MAX_AGE=timedelta(hours=settings.WEB_SESSION_MAX_HOURS),
        FAILED_LOGIN_DELAY_MS=settings.WEB_FAILED_LOGIN_DELAY_MS,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=256 * 1024,
        WEB_DEV=settings.WEB_DEV,
        TRUSTED_PROXIES=settings.WEB_TRUSTED_PROXIES,
    )
    app.config.update(config or {})
    # Secure cookies unless explicitly in development or test mode (plain http on this computer).
    app.config["SESSION_COOKIE_SECURE"] = not (app.config["WEB_DEV"] or app.config.get("TESTING"))
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])

    if app.config["TRUSTED_PROXIES"]:
        # The client's address from X-Forwarded-For as the trusted proxies saw it (the sign-in lockout counts
        # per address); without proxies the header is ignored, so nobody can claim another address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])  # type: ignore[method-assign]
    database.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(demo.bp)
    app.register_blueprint(widget.bp)
    hsds_api.init_app(app)
    # The API authenticates with a bearer token, the receiver with a signature: no cookies, so no CSRF.
    csrf.exempt(api.bp)
    csrf.exempt(demo.bp)
    csrf.exempt(hsds_api.bp)  # read-only GET, no cookies

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return {"status": "ok"}

    return app
