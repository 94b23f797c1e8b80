"""Real rasa-sdk trackers and dispatchers for action tests (no Rasa server needed)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(intent: str = "greet", text: str = "", slots: Optional[Dict[str, Any]] = None,
            ranking: Optional[List[Dict[str, Any]]] = None, sender: str = "test") -> Tracker:
    """A tracker whose latest message has `intent` (and optionally an intent ranking)."""
    latest = {
        "text": text or f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        "entities": [],
    }
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": latest["text"], "parse_data": latest}]
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def run(action: Any, tracker_: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Run an action; return (messages sent, events returned)."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, {})
    return dispatcher.messages, events


def button_payloads(messages: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]
