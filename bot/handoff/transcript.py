"""The conversation as the consulent reads it: a list of {who: bot|person, text, time}, scrubbed of BSN and IBAN,
in plain words: no Markdown signs, and a button the person clicked by its title, never as a raw payload.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot import privacy

BOT, PERSON = "bot", "person"
MAX_MESSAGES = 200  # the last ones; a consulent reads the summary first anyway
MAX_TEXT = 2000
_RASA_SPEAKERS = {"user": PERSON, "bot": BOT}
_PAYLOAD = re.compile(r"^/[A-Za-z_][\w-]*(\{.*\})?(@[\d.]+)?$", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
# Buttons that are always there (the widget's own), and what the input guard makes of a message without words.
FIXED_BUTTONS = {"/request_human": "Praat met een medewerker", "/restart": "Opnieuw beginnen",
                 "/no_content": "(een bericht zonder woorden)"}
CLICKED = "Koos: {title}"
A_BUTTON = "(koos een knop)"


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


def plain_text(text: str) -> str:
    """Markdown as a person reads it: **bold** and _italic_ without their signs, a link as its words (and its
    address when the words do not show it)."""
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) in m.group(2) else f"{m.group(1)} ({m.group(2)})", text)
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


def is_payload(text: str) -> bool:
    return bool(_PAYLOAD.match(text.strip()))


def from_rasa_events(events: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The user and bot messages of a Rasa tracker (`tracker.events`), in order; everything else is left out.
    A clicked button reads as its title ("Koos: Ja, geef mijn vraag door"), from the buttons shown just before."""
    turns = []
    titles: Dict[str, str] = {}
    for event in events:
        who = _RASA_SPEAKERS.get(str(event.get("event")))
        text = event.get("text")
        if who == BOT:
            titles = {**titles, **{str(b.get("payload")): str(b.get("title")) for b in
                                   (event.get("data") or {}).get("buttons") or [] if b.get("payload")}}
        elif who == PERSON and text and is_payload(str(text)):
            title = titles.get(str(text).strip()) or FIXED_BUTTONS.get(str(text).strip())
            text = CLICKED.format(title=title) if title else A_BUTTON
        if who and text:
            turns.append({"who": who, "text": text, "time": event.get("timestamp")})
    return turns


def _readable(who: str, text: str) -> str:
    if who == PERSON:
        return A_BUTTON if is_payload(text) else text
    return plain_text(text)


def clean(turns: Iterable[Mapping[str, Any]], phone: Optional[str] = None,
          email: Optional[str] = None) -> List[Dict[str, Any]]:
    """Checked turns: known speakers only, in plain words (no Markdown, no raw payloads), BSN/IBAN removed, own
    contact details masked, text cut to MAX_TEXT."""
    result = []
    for turn in turns:
        who = str(turn.get("who", "")).strip().lower()
        if who not in (BOT, PERSON):
            raise ValueError(f"onbekende spreker in het gesprek: {who!r} (verwacht 'bot' of 'person')")
        # Scrub before cutting, so a number split at the cut cannot leave half of itself behind.
        text = _readable(who, str(turn.get("text") or ""))
        text = privacy.mask_known_contact(privacy.scrub(text), phone, email)[:MAX_TEXT]
        result.append({"who": who, "text": text, "time": _time(turn.get("time"))})
    return result[-MAX_MESSAGES:]
