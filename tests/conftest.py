"""Shared fixtures: the trained model (once per run) and the real running stack on free ports."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests

from bot.common import settings
from bot.ops.stack import Stack, free_port, prepare_database

ROOT = settings.ROOT
MODEL = ROOT / "models" / "wegwijzer.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")
TRAINING_FILES = [ROOT / "config.yml", ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]

# `make test-fast` (pytest --fast): what needs no trained model, no running servers and no browser. Leaving out
# is by what a test uses (its fixtures, marker or folder), so a new test lands in the right lane by itself.
SLOW_FIXTURES = {"trained_model", "stack", "production", "pg_proxy"}
SLOW_FOLDERS = ("tests/production/", "tests/widget/")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast", action="store_true", help="only tests without a trained model, servers or a browser (make test-fast)"
    )


def _slow(item: pytest.Item) -> bool:
    path = Path(str(item.fspath)).relative_to(ROOT).as_posix()
    return (
        bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ())))
        or item.get_closest_marker("stack") is not None
        or item.get_closest_marker("thorough") is not None
        or path.startswith(SLOW_FOLDERS)
        or "browser" in Path(path).name
        or path == "tests/bench/test_reference.py"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    if not config.getoption("--fast"):
        return
    keep, slow = [], []
    for item in items:
        (slow if _slow(item) else keep).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = keep


def model_is_current() -> bool:
    return MODEL.exists() and MODEL.stat().st_mtime >= max(p.stat().st_mtime for p in TRAINING_FILES)


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for this run. `make test` trains it first; this trains only when it is missing or stale."""
    if not model_is_current():
        subprocess.run([RASA, "train", "--fixed-model-name", "wegwijzer", "--out", "models"], cwd=ROOT, check=True)
        MODEL.touch()
    return MODEL


@pytest.fixture(scope="session")
def app_database_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database with the shipped social map for the run, written out whole (no WAL left beside it)."""
    path = tmp_path_factory.mktemp("app-template") / "app.db"
    url = f"sqlite:///{path}"
    prepare_database(url)
    from bot.common.db import get_engine

    get_engine(url).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture
def app_database(app_database_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated application database with the shipped social map, used by the actions (settings patched): a
    copy of the run's template, so every test starts from the same fresh database without migrating again."""
    path = tmp_path / "app.db"
    shutil.copyfile(app_database_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setattr(settings, "DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def stack_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder with the running stack's databases and logs."""
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def stack_database(stack_var: Path) -> Path:
    return stack_var / "wegwijzer.db"


@pytest.fixture(scope="session")
def stack(trained_model: Path, stack_var: Path):
    """Action server and Rasa server, started for real on free ports with their own conversation store."""
    var = stack_var
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        model=trained_model,
        log_dir=var / "logs",
        env={
            "TRACKER_DB": str(var / "tracker.db"),
            "WW_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'wegwijzer.db'}",
            # Every test talks from 127.0.0.1, many conversations a minute: the client limit is raised
            # (tests/test_security_input.py checks both limits against these values).
            "WW_RATE_LIMIT_PER_CLIENT": "3000",
            "WW_RATE_LIMIT_PER_SENDER": "60",
        },
    )
    try:
        yield running.start()
    finally:
        running.stop()


class Chat:
    """One conversation with the running assistant over the REST webhook."""

    def __init__(self, stack: Stack, sender: Optional[str] = None) -> None:
        self.stack = stack
        # Letters only: a hex id may hold nine digits that pass the 11-proef, and would then be stored hashed.
        self.sender = sender or "test-" + "".join(chr(97 + b % 26) for b in uuid.uuid4().bytes[:12])

    def post(self, body: Any) -> requests.Response:
        return requests.post(self.stack.rest_url, json=body, timeout=60)

    def say(self, text: Any, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        body: Dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = self.post(body)
        assert response.status_code == 200, response.text
        return response.json()

    def say_text(self, text: Any) -> str:
        """All bot texts of one turn, joined, for simple checks."""
        return "\n".join(m.get("text", "") for m in self.say(text))


@pytest.fixture
def chat(stack: Stack) -> Chat:
    return Chat(stack)


def payloads(messages: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for m in messages for b in m.get("buttons", [])]
