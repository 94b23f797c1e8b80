"""The summary's structure from plain tracker data, and the transcript taken from Rasa events."""
from __future__ import annotations

import pytest

from bot.handoff.contact import validate_contact
from bot.handoff.summary import build_summary
from bot.handoff.transcript import MAX_TEXT, clean, from_rasa_events
from tests.handoff.conftest import BSN


def _sections(summary: dict) -> dict:
    return {s["key"]: (s["title"], s["lines"]) for s in summary["sections"]}


def test_an_empty_conversation_still_says_what_is_not_known() -> None:
    summary = build_summary("", {})
    sections = _sections(summary)
    assert sections["question"][1] == ["niet verteld"]
    assert sections["situation"][1] == ["Waarom geen uitkering: niet verteld", "Soort beperking: niet verteld",
                                        "Werkervaring: niet verteld"]
    assert sections["explained"][1] == ["Nog geen uitleg gegeven."]
    assert sections["wants_next"][1] == ["Wil graag: niet verteld"]
    assert "helps" not in sections and "in_the_way" not in sections


def test_full_summary_in_reading_order() -> None:
    contact = validate_contact("e-mail", None, "sam@voorbeeld.nl", "ochtend")
    summary = build_summary(
        "Ik wil weten of ik hulp kan krijgen bij werk zoeken.",
        {"why_no_benefit": "mijn partner werkt", "beperking": "niet-aangeboren hersenletsel",
         "work_history": ["administratief medewerker, 10 jaar", "vrijwilliger bibliotheek"],
         "trend": "beter dan een half jaar geleden", "own_view": "ik weet wat ik wil, maar durf de stap niet",
         "wish": "parttime administratief werk", "first_step": "mijn cv bijwerken", "help_wanted": "een jobcoach",
         "limits_and_wishes": ["maximaal 20 uur", "niet in de avond", "met het OV bereikbaar"],
         "helps": [{"domain": "familie", "note": "zus helpt mee"}, "werk"],
         "in_the_way": ["gezondheid", {"domain": "geldzaken", "note": f"schulden, BSN {BSN}"}],
         "decision_style": "samen beslissen", "communication": "korte zinnen, liever per e-mail",
         "hobby": "tekenen"},
        articles_shown=["jobcoaching", {"id": "lokaal", "title": "Werkfit in Houten"}],
        reason="wil een persoon spreken", contact=contact, gemeente_code="GM0321",
    )
    sections = _sections(summary)
    assert list(sections) == ["question", "situation", "explained", "wants_next", "limits_and_wishes", "helps",
                              "in_the_way", "working_together", "reason", "other"]
    assert sections["situation"][1][2] == \
        "Werkervaring: administratief medewerker, 10 jaar; vrijwilliger bibliotheek"
    assert "Hoe de persoon de eigen situatie ziet: ik weet wat ik wil, maar durf de stap niet" in sections["situation"][1]
    assert sections["explained"][1] == ["Jobcoaching", "Werkfit in Houten"]
    assert sections["wants_next"][1] == ["Wil graag: parttime administratief werk",
                                         "Eerste stap die de persoon zelf kan zetten: mijn cv bijwerken",
                                         "Wil hulp bij: een jobcoach"]
    assert sections["helps"][1] == ["Familie en vrienden: zus helpt mee", "Werk en opleiding"]
    assert sections["in_the_way"][1] == ["Persoonlijk en gezondheid",
                                         "Inkomen en geldzaken: schulden, BSN [BSN verwijderd]"]
    assert sections["working_together"][1] == ["Wie beslist: samen beslissen",
                                                "Communicatie: korte zinnen, liever per e-mail",
                                                "Contact: e-mail, voorkeur ochtend"]
    assert sections["other"][1] == ["hobby: tekenen"]
    assert "sam@voorbeeld.nl" not in str(summary)  # contact details stay in the contact fields
    assert summary["headline"].endswith("· e-mail, voorkeur ochtend")


def test_transcript_from_rasa_events() -> None:
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1795600000.0},
        {"event": "user", "text": f"mijn bsn is {BSN}", "timestamp": 1795600001.0, "parse_data": {}},
        {"event": "bot", "text": "Je hoeft je BSN niet te geven.", "timestamp": 1795600002.5},
        {"event": "slot", "name": "gemeente", "value": "GM0321"},
        {"event": "user", "text": "", "timestamp": 1795600003.0},
    ]
    turns = clean(from_rasa_events(events))
    assert turns == [
        {"who": "person", "text": "mijn bsn is [BSN verwijderd]", "time": "2026-11-25T09:46:41+00:00"},
        {"who": "bot", "text": "Je hoeft je BSN niet te geven.", "time": "2026-11-25T09:46:42+00:00"},
    ]


def test_transcript_checks_speakers_and_cuts_long_text_after_scrubbing() -> None:
    with pytest.raises(ValueError, match="onbekende spreker"):
        clean([{"who": "consulent", "text": "hoi"}])
    long = "x" * (MAX_TEXT - 5) + f" {BSN}"
    [turn] = clean([{"who": "person", "text": long, "time": "2026-11-26T10:00:00"}])
    assert BSN[:4] not in turn["text"][-10:] and len(turn["text"]) == MAX_TEXT
    assert turn["time"] == "2026-11-26T10:00:00+00:00"
