"""The summary's structure from plain tracker data, and the transcript taken from Rasa events."""

from __future__ import annotations

import pytest

from bot.handoff.summary import HEADLINE_LENGTH, build_summary, headline
from bot.handoff.transcript import MAX_TEXT, as_plain_words, clean, from_rasa_events, unanswered
from tests.handoff import conversation_events as ms
from tests.handoff.conftest import BSN


def _sections(summary: dict) -> dict:
    return {s["key"]: (s["title"], s["lines"]) for s in summary["sections"]}


def test_an_empty_conversation_still_says_what_is_not_known() -> None:
    summary = build_summary("", {})
    sections = _sections(summary)
    assert sections["question"][1] == ["niet verteld"]
    assert sections["situation"][1] == [
        "Waarom geen uitkering: niet verteld",
        "Soort beperking: niet verteld",
        "Werkervaring: niet verteld",
    ]
    assert sections["explained"][1] == ["Nog geen uitleg gegeven."]
    assert sections["wants_next"][1] == ["Wil graag: niet verteld"]
    assert "helps" not in sections and "in_the_way" not in sections


def test_full_summary_in_reading_order() -> None:
    summary = build_summary(
        "Ik wil weten of ik hulp kan krijgen bij werk zoeken.",
        {
            "why_no_benefit": "mijn partner werkt",
            "beperking": "niet-aangeboren hersenletsel",
            "work_history": ["administratief medewerker, 10 jaar", "vrijwilliger bibliotheek"],
            "trend": "beter dan een half jaar geleden",
            "own_view": "ik weet wat ik wil, maar durf de stap niet",
            "wish": "parttime administratief werk",
            "first_step": "mijn cv bijwerken",
            "help_wanted": "een jobcoach",
            "limits_and_wishes": ["maximaal 20 uur", "niet in de avond", "met het OV bereikbaar"],
            "helps": [{"domain": "familie", "note": "zus helpt mee"}, "werk"],
            # What the person typed arrives scrubbed: the boundary is create_handoff (tests/handoff/test_service.py).
            "in_the_way": ["gezondheid", {"domain": "geldzaken", "note": "schulden, BSN [BSN verwijderd]"}],
            "decision_style": "samen beslissen",
            "communication": "korte zinnen, liever per e-mail",
            "hobby": "tekenen",
            "age": "52 jaar",
        },
        articles_shown=["jobcoaching", {"id": "lokaal", "title": "Werkfit in Houten"}],
        reason="wil een persoon spreken",
        gemeente_code="GM0321",
        unanswered=["hoe lang duurt dat?"],
    )
    sections = _sections(summary)
    assert list(sections) == [
        "question",
        "not_answered",
        "situation",
        "explained",
        "wants_next",
        "limits_and_wishes",
        "helps",
        "in_the_way",
        "working_together",
        "reason",
        "other",
    ]
    assert sections["situation"][1][3] == "Werkervaring: administratief medewerker, 10 jaar; vrijwilliger bibliotheek"
    assert (
        "Hoe de persoon de eigen situatie ziet: ik weet wat ik wil, maar durf de stap niet" in sections["situation"][1]
    )
    assert sections["explained"][1] == ["Jobcoaching", "Werkfit in Houten"]
    assert sections["wants_next"][1] == [
        "Wil graag: parttime administratief werk",
        "Eerste stap die de persoon zelf kan zetten: mijn cv bijwerken",
        "Wil hulp bij: een jobcoach",
    ]
    assert sections["helps"][1] == ["Familie en vrienden: zus helpt mee", "Werk en opleiding"]
    assert sections["in_the_way"][1] == [
        "Persoonlijk en gezondheid",
        "Inkomen en geldzaken: schulden, BSN [BSN verwijderd]",
    ]
    assert sections["working_together"][1] == [
        "Wie beslist: samen beslissen",
        "Communicatie: korte zinnen, liever per e-mail",
    ]
    assert sections["other"][1] == ["hobby: tekenen"]
    assert sections["not_answered"] == (
        "Vragen waar de assistent geen goed antwoord op had (1 keer)",
        ["hoe lang duurt dat?"],
    )
    assert summary["age"] == "52 jaar" and summary["not_answered"] == {"count": 1, "questions": ["hoe lang duurt dat?"]}
    # How to reach the person is in the handoff's contact fields only, shown once.
    assert "voorkeur" not in str(summary)
    assert summary["headline"] == "Ik wil weten of ik hulp kan krijgen bij werk zoeken."


def test_a_long_question_makes_a_headline_of_whole_words() -> None:
    cut = headline(ms.FIRST_QUESTION)
    assert len(cut) <= HEADLINE_LENGTH + 2
    assert (
        cut == "Ik ben een vrouw van 47 en heb MS. Ik werk sinds 2019 niet meer en mijn man werkt, dus ik krijg "
        "geen uitkering. …"
    )
    no_sentence = "ik " + "zoek werk en " * 20
    assert headline(no_sentence).endswith(" zoek…") and (no_sentence + " ").startswith(headline(no_sentence)[:-1] + " ")
    assert headline("x" * 200) == "x" * (HEADLINE_LENGTH - 1) + "…"


def test_the_transcript_shows_what_the_person_saw_and_marks_what_was_not_answered() -> None:
    turns = clean(from_rasa_events(ms.conversation()), "+31612345678")
    said = [t["text"] for t in turns if t["who"] == "person"]
    assert said == [
        "Koos: Heb ik recht op hulp?",
        ms.FIRST_QUESTION,
        *ms.UNANSWERED[:1],
        "Koos: Nee, iets anders",
        ms.UNANSWERED[1],
        "Koos: Ja, geef mijn vraag door",
        "Koos: Ja, geef mijn vraag door",
        "Houten",
        "Koos: Telefoon",
        "06-****5678",
        "Koos: ochtend",
        "Sam",
    ], "no payloads; /greet was the widget's"
    texts = [t["text"] for t in turns]
    assert texts.count(ms.CONSENT) == 1, "a message sent twice in a row is shown once"
    assert ms.ARTICLE in texts, "the assistant's Markdown is kept for the portal to show as the person saw it"
    assert unanswered(turns) == list(ms.UNANSWERED)
    assert all("answered" not in t for t in turns if t["text"] not in ms.UNANSWERED)
    plain = as_plain_words(turns)
    assert all(set(t) == {"who", "text", "time"} for t in plain)
    assert not any("**" in t["text"] or "](" in t["text"] for t in plain if t["who"] == "bot"), "plain words"
    assert "Recht op ondersteuning zonder uitkering\n\nOok zonder" in plain[2]["text"]


def test_a_payload_without_buttons_is_named_by_its_intent_and_values() -> None:
    events = [
        {"event": "user", "text": text}
        for text in (
            "/affirm",
            "/deny",
            '/inform{"channel": "e-mail"}',
            "/ask_jobcoaching",
            "/greet",
            "/iets_onbekends",
            '/affirm{"handoff_consent": "true"}',
        )
    ]
    assert [t["text"] for t in from_rasa_events(events)] == [
        "Koos: Ja",
        "Koos: Nee",
        "Koos: e-mail",
        "Koos: Jobcoaching",
        "(koos een knop)",
        "Koos: Ja",
    ]


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


def test_a_guessed_section_and_an_off_topic_answer_count_as_not_answered() -> None:
    from bot.conversation.messages import message

    events = [
        {"event": "user", "text": "mag ik een hond meenemen naar mijn werk?"},
        {"event": "bot", "text": message("section_intro")["text"] + "\n\n**Jobcoaching: Wat doet een jobcoach?**"},
        {"event": "user", "text": "wat is het weer morgen?"},
        {
            "event": "bot",
            "text": "Daar kan ik je helaas niet mee helpen.",
            "metadata": {"utter_action": "utter_out_of_scope"},
        },
        {"event": "user", "text": "wat doet een jobcoach?"},
        {"event": "bot", "text": "**Jobcoaching**\n\nEen jobcoach helpt je op je werk."},
    ]
    assert unanswered(clean(from_rasa_events(events))) == [
        "mag ik een hond meenemen naar mijn werk?",
        "wat is het weer morgen?",
    ]
