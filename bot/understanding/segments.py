"""A message cut into sentences and question clauses, and which of them ask something.

People tell their situation first ("Ik ben 47 en heb MS. Mijn man werkt.") and ask last, or in the middle. The
question decides the topic; the situation around it should not. Dutch questions start with a question word or
an inverted verb ("Kan ik …", "Heb ik …"), or end with a question mark.
"""

from __future__ import annotations

import re
from typing import List

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*|(?<=[.!?])(?=[A-Z])")
_QUESTION_START = re.compile(
    r"^(en |maar |dus |of |ook )?(wat|wie|wiens|waar\w*|waarom|wanneer|hoe\w*|welke?|kan|kun|kunnen|kunt|mag|mogen|"
    r"moet|moeten|heb|hebben|heeft|is|zijn (?:er|die|dat|ze|jullie)|krijg|krijgen|krijgt|ben|bestaat|bestaan|"
    r"zou|zouden|weet|weten|geldt|"
    r"gelden|klopt|word|wordt|worden|doe|doet|gaat|ga|betaalt|vergoedt|telt|zit|zitten|valt|val|hoort|hoor|"
    r"helpt|help|regelt|biedt|bieden|komt|kom|staat|sta|blijf|blijft|verlies|verliest|raak)\b"
)
# Sentences that ask without the form of a question: "ik wil weten …", "graag hulp bij …".
_REQUEST = re.compile(
    r"\b(ik (wil|zou) (het )?(graag )?(willen )?(weten|vragen|hulp|iemand|praten|spreken|contact)|ik vraag me af|"
    r"vraag is|ik zou het fijn vinden als|zoek eens|ik zoek (hulp|iemand|advies|informatie)|"
    r"graag (hulp|advies|informatie|uitleg|contact)|help me|help mij|wie helpt|"
    r"kan iemand|weet iemand|ik wil dat|ik snap niet|ik begrijp niet|leg uit|uitleg over|(bel|mail) (me|mij)|"
    r"ik (wil|wil graag|zou graag|heb liever) (een |met een |met )?(medewerker|mens|persoon|consulent|iemand))\b"
)
# A second question inside one sentence: "wat is LKS en moet ik dan in het register?"
_CLAUSE_BREAK = re.compile(
    r",?\s+(?:en|of|maar|ook)\s+(?=(?:wat|wie|waar\w*|waarom|wanneer|hoe\w*|welke?|moet|kan|kun|mag|heb|is|"
    r"krijg|zit|geldt|betaalt|wordt)\b)|;\s*"
)
_WORD = re.compile(r"\w+")


def words(text: str) -> int:
    """The number of words in `text`."""
    return len(_WORD.findall(text))


def sentences(text: str) -> List[str]:
    """The sentences of `text`, without empty ones."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s and s.strip() and words(s)]


def is_question(sentence: str) -> bool:
    """Whether the sentence asks something (question mark, question word or inverted verb, or a request)."""
    lowered = sentence.strip().lower()
    return lowered.endswith("?") or bool(_QUESTION_START.match(lowered)) or bool(_REQUEST.search(lowered))


def clauses(sentence: str) -> List[str]:
    """A question sentence cut where a second question starts; other sentences stay whole."""
    if not is_question(sentence):
        return [sentence]
    parts = [p.strip(" ,") for p in _CLAUSE_BREAK.split(sentence) if p and words(p) >= 2]
    return parts or [sentence]
