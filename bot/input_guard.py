"""Cleans every incoming message before Rasa sees it, so that odd input gets a calm answer and never an error.

Rules: text is made NFC, control characters go, and a message longer than the maximum is cut (the person is
told). A BSN or IBAN is replaced by a marker before anything is stored (the person is told). A message without any letter or digit (empty, only emoji or punctuation) becomes the `no_content`
intent. Text typed as a Rasa payload (`/intent{...}`) is only passed on as a payload when the intent may be
chosen by a button and its entities are ones buttons send; anything else is treated as plain words.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Optional

from bot.privacy import scrub

NO_CONTENT_PAYLOAD = "/no_content"

_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w-]*)(?P<entities>\{.*\})?(@[\d.]+)?$", re.DOTALL)
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class GuardedText:
    """The text Rasa should process, and whether the original was cut."""

    text: str
    truncated: bool = False
    removed_numbers: bool = False


@dataclass(frozen=True)
class PayloadPolicy:
    """Which intents and entities a typed or button payload may carry."""

    intents: FrozenSet[str]
    entities: FrozenSet[str] = frozenset()


def guard(raw: Any, policy: PayloadPolicy, max_length: int) -> GuardedText:
    """Return what Rasa should see for the incoming message `raw`."""
    text = _clean(raw)
    truncated = len(text) > max_length
    if truncated:
        text = text[:max_length].rstrip()
    scrubbed = scrub(text)
    removed = scrubbed != text
    if scrubbed.startswith("/"):
        return GuardedText(_payload_or_words(scrubbed, policy), truncated, removed)
    if not any(ch.isalnum() for ch in scrubbed):
        return GuardedText(NO_CONTENT_PAYLOAD, truncated, removed)
    return GuardedText(scrubbed, truncated, removed)


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
    if not all(k in policy.entities and isinstance(v, str) and len(v) <= 100 for k, v in entities.items()):
        return None
    return entities
