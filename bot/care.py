"""Care in the conversation: acknowledge a hard story before informing, and offer a person when only the
gemeente can judge the question (knowledge/conversation_care.yml)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Pattern, Tuple

import yaml

from bot import settings


@lru_cache(maxsize=None)
def _content() -> Dict[str, Any]:
    return yaml.safe_load((settings.KNOWLEDGE_DIR / "conversation_care.yml").read_text(encoding="utf-8"))


def _compiled(section: str, value: str) -> List[Tuple[Pattern[str], str]]:
    return [(re.compile("|".join(entry["patterns"])), entry[value]) for entry in _content()[section]]


@lru_cache(maxsize=None)
def _acknowledgements() -> List[Tuple[Pattern[str], str]]:
    return _compiled("acknowledgements", "text")


@lru_cache(maxsize=None)
def _triggers() -> List[Tuple[Pattern[str], str]]:
    return _compiled("handoff_triggers", "reason")


def _first(rules: List[Tuple[Pattern[str], str]], text: str) -> Optional[str]:
    lowered = text.lower()
    return next((value for pattern, value in rules if pattern.search(lowered)), None)


def acknowledgement(text: str) -> Optional[str]:
    """A sentence that says the person was heard, when their message tells a hard story."""
    return _first(_acknowledgements(), text)


def handoff_reason(text: str) -> Optional[str]:
    """Why a consulent should look at this question, when it is about the person's own situation."""
    return _first(_triggers(), text)


def offer_handoff_message() -> Dict[str, Any]:
    raw = _content()["offer_handoff"]
    return {"text": " ".join(str(raw["text"]).split()), "buttons": list(raw["buttons"])}
