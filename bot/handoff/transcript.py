"""The conversation as the consulent reads it: a list of {who: bot|person, text, time}, scrubbed of BSN and IBAN,
as the person saw it: a clicked button by its title (never a raw payload), the assistant's Markdown kept for the
portal to show safely (and given as plain words to a gemeente's own system), each message once. A question the
assistant had no good answer to is marked `answered: false`, for the summary.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot.common import privacy
from bot.conversation.knowledge import library
from bot.conversation.messages import message

BOT, PERSON = "bot", "person"
MAX_MESSAGES = 200  # the last ones; a consulent reads the summary first anyway
MAX_TEXT = 2000
_RASA_SPEAKERS = {"user": PERSON, "bot": BOT}
_PAYLOAD = re.compile(r"^/[A-Za-z_][\w-]*(\{.*\})?(@[\d.]+)?$", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
# Buttons that are always there (the widget's own), and what the input guard makes of a message without words.
FIXED_BUTTONS = {
    "/request_human": "Praat met een medewerker",
    "/restart": "Opnieuw beginnen",
    "/no_content": "(een bericht zonder woorden)",
}
CLICKED = "Koos: {title}"
A_BUTTON = "(koos een knop)"
# Payloads the widget sends by itself (the person typed or clicked nothing): left out.
UNSEEN = {"/greet"}
# A payload without the buttons of the turn before (typed, or a button of the widget): named by its intent.
INTENT_TITLES = {"affirm": "Ja", "deny": "Nee", "inform": ""}
# The assistant's answers that say it did not understand, or only guessed (actions/fallback.py).
NOT_UNDERSTOOD = ("did_you_mean", "ask_rephrase", "give_up", "section_intro")
OUT_OF_SCOPE = "utter_out_of_scope"
ANSWERED = "answered"


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


def _payload_title(payload: str, titles: Mapping[str, str]) -> str:
    """What the person chose, in the words they saw: the button's title, else a title for the intent and the
    values of its entities ("Koos: Ja", "Koos: telefoon"); "" for a payload the widget sent on its own."""
    payload = payload.strip()
    if payload in titles or payload in FIXED_BUTTONS:
        return CLICKED.format(title=titles.get(payload) or FIXED_BUTTONS[payload])
    if payload in UNSEEN:
        return ""
    match = _PAYLOAD.match(payload)
    intent = payload[1:].split("{")[0].split("@")[0]
    try:
        values = [str(v) for v in json.loads(match.group(1)).values()] if match and match.group(1) else []
    except ValueError:
        values = []
    article = library().for_intent(intent)
    title = INTENT_TITLES.get(intent, article.title if article else "")
    words = ", ".join(w for w in [title, *values] if w and w not in ("true", "false", "True", "False"))
    return CLICKED.format(title=words) if words else A_BUTTON


def _not_understood(event: Mapping[str, Any]) -> bool:
    text = str(event.get("text") or "")
    said = [message(key)["text"] for key in NOT_UNDERSTOOD]
    return any(text.startswith(s) for s in said) or (event.get("metadata") or {}).get("utter_action") == OUT_OF_SCOPE


def from_rasa_events(events: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The user and bot messages of a Rasa tracker (`tracker.events`), in order; everything else is left out.
    A clicked button reads as its title ("Koos: Ja, geef mijn vraag door"), from the buttons shown just before;
    a message sent twice in a row is shown once; a question the assistant then said it did not understand (or
    only guessed at) is marked `answered: false`."""
    turns: List[Dict[str, Any]] = []
    titles: Dict[str, str] = {}
    asked: Optional[Dict[str, Any]] = None  # the person's last typed message, until the assistant answered it
    for event in events:
        who = _RASA_SPEAKERS.get(str(event.get("event")))
        text = str(event.get("text") or "")
        if who == BOT:
            titles = {
                **titles,
                **{
                    str(b.get("payload")): str(b.get("title"))
                    for b in (event.get("data") or {}).get("buttons") or []
                    if b.get("payload")
                },
            }
            if asked is not None and _not_understood(event):
                asked[ANSWERED] = False
        elif who == PERSON and is_payload(text):
            text = _payload_title(text, titles) or ""
        if not who or not text:
            continue
        if turns and (turns[-1]["who"], turns[-1]["text"]) == (who, text):
            continue  # the same message again straight after itself: shown once, as the person saw it
        turn = {"who": who, "text": text, "time": event.get("timestamp")}
        if who == PERSON:
            asked = turn if not is_payload(str(event.get("text"))) else None
        turns.append(turn)
    return turns


def _readable(who: str, text: str) -> str:
    return A_BUTTON if who == PERSON and is_payload(text) else text


def _cut(text: str) -> str:
    """At most MAX_TEXT characters; a longer text ends at its last whole line (so no link is cut in half), with "…"."""
    if len(text) <= MAX_TEXT:
        return text
    cut = text[: MAX_TEXT - 2]
    return (cut[: cut.rindex("\n")] if "\n" in cut else cut) + " …"


def clean(
    turns: Iterable[Mapping[str, Any]], phone: Optional[str] = None, email: Optional[str] = None
) -> List[Dict[str, Any]]:
    """Checked turns: known speakers only, no raw payloads, BSN/IBAN removed, own contact details masked, text cut
    to MAX_TEXT. The assistant's Markdown stays: the portal shows it as the person saw it (bot/web/portal/rendering.py),
    `as_plain_words` gives it without its signs."""
    result = []
    for turn in turns:
        who = str(turn.get("who", "")).strip().lower()
        if who not in (BOT, PERSON):
            raise ValueError(f"onbekende spreker in het gesprek: {who!r} (verwacht 'bot' of 'person')")
        # Scrub before cutting, so a number split at the cut cannot leave half of itself behind.
        text = _readable(who, str(turn.get("text") or ""))
        text = _cut(privacy.mask_known_contact(privacy.scrub(text), phone, email))
        checked: Dict[str, Any] = {"who": who, "text": text, "time": _time(turn.get("time"))}
        if who == PERSON and turn.get(ANSWERED) is False:
            checked[ANSWERED] = False
        result.append(checked)
    return result[-MAX_MESSAGES:]


def unanswered(turns: Iterable[Mapping[str, Any]]) -> List[str]:
    """The person's questions the assistant had no good answer to, in order."""
    return [str(t.get("text")) for t in turns if t.get("who") == PERSON and t.get(ANSWERED) is False]


def as_plain_words(turns: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The turns as a gemeente's own system receives them: {who, text, time}, the assistant's text without
    Markdown signs."""
    return [
        {"who": t["who"], "text": plain_text(str(t["text"])) if t["who"] == BOT else t["text"], "time": t.get("time")}
        for t in turns
    ]
