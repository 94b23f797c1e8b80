"""The crisis safety net: clear signs of acute distress are always `crisis`; everyday words are left alone."""

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.common import settings
from bot.rasa.crisis_net import CrisisSafetyNet, is_crisis

HELD_OUT = yaml.safe_load((settings.ROOT / "tests" / "nlu" / "heldout" / "crisis.yml").read_text(encoding="utf-8"))


def crisis_examples():
    block = next(i for i in HELD_OUT["nlu"] if i["intent"] == "crisis")["examples"]
    return [line[2:].strip() for line in block.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize(
    "text",
    [
        "ik wil er een eind aan maken",
        "Ik denk aan ZELFMOORD",
        "ik wil dood",
        "ik heb een overdosis genomen",
        "ik wil mezelf iets aandoen",
        "niemand zou me missen als ik er niet meer was",
        "ik wil niet meer leven",
        "het leven is te zwaar, ik wil een punt achter mijn leven zetten",
    ],
)
def test_clear_signs_are_crisis(text):
    assert is_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "ik ben doodmoe van het solliciteren",
        "ik wil een punt achter die baan zetten",
        "mijn leven lang heb ik gewerkt",
        "ik wil graag leven van mijn eigen geld",
        "mag ik dood eerlijk zijn: ik vind de gemeente traag",
        "de pillen voor mijn rug",
        "ik wil stoppen met mijn opleiding",
        "",
        None,
    ],
)
def test_everyday_words_are_not_crisis(text):
    assert not is_crisis(text)


def test_most_held_out_crisis_questions_are_caught_by_words_alone():
    examples = crisis_examples()
    caught = [e for e in examples if is_crisis(e)]
    assert len(caught) >= 0.7 * len(examples), set(examples) - set(caught)


def test_the_component_overrides_any_prediction_and_leaves_others_alone():
    crisis = Message(
        {
            TEXT: "ik wil er een punt achter zetten, ik heb een afscheidsbrief geschreven",
            INTENT: {"name": "goodbye", "confidence": 0.9},
            INTENT_RANKING_KEY: [{"name": "goodbye", "confidence": 0.9}, {"name": "crisis", "confidence": 0.1}],
        }
    )
    other = Message({TEXT: "doei", INTENT: {"name": "goodbye", "confidence": 0.9}})
    CrisisSafetyNet().process([crisis, other])
    assert crisis.get(INTENT) == {"name": "crisis", "confidence": 1.0}
    assert [r["name"] for r in crisis.get(INTENT_RANKING_KEY)] == ["crisis", "goodbye"]
    assert other.get(INTENT)["name"] == "goodbye"
