"""The person's own rights (AVG), in any conversation: wipe this conversation, withdraw a handoff with its code,
and "wat weten jullie van mij?" answered from what is really stored for this conversation."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.latest import latest_text, previous_answer
from bot.common import settings
from bot.common.db import session_scope
from bot.common.regions import get_gemeente
from bot.conversation.answers import HUMAN
from bot.conversation.messages import message, text
from bot.conversation.store import FORGET_CONVERSATION
from bot.handoff import contact_vault
from bot.handoff import texts as handoff_texts
from bot.handoff.models import FINISHED
from bot.handoff.service import find_handoff, status_message, withdraw
from bot.insight import unanswered
from bot.understanding.reference import find_code

logger = logging.getLogger(__name__)

# The action server cannot reach Rasa's conversation store: the channel deletes the conversation on this marker.


class ActionDeleteConversation(Action):
    """'Verwijder mijn gesprek': at once, and the person is told; the contact vault entries go too."""

    def name(self) -> Text:
        return "action_delete_conversation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        try:
            with session_scope() as session:
                contact_vault.forget(session, tracker.sender_id, contact_vault.refs_in(tracker.events))
                unanswered.forget(session, tracker.sender_id)  # its questions without an answer, if already folded
        except SQLAlchemyError:
            logger.exception(
                "Contact vault and unanswered questions not emptied on request; they expire with their retention (%s "
                "minutes; %s days)",
                contact_vault.VAULT_MINUTES,
                settings.CONVERSATION_RETENTION_DAYS,
            )
        dispatcher.utter_message(**message("conversation_deleted"))
        dispatcher.utter_message(json_message=FORGET_CONVERSATION)
        return []


def asked_code_to_withdraw(tracker: Tracker) -> bool:
    """The assistant's last question was "welke vraag wil je intrekken?": a code now means withdraw, not status."""
    return previous_answer(tracker) == message("withdraw_ask_code")["text"]


class ActionWithdrawHandoff(Action):
    """'Ik wil mijn vraag intrekken (WW-…)': with the code in the message, or the one made in this conversation,
    the handoff is withdrawn at once; otherwise the person is asked for the code."""

    def name(self) -> Text:
        return "action_withdraw_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        code = find_code(latest_text(tracker)) or tracker.get_slot("last_handoff_code")
        if not code:
            dispatcher.utter_message(**message("withdraw_ask_code"))
            return []
        dispatcher.utter_message(text=withdraw_answer(code), buttons=[HUMAN])
        return []


def withdraw_answer(code: str) -> str:
    """Withdraw the handoff with `code` and say what happened (also for a mistyped or unknown code)."""
    try:
        with session_scope() as session:
            found = find_handoff(session, code)
            if found is None:  # mistyped or unknown: the same help as the status look-up
                return status_message(session, code)
            if found.status in FINISHED:
                return text("withdrawn_already", code=found.reference_code)
            handoff = withdraw(session, code)
            if handoff is None:  # gone between the two look-ups
                return status_message(session, code)
            return handoff_texts.text("status_meaning.withdrawn", code=handoff.reference_code, datum="")
    except SQLAlchemyError:
        return message("technical_problem")["text"]


class ActionWhatIsStored(Action):
    """'Wat weten jullie van mij?': what is stored for this conversation, read from its own events and stores."""

    def name(self) -> Text:
        return "action_what_is_stored"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        events = list(tracker.events)
        typed = [e for e in events if e.get("event") == "user" and not str(e.get("text") or "").startswith("/")]
        lines = [text("what_is_stored_intro")]
        if typed:
            lines.append(text("what_is_stored_messages", count=len(typed), days=settings.CONVERSATION_RETENTION_DAYS))
        else:
            lines.append(text("what_is_stored_nothing"))
        gemeente = get_gemeente(tracker.get_slot("gemeente") or "")
        if gemeente:
            lines.append(text("what_is_stored_gemeente", gemeente=gemeente.roo_name))
        if tracker.get_slot("preferred_term"):
            lines.append(text("what_is_stored_term", term=tracker.get_slot("preferred_term")))
        if contact_vault.refs_in(events) or any("****" in str(e.get("text") or "") for e in typed):
            lines.append(text("what_is_stored_contact"))
        unanswered_turns = sum(1 for e in events if e.get("event") == "action" and e.get("name") in unanswered.ACTIONS)
        if unanswered_turns:  # kept apart for the gemeente's editor when the store is folded (bot/insight)
            lines.append(text("what_is_stored_unanswered", count=unanswered_turns))
        codes = list(
            dict.fromkeys(
                e.get("value")
                for e in events
                if e.get("event") == "slot" and e.get("name") == "last_handoff_code" and e.get("value")
            )
        )
        for code in codes:
            lines.append(text("what_is_stored_handoff", code=code, days=settings.HANDOFF_RETENTION_DAYS))
        dispatcher.utter_message(text="\n".join(lines))
        dispatcher.utter_message(**message("what_is_stored_never"))
        return []
