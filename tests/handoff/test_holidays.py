"""National holidays computed for any year: the dates the offices are closed, so deadlines never run out."""

from datetime import date

import pytest

from bot.handoff.config import load_config
from bot.handoff.holidays import closed_days, easter, national_holidays

# The list that used to be kept by hand in knowledge/handoff/gemeenten.yml (checked against the calendar).
LISTED_2025_2028 = {
    "2025-01-01",
    "2025-04-21",
    "2025-04-26",
    "2025-05-05",
    "2025-05-29",
    "2025-06-09",
    "2025-12-25",
    "2025-12-26",
    "2026-01-01",
    "2026-04-06",
    "2026-04-27",
    "2026-05-14",
    "2026-05-25",
    "2026-12-25",
    "2026-12-26",
    "2027-01-01",
    "2027-03-29",
    "2027-04-27",
    "2027-05-06",
    "2027-05-17",
    "2027-12-25",
    "2027-12-26",
    "2028-01-01",
    "2028-04-17",
    "2028-04-27",
    "2028-05-25",
    "2028-06-05",
    "2028-12-25",
    "2028-12-26",
}


def test_the_computed_days_match_the_calendar_that_was_listed_by_hand():
    assert {d.isoformat() for d in closed_days(range(2025, 2029))} == LISTED_2025_2028


@pytest.mark.parametrize(
    "year, sunday",
    [(2024, "2024-03-31"), (2019, "2019-04-21"), (2038, "2038-04-25"), (2285, "2285-03-22"), (2030, "2030-04-21")],
)
def test_easter(year, sunday):
    assert easter(year) == date.fromisoformat(sunday)


def test_koningsdag_moves_to_saturday_and_bevrijdingsdag_only_in_lustrum_years():
    assert national_holidays(2031)[date(2031, 4, 26)] == "Koningsdag"  # 27 April 2031 is a Sunday
    assert date(2030, 5, 5) in national_holidays(2030) and date(2031, 5, 5) not in national_holidays(2031)


def test_the_shipped_configuration_knows_the_holidays_of_the_coming_years_without_a_list():
    config = load_config()
    next_year = date.today().year + 1
    assert date(next_year, 12, 25) in config.for_gemeente("GM0321").holidays
    assert date(next_year + 5, 1, 1) in config.national_holidays
    assert not any("feestdagen" in w for w in config.warnings)
