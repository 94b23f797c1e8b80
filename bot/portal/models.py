"""The portal's tables: accounts, the audit log, notes on handoffs and the portal's own state of a handoff.

Notes and state hang off the handoff with ON DELETE CASCADE, so the handoff's retention purge removes them too.
The audit log keeps only the reference code, never personal data, so it can outlive the handoff.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, false

from bot.common.db import Base

CONSULENT, TEAMLEIDER, BEHEERDER = "consulent", "teamleider", "beheerder"
ROLES = (CONSULENT, TEAMLEIDER, BEHEERDER)


class PortalUser(Base):
    __tablename__ = "portal_user"
    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(100), nullable=False, unique=True)
    password_hash = Column(String(200), nullable=False)  # argon2id
    role = Column(String(20), nullable=False)
    gemeenten = Column(Text, nullable=False)  # comma-separated CBS codes
    # No longer set by failed sign-ins (those are counted per source in portal_sign_in_failure); kept for the schema.
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    totp_secret = Column(String(64))  # second factor (every role; required per gemeente: WW_WEB_TOTP_REQUIRED)
    totp_last_step = Column(Integer)  # the 30-second step of the last accepted code: a code works only once
    session_nonce = Column(String(64), nullable=False)  # changed at sign-out: old session cookies stop working
    api_token_hash = Column(String(64))  # sha256 of the bearer token for /api/, when one was issued
    active = Column(Boolean, nullable=False, default=True)
    # Insight (#20) for all gemeenten ("Heel Nederland"), granted by a beheerder; counts only, like the rest.
    national_insight = Column(Boolean, nullable=False, default=False, server_default=false())
    created_at = Column(DateTime, nullable=False)
    last_login_at = Column(DateTime)

    @property
    def gemeente_codes(self) -> tuple:
        return tuple(c for c in (self.gemeenten or "").split(",") if c)


class SignInFailure(Base):
    """Failed sign-ins in a row for one user name from one source (an IPv4 address or an IPv6 /64), and until
    when that source is locked out for that name. Other sources are not affected."""

    __tablename__ = "portal_sign_in_failure"
    username = Column(String(100), primary_key=True)
    source = Column(String(64), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    updated_at = Column(DateTime, nullable=False, index=True)


class AuditEntry(Base):
    """Who did what, to which handoff, when: every view and every change."""

    __tablename__ = "portal_audit"
    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False)
    username = Column(String(100), nullable=False)
    action = Column(String(50), nullable=False)
    reference_code = Column(String(12))
    gemeente_code = Column(String(10))
    detail = Column(Text)  # no personal data: an outcome, a status, an account name

    __table_args__ = (Index("ix_portal_audit_gemeente_at", "gemeente_code", "at"),)


class HandoffNote(Base):
    __tablename__ = "handoff_note"
    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoff.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False)
    by = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)


class HandoffWork(Base):
    """What the portal adds to a handoff: who has it, how contact was made, and the outcome of closing."""

    __tablename__ = "handoff_work"
    handoff_id = Column(Integer, ForeignKey("handoff.id", ondelete="CASCADE"), primary_key=True)
    assigned_to = Column(String(100), index=True)
    assigned_at = Column(DateTime)
    contact_method = Column(String(30))
    contact_at = Column(DateTime)
    outcome = Column(String(30))
    outcome_detail = Column(Text)
