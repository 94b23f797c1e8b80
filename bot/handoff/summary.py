"""The summary a consulent reads first: in one minute, what the person asks, how things are, and what they want.

It follows the reflection cards of seed 003 (§4.4): the situation in the person's own words, how they see it,
what keeps it as it is, what would help, and the next step. The assistant only gathers the picture
(beeldvorming); judging and deciding is for the consulent, together with the person.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.conversation.knowledge import ArticleError, library
from bot.handoff import texts

SUMMARY_VERSION = 2  # 2: the questions not answered, the age on its own, contact only in the contact fields
SITUATION = ("age", "why_no_benefit", "beperking", "work_history", "current", "trend", "own_view", "involved")
# Shown as "niet verteld" when missing: the consulent should ask rather than assume.
ALWAYS_SHOWN = ("why_no_benefit", "beperking", "work_history", "wish")
WANTS_NEXT = ("wish", "first_step", "help_wanted")
LISTS = ("limits_and_wishes", "helps", "in_the_way")
WORKING_TOGETHER = ("decision_style", "communication", "preferred_term")
ANSWER_KEYS = frozenset(SITUATION + WANTS_NEXT + LISTS + WORKING_TOGETHER)
HEADLINE_LENGTH = 140
_SENTENCE_END = re.compile(r"[.?!](?=\s)")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if _text(v))
    return " ".join(str(value).split())  # scrubbed at the boundary (bot/handoff/service.py, _Private)


def _labelled(
    keys: Sequence[str], labels: Mapping[str, str], answers: Mapping[str, Any], always: Sequence[str] = ()
) -> List[str]:
    not_told = texts.entry("summary.not_told")
    lines = []
    for key in keys:
        value = _text(answers.get(key))
        if value or key in always:
            lines.append(f"{labels[key]}: {value or not_told}")
    return lines


def _domains(items: Any) -> List[str]:
    """Reflection-card domains, with notes; a domain chosen more than once is said so (people do this for emphasis)."""
    names = texts.entry("summary.domains")
    items = items if isinstance(items, (list, tuple)) else [items] if items else []
    counted: Counter = Counter()
    notes: Dict[str, List[str]] = {}
    for item in items:
        domain, note = (item.get("domain"), item.get("note")) if isinstance(item, Mapping) else (item, None)
        label = names.get(str(domain), _text(domain))
        counted[label] += 1
        if _text(note):
            notes.setdefault(label, []).append(_text(note))
    lines = []
    for label, times in counted.items():
        line = label
        if times > 1:
            line += f" ({texts.text('summary.chosen_more_than_once', times=times)})"
        if notes.get(label):
            line += ": " + "; ".join(notes[label])
        lines.append(line)
    return lines


def _article_title(item: Any, gemeente_code: Optional[str]) -> str:
    if isinstance(item, Mapping):
        return _text(item.get("title") or item.get("id"))
    try:
        article = library().get(str(item), gemeente_code)
    except ArticleError:  # a broken article file must not stop a handoff: the id is still informative
        article = None
    return article.title if article else str(item)


def build_summary(
    question: str,
    answers: Optional[Mapping[str, Any]] = None,
    articles_shown: Sequence[Any] = (),
    reason: str = "",
    gemeente_code: Optional[str] = None,
    unanswered: Sequence[str] = (),
) -> Dict[str, Any]:
    """The summary as JSON-ready data: a headline, the age as told, the questions the assistant had no good answer
    to, and titled sections of short lines, in reading order. How to contact the person is not in it: that is in
    the handoff's contact fields, shown once.

    `answers` is a flat dict as a Rasa action has it from slots: why_no_benefit, beperking, work_history,
    current, trend, own_view, involved, wish, first_step, help_wanted, limits_and_wishes, helps, in_the_way
    (reflection-card domains gezondheid/geldzaken/familie/huis/werk, optionally {"domain", "note"}),
    decision_style, communication, preferred_term (the person's word for their beperking). Unknown keys are kept
    under "Overig" rather than lost.
    `articles_shown` holds article ids or {"id", "title"} dicts; `unanswered` the person's own words of each
    question the assistant said it did not understand, or only guessed at (bot/handoff/transcript.py).
    """
    answers = answers or {}
    s = "summary"
    question_text = _text(question)
    not_answered = _list(list(unanswered))
    sections = [
        ("question", [question_text or texts.entry(f"{s}.not_told")]),
        ("not_answered", not_answered),
        ("situation", _labelled(SITUATION, texts.entry(f"{s}.situation_labels"), answers, ALWAYS_SHOWN)),
        (
            "explained",
            [_article_title(a, gemeente_code) for a in articles_shown] or [texts.entry(f"{s}.nothing_explained")],
        ),
        ("wants_next", _labelled(WANTS_NEXT, texts.entry(f"{s}.wants_next_labels"), answers, ALWAYS_SHOWN)),
        ("limits_and_wishes", _list(answers.get("limits_and_wishes"))),
        ("helps", _domains(answers.get("helps"))),
        ("in_the_way", _domains(answers.get("in_the_way"))),
        ("working_together", _labelled(WORKING_TOGETHER, texts.entry(f"{s}.working_together_labels"), answers)),
        ("reason", [_text(reason)] if _text(reason) else []),
    ]
    result = [
        {"key": key, "title": texts.text(f"{s}.{key}", count=len(lines)), "lines": lines}
        for key, lines in sections
        if lines
    ]
    other = [f"{key}: {_text(value)}" for key, value in answers.items() if key not in ANSWER_KEYS and _text(value)]
    if other:
        result.append({"key": "other", "title": texts.entry(f"{s}.other"), "lines": other})
    return {
        "version": SUMMARY_VERSION,
        "headline": headline(question_text),
        "age": _text(answers.get("age")) or None,
        "not_answered": {"count": len(not_answered), "questions": not_answered},
        "sections": result,
    }


def _list(value: Any) -> List[str]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [t for t in (_text(v) for v in values) if t]


def headline(question: str, limit: int = HEADLINE_LENGTH) -> str:
    """The question as a headline: whole when short; else its first sentence when that says enough, else cut
    after a whole word, with "…"."""
    if len(question) <= limit:
        return question
    ends = [m.end() for m in _SENTENCE_END.finditer(question[:limit])]
    if ends and ends[-1] >= limit // 3:
        return question[: ends[-1]] + " …"
    cut = question[: limit - 1].rsplit(None, 1)[0] if " " in question[: limit - 1] else question[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"
