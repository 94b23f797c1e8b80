"""The handoff actions with real trackers and a real SQLite database (the contact vault and the handoff tables)."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionAskContactAlias,
    ActionAskContactChannel,
    ActionAskContactEmail,
    ActionAskContactPhone,
    ActionAskHandoffConfirmed,
    ActionAskHandoffConsent,
    ActionAskHandoffHelps,
    ActionAskHandoffInTheWay,
    ActionAskHandoffNextStep,
    ActionAskHandoffNotes,
    ActionAskPreferredTime,
    ActionCancelHandoff,
    ActionHandoffStatus,
    ActionSubmitHandoff,
    ValidateHandoffForm,
)
from bot.common.db import session_scope
from bot.handoff import contact_vault
from tests.actions_support import button_payloads, run, tracker

SENDER = "handoff-test"
REF = "vault-key-of-this-conversation"  # what the channel puts in the message's metadata (bot/rasa/channels.py)


@pytest.fixture
def database(app_database: str) -> str:
    return app_database


def vault(url: str, text: str) -> str:
    masked, found = contact_vault.take_out_contacts(text)
    with session_scope(url) as session:
        contact_vault.keep(session, SENDER, found, REF)
    return masked


def ours(made):
    """The tracker of the conversation that gave the contact details: its user message carries the vault key."""
    made.events[-1]["metadata"] = {contact_vault.CONTACT_REF: REF}
    return made


def validate(slot, value, intent="inform", slots=None):
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateHandoffForm(), f"validate_{slot}")(
        value, dispatcher, ours(tracker(intent, str(value), slots=slots, sender=SENDER)), {}
    )
    return result, [m.get("text") for m in dispatcher.messages]


def filled(**extra):
    slots = {
        "handoff_consent": True,
        "handoff_consent_at": "2026-11-24T10:00:00+00:00",
        "gemeente": "GM0321",
        "contact_channel": "telefoon",
        "contact_phone": "06-****5678",
        "preferred_time": "ochtend",
        "contact_alias": "Sam",
        "handoff_notes": "niet bellen voor 10 uur",
        "handoff_confirmed": True,
    }
    slots.update(extra)
    return slots


def asked_and_answered(slot: str, ask: str) -> list:
    """As a real form run leaves it: requested_slot set (the form asks), the person's reply, the slot set."""
    return [
        {"event": "action", "name": "handoff_form"},
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "/affirm", "parse_data": {}},
        {"event": "slot", "name": slot, "value": True},
    ]


# A session that started just before the consent time in filled(), where the person was asked and said yes twice.
SESSION_START = {"event": "session_started", "timestamp": 1795514340.0}  # 2026-11-24T09:59:00Z
AGREED = [
    SESSION_START,
    *asked_and_answered("handoff_consent", "action_ask_handoff_consent"),
    *asked_and_answered("handoff_confirmed", "action_ask_handoff_confirmed"),
]


def agreed(slots, events=AGREED, sender=SENDER):
    """A tracker at the end of the handoff form: `events` before the latest message."""
    made = ours(tracker("affirm", slots=slots, sender=sender))
    made.events[:0] = events
    return made


def test_consent_is_explained_and_asked_with_yes_and_no():
    messages, _ = run(ActionAskHandoffConsent(), tracker("request_human"))
    assert "vrijwillig" in messages[0]["text"] and button_payloads(messages) == ["/affirm", "/deny"]


def test_consent_yes_records_the_moment_and_no_ends_the_form():
    result, _ = validate("handoff_consent", True, "affirm")
    assert result["handoff_consent"] is True and result["handoff_consent_at"]
    assert validate("handoff_consent", False, "deny")[0] == {"handoff_consent": False}


def required(slots):
    import asyncio

    return asyncio.run(ValidateHandoffForm().required_slots([], CollectingDispatcher(), tracker(slots=slots), {}))


def test_what_is_asked_depends_on_consent_and_channel():
    assert required({"handoff_consent": False}) == ["handoff_consent"]
    assert "contact_phone" in required({"handoff_consent": True, "contact_channel": "telefoon"})
    by_mail = required({"handoff_consent": True, "contact_channel": "e-mail"})
    assert "contact_email" in by_mail and "contact_phone" not in by_mail


def test_phone_comes_from_the_vault_and_the_slot_holds_only_a_masked_form(database):
    masked = vault(database, "bel me op 06 12345678")
    result, _ = validate("contact_phone", masked)
    assert result == {"contact_phone": "06-****5678"}


def test_invalid_phone_and_email_get_a_dutch_explanation(database):
    assert validate("contact_phone", "12345")[0] == {"contact_phone": None}
    result, messages = validate("contact_email", "geen-mail")
    assert result == {"contact_email": None} and "@" in messages[0]


def test_skipping_alias_and_notes(database):
    assert validate("contact_alias", "/deny", "deny")[0] == {"contact_alias": "-"}
    assert validate("handoff_notes", "mijn bsn is 111222333", "inform")[0] == {
        "handoff_notes": "mijn bsn is [BSN verwijderd]"
    }


def test_no_at_the_summary_clears_the_contact_details_to_ask_again():
    result, messages = validate("handoff_confirmed", False, "deny")
    assert result["contact_channel"] is None and result["handoff_confirmed"] is None
    assert "gemeente" not in result and "nog een keer" in messages[0]


def test_each_part_of_the_summary_can_be_corrected_on_its_own():
    dispatcher = CollectingDispatcher()
    t = tracker("deny", '/deny{"field": "gemeente"}', sender=SENDER)
    t.latest_message["entities"] = [{"entity": "field", "value": "gemeente"}]
    result = ValidateHandoffForm().validate_handoff_confirmed(False, dispatcher, t, {})
    assert result == {"gemeente": None, "handoff_confirmed": None}


def test_summary_shows_what_will_be_sent():
    messages, _ = run(ActionAskHandoffConfirmed(), tracker(slots=filled()))
    text = messages[0]["text"]
    assert "Houten" in text and "06-****5678" in text and "Sam" in text and "/affirm" in button_payloads(messages)


def test_the_request_names_the_topics_the_person_read_about():
    t = tracker("affirm", slots=filled(), sender=SENDER)
    t.events.append({"event": "slot", "name": "last_article", "value": "jobcoaching"})
    request = ActionSubmitHandoff.request(t)
    assert request.articles_shown == ["jobcoaching"] and request.topics == ["Jobcoaching"]


def test_submit_stores_the_handoff_and_gives_code_and_time_frame(database):
    vault(database, "06 12345678")
    messages, events = run(ActionSubmitHandoff(), agreed(filled()))
    texts = " ".join(m["text"] for m in messages)
    assert "Je code is WW-" in texts and "Je hoort uiterlijk" in texts
    code = next(e["value"] for e in events if e.get("name") == "last_handoff_code")
    with session_scope(database) as session:
        assert contact_vault.latest(session, SENDER, contact_vault.PHONE, [REF]) is None, "the vault is emptied"
    status, _ = run(ActionHandoffStatus(), tracker("ask_handoff_status", f"status van {code}"))
    assert status[0]["text"].startswith(f"Je vraag {code} is aangekomen bij de gemeente.")


def stored_handoffs(url: str) -> int:
    from bot.handoff.models import Handoff

    with session_scope(url) as session:
        return session.query(Handoff).count()


@pytest.mark.parametrize(
    "events, slots",
    [
        ([], filled()),  # the slots say yes, but nobody was ever asked (a made-up tracker)
        (
            [SESSION_START, *asked_and_answered("handoff_consent", "action_ask_handoff_consent")],
            filled(),
        ),  # not confirmed
        (AGREED, filled(handoff_consent_at="2020-01-01T10:00:00+00:00")),  # a consent time before this session
        (AGREED + [{"event": "session_started", "timestamp": 1.8e9}], filled()),  # agreed in an earlier session
        (
            [
                SESSION_START,
                {"event": "slot", "name": "handoff_consent", "value": True},
                {"event": "slot", "name": "handoff_confirmed", "value": True},
            ],
            filled(),
        ),  # set, never asked or answered
    ],
    ids=["slots-only", "not-confirmed", "consent-2020", "earlier-session", "never-asked"],
)
def test_a_handoff_is_stored_only_when_this_session_asked_and_the_person_agreed(database, events, slots):
    vault(database, "06 12345678")
    messages, _ = run(ActionSubmitHandoff(), agreed(slots, events))
    assert "Je code is WW-" not in " ".join(m["text"] for m in messages)
    assert stored_handoffs(database) == 0


def test_declined_consent_gives_the_route_and_stores_nothing(database):
    messages, events = run(ActionSubmitHandoff(), tracker("deny", slots={"handoff_consent": False}, sender=SENDER))
    assert "Ik heb een beperking en geen uitkering" in messages[0]["text"]
    assert all(e.get("value") is None for e in events if e["event"] == "slot")


def test_cancel_wipes_the_vault(database):
    vault(database, "06 12345678")
    messages, _ = run(ActionCancelHandoff(), ours(tracker("cancel", sender=SENDER)))
    assert "niets doorgegeven" in messages[0]["text"]
    with session_scope(database) as session:
        assert contact_vault.latest(session, SENDER, contact_vault.PHONE, [REF]) is None


def test_status_of_unknown_and_mistyped_codes(database):
    from bot.handoff.codes import check_character

    unknown_code = "WW-7K3M-Q" + check_character("7K3MQ")
    unknown, _ = run(ActionHandoffStatus(), tracker("ask_handoff_status", f"status van {unknown_code.lower()}"))
    assert f"Ik kan de code {unknown_code} niet vinden" in unknown[0]["text"]
    mistyped, _ = run(ActionHandoffStatus(), tracker("ask_handoff_status", "status van WW-7K0M-QN graag"))
    assert "De code WW-7K0M-QN klopt niet helemaal" in mistyped[0]["text"]
    short, _ = run(ActionHandoffStatus(), tracker("ask_handoff_status", "status van WW-12"))
    assert "klopt niet helemaal" in short[0]["text"]
    for answer in (unknown, mistyped, short):
        assert "/request_human" in button_payloads(answer)


def test_status_without_a_code_asks_for_it(database):
    messages, _ = run(ActionHandoffStatus(), tracker("ask_handoff_status", "hoe staat het met mijn vraag?"))
    assert "Wat is de code van je vraag?" in messages[0]["text"]
    assert "/request_human" in button_payloads(messages)


@pytest.mark.parametrize(
    "action, expected",
    [
        (ActionAskContactChannel(), '/inform{"channel": "telefoon"}'),
        (ActionAskPreferredTime(), '/inform{"preferred_time": "ochtend"}'),
        (ActionAskContactAlias(), "/deny"),
        (ActionAskHandoffNotes(), "/deny"),
    ],
)
def test_questions_with_choices_offer_them_as_buttons(action, expected):
    messages, events = run(action, tracker("inform"))
    assert messages[0]["text"] and expected in button_payloads(messages) and events == []


@pytest.mark.parametrize(
    "action, words", [(ActionAskContactPhone(), "telefoonnummer"), (ActionAskContactEmail(), "e-mailadres")]
)
def test_questions_for_contact_details_say_what_is_needed(action, words):
    messages, _ = run(action, tracker("inform"))
    assert words in messages[0]["text"]


def skip(slot, rest=False):
    t = tracker("deny", '/deny{"field": "rest"}' if rest else "/deny", sender=SENDER)
    if rest:
        t.latest_message["entities"] = [{"entity": "field", "value": "rest"}]
    return getattr(ValidateHandoffForm(), f"validate_{slot}")("/deny", CollectingDispatcher(), t, {})


def test_the_optional_questions_can_be_skipped_one_by_one_or_all_at_once():
    assert skip("handoff_helps") == {"handoff_helps": "-"}
    assert skip("handoff_next_step", rest=True) == {
        "handoff_next_step": "-",
        "handoff_helps": "-",
        "handoff_in_the_way": "-",
        "handoff_notes": "-",
    }
    assert skip("handoff_in_the_way", rest=True) == {"handoff_in_the_way": "-", "handoff_notes": "-"}
    assert validate("handoff_in_the_way", "reizen is lastig; mijn bsn is 111222333")[0] == {
        "handoff_in_the_way": "reizen is lastig; mijn bsn is [BSN verwijderd]"
    }


def test_next_step_question_offers_choices_skip_and_skip_the_rest():
    messages, _ = run(ActionAskHandoffNextStep(), tracker())
    assert "Wat wil je dat er nu gebeurt" in messages[0]["text"]
    assert button_payloads(messages)[-2:] == ["/deny", '/deny{"field": "rest"}']
    for action in (ActionAskHandoffHelps(), ActionAskHandoffInTheWay()):
        assert '/deny{"field": "rest"}' in button_payloads(run(action, tracker())[0])


def test_the_check_shows_wishes_what_helps_and_what_is_in_the_way():
    slots = filled(
        handoff_next_step="Samen zoeken naar werk", handoff_helps="mijn moeder denkt mee", handoff_in_the_way="-"
    )
    text = run(ActionAskHandoffConfirmed(), tracker(slots=slots))[0][0]["text"]
    assert "- Wil graag: Samen zoeken naar werk\n" in text and "- Wat helpt: mijn moeder denkt mee\n" in text
    assert "- Wat in de weg zit: niet gegeven\n" in text, "a skipped answer is shown as not given, one per line"


def test_the_summary_gets_the_reflection_answers_and_the_persons_word():
    slots = filled(
        handoff_next_step="Samen zoeken naar werk",
        handoff_helps="vaste tijden",
        handoff_in_the_way="reizen is lastig",
        preferred_term="ziekte",
    )
    answers = ActionSubmitHandoff.request(tracker("affirm", slots=slots, sender=SENDER)).answers
    assert answers["wish"] == "Samen zoeken naar werk" and answers["helps"] == "vaste tijden"
    assert answers["in_the_way"] == "reizen is lastig" and answers["preferred_term"] == "ziekte"
    assert answers["limits_and_wishes"] == "niet bellen voor 10 uur"


def consent_given(database, story, slots=None):
    """The slots a "ja" sets after `story`, whose last message gave contact details to the vault."""
    said = vault(database, story)
    made = ours(tracker("affirm", "ja", slots={"requested_slot": "handoff_consent", **(slots or {})}, sender=SENDER))
    made.events[:0] = [
        {"event": "user", "text": said, "metadata": {contact_vault.CONTACT_REF: REF}, "parse_data": {"entities": []}}
    ]
    return ValidateHandoffForm().validate_handoff_consent(True, CollectingDispatcher(), made, {})


def test_what_the_story_told_is_not_asked_again(database):
    told = consent_given(database, "Ik wil graag weer werken. Bel me op 06 12345678, liefst 's middags.")
    assert told["contact_channel"] == "telefoon" and told["contact_phone"] == "06-****5678"
    assert told["preferred_time"] == "middag" and told["handoff_next_step"] == "weer werken"
    assert told["contact_alias"] == told["handoff_helps"] == told["handoff_notes"] == "-"
    assert told["handoff_consent"] is True and told["handoff_consent_at"]
    messages, _ = run(ActionAskHandoffConfirmed(), tracker(slots={**filled(), **told}))
    assert (
        "Ik weet genoeg" in messages[0]["text"] and messages[0]["buttons"][0]["title"] == "Ja, stuur mijn vraag zo door"
    )


def test_an_e_mail_address_is_used_a_known_gemeente_kept_and_a_no_takes_nothing(database):
    told = consent_given(database, "mail me op sam@example.org", slots={"gemeente": "GM0321"})
    assert told["contact_channel"] == "e-mail" and told["contact_email"] == "s***@example.org"
    assert "gemeente" not in told and "preferred_time" not in told
    assert "handoff_next_step" not in told, "no wish told: the optional questions are asked"
    said_no = ValidateHandoffForm().validate_handoff_consent(False, CollectingDispatcher(), tracker(), {})
    assert said_no == {"handoff_consent": False}
