"""Rasa's REST and socket.io channels with the input guard in front, and a friendly answer when Rasa fails.

Same URLs as Rasa's own channels (`/webhooks/rest/webhook`, `/socket.io`); configured in credentials.yml.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

import yaml
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic.request import Request

from bot import rasa_patches, settings
from bot.contact_vault import CONTACT_REF, keep, new_ref, take_out_contacts
from bot.db import session_scope
from bot.input_guard import PayloadPolicy, guard
from bot.messages import message as system_message

logger = logging.getLogger(__name__)
rasa_patches.apply()  # this module is loaded inside the Rasa server (credentials.yml): see bot/rasa_patches.py

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# Intents a payload may never name: Rasa's internal ones.
_INTERNAL_INTENTS = {"nlu_fallback", "session_start", "back"}
# Entities that buttons send; a payload with any other entity is treated as plain words.
BUTTON_ENTITIES = frozenset({"gemeente", "theme", "channel", "preferred_time", "field", "preferred_term"})


@lru_cache(maxsize=None)
def payload_policy() -> PayloadPolicy:
    domain = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])}
    return PayloadPolicy(frozenset(intents - _INTERNAL_INTENTS | {"restart"}), BUTTON_ENTITIES)


def guarded(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wrap Rasa's message handler: clean the input, and never leave the person without an answer."""

    async def handle(message: UserMessage) -> None:
        result = guard(message.text, payload_policy(), settings.MAX_MESSAGE_LENGTH)
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
        sent = _count_responses(out)
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

    return handle


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


def _count_responses(out: Any) -> Callable[[], int]:
    """Count what Rasa sends through `out` for this one message."""
    count = 0
    original = out.send_response

    async def counting(recipient_id: Text, message: Dict[Text, Any]) -> None:
        nonlocal count
        count += 1
        await original(recipient_id, message)

    out.send_response = counting
    return lambda: count


def _short(sender_id: Optional[str]) -> str:
    return (sender_id or "")[:8]


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook with {"sender": …, "message": …, "metadata": {…}}."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage):  # type: ignore[no-untyped-def]
        return super().blueprint(guarded(on_new_message))

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _json_body(req).get("sender")
        # Without a sender every anonymous visitor would share Rasa's "default" conversation.
        return str(sender)[:64] if sender else uuid.uuid4().hex

    def _extract_message(self, req: Request) -> Optional[Text]:
        return _json_body(req).get("message")

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _json_body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None


def _json_body(req: Request) -> Dict[str, Any]:
    try:
        body = req.json
    except Exception:  # malformed JSON is treated as an empty message
        return {}
    return body if isinstance(body, dict) else {}


class GuardedSocketIOInput(SocketIOInput):
    """The socket.io channel the web widget talks to (session persistence on)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage):  # type: ignore[no-untyped-def]
        return super().blueprint(guarded(on_new_message))
