"""What the person just said, as every action reads it from the tracker."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.common.regions import current_code, find_gemeente_in_text
from bot.conversation.messages import message


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def widget_gemeente(tracker: Tracker) -> Optional[str]:
    """The CBS code of the gemeente whose website the chat widget is on (`data-gemeente`, sent as message
    metadata), or None. The person's own answer always wins: callers use this only when no gemeente is known."""
    metadata = tracker.latest_message.get("metadata")
    code = metadata.get("gemeente") if isinstance(metadata, dict) else None
    # A page that still names an old code (Weesp's GM0457) gets today's gemeente; a split one (Haaren) none.
    return current_code(code) if isinstance(code, str) else None


def person_texts(tracker: Tracker) -> List[str]:
    """Everything the person typed in this conversation (not button payloads), e.g. to hear their age."""
    return [
        str(e.get("text") or "")
        for e in tracker.events
        if e.get("event") == "user" and not str(e.get("text") or "").startswith("/")
    ]


def previous_answer(tracker: Tracker) -> Optional[str]:
    """The text of the assistant's last message before the person's latest one, or None."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return event.get("text")
    return None


def named_gemeente(tracker: Tracker) -> Optional[str]:
    """The CBS code of a gemeente the person names in this very message ("ik woon in Houten, …"), or None."""
    text = latest_text(tracker)
    if not text or text.startswith("/"):
        return None
    place = find_gemeente_in_text(text)
    return place.gemeente.code if place.gemeente else None


def known_gemeente(tracker: Tracker) -> Optional[str]:
    """The gemeente for answers: the one named in this message, else the person's own (slot), else the one of the
    widget's page. The page's gemeente never wins over the person's words: someone from Houten on Utrecht's site
    gets no Utrecht text."""
    return named_gemeente(tracker) or tracker.get_slot("gemeente") or widget_gemeente(tracker)


def slot_change(tracker: Tracker, name: str, value: bool) -> List[Dict[str, Any]]:
    """Set a yes/no slot only when it changes: `crisis_answered` (the crisis answer was just given) and
    `person_offered` (a typed "ja" next starts the handoff) steer rules, so each event is a turn in the story."""
    return [SlotSet(name, value)] if value != bool(tracker.get_slot(name)) else []


SEARCH_FORM = "social_map_form"
HANDOFF_FORM = "handoff_form"


def leave_forms(tracker: Tracker, dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
    """A new question while a form still waits: the person moved on. The search ends instead of asking again after
    every answer. The handoff ends too while it only waits for consent, and says so once: a question instead of
    "ja" is not a yes, and asking for consent again under every answer presses the person. Once she has said yes,
    the handoff stays and goes on after the answer."""
    loop = (tracker.active_loop or {}).get("name")
    if loop == HANDOFF_FORM and waits_for_consent(tracker):
        dispatcher.utter_message(**message("handoff_not_now"))
    elif loop != SEARCH_FORM:
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


# "ja, maar …", and questions about what happens with the data: part of deciding, not a turn away from it.
_YES_BUT = re.compile(r"^\W*(ja|jawel|ok|oke|oké|prima|goed|graag)\b", re.IGNORECASE)
DECIDING_INTENTS = ("ask_privacy", "ask_what_is_stored")


def waits_for_consent(tracker: Tracker) -> bool:
    """Whether the handoff asked for consent, has no yes, and the latest message turned away from it; not "ja, maar
    wat doen jullie met mijn gegevens?", which is answered before consent is asked again."""
    if (tracker.active_loop or {}).get("name") != HANDOFF_FORM:
        return False
    asked = tracker.get_slot("requested_slot") == "handoff_consent"
    deciding = bool(_YES_BUT.match(latest_text(tracker))) or latest_intent(tracker) in DECIDING_INTENTS
    return asked and tracker.get_slot("handoff_consent") is not True and not deciding
