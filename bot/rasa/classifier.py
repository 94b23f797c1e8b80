"""The intent classifier inside the Rasa server (config.yml): the StoryReader, plus three rules.

- A message with a reference code (WW-…) is a question about a handoff's status, whatever else it says.
- When a long message asks a second question on another topic, it is passed on as `also_asked` in the parse
  data, so that the answer can offer it (actions/knowledge.py).
- `inform` (a gemeente, a theme or contact details, typed as an answer) only counts when the message holds one:
  character n-grams make unknown words look like place names, and "blub blub" must not start a search.
- "Waar vraag ik dat aan?" points back at the last answer and asks how to apply: a follow-up, not a new search
  for a place to go (which "waar dan?" still is).
- "Nee, dat bedoel ik niet, ik bedoel of het verplicht is": a correction that asks again is read by what it asks
  again; a correction alone stays a no (actions/fallback.py asks for other words).
- A short message also gets the facet it asks about (`facet` in the parse data: "duurt zo'n proefplaatsing lang?"
  asks how long), read by the FacetReader whatever topic it names; the actions decide whether the conversation
  makes it a follow-up (actions/knowledge.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.common.regions import find_gemeente_in_text, resolve_gemeente
from bot.conversation.knowledge import library
from bot.socialmap.taxonomy import find_theme_in_text
from bot.understanding.facet_reader import FacetReader
from bot.understanding.followup import pointing_back
from bot.understanding.reader import ReaderSettings, StoryReader
from bot.understanding.reference import find_code
from bot.understanding.segments import words

logger = logging.getLogger(__name__)

STATUS_INTENT = "ask_handoff_status"
WITHDRAW_INTENT = "withdraw_handoff"
INFORM = "inform"
WHERE_INTENT = "ask_where_to_go"
# A masked phone number or e-mail address (bot/handoff/contact_vault.py), or words that say where someone lives.
_CONTACT_OR_PLACE = re.compile(r"\*\*\*|\b(ik woon|wij wonen|woont|gemeente|in de buurt van)\b", re.IGNORECASE)
ALSO_ASKED = "also_asked"
FACET = "facet"
FACET_WORDS = 16  # longer messages tell a story; what they ask is read sentence by sentence by the StoryReader
RANKING_LENGTH = 10
_FILE = "story_reader.joblib"
_FACET_FILE = "facet_reader.joblib"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class StoryAwareIntentClassifier(GraphComponent, IntentClassifier):
    """Intents from the StoryReader (scikit-learn), trained on the NLU data with the model."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        defaults = ReaderSettings()
        return {name: getattr(defaults, name) for name in ReaderSettings.__dataclass_fields__} | {
            "topic_prefix": "ask_"
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        reader: Optional[StoryReader] = None,
        facet_reader: Optional[FacetReader] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.reader = reader
        self.facet_reader = facet_reader

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StoryAwareIntentClassifier":
        return cls(config, model_storage, resource)

    def _settings(self) -> ReaderSettings:
        return ReaderSettings(**{k: v for k, v in self.config.items() if k in ReaderSettings.__dataclass_fields__})

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(m.get(TEXT), m.get(INTENT)) for m in training_data.intent_examples if m.get(TEXT)]
        intents = {intent for _, intent in examples}
        topics = frozenset(i for i in intents if i.startswith(self.config["topic_prefix"]))
        texts, labels = [t for t, _ in examples], [i for _, i in examples]
        self.reader = StoryReader(self._settings(), topics).fit(texts, labels)
        names = [a.title for a in library().articles.values() if a.id != "crisis"]
        self.facet_reader = FacetReader().fit(texts, labels, names)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.reader, directory / _FILE)
            joblib.dump(self.facet_reader, directory / _FACET_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "StoryAwareIntentClassifier":
        facet_reader = None
        try:
            with model_storage.read_from(resource) as directory:
                reader = joblib.load(directory / _FILE)  # our own files, written by train() into the model
                if (directory / _FACET_FILE).exists():
                    facet_reader = joblib.load(directory / _FACET_FILE)
        except ValueError:
            logger.warning("StoryAwareIntentClassifier has no trained model; it will predict nothing")
            reader = None
        component = cls(config, model_storage, resource, reader, facet_reader)
        if reader is not None:  # how a message is read (not how the model was fitted) follows the current settings
            reader.settings = component._settings()
            reader.make_fast()
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = asked_again(message.get(TEXT))
            if self.reader is None or not text:
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                continue
            reading = self.reader.read(text)
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in reading.ranking]
            not_understood = ranking[0][INTENT_NAME_KEY] == INFORM and not plausible_inform(text)
            if not_understood:  # the FallbackClassifier takes it from here; the rest of the ranking stays for hints
                ranking = ranking[1:]
            if find_code(text):  # a reference code: its status, unless the person wants to withdraw it
                not_understood = False
                withdrawing = bool(ranking) and ranking[0][INTENT_NAME_KEY] == WITHDRAW_INTENT
                wanted = WITHDRAW_INTENT if withdrawing else STATUS_INTENT
                ranking = [{INTENT_NAME_KEY: wanted, PREDICTED_CONFIDENCE_KEY: 1.0}] + [
                    r for r in ranking if r[INTENT_NAME_KEY] != wanted
                ]
            ranking = _follow_up_not_search(text, ranking)[:RANKING_LENGTH]
            top = {**ranking[0], PREDICTED_CONFIDENCE_KEY: 0.0} if not_understood else ranking[0]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            if reading.also_asked and ranking[0][INTENT_NAME_KEY] not in (STATUS_INTENT, WITHDRAW_INTENT):
                name, confidence = reading.also_asked
                message.set(
                    ALSO_ASKED, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True
                )
            if self.facet_reader is not None and words(text) <= FACET_WORDS and not text.startswith("/"):
                name, confidence = self.facet_reader.read(text)
                message.set(FACET, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _follow_up_not_search(text: str, ranking: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The where-to-go search put second behind the follow-up that a short question pointing back asks for."""
    if not ranking or ranking[0][INTENT_NAME_KEY] != WHERE_INTENT:
        return ranking
    facet = pointing_back(text, WHERE_INTENT, limit=FACET_WORDS)
    if facet is None:
        return ranking
    rest = [r for r in ranking[1:] if r[INTENT_NAME_KEY] != facet.intent]
    return [{**ranking[0], INTENT_NAME_KEY: facet.intent}, ranking[0], *rest]


# "nee, dat bedoel ik niet, ik bedoel …", "dat bedoelde ik niet: …", "nee ik bedoel …"
_CORRECTION = re.compile(
    r"^\W*(?:(?:nee|neen|nope)\b\W*)?(?:(?:dat|zo)\s+bedoel(?:de)?\s+ik\s+(?:het\s+)?niet\b\W*)?"
    r"(?:ik\s+bedoel(?:de)?\b|maar\b)?\W*",
    re.IGNORECASE,
)
ASKED_AGAIN_WORDS = 3  # what follows a correction must ask something to be read on its own


def asked_again(text: Optional[str]) -> Optional[str]:
    """What a correction asks again ("nee dat bedoel ik niet, ik bedoel mag ik zelf kiezen" → "mag ik zelf kiezen");
    any other message as it is."""
    if not text:
        return text
    match = _CORRECTION.match(text)
    said = match.group(0) if match else ""
    if not re.search(r"bedoel", said, re.IGNORECASE):
        return text
    rest = text[len(said) :].strip()
    return rest if words(rest) >= ASKED_AGAIN_WORDS else text


def plausible_inform(text: str) -> bool:
    """Whether a message can be an answer with a gemeente, a theme or contact details."""
    if _CONTACT_OR_PLACE.search(text) or find_theme_in_text(text):
        return True
    return any(r.found or r.ambiguous for r in (resolve_gemeente(text), find_gemeente_in_text(text)))
