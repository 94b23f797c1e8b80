"""Which facet a short question asks about, whatever topic it names: "duurt zo'n proefplaatsing lang?" asks how
long, "hoe schrijf ik me in als werkzoekende?" how to apply.

The intent model decides the topic; a question that names its topic is that topic, and its facet was then found
only by the fixed patterns of knowledge/facets.yml ("hoe lang", "wie betaalt"). People ask in more ways than any
list holds, so a second small model reads the kind of question: it learns from the follow-up examples
(data/nlu/followup, the `followup_*` intents and `more_info`), each also with the word that points back ("dat",
"het", "zoiets") replaced by a topic's name, so that a named topic does not change what is asked.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from bot.conversation.knowledge import facet_in_question
from bot.understanding.segments import words

FACET_PREFIX = "followup_"
MORE_INTENT = "more_info"
# Questions about a topic that ask none of the facets ("kan ik zelf een jobcoach kiezen?", "hoeveel banen zijn
# dat?"): without them every question would be forced into one of seven facets.
OTHER = "other"
TOPIC_PREFIX = "ask_"
OTHER_WORDS = 16
OTHER_BELOW = 0.5  # a topic example the follow-up model reads as a facet at least this sure is no `other`
_POINTER = re.compile(r"\b(dat|dit|het|zoiets|die|deze|daar)\b")


def learns_from(intent: str) -> bool:
    """Whether examples of this intent teach the facet reader: the follow-ups and the wish for more."""
    return intent.startswith(FACET_PREFIX) or intent == MORE_INTENT


class FacetReader:
    """Probabilities over the follow-up intents (`followup_duration`, …, `more_info`) and `other` for a short
    question."""

    def __init__(self) -> None:
        self.model = Pipeline(
            [
                (
                    "features",
                    make_union(
                        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=True),
                        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
                    ),
                ),
                ("classifier", LogisticRegression(C=10.0, max_iter=3000)),
            ]
        )

    def fit(self, texts: Sequence[str], intents: Sequence[str], topic_names: Sequence[str]) -> "FacetReader":
        """Learn from the follow-up examples among `texts`, each also with its pointing word replaced by one of
        `topic_names` (each name in turn, so a model trains the same every time); then, as `other`, from the short
        questions about a topic that ask no facet: neither the patterns of knowledge/facets.yml nor the model
        learnt from the follow-ups alone finds one in them (many topic examples do ask a facet: "kost een jobcoach
        iets?")."""
        names = [n.lower() for n in topic_names]
        x: List[str] = []
        y: List[str] = []
        for text, intent in zip(texts, intents):
            if not learns_from(intent):
                continue
            x.append(text)
            y.append(intent)
            if names and _POINTER.search(text):
                x.append(_POINTER.sub(names[len(x) % len(names)], text, count=1))
                y.append(intent)
        self.model.fit(x, y)
        candidates = [
            t
            for t, i in zip(texts, intents)
            if i.startswith(TOPIC_PREFIX) and words(t) <= OTHER_WORDS and facet_in_question(t) is None
        ]
        readings = self.model.predict_proba(candidates) if candidates else []
        classes = list(self.model.classes_)
        other = [
            t
            for t, row in zip(candidates, readings)
            if classes[int(row.argmax())] == MORE_INTENT or float(row.max()) < OTHER_BELOW
        ]
        self.model.fit(x + other, y + [OTHER] * len(other))
        return self

    def read(self, text: str) -> Tuple[str, float]:
        """The likeliest follow-up intent and its probability."""
        row = self.model.predict_proba([text])[0]
        best = int(row.argmax())
        return str(self.model.classes_[best]), float(row[best])
