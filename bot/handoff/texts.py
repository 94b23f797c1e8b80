"""The handoff's person-facing texts and summary headings (knowledge/handoff/texts.yml): content, not code."""

from __future__ import annotations

from typing import Any, Dict

from bot.common import content


def _all() -> Dict[str, Any]:
    return content.load("handoff/texts.yml")


def entry(key: str) -> Any:
    """The raw value at `key`; dots walk into nested sections ("summary.domains")."""
    value: Any = _all()
    for part in key.split("."):
        value = value[part]
    return value


def text(key: str, **values: Any) -> str:
    """The text at `key` on one line, with {placeholders} filled in."""
    return " ".join(str(entry(key)).split()).format(**values)
