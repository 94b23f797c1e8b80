"""End-to-end: the five personas of the research (seed notes 001b §5) talk to the real assistant over REST.

Each persona asks their own questions in their own words (none of these sentences is a training example) and must
get the article for that question: the article's title (read from the knowledge library, not hard-coded) opens
the answer, right after an acknowledgement when the message tells a hard story. Every answer offers a person.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from bot.conversation.care import acknowledgement, offer_handoff_message
from bot.conversation.knowledge import library
from bot.socialmap.present import theme_label
from tests.conftest import Chat, payloads

pytestmark = pytest.mark.stack

Messages = List[Dict[str, Any]]


def title(intent: str) -> str:
    article = library().for_intent(intent)
    assert article is not None, f"no article answers {intent}"
    return article.title


def ask(chat: Chat, text: str, intent: str) -> Messages:
    """Send the persona's question; the answer must be the article for `intent`, with a person on offer."""
    messages = chat.say(text)
    texts = [m.get("text", "") for m in messages]
    heard = acknowledgement(text)
    if heard:
        assert texts[0] == heard, f"{text!r}: expected the acknowledgement first, got {texts}"
    answer = messages[1 if heard else 0] if len(messages) > (1 if heard else 0) else {}
    expected = title(intent)
    # The article's short answer, or its answer to the follow-up the question asks ("**Title: wie betaalt?**", or
    # "**Title? Wie betaalt?**" after a title that is a question: answers.part_title).
    assert answer.get("text", "").startswith((f"**{expected}**", f"**{expected}: ", f"**{expected} ")), (
        f"{text!r}: expected '{expected}', got {texts}"
    )
    assert "/request_human" in payloads([answer]), f"{text!r}: no 'Praat met een medewerker' button"
    return messages


def offers_handoff(messages: Messages) -> bool:
    """The explicit offer to pass the question on to the gemeente (for questions only the gemeente can judge)."""
    offer = offer_handoff_message()["text"]
    return any(m.get("text") == offer and "/request_human" in payloads([m]) for m in messages)


def services(messages: Messages) -> Messages:
    return [m for m in messages if m.get("text", "").startswith("**")]


def search_results(messages: Messages, theme: str, gemeente: str) -> None:
    """The question started a search of the social map for this theme and gemeente, which shows at most a page of
    services (found nearby, or said honestly that only national help exists), with a person on offer."""
    intro = messages[0].get("text", "")
    assert gemeente in intro, messages
    assert f"**{theme_label(theme)}**" in intro or "landelijke mogelijkheden" in intro, messages
    assert 1 <= len(services(messages)) <= 3, messages
    assert "/request_human" in payloads(messages)


def test_elian_rights_without_benefit_obligations_dgr_and_keeping_a_job(chat: Chat):
    """Elian, 26: autism, WO informatica, partner earns so no bijstand; afraid of obligations and of the DGR 'hokje';
    looks for 8-12 hours in ICT and wants guidance to keep the job."""
    ask(
        chat,
        "Ik heb autisme en ben afgestudeerd in informatica. Mijn vriend verdient, dus ik krijg geen cent. "
        "Kan ik dan toch hulp krijgen om aan een baan te komen?",
        "ask_right_to_support",
    )
    ask(
        chat,
        "Als ik me bij de gemeente meld, moet ik dan ineens van alles verplicht? Ik ben bang voor bemoeienis.",
        "ask_obligations",
    )
    ask(
        chat,
        "Moet ik per se in dat doelgroepregister om geholpen te worden? Ik wil niet met een stempel rondlopen.",
        "ask_doelgroepregister",
    )
    ask(
        chat,
        "Ik zoek een baan in de ICT van een paar uur per week, maar online zie ik alleen fulltime vacatures. "
        "Hoe pak ik dat aan?",
        "ask_finding_work",
    )
    ask(
        chat,
        "Als ik straks een baan heb, kan er dan een jobcoach meekijken zodat het niet weer misgaat?",
        "ask_jobcoaching",
    )


def test_naila_sent_away_by_the_gemeente_gets_her_rights_options_and_a_person(chat: Chat):
    """Naila, 49: MS, lives off an inheritance; the gemeente said it was too busy for her. She wants to leave care
    work and needs to spread her energy; in the end she asks for a person."""
    refused = ask(
        chat,
        "Mijn POH stuurde me naar de gemeente, maar daar zeiden ze dat ze het te druk hebben om "
        "mij te helpen omdat ik nog een erfenis heb. Mag de gemeente dat zomaar weigeren?",
        "ask_gemeente_refuses",
    )
    assert not refused[0]["text"].startswith("**"), "her story is acknowledged before she is informed"
    assert offers_handoff(refused), "only the gemeente can judge her case: the assistant offers to pass it on"
    ask(chat, "Dus ik heb wel recht op hulp naar werk, ook al leef ik van mijn spaargeld?", "ask_right_to_support")
    ask(
        chat,
        "Ik wil weg uit de zorg, maar ik weet niet welk werk ik met MS nog aankan. Wie helpt me dat uitzoeken?",
        "ask_finding_work",
    )
    ask(
        chat,
        "Lang lopen kost me veel energie. Kan ik een aangepaste werkplek of vervoer naar mijn werk krijgen?",
        "ask_werkvoorzieningen",
    )
    handoff = chat.say("/request_human")  # the "Praat met een medewerker" button under the answer
    assert "vrijwillig" in handoff[0]["text"] and {"/affirm", "/deny"} <= set(payloads(handoff))


def test_hannah_doelgroepindicatie_finding_work_and_where_to_go_in_utrecht(chat: Chat):
    """Hannah, 39: visually impaired, MBO rechten, has a doelgroepindicatie but the jobs don't fit; wants someone who
    mediates with employers, and adjustments at work. Then asks where she can go in Utrecht."""
    ask(
        chat,
        "Ik sta via de gemeente in het doelgroepregister, maar wat levert me dat eigenlijk op?",
        "ask_doelgroepregister",
    )
    ask(
        chat,
        "Ik wil gewoon een werkgever die kijkt naar wat ik wel kan en niet alleen naar mijn ogen. Hoe vind ik die?",
        "ask_finding_work",
    )
    ask(
        chat,
        "Ik heb iemand nodig die werkgevers overtuigt om mij als slechtziende een kans te geven. "
        "Doet het werkgeversservicepunt zoiets?",
        "ask_werkgeversservicepunt",
    )
    ask(
        chat,
        "Ik heb vergrotingssoftware en een brailleleesregel nodig op kantoor. Wie betaalt dat?",
        "ask_werkvoorzieningen",
    )
    search_results(
        chat.say("Is er in Utrecht iemand die voor mij kan bemiddelen met werkgevers?"), "passend-werk", "Utrecht"
    )


def test_marco_zzp_with_long_covid_and_no_priority_at_the_gemeente(chat: Chat):
    """Marco, 44: freelancer in media with long covid, too few assignments; the gemeente gave him no priority.
    Wonders about loondienst and how to tell an employer, then looks for help for zzp'ers in De Bilt."""
    ask(
        chat,
        "Ik ben freelancer in de media en door long covid komen er bijna geen opdrachten meer binnen. "
        "Is er hulp voor zzp'ers zoals ik?",
        "ask_zzp",
    )
    refused = ask(
        chat,
        "Ik heb me bij de gemeente gemeld, maar ze zeggen dat ik geen prioriteit heb omdat ik geen "
        "uitkering krijg. Wat kan ik daartegen doen?",
        "ask_gemeente_refuses",
    )
    assert not refused[0]["text"].startswith("**"), "his story is acknowledged before he is informed"
    assert offers_handoff(refused)
    ask(chat, "Moet ik stoppen als zzp'er en in loondienst gaan nu ik long covid heb?", "ask_zzp")
    ask(chat, "Moet ik een werkgever vertellen dat ik long covid heb als ik solliciteer?", "ask_disclosure")
    search_results(chat.say("Is er in De Bilt een organisatie die zzp'ers met een beperking helpt?"), "zzp", "De Bilt")


def test_milans_parent_keeping_work_jobcoach_living_at_home_and_a_jobcoach_in_houten(chat: Chat):
    """Milan, 27, NAH, told by a parent: finds jobs but drops out; school guidance ended; wrongly thinks living at
    home rules out bijstand. Then looks for a jobcoach in Houten."""
    ask(
        chat,
        "Mijn zoon heeft NAH. Solliciteren gaat prima, maar op het werk loopt hij steeds vast en dan valt hij "
        "uit. Hoe kan hij zijn baan houden?",
        "ask_keeping_work",
    )
    ask(
        chat,
        "Op school had hij een begeleider die meekeek op zijn stageplek. Kan hij zo'n jobcoach nu ook krijgen?",
        "ask_jobcoaching",
    )
    ask(
        chat,
        "Hij woont nog bij ons thuis en denkt dat hij daarom nergens recht op heeft. Hoe zit dat met bijstand "
        "als je thuis woont?",
        "ask_what_is_nugger",
    )
    ask(
        chat,
        "Heeft hij zonder uitkering wel recht op hulp van de gemeente om werk te vinden en te houden?",
        "ask_right_to_support",
    )
    search_results(chat.say("Waar kan mijn zoon in Houten terecht voor een jobcoach?"), "jobcoaching", "Houten")
