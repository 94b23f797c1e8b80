"""Weekly opening hours (HSDS schedules) as a short Dutch line: "Vandaag open tot 17:00", "Morgen open om 09:00"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Amsterdam")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
# A schedule from 00:00 to 23:59 means "always": the data cannot say 24:00.
ALL_DAY = (dt.time(0, 0), dt.time(23, 59))
LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True)
class Opening:
    """One weekly interval: on `day` (0 = Monday) from `opens` to `closes`, local time."""

    day: int
    opens: dt.time
    closes: dt.time
    valid_from: Optional[dt.date] = None
    valid_to: Optional[dt.date] = None

    def valid_on(self, date: dt.date) -> bool:
        return (
            date.weekday() == self.day
            and (self.valid_from is None or date >= self.valid_from)
            and (self.valid_to is None or date <= self.valid_to)
        )


@dataclass(frozen=True)
class OpeningStatus:
    open_now: bool
    text: str
    closes_at: Optional[dt.time] = None
    next_open: Optional[dt.datetime] = None


def openings(schedules: Iterable[object]) -> List[Opening]:
    """Weekly intervals from schedule records (anything with byday, opens_at, closes_at, valid_from, valid_to)."""
    found = []
    for s in schedules:
        opens, closes = getattr(s, "opens_at", None), getattr(s, "closes_at", None)
        if opens is None or closes is None:
            continue
        for code in (getattr(s, "byday", "") or "").split(","):
            if code.strip() in DAY_CODES:
                found.append(
                    Opening(
                        DAY_CODES.index(code.strip()),
                        opens,
                        closes,
                        getattr(s, "valid_from", None),
                        getattr(s, "valid_to", None),
                    )
                )
    return sorted(found, key=lambda o: (o.day, o.opens))


def _local(now: Optional[dt.datetime]) -> dt.datetime:
    now = now or dt.datetime.now(TIMEZONE)
    # A naive time is taken as Dutch local time, which is what a test or a caller in the Netherlands means.
    return now.replace(tzinfo=TIMEZONE) if now.tzinfo is None else now.astimezone(TIMEZONE)


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _day_word(date: dt.date, today: dt.date) -> str:
    days = (date - today).days
    if days == 1:
        return "morgen"
    if days < 7:
        return DAY_NAMES[date.weekday()]
    return f"{DAY_NAMES[date.weekday()]} {date.day}-{date.month}"


def _intervals_on(found: List[Opening], date: dt.date) -> List[Tuple[dt.time, dt.time]]:
    return sorted((o.opens, o.closes) for o in found if o.valid_on(date))


def opening_status(schedules: Iterable[object], now: Optional[dt.datetime] = None) -> Optional[OpeningStatus]:
    """Open now or not, and when it opens next, for `now` in Europe/Amsterdam; None without opening hours."""
    found = openings(schedules)
    if not found:
        return None
    now = _local(now)
    today, clock = now.date(), now.time().replace(second=0, microsecond=0)
    if all(ALL_DAY in _intervals_on(found, today + dt.timedelta(days=n)) for n in range(7)):
        return OpeningStatus(True, "Dag en nacht bereikbaar")
    todays = _intervals_on(found, today)
    for opens, closes in todays:
        if opens <= clock < closes:
            return OpeningStatus(True, f"Vandaag open tot {_hhmm(closes)}", closes_at=closes)
    later = [(o, c) for o, c in todays if o > clock]
    if later:
        opens_at = dt.datetime.combine(today, later[0][0], tzinfo=TIMEZONE)
        if len(later) == len(todays):
            hours = " en ".join(f"van {_hhmm(o)} tot {_hhmm(c)}" for o, c in todays)
            return OpeningStatus(False, f"Vandaag open {hours}", next_open=opens_at)
        return OpeningStatus(False, f"Nu gesloten, vandaag weer open om {_hhmm(later[0][0])}", next_open=opens_at)
    for offset in range(1, LOOK_AHEAD_DAYS + 1):
        date = today + dt.timedelta(days=offset)
        intervals = _intervals_on(found, date)
        if intervals:
            opens_at = dt.datetime.combine(date, intervals[0][0], tzinfo=TIMEZONE)
            text = f"Nu gesloten, {_day_word(date, today)} open om {_hhmm(intervals[0][0])}"
            return OpeningStatus(False, text, next_open=opens_at)
    return OpeningStatus(False, "Nu gesloten, de komende twee weken niet open")
