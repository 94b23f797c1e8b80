"""The demo gemeente's webhook receiver (`make run`); `/demo/` itself is reserved for the chat widget demo page.

It checks the signature exactly as a real gemeente should (bot.handoff.notifier.verify_signature) and accepts
each Idempotency-Key once: a repeat is answered 200 without being counted again.
"""
from __future__ import annotations

import os
import threading
from typing import Set

from flask import Blueprint, current_app, jsonify, request

from bot.handoff.notifier import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature

SECRET_ENV = "WW_HANDOFF_SECRET_DEMO"
bp = Blueprint("demo", __name__, url_prefix="/demo")
_lock = threading.Lock()


def _received() -> Set[str]:
    return current_app.extensions.setdefault("demo_received", set())


@bp.post("/handoff-receiver")
def handoff_receiver():  # type: ignore[no-untyped-def]
    secret = os.environ.get(SECRET_ENV, "")
    body = request.get_data()
    if not verify_signature(secret, request.headers.get(TIMESTAMP_HEADER, ""), body,
                            request.headers.get(SIGNATURE_HEADER, "")):
        return jsonify(error="ongeldige handtekening"), 401
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()[:100]
    if not key:
        return jsonify(error="Idempotency-Key ontbreekt"), 400
    with _lock:
        duplicate = key in _received()
        _received().add(key)
    return jsonify(received=key, duplicate=duplicate), 200
