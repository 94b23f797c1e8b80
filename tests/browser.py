"""Debian's Chromium through Playwright, and axe-core, for the browser tests (portal and widget).

Playwright cannot download browsers here; `make test` installs /usr/bin/chromium and node_modules/axe-core.
The flags keep Chromium from reaching for the network at start-up (refused on these machines)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.common import settings

CHROMIUM = Path("/usr/bin/chromium")
AXE = settings.ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists() or not AXE.exists(),
    reason="needs /usr/bin/chromium and node_modules/axe-core (make test installs both)",
)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def serious_violations(page: Any, inject: bool = False) -> List[Dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 AA findings; `inject` adds axe to a page that does not have it."""
    if inject:
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/inloggen")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def open_handoff(page: Any, base: str, code: str) -> str:
    """From the inbox, filter on the reference code and open that handoff; returns the page's main text."""
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Filteren").click()
    page.get_by_role("link", name=code).click()
    page.wait_for_url(f"{base}/overdracht/{code}")
    return page.locator("main").inner_text()
