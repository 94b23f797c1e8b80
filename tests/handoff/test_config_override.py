"""A beheerder's changes in the portal (handoff_settings_override) over gemeenten.yml: what the service promises
and where the notifier sends follow them; a broken override falls back to the file with a warning."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Optional

import pytest
from sqlalchemy import select

from bot.common.db import session_scope
from bot.handoff.config import ConfigError, apply_override, effective_config, load_config, parse_config
from bot.handoff.models import HandoffOutbox, HandoffSettingsOverride
from bot.handoff.notifier import deliver_pending
from bot.handoff.service import create_handoff, submit_handoff
from tests.handoff.conftest import HOUTEN, SECRET, Receiver, config_dict, make_request, session_factory, write_config


def _override(url: str, code: str, settings: dict, secret: Optional[str] = None) -> None:
    with session_scope(url) as session:
        session.add(
            HandoffSettingsOverride(
                gemeente_code=code,
                settings=json.dumps(settings),
                webhook_secret=secret,
                updated_at=datetime(2026, 11, 20),
                updated_by="beheerder",
            )
        )


def test_without_overrides_the_file_is_the_effective_config(sqlite_url: str, tmp_path: Path) -> None:
    path = write_config(tmp_path, config_dict())
    with session_scope(sqlite_url) as session:
        assert effective_config(session, path) == load_config(path)


def test_the_promise_follows_the_override(db_url: str, tmp_path: Path) -> None:
    path = write_config(tmp_path, config_dict())  # Houten: 3 working days, Monday to Friday
    route = "Kijk op houten.nl of bel het algemene nummer van de gemeente."
    _override(
        db_url,
        HOUTEN,
        {
            "response_days": 8,
            "contact_route": route,
            "office_hours": {"dinsdag": "10:00-12:00"},
            "holidays": ["2026-12-01"],
        },
    )
    with session_scope(db_url) as session:
        houten = effective_config(session, path).for_gemeente(HOUTEN)
        assert houten.response_days == 8 and houten.contact_route == route
        assert houten.office_hours[1] == ((time(10), time(12)),) and houten.office_hours[0] == ()
        assert date(2026, 12, 1) in houten.holidays and date(2026, 12, 25) in houten.holidays  # national kept
        assert houten.own_entry
        # Thursday 26 November: 8 working days on Tuesdays only, with 1 December closed → 26 January 2027.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("bot.common.settings.HANDOFF_CONFIG", path)
            receipt = create_handoff(session, make_request())
        assert receipt.respond_by == date(2027, 1, 26)
        assert route in " ".join(receipt.messages())
    # Fields not overridden still come from the file.
    with session_scope(db_url) as session:
        assert effective_config(session, path).for_gemeente(HOUTEN).endpoint is None


def test_the_notifier_sends_to_the_portal_endpoint_signed_with_the_portal_secret(
    sqlite_url: str, tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, config_dict())  # no endpoint in the file, and no secret in the environment
    monkeypatch.setattr("bot.common.settings.HANDOFF_CONFIG", path)
    _override(sqlite_url, HOUTEN, {"endpoint": receiver.url}, secret=SECRET)
    submit_handoff(make_request(), sqlite_url)
    stats = deliver_pending(session_factory(sqlite_url), now=datetime(2026, 11, 26, 10, 1))
    assert stats.delivered == 1
    assert len(receiver.received) == 1 and receiver.received[0].signature_ok
    with session_scope(sqlite_url) as session:
        assert session.execute(select(HandoffOutbox.delivered_at)).scalar() is not None


def test_the_secret_is_never_in_a_repr(tmp_path: Path) -> None:
    config = parse_config(config_dict())
    houten = apply_override(
        config.for_gemeente(HOUTEN),
        {"endpoint": "https://houten.example/hook"},
        config.national_holidays,
        "een-heel-geheime-sleutel-van-32-tekens!",
    )
    assert houten.secret() == "een-heel-geheime-sleutel-van-32-tekens!"
    assert "geheime" not in repr(houten)


@pytest.mark.parametrize(
    "override, problem",
    [
        ({"response_days": 0}, "response_days"),
        ({"office_hours": {"maandag": "gesloten"}}, "op geen enkele dag open"),
        ({"endpoint": "http://houten.example/hook"}, "https"),
        ({"endpoint": "https://x.example/${WW_WEB_SECRET_KEY}"}, "${…}"),
        ({"endpoint": "https://houten.example/hook"}, "geheim"),  # no secret anywhere
        ({"name": "Andere naam"}, "kan niet in het portaal"),
        ({"email": "geen-adres"}, "e-mailadres"),
    ],
)
def test_apply_override_checks_like_the_file(override: dict, problem: str) -> None:
    config = parse_config(config_dict())
    with pytest.raises(ConfigError) as error:
        apply_override(config.for_gemeente(HOUTEN), override, config.national_holidays)
    assert problem in str(error.value)


def test_a_broken_override_falls_back_to_the_file_with_a_warning(sqlite_url: str, tmp_path: Path) -> None:
    path = write_config(tmp_path, config_dict())
    _override(sqlite_url, HOUTEN, {"response_days": 99})
    with session_scope(sqlite_url) as session:
        config = effective_config(session, path)
    assert config.for_gemeente(HOUTEN).response_days == 3
    assert any("portaal" in w and HOUTEN in w for w in config.warnings)


def test_an_override_for_a_gemeente_without_own_entry(sqlite_url: str, tmp_path: Path) -> None:
    path = write_config(tmp_path, config_dict())
    _override(sqlite_url, "GM0355", {"response_days": 2})  # Zeist: only the default entry in the file
    with session_scope(sqlite_url) as session:
        zeist = effective_config(session, path).for_gemeente("GM0355")
    assert zeist.response_days == 2 and zeist.name == "Zeist" and zeist.code == "GM0355"
