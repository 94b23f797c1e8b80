"""The whole product in Debian's Chromium: the demo gemeente page with the real widget, Rasa's socket.io (websocket
transport, session persistence) and the action server; a handoff made in the widget is then found in the portal.
At a laptop, a tablet, a phone and a laptop at 200 % zoom, the start of each answer and the handoff's code stay in
view and a screen reader is given every message in order. Screenshots go to test-artifacts/widget/; docs/widget.png
in README.md and docs/widget.md is a copy of "answer-1366x768"."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, List

import pytest

from bot.common.db import session_scope
from bot.portal import accounts
from tests.browser import needs_browser, open_handoff, serious_violations, sign_in
from tests.test_conversation_rest import BAD_INPUT
from tests.widget.conftest import (
    LAUNCHER,
    Console,
    announced,
    answer_start_in_view,
    listen_to_live_region,
    live_region_in_accessibility_tree,
    new_page,
    screenshot,
    wait_until,
)

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


def test_question_quick_reply_reload_handoff_and_portal(
    browser: Any, demo: str, stack: Any, stack_database: Path
) -> None:
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
    # She sees the number she typed, in this page view only; the browser's storage keeps the assistant's mask.
    assert "Gemeente: Utrecht" in summary and "06 12345678" in summary
    stored = page.evaluate("sessionStorage.getItem('wegwijzer-werk')")
    assert "06-****5678" in stored and "12345678" not in stored
    done = choose(page, "Ja, verstuur", "Je code is WW-")
    code = "WW-" + done.split("Je code is WW-")[1][:7]
    screenshot(page, "handoff-done")
    assert page.locator(".ww-handoff p").inner_text() == f"Je vraag is doorgegeven (code {code})"
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


VIEWPORTS = {
    "1366x768": (1366, 768),
    "768x1024": (768, 1024),
    "360x740": (360, 740),
    "640x384-zoom200": (640, 384),
}  # the last: a 1280 × 768 laptop at 200 % zoom
# How the test answers the handoff's questions: the first of these buttons it finds, else the text for the
# question. Led by what the assistant asks, so a shorter handoff (fewer questions) needs no change here.
CHOICES = (
    "Ja, geef mijn vraag door",
    "Ja, verstuur",
    "Bellen",
    "Ochtend",
    "Sla de rest over",
    "Nee, niets",
    "Overslaan",
)
TYPED = (("telefoonnummer", "06 12345678"), ("welke gemeente", "Utrecht"), ("noemen", "Sam"))
MAX_HANDOFF_TURNS = 15


def reply_titles(page: Any) -> List[str]:
    replies = page.locator(".ww-replies").last.locator("button")
    return [replies.nth(i).inner_text() for i in range(replies.count())] if page.locator(".ww-replies").count() else []


def handoff_step(page: Any, asked: str) -> str:
    titles = reply_titles(page)
    for title in CHOICES:
        if title in titles:
            return choose(page, title)
    for cue, text in TYPED:
        if cue in asked.lower():
            return ask(page, text)
    raise AssertionError(f"the test does not know how to answer: {asked!r} {titles}")


def request_human(page: Any, in_words: bool) -> str:
    if in_words:
        asked = ask(page, "Ik wil graag een mens spreken", "vrijwillig")
        assert not page.locator(".ww-footer .ww-human").is_visible(), "the footer follows a request in words too"
        return asked
    before = bot_messages(page)
    if page.locator(".ww-footer .ww-human").is_visible():
        page.locator(".ww-footer").get_by_role("button", name="Praat met een medewerker").click()
    else:  # small heights: in the menu
        page.get_by_role("button", name="Menu").click()
        page.locator(".ww-tools").get_by_role("button", name="Praat met een medewerker").click()
    assert not page.locator(".ww-footer .ww-human").is_visible(), "no second request while one is being made"
    return wait_for_answer(page, before, "vrijwillig")


def conversation_room(page: Any) -> float:
    """The part of the panel's height where the conversation can be read, between the header and the footer."""
    return page.evaluate("""() => {
        const panel = document.querySelector('.ww-panel').getBoundingClientRect();
        const header = document.querySelector('.ww-header').getBoundingClientRect();
        const footer = document.querySelector('.ww-footer').getBoundingClientRect();
        return (Math.min(footer.top, panel.bottom) - header.bottom) / panel.height; }""")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_answer_and_code_in_view_and_every_message_announced(browser: Any, demo: str, size: str) -> None:
    width, height = VIEWPORTS[size]
    page = new_page(browser, viewport={"width": width, "height": height})
    console = Console(page)
    page.goto(demo)
    page.get_by_role("button", name=LAUNCHER).wait_for()
    listen_to_live_region(page)  # before the chat opens: the welcome can come at once
    page.get_by_role("button", name=LAUNCHER).click()
    wait_for_answer(page, 0, "computerprogramma")
    assert answer_start_in_view(page)
    ask(page, "Heb ik recht op hulp als ik geen uitkering heb?", "Recht op hulp")
    assert answer_start_in_view(page), "the start of the answer, not its last buttons"
    screenshot(page, f"answer-{size}")
    if size == "1366x768":
        # Debian's Chromium: it reads with a Dutch voice of the device, or says plainly that it has none.
        page.locator(".ww-msg-bot .ww-read").last.click()
        wait_until(
            page,
            "!!document.querySelector('.ww-note') || [...document.querySelectorAll('.ww-read')]"
            ".some(b => b.textContent === 'Stop voorlezen')",
        )
        if page.locator(".ww-note").count():
            assert page.locator(".ww-note").inner_text().startswith("Voorlezen lukt niet")
        else:
            page.locator(".ww-msg-bot .ww-read").last.click()  # stop

    asked = request_human(page, in_words=size == "768x1024")
    turns = 0
    while "Je code is WW-" not in asked:
        turns += 1
        assert turns <= MAX_HANDOFF_TURNS, "the handoff does not end"
        asked = handoff_step(page, asked)
        assert answer_start_in_view(page), f"turn {turns}: the start of the answer"
    code = "WW-" + asked.split("Je code is WW-")[1][:7]
    assert page.locator(".ww-handoff p").inner_text() == f"Je vraag is doorgegeven (code {code})"
    assert answer_start_in_view(page, ".ww-code"), "the code stays in view"
    screenshot(page, f"handoff-{size}")

    # A screen reader was given every message in order, the code among them, and told when there were choices.
    shown = [text for text in page.locator(".ww-msg-bot .ww-text").all_inner_texts() if text.strip()]
    page.wait_for_timeout(2000)  # the queue reads one announcement every 0.4 s
    said = announced(page)
    spoken = [text for text in said if text.startswith("Wegwijzer: ")]
    assert len(spoken) == len(shown), f"one announcement for each message: {said} {shown}"
    assert any(code in text for text in spoken)
    assert any(text.startswith(("Er zijn ", "Er is 1 knop")) for text in said), "choices are announced"
    in_tree = live_region_in_accessibility_tree(page)
    assert in_tree and in_tree == said[-len(in_tree) :]

    # The next question: the code is still in view, and the answer starts in view.
    ask(page, "Wat is een jobcoach?")
    assert answer_start_in_view(page) and answer_start_in_view(page, ".ww-code")
    if size.startswith("640x384"):
        assert conversation_room(page) >= 0.5
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("button", name="Grotere letters").click()
        ask(page, "Wat is loonkostensubsidie?")
        assert conversation_room(page) >= 0.45, "with larger letters too"
        assert answer_start_in_view(page) and answer_start_in_view(page, ".ww-code")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"larger-letters-{size}")
    assert serious_violations(page) == []
    assert console.errors == []
    page.context.close()
