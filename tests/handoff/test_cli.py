"""The handoff commands: status, notify --once, requeue, purge; and refusing an old database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.common.db import session_scope
from bot.handoff.config import HandoffConfig
from bot.handoff.models import Handoff, HandoffOutbox
from bot.handoff.service import change_status, submit_handoff
from bot.ops.cli.handoff import main
from tests.handoff.conftest import LOPIK, Receiver, make_request


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, config_path: Path, sqlite_url: str) -> str:
    monkeypatch.setenv("WW_HANDOFF_CONFIG", str(config_path))
    monkeypatch.setattr("bot.common.settings.HANDOFF_CONFIG", config_path)
    return sqlite_url


def test_status_command(cli_env: str, config: HandoffConfig, capsys: pytest.CaptureFixture) -> None:
    code = submit_handoff(make_request(), cli_env, config).reference_code
    assert main(["--db", cli_env, "status", code.lower()]) == 0
    assert capsys.readouterr().out.strip().startswith(f"Je vraag {code} is aangekomen bij de gemeente.")
    assert main(["--db", cli_env, "status", "WW-7K3M-QN"]) == 1
    assert "niet vinden" in capsys.readouterr().out
    assert main(["--db", cli_env, "status", "onzin"]) == 1
    assert "klopt niet helemaal" in capsys.readouterr().out


def test_notify_once_and_requeue(
    cli_env: str, config: HandoffConfig, receiver: Receiver, capsys: pytest.CaptureFixture
) -> None:
    flagged = submit_handoff(make_request(gemeente_code=LOPIK, submitted_at=None), cli_env, config).reference_code
    sent = submit_handoff(make_request(submitted_at=None), cli_env, config).reference_code
    assert main(["--db", cli_env, "notify", "--once"]) == 0
    assert "1 afgeleverd" in capsys.readouterr().out
    assert receiver.keys == [sent]
    assert main(["--db", cli_env, "requeue", flagged]) == 0
    assert "1 bericht(en)" in capsys.readouterr().out
    with session_scope(cli_env) as session:
        message = session.execute(
            select(HandoffOutbox).join(Handoff).where(Handoff.reference_code == flagged)
        ).scalar_one()
        assert not message.flagged and message.attempts == 0
    # Lopik still has no webhook: the next round flags it again at once.
    assert main(["--db", cli_env, "notify", "--once"]) == 0
    assert "1 gemarkeerd" in capsys.readouterr().out
    assert main(["--db", cli_env, "requeue", "WW-7K3M-QN"]) == 1


def test_purge_command(cli_env: str, config: HandoffConfig, capsys: pytest.CaptureFixture) -> None:
    code = submit_handoff(make_request(submitted_at=None), cli_env, config).reference_code
    with session_scope(cli_env) as session:
        handoff = change_status(session, code, "closed", "consulent-1")
        handoff.retention_until -= timedelta(days=365)
    assert main(["--db", cli_env, "purge"]) == 0
    assert "1 afgesloten overdracht(en) verwijderd" in capsys.readouterr().out


def test_commands_refuse_an_old_database(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'oud.db'}"
    assert main(["--db", url, "status", "WW-7K3M-QN"]) == 1
    assert "python -m bot db upgrade" in capsys.readouterr().out
