"""The portal over real HTTP, for the security tests: a small stack (the web app and the notifier as their own
processes, on a SQLite file) and a browser-like client that signs in with the page's CSRF token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Optional

import requests
from requests_toolbelt.adapters.source import SourceAddressAdapter

from bot.common.db import session_scope
from bot.ops.stack import Stack, free_port
from bot.portal import accounts

PASSWORD = "een-lang-test-wachtwoord"


def start_web_stack(folder: Path, **env: str) -> Stack:
    """The web app and the notifier on free ports, on their own database (no Rasa: these tests need none)."""
    url = f"sqlite:///{folder / 'wegwijzer.db'}"
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        log_dir=folder / "logs",
        env={
            "DATABASE_URL": url,
            "TRACKER_DB": str(folder / "tracker.db"),
            "WW_VAR_DIR": str(folder),
            "WW_HANDOFF_NOTIFY_INTERVAL_S": "1",
            "WW_WEB_FAILED_LOGIN_DELAY_MS": "0",
            **env,
        },
    )
    stack.services = [stack.service("web"), stack.service("notifier")]
    return stack.start(timeout=90)


def stack_database(stack: Stack) -> str:
    return stack.environment()["DATABASE_URL"]


def add_user(stack: Stack, username: str, role: str, gemeente: str) -> None:
    with session_scope(stack_database(stack)) as session:
        accounts.create_user(session, username, role, [gemeente], PASSWORD)


class Browser:
    """One browser (its own cookies) talking to the running portal, optionally from another local address."""

    def __init__(self, stack: Stack, source: Optional[str] = None) -> None:
        self.base = f"http://127.0.0.1:{stack.web_port}"
        self.http = requests.Session()
        if source:  # 127.0.0.0/8 is all this computer: 127.0.0.2 is "another address" for the server
            adapter = SourceAddressAdapter(source)
            self.http.mount("http://", adapter)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=30, **kwargs)

    def csrf(self, path: str) -> str:
        page = self.http.get(self.base + path, timeout=30).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(
        self, path: str, data: Dict[str, str], page: Optional[str] = None, headers: Optional[Dict[str, str]] = None
    ) -> requests.Response:
        token = self.csrf(page or path)
        return self.http.post(
            self.base + path,
            data={"csrf_token": token, **data},
            allow_redirects=False,
            timeout=30,
            headers=headers or {},
        )

    def sign_in(
        self, username: str, password: str = PASSWORD, headers: Optional[Dict[str, str]] = None
    ) -> requests.Response:
        return self.post("/inloggen", {"username": username, "password": password}, headers=headers)
