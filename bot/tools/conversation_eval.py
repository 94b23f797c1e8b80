"""`make eval`, understanding: the public sets tests/eval/stories.yml (long first messages) and
tests/eval/followups.yml (two- and three-turn exchanges) replayed against the real assistant over REST.

Every answer is read back to the topic (and facet) it gave, by the titles and texts the person sees: an article's
"**Title**", a follow-up's "**Title: hoe lang?**", the explanation of "Meer uitleg", the social map's questions and
results, the start of a handoff, a status answer, or one of the fallback messages.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import requests
import yaml

from bot.conversation.knowledge import Library, facets
from bot.conversation.messages import template
from bot.handoff import texts as handoff_texts

FALLBACK = ("did_you_mean", "ask_rephrase", "give_up")
WHERE = (
    "ask_gemeente",
    "ask_theme",
    "results_intro",
    "results_intro_national",
    "nothing_nearby",
    "only_front_door",
    "only_front_door_alone",
    "nothing_found",
    "gemeente_unknown",
    "gemeente_which",
    "gemeente_split",
    "theme_unknown",
)
STATUS = (
    "status_unknown",
    "status_malformed",
    "status_ask_code",
    "status_meaning.new",
    "status_meaning.picked_up",
    "status_meaning.contact_made",
    "status_meaning.closed",
)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _prefix(text: str) -> str:
    """The fixed start of a message text, before its first {placeholder}."""
    return " ".join(text.split("{")[0].split())[:60]


@dataclass(frozen=True)
class Answered:
    """What one turn's answer was about: kind is article, facet, more, section, where, handoff, status, fallback
    or other."""

    kind: str
    topic: Optional[str] = None
    facet: Optional[str] = None


class AnswerReader:
    """Reads a turn's bot messages back to what they answered."""

    def __init__(self, lib: Library) -> None:
        self.titles = {a.title: a.intents[0] for a in lib.articles.values()}
        # the longest title first, as one title may start another
        self.longest_first = sorted(self.titles.items(), key=lambda item: -len(item[0]))
        self.headings = {f.heading: key for key, f in facets().items()}
        self.bodies = {" ".join(a.body.split())[:80]: a.intents[0] for a in lib.articles.values() if a.body}
        self.fallback = [_prefix(template(k)) for k in FALLBACK]
        self.section = _prefix(template("section_intro"))
        self.where = [_prefix(template(k)) for k in WHERE]
        self.handoff = [_prefix(template("handoff_explain")), _prefix(template("handoff_ask_gemeente"))]
        self.status = [_prefix(str(handoff_texts.entry(k))) for k in STATUS]

    def read(self, messages: Sequence[Dict[str, Any]]) -> Answered:
        texts = [" ".join(str(m.get("text") or "").split()) for m in messages]
        joined = " ".join(texts)
        if any(p and p in joined for p in self.fallback):
            return Answered("fallback")
        section = bool(self.section) and self.section in joined
        # A search names its theme in bold ("Voor **Jobcoaching** kun je in …"), as an article names its title: a
        # message that starts as a search answer is one.
        if any(p and text.startswith(p) for p in self.where for text in texts):
            return Answered("where", "ask_where_to_go", "where")
        for text in texts:
            for bold in _BOLD.findall(text):
                found = self._title(bold)
                if found:
                    topic, facet = found
                    return Answered("section" if section else "facet" if facet else "article", topic, facet)
            for body, topic in self.bodies.items():
                if text.startswith(body[:60]):
                    return Answered("more", topic, "more")
        if any(p and p in joined for p in self.handoff):
            return Answered("handoff", "request_human")
        if any(p and p in joined for p in self.status):
            return Answered("status", "ask_handoff_status")
        if any(p and p in joined for p in self.where):
            return Answered("where", "ask_where_to_go", "where")
        return Answered("other")

    def _title(self, bold: str) -> Optional[Tuple[str, Optional[str]]]:
        if bold in self.titles:
            return self.titles[bold], None
        for title, intent in self.longest_first:  # "Title: heading", or "Title? Heading" (answers.part_title)
            if bold.startswith(title) and bold != title:
                heading = bold[len(title) :].removeprefix(":").strip()
                return intent, self.headings.get(heading[:1].lower() + heading[1:], "section")
        return None


class Conversation:
    """One conversation over the REST webhook of a running Rasa server."""

    def __init__(self, rest_url: str) -> None:
        self.rest_url = rest_url
        self.sender = f"eval-{uuid.uuid4().hex[:12]}"

    def say(self, text: str) -> List[Dict[str, Any]]:
        response = requests.post(self.rest_url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()


def load_set(path: Path, key: str) -> List[Dict[str, Any]]:
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(key) or [])


def evaluate_stories(rest_url: str, reader: AnswerReader, stories: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Top-1 correct, fallback or wrong topic for each long first message, each in a new conversation."""
    outcomes: Counter = Counter()
    misses = []
    for story in stories:
        answered = reader.read(Conversation(rest_url).say(story["text"]))
        if answered.kind == "fallback":
            outcome = "fallback"
        elif answered.topic in story["topics"]:
            outcome = "correct"
        else:
            outcome = "wrong"
        outcomes[outcome] += 1
        outcomes["section"] += answered.kind == "section"
        if outcome != "correct":
            misses.append({"text": story["text"], "expected": story["topics"], "got": answered.topic or answered.kind})
    total = len(stories)
    return {
        "total": total,
        **{k: outcomes[k] for k in ("correct", "fallback", "wrong", "section")},
        "correct_share": outcomes["correct"] / total if total else 0.0,
        "fallback_share": outcomes["fallback"] / total if total else 0.0,
        "misses": misses,
    }


def _followup_right(answered: Answered, topic: str, facet: Optional[str]) -> bool:
    if facet in (None, "none"):
        return answered.topic == topic and answered.kind in (
            "article",
            "facet",
            "section",
            "where",
            "handoff",
            "status",
        )
    if facet == "where":
        return answered.kind == "where"
    return answered.topic == topic and answered.facet == facet


def evaluate_followups(rest_url: str, reader: AnswerReader, exchanges: List[Dict[str, Any]]) -> Dict[str, Any]:
    """For every turn after the first: answered about the right topic and facet, the right topic only, or a
    fallback."""
    outcomes: Counter = Counter()
    misses = []
    for exchange in exchanges:
        conversation = Conversation(rest_url)
        history = []
        for number, turn in enumerate(exchange["turns"]):
            answered = reader.read(conversation.say(turn["user"]))
            history.append(turn["user"])
            if number == 0:
                outcomes["first_correct"] += answered.topic == turn.get("topic")
                outcomes["first_total"] += 1
                continue
            outcomes["turns"] += 1
            right = _followup_right(answered, turn["topic"], turn.get("facet"))
            outcomes["right"] += right
            outcomes["right_topic"] += answered.topic == turn["topic"]
            outcomes["fallback"] += answered.kind == "fallback"
            if not right:
                misses.append(
                    {
                        "turns": list(history),
                        "expected": f"{turn['topic']} / {turn.get('facet')}",
                        "got": f"{answered.topic or answered.kind} / {answered.facet}",
                    }
                )
    turns = outcomes["turns"]
    return {
        "exchanges": len(exchanges),
        "turns": turns,
        "right": outcomes["right"],
        "right_share": outcomes["right"] / turns if turns else 0.0,
        "right_topic_share": outcomes["right_topic"] / turns if turns else 0.0,
        "fallback_share": outcomes["fallback"] / turns if turns else 0.0,
        "first_turn_correct": outcomes["first_correct"] / outcomes["first_total"] if outcomes["first_total"] else 0.0,
        "misses": misses,
    }


def markdown(stories: Dict[str, Any], followups: Dict[str, Any], which: str = "tests/eval/") -> List[str]:
    return [
        "",
        f"# Understanding: stories and follow-ups, {which} (real assistant over REST)",
        "",
        "Public sets written by hand from the seeds, never used for training.",
        "",
        "| set | n | correct | fallback | wrong topic |",
        "|---|---|---|---|---|",
        f"| stories (long first messages) | {stories['total']} | {stories['correct_share']:.1%} | "
        f"{stories['fallback_share']:.1%} | {stories['wrong'] / max(stories['total'], 1):.1%} |",
        "",
        f"Of the stories, {stories['section']} were answered by the last resort (a matching article section).",
        "",
        "| follow-ups | figure |",
        "|---|---|",
        f"| exchanges; follow-up turns | {followups['exchanges']}; {followups['turns']} |",
        f"| answered about the right topic and facet | {followups['right_share']:.1%} |",
        f"| answered about the right topic | {followups['right_topic_share']:.1%} |",
        f"| answered by a fallback | {followups['fallback_share']:.1%} |",
        f"| first turns answered on the right topic | {followups['first_turn_correct']:.1%} |",
    ]
