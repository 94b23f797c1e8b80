"""Attack group 7 (issue #15): another website cannot run the chat from its visitors' browsers. The Rasa server
answers browsers only from the configured widget origins (WW_WIDGET_ORIGINS; the test stack: the demo page's
own), over REST and socket.io, polling and websocket alike. Against the real running Rasa server; the browser
tests in tests/widget/ show the demo page still works."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any, Dict, List

import pytest
import requests

pytestmark = pytest.mark.stack

OTHER_SITES = ["https://evil.example", "http://127.0.0.1:1", "null", "http://localhost.evil.example"]


def demo_origins(stack: Any) -> List[str]:
    return [f"http://127.0.0.1:{stack.web_port}", f"http://localhost:{stack.web_port}"]


def rasa(stack: Any, path: str) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}{path}"


def preflight(stack: Any, origin: str) -> requests.Response:
    return requests.options(
        stack.rest_url,
        timeout=30,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def polling_handshake(stack: Any, origin: str) -> requests.Response:
    return requests.get(
        rasa(stack, "/socket.io/"), params={"EIO": "4", "transport": "polling"}, headers={"Origin": origin}, timeout=30
    )


def websocket_handshake(port: int, origin: str) -> str:
    """The status line of a raw websocket upgrade, as a browser on `origin` sends it."""
    request = (
        f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Origin: {origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).decode(errors="replace").splitlines()[0]


def socketio_connects(stack: Any, origin: str, transport: str) -> bool:
    """Whether a socket.io client that sends `origin` gets a connection and a session: python-socketio over
    polling; over websocket the `websockets` library speaking Engine.IO v4 itself (python-socketio's own
    websocket client needs a newer aiohttp or websocket-client, neither of which this project installs)."""
    if transport == "polling":
        return polling_session(stack, origin)
    return asyncio.run(websocket_session(stack.rasa_port, origin))


def polling_session(stack: Any, origin: str) -> bool:
    import socketio

    client = socketio.Client(reconnection=False)
    confirmed = threading.Event()
    client.on("session_confirm", lambda _token: confirmed.set())
    try:
        client.connect(rasa(stack, ""), headers={"Origin": origin}, transports=["polling"], wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        return False
    try:
        client.emit("session_request", {"session_id": None})
        return confirmed.wait(20)
    finally:
        client.disconnect()


async def websocket_session(port: int, origin: str) -> bool:
    import websockets

    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    try:
        async with websockets.connect(url, origin=origin, open_timeout=10) as connection:
            opened = await connection.recv()  # Engine.IO "open"
            await connection.send("40")  # socket.io CONNECT to the default namespace
            joined = await connection.recv()
            await connection.send('42["session_request",{"session_id":null}]')
            confirmed = await asyncio.wait_for(connection.recv(), 20)
    except websockets.exceptions.InvalidStatusCode:
        return False
    return opened.startswith("0") and joined.startswith("40") and '"session_confirm"' in confirmed


def cors_headers(response: requests.Response) -> Dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


@pytest.mark.parametrize("origin", OTHER_SITES)
def test_rest_answers_no_other_site(stack: Any, origin: str) -> None:
    assert "access-control-allow-origin" not in cors_headers(preflight(stack, origin))
    response = requests.post(
        stack.rest_url, json={"sender": "cors-test", "message": "hallo"}, headers={"Origin": origin}, timeout=60
    )
    assert response.status_code == 200  # not a browser: it may talk, but a browser page may not read the answer
    assert "access-control-allow-origin" not in cors_headers(response)
    assert cors_headers(response).get("access-control-allow-credentials") != "true"


def test_rest_answers_the_demo_page_without_credentials(stack: Any) -> None:
    for origin in demo_origins(stack):
        headers = cors_headers(preflight(stack, origin))
        assert headers["access-control-allow-origin"] == origin
        assert "access-control-allow-credentials" not in headers
        response = requests.post(
            stack.rest_url, json={"sender": "cors-demo", "message": "hallo"}, headers={"Origin": origin}, timeout=60
        )
        assert cors_headers(response)["access-control-allow-origin"] == origin


@pytest.mark.parametrize("origin", OTHER_SITES)
def test_socketio_refuses_other_sites_over_polling_and_websocket(stack: Any, origin: str) -> None:
    response = polling_handshake(stack, origin)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in cors_headers(response)
    assert not websocket_handshake(stack.rasa_port, origin).startswith("HTTP/1.1 101")
    assert not socketio_connects(stack, origin, "polling")
    assert not socketio_connects(stack, origin, "websocket")


def test_socketio_accepts_the_demo_page(stack: Any) -> None:
    for origin in demo_origins(stack):
        response = polling_handshake(stack, origin)
        assert response.status_code == 200
        assert cors_headers(response)["access-control-allow-origin"] == origin
        assert "access-control-allow-credentials" not in cors_headers(response)
        assert websocket_handshake(stack.rasa_port, origin).startswith("HTTP/1.1 101")
        assert socketio_connects(stack, origin, "polling")
        assert socketio_connects(stack, origin, "websocket")
