"""In Debian's Chromium: a handoff made in a real REST conversation with the assistant is signed in for, found in
the inbox, opened, picked up, noted and closed; axe-core finds no serious or critical problem on any page.
Screenshots go to test-artifacts/portal/."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from bot.common import settings
from bot.common.clock import today
from bot.common.db import session_scope
from bot.portal import accounts
from tests.browser import chromium, needs_browser, open_handoff, serious_violations, sign_in
from tests.conftest import Chat
from tests.test_conversation_handoff import handoff_until_summary

pytestmark = [pytest.mark.stack, needs_browser]

ARTIFACTS = settings.ROOT / "test-artifacts" / "portal"
PASSWORD = "browser-test-wachtwoord"


def check_page(page: Any, name: str, viewport: Dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport['width']}.png"), full_page=True)
    assert serious_violations(page, inject=True) == [], name


def test_consulent_handles_a_real_handoff_in_the_browser(chat: Chat, stack_database: Path) -> None:
    handoff_until_summary(chat)
    chat.say("mijn moeder <script>alert(1)</script> komt mee")
    done = chat.say_text("/affirm")
    code = "WW-" + done.split("Je code is WW-")[1][:7]
    username = f"browser-{uuid.uuid4().hex[:8]}"
    with session_scope(f"sqlite:///{stack_database}") as session:
        accounts.create_user(session, username, "consulent", ["GM0321"], PASSWORD)
    base = f"http://127.0.0.1:{chat.stack.web_port}"
    laptop, tablet = {"width": 1280, "height": 800}, {"width": 768, "height": 1024}
    work_laptop = {"width": 1366, "height": 768}

    with chromium() as browser:
        # bypass_csp only so the test can inject axe-core; the app's own pages need no inline script.
        page = browser.new_context(bypass_csp=True).new_page()
        errors: List[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{base}/inloggen")
        check_page(page, "inloggen", laptop)
        sign_in(page, base, username, PASSWORD)
        page.wait_for_url(f"{base}/")
        check_page(page, "inbox", laptop)
        check_page(page, "inbox", tablet)
        body = open_handoff(page, base, code)
        assert "Samenvatting" in body and "Het gesprek met de assistent" in body
        assert "Wajong" in body and "<script>alert(1)</script>" in body  # shown as text
        conversation = page.locator("section[aria-labelledby=gesprek]").inner_text()
        for raw in ("/affirm", "/inform", "/request_human", '{"', "]("):
            assert raw not in conversation, raw
        assert "**" not in conversation.replace("06-****5678", ""), "the assistant's Markdown as the person saw it"
        page.set_viewport_size(work_laptop)
        for name, element in (
            ("telefoon", page.get_by_role("link", name="06 12345678")),
            ("Oppakken", page.get_by_role("button", name="Oppakken")),
            ("Afsluiten", page.get_by_role("button", name="Afsluiten…")),
        ):
            box = element.bounding_box()
            assert box and box["y"] + box["height"] <= work_laptop["height"], f"{name} below the fold"
        check_page(page, "overdracht", work_laptop)
        check_page(page, "overdracht", tablet)
        page.get_by_role("button", name="Oppakken").click()
        assert "Je hebt deze overdracht opgepakt." in page.locator("main").inner_text()
        page.get_by_label("Nieuwe notitie").fill("Gebeld, morgen om 11 uur een afspraak.")
        page.get_by_role("button", name="Notitie opslaan").click()
        page.get_by_label("Uitkomst").select_option("geholpen")
        page.get_by_role("button", name="Afsluiten…").click()
        check_page(page, "afsluiten-bevestigen", laptop)
        page.get_by_role("button", name="Ja, afsluiten").click()
        body = page.locator("main").inner_text()
        assert "De overdracht is afgesloten." in body and "Gebeld, morgen om 11 uur" in body
        assert "Uitkomst: geholpen" in body
        check_page(page, "afgesloten", laptop)
        page.get_by_role("button", name="Uitloggen").click()
        page.wait_for_url(f"{base}/inloggen")
        assert errors == []  # no CSP violation or script error in the console


def test_beheerder_pages_and_error_pages_pass_axe(stack: Any, stack_database: Path) -> None:
    username = f"beheer-{uuid.uuid4().hex[:8]}"
    with session_scope(f"sqlite:///{stack_database}") as session:
        # Amsterdam too: its settings are changed below, and no other test makes handoffs there.
        accounts.create_user(session, username, "beheerder", ["GM0321", "GM0363"], PASSWORD)
    base = f"http://127.0.0.1:{stack.web_port}"
    laptop = {"width": 1280, "height": 800}
    with chromium() as browser:
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(f"{base}/inloggen")
        page.get_by_label("Gebruikersnaam").fill(username)
        page.get_by_label("Wachtwoord").fill("fout wachtwoord")
        page.get_by_role("button", name="Inloggen").click()
        check_page(page, "inloggen-mislukt", laptop)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(f"{base}/beheer/accounts")
        check_page(page, "accounts", laptop)
        page.get_by_label("Gebruikersnaam", exact=True).fill(f"c-{uuid.uuid4().hex[:6]}")
        page.get_by_role("button", name="Account aanmaken").click()
        assert "maar één keer getoond" in page.locator("main").inner_text()
        check_page(page, "account-aangemaakt", laptop)
        for name, path in (
            ("audit", "/beheer/audit"),
            ("instellingen", "/beheer/instellingen"),
            ("geen-toegang", "/overdracht/WW-AAAA-AA"),
            ("niet-gevonden", "/bestaat-niet"),
        ):
            page.goto(f"{base}{path}")
            check_page(page, name, laptop)
        change_settings_in_the_browser(page, base, stack_database, laptop)
        insight_in_the_browser(page, base, stack_database, laptop)
        gaps_in_the_browser(page, base, stack_database, username, laptop)


def insight_in_the_browser(page: Any, base: str, database: Path, viewport: Dict[str, int]) -> None:
    """What people ask (#20): a chart with its table, small counts hidden; axe finds nothing serious."""
    from datetime import timedelta

    from bot.conversation.knowledge import library
    from bot.insight.generator import generate
    from bot.insight.models import QUESTION, InsightCount

    with session_scope(f"sqlite:///{database}") as session:
        generate(session, ["GM0363"], sorted(library().by_intent), today() - timedelta(days=1), 120, seed=7)
        session.add(InsightCount(day=today(), gemeente_code="GM0363", kind=QUESTION, topic="ask_wajong", count=2))
    page.goto(f"{base}/inzicht?gemeente=GM0363&eenheid=week")
    main = page.locator("main").inner_text()
    assert "Wat mensen vragen" in main and "< 5" in main and "Gesprekken" in main
    assert page.locator("svg[role=img]").count() == 2 and page.locator("table").count() == 1
    check_page(page, "inzicht", viewport)
    check_page(page, "inzicht", {"width": 390, "height": 844})
    page.goto(f"{base}/inzicht?gemeente=GM0363&eenheid=maand")
    check_page(page, "inzicht-maand", viewport)
    page.get_by_role("link", name="Warme overdrachten").click()
    assert "De belofte" in page.locator("main").inner_text()
    check_page(page, "inzicht-overdrachten", viewport)
    unanswered_in_the_browser(page, base, database, viewport)


def unanswered_in_the_browser(page: Any, base: str, database: Path, viewport: Dict[str, int]) -> None:
    """Questions without an answer (#20, part 2): groups with their forms, axe clean; a group marked in the page."""
    from bot.common.clock import today
    from bot.insight.models import NOT_FOR_US, UnansweredQuestion

    texts = [
        "kan ik een fiets krijgen voor mijn werk",
        "krijg ik een fiets voor werk",
        "fiets vergoeding werk",
        "hoe regel ik een taxi naar mijn werk",
        "taxi naar werk aanvragen",
        "wat vindt de wethouder hiervan",
    ]
    with session_scope(f"sqlite:///{database}") as session:
        for text in texts:
            session.add(
                UnansweredQuestion(
                    conversation_key="browser",
                    day=today(),
                    gemeente_code="GM0363",
                    text=text,
                    guessed_topic="ask_werkvoorzieningen",
                    confidence=0.3,
                )
            )
    page.get_by_role("link", name="Vragen zonder antwoord").click()
    main = page.locator("main").inner_text()
    assert "Groep 1: < 5 vragen" in main and "fiets vergoeding werk" in main
    check_page(page, "inzicht-onbeantwoord", viewport)
    check_page(page, "inzicht-onbeantwoord", {"width": 390, "height": 844})
    last = page.locator("section.card").last
    last.get_by_label("Niet voor ons").check()
    last.get_by_role("button", name="Opslaan voor deze groep").click()
    assert "gemarkeerd als: niet voor ons" in page.locator("main").inner_text()
    with session_scope(f"sqlite:///{database}") as session:
        marked = session.execute(select(UnansweredQuestion).where(UnansweredQuestion.decision == NOT_FOR_US))
        assert [q.text for q in marked.scalars()] == ["wat vindt de wethouder hiervan"]


def gaps_in_the_browser(page: Any, base: str, database: Path, username: str, viewport: Dict[str, int]) -> None:
    """Social-map gaps (#20): a theme searched for with nothing nearby stands out in words, small counts hidden,
    the chart with its table; with national insight "Heel Nederland" can be chosen. Axe finds nothing serious."""
    from sqlalchemy import update

    from bot.insight.generator import generate_unmet_needs
    from bot.portal.models import PortalUser
    from bot.socialmap.models import UnmetNeed

    with session_scope(f"sqlite:///{database}") as session:
        generate_unmet_needs(session, ["GM0363"], today(), 12, seed=7)
        this_month = today().replace(day=1)
        session.query(UnmetNeed).filter(UnmetNeed.theme == "zzp", UnmetNeed.month == this_month).delete()
        session.add(
            UnmetNeed(
                theme="zzp", gemeente_code="GM0363", month=this_month, count=3, first_seen=today(), last_seen=today()
            )
        )
        session.execute(update(PortalUser).where(PortalUser.username == username).values(national_insight=True))
    page.goto(f"{base}/inzicht?gemeente=GM0363&eenheid=maand")
    page.get_by_role("link", name="Tekorten in de sociale kaart").click()
    page.wait_for_url("**/inzicht/sociale-kaart?**")
    main = page.locator("main").inner_text()
    assert "Tekorten in de sociale kaart" in main and "< 5" in main and "Gezocht, geen dienst dichtbij" in main
    assert page.locator("svg[role=img]").count() == 1 and page.locator("table").count() == 1
    assert page.get_by_label("Per", exact=True).count() == 0, "months only"
    check_page(page, "inzicht-sociale-kaart", viewport)
    check_page(page, "inzicht-sociale-kaart", {"width": 390, "height": 844})
    page.get_by_label("Gemeente").select_option("nederland")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url("**gemeente=nederland**")
    assert "gemeente=nederland" in page.url and "van 342" in page.locator("main").inner_text()
    check_page(page, "inzicht-sociale-kaart-nederland", viewport)


def change_settings_in_the_browser(page: Any, base: str, database: Path, viewport: Dict[str, int]) -> None:
    """A wrong value is explained on the page; a right one reaches the handoff service; then back to standard."""
    from bot.handoff.config import effective_config

    page.goto(f"{base}/beheer/instellingen")
    page.get_by_role("link", name="Instellingen van Amsterdam wijzigen").click()
    check_page(page, "instellingen-wijzigen", viewport)
    page.get_by_label("Reageren binnen (aantal werkdagen)").fill("99")
    page.get_by_role("button", name="Opslaan").click()
    assert "Vul een heel getal in van 1 tot en met 30." in page.locator("main").inner_text()
    check_page(page, "instellingen-fout", viewport)
    page.get_by_label("Reageren binnen (aantal werkdagen)").fill("8")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"{base}/beheer/instellingen")
    assert "De instellingen zijn opgeslagen." in page.locator("main").inner_text()
    with session_scope(f"sqlite:///{database}") as session:
        assert effective_config(session).for_gemeente("GM0363").response_days == 8
    page.get_by_role("button", name="Terug naar de standaardinstellingen van Amsterdam").click()
    assert "De standaardinstellingen gelden weer." in page.locator("main").inner_text()
    with session_scope(f"sqlite:///{database}") as session:
        assert effective_config(session).for_gemeente("GM0363").response_days == 5
