"""The demo gemeente: its "Werk en inkomen" page with the chat widget (`/demo/`), and its webhook receiver.

It checks the signature exactly as a real gemeente should (bot.handoff.notifier.verify_signature: the time, the
Idempotency-Key and the body) and accepts each Idempotency-Key once: a repeat is answered 200 without being
counted again, and a captured delivery sent again under a new key fails the signature.
"""

from __future__ import annotations

import os
import threading
from typing import Set

from flask import Blueprint, current_app, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue

from bot.handoff.notifier import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from bot.web.security import csp
from bot.web.widget import socket_url, websocket_origin

SECRET_ENV = "WW_HANDOFF_SECRET_DEMO"  # noqa: S105 (the name of the variable)
DEMO_GEMEENTE = "GM0344"  # Utrecht: the example gemeente with a local answer and a handoff endpoint
bp = Blueprint("demo", __name__, url_prefix="/demo", static_folder="static/demo", static_url_path="/static")
_lock = threading.Lock()


def _received() -> Set[str]:
    return current_app.extensions.setdefault("demo_received", set())


@bp.get("/", defaults={"name": "werk"})
@bp.get("/contact", defaults={"name": "contact"})
def page(name: str) -> ResponseReturnValue:
    """Gemeente Voorbeeld's "Werk en inkomen" pages, with the widget embedded by one script tag. Two pages, so
    that going from one to the other shows the conversation carrying on."""
    server = socket_url(request)
    response = make_response(render_template(f"demo/{name}.html", server=server, gemeente=DEMO_GEMEENTE))
    # The widget talks to Rasa on another port: that origin (and its websocket form) is the one exception.
    response.headers["Content-Security-Policy"] = csp(server, websocket_origin(server))
    return response


@bp.post("/handoff-receiver")
def handoff_receiver() -> ResponseReturnValue:
    secret = os.environ.get(SECRET_ENV, "")
    body = request.get_data()
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > 100:
        return jsonify(error="Idempotency-Key is te lang"), 400
    if not verify_signature(
        secret, request.headers.get(TIMESTAMP_HEADER, ""), key, body, request.headers.get(SIGNATURE_HEADER, "")
    ):
        return jsonify(error="ongeldige handtekening"), 401
    with _lock:
        duplicate = key in _received()
        _received().add(key)
    return jsonify(received=key, duplicate=duplicate), 200
