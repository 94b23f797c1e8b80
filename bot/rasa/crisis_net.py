"""A safety net under the NLU: a message with clear signs of acute distress is always understood as `crisis`.

The crisis answer (113, 0800-0113 and 112 first, then a person) must not depend on a statistical model that
may read "ik wil er een punt achter zetten" as a goodbye, or fall to "Bedoel je …?". The words are content, in
knowledge/conversation_care.yml (`crisis_signals`); this component sits last in the pipeline (config.yml) and
only ever adds certainty, never takes it away: other messages pass untouched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Pattern, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.care import content

CRISIS = "crisis"


@lru_cache(maxsize=None)
def _signals() -> Pattern[str]:
    return re.compile("|".join(content()["crisis_signals"]))


def is_crisis(text: Optional[str]) -> bool:
    """Whether the text shows clear signs of acute distress (suicide, self-harm, an overdose)."""
    return bool(text) and bool(_signals().search(" ".join(str(text).lower().split())))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CrisisSafetyNet(GraphComponent, IntentClassifier):
    """Sets the intent to `crisis` with full confidence when the words leave no doubt."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CrisisSafetyNet":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if is_crisis(message.get(TEXT)):
                intent = {INTENT_NAME_KEY: CRISIS, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != CRISIS]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
