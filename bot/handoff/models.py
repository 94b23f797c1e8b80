"""The handoff tables: the handoff itself, its status history, the outbox for the webhook, and purge counts.

Times are stored as naive UTC: SQLite has no time zones, and this keeps SQLite and PostgreSQL identical.
Contact details live in the handoff row only; the outbox holds no personal data (the body is built at sending).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import relationship

from bot.common.db import Base

NEW, PICKED_UP, CONTACT_MADE, CLOSED = "new", "picked_up", "contact_made", "closed"
WITHDRAWN = "withdrawn"  # the person took it back (with the reference code): contact details erased
STATUSES = (NEW, PICKED_UP, CONTACT_MADE, CLOSED, WITHDRAWN)
FINISHED = (CLOSED, WITHDRAWN)  # no more work; the retention period runs
EVENT_CREATED = "handoff.created"


class Handoff(Base):
    __tablename__ = "handoff"
    id = Column(Integer, primary_key=True, autoincrement=True)
    reference_code = Column(String(12), nullable=False, unique=True)
    gemeente_code = Column(String(10), nullable=False)
    status = Column(String(20), nullable=False, default=NEW)
    consent_text = Column(Text, nullable=False)
    consent_at = Column(DateTime, nullable=False)
    contact_channel = Column(String(30), nullable=False)
    phone = Column(String(20))  # E.164
    email = Column(String(254))
    preferred_time = Column(String(20), nullable=False)
    alias = Column(String(100))  # a name or nickname, only when the person gave one
    reason = Column(Text, nullable=False)
    topics = Column(Text, nullable=False, default="[]")  # JSON list
    intents = Column(Text, nullable=False, default="[]")  # JSON list
    summary = Column(Text, nullable=False)  # JSON object, see service.build_summary
    transcript = Column(Text, nullable=False, default="[]")  # JSON list of {who, text, time}
    created_at = Column(DateTime, nullable=False)
    respond_by = Column(Date, nullable=False)  # the date promised to the person
    closed_at = Column(DateTime)
    retention_until = Column(DateTime, nullable=False)

    history = relationship(
        "HandoffStatusChange", cascade="all, delete-orphan", passive_deletes=True, order_by="HandoffStatusChange.id"
    )
    outbox = relationship(
        "HandoffOutbox", cascade="all, delete-orphan", passive_deletes=True, order_by="HandoffOutbox.id"
    )

    __table_args__ = (
        # The portal's list: one gemeente's handoffs with a given status, newest first.
        Index("ix_handoff_portal", "gemeente_code", "status", "created_at"),
        Index("ix_handoff_retention", "status", "retention_until"),
    )


class HandoffStatusChange(Base):
    __tablename__ = "handoff_status_change"
    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoff.id", ondelete="CASCADE"), nullable=False, index=True)
    from_status = Column(String(20))  # None for the first row (creation)
    to_status = Column(String(20), nullable=False)
    at = Column(DateTime, nullable=False)
    by = Column(String(100), nullable=False)  # "assistent", or the consulent's portal account


class HandoffOutbox(Base):
    """One message for a gemeente's webhook; written in the same transaction as the handoff."""

    __tablename__ = "handoff_outbox"
    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoff.id", ondelete="CASCADE"), nullable=False, index=True)
    event = Column(String(50), nullable=False)
    payload = Column(Text, nullable=False, default="{}")  # JSON: event metadata only, no personal data
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime)
    last_error = Column(Text)
    flagged = Column(Boolean, nullable=False, default=False, server_default=false())
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (
        # The notifier's question: what is not delivered, not flagged, and due?
        Index("ix_handoff_outbox_due", "delivered_at", "flagged", "next_attempt_at"),
    )


class HandoffPurgeCount(Base):
    """What is left of purged handoffs: how many, per gemeente and month of creation. Nothing personal."""

    __tablename__ = "handoff_purge_count"
    id = Column(Integer, primary_key=True, autoincrement=True)
    gemeente_code = Column(String(10), nullable=False)
    month = Column(String(7), nullable=False)  # "2026-11"
    count = Column(Integer, nullable=False, default=0)

    __table_args__ = (UniqueConstraint("gemeente_code", "month", name="uq_handoff_purge_count"),)


class HandoffSettingsOverride(Base):
    """A gemeente's handoff settings as its beheerder changed them in the portal, on top of gemeenten.yml.

    `settings` holds only the fields that differ from the file, in the file's own names and shapes, so that
    one parser (bot/handoff/config.py) checks both. The webhook secret is write-only in the portal: it is
    stored here because signing needs it, and is never shown, logged or sent anywhere but into the signature.
    """

    __tablename__ = "handoff_settings_override"
    gemeente_code = Column(String(10), primary_key=True)
    settings = Column(Text, nullable=False, default="{}")  # JSON object
    webhook_secret = Column(String(200))
    updated_at = Column(DateTime, nullable=False)
    updated_by = Column(String(100), nullable=False)  # the beheerder's portal account
