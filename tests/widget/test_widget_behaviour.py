"""The widget on its own in Chromium, on a page with a strict CSP, with a stand-in socket.io client
(fake_socket.js) playing the server: rendering, safe links, quick replies, unread badge, offline queue,
restart, keyboard and persistence; what a screen reader is told and in which order; the handoff footer and its
code; reading aloud; small heights (200 % zoom). No Rasa needed, so every case is exact and quick."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot.web.security import csp
from tests.browser import needs_browser, serious_violations
from tests.widget.conftest import (
    LAUNCHER,
    Console,
    announced,
    answer_start_in_view,
    listen_to_live_region,
    live_region_in_accessibility_tree,
    new_page,
    wait_until,
)

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static" / "widget"
ORIGIN = "http://gemeente.test"
PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Testpagina</title></head>
<body><main><h1>Testpagina</h1><p>Tekst van de gemeente.</p></main>
<script src="/widget/widget.js" data-gemeente="gm0344" data-color="#ffcc00" defer></script></body></html>"""

pytestmark = needs_browser


def serve(route: Any) -> None:
    path = route.request.url[len(ORIGIN) :].split("?")[0]
    files = {
        "/widget/widget.js": STATIC / "widget.js",
        "/widget/widget.css": STATIC / "widget.css",
        "/widget/vendor/socket.io.min.js": Path(__file__).with_name("fake_socket.js"),
    }
    headers = {"Content-Security-Policy": csp()}
    if path in files:
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        route.fulfill(body=files[path].read_text(encoding="utf-8"), content_type=kind, headers=headers)
    elif path.startswith("/pagina"):
        route.fulfill(body=PAGE, content_type="text/html", headers=headers)
    else:
        route.fulfill(status=404, body="")


@pytest.fixture
def page(browser: Any) -> Any:
    page = new_page(browser, viewport={"width": 1024, "height": 768})
    page.route(f"{ORIGIN}/**", serve)
    page.console = Console(page)
    page.goto(f"{ORIGIN}/pagina")
    page.get_by_role("button", name=LAUNCHER).wait_for()
    listen_to_live_region(page)
    yield page
    assert page.console.errors == []  # nothing blocked by the CSP, no script errors
    page.context.close()


def sent(page: Any) -> List[Dict[str, Any]]:
    return [s["data"] for s in page.evaluate("window.__server.sent") if s["event"] == "user_uttered"]


def say(page: Any, message: Dict[str, Any]) -> None:
    page.evaluate("m => window.__server.say(m)", message)


def open_chat(page: Any) -> None:
    page.get_by_role("button", name=LAUNCHER).click()
    page.get_by_role("dialog", name="Wegwijzer Werk").wait_for()


def test_open_greets_and_sends_the_gemeente_as_metadata(page: Any) -> None:
    open_chat(page)
    assert page.evaluate("document.activeElement.id") == "ww-input"
    wait_until(page, "window.__server.sent.some(s => s.event === 'user_uttered')")
    first = sent(page)[0]
    assert first["message"] == "/greet" and first["metadata"] == {"gemeente": "GM0344"}
    assert first["session_id"].startswith("sessie-")
    page.get_by_label("Typ je vraag").fill("Wat is een jobcoach?")
    page.keyboard.press("Enter")
    assert sent(page)[-1]["message"] == "Wat is een jobcoach?"
    assert page.locator(".ww-typing").is_visible()
    say(page, {"text": "Een jobcoach helpt je op je werk."})
    assert not page.locator(".ww-typing").is_visible()
    assert "Wegwijzer: Een jobcoach helpt je op je werk." in page.locator("[aria-live=polite]").inner_text()
    assert page.locator(".ww-msg-bot").last.get_by_role("button", name="Lees voor").is_visible()


def test_markdown_subset_is_built_from_dom_nodes_and_links_are_safe(page: Any) -> None:
    open_chat(page)
    say(
        page,
        {
            "text": "**Let op** lees [de wet](https://wetten.overheid.nl/x) of "
            "[dit](javascript:alert(1)) of mail [ons](mailto:werk@voorbeeld.nl)\n"
            "- een\n- twee <img src=x onerror=alert(2)>\n1. eerst\n2. dan\n"
            "<script>alert(3)</script> zie https://www.uwv.nl."
        },
    )
    message = page.locator(".ww-msg-bot").last
    assert message.locator("strong").inner_text() == "Let op"
    assert message.locator("ul li").count() == 2 and message.locator("ol li").count() == 2
    assert message.locator("img, script").count() == 0
    assert "<img src=x onerror=alert(2)>" in message.inner_text()
    assert "<script>alert(3)</script>" in message.inner_text()
    links = message.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == ["https://wetten.overheid.nl/x", "mailto:werk@voorbeeld.nl", "https://www.uwv.nl/"]
    web = links.first
    assert web.get_attribute("target") == "_blank" and web.get_attribute("rel") == "noopener noreferrer"
    assert "(opent in een nieuw venster)" in web.inner_text()
    assert "dit" in message.inner_text()  # the javascript: link is shown as its text only


def test_quick_replies_send_the_payload_and_show_the_title(page: Any) -> None:
    open_chat(page)
    say(
        page,
        {
            "text": "Wil je meer weten?",
            "quick_replies": [{"content_type": "text", "title": "Meer uitleg", "payload": "/more_info"}],
        },
    )
    page.get_by_role("group", name="Kies een antwoord").get_by_role("button", name="Meer uitleg").click()
    assert sent(page)[-1]["message"] == "/more_info"
    assert page.locator(".ww-msg-user").last.inner_text().endswith("Meer uitleg")
    assert page.locator(".ww-reply").count() == 0  # choosing closes the earlier choices


def test_a_person_is_one_click_away(page: Any) -> None:
    open_chat(page)
    page.get_by_role("button", name="Praat met een medewerker").click()
    assert sent(page)[-1]["message"] == "/request_human"


def test_unread_badge_counts_messages_while_closed(page: Any) -> None:
    open_chat(page)
    page.keyboard.press("Escape")
    launcher = page.get_by_role("button", name=LAUNCHER)
    assert page.evaluate("document.activeElement.className") == "ww-launcher"
    say(page, {"text": "Een"})
    say(page, {"text": "Twee"})
    assert page.locator(".ww-badge").text_content() == "2 nieuwe berichten"
    wait_until(page, "window.__announced.length >= 2")
    assert announced(page) == ["1 nieuw bericht", "2 nieuwe berichten"]
    launcher.press("Enter")
    assert page.get_by_role("dialog").is_visible() and not page.locator(".ww-badge").is_visible()


def test_messages_wait_while_offline_and_go_when_the_connection_is_back(page: Any) -> None:
    open_chat(page)
    page.evaluate("window.__server.drop()")
    assert "Geen verbinding" in page.get_by_role("status").first.inner_text()
    page.get_by_label("Typ je vraag").fill("Ben je er nog?")
    page.keyboard.press("Enter")
    assert "Wacht op verbinding" in page.locator(".ww-msg-user").last.inner_text()
    before = len(sent(page))
    page.evaluate("window.__server.restore()")
    wait_until(page, "document.querySelector('.ww-status').textContent === 'Verbonden'")
    assert [m["message"] for m in sent(page)[before:]] == ["Ben je er nog?"]
    assert page.locator(".ww-pending").count() == 0


def test_personal_numbers_are_sent_but_never_kept_in_the_browser(page: Any) -> None:
    open_chat(page)
    typed = "bel me op 06 12345678 of mail sam@voorbeeld.nl, bsn 111222333, rekening NL91ABNA0417164300"
    page.get_by_label("Typ je vraag").fill(typed)
    page.keyboard.press("Enter")
    assert sent(page)[-1]["message"] == typed, "the assistant gets the real text (its guard takes the numbers out)"
    page.evaluate("window.__server.drop()")
    page.get_by_label("Typ je vraag").fill("mijn nummer is +31 6 1234 5678")
    page.keyboard.press("Enter")
    stored = page.evaluate("window.sessionStorage.getItem('wegwijzer-werk')")
    shown = page.locator(".ww-messages").inner_text()
    assert typed in shown and "+31 6 1234 5678" in shown, "in this page view she sees what she typed"
    for secret in ("12345678", "1234 5678", "sam@voorbeeld.nl", "111222333", "NL91ABNA0417164300"):
        assert secret not in stored
    page.evaluate("window.__server.restore()")
    wait_until(page, "document.querySelector('.ww-status').textContent === 'Verbonden'")
    assert sent(page)[-1]["message"] == "mijn nummer is +31 6 1234 5678", "the queue sends the real text from memory"
    page.reload()
    page.get_by_role("dialog").wait_for()
    shown = page.locator(".ww-messages").inner_text()
    for secret in ("12345678", "1234 5678", "sam@voorbeeld.nl", "111222333", "NL91ABNA0417164300"):
        assert secret not in shown, "after a reload only the masked text is left"
    assert "[nummer]" in shown and "[e-mailadres]" in shown and "[rekeningnummer]" in shown


def test_the_summary_shows_the_number_she_typed_in_this_page_view_only(page: Any) -> None:
    open_chat(page)
    page.get_by_label("Typ je vraag").fill("06 12345678")
    page.keyboard.press("Enter")
    say(page, {"text": "Klopt dit?\n\n- Contact: bellen op 06-****5678, ochtend\n- Ander: 06-****9999"})
    summary = page.locator(".ww-msg-bot").last.inner_text()
    assert "bellen op 06 12345678, ochtend" in summary and "06-****9999" in summary
    assert "12345678" not in page.evaluate("window.sessionStorage.getItem('wegwijzer-werk')")
    page.reload()
    page.get_by_role("dialog").wait_for()
    assert "bellen op 06-****5678" in page.locator(".ww-msg-bot").last.inner_text()


def test_dates_and_short_numbers_stay_as_typed(page: Any) -> None:
    open_chat(page)
    page.get_by_label("Typ je vraag").fill("ik werk 24 uur sinds 24-11-2026 in 3512 AB")
    page.keyboard.press("Enter")
    assert "ik werk 24 uur sinds 24-11-2026 in 3512 AB" in page.locator(".ww-msg-user").last.inner_text()


def test_reload_keeps_the_conversation_and_restart_starts_a_new_one(page: Any) -> None:
    open_chat(page)
    page.get_by_label("Typ je vraag").fill("Mijn vraag")
    page.keyboard.press("Enter")
    say(page, {"text": "Mijn antwoord"})
    session_id = sent(page)[-1]["session_id"]
    page.reload()
    page.get_by_role("dialog").wait_for()
    assert "Mijn vraag" in page.locator(".ww-messages").inner_text()
    assert "Mijn antwoord" in page.locator(".ww-messages").inner_text()
    wait_until(page, "window.__server.sent.some(s => s.event === 'session_request')")
    requests = [s["data"] for s in page.evaluate("window.__server.sent") if s["event"] == "session_request"]
    assert requests[0] == {"session_id": session_id}, "the same conversation after a reload"
    listen_to_live_region(page)  # the reload built a new live region
    page.get_by_role("button", name="Opnieuw beginnen").click()
    page.get_by_role("button", name="Ja, begin opnieuw").click()
    wait_until(page, "window.__server.sent.some(s => s.data && s.data.message === '/restart')")
    assert sent(page)[-1]["session_id"] != session_id
    assert page.locator(".ww-msg").count() == 0
    wait_until(page, "window.__announced.some(t => t.includes('opnieuw begonnen'))")


def test_a_new_id_from_the_server_starts_the_transcript_afresh(page: Any) -> None:
    """The server issues the session id (bot/rasa/socket_sessions.py); when it does not continue the stored one (its
    secret changed), the widget shows the new conversation instead of an old transcript the server has not."""
    open_chat(page)
    page.get_by_label("Typ je vraag").fill("Mijn vraag")
    page.keyboard.press("Enter")
    say(page, {"text": "Mijn antwoord"})
    old_id = sent(page)[-1]["session_id"]
    page.evaluate("window.__server.forget(); window.__server.drop(); window.__server.restore()")
    wait_until(page, "window.__server.sent.filter(s => s.data && s.data.message === '/greet').length === 2")
    assert sent(page)[-1]["session_id"] != old_id
    assert "Mijn vraag" not in page.locator(".ww-messages").inner_text()
    wait_until(page, "window.__announced.some(t => t.includes('opnieuw begonnen'))")


def test_narrow_screen_larger_text_and_axe(page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    assert serious_violations(page) == []
    open_chat(page)
    say(
        page,
        {
            "text": "Een lang antwoord met een heel lang woord: loonkostensubsidieaanvraagformulier.",
            "quick_replies": [{"title": "Praat met een medewerker", "payload": "/request_human"}],
        },
    )
    page.get_by_role("button", name="Grotere letters").click()
    assert page.get_by_role("button", name="Grotere letters").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nothing sticks out sideways
    box = page.get_by_role("dialog").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert serious_violations(page) == []


CODE = "WW-7K3M-QN"
HANDOFF_TURN = [  # the last turn of a handoff, as the assistant sends it: five messages at once
    {"text": "Dank je. Je vraag en ons gesprek gaan naar een consulent van de gemeente Utrecht."},
    {"text": f"Je code is {CODE}. Bewaar deze code."},
    {"text": "Je hoort uiterlijk dinsdag 8 december van de gemeente."},
    {"text": "Het kantoor is nu dicht. Een consulent leest je bericht vanaf maandag 9 uur."},
    {
        "text": "Kan ik je nog ergens mee helpen?",
        "quick_replies": [
            {"title": "Nee, dank je", "payload": "/deny"},
            {"title": "Nog een vraag", "payload": "/affirm"},
        ],
    },
]


def test_every_message_of_a_turn_is_announced_in_order_and_choices_are_announced(page: Any) -> None:
    open_chat(page)
    for message in HANDOFF_TURN:
        say(page, message)
    expected = ["Wegwijzer: " + m["text"] for m in HANDOFF_TURN]
    expected.append("Er zijn 2 knoppen om te kiezen: Nee, dank je; Nog een vraag. Of typ je antwoord.")
    wait_until(page, f"window.__announced.length >= {len(expected)}")
    assert announced(page) == expected, "queued: none is replaced before it could be read, the code included"
    in_tree = live_region_in_accessibility_tree(page)
    assert in_tree == expected[-len(in_tree) :] and len(in_tree) >= 5 and in_tree[-1].startswith("Er zijn 2 knoppen")
    times = page.evaluate("""() => { const t = []; let last = 0;
        return new Promise(done => { const live = document.querySelector('.ww-live');
            new MutationObserver(() => { const now = performance.now(); t.push(now - last); last = now;
                if (t.length === 3) { done(t.slice(1)); } }).observe(live, {childList: true});
            for (const m of ['Een', 'Twee', 'Drie']) { window.__server.say({text: m}); } }); }""")
    assert min(times) >= 350, "a pause between announcements, so that each is a change of its own"


def test_the_start_of_a_long_answer_stays_in_view(page: Any) -> None:
    for width, height in ((1366, 768), (768, 1024), (360, 740), (640, 384)):
        page.set_viewport_size({"width": width, "height": height})
        if not page.get_by_role("dialog").is_visible():
            open_chat(page)
        page.get_by_label("Typ je vraag").fill("Wat is loonkostensubsidie?")
        page.keyboard.press("Enter")
        long = "\n".join(f"- Punt {i}: de gemeente betaalt een deel van je loon aan je werkgever." for i in range(12))
        say(page, {"text": "**Loonkostensubsidie**\n" + long})
        say(
            page,
            {
                "text": "Wil je meer weten?",
                "quick_replies": [{"title": f"Keuze {i}", "payload": f"/keuze{i}"} for i in range(6)],
            },
        )
        assert answer_start_in_view(page), f"{width}×{height}: the start of the answer"
        assert page.locator(".ww-msg-bot").nth(-2).locator("strong").inner_text() == "Loonkostensubsidie"


def test_small_height_gives_the_conversation_the_room(page: Any) -> None:
    page.set_viewport_size({"width": 640, "height": 384})  # a 1280 × 768 screen at 200 % zoom
    open_chat(page)
    for i in range(8):
        say(page, {"text": f"Bericht {i} met wat tekst om de chat te vullen, zodat er gescrold moet worden."})
    for large in (False, True):
        if large:
            page.get_by_role("button", name="Menu").click()
            page.get_by_role("button", name="Grotere letters").click()
            assert page.evaluate("document.activeElement.textContent") == "Menu"
        room = page.evaluate("""() => {
            const panel = document.querySelector('.ww-panel').getBoundingClientRect();
            const header = document.querySelector('.ww-header').getBoundingClientRect();
            const footer = document.querySelector('.ww-footer').getBoundingClientRect();
            return (footer.top - header.bottom) / panel.height; }""")
        assert room >= 0.5, f"the conversation has {room:.0%} of the panel (large letters: {large})"
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
    # The extra buttons are in the menu; Escape closes it and gives focus back to "Menu".
    assert not page.get_by_role("button", name="Opnieuw beginnen").is_visible()
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    for name in ("Grotere letters", "Opnieuw beginnen", "Praat met een medewerker"):
        assert page.get_by_role("button", name=name).is_visible(), name
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.textContent") == "Menu"
    assert page.get_by_role("dialog").is_visible()
    # The panel scrolls as a whole: a long conversation can be read from its start, under the header.
    page.locator(".ww-panel").evaluate("p => { p.scrollTop = 0; }")
    assert answer_start_in_view(page, ".ww-msg")


def test_the_footer_follows_the_handoff_and_keeps_the_code_in_view(page: Any) -> None:
    open_chat(page)
    human = page.locator(".ww-footer").get_by_role("button", name="Praat met een medewerker")
    human.click()
    assert not human.is_visible()
    assert page.locator(".ww-handoff").inner_text() == "Je vraag wordt doorgegeven. Beantwoord de vragen in de chat."
    say(
        page,
        {
            "text": "Zal ik je vraag doorgeven?",
            "quick_replies": [
                {"title": "Ja, geef mijn vraag door", "payload": "/affirm"},
                {"title": "Nee, liever niet", "payload": "/deny"},
            ],
        },
    )
    page.get_by_role("button", name="Nee, liever niet").click()
    assert human.is_visible() and not page.locator(".ww-handoff").is_visible(), "she said no: a person, one click"
    page.get_by_label("Typ je vraag").fill("ik wil een mens spreken")  # in her own words, not with the button
    page.keyboard.press("Enter")
    assert human.is_visible()
    say(
        page,
        {
            "text": "Zal ik je vraag doorgeven?",
            "quick_replies": [
                {"title": "Ja, geef mijn vraag door", "payload": "/affirm"},
                {"title": "Nee, liever niet", "payload": "/deny"},
            ],
        },
    )
    assert not human.is_visible() and "wordt doorgegeven" in page.locator(".ww-handoff").inner_text()
    page.get_by_role("button", name="Ja, geef mijn vraag door").click()
    for message in HANDOFF_TURN:
        say(page, message)
    note = page.locator(".ww-handoff")
    assert note.locator("p").inner_text() == f"Je vraag is doorgegeven (code {CODE})"
    assert not human.is_visible()
    assert answer_start_in_view(page, ".ww-code"), "the code is in view after the turn"
    assert answer_start_in_view(page), "and so is the start of the answer"
    page.get_by_role("button", name="Kopieer code").click()
    # gemeente.test is no https page, so the widget selects the code for the browser's own copy command.
    assert page.evaluate("window.getSelection().toString()") == CODE
    wait_until(page, "window.__announced.some(t => t.includes('gekopieerd') || t.includes('Schrijf de code op'))")
    page.reload()
    page.get_by_role("dialog").wait_for()
    assert page.locator(".ww-handoff p").inner_text() == f"Je vraag is doorgegeven (code {CODE})"


def test_restart_asks_first_and_keeps_the_code(page: Any) -> None:
    open_chat(page)
    say(page, {"text": f"Je code is {CODE}. Bewaar deze code."})
    restarts = "window.__server.sent.filter(s => s.data && s.data.message === '/restart').length"
    page.get_by_role("button", name="Opnieuw beginnen").click()
    question = page.get_by_role("group", name="Wil je opnieuw beginnen?")
    assert question.is_visible() and f"Je code {CODE} blijft staan." in question.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "Nee, ga terug"
    page.keyboard.press("Enter")
    assert not question.is_visible() and page.evaluate(restarts) == 0
    assert f"Je code is {CODE}" in page.locator(".ww-messages").inner_text()
    page.get_by_role("button", name="Opnieuw beginnen").click()
    page.keyboard.press("Escape")
    assert not question.is_visible() and page.get_by_role("dialog").is_visible()
    page.get_by_role("button", name="Opnieuw beginnen").click()
    page.get_by_role("button", name="Ja, begin opnieuw").click()
    wait_until(page, f"{restarts} === 1")
    assert page.locator(".ww-msg").count() == 0
    assert page.locator(".ww-handoff p").inner_text() == f"Je vraag is doorgegeven (code {CODE})"
    assert page.locator(".ww-footer").get_by_role("button", name="Praat met een medewerker").is_visible()


FAKE_SPEECH = """(() => {
  const voices = %s;
  window.__spoken = [];
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.listeners = {};
    this.addEventListener = (name, fn) => { this.listeners[name] = fn; }; };
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    getVoices: () => voices, addEventListener: () => {},
    speak: u => window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}),
    cancel: () => window.__spoken.push('cancel')}});
})();"""


def reading_page(browser: Any, voices: str) -> Any:
    """A page whose browser speaks with the given voices: the speech engine is the browser's, outside the
    project, so it is played by a stand-in that records what it is asked to say."""
    page = new_page(browser, viewport={"width": 1024, "height": 768})
    page.context.add_init_script(FAKE_SPEECH % voices)
    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/pagina")
    listen_to_live_region(page)
    open_chat(page)
    say(page, {"text": "**Let op**: lees [de wet](https://wetten.overheid.nl/x)."})
    return page


def test_read_aloud_uses_a_dutch_voice_on_the_device(browser: Any) -> None:
    page = reading_page(
        browser,
        "[{name: 'Samantha', lang: 'en-US', localService: true}, "
        "{name: 'Google Nederlands', lang: 'nl-NL', localService: false}, "
        "{name: 'Xander', lang: 'nl-NL', localService: true}]",
    )
    read = page.locator(".ww-msg-bot").last.locator(".ww-read")
    read.click()
    spoken = page.evaluate("window.__spoken")
    assert {"text": "Let op: lees de wet.", "lang": "nl-NL", "voice": "Xander"} in spoken
    assert read.inner_text().endswith("Stop voorlezen")
    read.click()
    assert page.evaluate("window.__spoken").count("cancel") == 2 and read.inner_text().endswith("Lees voor")
    page.context.close()


def test_read_aloud_says_plainly_when_there_is_no_dutch_voice(browser: Any) -> None:
    page = reading_page(
        browser,
        "[{name: 'Samantha', lang: 'en-US', localService: true}, "
        "{name: 'Google Nederlands', lang: 'nl-NL', localService: false}]",
    )
    page.locator(".ww-msg-bot").last.get_by_role("button", name="Lees voor").click()
    wait_until(page, "!!document.querySelector('.ww-note')")
    note = "Voorlezen lukt niet: je browser heeft geen Nederlandse stem."
    assert note in page.locator(".ww-msg-bot").last.inner_text()
    assert page.evaluate("window.__spoken").count("cancel") == 1 and len(page.evaluate("window.__spoken")) == 1
    wait_until(page, f"window.__announced.some(t => t.startsWith({note!r}))")
    say(page, {"text": "Nog een antwoord."})
    assert note in page.locator(".ww-msg-bot").nth(-2).inner_text(), "the note stays with its answer"
    page.context.close()
