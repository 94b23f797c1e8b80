"""Cleans every incoming message before Rasa sees it, so that odd input gets a calm answer and never an error.

Rules: a message that is not text (a JSON object, list or number) is answered calmly and goes no further. Text is
made NFC, control characters go, and a message longer than the maximum is cut (the person is told). A BSN, IBAN,
street address, postcode or full date is replaced by a marker before anything is stored (the person is told). A
message without any letter or digit (empty, only emoji or punctuation) becomes the `no_content` intent. Text typed
as a Rasa payload (`/intent{...}`) is only passed on as a payload when the intent may be chosen by a button and its
entities are ones buttons send, with plain button values (no contact details, no numbers); anything else is
treated as plain words.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Optional

import phonenumbers

from bot.common.privacy import DETAIL_KINDS, NUMBER_KINDS, scrub_with_kinds

NO_CONTENT_PAYLOAD = "/no_content"
# What a channel hands on in place of a message that is not text (bot/rasa/patches.py): a NUL byte, so typed text,
# whose control characters the guard removes, can never be mistaken for it.
NOT_TEXT = "\x00not-text"
_SAFE_SENDER = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
HASHED_SENDER_PREFIX = "anon-"
_BUTTON_VALUE = re.compile(r"[^@\d]*(?:\d[^@\d]*){0,4}")  # no e-mail address, at most four digits (GM0344)

_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w-]*)(?P<entities>\{.*\})?(@[\d.]+)?$", re.DOTALL)
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class GuardedText:
    """The text Rasa should process, and whether the original was cut."""

    text: str
    truncated: bool = False
    removed_numbers: bool = False  # a BSN or IBAN was taken out
    removed_details: bool = False  # an address, postcode or full date was taken out
    not_text: bool = False  # the message was not text: answer calmly, let nothing through


@dataclass(frozen=True)
class PayloadPolicy:
    """Which intents and entities a typed or button payload may carry."""

    intents: FrozenSet[str]
    entities: FrozenSet[str] = frozenset()


def guard(raw: Any, policy: PayloadPolicy, max_length: int) -> GuardedText:
    """Return what Rasa should see for the incoming message `raw`."""
    if raw == NOT_TEXT or not isinstance(raw, (str, type(None))):
        return GuardedText(NO_CONTENT_PAYLOAD, not_text=True)
    text = _clean(raw)
    truncated = len(text) > max_length
    if truncated:
        text = text[:max_length].rstrip()
    scrubbed, kinds = scrub_with_kinds(text)
    numbers, details = bool(kinds & NUMBER_KINDS), bool(kinds & DETAIL_KINDS)
    if scrubbed.startswith("/"):
        return GuardedText(_payload_or_words(scrubbed, policy), truncated, numbers, details)
    if not any(ch.isalnum() for ch in scrubbed):
        return GuardedText(NO_CONTENT_PAYLOAD, truncated, numbers, details)
    return GuardedText(scrubbed, truncated, numbers, details)


def _clean(raw: Any) -> str:
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFC", text)
    return _CONTROL.sub("", text).strip()


def _payload_or_words(text: str, policy: PayloadPolicy) -> str:
    match = _PAYLOAD.match(text)
    if match and match.group("intent") in policy.intents:
        entities = _allowed_entities(match.group("entities"), policy)
        if entities is not None:
            suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
            return f"/{match.group('intent')}{suffix}"
    words = text.lstrip("/").replace("_", " ")
    words = re.sub(r"[{}\[\]\"]", " ", words).strip()
    return words if any(ch.isalnum() for ch in words) else NO_CONTENT_PAYLOAD


def _allowed_entities(raw: Optional[str], policy: PayloadPolicy) -> Optional[Dict[str, str]]:
    """The payload's entities when all are allowed and plain strings; None when the payload is not acceptable."""
    if not raw:
        return {}
    try:
        entities = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entities, dict):
        return None
    if not all(k in policy.entities and _is_button_value(v) for k, v in entities.items()):
        return None
    return entities


def _is_button_value(value: object) -> bool:
    """What a button sends ("ochtend", "GM0344", "chat of beeldbellen"): a short string without an e-mail address
    or a phone number, so typed contact details fall through to the words path, where the vault takes them."""
    return isinstance(value, str) and len(value) <= 100 and bool(_BUTTON_VALUE.fullmatch(value))


def safe_sender_id(raw: str, key: bytes) -> str:
    """`raw` when it is a short id of safe characters without personal details; otherwise a keyed hash of it, the
    same for the same id (so the conversation goes on) but without the BSN, phone number or e-mail address that a
    client put in it, and never longer than 69 characters."""
    if _SAFE_SENDER.fullmatch(raw) and scrub_with_kinds(raw)[0] == raw and not _has_phone_number(raw):
        return raw
    digest = hmac.new(key, raw.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return HASHED_SENDER_PREFIX + digest[:40]


def _has_phone_number(text: str) -> bool:
    spaced = re.sub(r"[_.:]", " ", text)
    return any(True for _ in phonenumbers.PhoneNumberMatcher(spaced, "NL"))
