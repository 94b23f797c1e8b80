"""Rasa's REST and socket.io channels with the input guard in front, and a friendly answer when Rasa fails.

Same URLs as Rasa's own channels (`/webhooks/rest/webhook`, `/socket.io`); configured in credentials.yml.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import uuid
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

import yaml
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.common import settings
from bot.common.db import session_scope
from bot.common.rate_limit import RateLimiter
from bot.conversation.messages import message as system_message
from bot.conversation.store import FORGET_CONVERSATION, delete_conversation, tracker_url
from bot.handoff.contact_vault import CONTACT_REF, keep, new_ref, take_out_contacts
from bot.rasa import patches as rasa_patches
from bot.rasa.input_guard import NOT_TEXT, PayloadPolicy, guard, safe_sender_id
from bot.rasa.socket_sessions import socket_blueprint, without_socket_prefix

logger = logging.getLogger(__name__)
rasa_patches.apply()  # this module is loaded inside the Rasa server (credentials.yml): see bot/rasa/patches.py

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# Intents a payload may never name: Rasa's internal ones.
_INTERNAL_INTENTS = {"nlu_fallback", "session_start", "back"}
# Entities that buttons send; a payload with any other entity is treated as plain words.
BUTTON_ENTITIES = frozenset({"gemeente", "theme", "channel", "preferred_time", "field", "preferred_term"})
# Messages per conversation (both channels) and REST requests per client address, in this Rasa server.
SENDERS = RateLimiter(settings.RATE_LIMIT_PER_SENDER)
CLIENTS = RateLimiter(settings.RATE_LIMIT_PER_CLIENT)
# Keys the hash of a REST sender id that holds personal details: the socket.io signing secret, the same on every
# Rasa server (a random one per process when it is not set, as in unit tests).
_SENDER_KEY = hmac.new(
    (settings.SESSION_SECRET or secrets.token_hex(32)).encode(), b"rest sender id", hashlib.sha256
).digest()


@lru_cache(maxsize=None)
def payload_policy() -> PayloadPolicy:
    domain = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])}
    return PayloadPolicy(frozenset(intents - _INTERNAL_INTENTS | {"restart"}), BUTTON_ENTITIES)


def guarded(on_new_message: OnNewMessage, limit_senders: bool = True) -> OnNewMessage:
    """Wrap Rasa's message handler: clean the input, and never leave the person without an answer.
    `limit_senders`: apply the per-conversation rate limit here (REST applies it before, to answer 429)."""

    async def handle(message: UserMessage) -> None:
        if limit_senders and not SENDERS.allow(message.sender_id or ""):
            await message.output_channel.send_text_message(message.sender_id, system_message("too_fast")["text"])
            return
        result = guard(message.text, payload_policy(), settings.MAX_MESSAGE_LENGTH)
        if result.not_text:  # a JSON object or list as the message: neither Rasa nor the log sees it
            await message.output_channel.send_text_message(message.sender_id, system_message("not_text")["text"])
            return
        message.metadata = allowed_metadata(message.metadata)
        message.text, ref = _vault_contacts(result.text, message.sender_id)
        if ref:  # only this conversation's own events know it: the vault cannot be read with a sender id alone
            message.metadata[CONTACT_REF] = ref
        out = message.output_channel
        recipient = message.sender_id
        if result.truncated:
            await out.send_text_message(recipient, system_message("truncated", max=settings.MAX_MESSAGE_LENGTH)["text"])
        if result.removed_numbers:
            await out.send_text_message(recipient, system_message("number_removed")["text"])
        if result.removed_details:
            await out.send_text_message(recipient, system_message("details_removed")["text"])
        sent, forget = _count_responses(out)
        try:
            await on_new_message(message)
        except asyncio.CancelledError:
            # Rasa gave up on the message (a time limit): the person hears so, then the cancellation goes on.
            logger.error("Handling a message was cancelled (conversation %s)", _short(recipient))
            if not sent():
                await out.send_text_message(recipient, system_message("technical_problem")["text"])
            raise
        except Exception:  # the person still gets an answer; the error goes to the log
            logger.exception("Handling a message failed (conversation %s)", _short(recipient))
        if not sent():
            await out.send_text_message(recipient, system_message("technical_problem")["text"])
        if forget():  # "verwijder mijn gesprek": this turn has been saved; now the whole conversation goes
            await asyncio.get_running_loop().run_in_executor(None, _forget_conversation, recipient)

    return handle


def _forget_conversation(sender_id: Optional[str]) -> None:
    try:
        delete_conversation(tracker_url(), sender_id or "")
    except Exception:  # the person was told it is wiped: this must be seen and fixed, and the purge still runs
        logger.exception("Deleting conversation %s on request failed", _short(sender_id))


def allowed_metadata(metadata: Any) -> Dict[str, Any]:
    """Only what the widget sends (the gemeente of the page, a short string); everything else is dropped, so
    nothing a client adds is stored in the conversation."""
    gemeente = metadata.get("gemeente") if isinstance(metadata, dict) else None
    return {"gemeente": gemeente} if isinstance(gemeente, str) and 0 < len(gemeente) <= 64 else {}


def _vault_contacts(text: str, sender_id: Optional[str]) -> Tuple[str, Optional[str]]:
    """Phone numbers and e-mail addresses go to the contact vault; Rasa sees (and stores) only masked forms.
    Returns the masked text and the key the vault entries were kept under (None when nothing was found)."""
    if text.startswith("/"):
        return text, None
    masked, found = take_out_contacts(text)
    if not found:
        return masked, None
    ref = new_ref()
    try:
        with session_scope() as session:
            keep(session, sender_id or "", found, ref)
    except Exception:  # the details are dropped rather than stored in the conversation
        logger.exception("Contact vault unavailable; contact details in a message were dropped")
        return masked, None
    return masked, ref


def _count_responses(out: Any) -> Tuple[Callable[[], int], Callable[[], bool]]:
    """Count what Rasa sends through `out` for this one message, and take out the marker by which an action asks
    for the conversation to be deleted (actions/rights.py): it never reaches the person."""
    count, forget = 0, False
    original = out.send_response

    async def counting(recipient_id: Text, message: Dict[Text, Any]) -> None:
        nonlocal count, forget
        if message.get("custom") == FORGET_CONVERSATION:
            forget = True
            return
        count += 1
        await original(recipient_id, message)

    out.send_response = counting
    return (lambda: count), (lambda: forget)


def _short(sender_id: Optional[str]) -> str:
    return (sender_id or "")[:8]


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook with {"sender": …, "message": …, "metadata": {…}}."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message, limit_senders=False))
        blueprint.middleware(_refuse_when_too_fast, "request")
        blueprint.listener("before_server_start")(_limit_request_size)
        return blueprint

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return getattr(req.ctx, "sender", None) or rest_sender(_json_body(req).get("sender"))

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _json_body(req).get("message")
        return message if message is None or isinstance(message, str) else NOT_TEXT

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _json_body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None


def rest_sender(raw: Any) -> str:
    """The conversation id of a REST message. Without a sender every anonymous visitor would share Rasa's "default"
    conversation. "sio-…" ids belong to socket.io conversations (bot/rasa/socket_sessions.py): a REST sender never
    reaches one. A long id, odd characters or personal details in it (a BSN, phone number, e-mail address) are never
    stored: such an id becomes a keyed hash, the same for every message with that id (safe_sender_id)."""
    sender = without_socket_prefix(str(raw)) if raw not in (None, "") else ""
    return safe_sender_id(sender, _SENDER_KEY) if sender else uuid.uuid4().hex


def _refuse_when_too_fast(request: Request) -> Optional[HTTPResponse]:
    """429 with a Dutch text when this client address or this conversation sends more than its share per minute."""
    client = request.remote_addr or request.ip or ""
    if not CLIENTS.allow(client):
        return _refusal(429, "too_fast")
    if request.method == "POST":
        request.ctx.sender = rest_sender(_json_body(request).get("sender"))  # _extract_sender takes it from here
        if not SENDERS.allow(request.ctx.sender):
            return _refusal(429, "too_fast")
    return None


async def _limit_request_size(app: Sanic, _loop: Any) -> None:
    """Bodies above WW_MAX_REQUEST_BYTES are refused while they are read (Sanic's own limit, 100 MB by default),
    with a short Dutch JSON answer instead of Sanic's page. For the whole Rasa server, socket.io polling included."""
    app.config.REQUEST_MAX_SIZE = settings.MAX_REQUEST_BYTES
    app.error_handler.add(PayloadTooLarge, lambda request, exception: _refusal(413, "too_large"))


def _refusal(status: int, key: str) -> HTTPResponse:
    return response.json({"error": key, "text": system_message(key)["text"]}, status=status)


def _json_body(req: Request) -> Dict[str, Any]:
    try:
        body = req.json
    except Exception:  # malformed JSON is treated as an empty message
        return {}
    return body if isinstance(body, dict) else {}


class GuardedSocketIOInput(SocketIOInput):
    """The socket.io channel the web widget talks to: session ids issued, signed and bound by the server, and
    only pages of WW_WIDGET_ORIGINS may connect (bot/rasa/socket_sessions.py)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return socket_blueprint(self, guarded(on_new_message))
