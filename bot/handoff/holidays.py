"""The Dutch national holidays on which gemeente offices are closed, computed for any year.

Computed rather than listed, so that deadlines stay right in years nobody remembered to add. The set follows
what gemeenten close for: Nieuwjaarsdag, Tweede paasdag, Koningsdag (26 April when the 27th is a Sunday),
Bevrijdingsdag in lustrum years (every fifth year, as in the cao Gemeenten), Hemelvaartsdag, Tweede pinksterdag
and both Christmas days. Goede Vrijdag is not included: many gemeenten are open; a gemeente that closes adds it
under `holidays` in knowledge/handoff/gemeenten.yml.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Dict, FrozenSet, Iterable


def easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar; the anonymous "Meeus/Jones/Butcher" computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the computus's own names)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def national_holidays(year: int) -> Dict[date, str]:
    """The closed days of `year`, with their Dutch names."""
    sunday = easter(year)
    koningsdag = date(year, 4, 27)
    if koningsdag.weekday() == 6:
        koningsdag = date(year, 4, 26)
    days = {
        date(year, 1, 1): "Nieuwjaarsdag",
        sunday + timedelta(days=1): "Tweede paasdag",
        koningsdag: "Koningsdag",
        sunday + timedelta(days=39): "Hemelvaartsdag",
        sunday + timedelta(days=50): "Tweede pinksterdag",
        date(year, 12, 25): "Eerste kerstdag",
        date(year, 12, 26): "Tweede kerstdag",
    }
    if year % 5 == 0:
        days[date(year, 5, 5)] = "Bevrijdingsdag (lustrumjaar)"
    return days


def closed_days(years: Iterable[int]) -> FrozenSet[date]:
    return frozenset(day for year in years for day in national_holidays(year))
