"""The social-map actions with real trackers, on a real SQLite database loaded with the shipped map."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.social_map import (
    ActionAskGemeente,
    ActionAskSmTheme,
    ActionSearchSocialMap,
    ValidateSocialMapForm,
)
from bot.common import settings
from bot.common.db import session_scope
from bot.socialmap.models import UnmetNeed
from tests.actions_support import button_payloads, run, starting, tracker


@pytest.fixture
def database(app_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    # The shipped region Midden-Utrecht is example data: shown in the demo (as `make run` and the test stack do);
    # what a resident gets without it is in tests/test_nothing_internal.py.
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", True)
    return app_database


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def start(t):
    """The form's first call: Rasa activates the search form after the question and asks its validation action."""
    return run(ValidateSocialMapForm(), starting(t, "social_map_form"))


def test_the_start_of_a_search_reads_theme_gemeente_and_audience_from_the_question():
    _, events = start(tracker("ask_where_to_go", "Is er in Houten een jobcoach voor jongeren?"))
    slots = slots_of(events)
    assert slots["sm_theme"] == "jobcoaching" and slots["gemeente"] == "GM0321" and slots["sm_offset"] == 0
    assert slots["sm_audience"] == "jongere"


def test_the_start_of_a_search_uses_the_theme_of_the_article_just_read():
    t = tracker("ask_where_to_go", "Waar kan ik terecht?", slots={"last_article": "jobcoaching"})
    assert slots_of(start(t)[1])["sm_theme"] == "jobcoaching"


def test_the_start_of_a_search_for_other_help_forgets_the_theme_but_not_the_gemeente():
    t = tracker("find_other_service", "andere hulp", slots={"sm_theme": "jobcoaching", "gemeente": "GM0344"})
    slots = slots_of(start(t)[1])
    assert slots["sm_theme"] is None and "gemeente" not in slots


def test_after_the_start_the_form_validates_what_the_person_answers():
    """Only the activating call reads the question; on the next turn the answer is validated as before."""
    t = tracker("inform", "Zeist", slots={"sm_theme": "jobcoaching", "gemeente": "Zeist", "requested_slot": "gemeente"})
    t.events.append({"event": "slot", "name": "gemeente", "value": "Zeist"})
    t.active_loop = {"name": "social_map_form"}
    domain = {"forms": {"social_map_form": {"required_slots": ["sm_theme", "gemeente"]}}}
    events = asyncio.run(ValidateSocialMapForm().run(CollectingDispatcher(), t, domain))
    assert slots_of(events) == {"gemeente": "GM0355"}


def validate(slot, value, intent="inform"):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateSocialMapForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker(intent, str(value)), {})
    return result, dispatcher.messages


@pytest.mark.parametrize(
    "typed, code",
    [
        ("Den Bosch", "GM0796"),
        ("'s-Hertogenbosch", "GM0796"),
        ("Utrecht stad", "GM0344"),
        ("ik woon in Zeist", "GM0355"),
        ("Nieuwegien", "GM0356"),
        ("GM0344", "GM0344"),
    ],
)
def test_gemeente_is_resolved_however_it_is_written(typed, code):
    result, messages = validate("gemeente", typed)
    assert result == {"gemeente": code} and messages == []


def test_ambiguous_gemeente_offers_the_candidates():
    result, messages = validate("gemeente", "Bergen")
    assert result == {"gemeente": None}
    assert set(button_payloads(messages)) == {'/inform{"gemeente": "GM0893"}', '/inform{"gemeente": "GM0373"}'}


def test_unknown_gemeente_offers_the_gemeenten_of_the_region():
    result, messages = validate("gemeente", "Xyzdorp")
    assert result == {"gemeente": None}
    assert {'/inform{"gemeente": "GM0321"}', '/inform{"gemeente": "GM0355"}'} <= set(button_payloads(messages))


def test_theme_from_words_or_a_button_label():
    assert validate("sm_theme", "hulp met mijn cv")[0] == {"sm_theme": "solliciteren-en-cv"}
    assert validate("sm_theme", "Jobcoaching")[0] == {"sm_theme": "jobcoaching"}
    assert validate("sm_theme", "jobcoaching")[0] == {"sm_theme": "jobcoaching"}  # a button's entity
    result, messages = validate("sm_theme", "iets heel anders zonder thema")
    # Said in words only: the form asks again at once, with the topics and a person as buttons (once per turn).
    assert result == {"sm_theme": None} and "herken ik niet" in messages[0]["text"] and button_payloads(messages) == []
    asked, _ = run(ActionAskSmTheme(), tracker("inform"))
    assert button_payloads(asked).count("/request_human") == 1


def test_ask_actions_offer_themes_and_ask_the_gemeente():
    messages, _ = run(ActionAskSmTheme(), tracker("ask_where_to_go"))
    assert '/inform{"theme": "jobcoaching"}' in button_payloads(messages) and "crisis" not in str(messages)
    messages, _ = run(ActionAskGemeente(), tracker("ask_where_to_go"))
    assert "welke gemeente" in messages[0]["text"]


def test_search_shows_at_most_three_services_with_level_and_contact(database):
    t = tracker("ask_where_to_go", slots={"sm_theme": "jobcoaching", "gemeente": "GM0321"})
    messages, events = run(ActionSearchSocialMap(), t)
    services = messages[1:]
    assert "Houten" in messages[0]["text"] and 1 <= len(services) <= 3
    reach = ("Website:", "Telefoon:", "E-mail:", "Adres:", "open")
    assert all(any(r in m["text"] for r in reach) for m in services)
    assert any(level in messages[1]["text"] for level in ("In jouw gemeente", "In de regio Midden-Utrecht"))
    assert {"/find_other_service", "/request_human"} <= set(button_payloads(messages))
    assert slots_of(events)["sm_offset"] == len(services)


def test_more_results_continue_where_the_last_page_ended(database):
    first, events = run(
        ActionSearchSocialMap(), tracker("ask_where_to_go", slots={"sm_theme": "jobcoaching", "gemeente": "GM0344"})
    )
    offset = slots_of(events)["sm_offset"]
    more, _ = run(
        ActionSearchSocialMap(),
        tracker("show_more_results", slots={"sm_theme": "jobcoaching", "gemeente": "GM0344", "sm_offset": offset}),
    )
    assert [m["text"] for m in more[1:]] != [m["text"] for m in first[1:]]


def test_nothing_nearby_gives_the_gemeente_then_national_options_and_records_the_need(database):
    t = tracker("ask_where_to_go", slots={"sm_theme": "jobcoaching", "gemeente": "GM0014"})  # Groningen: no map
    messages, _ = run(ActionSearchSocialMap(), t)
    assert "Groningen" in messages[0]["text"] and "landelijk" in messages[0]["text"]
    assert "gemeente zelf" in messages[0]["text"], "only the front door nearby, said so"
    front_door = messages[1]["text"]
    assert "In jouw gemeente" in front_door and "14 050" in front_door and "gemeente.groningen.nl" in front_door
    assert all("Landelijk" in m["text"] for m in messages[2:])
    with session_scope(database) as session:
        need = session.execute(select(UnmetNeed)).scalar_one()
        assert (need.theme, need.gemeente_code, need.count) == ("jobcoaching", "GM0014", 1)


def test_demo_records_say_in_words_that_they_are_an_example(database):
    messages, _ = run(
        ActionSearchSocialMap(), tracker("ask_where_to_go", slots={"sm_theme": "jobcoaching", "gemeente": "GM0321"})
    )
    local = [m["text"] for m in messages[1:] if "Landelijk" not in m["text"]]
    front_door, examples = local[0], local[1:]
    assert "Werk en inkomen bij de gemeente Houten" in front_door and "voorbeeld" not in front_door, "real data"
    assert examples and all("voorbeeld voor de demo" in t for t in examples)
    assert not any("voorbeeldgegevens" in m["text"] or "_" in m["text"] for m in messages), "no jargon, no italics"


def test_database_down_gives_a_friendly_answer(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")  # no tables
    messages, events = run(
        ActionSearchSocialMap(), tracker("ask_where_to_go", slots={"sm_theme": "jobcoaching", "gemeente": "GM0344"})
    )
    assert "niet doorzoeken" in messages[0]["text"] and events == []
