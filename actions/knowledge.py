"""Actions that answer from the knowledge articles (one action for every topic)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.latest import known_gemeente, latest_intent, latest_text
from bot.answers import long_answer, short_answer
from bot.care import (
    Term, acknowledgement, chosen_term, default_term, handoff_reason, offer_handoff_message, own_term, term,
    term_text, terms,
)
from bot.knowledge import library
from bot.messages import message


class ActionShowArticle(Action):
    """Shows the short answer of the article for the intent the person just expressed."""

    def name(self) -> Text:
        return "action_show_article"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = latest_intent(tracker)
        article = library().for_intent(intent, known_gemeente(tracker))
        if article is None:
            dispatcher.utter_message(**message("ask_rephrase"))
            return []
        text = latest_text(tracker)
        heard = acknowledgement(text) if intent != "crisis" else None
        if heard:
            dispatcher.utter_message(text=heard)
        dispatcher.utter_message(**short_answer(article, term(tracker.get_slot("preferred_term"))))
        events = [SlotSet("last_article", article.id)]
        reason = handoff_reason(text) or (f"na uitleg over: {article.title}" if article.offer_handoff else None)
        if reason and intent != "crisis":
            dispatcher.utter_message(**offer_handoff_message())
            events.append(SlotSet("handoff_reason", reason))
        elif intent != "crisis":
            ask_term_once(dispatcher, tracker, text)
        return events


TERM_INTENT = "choose_term"


def _term_button(title: str, chosen: Term) -> Dict[str, str]:
    return {"title": title, "payload": f'/{TERM_INTENT}{{"preferred_term": "{chosen.word}"}}'}


def ask_term_once(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> None:
    """When the person uses a word of their own for their beperking, ask once which word the assistant should use.

    Not in the same turn as the offer of a person (one question at a time), and never again once asked.
    """
    own = own_term(text)
    if own is None or tracker.get_slot("preferred_term") or _term_asked(tracker):
        return
    default = term(default_term())
    dispatcher.utter_message(text=term_text("ask", own=own.word), buttons=[
        _term_button(term_text("use_own", own=own.word), own),
        _term_button(term_text("use_default"), default),
    ])


def _term_asked(tracker: Tracker) -> bool:
    return any(str(button.get("payload", "")).startswith(f"/{TERM_INTENT}")
               for event in tracker.events if event.get("event") == "bot"
               for button in (event.get("data") or {}).get("buttons") or [])


class ActionConfirmPreferredTerm(Action):
    """'Zeg maar ziekte': remember the word, say so, and use it from now on."""

    def name(self) -> Text:
        return "action_confirm_preferred_term"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        chosen = term(next(tracker.get_latest_entity_values("preferred_term"), None)) \
            or chosen_term(latest_text(tracker))
        if chosen is None:
            dispatcher.utter_message(text=term_text("which"), buttons=[
                _term_button(t.word.capitalize(), t) for t in terms()])
            return []
        dispatcher.utter_message(text=term_text("confirm", term=chosen.word))
        return [SlotSet("preferred_term", chosen.word)]


class ActionShowArticleDetails(Action):
    """'Meer uitleg': the long explanation and sources of the article shown last."""

    def name(self) -> Text:
        return "action_show_article_details"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        article_id = tracker.get_slot("last_article")
        article = library().get(article_id, known_gemeente(tracker)) if article_id else None
        if article is None:
            dispatcher.utter_message(**message("which_topic"))
            return []
        dispatcher.utter_message(**long_answer(article, term(tracker.get_slot("preferred_term"))))
        return []
