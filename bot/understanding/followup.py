"""A short question that points back at the last answer ("waar vraag ik dat aan?", "kost dat wat?"): it asks about
a facet of the current topic, not about the topic its words happen to resemble."""

from __future__ import annotations

import re
from typing import Optional

from bot.conversation.knowledge import Article, Facet, facet_in_question, library
from bot.understanding.segments import words

FOLLOW_UP_WORDS = 9  # longer messages tell something new rather than lean on the last answer
# Words that refer to what was just said.
POINTS_BACK = re.compile(r"\b(dat|dit|het|zoiets|zo'n|daar|daarvoor|ervoor|hiervoor|die|deze)(?!\w)")
_WORD = re.compile(r"[a-zà-ÿ][a-zà-ÿ-]{3,}")
_LEADING_ACRONYM = re.compile(r"^([A-Z]{2,4})\b")  # "IPS via de GGZ": short, but it is the subject
# Words in titles that do not name a subject (question words, the gemeente, work in general).
_GENERIC = {
    "gemeente",
    "uitkering",
    "beperking",
    "werken",
    "mijn",
    "jouw",
    "tijdens",
    "zonder",
    "naar",
    "waar",
    "welke",
    "waarom",
    "wanneer",
    "krijg",
    "geen",
    "voor",
    "over",
    "niet",
    "moet",
    "heeft",
    "hebben",
    "wordt",
    "doet",
    "terecht",
    "iemand",
    "hulp",
    "vraag",
    "vragen",
}


def names_topic(text: str, article: Article) -> bool:
    """Whether the text names the article's subject: a word of its title, the first six letters alike (so that
    "no-risk" finds "De no-riskpolis" and "bezwaar" finds "Bezwaar maken tegen een besluit"), or the abbreviation
    its title starts with, in any case ("ips" finds "IPS via de GGZ")."""
    stems = {w[:6] for w in _WORD.findall(article.title.lower()) if w not in _GENERIC}
    if any(w[:6] in stems for w in _WORD.findall(text.lower()) if w not in _GENERIC):
        return True
    acronym = _LEADING_ACRONYM.match(article.title)
    return acronym is not None and acronym.group(1).lower() in re.findall(r"\w+", text.lower())


def pointing_back(text: str, predicted_intent: str, limit: int = FOLLOW_UP_WORDS) -> Optional[Facet]:
    """The facet of a question of at most `limit` words that points back and names no topic of its own; None
    otherwise."""
    if words(text) > limit or not POINTS_BACK.search(text.lower()):
        return None
    facet = facet_in_question(text)
    predicted = library().for_intent(predicted_intent)
    if facet is None or (predicted is not None and names_topic(text, predicted)):
        return None
    return facet
