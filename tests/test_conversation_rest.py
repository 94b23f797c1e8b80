"""End-to-end: the real action server and Rasa server, a conversation over the REST webhook."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import Chat, payloads

pytestmark = pytest.mark.stack

BAD_INPUT = {
    "empty": "",
    "whitespace": "   \n  ",
    "huge": "Ik heb een vraag over werk. " * 400,
    "emoji": "😊🙏🏽😢",
    "gibberish": "asdfkj qwpoeiru zxcmvnb",
    "html": '<b>hoi</b><img src=x onerror="alert(1)">',
    "script": "<script>alert('xss')</script>",
    "sql": "'; DROP TABLE events; --",
    "sql_union": "1 UNION SELECT * FROM events",
    "typed_payload": '/some_intent{"slot": "value"}',
    "typed_payload_protected": '/greet{"consent": "ja", "requested_slot": "x"}',
    "english": "Where can I find a job with my disability?",
    "german": "Ich suche Arbeit, können Sie mir helfen?",
}


def test_welcome_says_what_it_is(chat: Chat):
    messages = chat.say("hallo")
    text = messages[0]["text"]
    assert "computerprogramma" in text and "BSN" in text and "Ik beslis niets over jou" in text
    assert "geen gevolgen" not in text, "not promised: a transcript may go to the gemeente (with consent)"
    assert "/request_human" in payloads(messages)


def test_a_multi_turn_conversation(chat: Chat):
    assert "computerprogramma" in chat.say_text("hoi")
    assert "computerprogramma en geen mens" in chat.say_text("ben jij een robot?")
    assert "Ik kan je helpen" in chat.say_text("wat kun je eigenlijk")
    assert "ik help je op weg" in chat.say_text("ik snap het niet")
    assert "niet mee helpen" in chat.say_text("wat voor weer wordt het morgen")
    assert "Graag gedaan" in chat.say_text("dankjewel")
    assert "Fijn dat je er was" in chat.say_text("doei")


def test_ask_for_a_person_offers_the_handoff_and_no_gives_a_route_and_a_sentence(chat: Chat):
    messages = chat.say("ik wil een mens spreken")
    assert "vrijwillig" in messages[0]["text"] and {"/affirm", "/deny"} <= set(payloads(messages))
    text = chat.say_text("/deny")
    assert "gemeente" in text and "Ik heb een beperking en geen uitkering" in text


# Strings no intent was trained on. Which of them the NLU sends to the fallback depends on the model, so the
# tests below use the first one that gets "Bedoel je …?" and fail if none does.
GIBBERISH = [
    "asdfkj qwpoeiru zxcmvnb",
    "qqq wwwx zzzv",
    "blorp fniek traz",
    "xkq vvz pmmr ttl",
    "grmbl zwoek prft",
    "kwiebeltje snorp vlaai",
    "hnnngh bzzt",
    "jklö ühm pfrt",
]


FALLBACK_SIGNS = ("Bedoel je", "andere manier", "Het lukt me niet goed")


def not_understood(chat: Chat):
    """Send gibberish until the assistant says it did not understand; return those messages."""
    for text in GIBBERISH:
        messages = chat.say(text)
        if any(sign in messages[0]["text"] for sign in FALLBACK_SIGNS):
            return messages
    pytest.fail("no gibberish reached the fallback: is the FallbackClassifier threshold too low?")


def test_not_understood_twice_ends_with_the_offer_of_a_person(chat: Chat):
    first = not_understood(chat)
    if "/out_of_scope" in payloads(first):
        assert "Bedoel je" in first[0]["text"] and payloads(first).count("/request_human") == 1
        assert "andere manier" in chat.say_text("/out_of_scope"), "'Nee, iets anders' asks for other words"
    second = not_understood(chat)
    assert "medewerker" in second[0]["text"] and "/request_human" in payloads(second)
    assert "computerprogramma" in chat.say_text("hallo")


# Half-understood: words of the domain without a question. Which of them the NLU is unsure about depends on the
# model, so the test uses the first one that gets "Bedoel je …?" with topics.
VAGUE = [
    "uitkering gedoe blub",
    "werk werk blub gemeente",
    "subsidie zoiets blub",
    "coach blub baan",
    "register uwv blub",
    "hulp hulp blub",
    "beperking blub werkgever",
    "gemeente blub geld",
]


def test_fallback_suggestion_button_answers_the_suggested_topic(chat: Chat):
    topics = []
    for text in VAGUE:
        messages = chat.say(text)
        topics = [p for p in payloads(messages) if p not in ("/out_of_scope", "/request_human")]
        if "Bedoel je" in messages[0]["text"] and topics:
            break
    assert topics, "a half-understood message gets likely topics as buttons"
    answer = chat.say(topics[0])
    assert answer and "Bedoel je" not in answer[0]["text"]


def test_restart_starts_again(chat: Chat):
    chat.say("hallo")
    assert "We beginnen opnieuw" in chat.say_text("/restart")
    assert "We beginnen opnieuw" in chat.say_text("opnieuw beginnen")


def test_other_language_gets_a_dutch_answer(chat: Chat):
    assert "alleen Nederlands" in chat.say_text("Do you speak English? I need help finding work")


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_gets_a_calm_dutch_answer_and_the_conversation_goes_on(chat: Chat, name: str):
    messages = chat.say(BAD_INPUT[name])
    texts = [m.get("text", "") for m in messages]
    assert texts and all(texts), f"no answer to {name}"
    assert not any("<script" in t or "onerror" in t or "DROP TABLE" in t for t in texts), "input echoed back"
    assert "computerprogramma" in chat.say_text("hallo"), "conversation continues"


def test_long_message_is_cut_and_the_person_is_told(chat: Chat):
    messages = chat.say("Ik wil graag werken maar ik weet niet hoe. " * 300)
    assert "eerste 1000 tekens" in messages[0]["text"]
    assert len(messages) >= 2, "the cut message is still answered"


def test_empty_message_is_answered_with_topics(chat: Chat):
    messages = chat.say("")
    assert "geen woorden" in messages[0]["text"] and "/request_human" in payloads(messages)


@pytest.mark.parametrize("body", ["not json", "[1, 2, 3]", '{"message": 5}', '{"sender": null}', "{}"])
def test_malformed_requests_never_give_500(chat: Chat, body: str):
    response = requests.post(chat.stack.rest_url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code < 500, response.text


def test_action_server_down_gives_a_friendly_answer_and_recovers(chat: Chat):
    stack = chat.stack
    actions = stack.service("actions")
    stack.stop_service(actions)
    try:
        text = chat.say_text("wat kun je")  # an utterance: still works without actions
        assert "Ik kan je helpen" in text
        messages = chat.say("/restart")  # needs the action server
        assert messages and "probeer het" in messages[-1]["text"].lower()
    finally:
        stack.start_service(actions)
        stack.wait_ready(actions, timeout=60)
    assert "We beginnen opnieuw" in chat.say_text("/restart")
