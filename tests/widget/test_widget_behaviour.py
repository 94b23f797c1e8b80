"""The widget on its own in Chromium, on a page with a strict CSP, with a stand-in socket.io client
(fake_socket.js) playing the server: rendering, safe links, quick replies, unread badge, offline queue,
restart, keyboard and persistence. No Rasa needed, so every case is exact and quick."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot.web.security import csp
from tests.browser import needs_browser, serious_violations
from tests.widget.conftest import LAUNCHER, Console, new_page, wait_until

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static" / "widget"
ORIGIN = "http://gemeente.test"
PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Testpagina</title></head>
<body><main><h1>Testpagina</h1><p>Tekst van de gemeente.</p></main>
<script src="/widget/widget.js" data-gemeente="gm0344" data-color="#ffcc00" defer></script></body></html>"""

pytestmark = needs_browser


def serve(route: Any) -> None:
    path = route.request.url[len(ORIGIN):].split("?")[0]
    files = {"/widget/widget.js": STATIC / "widget.js", "/widget/widget.css": STATIC / "widget.css",
             "/widget/vendor/socket.io.min.js": Path(__file__).with_name("fake_socket.js")}
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


def test_markdown_subset_is_built_from_dom_nodes_and_links_are_safe(page: Any) -> None:
    open_chat(page)
    say(page, {"text": "**Let op** lees [de wet](https://wetten.overheid.nl/x) of "
                       "[dit](javascript:alert(1)) of mail [ons](mailto:werk@voorbeeld.nl)\n"
                       "- een\n- twee <img src=x onerror=alert(2)>\n1. eerst\n2. dan\n"
                       "<script>alert(3)</script> zie https://www.uwv.nl."})
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
    say(page, {"text": "Wil je meer weten?", "quick_replies": [
        {"content_type": "text", "title": "Meer uitleg", "payload": "/more_info"}]})
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
    assert "2 nieuwe berichten" in page.locator("[aria-live=polite]").inner_text()
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
    for secret in ("12345678", "1234 5678", "sam@voorbeeld.nl", "111222333", "NL91ABNA0417164300"):
        assert secret not in stored and secret not in shown
    assert "[nummer]" in shown and "[e-mailadres]" in shown and "[rekeningnummer]" in shown
    page.evaluate("window.__server.restore()")
    wait_until(page, "document.querySelector('.ww-status').textContent === 'Verbonden'")
    assert sent(page)[-1]["message"] == "mijn nummer is +31 6 1234 5678", "the queue sends the real text from memory"


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
    page.get_by_role("button", name="Opnieuw beginnen").click()
    wait_until(page, "window.__server.sent.some(s => s.data && s.data.message === '/restart')")
    assert sent(page)[-1]["session_id"] != session_id
    assert page.locator(".ww-msg").count() == 0
    assert "opnieuw begonnen" in page.locator("[aria-live=polite]").inner_text()


def test_a_new_id_from_the_server_starts_the_transcript_afresh(page: Any) -> None:
    """The server issues the session id (bot/socket_sessions.py); when it does not continue the stored one (its
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
    assert "opnieuw begonnen" in page.locator("[aria-live=polite]").inner_text()


def test_narrow_screen_larger_text_and_axe(page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    assert serious_violations(page) == []
    open_chat(page)
    say(page, {"text": "Een lang antwoord met een heel lang woord: loonkostensubsidieaanvraagformulier.",
               "quick_replies": [{"title": "Praat met een medewerker", "payload": "/request_human"}]})
    page.get_by_role("button", name="Grotere letters").click()
    assert page.get_by_role("button", name="Grotere letters").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nothing sticks out sideways
    box = page.get_by_role("dialog").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert serious_violations(page) == []
