"""The insight tables: counts per day, gemeente, kind and topic, folded from the conversation store before its
retention deletes the conversations (bot/insight/fold.py). Nothing in them leads back to a person."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Index, Integer, String

from bot.common.db import Base

CONVERSATION = "gesprek"  # a conversation, counted on its first message
QUESTION = "vraag"  # a message about a topic (topic: the intent)
HANDOFF = "overdracht"  # a conversation that ended in a handoff (counted once per conversation)
SOCIALMAP = "sociale_kaart"  # a conversation that searched the social map (once per conversation)
UNANSWERED = "geen_antwoord"  # a conversation with a question the assistant could not answer (once)
KINDS = (CONVERSATION, QUESTION, HANDOFF, SOCIALMAP, UNANSWERED)
OUTCOMES = (HANDOFF, SOCIALMAP, UNANSWERED)
UNKNOWN = "onbekend"  # no gemeente known


class InsightCount(Base):
    __tablename__ = "insight_count"
    day = Column(Date, primary_key=True)
    gemeente_code = Column(String(10), primary_key=True)  # GMxxxx or "onbekend"
    kind = Column(String(20), primary_key=True)
    topic = Column(String(60), primary_key=True)  # an intent for QUESTION, "" for the others
    count = Column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_insight_count_gemeente_day", "gemeente_code", "day"),)


class InsightFold(Base):
    """How far the conversation store has been folded: the id of the last event counted."""

    __tablename__ = "insight_fold"
    source = Column(String(20), primary_key=True)  # "events"
    last_event_id = Column(Integer, nullable=False, default=0)


# What an editor decided about a question the assistant could not answer (bot/insight/unanswered.py).
EXAMPLE, NEW_TOPIC, NOT_FOR_US = "voorbeeld", "nieuw_onderwerp", "niet_voor_ons"
DECISIONS = (EXAMPLE, NEW_TOPIC, NOT_FOR_US)


class UnansweredQuestion(Base):
    """A question the assistant could not answer, made anonymous (privacy.anonymise) when the conversation store
    is folded. `conversation_key` (a keyed hash of the conversation id) lets "wis mijn gesprek" delete it; the
    retention job deletes it with its conversation, unless an editor adopted it as an example, and then only the
    key goes: the text no longer leads to a conversation."""

    __tablename__ = "unanswered_question"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_key = Column(String(64), index=True)  # NULL once adopted and past the conversation's retention
    day = Column(Date, nullable=False)  # Dutch calendar day
    gemeente_code = Column(String(10), nullable=False)  # GMxxxx or "onbekend"
    text = Column(String(500), nullable=False)  # anonymised
    guessed_topic = Column(String(60), nullable=False, default="")  # the intent the assistant thought most likely
    confidence = Column(Float, nullable=False, default=0.0)
    decision = Column(String(20))  # DECISIONS, or NULL: not decided yet
    decision_topic = Column(String(60))  # EXAMPLE: an intent; NEW_TOPIC: the new intent's name
    decided_by = Column(String(100))  # the portal user name
    decided_at = Column(DateTime)  # naive UTC

    __table_args__ = (Index("ix_unanswered_gemeente_day", "gemeente_code", "day"),)


class InsightKey(Base):
    """The random key of the conversation hashes (one row, made on first use; never leaves the database)."""

    __tablename__ = "insight_key"
    name = Column(String(20), primary_key=True)
    value = Column(String(64), nullable=False)
