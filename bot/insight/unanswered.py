"""What the assistant could not answer (#20, part 2): the questions that ended in the fallback or the last-resort
search, anonymised, grouped by similarity for the gemeente's editor, who marks a group as a new topic, as examples
for an existing topic, or as not for us; the chosen examples leave as Rasa NLU YAML for the next training.

Privacy: the fold (bot/insight/fold.py) copies a question here with `privacy.anonymise` (numbers, addresses,
e-mail, phone numbers and what looks like a name removed) and a keyed hash of its conversation, so that
"wis mijn gesprek" deletes it too (`forget`, called by the action that wipes the conversation). The retention job
deletes it with its conversation (`purge`); a question the editor adopted as an example stays, without the hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.common import content, privacy, regions, settings
from bot.common.clock import to_db_time, today, utc_now
from bot.conversation.knowledge import library
from bot.insight.models import DECISIONS, EXAMPLE, NEW_TOPIC, NOT_FOR_US, InsightKey, UnansweredQuestion
from bot.insight.report import SMALL, shown, topic_label
from bot.understanding.retrieval import terms

KEY_NAME = "conversation"
ACTIONS = ("action_default_fallback", "action_last_resort")  # the turn had no good answer
MAX_TEXT = 500
SIMILAR = 0.7  # average cosine distance under which questions are one group (TF-IDF on letter groups of stems)
TEXTS_SHOWN = 12  # different texts shown per group (page and JSON)
MAX_GROUPED = 1000  # the most recent undecided questions that are grouped on one page (0.15 s to group)
NO_TOPIC = ("nlu_fallback", "out_of_scope", "")


@dataclass(frozen=True)
class Found:
    """A question the fold found, before it is made anonymous and stored."""

    sender_id: str
    day: date
    gemeente: str
    text: str
    guessed_topic: str
    confidence: float


def guessed(parse_data: object) -> Tuple[str, float]:
    """The topic the assistant thought most likely (not the fallback itself) and how sure it was."""
    if not isinstance(parse_data, dict):
        return "", 0.0
    ranking = parse_data.get("intent_ranking") or [parse_data.get("intent") or {}]
    for intent in ranking:
        if isinstance(intent, dict) and intent.get("name") not in NO_TOPIC and intent.get("name"):
            return str(intent["name"])[:60], float(intent.get("confidence") or 0.0)
    return "", 0.0


@lru_cache(maxsize=1)
def known_words() -> FrozenSet[str]:
    """Words the assistant itself uses (training examples, articles) and place names: a capitalised word among
    them is not taken for a name by `privacy.anonymise`."""
    words = {word for example in training_examples() for word in _words(example)}
    for article in library().articles.values():
        words.update(_words(f"{article.title} {article.short} {article.body}"))
    for gemeente in regions.load().gemeenten.values():
        words.update(_words(gemeente.name))
    return frozenset(words)


def _words(text: str) -> Iterable[str]:
    return (w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ][\w'’\-]*", text))


def _key(session: Session) -> bytes:
    row = session.get(InsightKey, KEY_NAME)
    if row is None:
        row = InsightKey(name=KEY_NAME, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def conversation_key(session: Session, sender_id: str) -> str:
    """A keyed hash of the conversation id: the same for every question of one conversation, and nothing else."""
    return hmac.new(_key(session), sender_id.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def record(session: Session, found: Sequence[Found]) -> int:
    """Store the questions, anonymised; how many were stored (one that is empty after anonymising is not)."""
    stored = 0
    words = known_words()
    for item in found:
        text = privacy.anonymise(item.text, words)[:MAX_TEXT]
        if not any(ch.isalpha() for ch in text.replace(privacy.NAME_REPLACEMENT, "")):
            continue
        session.add(
            UnansweredQuestion(
                conversation_key=conversation_key(session, item.sender_id),
                day=item.day,
                gemeente_code=item.gemeente,
                text=text,
                guessed_topic=item.guessed_topic,
                confidence=round(item.confidence, 3),
            )
        )
        stored += 1
    return stored


def forget(session: Session, sender_id: str) -> int:
    """ "Wis mijn gesprek": every question of this conversation, adopted or not."""
    if session.get(InsightKey, KEY_NAME) is None:  # no question was ever kept (and the fold makes the key)
        return 0
    key = conversation_key(session, sender_id)
    return int(session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.conversation_key == key)).rowcount)


def purge(session: Session, days: int, now: Optional[date] = None) -> int:
    """At the end of the conversation's retention: questions not adopted are deleted; adopted ones lose their key.
    How many were deleted."""
    cutoff = (now or today()) - timedelta(days=days)
    old = UnansweredQuestion.day < cutoff
    adopted = UnansweredQuestion.decision.in_((EXAMPLE, NEW_TOPIC))
    not_adopted = or_(UnansweredQuestion.decision.is_(None), UnansweredQuestion.decision == NOT_FOR_US)
    deleted = session.execute(delete(UnansweredQuestion).where(old, not_adopted)).rowcount
    session.execute(update(UnansweredQuestion).where(old, adopted).values(conversation_key=None))
    return int(deleted)


@dataclass(frozen=True)
class Group:
    """Questions that look alike: the texts (the same text once, with how often), the topic guessed most."""

    ids: Tuple[int, ...]
    texts: Tuple[Tuple[str, Tuple[int, ...]], ...]  # (text, the ids of the questions with it), most frequent first
    guessed_topic: str
    first_day: date
    last_day: date

    @property
    def count(self) -> int:
        return len(self.ids)


def undecided(session: Session, gemeenten: Sequence[str], limit: int = MAX_GROUPED) -> List[UnansweredQuestion]:
    query = (
        select(UnansweredQuestion)
        .where(UnansweredQuestion.gemeente_code.in_(list(gemeenten)), UnansweredQuestion.decision.is_(None))
        .order_by(UnansweredQuestion.day.desc(), UnansweredQuestion.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def groups(session: Session, gemeenten: Sequence[str], limit: int = MAX_GROUPED) -> List[Group]:
    """The undecided questions of the gemeenten in groups of similar ones, largest group first."""
    rows = undecided(session, gemeenten, limit)
    return [_group([rows[i] for i in members]) for members in cluster([r.text for r in rows])]


def cluster(texts: Sequence[str], threshold: float = SIMILAR) -> List[List[int]]:
    """Indexes of `texts` in groups: TF-IDF over letter groups (typing errors and word forms stay close) and
    average-linkage clustering on cosine distance (scikit-learn); the largest group first."""
    if not texts:
        return []
    if len(texts) == 1:
        return [[0]]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    normal = [_normal(t) or t.lower() for t in texts]
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True).fit_transform(normal)
    # Distances computed here (sparse, and a text without letter groups is simply far from all others).
    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, affinity="precomputed", linkage="average"
    ).fit_predict(cosine_distances(matrix))
    members: Dict[int, List[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(int(label), []).append(index)
    return sorted(members.values(), key=lambda m: (-len(m), m[0]))


def _normal(text: str) -> str:
    """The stems of the content words (the retrieval's own), without removed parts: "krijg ik een fiets" and "kan
    ik een fiets krijgen" share what matters."""
    return " ".join(terms(re.sub(r"\[[^\]]*\]", " ", text)))


def _group(rows: List[UnansweredQuestion]) -> Group:
    by_text: Dict[str, List[int]] = {}
    for row in rows:
        by_text.setdefault(row.text, []).append(row.id)
    topics = Counter(r.guessed_topic for r in rows if r.guessed_topic)
    return Group(
        ids=tuple(r.id for r in rows),
        texts=tuple((text, tuple(ids)) for text, ids in sorted(by_text.items(), key=lambda item: -len(item[1]))),
        guessed_topic=topics.most_common(1)[0][0] if topics else "",
        first_day=min(r.day for r in rows),
        last_day=max(r.day for r in rows),
    )


DECISION_LABELS = {
    EXAMPLE: "Voorbeelden bij een onderwerp",
    NEW_TOPIC: "Nieuw onderwerp",
    NOT_FOR_US: "Niet voor ons",
}


class DecisionError(ValueError):
    """A decision the editor has to correct (the message is Dutch, for the page)."""


def topic_name(label: str) -> str:
    """The intent name for a new topic the editor named ("Reiskosten naar werk" → "reiskosten_naar_werk")."""
    ascii_only = label.lower().translate(str.maketrans("áàäâéèëêíìïîóòöôúùüûç", "aaaaeeeeiiiioooouuuuc"))
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", ascii_only)).strip("_")[:60]


def decide(
    session: Session,
    ids: Sequence[int],
    gemeenten: Sequence[str],
    decision: str,
    topic: str,
    by: str,
    topics: FrozenSet[str],
) -> int:
    """Mark the questions `ids` (only those of `gemeenten` count) with the editor's decision; how many were marked.
    EXAMPLE needs one of `topics` (the intents the assistant knows); NEW_TOPIC a name that is not one of them."""
    if decision not in DECISIONS:
        raise DecisionError("Kies wat er met deze vragen moet gebeuren.")
    if decision == EXAMPLE and topic not in topics:
        raise DecisionError("Kies het onderwerp waar deze vragen bij horen.")
    if decision == NEW_TOPIC:
        topic = topic_name(topic)
        if not topic or not topic[0].isalpha():
            raise DecisionError("Geef het nieuwe onderwerp een naam (letters en cijfers).")
        if topic in topics:
            raise DecisionError("Dat onderwerp bestaat al: kies 'Voorbeelden bij een onderwerp'.")
    if decision == NOT_FOR_US:
        topic = ""
    result = session.execute(
        update(UnansweredQuestion)
        .where(UnansweredQuestion.id.in_(list(ids)), UnansweredQuestion.gemeente_code.in_(list(gemeenten)))
        .values(decision=decision, decision_topic=topic, decided_by=by, decided_at=to_db_time(utc_now()))
    )
    return int(result.rowcount)


def adopted(session: Session, gemeenten: Sequence[str]) -> Dict[str, List[str]]:
    """The adopted questions as training examples: intent → texts (each once, without removed parts)."""
    query = (
        select(UnansweredQuestion.decision_topic, UnansweredQuestion.text)
        .where(
            UnansweredQuestion.gemeente_code.in_(list(gemeenten)),
            UnansweredQuestion.decision.in_((EXAMPLE, NEW_TOPIC)),
        )
        .order_by(UnansweredQuestion.decision_topic, UnansweredQuestion.id)
    )
    found: Dict[str, List[str]] = {}
    seen: set = set()
    for topic, text in session.execute(query):
        example = as_example(text)
        if example and (topic, example.lower()) not in seen:
            seen.add((topic, example.lower()))
            found.setdefault(topic, []).append(example)
    return found


def as_example(text: str) -> str:
    """One line of training data: removed parts left out, no characters Rasa reads as entity markup."""
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"[\[\]{}()\"]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" ,.;:-")


def nlu_yaml(examples: Dict[str, List[str]], known: FrozenSet[str], said: Optional[datetime] = None) -> str:
    """Rasa NLU training data (format 3.1) for `examples`; an example already in the training data is left out."""
    lines = [
        "# Wegwijzer Werk: voorbeelden uit vragen zonder goed antwoord, gekozen in het consulentenportaal",
        f"# op {(said or utc_now()).strftime('%Y-%m-%d')}. Zet dit bestand in data/nlu/ en train opnieuw (make train).",
    ]
    new = sorted(t for t in examples if t not in known)
    if new:
        lines.append(
            "# Nieuwe onderwerpen (" + ", ".join(new) + ") hebben ook een intent in domain.yml, een artikel in "
            "knowledge/articles/ en een regel in data/stories/ nodig."
        )
    lines += ['version: "3.1"', "nlu:"]
    existing = training_examples()
    for topic in sorted(examples):
        texts = [t for t in examples[topic] if t.lower() not in existing]
        if not texts:
            continue
        lines += [f"- intent: {topic}", "  examples: |"]
        lines += [f"    - {text}" for text in texts]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def training_examples() -> FrozenSet[str]:
    """Every example in data/nlu, lower case (an export leaves these out: Rasa warns on a duplicate)."""
    found: set = set()
    for path in sorted((settings.ROOT / "data" / "nlu").rglob("*.yml")):
        for block in (content.load_file(path) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip()
                if text.startswith("- "):
                    found.add(re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", text[2:]).lower())
    return frozenset(found)


def as_json(found: Sequence[Group], gemeenten: Sequence[str]) -> Dict[str, object]:
    """The groups for the gemeente's own reporting (portal JSON and API): counts as the pages show them."""
    return {
        "gemeenten": list(gemeenten),
        "small_counts": f"aantallen onder {SMALL} staan als '< {SMALL}'",
        "groups": [
            {
                "count": shown(g.count),
                "guessed_topic": g.guessed_topic,
                "guessed_topic_label": topic_label(g.guessed_topic) if g.guessed_topic else "",
                "first_day": g.first_day.isoformat(),
                "last_day": g.last_day.isoformat(),
                "texts": [text for text, _ids in g.texts[:TEXTS_SHOWN]],
            }
            for g in found
        ],
    }
