"""Actions that answer from the knowledge articles (one action for every topic)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.latest import latest_intent, latest_text, widget_gemeente
from bot.answers import long_answer, short_answer
from bot.care import acknowledgement, handoff_reason, offer_handoff_message
from bot.knowledge import library
from bot.messages import message


class ActionShowArticle(Action):
    """Shows the short answer of the article for the intent the person just expressed."""

    def name(self) -> Text:
        return "action_show_article"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = latest_intent(tracker)
        article = library().for_intent(intent, tracker.get_slot("gemeente") or widget_gemeente(tracker))
        if article is None:
            dispatcher.utter_message(**message("ask_rephrase"))
            return []
        text = latest_text(tracker)
        heard = acknowledgement(text) if intent != "crisis" else None
        if heard:
            dispatcher.utter_message(text=heard)
        dispatcher.utter_message(**short_answer(article))
        events = [SlotSet("last_article", article.id)]
        reason = handoff_reason(text) or (f"na uitleg over: {article.title}" if article.offer_handoff else None)
        if reason and intent != "crisis":
            dispatcher.utter_message(**offer_handoff_message())
            events.append(SlotSet("handoff_reason", reason))
        return events


class ActionShowArticleDetails(Action):
    """'Meer uitleg': the long explanation and sources of the article shown last."""

    def name(self) -> Text:
        return "action_show_article_details"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        article_id = tracker.get_slot("last_article")
        article = library().get(article_id, tracker.get_slot("gemeente") or widget_gemeente(tracker)) if article_id else None
        if article is None:
            dispatcher.utter_message(**message("which_topic"))
            return []
        dispatcher.utter_message(**long_answer(article))
        return []
