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
    assert events[0] == {"event": "slot", "timestamp": None, "name": "last_article", "value": article.id}


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


def test_a_hard_story_is_acknowledged_before_the_answer():
    messages, _ = run(ActionShowArticle(), tracker(
        "ask_right_to_support", "ik word al maanden van het kastje naar de muur gestuurd, heb ik recht op hulp?"))
    assert "kastje naar de muur" in messages[0]["text"]
    assert library().for_intent("ask_right_to_support").short in messages[1]["text"]


def test_a_plain_question_gets_no_acknowledgement():
    messages, _ = run(ActionShowArticle(), tracker("ask_jobcoaching", "wat doet een jobcoach?"))
    assert messages[0]["text"].startswith("**")


def test_a_question_about_own_debts_gets_the_answer_and_the_offer_of_a_person():
    messages, events = run(ActionShowArticle(), tracker("ask_right_to_support", "ik heb schulden, kan ik hulp krijgen?"))
    assert messages[-1]["buttons"][0]["payload"] == "/request_human" and "eigen situatie" in messages[-1]["text"]
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "vraag over schulden"} in events


def test_a_rejected_benefit_is_a_moment_to_offer_a_person():
    messages, events = run(ActionShowArticle(), tracker("ask_benefit_rejected", "mijn wajong is afgewezen"))
    assert "Wat naar" in messages[0]["text"] and "eigen situatie" in messages[-1]["text"]
    assert any(e.get("name") == "handoff_reason" for e in events)


def test_crisis_is_never_preceded_or_followed_by_anything_else():
    messages, events = run(ActionShowArticle(), tracker("crisis", "ik ben wanhopig en wil niet meer leven, ik heb schulden"))
    assert len(messages) == 1 and "113" in messages[0]["text"]
