"""The article actions with a real tracker, on the shipped articles."""

import pytest

from actions.knowledge import (
    ActionAnswerFollowUp,
    ActionConfirmPreferredTerm,
    ActionShowArticle,
    ActionShowArticleDetails,
)
from bot.common import settings
from bot.conversation.answers import long_answer, short_answer
from bot.conversation.care import offer_handoff_message
from bot.conversation.knowledge import library
from bot.conversation.messages import message
from tests.actions_support import button_payloads, run, tracker

INTENTS = sorted(library().by_intent)


@pytest.mark.parametrize("intent", INTENTS)
def test_every_topic_gets_its_short_answer_with_next_steps(intent):
    article = library().for_intent(intent)
    messages, events = run(ActionShowArticle(), tracker(intent))
    assert article.short in messages[0]["text"]
    assert {"/more_info", "/request_human"} <= set(button_payloads(messages))
    assert events[0] == {"event": "slot", "timestamp": None, "name": "last_article", "value": article.id}


def test_more_info_shows_the_long_answer_and_sources_of_the_last_article():
    article = library().for_intent("ask_jobcoaching")
    messages, _ = run(ActionShowArticleDetails(), tracker("more_info", slots={"last_article": article.id}))
    assert article.body.splitlines()[0] in messages[0]["text"] and "**Bronnen**" in messages[0]["text"]
    assert "/request_human" in button_payloads(messages)


def test_more_info_without_a_last_article_asks_which_topic():
    messages, _ = run(ActionShowArticleDetails(), tracker("more_info"))
    assert "Waarover wil je meer weten" in messages[0]["text"]


def test_the_gemeente_version_is_used_when_the_gemeente_is_known(monkeypatch):
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", True)  # the shipped version is an example: the demo shows it
    national = library().for_intent("ask_right_to_support")
    local = library().for_intent("ask_right_to_support", "GM0344")
    assert local.short != national.short
    messages, _ = run(ActionShowArticle(), tracker("ask_right_to_support", slots={"gemeente": "GM0344"}))
    assert local.short in messages[0]["text"]
    messages, _ = run(ActionShowArticle(), tracker("ask_right_to_support", slots={"gemeente": "GM0599"}))
    assert national.short in messages[0]["text"]


def test_an_intent_without_article_asks_to_rephrase():
    messages, events = run(ActionShowArticle(), tracker("greet"))
    assert "andere manier" in messages[0]["text"] and events == []


def test_crisis_answer_gives_113_and_112_first():
    messages, _ = run(ActionShowArticle(), tracker("crisis"))
    first = messages[0]["text"]
    assert "113" in first and "0800-0113" in first and "112" in first
    assert "/request_human" in button_payloads(messages)


def test_a_hard_story_is_acknowledged_before_the_answer():
    messages, _ = run(
        ActionShowArticle(),
        tracker(
            "ask_right_to_support", "ik word al maanden van het kastje naar de muur gestuurd, heb ik recht op hulp?"
        ),
    )
    assert "kastje naar de muur" in messages[0]["text"]
    assert library().for_intent("ask_right_to_support").short in messages[1]["text"]


def test_a_plain_question_gets_no_acknowledgement():
    messages, _ = run(ActionShowArticle(), tracker("ask_jobcoaching", "wat doet een jobcoach?"))
    assert messages[0]["text"].startswith("**")


def test_a_question_about_own_debts_gets_the_answer_and_the_offer_of_a_person():
    messages, events = run(
        ActionShowArticle(), tracker("ask_right_to_support", "ik heb schulden, kan ik hulp krijgen?")
    )
    assert messages[-1]["buttons"][0]["payload"] == "/request_human" and "eigen situatie" in messages[-1]["text"]
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "vraag over schulden"} in events


def test_the_offer_of_a_person_is_not_repeated_in_the_very_next_turn():
    asked = tracker("ask_right_to_support", "ik heb schulden, kan ik hulp krijgen?")
    offer = offer_handoff_message()["text"]
    asked.events.insert(-1, {"event": "bot", "text": offer})  # the offer ended the assistant's last turn
    messages, events = run(ActionShowArticle(), asked)
    assert not any(m.get("text") == offer for m in messages)
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "vraag over schulden"} in events


def test_a_rejected_benefit_is_a_moment_to_offer_a_person():
    messages, events = run(ActionShowArticle(), tracker("ask_benefit_rejected", "mijn wajong is afgewezen"))
    assert "Wat naar" in messages[0]["text"] and "eigen situatie" in messages[-1]["text"]
    assert any(e.get("name") == "handoff_reason" for e in events)


def test_crisis_is_never_preceded_or_followed_by_anything_else():
    messages, _events = run(
        ActionShowArticle(), tracker("crisis", "ik ben wanhopig en wil niet meer leven, ik heb schulden")
    )
    assert len(messages) == 1 and "113" in messages[0]["text"]


# The person's own word for their beperking (knowledge/conversation_care.yml, preferred_terms).
def test_a_person_who_says_ziekte_is_asked_once_which_word_to_use():
    text = "ik heb een chronische ziekte, kan ik hulp krijgen bij werk?"
    messages, _ = run(ActionShowArticle(), tracker("ask_right_to_support", text))
    assert 'Jij zegt "ziekte"' in messages[-1]["text"]
    assert button_payloads(messages)[-2:] == [
        '/choose_term{"preferred_term": "ziekte"}',
        '/choose_term{"preferred_term": "beperking"}',
    ]
    asked = tracker("ask_jobcoaching", text)
    asked.events.insert(0, {"event": "bot", "text": messages[-1]["text"], "data": {"buttons": messages[-1]["buttons"]}})
    again, _ = run(ActionShowArticle(), asked)
    assert not any("Jij zegt" in m["text"] for m in again), "asked once, never again"


@pytest.mark.parametrize(
    "text", ["ik heb een beperking en een ziekte", "hoe werkt jobcoaching?", "ik ben ziek en heb een beperking"]
)
def test_no_word_question_when_the_person_says_beperking_or_names_nothing(text):
    messages, _ = run(ActionShowArticle(), tracker("ask_jobcoaching", text))
    assert not any("Jij zegt" in m["text"] for m in messages)


def test_no_word_question_in_the_same_turn_as_the_offer_of_a_person():
    messages, _ = run(
        ActionShowArticle(), tracker("ask_gemeente_refuses", "ik ben ziek en de gemeente weigert, ik wil bezwaar")
    )
    assert "/request_human" in button_payloads(messages[-1:]) and not any("Jij zegt" in m["text"] for m in messages)


def test_the_chosen_word_is_remembered_and_used_in_the_answers_but_not_in_links():
    choose = tracker("choose_term", '/choose_term{"preferred_term": "aandoening"}')
    choose.latest_message["entities"] = [{"entity": "preferred_term", "value": "aandoening"}]
    messages, events = run(ActionConfirmPreferredTerm(), choose)
    assert '"aandoening"' in messages[0]["text"] and events == [
        {"event": "slot", "timestamp": None, "name": "preferred_term", "value": "aandoening"}
    ]
    article = library().for_intent("ask_disclosure")
    assert "beperking" in article.short
    messages, _ = run(ActionShowArticle(), tracker("ask_disclosure", slots={"preferred_term": "aandoening"}))
    assert "aandoening" in messages[0]["text"] and " beperking" not in messages[0]["text"]
    details, _ = run(
        ActionShowArticleDetails(),
        tracker("more_info", slots={"preferred_term": "aandoening", "last_article": article.id}),
    )
    links = [part for part in details[0]["text"].split("(")[1:] if part.startswith("http")]
    assert all("aandoening" not in link for link in links), "a link keeps its address"


@pytest.mark.parametrize(
    "text, word",
    [
        ("zeg maar ziekte", "ziekte"),
        ("beperking is prima", "beperking"),
        ("liever niet beperking maar handicap", "handicap"),
    ],
)
def test_a_typed_choice_is_understood(text, word):
    _, events = run(ActionConfirmPreferredTerm(), tracker("choose_term", text))
    assert events[0]["value"] == word


def test_an_unknown_word_gets_the_list_to_choose_from():
    bad = tracker("choose_term", '/choose_term{"preferred_term": "<script>"}')
    bad.latest_message["entities"] = [{"entity": "preferred_term", "value": "<script>"}]
    messages, events = run(ActionConfirmPreferredTerm(), bad)
    assert events == [] and "Kies er een" in messages[0]["text"] and len(messages[0]["buttons"]) == 4


def test_asking_what_a_word_of_another_topic_means_answers_that_topic():
    """ "wat bedoel je met loonwaarde?" after loonkostensubsidie: the model is sure it asks for explanation; the
    word it names decides which topic, even when that topic is far below in the ranking."""
    lks, loonwaarde = library().for_intent("ask_loonkostensubsidie"), library().for_intent("ask_loonwaarde")
    ranking = [{"name": "more_info", "confidence": 0.9}, {"name": "ask_loonwaarde", "confidence": 0.03}]
    messages, events = run(
        ActionShowArticleDetails(),
        tracker("more_info", "wat bedoel je met loonwaarde?", slots={"last_article": lks.id}, ranking=ranking),
    )
    assert messages[0]["text"].startswith(f"**{loonwaarde.title}**")
    assert {"event": "slot", "timestamp": None, "name": "last_article", "value": loonwaarde.id} in events


def test_asking_for_more_without_naming_another_topic_stays_with_the_last_one():
    lks = library().for_intent("ask_loonkostensubsidie")
    ranking = [{"name": "more_info", "confidence": 0.9}, {"name": "ask_loonwaarde", "confidence": 0.03}]
    messages, _ = run(
        ActionShowArticleDetails(),
        tracker("more_info", "wat bedoel je precies?", slots={"last_article": lks.id}, ranking=ranking),
    )
    assert lks.body.splitlines()[0] in messages[0]["text"]


@pytest.mark.parametrize("text", ["vertel meer", "kun je meer vertellen", "wat is dat precies?"])
def test_asking_for_more_in_words_that_resemble_a_title_stays_with_the_last_topic(text):
    """'vertel meer' must not jump to 'Over je beperking vertellen aan een werkgever'."""
    lks = library().for_intent("ask_loonkostensubsidie")
    ranking = [{"name": "more_info", "confidence": 0.9}, {"name": "ask_disclosure", "confidence": 0.05}]
    messages, _ = run(
        ActionShowArticleDetails(), tracker("more_info", text, slots={"last_article": lks.id}, ranking=ranking)
    )
    assert lks.body.splitlines()[0] in messages[0]["text"]


def test_a_topic_put_in_front_of_a_follow_up_is_the_topic_asked_about():
    lks, coaching = library().for_intent("ask_loonkostensubsidie"), library().for_intent("ask_jobcoaching")
    ranking = [{"name": "followup_cost", "confidence": 0.7}, {"name": "ask_jobcoaching", "confidence": 0.1}]
    messages, _ = run(
        ActionAnswerFollowUp(),
        tracker("followup_cost", "en jobcoaching, wie betaalt dat?", slots={"last_article": lks.id}, ranking=ranking),
    )
    assert messages[0]["text"].startswith(f"**{coaching.title}: wie betaalt?**")


def test_a_short_question_that_names_the_predicted_topic_is_not_a_follow_up_on_the_last_one():
    """The model's first choice is the named topic and a follow-up is nearly as likely: the name decides."""
    work, deal = library().for_intent("ask_finding_work"), library().for_intent("ask_banenafspraak")
    ranking = [{"name": "ask_banenafspraak", "confidence": 0.40}, {"name": "followup_conditions", "confidence": 0.39}]
    messages, _ = run(
        ActionShowArticle(),
        tracker(
            "ask_banenafspraak",
            "en de banenafspraak, kom ik daarvoor in aanmerking?",
            slots={"last_article": work.id},
            ranking=ranking,
        ),
    )
    assert messages[0]["text"].startswith(f"**{deal.title}")


def test_a_plain_facet_question_read_as_a_wish_for_more_gets_the_facet():
    """'moet dat eigenlijk wel?' may look like 'vertel meer' to the model; the question it asks is plain."""
    coaching = library().for_intent("ask_jobcoaching")
    messages, _ = run(
        ActionShowArticleDetails(), tracker("more_info", "moet dat eigenlijk wel?", slots={"last_article": coaching.id})
    )
    assert messages[0]["text"].startswith(f"**{coaching.title}: moet dat?**")


def test_the_topic_asked_again_gets_the_facet_the_facet_reader_is_sure_of_and_a_first_question_its_short_answer():
    """ "duurt een proefplaatsing erg lang?" right after proefplaatsing asks how long (no pattern lists those words);
    the same words as the first question about it get the short answer, and an unsure reading the long one."""
    proef = library().for_intent("ask_proefplaatsing")
    question = "duurt een proefplaatsing erg lang?"
    sure = {"name": "followup_duration", "confidence": 0.8}
    again = {"last_article": proef.id}
    messages, _ = run(ActionShowArticle(), tracker("ask_proefplaatsing", question, again, facet=sure))
    assert any((m.get("text") or "").startswith("**Proefplaatsing: hoe lang?**") for m in messages), messages
    first, _ = run(ActionShowArticle(), tracker("ask_proefplaatsing", question, facet=sure))
    assert first[0]["text"] == f"**{proef.title}**\n\n{proef.short}"
    unsure = {"name": "followup_duration", "confidence": 0.3}
    messages, _ = run(ActionShowArticle(), tracker("ask_proefplaatsing", question, again, facet=unsure))
    assert not any("hoe lang?**" in (m.get("text") or "") for m in messages)


def at_consent(intent: str, text: str, consent: object = None):
    """A tracker whose handoff form asks for consent (`consent` is what the slot holds) when `text` comes in."""
    asked = tracker(intent, text, {"requested_slot": "handoff_consent", "handoff_consent": consent})
    asked.active_loop = {"name": "handoff_form"}
    return asked


@pytest.mark.parametrize("consent, left", [(None, True), (False, True), (True, False)])
def test_a_question_while_the_handoff_waits_for_consent_ends_it_once_and_says_so(consent, left):
    """Before a yes the handoff ends (said once, nothing sent); after a yes it goes on after the answer."""
    messages, events = run(
        ActionShowArticle(), at_consent("ask_loonkostensubsidie", "wat is loonkostensubsidie", consent)
    )
    said = any(m.get("text") == message("handoff_not_now")["text"] for m in messages)
    ended = {"event": "active_loop", "name": None, "timestamp": None} in events
    assert said is left and ended is left


def test_the_crisis_answer_is_remembered_until_another_topic_is_answered():
    """crisis_answered steers the rule that answers a short reply after it with the helplines again."""
    _, events = run(ActionShowArticle(), tracker("crisis", "ik wil er niet meer zijn"))
    assert {"event": "slot", "timestamp": None, "name": "crisis_answered", "value": True} in events
    _, events = run(ActionShowArticle(), tracker("ask_jobcoaching", "wat is een jobcoach", {"crisis_answered": True}))
    assert {"event": "slot", "timestamp": None, "name": "crisis_answered", "value": False} in events
    _, events = run(ActionShowArticle(), tracker("ask_jobcoaching", "wat is een jobcoach"))
    assert not [e for e in events if e.get("name") == "crisis_answered"]


def test_the_topic_asked_again_gets_the_full_explanation_and_after_it_the_short_answer_never_the_same_twice():
    article = library().for_intent("ask_uwv_role")
    asked = tracker(
        "ask_uwv_role", "ik ben ingeschreven bij werk.nl maar ik hoor niks van ze", {"last_article": article.id}
    )
    messages, _ = run(ActionShowArticle(), asked)
    assert messages[0]["text"] == long_answer(article)["text"]
    asked.events.insert(-1, {"event": "bot", "text": long_answer(article)["text"]})
    messages, _ = run(ActionShowArticle(), asked)
    assert messages[0]["text"] == short_answer(article)["text"]


def test_no_offer_of_a_person_in_the_turn_that_says_nothing_is_passed_on():
    messages, events = run(
        ActionShowArticle(), at_consent("ask_right_to_support", "ik heb schulden, kan ik hulp krijgen?")
    )
    assert any(m.get("text") == message("handoff_not_now")["text"] for m in messages)
    assert not any(m.get("text") == offer_handoff_message()["text"] for m in messages)
    assert not any(e.get("name") == "person_offered" for e in events)
