"""Upkeep reports: records nobody has checked for a long time, needs the map could not meet, and what the map holds
per theme for a gemeente (beside the unmet needs in the portal's insight, bot/insight/gaps.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.common import clock, regions, settings
from bot.socialmap import models
from bot.socialmap.front_doors import front_door_id
from bot.socialmap.models import Service, ServiceArea, ServiceTaxonomy
from bot.socialmap.search import SCOPE_OF_LEVEL, STAND_IN_ORGANIZATION, not_demo
from bot.socialmap.taxonomy import THEME

# What to call a record in the report, per table: the first of these columns that has a value.
LABEL_COLUMNS = ("name", "number", "address_1", "byday", "link_id", "service_id", "id")


@dataclass(frozen=True)
class StaleRecord:
    table: str
    id: str
    label: str
    source: str
    assured_date: dt.date
    demo: bool


def stale_records(session: Session, days: Optional[int] = None, today: Optional[dt.date] = None) -> List[StaleRecord]:
    """Records whose assured_date is more than `days` (default WW_STALE_DAYS) before `today`, oldest first."""
    days = settings.STALE_DAYS if days is None else days
    cutoff = (today or clock.today()) - dt.timedelta(days=days)
    found: List[StaleRecord] = []
    for model in models.HSDS_MODELS:
        table = model.__table__
        label = next(table.c[c] for c in LABEL_COLUMNS if c in table.c)
        query = select(table.c.id, label, table.c.source, table.c.assured_date, table.c.demo).where(
            table.c.assured_date < cutoff
        )
        found += [StaleRecord(table.name, *row) for row in session.execute(query)]
    return sorted(found, key=lambda r: (r.assured_date, r.table, r.id))


@dataclass(frozen=True)
class Need:
    """A theme the search found nothing nearby for in one gemeente, over all months."""

    theme: str
    gemeente_code: str
    count: int
    first_seen: dt.date
    last_seen: dt.date


def unmet_needs(session: Session) -> List[Need]:
    """Themes the search found nothing nearby for, per gemeente and summed over the months, most asked first."""
    need = models.UnmetNeed
    total = func.sum(need.count)
    query = (
        select(need.theme, need.gemeente_code, total, func.min(need.first_seen), func.max(need.last_seen))
        .group_by(need.theme, need.gemeente_code)
        .order_by(total.desc(), need.theme, need.gemeente_code)
    )
    return [Need(theme, code, int(count), first, last) for theme, code, count, first, last in session.execute(query)]


@dataclass(frozen=True)
class Reach:
    """Active services for one theme that reach one gemeente, each counted once at its nearest level."""

    gemeente: int = 0  # for the gemeente itself, without its general front door (it is there for every theme)
    regio: int = 0  # for its arbeidsmarktregio, and not for the gemeente as well
    landelijk: int = 0  # for the whole country, without the national stand-ins for "your own gemeente"

    @property
    def nearby(self) -> int:
        """What the search counts as nearby (SearchResult.found_nearby): the gemeente and its region."""
        return self.gemeente + self.regio


def services_per_theme(
    session: Session, gemeente_codes: Sequence[str], include_demo: bool = True
) -> Dict[str, Dict[str, Reach]]:
    """gemeente code → theme code → Reach, for every gemeente asked (an unknown code reaches national services only),
    counted by the search's rules (bot/socialmap/search.py): active services whose service_area names the gemeente,
    its arbeidsmarktregio or the country. Two queries, whatever the number of gemeenten."""
    regio_of = {}
    for code in gemeente_codes:
        found = regions.get_gemeente(code)
        if found is not None and found.arbeidsmarktregio is not None:
            regio_of[code] = found.arbeidsmarktregio.code
    demo = [] if include_demo else not_demo()
    theme = ServiceTaxonomy.taxonomy_term_id
    query = (
        select(ServiceArea.scope, ServiceArea.code, theme, ServiceArea.service_id)
        .join(ServiceTaxonomy, ServiceTaxonomy.service_id == ServiceArea.service_id)
        .join(Service, Service.id == ServiceArea.service_id)
        .where(Service.status == "active", theme.startswith(f"{THEME}:"), *demo)
        .distinct()
    )
    local: Dict[Tuple[str, str, str], Set[str]] = defaultdict(set)  # (scope, code, theme) → service ids
    for scope, code, term, service_id in session.execute(
        query.where(
            or_(
                and_(ServiceArea.scope == SCOPE_OF_LEVEL["gemeente"], ServiceArea.code.in_(list(gemeente_codes))),
                and_(ServiceArea.scope == SCOPE_OF_LEVEL["regio"], ServiceArea.code.in_(set(regio_of.values()))),
            )
        )
    ):
        if service_id != front_door_id(code):
            local[(scope, code, term.split(":", 1)[1])].add(service_id)
    national: Dict[str, int] = defaultdict(int)
    for term, count in session.execute(
        select(theme, func.count(func.distinct(Service.id)))
        .join(ServiceArea, ServiceArea.service_id == ServiceTaxonomy.service_id)
        .join(Service, Service.id == ServiceArea.service_id)
        .where(
            Service.status == "active",
            theme.startswith(f"{THEME}:"),
            ServiceArea.scope == SCOPE_OF_LEVEL["landelijk"],
            ServiceArea.code == regions.LANDELIJK,
            Service.organization_id != STAND_IN_ORGANIZATION,
            *demo,
        )
        .group_by(theme)
    ):
        national[term.split(":", 1)[1]] = int(count)
    themes = {term for _scope, _code, term in local} | set(national)
    reach: Dict[str, Dict[str, Reach]] = {}
    for code in gemeente_codes:
        per: Dict[str, Reach] = {}
        for term in themes:
            own = local.get((SCOPE_OF_LEVEL["gemeente"], code, term), set())
            regio = local.get((SCOPE_OF_LEVEL["regio"], regio_of.get(code, ""), term), set()) - own
            per[term] = Reach(gemeente=len(own), regio=len(regio), landelijk=national.get(term, 0))
        reach[code] = per
    return reach
