"""Turns articles into chat messages: the short answer with buttons first, the long one with sources on request."""
from __future__ import annotations

from typing import Dict, List

from bot.knowledge import Article, Source

MORE = {"title": "Meer uitleg", "payload": "/more_info"}
WHERE = {"title": "Waar kan ik terecht?", "payload": "/ask_where_to_go"}
HUMAN = {"title": "Praat met een medewerker", "payload": "/request_human"}

Button = Dict[str, str]


def short_answer(article: Article) -> Dict[str, object]:
    """The first answer: title, 2–4 sentences, and the next steps as buttons."""
    standard = [MORE, WHERE, HUMAN] if article.standard_buttons else [MORE, HUMAN]
    return {"text": f"**{article.title}**\n\n{article.short}", "buttons": _buttons(article, standard)}


def long_answer(article: Article) -> Dict[str, object]:
    """'Meer uitleg': the explanation and its sources as links."""
    sources = "\n".join(f"- {source_line(s)}" for s in article.sources)
    text = f"{article.body}\n\n**Bronnen**\n{sources}"
    standard = [WHERE, HUMAN] if article.standard_buttons else [HUMAN]
    return {"text": text, "buttons": _buttons(article, standard)}


def source_line(source: Source) -> str:
    where = f", r. {source.lines}" if source.lines else ""
    if source.url:
        return f"[{source.title}]({source.url}){where}"
    return f"{source.title}{where}"


def _buttons(article: Article, standard: List[Button]) -> List[Button]:
    own = [{"title": str(b["title"]), "payload": str(b["payload"])} for b in article.next_steps[:3]]
    payloads = {b["payload"] for b in standard}
    return [b for b in own if b["payload"] not in payloads] + standard
