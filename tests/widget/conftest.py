"""Chromium (Debian's, through Playwright) for the widget tests, with axe-core loaded into every page.

axe-core is added as an init script, which the page's Content-Security-Policy does not block: the pages are
tested under their real strict policy, and any violation shows up as a console error."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.common import settings
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


def listen_to_live_region(page: Any) -> None:
    """Record every announcement added to the widget's live region, in order, in window.__announced: what a
    screen reader is given to read (a removed node is not read, a replaced one may never be)."""
    page.evaluate("""() => {
        window.__announced = [];
        const live = document.querySelector('.ww-live');
        new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(
            n => window.__announced.push(n.textContent)))).observe(live, {childList: true});
    }""")


def announced(page: Any) -> List[str]:
    return page.evaluate("window.__announced")


def live_region_in_accessibility_tree(page: Any) -> List[str]:
    """The live region as Chromium's accessibility tree gives it to a screen reader: checks that it is a polite
    region that reads additions, and returns the texts in it, in order."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()

    def props(node: Any) -> Dict[str, Any]:
        return {p["name"]: p["value"].get("value") for p in node.get("properties", [])}

    by_id = {node["nodeId"]: node for node in nodes}
    regions = [node for node in nodes if props(node).get("live") == "polite" and not props(node).get("atomic")]
    assert len(regions) == 1, "one polite live region that reads each addition on its own"
    assert props(regions[0]).get("relevant") == "additions"

    def texts(node: Dict[str, Any]) -> List[str]:
        if node.get("role", {}).get("value") == "StaticText":
            return [node["name"]["value"]]
        return [text for child in node.get("childIds", []) if child in by_id for text in texts(by_id[child])]

    return texts(regions[0])


def answer_start_in_view(page: Any, item: str = "") -> bool:
    """Whether the first line of an element (default: the start of the latest answer, i.e. the first assistant
    message after the person's last one) can be seen: inside the panel and not under its header or footer."""
    return page.evaluate(
        """selector => {
        const items = [...document.querySelectorAll('.ww-msg')];
        let target = selector ? document.querySelector(selector) : null;
        if (!selector) {
            let i = items.length - 1;
            while (i > 0 && items[i - 1].classList.contains('ww-msg-bot')) { i--; }
            target = items[i];
        }
        if (!target) { return false; }
        const box = target.getBoundingClientRect();
        const x = box.left + Math.min(20, box.width / 2), y = box.top + 12;
        if (y < 0 || y > window.innerHeight) { return false; }
        const seen = document.elementFromPoint(x, y);
        return !!seen && target.contains(seen);
    }""",
        item,
    )
