"""The widget's socket.io channel with server-issued session ids: a conversation can only be continued by the client
the Rasa server gave its signed id to, and only from a web page of an allowed origin.

Rasa 3.6's own channel takes any `session_id` a client names and joins it to that conversation's room, so anyone
who knew an id could read and write in someone else's chat. Here the server makes the id, signs it
(HMAC-SHA256 with WW_SESSION_SECRET) and binds the socket to it; the sender id Rasa stores is "sio-" + the id,
a namespace the REST channel refuses (bot/rasa/channels.py), so REST and socket.io conversations never meet.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.common import settings
from bot.conversation.messages import text as system_text

logger = logging.getLogger(__name__)

SENDER_PREFIX = "sio-"
_ID_BYTES = 16
_MAX_TOKEN_LENGTH = 128  # an id (32) + "." + a signature (64); anything longer is not ours


class SessionTokens:
    """Issues and checks "<id>.<signature>" tokens; the sender id of a valid token is "sio-<id>"."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise RuntimeError("WW_SESSION_SECRET is not set: the socket.io channel cannot sign session ids")
        self._key = secret.encode("utf-8")

    def _signature(self, session_id: str) -> str:
        return hmac.new(self._key, session_id.encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        session_id = secrets.token_hex(_ID_BYTES)
        return f"{session_id}.{self._signature(session_id)}"

    def sender(self, token: Any) -> Optional[str]:
        """The conversation's sender id if `token` is one this server issued, else None (any other input too)."""
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
            return None
        session_id, _, signature = token.partition(".")
        if len(session_id) != 2 * _ID_BYTES or not all(c in "0123456789abcdef" for c in session_id):
            return None
        if not hmac.compare_digest(signature.encode("ascii"), self._signature(session_id).encode("ascii")):
            return None
        return SENDER_PREFIX + session_id


def without_socket_prefix(sender: str) -> str:
    """A sender id from another channel, moved out of the socket.io namespace ("sio-sio-x" → "x")."""
    while sender.startswith(SENDER_PREFIX):
        sender = sender[len(SENDER_PREFIX) :]
    return sender


def same_token(sent: Any, bound: str) -> bool:
    """Constant-time comparison that also takes what is not an ASCII string (never an error)."""
    return isinstance(sent, str) and hmac.compare_digest(sent.encode("utf-8"), bound.encode("utf-8"))


def socket_blueprint(
    channel: SocketIOInput, on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> SocketBlueprint:
    """Rasa's socket.io endpoints (same path and events as its SocketIOInput) with issued, bound sessions."""
    tokens = SessionTokens(settings.SESSION_SECRET)
    # engineio checks the Origin of every request, the websocket handshake included (browsers apply CORS to
    # HTTP only); a client without an Origin header is no browser page and is let through.
    # The body cap of the Rasa server (WW_MAX_REQUEST_BYTES) also for a websocket message, which Sanic does not see.
    sio = AsyncServer(
        async_mode="sanic",
        cors_allowed_origins=list(settings.WIDGET_ORIGINS),
        cors_credentials=False,
        max_http_buffer_size=settings.MAX_REQUEST_BYTES,
    )
    blueprint = SocketBlueprint(sio, channel.socketio_path, "socketio_webhook", __name__)
    channel.sio = sio  # Rasa's get_output_channel uses it
    namespace = channel.namespace

    @blueprint.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @sio.on("session_request", namespace=namespace)
    async def session_request(sid: Text, data: Any = None) -> None:
        token = data.get("session_id") if isinstance(data, dict) else None
        sender = tokens.sender(token)
        if sender is None:  # none, forged, or someone else's bare id: a new conversation of this client's own
            token = tokens.issue()
            sender = tokens.sender(token)
        async with sio.session(sid, namespace=namespace) as session:
            if session.get("sender") and session["sender"] != sender:
                sio.leave_room(sid, session["sender"], namespace=namespace)
            session.update(sender=sender, token=token)
        sio.enter_room(sid, sender, namespace=namespace)  # the room the bot's answers go to
        await sio.emit("session_confirm", token, room=sid, namespace=namespace)

    @sio.on(channel.user_message_evt, namespace=namespace)
    async def user_uttered(sid: Text, data: Any = None) -> None:
        session: Dict[str, Any] = await sio.get_session(sid, namespace=namespace)
        sent = data.get("session_id") if isinstance(data, dict) else None
        if "sender" not in session or not same_token(sent, session["token"]):
            logger.info("socket.io message refused: its session id was not issued to this connection")
            await sio.emit(
                channel.bot_message_evt, {"text": system_text("session_unknown")}, room=sid, namespace=namespace
            )
            return
        message = UserMessage(
            data.get("message", ""),
            SocketIOOutput(sio, channel.bot_message_evt),
            session["sender"],
            input_channel=channel.name(),
            metadata=data.get(channel.metadata_key),
        )
        await on_new_message(message)

    return blueprint
