"""All of the Netherlands in 2026, at the action level with real trackers and a real SQLite database loaded with
the shipped map: one gemeente in every arbeidsmarktregio (search and handoff path), and every gemeente that was
renamed or merged since 2020 (note, search, handoff path, widget attribute). Over REST:
tests/test_conversation_social_map.py and tests/test_conversation_handoff.py.
"""

from __future__ import annotations

import asyncio
import csv
from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionSubmitHandoff, ValidateHandoffForm
from actions.latest import widget_gemeente
from actions.social_map import ActionAskGemeente, ActionSearchSocialMap, ValidateSocialMapForm
from bot.common import regions, settings
from bot.common.gemeente_contact import contact
from bot.handoff.config import load_config
from tests.actions_support import button_payloads, run, starting, tracker

CHANGES = settings.KNOWLEDGE_DIR / "regions" / "merges-2021-2026.csv"
# One gemeente per region: the first by name, so every region is covered by a gemeente that is not hand-picked.
ONE_PER_REGION = [regions.gemeenten_in_regio(code)[0] for code in sorted(regions.load().regios)]
SENTENCE = "Ik heb een beperking en geen uitkering. Ik wil graag werken."


def _changes() -> Dict[str, Dict[str, Any]]:
    with CHANGES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["old_code"]: r for r in rows if r["old_code"] != "GM0788"}  # Haaren: split, its own test


def slots_of(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture
def resident(app_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """What a resident gets: real records only (no example region)."""
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", False)
    return app_database


def search_for(question: str) -> tuple:
    """The question as the first message: the search form's start reads it, then the search runs with what it found."""
    first_messages, events = run(
        ValidateSocialMapForm(), starting(tracker("ask_where_to_go", question), "social_map_form")
    )
    slots = slots_of(events)
    found, _ = run(ActionSearchSocialMap(), tracker("ask_where_to_go", question, slots=slots))
    return first_messages, slots, found


def handoff_path(code: str) -> tuple:
    """What the handoff form asks next once the gemeente is known, and what the person is told at the end."""
    with_gemeente = tracker("affirm", "ja", slots={"handoff_consent": True, "gemeente": code})
    asked = asyncio.run(ValidateHandoffForm().required_slots([], CollectingDispatcher(), with_gemeente, {}))
    told, _ = run(
        ActionSubmitHandoff(),
        tracker("affirm", "ja", slots={"gemeente": code, "handoff_consent": True, "handoff_confirmed": True}),
    )
    return asked, told


def assert_front_door_first(found: List[Dict[str, Any]], code: str) -> None:
    reach = contact(code)
    first = found[1]["text"]
    assert f"gemeente {reach.name}" in first and "In jouw gemeente" in first, first
    assert f"Telefoon: {reach.phone}" in first and reach.website in first, first
    assert "voorbeeld" not in first


def assert_honest_handoff(asked: List[str], told: List[Dict[str, Any]], code: str) -> None:
    reach = contact(code)
    said = texts(told)
    if load_config().for_gemeente(code).own_entry:  # the shipped file; no portal accounts in this database
        assert "contact_channel" in asked, "a gemeente that reads handoffs gets the whole form"
        return
    assert asked == [], "nothing more is asked for a handoff nobody would read"
    assert "niet doorgeven" in said and "bewaar niets" in said
    assert reach.phone in said and reach.website in said and SENTENCE in said


def test_there_is_one_gemeente_for_each_of_the_35_regions() -> None:
    assert len(ONE_PER_REGION) == 35 and len({g.arbeidsmarktregio.code for g in ONE_PER_REGION}) == 35


@pytest.mark.parametrize("gemeente", ONE_PER_REGION, ids=lambda g: f"{g.arbeidsmarktregio.code}-{g.roo_name}")
def test_search_and_handoff_in_every_region(resident: str, gemeente: regions.Gemeente) -> None:
    first_messages, slots, found = search_for(f"Waar kan ik in {gemeente.roo_name} terecht voor hulp naar werk?")
    assert slots["gemeente"] == gemeente.code and slots["sm_theme"] and first_messages == []
    assert gemeente.roo_name in found[0]["text"]
    assert_front_door_first(found, gemeente.code)
    assert "/request_human" in button_payloads(found)
    assert_honest_handoff(*handoff_path(gemeente.code), gemeente.code)


@pytest.mark.parametrize("row", list(_changes().values()), ids=lambda r: r["old_name"])
def test_every_renamed_or_merged_gemeente(resident: str, row: Dict[str, Any]) -> None:
    new = regions.get_gemeente(row["new_code"])
    year = row["date"][:4]
    note = f"{row['old_name']} hoort sinds {year} bij de gemeente {new.roo_name}."
    # In the first message: the note, then the search in today's gemeente.
    first_messages, slots, found = search_for(f"ik woon in {row['old_name']} en zoek hulp bij werk")
    assert texts(first_messages) == note and slots["gemeente"] == new.code
    assert_front_door_first(found, new.code)
    # Typed as the answer to "In welke gemeente woon je?" (search and handoff forms share the check).
    dispatcher = CollectingDispatcher()
    typed = tracker("inform", row["old_name"])
    result = ValidateSocialMapForm().validate_gemeente(row["old_name"], dispatcher, typed, {})
    assert result == {"gemeente": new.code} and texts(dispatcher.messages) == note
    # The widget on a page that still names the old code.
    page = tracker("greet", "hallo")
    page.latest_message["metadata"] = {"gemeente": row["old_code"]}
    assert widget_gemeente(page) == new.code
    assert_honest_handoff(*handoff_path(new.code), new.code)


@pytest.mark.parametrize("name", ["Maashorst", "Voorne aan Zee", "Land van Cuijk", "Dijk en Waard", "Eemsdelta"])
def test_gemeenten_formed_since_2021_are_found_in_the_question(resident: str, name: str) -> None:
    first_messages, slots, found = search_for(f"is er in {name} iemand die mij kan helpen met werk zoeken")
    code = regions.resolve_gemeente(name).gemeente.code
    assert slots["gemeente"] == code and first_messages == [], "a name of today needs no note"
    assert_front_door_first(found, code)


def test_haaren_asks_which_part(resident: str) -> None:
    question = "ik woon in Haaren en zoek hulp bij werk"
    first_messages, events = run(
        ValidateSocialMapForm(), starting(tracker("ask_where_to_go", question), "social_map_form")
    )
    assert "gemeente" not in slots_of(events) and first_messages == []
    asked, _ = run(ActionAskGemeente(), tracker("ask_where_to_go", question))
    assert asked[0]["text"] == (
        "Haaren is in 2021 verdeeld over Boxtel, Oisterwijk, Tilburg en Vught. In welke van deze gemeenten woon je?"
    )
    assert button_payloads(asked) == [
        f'/inform{{"gemeente": "{code}"}}' for code in ("GM0757", "GM0824", "GM0855", "GM0865")
    ]
    dispatcher = CollectingDispatcher()
    result = ValidateSocialMapForm().validate_gemeente("Haaren", dispatcher, tracker("inform", "Haaren"), {})
    assert result == {"gemeente": None} and dispatcher.messages == [], "the form asks again, with the parts"
    page = tracker("greet", "hallo")
    page.latest_message["metadata"] = {"gemeente": "GM0788"}
    assert widget_gemeente(page) is None, "the page cannot say which part: the person is asked"


def test_an_adult_gets_no_youth_service_and_a_young_person_still_does(resident: str) -> None:
    adult = "Ik ben 45 en zoek passend werk in Amersfoort"
    _, slots, found = search_for(adult)
    assert "voor jongeren" not in texts(found).lower()
    more, _ = run(ActionSearchSocialMap(), tracker("show_more_results", adult, slots={**slots, "sm_offset": 3}))
    assert "Coaching en bemiddeling voor jongeren" not in texts(found + more)
    _, slots, young = search_for("Ik ben 19 en zoek passend werk in Amersfoort")
    assert "Coaching en bemiddeling voor jongeren" in young[2]["text"], "right after the gemeente itself"


@pytest.mark.parametrize("form", [ValidateSocialMapForm, ValidateHandoffForm])
@pytest.mark.parametrize(
    "typed, extracted",
    [
        ("Voorne aan Zee", True),
        ("Dijk en Waard", True),
        ("Haaren", True),
        ("hallo", False),
        ("Kan ik iemand spreken?", False),
    ],
)
def test_a_gemeente_the_model_does_not_know_is_still_an_answer(form, typed: str, extracted: bool) -> None:
    """The model reads "Voorne aan Zee" as no intent in particular; asked for the gemeente, it is the answer."""
    asked = tracker("nlu_fallback", typed, slots={"requested_slot": "gemeente", "handoff_consent": True})
    result = asyncio.run(form().extract_gemeente(CollectingDispatcher(), asked, {}))
    assert result == ({"gemeente": typed} if extracted else {})
    not_asked = tracker("nlu_fallback", typed, slots={"requested_slot": "sm_theme"})
    assert asyncio.run(form().extract_gemeente(CollectingDispatcher(), not_asked, {})) in ({}, {"gemeente": None})


def test_a_portal_account_for_an_old_code_is_told_todays_code() -> None:
    from bot.portal.accounts import AccountError, _codes

    assert _codes(["gm0363", "GM1991"]) == "GM0363,GM1991"
    with pytest.raises(AccountError, match=r"sinds 2022: GM0363 \(Amsterdam\)"):
        _codes(["GM0457"])


def test_the_default_region_is_a_region_of_2026_and_an_old_code_still_works() -> None:
    assert regions.get_arbeidsmarktregio(settings.DEFAULT_ARBEIDSMARKTREGIO).name == "Midden-Utrecht"
    assert [g.code for g in regions.gemeenten_in_regio("AR14")] == [g.code for g in regions.gemeenten_in_regio("AM13")]


def test_a_gemeente_with_a_portal_account_takes_handoffs_one_without_stores_nothing(resident: str) -> None:
    from sqlalchemy import func, select

    from bot.common.db import session_scope
    from bot.handoff.models import Handoff
    from bot.portal.accounts import create_user, reads_handoffs

    amsterdam, groningen = "GM0363", "GM0014"  # neither has an entry in knowledge/handoff/gemeenten.yml
    with session_scope(resident) as session:
        assert not reads_handoffs(session, amsterdam) and reads_handoffs(session, "GM0321")  # Houten: an entry
        create_user(session, "consulent-amsterdam", "consulent", [amsterdam], "een-lang-wachtwoord-voor-de-test")
    with session_scope(resident) as session:
        assert reads_handoffs(session, amsterdam), "its team reads handoffs in the portal"
        assert not reads_handoffs(session, groningen)
    asked, told = handoff_path(amsterdam)
    assert "contact_channel" in asked and "niet doorgeven" not in texts(told)
    asked, told = handoff_path(groningen)
    assert asked == [] and "14 050" in texts(told)
    with session_scope(resident) as session:
        assert session.execute(select(func.count()).select_from(Handoff)).scalar_one() == 0, "nothing stored"


def test_an_import_with_a_region_code_of_before_2026_is_told_todays_code(tmp_path, app_database: str) -> None:
    from bot.common.db import session_scope
    from bot.socialmap.hsds_io import ImportRejected, import_package
    from tests.socialmap.conftest import write_csv

    common = ["bron", "2026-01-01"]
    write_csv(
        tmp_path,
        "organizations.csv",
        ["id", "name", "description", "source", "assured_date"],
        [["o", "Org", "Beschrijving.", *common]],
    )
    write_csv(
        tmp_path,
        "services.csv",
        ["id", "organization_id", "name", "status", "source", "assured_date"],
        [["s", "o", "Dienst", "active", *common]],
    )
    write_csv(
        tmp_path,
        "service_areas.csv",
        ["id", "service_id", "scope", "code", "source", "assured_date"],
        [["a", "s", "arbeidsmarktregio", "AR14", *common]],
    )
    with pytest.raises(ImportRejected) as rejected:
        with session_scope(app_database) as session:
            import_package(session, tmp_path)
    assert "AR14 is de code van voor 2026, nu AM13" in "\n".join(rejected.value.report.lines())
