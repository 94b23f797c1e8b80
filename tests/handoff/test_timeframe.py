"""Office-hours arithmetic in Europe/Amsterdam: "binnen N werkdagen" and when the office reads the message."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.handoff.config import GemeenteConfig, parse_config
from bot.handoff.timeframe import (
    AMSTERDAM,
    deadline_sentence,
    format_day,
    is_open,
    next_opening,
    office_notice,
    respond_by,
)
from tests.handoff.conftest import HOUTEN, config_dict


@pytest.fixture
def houten() -> GemeenteConfig:
    # Mon–Fri 9:00–17:00, 3 working days; Christmas 2026 (Fri 25, Sat 26) and 1 January 2027 are holidays.
    return parse_config(config_dict(None)).for_gemeente(HOUTEN)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def test_weekday_during_office_hours(houten: GemeenteConfig) -> None:
    submitted = at("2026-11-26 11:00")  # Thursday
    assert respond_by(submitted, houten) == date(2026, 12, 1)
    assert deadline_sentence(date(2026, 12, 1), submitted) == "Je hoort uiterlijk dinsdag 1 december van de gemeente."
    assert office_notice(submitted, houten) is None


def test_friday_evening(houten: GemeenteConfig) -> None:
    submitted = at("2026-11-27 20:15")
    assert respond_by(submitted, houten) == date(2026, 12, 2)  # Mon, Tue, Wed
    assert (
        office_notice(submitted, houten)
        == "Het kantoor is nu dicht. Een consulent leest je bericht vanaf maandag 9:00 uur."
    )


def test_saturday(houten: GemeenteConfig) -> None:
    submitted = at("2026-11-28 12:00")
    assert respond_by(submitted, houten) == date(2026, 12, 2)
    assert "vanaf maandag 9:00 uur" in office_notice(submitted, houten)


def test_sunday_evening_opens_tomorrow(houten: GemeenteConfig) -> None:
    assert "vanaf morgen 9:00 uur" in office_notice(at("2026-11-29 22:00"), houten)


def test_early_morning_opens_today(houten: GemeenteConfig) -> None:
    assert "vanaf vandaag 9:00 uur" in office_notice(at("2026-11-30 07:30"), houten)


def test_just_before_and_just_after_closing(houten: GemeenteConfig) -> None:
    before, after = at("2026-11-27 16:59"), at("2026-11-27 17:00")
    assert is_open(before, houten) and not is_open(after, houten)
    assert office_notice(before, houten) is None
    assert "maandag 9:00 uur" in office_notice(after, houten)
    # The day of submission never counts, so the consulent always has N whole working days.
    assert respond_by(before, houten) == respond_by(after, houten) == date(2026, 12, 2)


def test_public_holiday(houten: GemeenteConfig) -> None:
    christmas = at("2026-12-25 10:00")  # Friday, but a holiday
    assert not is_open(christmas, houten)
    assert respond_by(christmas, houten) == date(2026, 12, 30)  # Mon 28, Tue 29, Wed 30
    assert "vanaf maandag 9:00 uur" in office_notice(christmas, houten)
    # Across New Year: Wed 30, Thu 31, (Fri 1 Jan is a holiday) Mon 4 January, with the year said.
    submitted = at("2026-12-29 10:00")
    assert respond_by(submitted, houten) == date(2027, 1, 4)
    assert (
        deadline_sentence(date(2027, 1, 4), submitted) == "Je hoort uiterlijk maandag 4 januari 2027 van de gemeente."
    )


def test_utc_input_is_converted_to_amsterdam_time(houten: GemeenteConfig) -> None:
    from datetime import timezone

    # 15:59 UTC is 16:59 in Amsterdam in winter: still open; 16:00 UTC is closing time.
    assert is_open(datetime(2026, 11, 27, 15, 59, tzinfo=timezone.utc), houten)
    assert not is_open(datetime(2026, 11, 27, 16, 0), houten)  # naive = UTC
    # Summer time: 7:30 UTC is 9:30 in Amsterdam.
    assert is_open(datetime(2026, 6, 3, 7, 30, tzinfo=timezone.utc), houten)


def test_lunch_break_and_a_week_long_closure() -> None:
    config = parse_config(
        config_dict(None, office_hours={"maandag": "09:00-12:00, 13:00-17:00"}, holidays=["2026-12-07"])
    ).for_gemeente(HOUTEN)
    assert next_opening(at("2026-11-30 12:30"), config) == at("2026-11-30 13:00")
    # Monday 7 December closed too: from Friday evening the next opening is Monday 14 December.
    notice = office_notice(at("2026-12-04 18:00"), config)
    assert notice.endswith("vanaf maandag 14 december 9:00 uur.")


def test_format_day() -> None:
    assert format_day(date(2026, 12, 1), date(2026, 11, 26)) == "dinsdag 1 december"
    assert format_day(date(2027, 1, 4), date(2026, 12, 29)) == "maandag 4 januari 2027"
