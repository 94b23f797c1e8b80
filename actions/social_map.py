"""'Waar kan ik terecht?': find the theme and gemeente (a form asks for what is missing), then search the map."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.gemeente import check_gemeente, gemeente_answer, say_former, split_question
from actions.latest import latest_intent, latest_text, person_texts, widget_gemeente
from bot.common import settings
from bot.common.db import session_scope
from bot.common.regions import (
    find_gemeente_in_text,
)
from bot.conversation.answers import HUMAN
from bot.conversation.knowledge import library
from bot.conversation.messages import message
from bot.handoff.situation import told_age
from bot.socialmap.present import result_messages, theme_buttons
from bot.socialmap.search import record_unmet_need, resolve_theme, search
from bot.socialmap.taxonomy import find_audiences_in_text, find_theme_in_text

PAGE = 3


def _article_theme(tracker: Tracker) -> Optional[str]:
    """The theme of the article the person just read, so "Waar kan ik terecht?" searches for that."""
    article_id = tracker.get_slot("last_article")
    article = library().get(article_id) if article_id else None
    return article.socialmap_theme if article else None


def read_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """What the question that starts a search already says: theme, gemeente and audience, so the form asks only
    for what is missing. A new search starts on its first page; "andere hulp" forgets the theme, not the place."""
    text = latest_text(tracker)
    theme = None
    if latest_intent(tracker) != "find_other_service":
        # "waar dan?" or "wij wonen in Amersfoort" right after an answer: a search for that answer's topic.
        theme = find_theme_in_text(text) or (
            _article_theme(tracker) if latest_intent(tracker) in ("ask_where_to_go", "inform") else None
        )
    events = [SlotSet("sm_theme", theme), SlotSet("sm_offset", 0)]
    place = find_gemeente_in_text(text)
    if place.gemeente:
        say_former(place, dispatcher)
        events.append(SlotSet("gemeente", place.gemeente.code))
    elif not tracker.get_slot("gemeente") and (widget := widget_gemeente(tracker)):
        events.append(SlotSet("gemeente", widget))
    audiences = find_audiences_in_text(text)
    if audiences:
        events.append(SlotSet("sm_audience", audiences[0]))
    return events


def starts_now(tracker: Tracker, form: str) -> bool:
    """True when `form` was activated by the person's latest message (Rasa puts the activation after it and then
    calls the form's validation action once): the one call in which the question itself can be read."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == form:
            return True
    return False


class ValidateSocialMapForm(FormValidationAction):
    """Checks the theme and gemeente the person gave; offers buttons when unsure."""

    def name(self) -> Text:
        return "validate_social_map_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        # At the start the question is read here, in the call Rasa makes anyway, instead of by an action of its
        # own before the form (one action call and one policy prediction fewer per search; docs/measures/README.md,
        # "Speed"). The values it finds are codes already, and slots kept from an earlier search are replaced, not
        # validated.
        if starts_now(tracker, self.form_name()):
            return read_question(dispatcher, tracker)
        return await super().run(dispatcher, tracker, domain)

    def validate_sm_theme(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        theme = resolve_theme(text) or find_theme_in_text(text)
        if theme:
            return {"sm_theme": theme}
        # Text only: the form asks again right after this, with the topics and a person as buttons (once).
        dispatcher.utter_message(text=message("theme_unknown")["text"])
        return {"sm_theme": None}

    async def extract_gemeente(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return gemeente_answer(tracker)

    def validate_gemeente(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return check_gemeente(value, dispatcher, tracker)


class ActionAskSmTheme(Action):
    def name(self) -> Text:
        return "action_ask_sm_theme"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=message("ask_theme")["text"], buttons=theme_buttons() + [HUMAN])
        return []


class ActionAskGemeente(Action):
    def name(self) -> Text:
        return "action_ask_gemeente"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        # "Ik woon in Haaren" (in the question, or as the answer): the question names the parts to pick from.
        split = split_question(find_gemeente_in_text(latest_text(tracker)))
        if split is not None:
            dispatcher.utter_message(**split)
            return []
        handoff = (tracker.active_loop or {}).get("name") == "handoff_form"
        dispatcher.utter_message(**message("handoff_ask_gemeente" if handoff else "ask_gemeente"))
        return []


class ActionSearchSocialMap(Action):
    """Searches the map (gemeente, then region, then national) and shows a page of at most three services."""

    def name(self) -> Text:
        return "action_search_social_map"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        theme = tracker.get_slot("sm_theme")
        if not theme:
            dispatcher.utter_message(text=message("ask_theme")["text"], buttons=theme_buttons() + [HUMAN])
            return []
        offset = int(tracker.get_slot("sm_offset") or 0) if latest_intent(tracker) == "show_more_results" else 0
        try:
            with session_scope() as session:
                # Example records are for the demo only (settings.EXAMPLE_CONTENT): a resident never gets them.
                result = search(
                    session,
                    theme,
                    tracker.get_slot("gemeente"),
                    tracker.get_slot("sm_audience"),
                    limit=PAGE,
                    offset=offset,
                    include_demo=settings.EXAMPLE_CONTENT,
                    age=told_age(" ".join(person_texts(tracker))),
                )
                if offset == 0 and not result.found_nearby:
                    record_unmet_need(session, theme, tracker.get_slot("gemeente"))
        except SQLAlchemyError:
            dispatcher.utter_message(text=message("socialmap_down")["text"], buttons=[HUMAN])
            return []
        if offset and not result.hits:
            dispatcher.utter_message(text=message("no_more_results")["text"], buttons=[HUMAN])
            return []
        for reply in result_messages(result):
            dispatcher.utter_message(**reply)
        return [SlotSet("sm_offset", offset + len(result.hits))]
