"""The shipped social map: national organisations with only sure contact details, and the example region."""

from __future__ import annotations

import csv
from typing import Dict, List

from bot.common import regions, settings
from bot.socialmap.hsds_io import shipped_packages
from bot.socialmap.package import read_package
from bot.socialmap.taxonomy import THEME, load_taxonomy
from bot.socialmap.validate import validate

FOLDER = settings.KNOWLEDGE_DIR / "socialmap"


def _rows(package: str, file: str) -> List[Dict[str, str]]:
    with (FOLDER / package / file).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_shipped_packages_are_valid() -> None:
    assert [p.name for p in shipped_packages()] == ["gemeenten", "landelijk", "midden-utrecht"]
    for package in shipped_packages():
        result = validate(read_package(package), existing={})
        assert result.ok and not result.warnings, [str(p) for p in result.problems + result.warnings]


def test_national_organisations_from_the_seeds_are_there() -> None:
    names = {r["name"] for r in _rows("landelijk", "organizations.csv")}
    for name in (
        "UWV",
        "Ieder(in)",
        "MEE",
        "Emma at Work",
        "Onbeperkt aan de Slag",
        "Incluvisie",
        "JobOn",
        "113 Zelfmoordpreventie",
        "Het Juiste Loket",
        "Regelhulp",
        "Het Juridisch Loket",
    ):
        assert name in names
    assert any("IPS" in r["name"] for r in _rows("landelijk", "services.csv"))


def test_only_sure_contact_details() -> None:
    for package in ("landelijk", "midden-utrecht"):
        phones = {r["number"] for r in _rows(package, "phones.csv")}
        assert phones <= {"113", "0800-0113"}, "no phone number besides 113's"
        assert _rows(package, "addresses.csv") == [], "no street addresses"
        for row in _rows(package, "organizations.csv") + _rows(package, "services.csv"):
            url = row.get("website") or row.get("url")
            assert not url or url.startswith("https://"), url


def test_national_data_is_real_and_example_data_is_marked() -> None:
    assert read_package(FOLDER / "landelijk").defaults["demo"] == "false"
    assert read_package(FOLDER / "midden-utrecht").defaults["demo"] == "true"
    not_demo = [
        r
        for r in _rows("midden-utrecht", "services.csv") + _rows("midden-utrecht", "schedules.csv")
        if r["demo"] == "false"
    ]
    assert not_demo == [], "every service and opening time of the example region is voorbeeldgegevens"


def test_every_gemeente_of_the_example_region_has_its_entry_point() -> None:
    areas = _rows("midden-utrecht", "service_areas.csv")
    services = {r["id"]: r for r in _rows("midden-utrecht", "services.csv")}
    for gemeente in regions.gemeenten_in_regio("AM13"):
        own = [services[a["service_id"]]["name"] for a in areas if a["code"] == gemeente.code]
        assert f"Werk en inkomen gemeente {gemeente.name}" in own, gemeente.name
        assert any(name.startswith(("Sociaal team", "Buurtteam")) for name in own), gemeente.name


def test_the_example_region_has_the_regional_services_a_person_needs() -> None:
    regional = {r["service_id"] for r in _rows("midden-utrecht", "service_areas.csv") if r["code"] == "AM13"}
    names = " | ".join(r["name"] for r in _rows("midden-utrecht", "services.csv") if r["id"] in regional)
    for word in (
        "Werkgeversservicepunt",
        "Werkcafé",
        "Jongerenloket",
        "cliëntondersteuner",
        "jobcoaching",
        "Vrijwilligerswerk",
        "IPS",
    ):
        assert word.lower() in names.lower(), word


def test_example_services_have_weekly_hours() -> None:
    with_hours = {r["service_id"] for r in _rows("midden-utrecht", "schedules.csv")}
    services = {r["id"] for r in _rows("midden-utrecht", "services.csv")}
    assert with_hours == services


def test_every_theme_but_volunteering_has_a_national_answer() -> None:
    national = {r["service_id"] for r in _rows("landelijk", "service_areas.csv") if r["scope"] == "landelijk"}
    themes = {r["taxonomy_term_id"] for r in _rows("landelijk", "attributes.csv") if r["link_id"] in national}
    missing = {t.id for t in load_taxonomy().of(THEME)} - themes
    assert missing == {f"{THEME}:vrijwilligerswerk"}
