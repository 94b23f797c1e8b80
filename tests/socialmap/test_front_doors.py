"""Every gemeente's own front door (bot/socialmap/front_doors.py, knowledge/socialmap/gemeenten/): real records
with the register's website and phone, first in every search in that gemeente."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Dict, List

import phonenumbers
import pytest

from bot.common import regions, settings
from bot.common.db import session_scope
from bot.common.gemeente_contact import contact
from bot.socialmap import front_doors
from bot.socialmap.opening_hours import TIMEZONE
from bot.socialmap.package import read_package
from bot.socialmap.search import search
from bot.socialmap.taxonomy import THEME, load_taxonomy

SHIPPED = settings.KNOWLEDGE_DIR / "socialmap" / "gemeenten"
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=TIMEZONE)


def _rows(file: str) -> List[Dict[str, str]]:
    with (SHIPPED / file).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_shipped_package_is_what_the_register_gives(tmp_path: Path) -> None:
    """The CSV files have one source: rebuilt from gemeenten-2026.csv they are the same, file for file."""
    assert front_doors.write(tmp_path / "rebuilt") == 342
    for file in sorted(p.name for p in SHIPPED.iterdir()):
        assert (tmp_path / "rebuilt" / file).read_bytes() == (SHIPPED / file).read_bytes(), file


def test_one_real_front_door_per_gemeente_with_source_and_date() -> None:
    services = {r["id"]: r for r in _rows("services.csv")}
    assert set(services) == {front_doors.front_door_id(code) for code in regions.load().gemeenten}
    defaults = read_package(SHIPPED).defaults
    assert (defaults["source"], defaults["assured_date"], defaults["demo"]) == (
        "roo-gemeenten-2026",
        "2026-04-15",
        "false",
    ), "the register of April 2026, not example data"
    areas = {r["service_id"]: (r["scope"], r["code"]) for r in _rows("service_areas.csv")}
    assert all(areas[sid] == ("gemeente", sid.split("-")[1]) for sid in services), "at gemeente level"


def test_every_phone_is_the_registers_number_normalised() -> None:
    registered = {}
    with (settings.KNOWLEDGE_DIR / "regions" / "gemeenten-2026.csv").open(encoding="utf-8") as handle:
        registered = {r["code"]: r["telefoon"] for r in csv.DictReader(handle)}
    phones = {r["service_id"].split("-")[1]: r for r in _rows("phones.csv")}
    assert len(phones) == 342
    for code, row in phones.items():
        assert registered[code] in row["description"], "the register's own value is kept"
        number = phonenumbers.parse(row["number"], "NL")
        assert phonenumbers.is_valid_number(number), code
        assert number == phonenumbers.parse(registered[code], "NL"), code


def test_every_search_in_every_gemeente_starts_at_the_gemeente_itself(app_database: str) -> None:
    every_theme = [t.code for t in load_taxonomy().of(THEME) if t.code not in front_doors.NOT_FOR]
    one_per_region = {regions.gemeenten_in_regio(code)[0].code for code in regions.load().regios}
    first = 0
    with session_scope(app_database) as session:
        for gemeente in regions.load().gemeenten.values():
            reach = contact(gemeente.code)
            # Every theme in one gemeente of each region, three themes everywhere: the same query either way.
            themes = (
                every_theme if gemeente.code in one_per_region else ["passend-werk", "jobcoaching", "schulden-en-geld"]
            )
            for theme in themes:
                hit = search(session, theme, gemeente.code, include_demo=False, now=NOW).hits[0]
                assert hit.service_id == front_doors.front_door_id(gemeente.code), (gemeente.name, theme)
                assert hit.level == "gemeente" and not hit.demo
                assert hit.phone == reach.phone and hit.website == reach.website
            first += 1
    print(f"gemeenten waarvan de zoekvraag de eigen voordeur geeft: {first} van 342")
    assert first == 342


def test_crisis_starts_at_113_not_at_the_gemeente(app_database: str) -> None:
    with session_scope(app_database) as session:
        result = search(session, "crisis", "GM0014", include_demo=False, now=NOW)
    assert [h.phone for h in result.hits] == ["113"]


@pytest.mark.parametrize("age, young_shown", [(None, "last"), (19, "second"), (45, "never")])
def test_youth_services_never_come_first_and_are_left_out_for_adults(app_database: str, age, young_shown) -> None:
    with session_scope(app_database) as session:
        hits = search(session, "passend-werk", "GM0307", limit=20, include_demo=False, age=age, now=NOW).hits
    names = [h.name for h in hits]
    young = "Coaching en bemiddeling voor jongeren"  # Emma at Work: doelgroep jongere
    assert names[0] == "Werk en inkomen bij de gemeente Amersfoort"
    if young_shown == "never":
        assert young not in names
    elif young_shown == "second":
        assert names[1] == young, "someone of 19: services for young people right after the gemeente"
    else:
        assert names[-1] == young


def test_asking_for_young_people_puts_their_services_first_after_the_gemeente(app_database: str) -> None:
    with session_scope(app_database) as session:
        hits = search(session, "passend-werk", "GM0307", audience="jongere", limit=20, include_demo=False, now=NOW).hits
    assert [h.name for h in hits[:2]] == [
        "Werk en inkomen bij de gemeente Amersfoort",
        "Coaching en bemiddeling voor jongeren",
    ]
