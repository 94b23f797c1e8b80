"""Real parts for the handoff tests: migrated SQLite files (and PostgreSQL when reachable), a handoff
configuration in tmp_path, and a real local HTTP receiver that checks the signature like a gemeente would."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml

from bot.common import settings
from bot.common.db import get_engine, session_scope
from bot.handoff.config import HandoffConfig, load_config
from bot.handoff.notifier import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from bot.handoff.service import HandoffRequest
from bot.ops.migrate import upgrade
from tests.databases import postgres_schema, sqlite_database

SECRET_ENV = "WW_TEST_HANDOFF_SECRET"
SECRET = "test-geheim-dat-alleen-de-ontvanger-kent"
HOUTEN = "GM0321"  # has its own entry with a webhook in the test configuration
LOPIK = "GM0331"  # an entry without a webhook: its team reads handoffs in the portal
ZEIST = "GM0355"  # no entry at all: takes no handoffs through the assistant
BSN = "123456782"
IBAN = "NL91ABNA0417164300"


@pytest.fixture(autouse=True)
def local_receivers_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Receiver below listens on this computer, as the demo receiver does: that is a valid webhook target
    only with the example setting on, at WW_HANDOFF_DEMO_URL (bot/handoff/endpoints.py), as in `make run`."""
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", True)
    monkeypatch.setenv("WW_EXAMPLE_CONTENT", "1")  # for the notifier processes the tests start


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema at the newest migration, dropped afterwards."""
    with postgres_schema("ww_handoff") as url:
        upgrade(url)
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    url = sqlite_database(tmp_path)
    yield url
    get_engine(url).dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The application database at the newest migration: SQLite, then PostgreSQL when reachable."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


def config_dict(endpoint: Optional[str] = None, **houten: Any) -> Dict[str, Any]:
    """A small valid configuration: Houten with a webhook, Lopik reading in the portal, a default without one."""
    hours = dict.fromkeys(("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"), "09:00-17:00")
    hours.update(zaterdag="gesloten", zondag="gesloten")
    entry = {
        "contact_route": "Bel het algemene nummer van de gemeente.",
        "response_days": 3,
        "office_hours": hours,
        "endpoint": endpoint,
        "secret_env": SECRET_ENV if endpoint else None,
    }
    entry.update(houten)
    return {
        "national_holidays": ["2026-12-25", "2026-12-26", "2027-01-01"],
        "gemeenten": {
            "default": {
                "contact_route": "Bel het algemene nummer van je gemeente.",
                "response_days": 5,
                "office_hours": dict(hours),
            },
            HOUTEN: entry,
            LOPIK: {
                "contact_route": "Bel het algemene nummer van de gemeente.",
                "response_days": 5,
                "office_hours": dict(hours),
            },
        },
    }


def write_config(folder: Path, data: Dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"gemeenten-{uuid.uuid4().hex[:6]}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Received:
    headers: Dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> Dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A gemeente's webhook: answers with the scripted replies (then 200) and records every request."""

    url: str = ""
    port: int = 0
    replies: List[Any] = field(default_factory=list)  # status codes, or (status, {header: value})
    received: List[Received] = field(default_factory=list)
    hold: Optional[threading.Event] = None  # when set: wait for it before answering
    arrived: threading.Event = field(default_factory=threading.Event)
    server: Optional[ThreadingHTTPServer] = None

    def start(self, port: int = 0) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verify_signature(
                    SECRET,
                    self.headers.get(TIMESTAMP_HEADER, ""),
                    self.headers.get(IDEMPOTENCY_HEADER, ""),
                    body,
                    self.headers.get(SIGNATURE_HEADER, ""),
                )
                receiver.received.append(Received(dict(self.headers), body, ok))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                reply = receiver.replies.pop(0) if receiver.replies else (200 if ok else 401)
                status, headers = reply if isinstance(reply, tuple) else (reply, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def keys(self) -> List[str]:
        return [r.headers.get(IDEMPOTENCY_HEADER, "") for r in self.received]


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    running = Receiver().start()
    monkeypatch.setenv("WW_HANDOFF_DEMO_URL", running.url)  # it stands in for the demo receiver (see above)
    yield running
    if running.hold is not None:
        running.hold.set()
    running.stop()


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET


@pytest.fixture
def config_path(tmp_path: Path, receiver: Receiver, secret: str) -> Path:
    return write_config(tmp_path / "config", config_dict(receiver.url))


@pytest.fixture
def config(config_path: Path) -> HandoffConfig:
    return load_config(config_path)


def make_request(**changes: Any) -> HandoffRequest:
    """A handoff as the Rasa action would pass it, with a BSN and an IBAN typed into the conversation."""
    values: Dict[str, Any] = dict(
        gemeente_code=HOUTEN,
        consent_text="Ja, je mag mijn vraag en dit gesprek doorsturen naar een consulent van de gemeente Houten.",
        consent_at=datetime(2026, 11, 26, 9, 58, tzinfo=timezone.utc),
        contact_channel="telefoon",
        phone="06 12345678",
        preferred_time="'s middags",
        alias="Sam",
        reason="De persoon vraagt zelf om een medewerker.",
        question=f"Kan de gemeente een jobcoach betalen? Mijn BSN is {BSN}.",
        answers={
            "why_no_benefit": "partner verdient te veel",
            "beperking": "autisme",
            "wish": "16 uur per week werken",
            "helps": ["familie", "familie"],
            "in_the_way": ["gezondheid"],
            "limits_and_wishes": ["geen avonddiensten"],
        },
        articles_shown=["jobcoaching"],
        topics=["jobcoaching"],
        intents=["ask_jobcoaching"],
        transcript=[
            {"who": "person", "text": f"Mijn BSN is {BSN} en mijn rekening {IBAN}", "time": 1795600000.0},
            {"who": "bot", "text": "Dank je. Je hoeft je BSN niet te geven.", "time": 1795600001.0},
            {"who": "person", "text": "Bel me op 06-12345678", "time": 1795600060.0},
        ],
        submitted_at=datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc),
    )
    values.update(changes)
    return HandoffRequest(**values)


def session_factory(url: str) -> Any:
    return partial(session_scope, url)
