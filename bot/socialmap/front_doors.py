"""Every gemeente's own front door in the social map: its entry point for work and income, with the official
website and general phone number of the Register van Overheidsorganisaties (knowledge/regions/gemeenten-2026.csv).

The shipped package knowledge/socialmap/gemeenten/ is written by `records()` (`python -m bot socialmap
front-doors PATH`); a test checks that the two agree, so the CSV files have one source. These are real records
(demo false), one service per gemeente at gemeente level, so a search in any gemeente finds the gemeente itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List

from bot.common import regions
from bot.common.gemeente_contact import contact
from bot.socialmap.package import records_to_files, write_package
from bot.socialmap.taxonomy import THEME, load_taxonomy

SOURCE = "roo-gemeenten-2026"
# The register's export the website and phone number were taken from ("Laatste mutatie" 15-04-2026).
ASSURED = dt.date(2026, 4, 15)
TITLE = "Sociale kaart Wegwijzer Werk: de gemeenten zelf (Register van Overheidsorganisaties, april 2026)"
# Crisis is 113's, never the gemeente's office hours: every other theme starts at the gemeente.
NOT_FOR = ("crisis",)
Records = Dict[str, List[Dict[str, Any]]]


def front_door_id(code: str) -> str:
    """The service id of gemeente `code`'s front door ("voordeur-GM0344"); the search puts it first."""
    return f"voordeur-{code}"


def organization_id(code: str) -> str:
    return f"gemeente-{code}"


def records() -> Records:
    """Typed records per table for the 342 front doors, in code order."""
    themes = [t for t in load_taxonomy().of(THEME) if t.code not in NOT_FOR]
    provenance = {"source": SOURCE, "assured_date": ASSURED, "demo": False}
    found: Records = {"organization": [], "service": [], "phone": [], "service_area": [], "service_taxonomy": []}
    for gemeente in sorted(regions.load().gemeenten.values(), key=lambda g: g.code):
        reach = contact(gemeente.code)
        if reach is None:
            raise ValueError(f"{gemeente.code}: geen website en telefoonnummer in gemeenten-2026.csv")
        org, sid = organization_id(gemeente.code), front_door_id(gemeente.code)
        found["organization"].append(
            {
                "id": org,
                "name": f"Gemeente {reach.name}",
                "website": reach.website,
                **provenance,
                "description": f"De gemeente {reach.name}. Website en telefoonnummer uit het Register van "
                "Overheidsorganisaties (april 2026).",
            }
        )
        found["service"].append(
            {
                "id": sid,
                "organization_id": org,
                "name": f"Werk en inkomen bij de gemeente {reach.name}",
                "status": "active",
                "url": reach.website,
                **provenance,
                "description": "De gemeente helpt mensen met een beperking op weg naar werk, ook als je geen uitkering "
                "hebt. Bel het algemene nummer en vraag naar werk en inkomen, of kijk op de website.",
            }
        )
        found["phone"].append(
            {
                "id": f"{sid}-telefoon",
                "service_id": sid,
                "number": reach.phone,
                "type": "voice",
                "description": f"Algemeen nummer (in het register: {reach.phone_as_registered})",
                **provenance,
            }
        )
        found["service_area"].append(
            {
                "id": f"{sid}-gebied",
                "service_id": sid,
                "name": f"Gemeente {gemeente.name}",
                "scope": "gemeente",
                "code": gemeente.code,
                **provenance,
            }
        )
        for theme in themes:
            found["service_taxonomy"].append(
                {"id": f"{sid}-thema-{theme.code}", "service_id": sid, "taxonomy_term_id": theme.id, **provenance}
            )
    return found


def write(path: Path) -> int:
    """Write the front doors as an HSDS package at `path`; returns the number of gemeenten."""
    found = records()
    write_package(
        path,
        records_to_files(found),
        title=TITLE,
        defaults={"source": SOURCE, "assured_date": ASSURED.isoformat(), "demo": "false"},
    )
    return len(found["service"])
