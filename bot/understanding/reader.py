"""The intent model: TF-IDF over character and word n-grams with logistic regression (scikit-learn), read
sentence by sentence for long messages.

Why this and not DIET alone: on the held-out short questions it is as accurate (macro F1 0.93 vs 0.92), it trains
in seconds, and it can score each sentence of a story separately — so "Ik ben 47 en heb MS. Mijn man werkt.
Kan ik hulp krijgen bij werk?" is decided by its question, not by the situation around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from bot.understanding.segments import clauses, is_question, sentences, words

Ranking = List[Tuple[str, float]]


@dataclass(frozen=True)
class Reading:
    """What the model read in one message: intents best first, and a second question on another topic."""

    ranking: Ranking
    also_asked: Optional[Tuple[str, float]] = None
    parts: int = 1


@dataclass(frozen=True)
class ReaderSettings:
    """How a long message is read (docs/conversation.md, "Understanding")."""

    C: float = 20.0
    long_message_words: int = 12  # from this length on, sentences are scored separately
    full_weight: float = 3.0  # the whole message, beside its parts (tuned by cross-validation on long examples)
    statement_weight: float = 0.5  # a sentence that tells rather than asks
    min_part_words: int = 3  # "Hoi!" or "Dank je." on their own say nothing about the topic
    also_asked_threshold: float = 0.5  # a second question is offered when its part is at least this sure
    # A part that clearly asks for a person, or clearly shows distress, decides the message whatever the rest
    # says: a person who asks for a human gets one, and a crisis is never lost in a long story.
    priority: Tuple[Tuple[str, float], ...] = (("crisis", 0.75), ("request_human", 0.6))


class StoryReader:
    """Intent probabilities for a message, with long messages read sentence by sentence."""

    def __init__(self, settings: ReaderSettings = ReaderSettings(), topics: FrozenSet[str] = frozenset()) -> None:
        self.settings = settings
        self.topics = topics  # intents that are topics a person asks about (a second question must be one)
        self.model = Pipeline(
            [
                (
                    "features",
                    make_union(
                        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, lowercase=True),
                        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
                    ),
                ),
                ("classifier", LogisticRegression(C=settings.C, max_iter=3000)),
            ]
        )

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> "StoryReader":
        self.model.fit(list(texts), list(intents))
        self.make_fast()
        return self

    def make_fast(self) -> "StoryReader":
        """Store the weights column-major. scikit-learn multiplies the features by `coef_.T`; with the usual
        row-major weights scipy first copies the whole (features × intents) matrix, on every message: that copy
        was two thirds of the time a message took to read (7 of 9 ms with 44 intents)."""
        classifier = self.model.steps[-1][1]
        classifier.coef_ = np.asfortranarray(classifier.coef_)
        return self

    @property
    def intents(self) -> List[str]:
        return list(self.model.classes_)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.predict_proba(list(texts))

    def read(self, text: str) -> Reading:
        parts = self._parts(text)
        if len(parts) <= 1:
            return Reading(self._ranking(self.probabilities([text])[0]))
        s = self.settings
        probabilities = self.probabilities([text] + [p for p, _ in parts])
        weights = np.array([s.full_weight] + [self._weight(p, asks) for p, asks in parts])
        if not any(asks for _, asks in parts):  # no sentence asks: every sentence counts the same
            weights = np.array([s.full_weight] + [1.0 if words(p) >= s.min_part_words else 0.0 for p, _ in parts])
        combined = weights @ probabilities / weights.sum()
        ranking = self._prioritised(self._ranking(combined), parts, probabilities[1:])
        return Reading(ranking, self._also_asked(ranking[0][0], parts, probabilities[1:]), len(parts))

    def _prioritised(self, ranking: Ranking, parts: List[Tuple[str, bool]], probabilities: np.ndarray) -> Ranking:
        classes = list(self.model.classes_)
        for intent, threshold in self.settings.priority:
            if intent not in classes:
                continue
            column = classes.index(intent)
            sure = [
                float(row[column])
                for (_, asks), row in zip(parts, probabilities)
                if (asks or intent == "crisis") and int(row.argmax()) == column and row[column] >= threshold
            ]
            if sure:
                return [(intent, max(sure))] + [(name, p) for name, p in ranking if name != intent]
        return ranking

    def _parts(self, text: str) -> List[Tuple[str, bool]]:
        """The sentences (questions cut into clauses), each with whether it asks something."""
        found = [(clause, is_question(clause)) for sentence in sentences(text) for clause in clauses(sentence)]
        if words(text) < self.settings.long_message_words and len(found) <= 1:
            return []
        return found

    def _weight(self, part: str, asks: bool) -> float:
        if words(part) < self.settings.min_part_words and not asks:
            return 0.0
        return 1.0 if asks else self.settings.statement_weight

    def _also_asked(
        self, first: str, parts: List[Tuple[str, bool]], probabilities: np.ndarray
    ) -> Optional[Tuple[str, float]]:
        if first not in self.topics:
            return None
        best: Optional[Tuple[str, float]] = None
        for (_part, asks), row in zip(parts, probabilities):
            index = int(row.argmax())
            intent, confidence = self.model.classes_[index], float(row[index])
            also_asked = asks and intent != first and intent in self.topics
            if (
                also_asked
                and confidence >= self.settings.also_asked_threshold
                and (best is None or confidence > best[1])
            ):
                best = (intent, confidence)
        return best

    def _ranking(self, row: np.ndarray) -> Ranking:
        order = np.argsort(row)[::-1]
        return [(str(self.model.classes_[i]), float(row[i])) for i in order]
