"""The insight tables: counts per day, gemeente, kind and topic, folded from the conversation store before its
retention deletes the conversations (bot/insight/fold.py). Nothing in them leads back to a person."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String

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
