"""The social map's themes and audiences (knowledge/socialmap/taxonomy.yml), and finding them in free text."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.common import content, settings
from bot.common.regions import normalise

THEME = "thema"
AUDIENCE = "doelgroep"
CRISIS = "crisis"
# A misspelt word must be this close to a synonym to count ("solicitatie" → "sollicit*").
FUZZY_CUTOFF = 0.85
MIN_FUZZY_LENGTH = 5
MAX_TEXT_LENGTH = 300


@dataclass(frozen=True)
class Term:
    code: str  # "jobcoaching"
    taxonomy: str  # "thema" | "doelgroep"
    label: str
    description: str
    synonyms: Tuple[str, ...]

    @property
    def id(self) -> str:
        """The taxonomy_term id in the database and data files: "thema:jobcoaching"."""
        return f"{self.taxonomy}:{self.code}"


@dataclass(frozen=True)
class Pattern:
    words: Tuple[str, ...]
    prefix: bool  # the last word matches any word starting with it

    def matches_at(self, tokens: List[str], start: int) -> bool:
        end = start + len(self.words)
        if end > len(tokens):
            return False
        head, last = self.words[:-1], self.words[-1]
        if tuple(tokens[start : end - 1]) != head:
            return False
        word = tokens[end - 1]
        return word.startswith(last) if self.prefix else word == last


@dataclass(frozen=True)
class Taxonomy:
    version: str
    assured_date: dt.date
    taxonomies: Dict[str, Dict[str, str]]
    terms: Dict[str, Term]  # by id ("thema:jobcoaching")
    patterns: Dict[str, Tuple[Pattern, ...]]  # by term id

    def of(self, taxonomy: str) -> List[Term]:
        return [t for t in self.terms.values() if t.taxonomy == taxonomy]


@dataclass(frozen=True)
class TermMatch:
    term: Term
    matched: str
    score: float


def _pattern(synonym: str) -> Optional[Pattern]:
    text = str(synonym).strip()
    prefix = text.endswith("*")
    words = tuple(normalise(text.rstrip("*")).split())
    return Pattern(words, prefix) if words else None


@lru_cache(maxsize=4)
def load_taxonomy(path: Optional[Path] = None) -> Taxonomy:
    """The taxonomy file, read once (default: KNOWLEDGE_DIR/socialmap/taxonomy.yml)."""
    path = path or settings.KNOWLEDGE_DIR / "socialmap" / "taxonomy.yml"
    raw = content.load_file(path)
    terms: Dict[str, Term] = {}
    patterns: Dict[str, Tuple[Pattern, ...]] = {}
    for taxonomy, key in ((THEME, "themes"), (AUDIENCE, "audiences")):
        for item in raw[key]:
            term = Term(
                str(item["id"]),
                taxonomy,
                item["label"],
                item.get("description", ""),
                tuple(str(s) for s in item.get("synonyms", [])),
            )
            terms[term.id] = term
            found = [_pattern(s) for s in (*term.synonyms, term.code, term.label)]
            patterns[term.id] = tuple(p for p in found if p)
    return Taxonomy(
        version=str(raw["version"]),
        assured_date=raw["assured_date"],
        taxonomies=raw["taxonomies"],
        terms=terms,
        patterns=patterns,
    )


def term_id(value: str, taxonomy: str = THEME) -> Optional[str]:
    """The term id for "jobcoaching", "thema:jobcoaching" or the label "Jobcoaching"; None if unknown."""
    terms = load_taxonomy().terms
    value = (value or "").strip()[:100]
    if value in terms and terms[value].taxonomy == taxonomy:
        return value
    prefix, _, rest = value.rpartition(":")
    if prefix and prefix != taxonomy:
        return None
    key = normalise(rest)
    for term in load_taxonomy().of(taxonomy):
        if key in (normalise(term.code), normalise(term.label)):
            return term.id
    return None


def _fuzzy_word(word: str, pattern: Pattern) -> bool:
    if len(pattern.words) != 1 or len(word) < MIN_FUZZY_LENGTH or len(pattern.words[0]) < MIN_FUZZY_LENGTH:
        return False
    target = pattern.words[0]
    # A prefix synonym is compared with the start of the word, one letter longer or shorter for a typo.
    candidates = [word[:n] for n in range(len(target) - 1, len(target) + 2)] if pattern.prefix else [word]
    return any(difflib.SequenceMatcher(None, c, target).ratio() >= FUZZY_CUTOFF for c in candidates)


def _matches(tokens: List[str], taxonomy: str, fuzzy: bool) -> Dict[str, TermMatch]:
    found: Dict[str, TermMatch] = {}
    for term in load_taxonomy().of(taxonomy):
        for pattern in load_taxonomy().patterns[term.id]:
            for start in range(len(tokens)):
                if not fuzzy and pattern.matches_at(tokens, start):
                    matched = " ".join(tokens[start : start + len(pattern.words)])
                    score = float(len(matched))
                elif fuzzy and _fuzzy_word(tokens[start], pattern):
                    matched, score = tokens[start], len(tokens[start]) / 2
                else:
                    continue
                if term.code == CRISIS:
                    score += 1000  # a crisis is never outranked by a longer, milder match
                if term.id not in found or score > found[term.id].score:
                    found[term.id] = TermMatch(term, matched, score)
    return found


def find_terms_in_text(text: str, taxonomy: str = THEME) -> List[TermMatch]:
    """Every term of `taxonomy` that the text mentions, best first (crisis first, then the longest match).

    Typos are tried only when nothing matches exactly: fuzzy matching every word is slow and finds too much.
    """
    tokens = normalise((text or "")[:MAX_TEXT_LENGTH]).split()
    found = _matches(tokens, taxonomy, fuzzy=False) or _matches(tokens, taxonomy, fuzzy=True)
    order = {t.id: i for i, t in enumerate(load_taxonomy().of(taxonomy))}
    return sorted(found.values(), key=lambda m: (-m.score, order[m.term.id]))


def find_theme_in_text(text: str) -> Optional[str]:
    """The theme code the text is about ("wie helpt mij met mijn cv" → "solliciteren-en-cv"), or None."""
    matches = find_terms_in_text(text, THEME)
    return matches[0].term.code if matches else None


def find_audiences_in_text(text: str) -> List[str]:
    """The audience codes the text mentions ("ik heb geen uitkering en ben 22" → ["nugger"])."""
    return [m.term.code for m in find_terms_in_text(text, AUDIENCE)]
