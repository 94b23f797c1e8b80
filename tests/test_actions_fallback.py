"""The last resort and the other fallback actions, run with a real rasa-sdk tracker and dispatcher."""

from rasa_sdk import Tracker

from actions.fallback import (
    ActionDefaultFallback,
    ActionDenyWithoutQuestion,
    ActionLastResort,
    ActionRestart,
    suggestions,
)
from bot.conversation.messages import message
from tests.actions_support import button_payloads, run, tracker


def ranking(*names):
    return [{"name": n, "confidence": 0.5 - i * 0.05} for i, n in enumerate(names)]


def test_suggestions_are_article_topics_in_human_words_and_never_a_person():
    buttons = suggestions(
        ranking("nlu_fallback", "affirm", "request_human", "ask_jobcoaching", "greet", "ask_loonkostensubsidie")
    )
    assert [b["payload"] for b in buttons] == ["/ask_jobcoaching", "/ask_loonkostensubsidie"]
    assert buttons[0]["title"] == "Jobcoaching"


def test_unknown_intents_are_never_suggested():
    assert suggestions(ranking("nlu_fallback", "no_such_intent")) == []


def test_a_topic_that_does_not_fit_what_the_person_told_is_not_suggested():
    told = ["Ik ben een vrouw van 47 en heb MS, mijn man werkt."]
    buttons = suggestions(ranking("ask_young_people", "ask_right_to_support", "ask_finding_work"), told)
    assert "/ask_young_people" not in [b["payload"] for b in buttons]
    young = suggestions(ranking("ask_young_people", "ask_right_to_support"), ["mijn zoon van 19 zit thuis"])
    assert young[0]["payload"] == "/ask_young_people"


def test_last_resort_shows_the_best_matching_section_of_an_article():
    question = "hoe bepalen ze wat mijn loonwaarde is als de werkgever subsidie krijgt"
    messages, events = run(ActionLastResort(), tracker("nlu_fallback", question, ranking=ranking("nlu_fallback")))
    assert message("section_intro")["text"] in messages[0]["text"]
    assert "**Loonkostensubsidie" in messages[0]["text"]
    assert "/request_human" in button_payloads(messages) and "/more_info" in button_payloads(messages)
    assert {"event": "slot", "name": "last_article", "value": "loonkostensubsidie", "timestamp": None} in events


def test_last_resort_without_a_good_match_offers_fitting_topics_something_else_and_one_person():
    messages, events = run(
        ActionLastResort(),
        tracker("nlu_fallback", "huh wat", ranking=ranking("nlu_fallback", "ask_jobcoaching", "request_human", "help")),
    )
    assert events == [{"event": "slot", "name": "last_article", "value": "jobcoaching", "timestamp": None}]
    assert messages[0]["text"] == message("did_you_mean")["text"]
    payloads = button_payloads(messages)
    assert payloads[0] == "/ask_jobcoaching" and payloads.count("/request_human") == 1
    assert payloads[-2:] == ["/out_of_scope", "/request_human"]


def test_last_resort_without_candidates_asks_to_rephrase_and_offers_a_person():
    messages, _ = run(ActionLastResort(), tracker("nlu_fallback", "huh", ranking=ranking("nlu_fallback")))
    assert "andere manier" in messages[0]["text"]
    assert button_payloads(messages) == ["/request_human"]


def test_a_second_miss_in_a_row_offers_a_person():
    did_you_mean = message("did_you_mean")["text"]
    latest = {
        "text": "blabla",
        "intent": {"name": "nlu_fallback", "confidence": 0.1},
        "intent_ranking": ranking("nlu_fallback"),
        "entities": [],
    }
    events = [
        {"event": "user", "text": "eerste poging"},
        {"event": "bot", "text": did_you_mean},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "blabla", "parse_data": latest},
    ]
    messages, _ = run(ActionLastResort(), Tracker("t", {}, latest, events, False, None, {}, "action_listen"))
    assert messages[0]["text"] == message("give_up")["text"]
    assert "/request_human" in button_payloads(messages)


def test_giving_up_offers_a_person_and_reverts_the_message():
    messages, events = run(ActionDefaultFallback(), tracker("nlu_fallback"))
    assert "/request_human" in button_payloads(messages)
    assert events == [{"event": "rewind", "timestamp": None}]


def test_restart_says_so_and_restarts():
    messages, events = run(ActionRestart(), tracker("restart"))
    assert "opnieuw" in messages[0]["text"]
    assert events[0]["event"] == "restart"


def test_a_question_not_understood_that_plainly_asks_a_facet_is_about_the_topic_of_the_conversation():
    question = "ik heb geen behandelaar meer, lukt het dan nog?"
    facet = {"name": "followup_conditions", "confidence": 0.7}
    after_ips = {"last_article": "ips"}
    messages, _ = run(
        ActionLastResort(), tracker("nlu_fallback", question, after_ips, ranking("nlu_fallback"), facet=facet)
    )
    assert messages[0]["text"].startswith("**IPS via de GGZ: voor wie?**")
    unsure = {"name": "followup_conditions", "confidence": 0.3}
    messages, _ = run(
        ActionLastResort(), tracker("nlu_fallback", question, after_ips, ranking("nlu_fallback"), facet=unsure)
    )
    assert not messages[0]["text"].startswith("**IPS via de GGZ")
    messages, _ = run(ActionLastResort(), tracker("nlu_fallback", question, {}, ranking("nlu_fallback"), facet=facet))
    assert not messages[0]["text"].startswith("**IPS via de GGZ")


def test_a_no_that_says_the_answer_missed_asks_for_other_words_and_a_plain_no_is_taken_as_it_is():
    messages, _ = run(ActionDenyWithoutQuestion(), tracker("deny", "nee, dat bedoel ik niet"))
    assert messages[0]["text"] == message("misunderstood")["text"] and button_payloads(messages) == ["/request_human"]
    messages, _ = run(ActionDenyWithoutQuestion(), tracker("deny", "nee hoor"))
    assert messages[0]["text"] == message("deny_without_question")["text"]
