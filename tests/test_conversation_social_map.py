"""End-to-end: searching the social map over REST, with the shipped data in a real SQLite database."""

import pytest

from tests.conftest import Chat, payloads

pytestmark = pytest.mark.stack


def services(messages):
    return [m for m in messages if m.get("text", "").startswith("**")]


def test_jobcoach_in_a_named_gemeente_gives_real_results(chat: Chat):
    messages = chat.say("Is er in Houten een jobcoach?")
    assert "Jobcoaching" in messages[0]["text"] and "Houten" in messages[0]["text"]
    assert 1 <= len(services(messages)) <= 3
    assert "Werk en inkomen bij de gemeente Houten" in messages[1]["text"], "the gemeente itself first"
    assert "/request_human" in payloads(messages)


def test_the_form_asks_for_the_gemeente_and_remembers_it(chat: Chat):
    assert "welke gemeente" in chat.say_text("waar kan ik terecht voor hulp met mijn cv?")
    messages = chat.say("Zeist")
    assert "Zeist" in messages[0]["text"] and services(messages)
    again = chat.say("en waar kan ik terecht met mijn schulden?")
    assert "Zeist" in again[0]["text"], "the gemeente is remembered"


def test_unclear_gemeente_gets_buttons_and_a_button_works(chat: Chat):
    chat.say("waar kan ik terecht voor jobcoaching")
    messages = chat.say("Bergen")
    bergen_nh = '/inform{"gemeente": "GM0373"}'
    assert {'/inform{"gemeente": "GM0893"}', bergen_nh} <= set(payloads(messages))
    result = chat.say(bergen_nh)
    assert "Bergen (NH)" in result[0]["text"]  # as the gemeente writes itself (ROO)


def test_more_and_other_help(chat: Chat):
    first = chat.say("Is er in Utrecht een jobcoach?")
    if "/show_more_results" in payloads(first):
        more = chat.say("/show_more_results")
        assert services(more) and services(more)[0]["text"] != services(first)[0]["text"]
    assert "Waarvoor zoek je hulp" in chat.say_text("/find_other_service")
    assert "Utrecht" in chat.say('/inform{"theme": "vrijwilligerswerk"}')[0]["text"]


def test_a_person_can_be_asked_for_in_the_middle_of_a_search(chat: Chat):
    assert "welke gemeente" in chat.say_text("waar kan ik terecht voor jobcoaching")
    assert "vrijwillig" in chat.say_text("/request_human"), "the search stops and the handoff is offered"
    assert "Ik heb een beperking en geen uitkering" in chat.say_text("/deny")
    assert "computerprogramma" in chat.say_text("hallo"), "no form is active any more"


# --- All of the Netherlands in 2026 (issue 16); the same at the action level:
# tests/test_gemeenten_2026_conversations.py


def test_a_gemeente_formed_in_2022_is_found_and_comes_first_with_its_number(chat: Chat):
    messages = chat.say("is er in Maashorst iemand die mij kan helpen met werk zoeken")
    assert "Maashorst" in messages[0]["text"]
    assert "Werk en inkomen bij de gemeente Maashorst" in messages[1]["text"] and "Telefoon: " in messages[1]["text"]


def test_an_old_gemeente_leads_to_todays_with_a_note(chat: Chat):
    messages = chat.say("ik woon in Weesp en zoek hulp bij werk")
    assert messages[0]["text"] == "Weesp hoort sinds 2022 bij de gemeente Amsterdam."
    assert "Werk en inkomen bij de gemeente Amsterdam" in messages[2]["text"]


def test_haaren_asks_which_part(chat: Chat):
    messages = chat.say("ik woon in Haaren en zoek werk")
    assert "Haaren is in 2021 verdeeld over" in messages[-1]["text"]
    vught = '/inform{"gemeente": "GM0865"}'
    assert vught in payloads(messages)
    assert "Vught" in chat.say(vught)[0]["text"]
