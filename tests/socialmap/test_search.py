"""The search widens from gemeente to arbeidsmarktregio to national, and gives what the assistant shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.common.db import session_scope
from bot.socialmap import models, reports
from bot.socialmap.hsds_io import import_package
from bot.socialmap.opening_hours import TIMEZONE
from bot.socialmap.search import LEVELS, record_unmet_need, resolve_theme, search
from tests.socialmap.conftest import row_counts, write_csv

TUESDAY_MORNING = dt.datetime(2026, 11, 24, 10, 15, tzinfo=TIMEZONE)


def _levels(result) -> list:
    return [hit.level for hit in result.hits]


def test_widens_from_gemeente_to_regio_to_landelijk(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        result = search(session, "jobcoaching", "GM0321", limit=20, now=TUESDAY_MORNING)
    levels = _levels(result)
    assert levels[0] == "gemeente" and "regio" in levels and levels[-1] == "landelijk"
    assert levels == sorted(levels, key=LEVELS.index), "nearer levels come first"
    assert result.hits[0].name == "Werk en inkomen bij de gemeente Houten", "the gemeente's own front door first"
    assert result.counts["gemeente"] == 2 and result.front_door and result.found_nearby
    assert sum(result.counts.values()) == len(result.hits) and not result.has_more


def test_hit_carries_what_the_assistant_shows(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        front_door, example = search(session, "jobcoaching", "GM0321", now=TUESDAY_MORNING).hits[:2]
    assert front_door.organization == "Gemeente Houten" and front_door.website == "https://www.houten.nl"
    assert front_door.phone == "030 639 2611" and front_door.demo is False, "the register's number, real data"
    assert example.name == "Werk en inkomen gemeente Houten"
    assert example.demo is True, "the example region is shown as voorbeeldgegevens"
    assert example.opening_text == "Vandaag open tot 17:00" and example.opening.open_now
    assert example.description and len(example.description) <= 241


def test_national_hit_has_real_contact_details(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        result = search(session, "crisis", "GM0344", now=TUESDAY_MORNING)
    (hit,) = result.hits
    assert hit.level == "landelijk" and hit.phone == "113" and hit.website == "https://www.113.nl"
    assert hit.demo is False and hit.opening_text == "Dag en nacht bereikbaar"


def test_gemeente_outside_the_example_region_gets_its_front_door_then_national(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        result = search(session, "zzp", "GM0363", limit=10, now=TUESDAY_MORNING)
    assert _levels(result)[0] == "gemeente" and set(_levels(result)[1:]) == {"landelijk"}
    assert result.hits[0].service_id == "voordeur-GM0363" and result.hits[0].phone == "14 020"
    assert result.front_door and not result.found_nearby, "only the front door nearby: still an unmet need"


def test_the_national_stand_in_for_your_gemeente_goes_once_the_gemeente_is_known(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        known = search(session, "re-integratie", "GM1961", limit=20, now=TUESDAY_MORNING)  # Vijfheerenlanden
        unknown = search(session, "re-integratie", None, limit=20, now=TUESDAY_MORNING)
    assert "svc-gemeente-participatie" not in [h.service_id for h in known.hits]
    assert "svc-gemeente-participatie" in [h.service_id for h in unknown.hits]
    assert known.hits[0].service_id == "voordeur-GM1961" and known.counts["regio"] == 0


def test_unknown_gemeente_searches_national_only(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        result = search(session, "jobcoaching", None, now=TUESDAY_MORNING)
    assert result.gemeente is None and set(_levels(result)) == {"landelijk"}


def test_gemeente_may_be_a_name_or_a_sentence(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        by_name = search(session, "jobcoaching", "houten", now=TUESDAY_MORNING)
        in_sentence = search(session, "jobcoaching", "ik woon in Houten", now=TUESDAY_MORNING)
    assert by_name.gemeente.code == in_sentence.gemeente.code == "GM0321"


def test_theme_may_be_free_text(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        result = search(session, "wie helpt mij met mijn cv", "GM0321", now=TUESDAY_MORNING)
    assert result.theme == "solliciteren-en-cv" and result.hits


def test_unknown_theme_is_an_error(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        with pytest.raises(ValueError, match="Onbekend thema"):
            search(session, "bloemschikken", "GM0321")


def test_audience_puts_its_services_first_and_drops_services_for_others(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        young = search(session, "jongeren", "GM0356", audience="jongere", limit=10, now=TUESDAY_MORNING)
        ggz = search(session, "passend-werk", "GM0356", audience="zzp", limit=50, now=TUESDAY_MORNING)
    assert young.hits[0].service_id == "voordeur-GM0356" and young.hits[1].name.startswith("Jongerenloket")
    assert not [h for h in ggz.hits if h.name.startswith("IPS")], "IPS is for people in the GGZ, not for zzp'ers"


def test_pages_through_all_levels(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        everything = search(session, "passend-werk", "GM0344", limit=20, now=TUESDAY_MORNING)
        first = search(session, "passend-werk", "GM0344", limit=3, now=TUESDAY_MORNING)
        second = search(session, "passend-werk", "GM0344", limit=3, offset=3, now=TUESDAY_MORNING)
    assert [h.service_id for h in first.hits + second.hits] == [h.service_id for h in everything.hits[:6]]
    assert first.has_more and not everything.has_more


def test_limit_and_offset_are_bounded(shipped_readonly_url: str) -> None:
    with session_scope(shipped_readonly_url) as session:
        result = search(session, "passend-werk", "GM0344", limit=10_000, offset=-5)
    assert result.limit == 20 and result.offset == 0


def test_service_in_two_areas_is_listed_once_at_its_nearest_level(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    common = {"source": "twee", "assured_date": "2026-01-01"}
    write_csv(
        folder,
        "organizations.csv",
        ["id", "name", "description", "source", "assured_date"],
        [["o", "Org", "Beschrijving.", *common.values()]],
    )
    write_csv(
        folder,
        "services.csv",
        ["id", "organization_id", "name", "status", "source", "assured_date"],
        [["s", "o", "Dubbel", "active", *common.values()]],
    )
    write_csv(
        folder,
        "service_areas.csv",
        ["id", "service_id", "scope", "code", "source", "assured_date"],
        [
            ["a1", "s", "arbeidsmarktregio", "AM13", *common.values()],
            ["a2", "s", "gemeente", "GM0321", *common.values()],
        ],
    )
    write_csv(
        folder,
        "attributes.csv",
        ["id", "link_id", "link_entity", "taxonomy_term_id", "source", "assured_date"],
        [["t", "s", "service", "thema:zzp", *common.values()]],
    )
    with session_scope(sqlite_url) as session:
        import_package(session, folder)
        result = search(session, "zzp", "GM0321")
    assert [(h.service_id, h.level) for h in result.hits] == [("s", "gemeente")]


@pytest.mark.parametrize("evil", ["'; DROP TABLE service; --", "GM0321' OR '1'='1", "\x00" * 50, "x" * 100_000])
def test_hostile_input_is_harmless(shipped_readonly_url: str, evil: str) -> None:
    before = row_counts(shipped_readonly_url)
    with session_scope(shipped_readonly_url) as session:
        result = search(session, "jobcoaching", evil, audience=evil)
        assert set(_levels(result)) == {"landelijk"}
        with pytest.raises(ValueError):
            search(session, evil, "GM0321")
    assert row_counts(shipped_readonly_url) == before


def test_record_unmet_need_counts_per_theme_gemeente_and_month(db_url: str) -> None:
    day_one, day_two, next_month = dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    with session_scope(db_url) as session:
        record_unmet_need(session, "zzp", "GM0363", today=day_one)
        record_unmet_need(session, "ik wil voor mezelf beginnen", "Amsterdam", today=day_two)
        record_unmet_need(session, "zzp", "GM0363", today=next_month)
        record_unmet_need(session, "zzp", None, today=day_two)
    with session_scope(db_url) as session:
        needs = {(n.theme, n.gemeente_code, n.month): n for n in session.execute(select(models.UnmetNeed)).scalars()}
        november = needs[("zzp", "GM0363", dt.date(2026, 11, 1))]
        assert (november.count, november.first_seen, november.last_seen) == (2, day_one, day_two)
        december = needs[("zzp", "GM0363", dt.date(2026, 12, 1))]
        assert (december.count, december.first_seen) == (1, next_month)
        assert needs[("zzp", "onbekend", dt.date(2026, 11, 1))].count == 1
        assert len(needs) == 3
        summed = {(n.theme, n.gemeente_code): n for n in reports.unmet_needs(session)}
        assert (summed[("zzp", "GM0363")].count, summed[("zzp", "GM0363")].last_seen) == (3, next_month)


@pytest.mark.parametrize(
    "text, theme",
    [
        ("jobcoaching", "jobcoaching"),
        ("Solliciteren en cv", "solliciteren-en-cv"),
        ("thema:zzp", "zzp"),
        ("ik heb schulden", "schulden-en-geld"),
    ],
)
def test_resolve_theme(text: str, theme: str) -> None:
    assert resolve_theme(text) == theme
