"""The conversation as the consulent reads it: a list of {who: bot|person, text, time}, scrubbed of BSN and IBAN."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot import privacy

BOT, PERSON = "bot", "person"
MAX_MESSAGES = 200  # the last ones; a consulent reads the summary first anyway
MAX_TEXT = 2000
_RASA_SPEAKERS = {"user": PERSON, "bot": BOT}


def _time(value: Any) -> Optional[str]:
    """ISO 8601 in UTC from a Rasa timestamp (seconds), a datetime or an ISO string."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(float(value), tz=timezone.utc)
    elif isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_rasa_events(events: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The user and bot messages of a Rasa tracker (`tracker.events`), in order; everything else is left out."""
    turns = []
    for event in events:
        who = _RASA_SPEAKERS.get(str(event.get("event")))
        text = event.get("text")
        if who and text:
            turns.append({"who": who, "text": text, "time": event.get("timestamp")})
    return turns


def clean(turns: Iterable[Mapping[str, Any]], phone: Optional[str] = None,
          email: Optional[str] = None) -> List[Dict[str, Any]]:
    """Checked turns: known speakers only, BSN/IBAN removed, own contact details masked, text cut to MAX_TEXT."""
    result = []
    for turn in turns:
        who = str(turn.get("who", "")).strip().lower()
        if who not in (BOT, PERSON):
            raise ValueError(f"onbekende spreker in het gesprek: {who!r} (verwacht 'bot' of 'person')")
        # Scrub before cutting, so a number split at the cut cannot leave half of itself behind.
        text = privacy.mask_known_contact(privacy.scrub(str(turn.get("text") or "")), phone, email)[:MAX_TEXT]
        result.append({"who": who, "text": text, "time": _time(turn.get("time"))})
    return result[-MAX_MESSAGES:]
