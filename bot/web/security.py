"""Security headers on every response: a strict CSP (no inline script or style), no framing, no sniffing."""

from __future__ import annotations

from flask import Flask, Response


def csp(*connect_src: str) -> str:
    """The policy; a page that talks to another origin (the chat widget to Rasa) adds it to connect-src only."""
    connect = " ".join(("'self'",) + connect_src)
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
        f"connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


CSP = csp()
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": over https flask-wtf checks that a form was posted from this site by its Referer.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype in ("text/html", "application/json", "text/csv"):
        # Pages with personal data are never stored by the browser or a proxy.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_headers)
