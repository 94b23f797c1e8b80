"""The fallback steps in Dutch: "Bedoel je …?" with topics in human words, a rephrase, then the offer of a person.

These replace Rasa's built-in defaults of the same names (its English "Did you mean 'intent'?").
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot import settings
from bot.answers import HUMAN
from bot.knowledge import library
from bot.messages import message

MAX_SUGGESTIONS = 2
# Intents never offered as a guess: they are not topics a person asks about.
_NOT_SUGGESTED = {"nlu_fallback", "out_of_scope", "affirm", "deny", "no_content", "other_language", "more_info"}
NOT_THIS = {"title": "Nee, iets anders", "payload": "/out_of_scope"}


@lru_cache(maxsize=None)
def intent_labels() -> Dict[str, str]:
    labels = yaml.safe_load((settings.KNOWLEDGE_DIR / "intent_labels.yml").read_text(encoding="utf-8"))
    articles = {intent: a.title for intent, a in library().by_intent.items()}
    return {**articles, **labels}


def suggestions(intent_ranking: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    """Buttons for the most likely topics, best first, in words a person uses."""
    labels = intent_labels()
    names = [r.get("name") for r in intent_ranking]
    chosen = [n for n in names if n in labels and n not in _NOT_SUGGESTED][:MAX_SUGGESTIONS]
    return [{"title": labels[n], "payload": f"/{n}"} for n in chosen]


class ActionDefaultAskAffirmation(Action):
    """Stage one: "Bedoel je een van deze onderwerpen?" with the likeliest topics as buttons."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        options = suggestions(tracker.latest_message.get("intent_ranking") or [])
        if not options:
            dispatcher.utter_message(**message("ask_rephrase"))
            return []
        dispatcher.utter_message(text=message("did_you_mean")["text"], buttons=options + [NOT_THIS, HUMAN])
        return []


class ActionDefaultAskRephrase(Action):
    """Stage two: ask the person to say it in other words."""

    def name(self) -> Text:
        return "action_default_ask_rephrase"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**message("ask_rephrase"))
        return []


class ActionDefaultFallback(Action):
    """Still not understood: offer a person, and forget the message that was not understood."""

    def name(self) -> Text:
        return "action_default_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**message("give_up"))
        return [UserUtteranceReverted()]


class ActionRestart(Action):
    """Start the conversation again from nothing."""

    def name(self) -> Text:
        return "action_restart"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**message("restarted"))
        return [Restarted()]
