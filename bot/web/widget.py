"""The chat widget's files (`/widget/widget.js`, its stylesheet, the vendored socket.io client) and its privacy
page. A gemeente embeds the widget with one script tag; see docs/widget.md."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Request, abort, render_template, send_from_directory
from flask.typing import ResponseReturnValue

from bot.common import settings

STATIC = Path(__file__).resolve().parent / "static" / "widget"
# Only these files are served: nothing else in the folder is reachable by guessing a path.
FILES = {"widget.js", "widget.css", "vendor/socket.io.min.js"}
# The files change only with a release; an hour keeps repeat visits fast without hiding an update for long.
MAX_AGE_SECONDS = 3600

bp = Blueprint("widget", __name__, url_prefix="/widget")


@bp.get("/<path:name>")
def asset(name: str) -> ResponseReturnValue:
    if name not in FILES:
        abort(404)
    return send_from_directory(STATIC, name, max_age=MAX_AGE_SECONDS)


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    return render_template(
        "widget/privacy.html",
        retention_days=settings.CONVERSATION_RETENTION_DAYS,
        handoff_days=settings.HANDOFF_RETENTION_DAYS,
    )


def socket_url(request: Request) -> str:
    """Where the widget on our own pages finds Rasa's socket.io: WW_WIDGET_SOCKET_URL, else the Rasa port on the
    host the page was opened on (so `localhost` and `127.0.0.1` both work with `make run`)."""
    if settings.WIDGET_SOCKET_URL:
        return settings.WIDGET_SOCKET_URL
    host = urlsplit(f"//{request.host}").hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"  # IPv6
    return f"{request.scheme}://{host}:{settings.RASA_PORT}"


def websocket_origin(url: str) -> str:
    """ws(s):// form of an http(s):// address, for the Content-Security-Policy's connect-src."""
    parts = urlsplit(url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}"
