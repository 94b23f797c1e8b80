"""The last resort before "Ik weet niet zeker": the best matching part of the knowledge articles.

Each article is cut into sections (its short answer, each paragraph under a **heading** of its explanation, each
follow-up answer) and indexed with BM25 (rank_bm25) over Dutch word stems (NLTK's Snowball stemmer). BM25 is the
standard for ranking short passages by a query's words; both libraries are small, well kept and offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Sequence

from nltk.stem.snowball import SnowballStemmer
from rank_bm25 import BM25Okapi

from bot.conversation.knowledge import Article, Library, facets, library
from bot.understanding.segments import is_question, sentences

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HEADING = re.compile(r"^\*\*(?P<title>[^*]+)\*\*\s*$", re.MULTILINE)
# Dutch function words: they match everything and mean nothing for the topic.
STOPWORDS = frozenset(
    [
        "aan",
        "al",
        "alles",
        "als",
        "andere",
        "bij",
        "ben",
        "benen",
        "bent",
        "dan",
        "dat",
        "de",
        "deze",
        "die",
        "dit",
        "doe",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "ga",
        "gaan",
        "gaat",
        "had",
        "heb",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "jij",
        "jou",
        "jouw",
        "kan",
        "kom",
        "komen",
        "kun",
        "kunnen",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "moeten",
        "na",
        "naar",
        "nee",
        "niet",
        "niets",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "ons",
        "ook",
        "op",
        "over",
        "te",
        "tegen",
        "toch",
        "tot",
        "u",
        "uit",
        "van",
        "veel",
        "voor",
        "want",
        "was",
        "wat",
        "we",
        "weer",
        "wel",
        "werd",
        "wie",
        "wil",
        "willen",
        "word",
        "wordt",
        "zal",
        "ze",
        "zelf",
        "zich",
        "zijn",
        "zo",
        "zonder",
        "zou",
        "zouden",
    ]
)
MIN_QUERY_TERMS = 2
# The BM25 score from which a section is shown as the answer (tuned in docs/conversation.md, "Understanding").
MIN_SCORE = 8.0


@dataclass(frozen=True)
class Section:
    """One findable part of an article."""

    article_id: str
    heading: str  # "" for the short answer
    text: str


@dataclass(frozen=True)
class Match:
    section: Section
    score: float


@lru_cache(maxsize=1)
def _stemmer() -> SnowballStemmer:
    return SnowballStemmer("dutch")


def terms(text: str) -> List[str]:
    """The stems of the content words of `text`."""
    stem = _stemmer().stem
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


def sections(article: Article) -> List[Section]:
    """The short answer, each headed part of the explanation, and each follow-up answer of an article."""
    found = [Section(article.id, "", article.short)]
    parts = _HEADING.split(article.body)
    # split() with one group gives: text before the first heading, then (heading, text) pairs
    if parts[0].strip():
        found.append(Section(article.id, "", parts[0].strip()))
    found += [
        Section(article.id, heading.strip(), text.strip())
        for heading, text in zip(parts[1::2], parts[2::2])
        if text.strip()
    ]
    known = facets()
    found += [Section(article.id, known[key].heading, text) for key, text in article.facets.items()]
    return found


class SectionIndex:
    """BM25 over every section of every national article (the title counts as part of each section)."""

    def __init__(self, lib: Library, skip: Sequence[str] = ("crisis",)) -> None:
        self.sections = [s for a in lib.articles.values() if a.id not in skip for s in sections(a)]
        titles = {a.id: a.title for a in lib.articles.values()}
        self.bm25 = BM25Okapi([terms(f"{titles[s.article_id]} {s.heading} {s.text}") for s in self.sections])

    def search(self, question: str, limit: int = 3) -> List[Match]:
        query = terms(asked_part(question))
        if len(set(query)) < MIN_QUERY_TERMS:
            return []
        scores = self.bm25.get_scores(query)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:limit]
        return [Match(self.sections[i], float(scores[i])) for i in order if scores[i] > 0]

    def best(self, question: str, min_score: float) -> Optional[Match]:
        """The best section when it matches well enough, else None."""
        found = self.search(question, limit=1)
        return found[0] if found and found[0].score >= min_score else None


def asked_part(text: str) -> str:
    """What a long message asks: its question sentences when it has any (the situation around them would match
    every article), else the whole message."""
    asked = [s for s in sentences(text) if is_question(s)]
    return " ".join(asked) if asked else text


@lru_cache(maxsize=1)
def section_index() -> SectionIndex:
    return SectionIndex(library())
