"""Time, the same way everywhere: moments in UTC, stored as naive UTC; calendar days in Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)  # Dutch, as dates are written for people


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_db_time(moment: datetime) -> datetime:
    """Naive UTC, as every time in the app database is stored."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def today() -> date:
    """Today's date in the Netherlands (a server runs on UTC: between 23:00 and 01:00 the two differ)."""
    return datetime.now(AMSTERDAM).date()
