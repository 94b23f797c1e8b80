"""The article actions with a real tracker, on the shipped articles."""
import pytest

from actions.knowledge import ActionShowArticle, ActionShowArticleDetails
from bot.knowledge import library
from tests.actions_support import button_payloads, run, tracker

INTENTS = sorted(library().by_intent)


@pytest.mark.parametrize("intent", INTENTS)
def test_every_topic_gets_its_short_answer_with_next_steps(intent):
    article = library().for_intent(intent)
    messages, events = run(ActionShowArticle(), tracker(intent))
    assert article.short in messages[0]["text"]
    assert {"/more_info", "/request_human"} <= set(button_payloads(messages))
    assert events == [{"event": "slot", "timestamp": None, "name": "last_article", "value": article.id}]


def test_more_info_shows_the_long_answer_and_sources_of_the_last_article():
    article = library().for_intent("ask_jobcoaching")
    messages, _ = run(ActionShowArticleDetails(), tracker("more_info", slots={"last_article": article.id}))
    assert article.body.splitlines()[0] in messages[0]["text"] and "**Bronnen**" in messages[0]["text"]
    assert "/request_human" in button_payloads(messages)


def test_more_info_without_a_last_article_asks_which_topic():
    messages, _ = run(ActionShowArticleDetails(), tracker("more_info"))
    assert "Waarover wil je meer weten" in messages[0]["text"]


def test_the_gemeente_version_is_used_when_the_gemeente_is_known():
    national = library().for_intent("ask_right_to_support")
    local = library().for_intent("ask_right_to_support", "GM0344")
    assert local.short != national.short
    messages, _ = run(ActionShowArticle(), tracker("ask_right_to_support", slots={"gemeente": "GM0344"}))
    assert local.short in messages[0]["text"]
    messages, _ = run(ActionShowArticle(), tracker("ask_right_to_support", slots={"gemeente": "GM0599"}))
    assert national.short in messages[0]["text"]


def test_an_intent_without_article_asks_to_rephrase():
    messages, events = run(ActionShowArticle(), tracker("greet"))
    assert "andere manier" in messages[0]["text"] and events == []


def test_crisis_answer_gives_113_and_112_first():
    messages, _ = run(ActionShowArticle(), tracker("crisis"))
    first = messages[0]["text"]
    assert "113" in first and "0800-0113" in first and "112" in first
    assert "/request_human" in button_payloads(messages)
