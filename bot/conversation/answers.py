"""Turns articles into chat messages: the short answer with buttons first, the long one with sources on request."""

from __future__ import annotations

from typing import Dict, List, Optional

from bot.conversation.care import Term, use_term
from bot.conversation.knowledge import Article, Facet, Source

MORE = {"title": "Meer uitleg", "payload": "/more_info"}
WHERE = {"title": "Waar kan ik terecht?", "payload": "/ask_where_to_go"}
HUMAN = {"title": "Praat met een medewerker", "payload": "/request_human"}

Button = Dict[str, str]


def short_answer(article: Article, term: Optional[Term] = None) -> Dict[str, object]:
    """The first answer: title, 2–4 sentences, and the next steps as buttons; in the person's own word for their
    beperking when they chose one (source titles and links keep their words)."""
    text = use_term(f"**{article.title}**\n\n{article.short}", term)
    return {"text": text, "buttons": _buttons(article, _standard(article), term)}


def part_title(title: str, heading: str) -> str:
    """An article's title with the part it answers: "Jobcoaching: hoe lang?", and after a title that is a question
    itself "Wat doet UWV voor mij? Hoe vraag je het aan?" (not "…mij?: hoe…")."""
    if title.endswith("?"):
        return f"{title} {heading[:1].upper()}{heading[1:]}"
    return f"{title}: {heading}"


def facet_answer(article: Article, facet: Facet, term: Optional[Term] = None) -> Dict[str, object]:
    """A follow-up about the topic ("Jobcoaching: hoe lang?"): the article's own answer for the facet, or the
    facet's general answer when the article has none."""
    body = article.facets.get(facet.key) or facet.default
    text = use_term(f"**{part_title(article.title, facet.heading)}**\n\n{body}", term)
    return {"text": text, "buttons": _standard(article)}


def section_answer(
    article: Article, heading: str, body: str, intro: str, term: Optional[Term] = None
) -> Dict[str, object]:
    """The last resort: the part of an article that matches the question best, with its title."""
    title = part_title(article.title, heading) if heading else article.title
    text = use_term(f"{intro}\n\n**{title}**\n\n{body}", term)
    return {"text": text, "buttons": _standard(article)}


def long_answer(article: Article, term: Optional[Term] = None) -> Dict[str, object]:
    """'Meer uitleg': the explanation and its sources as links."""
    sources = "\n".join(f"- {line}" for line in source_lines(article.sources))
    text = f"{use_term(article.body, term)}\n\n**Bronnen**\n{sources}"
    return {"text": text, "buttons": _buttons(article, _standard(article, more=False), term)}


def source_lines(sources: List[Source]) -> List[str]:
    """Each source once, as people read it: its title, as a link when it has an address. A seed's file name and
    line numbers are for reviewers (front matter) and never shown."""
    return list(dict.fromkeys(source_line(s) for s in sources))


def source_line(source: Source) -> str:
    return f"[{source.title}]({source.url})" if source.url else source.title


def _standard(article: Article, more: bool = True) -> List[Button]:
    """The assistant's own buttons under an answer: "Meer uitleg" (unless this is it), "Waar kan ik terecht?" when
    the article allows it, and always "Praat met een medewerker"."""
    where = [WHERE] if article.standard_buttons else []
    return ([MORE] if more else []) + where + [HUMAN]


def _buttons(article: Article, standard: List[Button], term: Optional[Term]) -> List[Button]:
    own = [{"title": use_term(str(b["title"]), term), "payload": str(b["payload"])} for b in article.next_steps[:3]]
    payloads = {b["payload"] for b in standard}
    return [b for b in own if b["payload"] not in payloads] + standard
