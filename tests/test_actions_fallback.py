"""The fallback actions, run with a real rasa-sdk tracker and dispatcher."""
from actions.fallback import (
    ActionDefaultAskAffirmation,
    ActionDefaultAskRephrase,
    ActionDefaultFallback,
    ActionRestart,
    suggestions,
)
from tests.actions_support import button_payloads, run, tracker


def ranking(*names):
    return [{"name": n, "confidence": 0.5 - i * 0.1} for i, n in enumerate(names)]


def test_suggestions_skip_fallback_and_non_topics_and_use_human_words():
    buttons = suggestions(ranking("nlu_fallback", "affirm", "request_human", "ask_capabilities", "greet"))
    assert [b["payload"] for b in buttons] == ["/request_human", "/ask_capabilities"]
    assert buttons[0]["title"] == "Praten met een medewerker"


def test_unknown_intents_are_never_suggested():
    assert suggestions(ranking("nlu_fallback", "no_such_intent")) == []


def test_ask_affirmation_offers_topics_something_else_and_a_person():
    messages, events = run(ActionDefaultAskAffirmation(), tracker(
        "nlu_fallback", "huh wat", ranking=ranking("nlu_fallback", "ask_capabilities", "help")))
    assert events == []
    assert "Bedoel je" in messages[0]["text"]
    assert button_payloads(messages) == ["/ask_capabilities", "/help", "/out_of_scope", "/request_human"]


def test_ask_affirmation_without_candidates_asks_to_rephrase():
    messages, _ = run(ActionDefaultAskAffirmation(), tracker("nlu_fallback", ranking=ranking("nlu_fallback")))
    assert "andere manier" in messages[0]["text"]


def test_rephrase_asks_for_other_words():
    messages, _ = run(ActionDefaultAskRephrase(), tracker("out_of_scope"))
    assert "andere manier" in messages[0]["text"] and "Bedoel" not in messages[0]["text"]


def test_giving_up_offers_a_person_and_reverts_the_message():
    messages, events = run(ActionDefaultFallback(), tracker("nlu_fallback"))
    assert "/request_human" in button_payloads(messages)
    assert events == [{"event": "rewind", "timestamp": None}]


def test_restart_says_so_and_restarts():
    messages, events = run(ActionRestart(), tracker("restart"))
    assert "opnieuw" in messages[0]["text"]
    assert events[0]["event"] == "restart"
