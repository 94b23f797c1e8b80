"""When the person hears back ("binnen N werkdagen") and when the office reads their message, in plain Dutch.

All calendar arithmetic happens in Europe/Amsterdam; a naive datetime is taken to be UTC (as stored).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from bot.common.clock import AMSTERDAM, MONTHS
from bot.handoff import texts
from bot.handoff.config import WEEKDAYS, GemeenteConfig

# Beyond this, a configuration has no open day at all; stop looking instead of looping forever.
SEARCH_DAYS = 60


def local(moment: datetime) -> datetime:
    """`moment` in Amsterdam time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(AMSTERDAM)


def respond_by(submitted: datetime, config: GemeenteConfig, days: Optional[int] = None) -> date:
    """The N-th working day after the day of submission: the consulent always gets N whole working days.

    The day itself does not count, whatever the hour, so a message on Friday at 16:59 and one at 20:00 get the
    same date. Weekends (days without office hours) and holidays are skipped.
    """
    remaining = config.response_days if days is None else days
    first = day = local(submitted).date()
    # A bound on the whole search, fixed at the start: an office open one day a week still finds its date.
    limit = SEARCH_DAYS * remaining
    while remaining > 0:
        day += timedelta(days=1)
        if (day - first).days > limit:
            raise ValueError(f"{config.code}: geen werkdagen gevonden in de openingstijden")
        if config.is_working_day(day):
            remaining -= 1
    return day


def is_open(moment: datetime, config: GemeenteConfig) -> bool:
    at = local(moment)
    if at.date() in config.holidays:
        return False
    return any(opens <= at.time() < closes for opens, closes in config.office_hours[at.weekday()])


def next_opening(moment: datetime, config: GemeenteConfig) -> Optional[datetime]:
    """The first moment after `moment` at which the office opens (None when it never opens)."""
    at = local(moment)
    for offset in range(SEARCH_DAYS):
        day = at.date() + timedelta(days=offset)
        if day in config.holidays:
            continue
        for opens, _ in config.office_hours[day.weekday()]:
            start = datetime.combine(day, opens, tzinfo=AMSTERDAM)
            if start > at:
                return start
    return None


def format_day(day: date, today: date) -> str:
    """ "dinsdag 1 december"; with the year when it is not this year."""
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def format_time(moment: time) -> str:
    """ "9:00 uur", "13:30 uur"."""
    return f"{moment.hour}:{moment.minute:02d} uur"


def format_moment(moment: datetime, now: datetime) -> str:
    """ "vandaag 13:30 uur", "morgen 9:00 uur", "maandag 9:00 uur", or with a date when more than a week ahead."""
    at, today = local(moment), local(now).date()
    days = (at.date() - today).days
    if days == 0:
        day = "vandaag"
    elif days == 1:
        day = "morgen"
    elif days < 7:
        day = WEEKDAYS[at.weekday()]
    else:
        day = format_day(at.date(), today)
    return f"{day} {format_time(at.time())}"


def deadline_sentence(deadline: date, submitted: datetime) -> str:
    """ "Je hoort uiterlijk dinsdag 1 december van de gemeente." (wording in knowledge/handoff/texts.yml)"""
    return texts.text("deadline", datum=format_day(deadline, local(submitted).date()))


def office_notice(now: datetime, config: GemeenteConfig) -> Optional[str]:
    """When the office is closed: when it reads messages again. None while it is open."""
    if is_open(now, config):
        return None
    opening = next_opening(now, config)
    if opening is None:
        return None
    return texts.text("office_closed", moment=format_moment(opening, now))
