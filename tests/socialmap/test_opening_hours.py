"""Opening hours as one short Dutch line, computed for a given moment in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from bot.socialmap.opening_hours import TIMEZONE, opening_status

T = dt.time.fromisoformat
WEEKDAYS = SimpleNamespace(
    byday="MO,TU,WE,TH,FR", opens_at=T("09:00"), closes_at=T("17:00"), valid_from=None, valid_to=None
)
MORNING = SimpleNamespace(byday="MO,TU,TH", opens_at=T("10:00"), closes_at=T("12:30"), valid_from=None, valid_to=None)
AFTERNOON = SimpleNamespace(byday="MO,TU,TH", opens_at=T("13:30"), closes_at=T("16:00"), valid_from=None, valid_to=None)
ALWAYS = SimpleNamespace(
    byday="MO,TU,WE,TH,FR,SA,SU", opens_at=T("00:00"), closes_at=T("23:59"), valid_from=None, valid_to=None
)


def at(day: int, clock: str) -> dt.datetime:
    """A moment in the week of Monday 23 November 2026, Dutch time."""
    return dt.datetime.combine(dt.date(2026, 11, 23) + dt.timedelta(days=day), T(clock), tzinfo=TIMEZONE)


@pytest.mark.parametrize(
    "schedules, moment, text",
    [
        ([WEEKDAYS], at(1, "10:15"), "Vandaag open tot 17:00"),
        ([WEEKDAYS], at(1, "08:00"), "Vandaag open van 09:00 tot 17:00"),
        ([WEEKDAYS], at(1, "17:00"), "Nu gesloten, morgen open om 09:00"),
        ([WEEKDAYS], at(4, "18:30"), "Nu gesloten, maandag open om 09:00"),
        ([WEEKDAYS], at(5, "11:00"), "Nu gesloten, maandag open om 09:00"),
        ([MORNING, AFTERNOON], at(0, "09:00"), "Vandaag open van 10:00 tot 12:30 en van 13:30 tot 16:00"),
        ([MORNING, AFTERNOON], at(0, "12:45"), "Nu gesloten, vandaag weer open om 13:30"),
        ([MORNING, AFTERNOON], at(0, "14:00"), "Vandaag open tot 16:00"),
        ([MORNING, AFTERNOON], at(1, "16:30"), "Nu gesloten, donderdag open om 10:00"),
        ([ALWAYS], at(6, "03:00"), "Dag en nacht bereikbaar"),
    ],
)
def test_opening_text(schedules: list, moment: dt.datetime, text: str) -> None:
    assert opening_status(schedules, moment).text == text


def test_open_now_and_next_opening() -> None:
    status = opening_status([WEEKDAYS], at(1, "10:15"))
    assert status.open_now and status.closes_at == T("17:00")
    closed = opening_status([WEEKDAYS], at(4, "18:30"))
    assert not closed.open_now and closed.next_open == at(7, "09:00")


def test_time_in_another_zone_is_converted() -> None:
    utc = dt.datetime(2026, 11, 24, 8, 30, tzinfo=dt.timezone.utc)  # 09:30 in Amsterdam (winter time)
    assert opening_status([WEEKDAYS], utc).text == "Vandaag open tot 17:00"
    summer = dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.timezone.utc)  # 17:30 in Amsterdam (summer time)
    assert opening_status([WEEKDAYS], summer).text == "Nu gesloten, morgen open om 09:00"


def test_naive_time_is_dutch_time() -> None:
    assert opening_status([WEEKDAYS], dt.datetime(2026, 11, 24, 16, 59)).text == "Vandaag open tot 17:00"


def test_validity_dates_are_respected() -> None:
    from_next_week = SimpleNamespace(**{**vars(WEEKDAYS), "valid_from": dt.date(2026, 12, 7)})
    assert opening_status([from_next_week], at(1, "10:00")).text == "Nu gesloten, maandag 7-12 open om 09:00"
    ended = SimpleNamespace(**{**vars(WEEKDAYS), "valid_to": dt.date(2026, 11, 1)})
    assert opening_status([ended], at(1, "10:00")).text == "Nu gesloten, de komende twee weken niet open"


def test_no_hours_means_no_text() -> None:
    assert opening_status([], at(1, "10:00")) is None
    no_times = SimpleNamespace(byday="MO", opens_at=None, closes_at=None, valid_from=None, valid_to=None)
    assert opening_status([no_times], at(1, "10:00")) is None
