"""The whole product in Debian's Chromium: the demo gemeente page with the real widget, Rasa's socket.io (websocket
transport, session persistence) and the action server; a handoff made in the widget is then found in the portal.
Screenshots go to test-artifacts/widget/; docs/widget.png in the README is a copy of the "answer" one."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, List

import pytest

from bot.db import session_scope
from bot.portal import accounts
from tests.browser import needs_browser, open_handoff, serious_violations, sign_in
from tests.test_conversation_rest import BAD_INPUT
from tests.widget.conftest import LAUNCHER, Console, new_page, screenshot, wait_until

pytestmark = [pytest.mark.stack, needs_browser]
PASSWORD = "widget-test-wachtwoord"


def bot_messages(page: Any) -> int:
    return page.locator(".ww-msg-bot").count()


def wait_for_answer(page: Any, before: int, containing: str = "") -> str:
    """Wait until the assistant has answered (and has stopped typing); all new bot text."""
    wait_until(page, f"document.querySelectorAll('.ww-msg-bot').length > {before}", timeout=60)
    page.wait_for_timeout(800)  # the other messages of the same turn follow right after the first
    text = "\n".join(page.locator(".ww-msg-bot").nth(i).inner_text() for i in range(before, bot_messages(page)))
    assert containing in text, text
    return text


def ask(page: Any, text: str, containing: str = "") -> str:
    before = bot_messages(page)
    page.get_by_label("Typ je vraag").fill(text)
    page.keyboard.press("Enter")
    return wait_for_answer(page, before, containing)


def choose(page: Any, title: str, containing: str = "") -> str:
    before = bot_messages(page)
    page.locator(".ww-replies").last.get_by_role("button", name=title, exact=True).click()
    return wait_for_answer(page, before, containing)


def open_with_keyboard(page: Any) -> None:
    for _ in range(15):  # Tab through the page until the launcher has focus, as a keyboard user would
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "ww-launcher":
            break
    assert page.evaluate("document.activeElement.textContent").startswith("?" + LAUNCHER)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "ww-input"


@pytest.fixture
def demo(stack: Any) -> str:
    return f"http://127.0.0.1:{stack.web_port}/demo/"


def test_question_quick_reply_reload_handoff_and_portal(browser: Any, demo: str, stack: Any,
                                                       stack_database: Path) -> None:
    page = new_page(browser, viewport={"width": 1280, "height": 800})
    console = Console(page)
    page.goto(demo)
    assert serious_violations(page) == [], "widget closed"
    open_with_keyboard(page)
    wait_for_answer(page, 0, "computerprogramma")
    assert page.get_by_role("status").first.inner_text() == "Verbonden"
    screenshot(page, "open")
    assert serious_violations(page) == [], "widget open"

    # The demo page's gemeente (Utrecht, data-gemeente) gives the local answer without asking.
    answer = ask(page, "Heb ik recht op hulp als ik geen uitkering heb?", "Woon je in Utrecht?")
    assert "Recht op hulp" in answer
    screenshot(page, "answer")
    choose(page, "Meer uitleg", "Bronnen")
    assert page.locator(".ww-msg-bot strong", has_text="Bronnen").count() == 1  # Markdown bold, as DOM

    # Reload, then another page of the site: the same conversation, history shown.
    session_id = page.evaluate("JSON.parse(sessionStorage.getItem('wegwijzer-werk')).sessionId")
    page.reload()
    page.get_by_role("dialog", name="Wegwijzer Werk").wait_for()
    assert "Heb ik recht op hulp als ik geen uitkering heb?" in page.locator(".ww-messages").inner_text()
    page.goto(demo + "contact")
    page.get_by_role("dialog", name="Wegwijzer Werk").wait_for()
    assert "Bronnen" in page.locator(".ww-messages").inner_text()
    wait_until(page, "document.querySelector('.ww-status').textContent === 'Verbonden'")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('wegwijzer-werk')).sessionId") == session_id

    # A person, one click away; the gemeente is not asked again.
    before = bot_messages(page)
    page.get_by_role("button", name="Praat met een medewerker").last.click()
    wait_for_answer(page, before, "vrijwillig")
    question = choose(page, "Ja, geef mijn vraag door", "contact met je opneemt")
    assert "welke gemeente" not in question.lower()
    choose(page, "Bellen", "telefoonnummer")
    ask(page, "06 12345678", "gebeld")
    choose(page, "Ochtend", "noemen")
    ask(page, "Sam", "Wat wil je dat er nu gebeurt")
    choose(page, "Samen zoeken naar werk", "Wat helpt jou")
    summary = choose(page, "Sla de rest over", "Klopt dit?")
    assert "Wil graag: Samen zoeken naar werk" in summary and "Wat helpt: niet gegeven" in summary
    assert "Gemeente: Utrecht" in summary and "06-****5678" in summary and "12345678" not in summary
    done = choose(page, "Ja, verstuur", "Je code is WW-")
    code = "WW-" + done.split("Je code is WW-")[1][:7]
    screenshot(page, "handoff-done")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.className") == "ww-launcher"
    assert console.errors == []  # no CSP violation or script error

    # The consulent of Utrecht finds that handoff in the portal.
    username = f"widget-{uuid.uuid4().hex[:8]}"
    with session_scope(f"sqlite:///{stack_database}") as session:
        accounts.create_user(session, username, "consulent", ["GM0344"], PASSWORD)
    base = f"http://127.0.0.1:{stack.web_port}"
    sign_in(page, base, username, PASSWORD)
    page.wait_for_url(f"{base}/")
    body = open_handoff(page, base, code)
    assert "Heb ik recht op hulp als ik geen uitkering heb?" in body and "Sam" in body
    page.context.close()


def test_bad_input_is_shown_as_text(browser: Any, demo: str) -> None:
    page = new_page(browser, viewport={"width": 375, "height": 740})
    console = Console(page)
    dialogs: List[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(demo)
    page.get_by_role("button", name=LAUNCHER).click()
    wait_for_answer(page, 0, "computerprogramma")
    for name, text in BAD_INPUT.items():
        shown = text.strip()[:1000]
        if not shown:
            continue  # the widget sends no empty message
        ask(page, text)
        assert page.locator(".ww-msg-user .ww-text").last.text_content() == shown, name
    messages = page.locator(".ww-messages")
    assert messages.locator("img, script, b, iframe").count() == 0
    assert dialogs == [] and console.errors == []
    page.context.close()
