"""A synthetic social map for tests and the benchmark: same seed, same map, byte for byte.

Everything it makes is example data (demo = true, source "generator-<seed>"), with example.org web and mail
addresses only: it never makes up a phone number or a street address that could belong to someone.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any, Dict, List

from bot.common import regions
from bot.socialmap.package import records_to_files, write_package
from bot.socialmap.taxonomy import AUDIENCE, THEME, load_taxonomy

# Dates are fixed, not "today", so the same seed always gives the same files.
BASE_DATE = dt.date(2026, 1, 1)
MAX_AGE_DAYS = 730
SHARE_GEMEENTE, SHARE_REGIO = 0.85, 0.12  # the rest is national
WEEK_PATTERNS = (
    ("MO,TU,WE,TH,FR", "09:00", "17:00"),
    ("MO,TU,WE,TH", "08:30", "16:30"),
    ("TU,TH", "10:00", "15:00"),
    ("WE", "13:00", "16:00"),
    ("MO,WE,FR", "09:00", "12:00"),
    ("SA", "10:00", "14:00"),
)
Records = Dict[str, List[Dict[str, Any]]]


def _provenance(rng: random.Random, seed: int) -> Dict[str, Any]:
    return {
        "source": f"generator-{seed}",
        "assured_date": BASE_DATE - dt.timedelta(days=rng.randrange(MAX_AGE_DAYS)),
        "demo": True,
    }


def _area(rng: random.Random, gemeenten: List[regions.Gemeente]) -> Dict[str, Any]:
    roll = rng.random()
    gemeente = rng.choice(gemeenten)
    if roll < SHARE_GEMEENTE:
        return {"scope": "gemeente", "code": gemeente.code, "name": f"Gemeente {gemeente.name}"}
    if roll < SHARE_GEMEENTE + SHARE_REGIO and gemeente.arbeidsmarktregio:
        regio = gemeente.arbeidsmarktregio
        return {"scope": "arbeidsmarktregio", "code": regio.code, "name": f"Arbeidsmarktregio {regio.name}"}
    return {"scope": "landelijk", "code": regions.LANDELIJK, "name": "Heel Nederland"}


def generate(services: int, seed: int) -> Records:
    """Typed records per table for `services` services, reproducible from `seed`."""
    rng = random.Random(seed)  # noqa: S311 (reproducible example data, not a secret)
    gemeenten = sorted(regions.load().gemeenten.values(), key=lambda g: g.code)
    themes = load_taxonomy().of(THEME)
    audiences = load_taxonomy().of(AUDIENCE)
    records: Records = {
        name: []
        for name in (
            "organization",
            "service",
            "location",
            "service_at_location",
            "service_area",
            "schedule",
            "service_taxonomy",
            "attribute",
        )
    }
    prefix = f"gen{seed}"
    organizations = max(1, services // 4)
    for n in range(organizations):
        records["organization"].append(
            {
                "id": f"{prefix}-org-{n:06d}",
                "name": f"Voorbeeldorganisatie {n}",
                "website": f"https://example.org/org/{n}",
                "description": "Gegenereerde voorbeeldorganisatie.",
                **_provenance(rng, seed),
            }
        )
    for n in range(services):
        sid = f"{prefix}-svc-{n:06d}"
        chosen = rng.sample(themes, rng.randint(1, 3))
        area = _area(rng, gemeenten)
        records["service"].append(
            {
                "id": sid,
                "organization_id": f"{prefix}-org-{rng.randrange(organizations):06d}",
                "name": f"{chosen[0].label} ({area['name']}, voorbeeld {n})",
                "status": "active",
                "description": f"Gegenereerde voorbeelddienst over {', '.join(t.label.lower() for t in chosen)}.",
                "url": f"https://example.org/dienst/{n}",
                "email": f"dienst{n}@example.org" if rng.random() < 0.3 else None,
                **_provenance(rng, seed),
            }
        )
        records["service_area"].append({"id": f"{sid}-gebied", "service_id": sid, **area, **_provenance(rng, seed)})
        for theme in chosen:
            records["service_taxonomy"].append(
                {
                    "id": f"{sid}-thema-{theme.code}",
                    "service_id": sid,
                    "taxonomy_term_id": theme.id,
                    **_provenance(rng, seed),
                }
            )
        if rng.random() < 0.15:
            audience = rng.choice(audiences)
            records["attribute"].append(
                {
                    "id": f"{sid}-doelgroep-{audience.code}",
                    "link_id": sid,
                    "link_entity": "service",
                    "link_type": AUDIENCE,
                    "taxonomy_term_id": audience.id,
                    **_provenance(rng, seed),
                }
            )
        if rng.random() < 0.6:
            days, opens, closes = rng.choice(WEEK_PATTERNS)
            records["schedule"].append(
                {
                    "id": f"{sid}-tijden",
                    "service_id": sid,
                    "freq": "WEEKLY",
                    "byday": days,
                    "opens_at": dt.time.fromisoformat(opens),
                    "closes_at": dt.time.fromisoformat(closes),
                    **_provenance(rng, seed),
                }
            )
        if rng.random() < 0.2:
            records["location"].append(
                {
                    "id": f"{sid}-online",
                    "location_type": "virtual",
                    "name": "Online",
                    "url": f"https://example.org/dienst/{n}/online",
                    **_provenance(rng, seed),
                }
            )
            records["service_at_location"].append(
                {"id": f"{sid}-op-online", "service_id": sid, "location_id": f"{sid}-online", **_provenance(rng, seed)}
            )
    return records


def write_generated(path: Path, services: int, seed: int) -> Records:
    """Generate and write an HSDS package that `socialmap import` accepts."""
    records = generate(services, seed)
    write_package(Path(path), records_to_files(records), title=f"Gegenereerde sociale kaart (seed {seed})")
    return records
