"""Asking and checking the person's gemeente: shared by the social-map form and the handoff form (both ask "In welke
gemeente woon je?" and fill the same `gemeente` slot)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.latest import latest_text, widget_gemeente
from bot.common import settings
from bot.common.regions import (
    Gemeente,
    Resolution,
    find_gemeente_in_text,
    gemeenten_in_regio,
    get_gemeente,
    resolve_gemeente,
)
from bot.conversation.messages import message
from bot.conversation.messages import text as message_text

MAX_GEMEENTE_BUTTONS = 14


def gemeente_answer(tracker: Tracker) -> Dict[Text, Any]:
    """The answer to "In welke gemeente woon je?" when it names a gemeente, whatever intent the model read in it:
    a name it was not trained on ("Voorne aan Zee") is still an answer, not a question to fall back on."""
    text = latest_text(tracker)
    if tracker.get_slot("requested_slot") != "gemeente" or not text or text.startswith("/"):
        return {}
    found = resolve_gemeente(text)
    if not found.candidates:
        found = find_gemeente_in_text(text)
    return {"gemeente": text} if found.candidates else {}


def _and_list(names: List[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def say_former(found: Resolution, dispatcher: CollectingDispatcher) -> None:
    """An old gemeente named: one short sentence on where it went ("Weesp hoort sinds 2022 bij de gemeente
    Amsterdam"), so the person knows why another name appears. Nothing for a current name."""
    if found.former and found.gemeente:
        dispatcher.utter_message(
            text=message_text(
                "gemeente_former", old=found.former.name, year=found.former.year, new=found.gemeente.roo_name
            )
        )


def split_question(found: Resolution) -> Optional[Dict[str, Any]]:
    """For a split gemeente (Haaren): which part? As a message with one button per part; else None."""
    if not (found.former and found.former.split and found.ambiguous):
        return None
    names = [g.roo_name for g in found.candidates]
    return {
        "text": message_text("gemeente_split", old=found.former.name, year=found.former.year, parts=_and_list(names)),
        "buttons": _gemeente_buttons(list(found.candidates)),
    }


def check_gemeente(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """The gemeente slot for what the person typed or clicked; buttons when it is ambiguous or unknown."""
    found = resolve_gemeente(str(value or ""))
    if not found.found and not found.ambiguous:
        found = find_gemeente_in_text(str(value or ""))
    if found.gemeente:
        say_former(found, dispatcher)
        return {"gemeente": found.gemeente.code}
    if split_question(found) is not None:
        pass  # the form asks again, and action_ask_gemeente then names the parts
    elif found.ambiguous:
        dispatcher.utter_message(
            text=message("gemeente_which")["text"], buttons=_gemeente_buttons(list(found.candidates))
        )
    else:
        dispatcher.utter_message(
            text=message("gemeente_unknown")["text"], buttons=_gemeente_buttons(_nearby_gemeenten(tracker))
        )
    return {"gemeente": None}


def _nearby_gemeenten(tracker: Tracker) -> List[Gemeente]:
    widget = get_gemeente(widget_gemeente(tracker) or "")
    regio = widget.arbeidsmarktregio.code if widget and widget.arbeidsmarktregio else settings.DEFAULT_ARBEIDSMARKTREGIO
    return gemeenten_in_regio(regio)


def _gemeente_buttons(gemeenten: List[Gemeente]) -> List[Dict[str, str]]:
    return [
        {"title": g.roo_name, "payload": f'/inform{{"gemeente": "{g.code}"}}'} for g in gemeenten[:MAX_GEMEENTE_BUTTONS]
    ]
