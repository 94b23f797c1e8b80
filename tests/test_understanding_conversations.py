"""End-to-end over REST: people as they really write — a story first, follow-ups that lean on the answer, two
questions at once, a person asked for in their own words, and the last resort for a question no topic covers.

The messages are the ones reported in the issue as failing, plus a story in each persona's voice; none of them is
a training example. Answers are recognised by what the person sees: an article's title, "**Title: hoe lang?**"
for a follow-up, the start of a handoff.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from bot.conversation.answers import part_title
from bot.conversation.knowledge import facets, library
from bot.conversation.messages import message
from tests.conftest import Chat, payloads

pytestmark = pytest.mark.stack

Messages = List[Dict[str, Any]]
FALLBACK = (message("did_you_mean")["text"], message("give_up")["text"].split(",")[0])


def title(intent: str) -> str:
    article = library().for_intent(intent)
    assert article is not None
    return article.title


def answered(messages: Messages, intent: str) -> bool:
    """Whether the turn answered with the article for `intent` (its title opens an answer); for "where can I go"
    also a search of the social map (it asks for the gemeente or shows what it found)."""
    texts = [m.get("text") or "" for m in messages]
    if intent == "ask_where_to_go" and any(
        t.startswith((message("ask_gemeente")["text"], "Dit vond ik voor")) for t in texts
    ):
        return True
    return any(f"**{title(intent)}" in t for t in texts)


def no_failure(messages: Messages) -> bool:
    return not any(f in (m.get("text") or "") for m in messages for f in FALLBACK)


def starts_handoff(messages: Messages) -> bool:
    consent = message("handoff_explain", days=0)["text"][:60]
    return any((m.get("text") or "").startswith(consent) for m in messages) and "/affirm" in payloads(messages)


def facet_heading(intent: str, facet: str) -> str:
    return f"**{part_title(title(intent), facets()[facet].heading)}**"


@pytest.mark.parametrize(
    "story, intent",
    [
        (
            "Hoi, ik ben 26 en heb autisme. Ik krijg geen uitkering omdat mijn partner werkt. "
            "Kan ik ergens hulp krijgen bij het vinden van werk?",
            ("ask_right_to_support", "ask_finding_work", "ask_what_is_nugger"),
        ),
        (
            "Mijn zoon heeft NAH en valt steeds uit op zijn werk. Hij woont nog thuis. Heeft hij recht op iets?",
            ("ask_right_to_support", "ask_keeping_work"),
        ),
        (
            "ik was zzp'er, heb nu long covid en kan mijn werk niet meer doen. wie helpt mij?",
            ("ask_zzp", "ask_where_to_go"),
        ),
        ("is de gemeente verplicht mij te helpen", ("ask_right_to_support",)),
    ],
)
def test_a_story_first_is_understood(chat: Chat, story: str, intent: tuple):
    """Answered with a fitting article (which always offers a person) or a search of the social map."""
    messages = chat.say(story)
    assert no_failure(messages), messages
    assert any(answered(messages, i) for i in intent), messages


@pytest.mark.parametrize(
    "persona, story, intents",
    [
        (
            "Elian",
            "Ik ben Elian, 34, en heb een visuele beperking. Ik heb een hbo-diploma maar al jaren geen vaste baan. "
            "Een uitkering krijg ik niet omdat mijn vriendin werkt. Ik zou graag weer in de ICT werken, maar "
            "niemand neemt me aan. Wie kan mij helpen om passend werk te vinden?",
            ("ask_finding_work", "ask_right_to_support"),
        ),
        (
            "Naila",
            "Ik heb MS en werkte vroeger in de zorg. Toen ik bij de gemeente om hulp vroeg, zeiden ze dat ik "
            "zonder uitkering niet bij hen hoorde en stuurden ze me weg. Ik voel me van het kastje naar de muur "
            "gestuurd. Mag de gemeente dat zomaar doen?",
            ("ask_gemeente_refuses", "ask_right_to_support"),
        ),
        (
            "Hannah",
            "Ik ben 22 en zat op het praktijkonderwijs. Mijn mentor zei dat ik misschien in het register voor de "
            "banenafspraak kan komen, zodat werkgevers mij sneller aannemen. Ik woon bij mijn ouders. Hoe kom ik "
            "in dat register en wat betekent dat voor mij?",
            ("ask_doelgroepregister", "ask_banenafspraak"),
        ),
        (
            "Marco",
            "Ik was jarenlang zelfstandig schilder. Sinds ik long covid heb, lukt het werk niet meer en heb ik geen "
            "arbeidsongeschiktheidsverzekering. Mijn vrouw verdient, dus bijstand krijg ik niet. Is er voor een "
            "zzp'er zoals ik toch ergens ondersteuning?",
            ("ask_zzp", "ask_right_to_support"),
        ),
        (
            "Milan",
            "Mijn zoon Milan heeft een licht verstandelijke beperking en werkt al twee jaar bij een groenbedrijf. "
            "Zijn begeleiding op het werk stopt binnenkort en we zijn bang dat hij dan zijn baan verliest. Kan "
            "hij opnieuw een jobcoach krijgen?",
            ("ask_jobcoaching", "ask_keeping_work"),
        ),
    ],
)
def test_a_story_in_each_persona_voice_gets_an_answer(chat: Chat, persona: str, story: str, intents: tuple):
    messages = chat.say(story)
    assert no_failure(messages), (persona, messages)
    assert any(answered(messages, i) for i in intents), (persona, messages)


@pytest.mark.parametrize(
    "first, intent, followups",
    [
        (
            "/ask_jobcoaching",
            "ask_jobcoaching",
            [("hoe lang mag dat?", "duration"), ("en wie betaalt dat dan", "cost")],
        ),
        ("/ask_loonkostensubsidie", "ask_loonkostensubsidie", [("en krijg ik dan wel gewoon mijn salaris?", "income")]),
        ("/ask_doelgroepregister", "ask_doelgroepregister", [("hoe kom ik erin?", "apply")]),
        ("/ask_werkvoorzieningen", "ask_werkvoorzieningen", [("wie betaalt dat?", "cost")]),
        ("/ask_banenafspraak", "ask_banenafspraak", [("geldt dat ook voor mij?", "conditions")]),
        ("/ask_scholing", "ask_scholing", [("hoe vraag ik dat aan?", "apply")]),
        ("/ask_uwv_role", "ask_uwv_role", [("moet dat?", "obligation")]),
        ("/ask_wajong", "ask_wajong", [("hoe vraag ik dat aan", "apply")]),
        ("/ask_ips", "ask_ips", [("hoe lang duurt dat?", "duration")]),
        ("/ask_clientondersteuning", "ask_clientondersteuning", [("kost dat iets?", "cost")]),
        ("/ask_instruments", "ask_instruments", [("en als ik geen werkgever heb?", "if_not")]),
        ("/ask_right_to_support", "ask_right_to_support", [("hoe vraag ik dat aan?", "apply")]),
    ],
)
def test_follow_ups_are_answered_about_the_topic_just_discussed(chat: Chat, first: str, intent: str, followups: list):
    assert answered(chat.say(first), intent)
    for question, facet in followups:
        messages = chat.say(question)
        assert any(facet_heading(intent, facet) in (m.get("text") or "") for m in messages), (question, messages)
        assert "/request_human" in payloads(messages)


@pytest.mark.parametrize(
    "first, intent, question, facet",
    [
        ("/ask_proefplaatsing", "ask_proefplaatsing", "duurt een proefplaatsing erg lang?", "duration"),
        ("/ask_jobcoaching", "ask_jobcoaching", "is een jobcoach gratis voor mij?", "cost"),
        ("/ask_scholing", "ask_scholing", "mag ik zo'n cursus weigeren?", "obligation"),
        ("/ask_uwv_role", "ask_uwv_role", "hoe schrijf ik me in bij het uwv?", "apply"),
    ],
)
def test_a_follow_up_that_names_the_topic_again_gets_the_facet_it_asks(
    chat: Chat, first: str, intent: str, question: str, facet: str
):
    """The model reads the topic; the FacetReader reads what is asked about it, in words no pattern lists."""
    assert answered(chat.say(first), intent)
    messages = chat.say(question)
    assert any(facet_heading(intent, facet) in (m.get("text") or "") for m in messages), (question, messages)


def test_where_after_an_answer_searches_for_that_topic(chat: Chat):
    chat.say("/ask_jobcoaching")
    messages = chat.say("waar dan?")
    assert no_failure(messages)
    assert any(message("ask_gemeente")["text"] in (m.get("text") or "") for m in messages), messages


def test_two_questions_in_one_message_answer_the_first_and_offer_the_second(chat: Chat):
    messages = chat.say("Wat is loonkostensubsidie precies? En moet ik dan ook in het doelgroepregister staan?")
    assert answered(messages, "ask_loonkostensubsidie") or answered(messages, "ask_doelgroepregister"), messages
    buttons = payloads(messages)
    assert "/ask_doelgroepregister" in buttons or "/ask_loonkostensubsidie" in buttons, messages


@pytest.mark.parametrize(
    "words",
    [
        "ik wil graag met een echt persoon praten van de gemeente",
        "ik wil dat de gemeente me mailt",
        "kan iemand van de gemeente mij bellen?",
        "ik wil met een mens praten",
    ],
)
def test_asking_for_a_person_in_any_words_starts_the_handoff_without_a_failure(chat: Chat, words: str):
    messages = chat.say(words)
    assert no_failure(messages), messages
    assert starts_handoff(messages), messages


def test_a_question_about_a_detail_gets_the_article_that_has_it(chat: Chat):
    """Bezwaar has had its own topic since 2026-12; the section search itself is tested on the real library in
    tests/test_actions_fallback.py and tests/test_understanding.py."""
    messages = chat.say("hoe maak ik bezwaar tegen een besluit van de gemeente over mijn begeleiding")
    assert no_failure(messages), messages
    assert any(f"**{title('ask_objection')}" in (m.get("text") or "") for m in messages), messages


def test_fallback_suggestions_fit_the_person_and_offer_a_person_once(chat: Chat):
    chat.say("Ik ben een vrouw van 47 en heb MS. Mijn man werkt. Heb ik recht op hulp bij werk?")
    for gibberish in ("blub blub blub", "xq zzv wrrr"):
        messages = chat.say(gibberish)
        buttons = payloads(messages)
        assert "/ask_young_people" not in buttons
        assert buttons.count("/request_human") == 1, messages


def test_the_gemeente_told_in_a_story_is_not_asked_again(chat: Chat):
    chat.say(
        "Ik woon in Houten, heb reuma en krijg geen uitkering omdat mijn man werkt. Heb ik recht op hulp bij "
        "het vinden van werk?"
    )
    messages = chat.say("waar kan ik terecht?")
    assert not any(message("ask_gemeente")["text"] in (m.get("text") or "") for m in messages), messages
    assert any("Houten" in (m.get("text") or "") for m in messages), messages


def test_a_correction_asks_for_other_words_and_a_correction_that_asks_again_is_answered(chat: Chat):
    assert answered(chat.say("/ask_jobcoaching"), "ask_jobcoaching")
    missed = chat.say("nee, dat bedoel ik niet")
    assert missed[0]["text"] == message("misunderstood")["text"] and "/request_human" in payloads(missed)
    again = chat.say("nee dat bedoel ik niet, ik bedoel wie betaalt die coach")
    assert any(facet_heading("ask_jobcoaching", "cost") in (m.get("text") or "") for m in again), again


@pytest.mark.parametrize("reply", ["ik weet niet", "nee", "dank je", "hoe lang duurt dat?"])
def test_after_the_crisis_answer_a_short_reply_gets_the_helplines_and_a_person_not_a_menu(chat: Chat, reply: str):
    first = chat.say("ik zie het niet meer zitten, soms denk ik dat het beter is als ik er niet meer ben")
    assert any("113" in (m.get("text") or "") for m in first)
    after = chat.say(reply)
    assert after[0]["text"] == message("crisis_aftercare")["text"], after
    assert payloads(after) == ["/request_human"]
    again = chat.say(reply)  # not the same words twice in a row
    assert again[0]["text"] == message("crisis_aftercare_again")["text"], again


def test_yes_to_the_person_the_crisis_care_offers_starts_the_handoff(chat: Chat):
    chat.say("ik zie het niet meer zitten, soms denk ik dat het beter is als ik er niet meer ben")
    assert chat.say_text("ik weet niet").startswith(message("crisis_aftercare")["text"][:40])
    assert starts_handoff(chat.say("ja"))


def test_a_typed_yes_to_the_offer_to_pass_the_question_on_starts_the_handoff(chat: Chat):
    offered = chat.say("ik heb schulden en geen uitkering, kan ik hulp krijgen bij werk?")
    assert any("eigen situatie" in (m.get("text") or "") for m in offered), offered
    assert starts_handoff(chat.say("ja"))


def test_a_place_named_after_an_answer_searches_for_that_topic_there(chat: Chat):
    chat.say("/ask_jobcoaching")
    messages = chat.say("wij wonen in Amersfoort")
    texts = " ".join(m.get("text") or "" for m in messages)
    assert "Jobcoaching" in texts and "Amersfoort" in texts, messages
    assert message("ask_theme")["text"] not in texts


def test_a_story_is_answered_by_what_it_asks_not_by_a_word_in_its_situation(chat: Chat):
    """ "… dat ik eerst bijstand moet aanvragen … wat nu" asks what now: not how to apply for anything."""
    messages = chat.say(
        "de gemeente zegt dat ik eerst bijstand moet aanvragen voor ze me kunnen helpen met werk. maar ik kom niet "
        "in aanmerking want mijn vrouw werkt. wat nu"
    )
    assert no_failure(messages)
    assert not any(facets()["apply"].heading in (m.get("text") or "") for m in messages), messages
