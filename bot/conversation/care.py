"""Care in the conversation: acknowledge a hard story before informing, offer a person when only the gemeente
can judge the question, and use the person's own word for their beperking (knowledge/conversation_care.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Pattern, Tuple

from bot.common import content as content_files


def content() -> Dict[str, Any]:
    return content_files.load("conversation_care.yml")


def _compiled(section: str, value: str) -> List[Tuple[Pattern[str], str]]:
    return [(re.compile("|".join(entry["patterns"])), entry[value]) for entry in content()[section]]


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
    raw = content()["offer_handoff"]
    return {"text": " ".join(str(raw["text"]).split()), "buttons": list(raw["buttons"])}


@dataclass(frozen=True)
class Term:
    """A word for the person's beperking, with its plural; all are de-words, so they replace "beperking" cleanly."""

    word: str
    plural: str
    pattern: Pattern[str]


@lru_cache(maxsize=None)
def terms() -> List[Term]:
    return [
        Term(t["term"], t["plural"], re.compile("|".join(t["patterns"]))) for t in content()["preferred_terms"]["terms"]
    ]


def term_text(key: str, **values: str) -> str:
    return " ".join(str(content()["preferred_terms"][key]).split()).format(**values)


def default_term() -> str:
    return str(content()["preferred_terms"]["default"])


def term(word: Optional[str]) -> Optional[Term]:
    """The listed term for a word (a button's entity or a slot); None for anything not on the list."""
    return next((t for t in terms() if word and t.word == word.strip().lower()), None)


def _mentioned(text: str) -> List[Term]:
    lowered = text.lower()
    return [t for t in terms() if t.pattern.search(lowered)]


def own_term(text: str) -> Optional[Term]:
    """The person's own word for their beperking, when they use one and do not say "beperking" themselves."""
    mentioned = _mentioned(text)
    if any(t.word == default_term() for t in mentioned):
        return None
    return mentioned[0] if mentioned else None


def chosen_term(text: str) -> Optional[Term]:
    """The word a person asks for in words ("zeg maar ziekte", "liever niet beperking maar aandoening")."""
    mentioned = _mentioned(text)
    others = [t for t in mentioned if t.word != default_term()]
    return others[0] if others else (mentioned[0] if mentioned else None)


# Links and web addresses keep their words: an address with "beperking" in it must still work.
_LINKS = re.compile(r"\]\([^)]*\)|https?://\S+")
_BEPERKING = re.compile(r"\b([Bb])eperking(en)?\b")


def use_term(text: str, chosen: Optional[Term]) -> str:
    """The text with "beperking(en)" replaced by the person's own word, outside links."""
    if chosen is None or chosen.word == default_term():
        return text

    def replace(match: "re.Match[str]") -> str:
        word = chosen.plural if match.group(2) else chosen.word
        return word[0].upper() + word[1:] if match.group(1) == "B" else word

    parts, last = [], 0
    for link in _LINKS.finditer(text):
        parts += [_BEPERKING.sub(replace, text[last : link.start()]), link.group(0)]
        last = link.end()
    parts.append(_BEPERKING.sub(replace, text[last:]))
    return "".join(parts)
