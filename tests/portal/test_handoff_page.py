"""The consulent's handoff page (issue 17): the conversation as the person saw it, what is open, contact once,
closing asked twice, a saved note said beside the note, and the inbox with the gemeente's name."""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import select

from bot.common.db import session_scope
from bot.handoff.models import Handoff
from bot.handoff.transcript import from_rasa_events
from tests.handoff import conversation_events as ms
from tests.portal.conftest import HOUTEN, Portal, add_handoff, post


def ms_handoff(portal: Portal) -> str:
    """Issue 17's conversation, handed off as the Rasa action hands it off."""
    return add_handoff(
        portal.url,
        HOUTEN,
        transcript=from_rasa_events(ms.conversation()),
        question=ms.FIRST_QUESTION,
        answers={"age": "47 jaar", "wish": "een paar uur per week werken"},
        preferred_time="ochtend",
        alias="Sam",
    )


def words(page: str, section: str) -> str:
    """The text a consulent reads in one section of the page, without tags."""
    found = re.search(rf'<section[^>]*aria-labelledby="{section}">(.*?)</section>', page, re.DOTALL)
    assert found, section
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_the_conversation_reads_as_the_person_saw_it(portal: Portal) -> None:
    code = ms_handoff(portal)
    page = portal.client("consulent").get(f"/overdracht/{code}").get_data(as_text=True)
    conversation = words(page, "gesprek")
    for payload in (
        "/greet",
        "/ask_right_to_support",
        '/inform{"channel": "telefoon"}',
        "/affirm",
        "/out_of_scope",
        "{&#34;",
        '{"',
    ):
        assert payload not in conversation and payload not in page, payload
    assert "**" not in conversation.replace("06-****5678", "") and "](" not in conversation
    for clicked in (
        "Koos: Heb ik recht op hulp?",
        "Koos: Telefoon",
        "Koos: Nee, iets anders",
        "Koos: Ja, geef mijn vraag door",
        "Koos: ochtend",
    ):
        assert clicked in conversation, clicked
    assert "<strong>Recht op ondersteuning zonder uitkering</strong>" in page
    assert '<a href="https://www.houten.nl" target="_blank" rel="noopener noreferrer">www.houten.nl</a>' in page, (
        "a link as the person saw it, opening beside the portal"
    )
    assert "<li>een jobcoach</li>" in page
    assert conversation.count(ms.CONSENT) == 1, "each message once"


def test_markup_the_person_typed_stays_text(portal: Portal) -> None:
    code = add_handoff(
        portal.url,
        HOUTEN,
        transcript=[
            {"who": "person", "text": "<script>alert(1)</script> **vet**", "time": None},
            {
                "who": "bot",
                "text": "<img src=x onerror=alert(1)> [klik](javascript:alert(1)) **echt vet**",
                "time": None,
            },
        ],
    )
    page = portal.client("consulent").get(f"/overdracht/{code}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; **vet**" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript' not in page and "<strong>echt vet</strong>" in page


def test_who_how_to_reach_and_what_is_open_come_first(portal: Portal) -> None:
    code = ms_handoff(portal)
    page = portal.client("consulent").get(f"/overdracht/{code}").get_data(as_text=True)
    who, want = words(page, "wie"), words(page, "vraag")
    assert "Naam Sam" in who and "Leeftijd 47 jaar" in who and "Gemeente Houten" in who
    assert 'href="tel:+31612345678">06 12345678</a>' in page
    assert "Voorkeur telefoon, ochtend" in who
    assert page.count("ochtend") == 2, "the contact preference once (and once as the person's click)"
    assert want.startswith(
        "Wat de persoon wil Ik ben een vrouw van 47 en heb MS. Ik werk sinds 2019 niet meer en "
        "mijn man werkt, dus ik krijg geen uitkering. …"
    )
    assert (
        "De assistent had 2 keer geen goed antwoord op: “hoe lang duurt dat?” “raak ik mijn spaargeld kwijt?”" in want
    )
    assert "Wil graag: een paar uur per week werken" in want
    order = [page.index(f'id="{name}"') for name in ("wie", "vraag", "acties", "notities", "samenvatting", "gesprek")]
    assert order == sorted(order), "who, what, actions; then notes, the whole summary and the conversation"
    assert page.index('action="/overdracht/' + code + '/notitie"') < page.index('id="gesprek"')
    assert page.count("geen goed antwoord</span>") == 2, "the two turns are marked in the conversation"


def test_closing_is_asked_once_more(portal: Portal) -> None:
    code = portal.codes["houten"]
    client = portal.client("consulent")
    page = f"/overdracht/{code}"
    asked = post(client, f"{page}/afsluiten", {"outcome": "doorverwezen", "detail": "UWV"}, page)
    text = " ".join(re.sub(r"<[^>]+>", "", asked.get_data(as_text=True)).split())
    assert asked.status_code == 200 and "afsluiten?" in text and "Uitkomst: doorverwezen naar: UWV." in text
    assert "Ja, afsluiten" in text and "Nee, terug naar de overdracht" in text
    with session_scope(portal.url) as session:
        assert session.execute(select(Handoff.status).where(Handoff.reference_code == code)).scalar_one() == "new"
    missing = post(client, f"{page}/afsluiten", {"outcome": "doorverwezen"}, page)
    assert missing.status_code == 302, "a missing choice is said before the question, on the page itself"
    assert "naar wie de persoon is doorverwezen" in client.get(page).get_data(as_text=True)
    done = post(client, f"{page}/afsluiten", {"outcome": "doorverwezen", "detail": "UWV", "bevestigd": "ja"}, page)
    assert done.status_code == 302
    with session_scope(portal.url) as session:
        assert session.execute(select(Handoff.status).where(Handoff.reference_code == code)).scalar_one() == "closed"
    again = post(client, f"{page}/afsluiten", {"outcome": "geholpen"}, page)
    assert again.status_code == 302 and "al afgesloten" in client.get(page).get_data(as_text=True)


def test_a_saved_note_is_said_beside_the_note_form(portal: Portal) -> None:
    code = portal.codes["houten"]
    client = portal.client("consulent")
    saved = post(client, f"/overdracht/{code}/notitie", {"text": "Gebeld, geen gehoor."}, f"/overdracht/{code}")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/overdracht/{code}")
    page = client.get(f"/overdracht/{code}").get_data(as_text=True)
    actions = re.search(r'aria-labelledby="acties">(.*?)</section>', page, re.DOTALL).group(1)
    assert 'role="status">De notitie is opgeslagen.</p>' in actions
    assert page.count("De notitie is opgeslagen.") == 1 and "Gebeld, geen gehoor." in words(page, "notities")


def test_the_inbox_names_the_gemeente_and_keeps_codes_whole(portal: Portal) -> None:
    page = portal.client("consulent").get("/").get_data(as_text=True)
    assert '<td data-label="Gemeente">Houten</td>' in page and ">GM0321<" not in page
    assert f'class="code"><a href="/overdracht/{portal.codes["houten"]}">' in page


def test_the_api_gives_a_gemeente_plain_words(portal: Portal) -> None:
    from bot.portal import accounts

    code = ms_handoff(portal)
    with session_scope(portal.url) as session:
        token = accounts.issue_api_token(session, "consulent")
    document = portal.client().get(f"/api/handoffs/{code}", headers={"Authorization": f"Bearer {token}"}).get_json()
    said = json.dumps(document["transcript"], ensure_ascii=False)
    assert "**" not in said.replace("06-****5678", "") and "](" not in said and "/affirm" not in said
    assert "Recht op ondersteuning zonder uitkering" in said
    assert document["summary"]["not_answered"]["count"] == 2
