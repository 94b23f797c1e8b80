"""The assistant's own messages (knowledge/system_messages.yml): text plus optional buttons."""

from __future__ import annotations

from typing import Any, Dict

from bot.common import content


def _all() -> Dict[str, Dict[str, Any]]:
    return content.load("system_messages.yml")


def message(key: str, **values: Any) -> Dict[str, Any]:
    """The message `key` as keyword arguments for `utter_message` (text with {placeholders} filled in)."""
    raw = _all()[key]
    if isinstance(raw, str):
        raw = {"text": raw}
    # Spaces are tidied within each line; line breaks (paragraphs, lists in a `|` block) stay.
    lines = (" ".join(line.split()) for line in str(raw["text"]).strip().split("\n"))
    text = "\n".join(lines).format(**values)
    return {"text": text, "buttons": list(raw.get("buttons") or [])}


def text(key: str, **values: Any) -> str:
    """Only the text of message `key`."""
    return str(message(key, **values)["text"])


def template(key: str) -> str:
    """The text of message `key` with its {placeholders} unfilled, on one line."""
    raw = _all()[key]
    return " ".join(str(raw if isinstance(raw, str) else raw["text"]).split())
