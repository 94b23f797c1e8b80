"""When the assistant did not understand: first the best matching part of the articles, then "Bedoel je …?" with
topics that fit what the person told, and after a second miss in a row the offer of a person.

The rule `nlu_fallback → action_last_resort` (data/stories/fallback.yml) replaces Rasa's two-stage fallback: a
person who asks for help in their own words should get an answer, not a quiz.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import FACET_SURE, followup_reading, read_facet
from actions.latest import known_gemeente, latest_intent, latest_text, leave_forms, person_texts, previous_answer
from bot.common import content
from bot.conversation.answers import HUMAN, facet_answer, section_answer
from bot.conversation.care import term
from bot.conversation.knowledge import Article, Facet, library
from bot.conversation.messages import message
from bot.handoff.situation import told_age
from bot.understanding.retrieval import MIN_SCORE, section_index

MAX_SUGGESTIONS = 2
OFF_TOPIC = "out_of_scope"
NOT_THIS = {"title": "Nee, iets anders", "payload": f"/{OFF_TOPIC}"}
YOUNG_UNTIL = 27  # the jongeren article is for people up to 27 (knowledge/articles/jongeren.md)


@lru_cache(maxsize=None)
def intent_labels() -> Dict[str, str]:
    labels = content.load("intent_labels.yml")
    articles = {intent: a.title for intent, a in library().by_intent.items()}
    return {**articles, **labels}


def _fits(intent: str, age: Optional[int]) -> bool:
    """A topic fits unless what the person told rules it out (someone of 47 is not asked about jongeren)."""
    return not (intent == "ask_young_people" and age is not None and age > YOUNG_UNTIL)


def suggestions(
    intent_ranking: List[Dict[str, Any]], texts: Iterable[str] = (), also: Iterable[str] = ()
) -> List[Dict[str, str]]:
    """Buttons for the likeliest topics that fit the person, best first, in words a person uses. Only article
    topics: "Praat met een medewerker" is always added separately, once."""
    labels = intent_labels()
    age = told_age(" ".join(texts))
    topics = set(library().by_intent) - {"crisis"}
    names = [str(r.get("name")) for r in intent_ranking] + list(also)
    chosen = [n for n in dict.fromkeys(names) if n in topics and _fits(n, age)][:MAX_SUGGESTIONS]
    return [{"title": labels[n], "payload": f"/{n}"} for n in chosen]


def _missed_just_before(tracker: Tracker) -> bool:
    """Whether the assistant's last answer was already a "Bedoel je …?" or a request to rephrase."""
    return previous_answer(tracker) in {message("did_you_mean")["text"], message("ask_rephrase")["text"]}


class ActionLastResort(Action):
    """Not understood, or seemingly off topic: a follow-up on the topic of the conversation when that is nearly as
    likely; else the best matching section of an article; else, off topic, say what the assistant does; else
    topics to choose from, and at a second miss in a row a person."""

    def name(self) -> Text:
        return "action_last_resort"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = latest_text(tracker)
        if latest_intent(tracker) == OFF_TOPIC and text.startswith("/"):  # "Nee, iets anders" on a guess
            dispatcher.utter_message(text=message("ask_rephrase")["text"], buttons=[HUMAN])
            return []
        chosen = term(tracker.get_slot("preferred_term"))
        reading = followup_reading(tracker, latest_intent(tracker), text) or _facet_of_current_topic(tracker)
        if reading is not None:
            dispatcher.utter_message(**facet_answer(*reading, chosen))
            return leave_forms(tracker, dispatcher)
        index = section_index()
        match = index.best(text, MIN_SCORE)
        if match is not None:
            article = (
                library().get(match.section.article_id, known_gemeente(tracker))
                or library().articles[match.section.article_id]
            )
            dispatcher.utter_message(
                **section_answer(
                    article, match.section.heading, match.section.text, message("section_intro")["text"], chosen
                )
            )
            return [SlotSet("last_article", article.id), *leave_forms(tracker, dispatcher)]
        if latest_intent(tracker) == OFF_TOPIC:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        if _missed_just_before(tracker):
            dispatcher.utter_message(**message("give_up"))
            return []
        nearby = [library().articles[m.section.article_id].intents[0] for m in index.search(text, limit=3)]
        options = suggestions(tracker.latest_message.get("intent_ranking") or [], person_texts(tracker), nearby)
        if not options:
            dispatcher.utter_message(text=message("ask_rephrase")["text"], buttons=[HUMAN])
            return []
        dispatcher.utter_message(text=message("did_you_mean")["text"], buttons=options + [NOT_THIS, HUMAN])
        # The likeliest topic becomes the topic of the conversation: "hoe lang duurt dat?" next is about it.
        likeliest = library().for_intent(options[0]["payload"].lstrip("/"))
        return [SlotSet("last_article", likeliest.id)] if likeliest else []


def _facet_of_current_topic(tracker: Tracker) -> Optional[Tuple[Article, Facet]]:
    """A short question the model could not place, that plainly asks a facet ("ik heb geen behandelaar meer, kan
    het dan nog?" right after IPS): in a conversation it is about the topic just discussed."""
    last = tracker.get_slot("last_article")
    article = library().get(last, known_gemeente(tracker)) if last else None
    facet = read_facet(tracker, FACET_SURE) if article is not None else None
    return (article, facet) if article is not None and facet is not None else None


class ActionDefaultFallback(Action):
    """Rasa's last fallback (not normally reached): offer a person, and forget the message not understood."""

    def name(self) -> Text:
        return "action_default_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**message("give_up"))
        return [UserUtteranceReverted()]


# "nee, dat bedoel ik niet", "dat is het niet", "verkeerd antwoord": a no that says the last answer missed.
_CORRECTION = re.compile(r"\b(bedoel|bedoelde|is het niet|niet wat ik|verkeerd|klopt niet|snap je|begrijp je)\b")


class ActionDenyWithoutQuestion(Action):
    """A no (or "laat maar") when nothing was asked: after "dat bedoel ik niet" the assistant says it misunderstood
    and asks for other words, with a person to turn to; a plain "nee" is taken as it is."""

    def name(self) -> Text:
        return "action_deny_without_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        corrected = _CORRECTION.search(latest_text(tracker).lower())
        dispatcher.utter_message(**message("misunderstood" if corrected else "deny_without_question"))
        return []


class ActionRestart(Action):
    """Start the conversation again from nothing."""

    def name(self) -> Text:
        return "action_restart"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**message("restarted"))
        return [Restarted()]
