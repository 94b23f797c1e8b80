"""Where can I go? Services for a theme, widening from the gemeente to its arbeidsmarktregio to national.

Within a level the gemeente's own front door comes first (bot/socialmap/front_doors.py); services for the
audience asked for come before the rest; services only for young people come after the rest, and drop out
for someone who said they are 27 or older.

The hot path starts from the service_area index (scope, code) and joins the theme through the
service_taxonomy index, so its cost follows the number of services in one area, not in the whole map.
All input is normalised and cut to length, and reaches SQL only as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import and_, exists, false, func, literal, or_, select, true, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.common import regions
from bot.common.regions import Gemeente
from bot.socialmap.front_doors import front_door_id
from bot.socialmap.models import (
    Address,
    Attribute,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
    UnmetNeed,
)
from bot.socialmap.opening_hours import TIMEZONE, OpeningStatus, opening_status
from bot.socialmap.taxonomy import AUDIENCE, THEME, find_theme_in_text, term_id

LEVELS = ("gemeente", "regio", "landelijk")
SCOPE_OF_LEVEL = {"gemeente": "gemeente", "regio": "arbeidsmarktregio", "landelijk": "landelijk"}
MAX_LIMIT = 20
MAX_OFFSET = 1000
MAX_INPUT = 100
SHORT_DESCRIPTION = 240
UNKNOWN_GEMEENTE = "onbekend"
# "Jongeren tot 27 jaar" (taxonomy.yml, doelgroep jongere): from this age a service only for young people is not
# for this person.
ADULT_FROM = 27
YOUNG = f"{AUDIENCE}:jongere"
# The national records that stand for "your own gemeente" (knowledge/socialmap/landelijk): once the gemeente is
# known, its own front door says the same with a real number, so they are left out.
STAND_IN_ORGANIZATION = "org-gemeenten"


@dataclass(frozen=True)
class ServiceHit:
    """One service as the assistant shows it."""

    service_id: str
    level: str  # gemeente | regio | landelijk
    name: str
    organization: str
    description: str
    website: Optional[str]
    phone: Optional[str]
    email: Optional[str]
    address: Optional[str]
    demo: bool
    opening: Optional[OpeningStatus]
    organization_id: str = ""

    @property
    def opening_text(self) -> Optional[str]:
        return self.opening.text if self.opening else None


@dataclass(frozen=True)
class SearchResult:
    theme: str  # theme code, e.g. "jobcoaching"
    gemeente: Optional[Gemeente]
    audience: Optional[str]
    hits: List[ServiceHit]
    offset: int
    limit: int
    has_more: bool
    # Matches per level: exact for gemeente and regio; for landelijk only as many as the page needed.
    counts: Dict[str, int] = field(default_factory=dict)
    front_door: bool = False  # the gemeente's own front door is among the results

    @property
    def found_nearby(self) -> bool:
        """True when the gemeente or its region has more than the gemeente's general front door: if not,
        record_unmet_need is worth calling."""
        return (self.counts.get("gemeente", 0) + self.counts.get("regio", 0)) > int(self.front_door)


def _clean(value: Optional[str]) -> str:
    return re.sub(r"\s+", " ", (value or "")[:MAX_INPUT]).strip()


def resolve_theme(value: str) -> Optional[str]:
    """A theme code from a code, label or free text ("wie helpt mij met mijn cv"); None if nothing fits."""
    value = _clean(value)
    found = term_id(value, THEME)
    return found.split(":", 1)[1] if found else find_theme_in_text(value)


def _gemeente(value: Optional[str]) -> Optional[Gemeente]:
    """The gemeente for a code, a name, or a sentence that names one; None when unknown or ambiguous."""
    if not value:
        return None
    resolution = regions.resolve_gemeente(_clean(value))
    if not resolution.found and not resolution.candidates:
        resolution = regions.find_gemeente_in_text(_clean(value))
    return resolution.gemeente


def _areas(gemeente: Optional[Gemeente]) -> List[Tuple[str, str]]:
    areas = []
    if gemeente:
        areas.append(("gemeente", gemeente.code))
        if gemeente.arbeidsmarktregio:
            areas.append(("regio", gemeente.arbeidsmarktregio.code))
    areas.append(("landelijk", regions.LANDELIJK))
    return areas


# Built once: a service's audience attributes, and whether one of them is "young people".
_FOR_SOMEONE = and_(
    Attribute.link_entity == "service", Attribute.link_id == Service.id, Attribute.link_type == AUDIENCE
)
_YOUNG = exists().where(_FOR_SOMEONE, Attribute.taxonomy_term_id == YOUNG)
_SPECIFIC = exists().where(_FOR_SOMEONE)
_AGE_OPEN = {
    "young": [_YOUNG.desc(), _SPECIFIC.asc()],
    "adult": [_SPECIFIC.asc()],
    "unknown": [_YOUNG.asc(), _SPECIFIC.asc()],
}


def _audience_clauses(audience_term: Optional[str], age: Optional[int] = None) -> Tuple[List[Any], List[Any]]:
    """(where, order by) for who the person is. An audience asked for: services for it first, services only
    for other groups drop out. Otherwise services only for young people come last (and drop out for an adult;
    for someone younger than 27 they come first), after services for everyone and then those for one group.
    A told age also drops services whose minimum_age or maximum_age rule the person out."""
    where: List[Any] = []
    if age is not None:
        where += [
            or_(Service.minimum_age.is_(None), Service.minimum_age <= age),
            or_(Service.maximum_age.is_(None), Service.maximum_age >= age),
        ]
    if audience_term:
        for_this = exists().where(_FOR_SOMEONE, Attribute.taxonomy_term_id == audience_term)
        return where + [for_this | ~_SPECIFIC], [for_this.desc()]
    if age is None:
        return where, _AGE_OPEN["unknown"]
    if age >= ADULT_FROM:
        return where + [~_YOUNG], _AGE_OPEN["adult"]
    return where, _AGE_OPEN["young"]


def ids_query(
    theme_term: str,
    areas: Sequence[Tuple[str, str]],
    audience_term: Optional[str] = None,
    include_demo: bool = True,
    age: Optional[int] = None,
    gemeente_code: Optional[str] = None,
) -> Select:
    """(service id, level rank) of active services for one theme in the given areas, in display order.

    Each level is its own branch that starts from the (scope, code) index: one OR over all areas made SQLite
    start from the theme instead, which reads every service with that theme in the country. A service listed
    for both the gemeente and its region counts once, at the nearest level. Without `include_demo`, example
    records (a demo service, or a service of a demo organisation) drop out. `age`, when the person said it,
    drops what is not for that age (`_audience_clauses`). With `gemeente_code` that gemeente's front door comes
    first and the national stand-ins for "your gemeente" drop out. Public for the benchmark's plan.
    """
    branches = [
        select(ServiceArea.service_id.label("service_id"), literal(LEVELS.index(level)).label("rank"))
        .join(
            ServiceTaxonomy,
            and_(ServiceTaxonomy.service_id == ServiceArea.service_id, ServiceTaxonomy.taxonomy_term_id == theme_term),
        )
        .where(ServiceArea.scope == SCOPE_OF_LEVEL[level], ServiceArea.code == code)
        for level, code in areas
    ]
    found = union_all(*branches).subquery("found")
    where, order = _audience_clauses(audience_term, age)
    level = func.min(found.c.rank).label("level")
    if gemeente_code:
        order = [(Service.id == front_door_id(gemeente_code)).desc(), *order]
        where = [*where, Service.organization_id != STAND_IN_ORGANIZATION]
    if not include_demo:
        where = [*where, *not_demo()]
    return (
        select(Service.id, level)
        .join(found, found.c.service_id == Service.id)
        .where(Service.status == "active", *where)
        .group_by(Service.id, Service.demo, Service.name)
        .order_by(level, *order, Service.demo, Service.name, Service.id)
    )


def not_demo() -> List[Any]:
    """Where-clauses that leave example records out: a demo service, or a service of a demo organisation."""
    return [
        Service.demo.is_(false()),
        ~exists().where(Organization.id == Service.organization_id, Organization.demo.is_(true())),
    ]


def _short(text: Optional[str]) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SHORT_DESCRIPTION:
        return text
    cut = text[:SHORT_DESCRIPTION]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end > 40 else cut.rsplit(" ", 1)[0] + " …"


def _by(rows: Iterable[Any], key: str) -> Dict[Any, List[Any]]:
    grouped: Dict[Any, List[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _phone(phones: Sequence[Phone], service_id: str, locations: Sequence[str], org_id: str) -> Optional[str]:
    """The service's own number first, then that of the place, then that of the organisation."""
    for belongs in (
        lambda p: p.service_id == service_id,
        lambda p: p.location_id in locations,
        lambda p: p.organization_id == org_id,
    ):
        for phone in phones:
            if belongs(phone):
                return phone.number
    return None


def _details(session: Session, page: Sequence[Tuple[str, str]], now: dt.datetime) -> List[ServiceHit]:
    """What the assistant shows for each service on the page, in a fixed handful of queries."""
    ids = [service_id for service_id, _ in page]
    pairs = {
        s.id: (s, o)
        for s, o in session.execute(
            select(Service, Organization)
            .join(Organization, Organization.id == Service.organization_id)
            .where(Service.id.in_(ids))
        )
    }
    org_ids = [o.id for _, o in pairs.values()]
    at_locations = _by(
        session.execute(select(ServiceAtLocation).where(ServiceAtLocation.service_id.in_(ids))).scalars(), "service_id"
    )
    sal_ids = [sal.id for sals in at_locations.values() for sal in sals]
    location_ids = [sal.location_id for sals in at_locations.values() for sal in sals]
    phones = (
        session.execute(
            select(Phone)
            .where(
                or_(Phone.service_id.in_(ids), Phone.organization_id.in_(org_ids), Phone.location_id.in_(location_ids))
            )
            .order_by(Phone.id)
        )
        .scalars()
        .all()
    )
    schedules = (
        session.execute(
            select(Schedule).where(
                or_(
                    Schedule.service_id.in_(ids),
                    Schedule.service_at_location_id.in_(sal_ids),
                    Schedule.location_id.in_(location_ids),
                )
            )
        )
        .scalars()
        .all()
    )
    addresses = _by(
        session.execute(select(Address).where(Address.location_id.in_(location_ids)).order_by(Address.id)).scalars(),
        "location_id",
    )
    hits = []
    for service_id, level in page:
        service, org = pairs[service_id]
        sals = at_locations.get(service_id, [])
        locations = [sal.location_id for sal in sals]
        phone = _phone(phones, service_id, locations, org.id)
        # A service's own hours win over those of the place where it is given.
        own = (
            [s for s in schedules if s.service_id == service_id]
            or [s for s in schedules if s.service_at_location_id in {sal.id for sal in sals}]
            or [s for s in schedules if s.location_id in locations]
        )
        address = next((a for loc in locations for a in addresses.get(loc, [])), None)
        hits.append(
            ServiceHit(
                service_id=service.id,
                level=level,
                name=service.name,
                organization=org.name,
                description=_short(service.description or org.description),
                website=service.url or org.website,
                phone=phone,
                email=service.email or org.email,
                address=f"{address.address_1}, {address.postal_code} {address.city}" if address else None,
                demo=bool(service.demo or org.demo),
                opening=opening_status(own, now),
                organization_id=org.id,
            )
        )
    return hits


def search(
    session: Session,
    theme: str,
    gemeente_code: Optional[str],
    audience: Optional[str] = None,
    limit: int = 3,
    offset: int = 0,
    now: Optional[dt.datetime] = None,
    include_demo: bool = True,
    age: Optional[int] = None,
) -> SearchResult:
    """Services for `theme` near `gemeente_code`: the gemeente first, then its region, then national.

    `theme` is a code, label or free text; `gemeente_code` a CBS code (or a name); `audience` an audience code
    such as "jongere". `now` (default: the current time in Europe/Amsterdam) is used for the opening hours.
    `include_demo=False` leaves example records out (what a resident gets: actions/social_map.py). `age` is the
    age the person told, if any.
    Raises ValueError when the theme is unknown.
    """
    theme_code = resolve_theme(theme)
    if not theme_code:
        raise ValueError(f"Onbekend thema: {_clean(theme)!r}")
    audience_term = term_id(_clean(audience), AUDIENCE) if audience else None
    gemeente = _gemeente(gemeente_code)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    theme_term = f"{THEME}:{theme_code}"
    areas = _areas(gemeente)
    wanted = offset + limit + 1  # one more than the page shows tells whether there is a next page
    # Local levels are few and always counted in full; national services are only read when the page needs them,
    # because their number grows with the whole map.
    local = [a for a in areas if a[0] != "landelijk"]
    own = gemeente.code if gemeente else None
    ordered = _ranked(session, ids_query(theme_term, local, audience_term, include_demo, age, own)) if local else []
    if len(ordered) < wanted:
        seen = {service_id for service_id, _ in ordered}
        national = ids_query(
            theme_term, [a for a in areas if a[0] == "landelijk"], audience_term, include_demo, age, own
        )
        more = _ranked(session, national.limit(wanted + len(seen)))
        ordered += [(i, level) for i, level in more if i not in seen][: wanted - len(ordered)]
    counts = {level: sum(1 for _, found in ordered if found == level) for level, _ in areas}
    front_door = own is not None and any(service_id == front_door_id(own) for service_id, _ in ordered)
    page = _details(session, ordered[offset : offset + limit], now or dt.datetime.now(TIMEZONE))
    return SearchResult(
        theme=theme_code,
        gemeente=gemeente,
        audience=audience_term.split(":", 1)[1] if audience_term else None,
        hits=page,
        offset=offset,
        limit=limit,
        has_more=len(ordered) > offset + limit,
        counts=counts,
        front_door=front_door,
    )


def _ranked(session: Session, query: Select) -> List[Tuple[str, str]]:
    return [(service_id, LEVELS[rank]) for service_id, rank in session.execute(query)]


def record_unmet_need(
    session: Session, theme: str, gemeente_code: Optional[str], today: Optional[dt.date] = None
) -> None:
    """Count one search that found nothing nearby, in the row of this Dutch calendar month. Only theme, gemeente
    and day: nothing about the person."""
    theme_code = resolve_theme(theme) or "onbekend"
    gemeente = _gemeente(gemeente_code)
    code = gemeente.code if gemeente else UNKNOWN_GEMEENTE
    today = today or dt.datetime.now(TIMEZONE).date()
    month = today.replace(day=1)
    match = and_(UnmetNeed.theme == theme_code, UnmetNeed.gemeente_code == code, UnmetNeed.month == month)
    bump = update(UnmetNeed).where(match).values(count=UnmetNeed.count + 1, last_seen=today)
    if session.execute(bump).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(
                UnmetNeed(theme=theme_code, gemeente_code=code, month=month, count=1, first_seen=today, last_seen=today)
            )
    except IntegrityError:
        # Another conversation inserted the same row a moment ago: count on that one.
        session.execute(bump)
