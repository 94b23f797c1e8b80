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

from bot.common import content, settings

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
    example: bool = False  # a local version written as an example, not by the gemeente: demo and tests only
    approved: bool = False  # a local version the gemeente approved as its own text: shown to residents
    standard_buttons: bool = True
    socialmap_theme: Optional[str] = None  # what "Waar kan ik terecht?" searches for after this article
    offer_handoff: bool = False  # a moment where people drop out of view: offer a person after the answer
    facets: Dict[str, str] = field(default_factory=dict)  # follow-up answers by facet (knowledge/facets.yml)
    key_facts: List[str] = field(default_factory=list)  # lower-case regexes the short answer must match
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
    return content.load("sources.yml")["seeds"]


def _source(raw: Dict[str, Any], seed_titles: Dict[str, Any], path: Path) -> Source:
    """A source as people see it: a readable title (and link); a seed's file name and lines stay for reviewers."""
    seed = raw.get("seed")
    known = seed_titles.get(seed) if seed else None
    if isinstance(known, dict):  # a seed with a public address: {title: …, url: …}
        title, url = known.get("title"), raw.get("url") or known.get("url")
    else:
        title, url = known, raw.get("url")
    title = raw.get("title") or title
    if not title:
        raise ArticleError(f"{path}: bron {seed or raw} heeft geen titel (zet de seed in knowledge/sources.yml)")
    return Source(title=str(title), url=url, seed=seed, lines=str(raw["lines"]) if raw.get("lines") else None)


def _facet_texts(raw: Any, path: Path) -> Dict[str, str]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ArticleError(f"{path}: facets is geen lijst van facet: tekst")
    unknown = sorted(set(raw) - set(facets()))
    if unknown:
        raise ArticleError(f"{path}: onbekende facets: {', '.join(unknown)} (zie knowledge/facets.yml)")
    return {str(key): _filled(" ".join(str(text).split())) for key, text in raw.items() if text}


def setting_values() -> Dict[str, str]:
    """Settings an article may name as {placeholder}, filled in when it is read: a text about how long things are
    kept stays true when an operator changes the setting (knowledge/README.md)."""
    return {
        "{gesprek_bewaardagen}": str(settings.CONVERSATION_RETENTION_DAYS),
        "{overdracht_bewaardagen}": str(settings.HANDOFF_RETENTION_DAYS),
    }


def _filled(text: str) -> str:
    for placeholder, value in setting_values().items():
        text = text.replace(placeholder, value)
    return text


# A line that starts its own block element in the Markdown of an article: a list item, a heading or a table row.
_BLOCK_START = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|#|\|)")


def unwrapped(markdown: str) -> str:
    """The article text with the line breaks that only wrap it in the file taken out: a sentence is one line in the
    chat (the widget shows every line break), while lists, headings and paragraphs keep theirs."""
    lines: List[str] = []
    for line in markdown.strip().splitlines():
        joins = bool(lines) and lines[-1].strip() and line.strip() and not _BLOCK_START.match(line)
        if joins and not lines[-1].lstrip().startswith("#"):
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        else:
            lines.append(line.rstrip())
    return "\n".join(lines)


def _article(data: Dict[str, Any], body: str, path: Path, seed_titles: Dict[str, str]) -> Article:
    missing = [name for name in REQUIRED_FIELDS if not data.get(name)]
    if missing:
        raise ArticleError(f"{path}: velden ontbreken: {', '.join(missing)}")
    return Article(
        id=str(data["id"]),
        title=str(data["title"]),
        intents=list(data["intents"]),
        short=_filled(" ".join(str(data["short"]).split())),
        body=_filled(unwrapped(body)),
        sources=[_source(s, seed_titles, path) for s in data["sources"]],
        next_steps=list(data.get("next_steps") or []),
        general_knowledge=list(data.get("general_knowledge") or []),
        checked=str(data["checked"]),
        gemeente=data.get("gemeente"),
        example=bool(data.get("example", False)),
        approved=bool(data.get("approved", False)),
        standard_buttons=bool(data.get("standard_buttons", True)),
        socialmap_theme=data.get("socialmap_theme"),
        offer_handoff=bool(data.get("offer_handoff", False)),
        facets=_facet_texts(data.get("facets"), path),
        key_facts=[str(pattern) for pattern in data.get("key_facts") or []],
        path=str(path),
    )


def _check_local(article: Article, path: Path) -> Article:
    if article.example and article.approved:
        raise ArticleError(f"{path}: een voorbeeldtekst (example: true) kan niet goedgekeurd zijn (approved: true)")
    if article.gemeente and article.gemeente != path.parent.name:
        raise ArticleError(f"{path}: gemeente {article.gemeente} hoort niet in de map {path.parent.name}")
    return article


def load_article(path: Path, base: Optional[Article] = None) -> Article:
    """Read one article; a local version takes the fields it leaves out from `base`."""
    data, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    if base is not None:
        inherited = {
            "id": base.id,
            "title": base.title,
            "intents": base.intents,
            "short": base.short,
            "checked": base.checked,
            "next_steps": base.next_steps,
            "general_knowledge": base.general_knowledge,
            "standard_buttons": base.standard_buttons,
            "socialmap_theme": base.socialmap_theme,
            "offer_handoff": base.offer_handoff,
            "facets": {**base.facets, **(data.get("facets") or {})},
            "key_facts": base.key_facts,
            "sources": [{"title": s.title, "url": s.url, "seed": s.seed, "lines": s.lines} for s in base.sources],
        }
        data = {**inherited, **data}
        body = body or base.body
        return _check_local(_article(data, body, path, _seed_titles()), path)
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
        """The article for a person in `gemeente`: the gemeente's own version when it may be shown, else the
        national one."""
        local = self.local.get(gemeente or "", {}).get(article_id)
        return local if local is not None and shown_to_residents(local) else self.articles.get(article_id)

    def for_intent(self, intent: str, gemeente: Optional[str] = None) -> Optional[Article]:
        article = self.by_intent.get(intent)
        return self.get(article.id, gemeente) if article else None


def shown_to_residents(local: Article) -> bool:
    """A local version is shown when the gemeente approved it as its own text; an example version only in the
    demo and the tests (WW_EXAMPLE_CONTENT=1). Anything else waits for approval and the national text is shown."""
    return local.approved or (local.example and settings.EXAMPLE_CONTENT)


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
    raw = content.load("facets.yml")
    return {
        key: Facet(
            key=key,
            intent=str(f["intent"]),
            heading=str(f["heading"]),
            default=" ".join(str(f["default"]).split()),
            patterns=tuple(re.compile(p) for p in f.get("patterns") or []),
        )
        for key, f in raw.items()
    }


def facet_for_intent(intent: str) -> Optional[Facet]:
    """The facet a follow-up intent asks about (`followup_duration` → duration), or None."""
    return next((f for f in facets().values() if f.intent == intent), None)


def facet_in_question(text: str) -> Optional[Facet]:
    """The facet a question that names its topic asks about ("hoe lang duurt jobcoaching?"), or None."""
    lowered = " ".join((text or "").lower().split())
    return next((f for f in facets().values() if any(p.search(lowered) for p in f.patterns)), None)
