"""In Debian's Chromium, on the real portal (the Flask app over HTTP, a real SQLite database) with issue 17's
handoff: at 1366×768 and 768×1024 who she is, how to reach her and the actions (Oppakken, a note, Afsluiten) are in
view without scrolling; the conversation shows no payloads and no Markdown signs; saving a note keeps the page where
it is; closing is asked once more; the inbox keeps its column labels and whole codes on a tablet.
Screenshots go to test-artifacts/portal/ (ignored by git, like the other browser tests' screenshots)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from werkzeug.serving import make_server

from bot.common import settings
from bot.ops.stack import free_port
from tests.browser import chromium, needs_browser, open_handoff, serious_violations, sign_in
from tests.handoff import conversation_events as ms
from tests.portal.conftest import PASSWORD, make_portal
from tests.portal.test_handoff_page import ms_handoff

pytestmark = [needs_browser]

ARTIFACTS = settings.ROOT / "test-artifacts" / "portal"
LAPTOP, TABLET = {"width": 1366, "height": 768}, {"width": 768, "height": 1024}
PAYLOADS = ("/greet", "/ask_right_to_support", "/inform", "/affirm", "/deny", "/out_of_scope", '{"')


@pytest.fixture
def served(sqlite_url: str) -> Iterator[Dict[str, Any]]:
    """The portal of tests/portal/conftest.py, served over HTTP on a free port as `make run` serves it."""
    portal = make_portal(sqlite_url)
    code = ms_handoff(portal)
    server = make_server("127.0.0.1", free_port(), portal.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {"base": f"http://127.0.0.1:{server.server_port}", "code": code}
    finally:
        server.shutdown()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{page.viewport_size['width']}x{page.viewport_size['height']}.png"
    page.screenshot(path=str(path))  # the first screen only: what the consulent sees without scrolling
    page.screenshot(path=str(path.with_name(path.stem + "-heel.png")), full_page=True)
    return path


def unseen(page: Any, locators: Dict[str, Any]) -> List[str]:
    """The names of the elements not wholly inside the first screen (the page scrolled to the top)."""
    height = page.viewport_size["height"]
    below = []
    for name, locator in locators.items():
        box = locator.bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > height:
            below.append(f"{name} ({'verborgen' if box is None else round(box['y'] + box['height'])} px)")
    return below


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["1366x768", "768x1024"])
def test_contact_and_actions_are_above_the_fold(served: Dict[str, Any], viewport: Dict[str, int]) -> None:
    base, code = served["base"], served["code"]
    with chromium() as browser:
        # bypass_csp only so the test can inject axe-core; the portal's pages need no inline script.
        page = browser.new_context(bypass_csp=True, viewport=viewport).new_page()
        errors: List[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        sign_in(page, base, "consulent", PASSWORD)
        page.wait_for_url(f"{base}/")
        check_inbox(page, code)
        open_handoff(page, base, code)
        who, want = page.locator("section[aria-labelledby=wie]"), page.locator("section[aria-labelledby=vraag]")
        folded = {
            "naam": who.get_by_text("Sam", exact=True),
            "telefoon": who.get_by_role("link", name="06 12345678"),
            "voorkeur": who.get_by_text("telefoon, ochtend"),
            "vraag": want.locator(".headline"),
            "niet beantwoord": want.get_by_text("“raak ik mijn spaargeld kwijt?”"),
            "Oppakken": page.get_by_role("button", name="Oppakken"),
            "notitie": page.get_by_label("Nieuwe notitie"),
            "Notitie opslaan": page.get_by_role("button", name="Notitie opslaan"),
            "Afsluiten": page.get_by_role("button", name="Afsluiten…"),
        }
        shot(page, "overdracht")
        assert unseen(page, folded) == [], f"below the fold at {viewport}"
        print(
            f"\n{viewport['width']}x{viewport['height']}: lowest action at "
            f"{max(round(b['y'] + b['height']) for b in (f.bounding_box() for f in folded.values()))} px "
            f"of {viewport['height']}; page {page.evaluate('document.body.scrollHeight')} px high"
        )
        check_conversation(page)
        assert serious_violations(page, inject=True) == []
        save_a_note_in_place(page)
        close_after_confirming(page, base, code)
        assert errors == []


def check_inbox(page: Any, code: str) -> None:
    shot(page, "inbox")
    headers = page.locator("table.list thead th")
    assert headers.first.is_visible() and headers.count() == 7, "the column labels stay"
    assert [h.inner_text() for h in headers.all()][:3] == ["Code", "Ontvangen", "Status"]
    right = page.viewport_size["width"]
    assert [h.inner_text() for h in headers.all() if h.bounding_box()["x"] + h.bounding_box()["width"] > right] == []
    assert page.locator("table.list td[data-label=Gemeente]").first.inner_text() == "Houten"
    for cell in page.locator("table.list td.code a").all():
        lines = cell.evaluate(
            "a => Math.round(a.getBoundingClientRect().height / parseFloat(getComputedStyle(a).lineHeight))"
        )
        assert lines == 1, f"{cell.inner_text()} wraps"
    assert serious_violations(page, inject=True) == []


def check_conversation(page: Any) -> None:
    conversation = page.locator("section[aria-labelledby=gesprek]")
    said = conversation.inner_text()
    for payload in PAYLOADS:
        assert payload not in said, payload
    assert "**" not in said.replace("06-****5678", "") and "](" not in said
    assert conversation.locator("strong", has_text="Recht op ondersteuning zonder uitkering").count() == 1
    link = conversation.get_by_role("link", name="www.houten.nl")
    assert link.get_attribute("href") == "https://www.houten.nl"
    assert said.count(ms.CONSENT) == 1 and "Koos: Telefoon" in said and "Koos: Heb ik recht op hulp?" in said


def save_a_note_in_place(page: Any) -> None:
    page.get_by_label("Nieuwe notitie").fill("Gebeld om 10 uur, geen gehoor. Morgen opnieuw.")
    before = page.get_by_label("Nieuwe notitie").bounding_box()
    page.get_by_role("button", name="Notitie opslaan").click()
    saved = page.locator(".actions [role=status]", has_text="De notitie is opgeslagen.")
    saved.wait_for()
    after = page.get_by_label("Nieuwe notitie").bounding_box()
    assert abs(after["y"] - before["y"]) < 2, "the note form stays where the consulent's eye is"
    assert unseen(page, {"bevestiging": saved}) == []
    note = page.locator("section[aria-labelledby=notities] .note", has_text="Gebeld om 10 uur")
    if page.viewport_size == LAPTOP:  # beside the actions, in the room under who and what
        assert unseen(page, {"opgeslagen notitie": note}) == []
    assert note.count() == 1
    shot(page, "notitie-opgeslagen")


def close_after_confirming(page: Any, base: str, code: str) -> None:
    page.get_by_label("Uitkomst").select_option("geholpen")
    page.get_by_role("button", name="Afsluiten…").click()
    assert "afsluiten?" in page.locator("h1").inner_text()
    shot(page, "afsluiten-bevestigen")
    assert serious_violations(page, inject=True) == []
    page.get_by_role("link", name="Nee, terug naar de overdracht").click()
    page.wait_for_url(f"{base}/overdracht/{code}")
    assert page.get_by_role("button", name="Afsluiten…").is_visible(), "going back closes nothing"
    page.get_by_label("Uitkomst").select_option("geholpen")
    page.get_by_role("button", name="Afsluiten…").click()
    page.get_by_role("button", name="Ja, afsluiten").click()
    page.wait_for_url(f"{base}/overdracht/{code}")
    assert "De overdracht is afgesloten." in page.locator("main").inner_text()
    shot(page, "afgesloten")
