"""The answer library: Markdown articles with front matter, national texts with local versions per gemeente.

An article is found by the intent it answers; a gemeente's own version (knowledge/gemeenten/<code>/<id>.md)
replaces the national one field by field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Tuple

import yaml

from bot import settings

REQUIRED_FIELDS = ("id", "title", "intents", "short", "sources", "checked")


class ArticleError(ValueError):
    """An article file that cannot be used, with the file and the reason."""


@dataclass(frozen=True)
class Source:
    title: str
    url: Optional[str] = None
    seed: Optional[str] = None
    lines: Optional[str] = None


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    intents: List[str]
    short: str
    body: str
    sources: List[Source]
    next_steps: List[Dict[str, str]] = field(default_factory=list)
    general_knowledge: List[str] = field(default_factory=list)
    checked: str = ""
    gemeente: Optional[str] = None
    example: bool = False
    standard_buttons: bool = True
    socialmap_theme: Optional[str] = None  # what "Waar kan ik terecht?" searches for after this article
    offer_handoff: bool = False  # a moment where people drop out of view: offer a person after the answer
    facets: Dict[str, str] = field(default_factory=dict)  # follow-up answers by facet (knowledge/facets.yml)
    path: str = ""


def split_front_matter(text: str, path: Path) -> tuple[Dict[str, Any], str]:
    if not text.startswith("---"):
        raise ArticleError(f"{path}: begint niet met front matter (---)")
    try:
        _, meta, body = text.split("---", 2)
    except ValueError:
        raise ArticleError(f"{path}: front matter wordt niet afgesloten met ---") from None
    data = yaml.safe_load(meta) or {}
    if not isinstance(data, dict):
        raise ArticleError(f"{path}: front matter is geen lijst van velden")
    return data, body.strip()


@lru_cache(maxsize=None)
def _seed_titles() -> Dict[str, str]:
    return yaml.safe_load((settings.KNOWLEDGE_DIR / "sources.yml").read_text(encoding="utf-8"))["seeds"]


def _source(raw: Dict[str, Any], seed_titles: Dict[str, str]) -> Source:
    seed = raw.get("seed")
    title = raw.get("title") or seed_titles.get(seed or "", seed or "")
    return Source(title=str(title), url=raw.get("url"), seed=seed, lines=str(raw["lines"]) if raw.get("lines") else None)


def _facet_texts(raw: Any, path: Path) -> Dict[str, str]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ArticleError(f"{path}: facets is geen lijst van facet: tekst")
    unknown = sorted(set(raw) - set(facets()))
    if unknown:
        raise ArticleError(f"{path}: onbekende facets: {', '.join(unknown)} (zie knowledge/facets.yml)")
    return {str(key): " ".join(str(text).split()) for key, text in raw.items() if text}


def _article(data: Dict[str, Any], body: str, path: Path, seed_titles: Dict[str, str]) -> Article:
    missing = [name for name in REQUIRED_FIELDS if not data.get(name)]
    if missing:
        raise ArticleError(f"{path}: velden ontbreken: {', '.join(missing)}")
    return Article(
        id=str(data["id"]),
        title=str(data["title"]),
        intents=list(data["intents"]),
        short=" ".join(str(data["short"]).split()),
        body=body,
        sources=[_source(s, seed_titles) for s in data["sources"]],
        next_steps=list(data.get("next_steps") or []),
        general_knowledge=list(data.get("general_knowledge") or []),
        checked=str(data["checked"]),
        gemeente=data.get("gemeente"),
        example=bool(data.get("example", False)),
        standard_buttons=bool(data.get("standard_buttons", True)),
        socialmap_theme=data.get("socialmap_theme"),
        offer_handoff=bool(data.get("offer_handoff", False)),
        facets=_facet_texts(data.get("facets"), path),
        path=str(path),
    )


def load_article(path: Path, base: Optional[Article] = None) -> Article:
    """Read one article; a local version takes the fields it leaves out from `base`."""
    data, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    if base is not None:
        inherited = {
            "id": base.id, "title": base.title, "intents": base.intents, "short": base.short,
            "checked": base.checked, "next_steps": base.next_steps, "general_knowledge": base.general_knowledge,
            "standard_buttons": base.standard_buttons, "socialmap_theme": base.socialmap_theme,
            "offer_handoff": base.offer_handoff, "facets": {**base.facets, **(data.get("facets") or {})},
            "sources": [{"title": s.title, "url": s.url, "seed": s.seed, "lines": s.lines} for s in base.sources],
        }
        data = {**inherited, **data}
        body = body or base.body
    return _article(data, body, path, _seed_titles())


class Library:
    """All articles, looked up by id or intent, with local versions per gemeente."""

    def __init__(self, root: Path) -> None:
        self.articles: Dict[str, Article] = {}
        self.by_intent: Dict[str, Article] = {}
        for path in sorted((root / "articles").glob("*.md")):
            article = load_article(path)
            if article.id != path.stem:
                raise ArticleError(f"{path}: id '{article.id}' is niet gelijk aan de bestandsnaam")
            self.articles[article.id] = article
            for intent in article.intents:
                if intent in self.by_intent:
                    raise ArticleError(f"{path}: intent '{intent}' heeft al een artikel")
                self.by_intent[intent] = article
        self.local: Dict[str, Dict[str, Article]] = {}
        for path in sorted((root / "gemeenten").glob("GM*/*.md")):
            base = self.articles.get(path.stem)
            if base is None:
                raise ArticleError(f"{path}: er is geen landelijk artikel '{path.stem}'")
            self.local.setdefault(path.parent.name, {})[path.stem] = load_article(path, base)

    def get(self, article_id: str, gemeente: Optional[str] = None) -> Optional[Article]:
        local = self.local.get(gemeente or "", {}).get(article_id)
        return local or self.articles.get(article_id)

    def for_intent(self, intent: str, gemeente: Optional[str] = None) -> Optional[Article]:
        article = self.by_intent.get(intent)
        return self.get(article.id, gemeente) if article else None


@lru_cache(maxsize=None)
def library() -> Library:
    return Library(settings.KNOWLEDGE_DIR)


@dataclass(frozen=True)
class Facet:
    """What a follow-up asks about a topic ("hoe lang?", "wie betaalt?"): knowledge/facets.yml."""

    key: str
    intent: str
    heading: str
    default: str
    patterns: Tuple[Pattern[str], ...] = ()


@lru_cache(maxsize=None)
def facets() -> Dict[str, Facet]:
    raw = yaml.safe_load((settings.KNOWLEDGE_DIR / "facets.yml").read_text(encoding="utf-8"))
    return {key: Facet(key=key, intent=str(f["intent"]), heading=str(f["heading"]),
                       default=" ".join(str(f["default"]).split()),
                       patterns=tuple(re.compile(p) for p in f.get("patterns") or []))
            for key, f in raw.items()}


def facet_for_intent(intent: str) -> Optional[Facet]:
    """The facet a follow-up intent asks about (`followup_duration` → duration), or None."""
    return next((f for f in facets().values() if f.intent == intent), None)


def facet_in_question(text: str) -> Optional[Facet]:
    """The facet a question that names its topic asks about ("hoe lang duurt jobcoaching?"), or None."""
    lowered = " ".join((text or "").lower().split())
    return next((f for f in facets().values() if any(p.search(lowered) for p in f.patterns)), None)
