"""The portal on a real database (SQLite, and PostgreSQL when reachable), with accounts in two gemeenten
and handoffs created through the handoff service, as the assistant creates them."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.common.db import get_engine, session_scope
from bot.handoff.service import create_handoff
from bot.ops.migrate import upgrade
from bot.portal import accounts
from bot.web import create_app
from tests.databases import postgres_schema, sqlite_database
from tests.handoff.conftest import make_request

HOUTEN, ZEIST = "GM0321", "GM0355"
PASSWORD = "een-lang-test-wachtwoord"
USERS = {  # username: (role, gemeente)
    "consulent": ("consulent", HOUTEN),
    "collega": ("consulent", HOUTEN),
    "teamleider": ("teamleider", HOUTEN),
    "beheerder": ("beheerder", HOUTEN),
    "zeist": ("consulent", ZEIST),
    "zeistlead": ("teamleider", ZEIST),
    "zeistbeheer": ("beheerder", ZEIST),
}


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    url = sqlite_database(tmp_path, "portal.db")
    yield url
    get_engine(url).dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_schema("ww_portal") as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@dataclass
class Portal:
    app: Flask
    url: str
    codes: Dict[str, str]  # "houten" / "zeist" / "houten2": reference codes

    def client(self, username: str = "") -> FlaskClient:
        client = self.app.test_client()
        if username:
            response = login(client, username, PASSWORD)
            assert response.status_code == 302, response.get_data(as_text=True)
        return client


def csrf_token(client: FlaskClient, path: str = "/inloggen") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str) -> Any:
    return client.post("/inloggen", data={"csrf_token": csrf_token(client), "username": username, "password": password})


def post(client: FlaskClient, path: str, data: Dict[str, str], page: str = "/") -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def add_handoff(url: str, gemeente: str, days_ago: float = 0, **changes: Any) -> str:
    moment = datetime.now(timezone.utc) - timedelta(days=days_ago, minutes=5)
    with session_scope(url) as session:
        request = make_request(gemeente_code=gemeente, submitted_at=moment, consent_at=moment, **changes)
        return create_handoff(session, request).reference_code


def make_portal(url: str) -> Portal:
    with session_scope(url) as session:
        for username, (role, gemeente) in USERS.items():
            accounts.create_user(session, username, role, [gemeente], PASSWORD)
    codes = {
        "houten": add_handoff(url, HOUTEN, days_ago=10),
        "houten2": add_handoff(url, HOUTEN),
        "zeist": add_handoff(url, ZEIST),
    }
    app = create_app({"TESTING": True, "DATABASE_URL": url, "FAILED_LOGIN_DELAY_MS": 0})
    return Portal(app, url, codes)


@pytest.fixture
def portal(sqlite_url: str) -> Portal:
    return make_portal(sqlite_url)


@pytest.fixture
def any_portal(db_url: str) -> Portal:
    """The same portal on SQLite and on PostgreSQL (skipped, with the reason, when there is no server)."""
    return make_portal(db_url)


PUBLIC_ADDRESS = "93.184.215.14"  # a public internet address; nothing is ever sent there in these tests


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> str:
    """Names under .example resolve to a public address, as a gemeente's webhook host would: DNS is outside the
    project (and this machine has none for the internet). Every other name resolves as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".example"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, int(port or 443)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return PUBLIC_ADDRESS


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper argon2 parameters in tests only; the hashes are still real argon2id."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
