"""Actions that answer from the knowledge articles (one action for every topic)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.latest import (
    known_gemeente,
    latest_intent,
    latest_text,
    leave_forms,
    named_gemeente,
    previous_answer,
    slot_change,
    waits_for_consent,
)
from bot.conversation.answers import facet_answer, long_answer, short_answer
from bot.conversation.care import (
    Term,
    acknowledgement,
    chosen_term,
    default_term,
    handoff_reason,
    offer_handoff_message,
    own_term,
    term,
    term_text,
    terms,
)
from bot.conversation.knowledge import Article, Facet, facet_for_intent, facet_in_question, library
from bot.conversation.messages import message
from bot.understanding.followup import FOLLOW_UP_WORDS, names_topic, pointing_back
from bot.understanding.retrieval import asked_part
from bot.understanding.segments import words

# How likely a follow-up must be, relative to the new topic the model prefers, to be read as one.
FOLLOW_UP_RATIO = 0.5
MORE_INTENT = "more_info"
# "wat bedoel je met loonwaarde?", "vertel meer over de no-riskpolis": the words after the cue are what is asked.
_EXPLAIN_CUE = re.compile(r"\b(?:met|over|betekent|is|zijn|houdt)\s+(?P<word>.+)$")


class ActionShowArticle(Action):
    """Shows the article for the intent the person just expressed: its short answer, or its answer to the facet the
    question asks about ("hoe lang duurt jobcoaching?"); a second question in the message is offered as a button."""

    def name(self) -> Text:
        return "action_show_article"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        chosen = term(tracker.get_slot("preferred_term"))
        reading = followup_reading(tracker, intent, text)
        if reading is not None:
            dispatcher.utter_message(**facet_answer(*reading, chosen))
            return leave_forms(tracker, dispatcher)
        article = library().for_intent(intent, known_gemeente(tracker))
        if article is None:
            dispatcher.utter_message(**message("ask_rephrase"))
            return []
        heard = acknowledgement(text) if intent != "crisis" else None
        if heard:
            dispatcher.utter_message(text=heard)
        answer = self._answer(tracker, intent, article, text, chosen)
        dispatcher.utter_message(**with_second_question(answer, tracker, article))
        leaving = waits_for_consent(tracker)
        events = [SlotSet("last_article", article.id), *remembered_gemeente(tracker), *leave_forms(tracker, dispatcher)]
        events += slot_change(tracker, "crisis_answered", intent == "crisis")
        reason = handoff_reason(text) or (f"na uitleg over: {article.title}" if article.offer_handoff else None)
        offered = intent == "crisis"  # its answer ends with a person to turn to: "ja" then means that
        if reason and intent != "crisis":
            # Offered once, not again in the very next turn (the button for a person is under every answer anyway),
            # and not in the turn that says nothing is passed on.
            offer = offer_handoff_message()
            if previous_answer(tracker) != offer["text"] and not leaving:
                dispatcher.utter_message(**offer)
                offered = True
            events.append(SlotSet("handoff_reason", reason))
        elif intent != "crisis":
            ask_term_once(dispatcher, tracker, text)
        return events + slot_change(tracker, "person_offered", offered)

    @staticmethod
    def _answer(tracker: Tracker, intent: str, article: Article, text: str, chosen: Optional[Term]) -> Dict[str, Any]:
        """The facet the question asks about when the article has it; the same topic asked again gets the full
        explanation rather than the same short answer twice (and the short one after the full one); otherwise the
        short answer."""
        if intent == "crisis":
            return short_answer(article, chosen)
        again = tracker.get_slot("last_article") == article.id
        # In a story only what it asks counts: "ze zeggen dat ik eerst bijstand moet aanvragen … wat nu?" asks
        # what now, not how to apply.
        facet = facet_in_question(asked_part(text)) or (read_facet(tracker, FACET_SURE) if again else None)
        if facet and facet.key in article.facets:
            return facet_answer(article, facet, chosen)
        full = long_answer(article, chosen)
        if again and previous_answer(tracker) != full["text"]:
            return full
        return short_answer(article, chosen)


# How sure the FacetReader must be that a short question about the topic of the conversation asks a facet
# ("duurt zo'n proefplaatsing lang?" right after proefplaatsing). A first question about a topic gets its short
# answer unless its words plainly ask a facet (the patterns of knowledge/facets.yml): "welke regelingen zijn er?"
# is a question about the topic, however much it looks like "voor wie is dat?".
FACET_SURE = 0.5


def read_facet(tracker: Tracker, sure: float) -> Optional[Facet]:
    """The facet the FacetReader read in the latest message (bot/rasa/classifier.py), when at least `sure`; None
    for `other` and `more_info`, which ask no facet."""
    reading = tracker.latest_message.get("facet") or {}
    sure_enough = float(reading.get("confidence") or 0.0) >= sure
    return facet_for_intent(str(reading.get("name") or "")) if sure_enough else None


def followup_reading(tracker: Tracker, intent: str, text: str) -> Optional[Tuple[Article, Facet]]:
    """A short question that the model reads as a new topic but that may just as well lean on the last answer
    ("ook als ik geen uitkering heb?" right after werkvoorzieningen): when a follow-up is nearly as likely, it is
    read as a follow-up about the topic of the conversation, which is what people mean in a conversation."""
    last = tracker.get_slot("last_article")
    if not last or intent == "crisis" or words(text) > FOLLOW_UP_WORDS:
        return None
    article = library().get(last, known_gemeente(tracker))
    ranking, top = _ranking(tracker)
    if article is None or not ranking:
        return None
    predicted = library().for_intent(intent, known_gemeente(tracker))
    if predicted is not None and predicted.id != article.id and names_topic(text, predicted):
        return None  # "en de banenafspraak, kom ik daarvoor in aanmerking?": a question about the topic it names
    for candidate in ranking[:4]:
        facet = facet_for_intent(str(candidate.get("name")))
        if facet and float(candidate.get("confidence") or 0.0) >= FOLLOW_UP_RATIO * top:
            return article, facet
    # "vraag ik dat dan bij de gemeente aan?": a facet, a word that points back, and no other topic named.
    facet = pointing_back(text, intent)
    return (article, facet) if facet else None


def named_other_topic(tracker: Tracker, text: str, current: Optional[Article]) -> Optional[Article]:
    """A follow-up that names another topic ("en bij ips, moet ik daar iets?"): that topic's article, when the model
    also ranks it near the top; otherwise None and the follow-up stays with the current topic. A request for
    explanation ("wat bedoel je met loonwaarde?") and a question after a topic put in front ("en jobcoaching, wie
    betaalt dat?") are about the topic they name whenever the model ranks it at all: the kind of question is what
    the model is sure of, the words say which topic."""
    if text.startswith("/"):  # a button: it says what it means
        return None
    ranking, top = _ranking(tracker)
    cue = _EXPLAIN_CUE.search(text.lower()) if ranking and ranking[0].get("name") == MORE_INTENT else None
    # "en jobcoaching, wie betaalt dat?": a topic put in front, then the question about it.
    front, comma, _ = text.partition(",")
    lead = front if comma and words(front) <= 4 else ""
    for candidate in ranking[:5]:
        article = library().for_intent(str(candidate.get("name")), known_gemeente(tracker))
        if article is None or article.id in ("crisis", getattr(current, "id", None)):
            continue
        if cue and names_topic(cue.group("word"), article):
            return article
        if lead and names_topic(lead, article):
            return article
        if float(candidate.get("confidence") or 0.0) >= FOLLOW_UP_RATIO * top and names_topic(text, article):
            return article
    return None


def _ranking(tracker: Tracker) -> Tuple[List[Dict[str, Any]], float]:
    """The model's ranking of the latest message (the fallback pseudo-intent left out) and its top confidence."""
    ranking = [r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    return ranking, float(ranking[0].get("confidence") or 0.0) if ranking else 0.0


def with_second_question(answer: Dict[str, Any], tracker: Tracker, first: Article) -> Dict[str, Any]:
    """When the message asked a second question on another topic, offer it as the first button."""
    also = tracker.latest_message.get("also_asked") or {}
    second = library().for_intent(str(also.get("name") or ""), known_gemeente(tracker))
    if second is None or second.id == first.id:
        return answer
    note = message("also_asked", title=second.title)["text"]
    button = {"title": second.title, "payload": f"/{also['name']}"}
    others = [b for b in answer["buttons"] if b["payload"] != button["payload"]]
    return {**answer, "text": f"{answer['text']}\n\n{note}", "buttons": [button, *others]}


def remembered_gemeente(tracker: Tracker) -> List[Dict[Text, Any]]:
    """A gemeente the person names in their story is kept, so that it is not asked again later; a newly named one
    replaces the earlier one, as the answer just given was about it ("Meer uitleg" then stays with it)."""
    named = named_gemeente(tracker)
    return [SlotSet("gemeente", named)] if named and named != tracker.get_slot("gemeente") else []


class ActionAnswerFollowUp(Action):
    """A follow-up that leans on the last answer ("hoe lang duurt dat?"): that article's answer for the facet."""

    def name(self) -> Text:
        return "action_answer_followup"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        facet = facet_for_intent(latest_intent(tracker))
        article_id = tracker.get_slot("last_article")
        article = library().get(article_id, known_gemeente(tracker)) if article_id else None
        events: List[Dict[Text, Any]] = []
        other = named_other_topic(tracker, latest_text(tracker), article)
        if other is not None:  # "wat bedoel je met loonwaarde?": the topic it names, not the last one
            article, events = other, [SlotSet("last_article", other.id)]
            if facet is None or facet.key not in other.facets:
                dispatcher.utter_message(**short_answer(other, term(tracker.get_slot("preferred_term"))))
                return events + leave_forms(tracker, dispatcher)
        if article is None:  # no topic yet: the likeliest topic of the question itself, when there is one
            article = _likeliest_topic(tracker)
            events = [SlotSet("last_article", article.id)] if article else []
        if facet is None or article is None:
            dispatcher.utter_message(**message("which_topic_followup"))
            return []
        dispatcher.utter_message(**facet_answer(article, facet, term(tracker.get_slot("preferred_term"))))
        return events + leave_forms(tracker, dispatcher)


# Below this the model has no real idea which topic a question without context is about.
MIN_TOPIC_CONFIDENCE = 0.1


def _likeliest_topic(tracker: Tracker) -> Optional[Article]:
    for candidate in tracker.latest_message.get("intent_ranking") or []:
        article = library().for_intent(str(candidate.get("name")), known_gemeente(tracker))
        if article is not None and article.id != "crisis":
            return article if float(candidate.get("confidence") or 0.0) >= MIN_TOPIC_CONFIDENCE else None
    return None


TERM_INTENT = "choose_term"


def _term_button(title: str, chosen: Term) -> Dict[str, str]:
    return {"title": title, "payload": f'/{TERM_INTENT}{{"preferred_term": "{chosen.word}"}}'}


def ask_term_once(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> None:
    """When the person uses a word of their own for their beperking, ask once which word the assistant should use.

    Not in the same turn as the offer of a person (one question at a time), and never again once asked.
    """
    own = own_term(text)
    default = term(default_term())
    if own is None or default is None or tracker.get_slot("preferred_term") or _term_asked(tracker):
        return
    dispatcher.utter_message(
        text=term_text("ask", own=own.word),
        buttons=[
            _term_button(term_text("use_own", own=own.word), own),
            _term_button(term_text("use_default"), default),
        ],
    )


def _term_asked(tracker: Tracker) -> bool:
    return any(
        str(button.get("payload", "")).startswith(f"/{TERM_INTENT}")
        for event in tracker.events
        if event.get("event") == "bot"
        for button in (event.get("data") or {}).get("buttons") or []
    )


class ActionConfirmPreferredTerm(Action):
    """'Zeg maar ziekte': remember the word, say so, and use it from now on."""

    def name(self) -> Text:
        return "action_confirm_preferred_term"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        chosen = term(next(tracker.get_latest_entity_values("preferred_term"), None)) or chosen_term(
            latest_text(tracker)
        )
        if chosen is None:
            dispatcher.utter_message(
                text=term_text("which"), buttons=[_term_button(t.word.capitalize(), t) for t in terms()]
            )
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
        chosen = term(tracker.get_slot("preferred_term"))
        asked = latest_text(tracker)
        other = named_other_topic(tracker, asked, article)
        if other is not None:  # "wat bedoel je met loonwaarde?": the topic it names, from its short answer
            dispatcher.utter_message(**short_answer(other, chosen))
            return [SlotSet("last_article", other.id), *leave_forms(tracker, dispatcher)]
        if article is None:
            dispatcher.utter_message(**message("which_topic"))
            return []
        facet = facet_in_question(asked) or read_facet(tracker, FACET_SURE)
        if facet is not None:  # "moet dat eigenlijk wel?" read as a wish for more: the question it plainly asks
            dispatcher.utter_message(**facet_answer(article, facet, chosen))
            return leave_forms(tracker, dispatcher)
        dispatcher.utter_message(**long_answer(article, chosen))
        return []


class ActionCrisisAftercare(Action):
    """Right after the crisis answer, a short or unclear reply: the helplines once more and a person, never a
    cheerful menu of topics (data/stories/knowledge.yml)."""

    def name(self) -> Text:
        return "action_crisis_aftercare"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        first = message("crisis_aftercare")
        again = previous_answer(tracker) == first["text"]  # not the same words twice in a row
        dispatcher.utter_message(**(message("crisis_aftercare_again") if again else first))
        return slot_change(tracker, "person_offered", True)
