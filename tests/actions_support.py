"""Real rasa-sdk trackers and dispatchers for action tests (no Rasa server needed)."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(
    intent: str = "greet",
    text: str = "",
    slots: Optional[Dict[str, Any]] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    sender: str = "test",
    facet: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker whose latest message has `intent` (and optionally an intent ranking, and the facet the
    FacetReader read in it)."""
    latest = {
        "text": text or f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        "entities": [],
        **({"facet": facet} if facet else {}),
    }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": latest["text"], "parse_data": latest},
    ]
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def run(action: Any, tracker_: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Run an action; return (messages sent, events returned)."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, {})
    if inspect.iscoroutine(events):  # a form validation action's run is async
        events = asyncio.run(events)
    return dispatcher.messages, events


def starting(tracker_: Tracker, form: str) -> Tracker:
    """`tracker_` as Rasa sends it to `form`'s validation action when the latest message activates the form."""
    tracker_.events.append({"event": "active_loop", "name": form})
    tracker_.active_loop = {"name": form}
    return tracker_


def button_payloads(messages: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]
