"""Plain-language (B1) measures for Dutch text: Flesch-Douma and sentence length."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

import textstat

textstat.set_lang("nl")

MIN_FLESCH_DOUMA = 55.0
MAX_SENTENCE_WORDS = 20

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MARKDOWN = re.compile(r"[*_`#>]|\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Readability:
    """How readable one text is, and which sentences are too long."""

    flesch_douma: float
    longest_sentence: int
    long_sentences: List[str]

    @property
    def is_b1(self) -> bool:
        return self.flesch_douma >= MIN_FLESCH_DOUMA and not self.long_sentences


def plain_text(markdown: str) -> str:
    """Markdown to the words a reader sees (link texts kept, URLs and markup dropped)."""
    return _MARKDOWN.sub(lambda m: m.group(1) or "", markdown)


def sentences(text: str) -> List[str]:
    lines = [line.strip(" -\t") for line in plain_text(text).splitlines()]
    parts = (_SENTENCE_END.split(line) for line in lines if line)
    return [s.strip() for part in parts for s in part if s.strip()]


def measure(text: str) -> Readability:
    """Flesch-Douma (textstat with Dutch settings) and sentence lengths of `text`."""
    found = sentences(text)
    lengths = [len(s.split()) for s in found]
    return Readability(
        flesch_douma=round(textstat.flesch_reading_ease(plain_text(text)), 1),
        longest_sentence=max(lengths, default=0),
        long_sentences=[s for s, n in zip(found, lengths) if n > MAX_SENTENCE_WORDS],
    )
