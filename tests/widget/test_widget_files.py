"""What the web app serves for the widget, and the rules the widget's code keeps (Flask test client, no Rasa)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.common import settings
from bot.web import create_app
from bot.web.widget import STATIC

VENDORED = STATIC / "vendor" / "socket.io.min.js"


@pytest.fixture
def client(tmp_path: Any) -> Any:
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}).test_client()


def test_widget_files_and_privacy_page_are_served(client: Any) -> None:
    for path, kind in (
        ("/widget/widget.js", "text/javascript"),
        ("/widget/widget.css", "text/css"),
        ("/widget/vendor/socket.io.min.js", "text/javascript"),
        ("/widget/privacy", "text/html"),
    ):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == kind, path
    assert client.get("/widget/vendor/socket.io.min.js.map").status_code == 404  # only the listed files
    assert client.get("/widget/../widget.py").status_code == 404


def test_demo_page_embeds_the_widget_with_one_script_tag_and_allows_only_rasa(client: Any) -> None:
    response = client.get("/demo/", base_url="http://localhost:8080")
    page = response.get_data(as_text=True)
    assert "<h1>Werk en inkomen</h1>" in page and 'lang="nl"' in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) == 1 and 'src="/widget/widget.js"' in scripts[0] and 'data-gemeente="GM0344"' in scripts[0]
    assert f'data-server="http://localhost:{settings.RASA_PORT}"' in scripts[0]
    assert "style=" not in page and "<style" not in page
    policy = response.headers["Content-Security-Policy"]
    assert f"connect-src 'self' http://localhost:{settings.RASA_PORT} ws://localhost:{settings.RASA_PORT};" in policy
    assert "script-src 'self';" in policy and "unsafe" not in policy
    assert "connect-src 'self';" in client.get("/inloggen").headers["Content-Security-Policy"]  # portal unchanged


def test_socket_address_can_be_configured(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "WIDGET_SOCKET_URL", "https://chat.voorbeeld.nl")
    response = client.get("/demo/contact")
    assert 'data-server="https://chat.voorbeeld.nl"' in response.get_data(as_text=True)
    assert "https://chat.voorbeeld.nl wss://chat.voorbeeld.nl" in response.headers["Content-Security-Policy"]


def test_widget_code_never_writes_html_or_inline_style() -> None:
    code = (STATIC / "widget.js").read_text(encoding="utf-8")
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        'setAttribute("style"',
        "style.cssText",
        "new Function",
    ):
        assert forbidden not in code, forbidden
    # The one style the widget sets is the accent colour as a CSS custom property through CSSOM.
    assert re.findall(r"\.style\.\w+", code) == [".style.setProperty"]


def test_vendored_socketio_client_is_the_pinned_one() -> None:
    pinned = json.loads((settings.ROOT / "package.json").read_text())["dependencies"]["socket.io-client"]
    assert re.fullmatch(r"4\.\d+\.\d+", pinned), "Socket.IO protocol v5 (python-socketio 5.x) needs client 4.x"
    assert f"Socket.IO v{pinned}" in VENDORED.read_text(encoding="utf-8")[:200]
    installed = settings.ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
    if installed.exists():  # after `npm ci`: the vendored copy is byte for byte the package's file
        assert installed.read_bytes() == VENDORED.read_bytes()
