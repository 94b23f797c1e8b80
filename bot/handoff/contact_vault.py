"""Keeps phone numbers and e-mail addresses out of the conversation store.

The channel guard takes them out of a message before Rasa sees it, leaving a masked form ("06-****5678"), and
keeps the real value here for a short time, under a hash of the conversation id and a random key. That key goes
into the message's metadata (CONTACT_REF), so only the conversation's own events can read the entry back: a
tracker made up with someone else's sender id cannot. The handoff form reads it back when the person has given
consent; it is deleted when the handoff is stored, when the person cancels, and in any case after VAULT_MINUTES.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

import phonenumbers
from sqlalchemy import Column, DateTime, Integer, String, delete, select
from sqlalchemy.orm import Session

from bot.common.clock import to_db_time, utc_now
from bot.common.db import Base
from bot.common.privacy import mask_email, mask_phone

VAULT_MINUTES = 30
CONTACT_REF = "contact_ref"  # the metadata key of a user message whose contact details went into the vault
PHONE = "telefoon"
EMAIL = "e-mail"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")


class ContactVaultEntry(Base):
    __tablename__ = "contact_vault"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_hash = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    value = Column(String(254), nullable=False)
    expires_at = Column(DateTime, nullable=False, index=True)


@dataclass(frozen=True)
class Found:
    kind: str
    value: str
    masked: str


def conversation_hash(sender_id: str, ref: str = "") -> str:
    return hashlib.sha256(f"{sender_id}\0{ref}".encode("utf-8")).hexdigest()


def new_ref() -> str:
    return secrets.token_urlsafe(18)


def refs_in(events: Iterable[Dict[str, Any]]) -> List[str]:
    """The vault keys in a conversation's user messages."""
    found = [(e.get("metadata") or {}).get(CONTACT_REF) for e in events if e.get("event") == "user"]
    return [ref for ref in found if isinstance(ref, str) and ref]


def take_out_contacts(text: str) -> Tuple[str, List[Found]]:
    """The text with phone numbers and e-mail addresses masked, and what was found."""
    spans = [(m.start(), m.end(), Found(EMAIL, m.group(0), mask_email(m.group(0)))) for m in _EMAIL.finditer(text)]
    for match in phonenumbers.PhoneNumberMatcher(text, "NL"):
        if not any(start <= match.start < end for start, end, _ in spans):
            spans.append((match.start, match.end, Found(PHONE, match.raw_string, mask_phone(match.raw_string))))
    spans.sort(key=lambda span: span[0])
    for start, end, item in reversed(spans):
        text = text[:start] + item.masked + text[end:]
    return text, [item for _, _, item in spans]


def _now() -> dt.datetime:
    """Now in UTC, without a time zone, as the column stores it."""
    return to_db_time(utc_now())


def keep(session: Session, sender_id: str, found: List[Found], ref: str, now: Optional[dt.datetime] = None) -> None:
    now = now or _now()
    purge_expired(session, now)
    for item in found:
        session.add(
            ContactVaultEntry(
                conversation_hash=conversation_hash(sender_id, ref),
                kind=item.kind,
                value=item.value,
                expires_at=now + dt.timedelta(minutes=VAULT_MINUTES),
            )
        )


def latest(
    session: Session, sender_id: str, kind: str, refs: List[str], now: Optional[dt.datetime] = None
) -> Optional[str]:
    """The last phone number or e-mail address this conversation gave, if it has not expired; `refs` are the
    vault keys in the conversation's own events (refs_in)."""
    query = (
        select(ContactVaultEntry.value)
        .where(
            ContactVaultEntry.conversation_hash.in_(_hashes(sender_id, refs)),
            ContactVaultEntry.kind == kind,
            ContactVaultEntry.expires_at > (now or _now()),
        )
        .order_by(ContactVaultEntry.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def forget(session: Session, sender_id: str, refs: List[str]) -> None:
    session.execute(delete(ContactVaultEntry).where(ContactVaultEntry.conversation_hash.in_(_hashes(sender_id, refs))))


def _hashes(sender_id: str, refs: List[str]) -> List[str]:
    return [conversation_hash(sender_id, ref) for ref in refs]


def purge_expired(session: Session, now: Optional[dt.datetime] = None) -> int:
    """Delete the entries past their expiry; how many."""
    return session.execute(delete(ContactVaultEntry).where(ContactVaultEntry.expires_at <= (now or _now()))).rowcount
