"""Chromium (Debian's, through Playwright) for the widget tests, with axe-core loaded into every page.

axe-core is added as an init script, which the page's Content-Security-Policy does not block: the pages are
tested under their real strict policy, and any violation shows up as a console error."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from bot import settings
from tests.browser import AXE, chromium

ARTIFACTS = settings.ROOT / "test-artifacts" / "widget"
LAUNCHER = "Vragen over werk? Chat met ons"


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Console:
    """Errors in the page's console: CSP violations and script errors land here."""

    def __init__(self, page: Any) -> None:
        self.errors: List[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def new_page(browser: Any, **options: Any) -> Any:
    context = browser.new_context(**options)
    context.add_init_script(path=str(AXE))
    return context.new_page()


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression. Not page.wait_for_function: that evaluates a string inside the page, which
    the strict CSP (no 'unsafe-eval') rightly forbids; page.evaluate goes through the debugger protocol."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
        time.sleep(0.1)


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
