"""Read the social map as HSDS 3.0 JSON for other systems: the pages and nested records of HSDS's openapi.json.

No Flask here (the web app's bot/web/hsds_api.py turns requests into these calls). Records are shaped by the
official schemas (hsds_schema.to_json); this project's own fields stay inside. Example records (demo) are left
out unless the caller asks for them, as for a resident.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.common import regions
from bot.socialmap import hsds_schema
from bot.socialmap.models import (
    Address,
    Attribute,
    Contact,
    HsdsRecord,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
)
from bot.socialmap.taxonomy import THEME

MAX_PER_PAGE = 200


class BadQuery(ValueError):
    """A query parameter that cannot be answered; the message says why, for the caller."""


@dataclass(frozen=True)
class Area:
    """Which services a query is about: those serving `codes` (gemeente, region and/or NL service areas)."""

    codes: Tuple[Tuple[str, str], ...]  # (scope, code)


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = 50

    @staticmethod
    def of(page: Optional[int], per_page: Optional[int]) -> "Paging":
        page = 1 if page is None else page
        per_page = 50 if per_page is None else per_page
        if page < 1:
            raise BadQuery("page begint bij 1")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise BadQuery(f"per_page ligt tussen 1 en {MAX_PER_PAGE}")
        return Paging(page, per_page)


def area_of_gemeente(text: str) -> Area:
    """What a resident of this gemeente can use: the gemeente's own services, its region's and the national ones.

    A gemeente that no longer exists leads to today's gemeente (Weesp → Amsterdam); a split one is refused."""
    found = regions.resolve_gemeente(text)
    if found.gemeente is None or found.how == "typfout":
        raise BadQuery(f"onbekende gemeente '{text}': gebruik de CBS-code (GMxxxx) of de naam")
    gemeente = found.gemeente
    codes = [("gemeente", gemeente.code), ("landelijk", regions.LANDELIJK)]
    if gemeente.arbeidsmarktregio:
        codes.insert(1, ("arbeidsmarktregio", gemeente.arbeidsmarktregio.code))
    return Area(tuple(codes))


def area_of_regio(code: str) -> Area:
    """What is offered in this arbeidsmarktregio: the region's services and those of each of its gemeenten."""
    current = regions.current_regio_code(code)
    if not current:
        raise BadQuery(f"onbekende arbeidsmarktregio '{code}': gebruik de CBS-code (AMxx)")
    members = [("gemeente", g.code) for g in regions.gemeenten_in_regio(current)]
    return Area((("arbeidsmarktregio", current), *members))


def _page(session: Session, query: Select, id_column: Any, paging: Paging) -> Tuple[List[str], Dict[str, Any]]:
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
    offset = (paging.page - 1) * paging.per_page
    # Past the last page there is nothing to fetch (and a huge offset is more than a database's integer).
    ids = (
        []
        if offset >= total
        else [r[0] for r in session.execute(query.order_by(id_column).limit(paging.per_page).offset(offset))]
    )
    pages = max(1, math.ceil(total / paging.per_page))
    meta = {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": len(ids),
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": total == 0,
    }
    return ids, meta


def _like(column: Any, text: str) -> Any:
    return func.lower(column).contains(text.strip().lower(), autoescape=True)


def _by_ids(session: Session, model: Any, ids: Iterable[str]) -> Dict[str, Any]:
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        return {}
    return {r.id: r for r in session.execute(select(model).where(model.id.in_(ids))).scalars()}


def _flat(table: str, row: Any) -> Dict[str, Any]:
    return hsds_schema.to_json(table, {c: getattr(row, c) for c in hsds_schema.field_names(table) if hasattr(row, c)})


def _kept(session: Session, table: str, **links: str) -> List[Dict[str, Any]]:
    """Rows of an HSDS table kept as given (funding, languages, …) that link to `links`."""
    query = select(HsdsRecord.data).where(HsdsRecord.table_name == table)
    for column, value in links.items():
        query = query.where(getattr(HsdsRecord, column) == value)
    return [json.loads(d) for d in session.execute(query.order_by(HsdsRecord.id)).scalars()]


class Reader:
    """One request's view of the social map."""

    def __init__(self, session: Session, include_demo: bool = False) -> None:
        self.session = session
        self.include_demo = include_demo

    def _visible(self, model: Any) -> List[Any]:
        return [] if self.include_demo else [model.demo.is_(false())]

    # Services --------------------------------------------------------------------------------------------------

    def _service_query(
        self,
        search: Optional[str],
        taxonomy_term_id: Optional[str],
        taxonomy_id: Optional[str],
        organization_id: Optional[str],
        modified_after: Optional[dt.datetime],
        area: Optional[Area],
    ) -> Select:
        where = self._visible(Service)
        if not self.include_demo:
            where.append(~exists().where(Organization.id == Service.organization_id, Organization.demo.is_(true())))
        if search:
            where.append(or_(_like(Service.name, search), _like(Service.description, search)))
        if organization_id:
            where.append(Service.organization_id == organization_id)
        if modified_after:
            where.append(Service.last_modified >= modified_after)
        if taxonomy_term_id:
            where.append(
                or_(
                    exists().where(
                        ServiceTaxonomy.service_id == Service.id, ServiceTaxonomy.taxonomy_term_id == taxonomy_term_id
                    ),
                    exists().where(
                        Attribute.link_entity == "service",
                        Attribute.link_id == Service.id,
                        Attribute.taxonomy_term_id == taxonomy_term_id,
                    ),
                )
            )
        if taxonomy_id:
            terms = select(TaxonomyTerm.id).where(TaxonomyTerm.taxonomy_id == taxonomy_id)
            where.append(
                or_(
                    exists().where(
                        ServiceTaxonomy.service_id == Service.id, ServiceTaxonomy.taxonomy_term_id.in_(terms)
                    ),
                    exists().where(
                        Attribute.link_entity == "service",
                        Attribute.link_id == Service.id,
                        Attribute.taxonomy_term_id.in_(terms),
                    ),
                )
            )
        if area:  # from the (scope, code, service_id) index, as the assistant's own search starts
            where.append(
                Service.id.in_(
                    select(ServiceArea.service_id).where(
                        or_(*(and_(ServiceArea.scope == scope, ServiceArea.code == code) for scope, code in area.codes))
                    )
                )
            )
        return select(Service.id).where(*where)

    def services(
        self,
        paging: Paging,
        full: bool = False,
        minimal: bool = False,
        search: Optional[str] = None,
        taxonomy_term_id: Optional[str] = None,
        taxonomy_id: Optional[str] = None,
        organization_id: Optional[str] = None,
        modified_after: Optional[dt.datetime] = None,
        area: Optional[Area] = None,
    ) -> Dict[str, Any]:
        query = self._service_query(search, taxonomy_term_id, taxonomy_id, organization_id, modified_after, area)
        ids, meta = _page(self.session, query, Service.id, paging)
        services = _by_ids(self.session, Service, ids)
        if minimal:  # id and last change; name and status too, as the list schema requires them
            contents = [
                hsds_schema.to_json(
                    "service",
                    {
                        "id": i,
                        "name": services[i].name,
                        "status": services[i].status,
                        "last_modified": services[i].last_modified,
                    },
                )
                for i in ids
            ]
        elif full:
            contents = [self._service_full(services[i]) for i in ids]
        else:
            contents = self._service_list([services[i] for i in ids])
        return {**meta, "contents": contents}

    def _service_list(self, services: Sequence[Service]) -> List[Dict[str, Any]]:
        organizations = _by_ids(self.session, Organization, (s.organization_id for s in services))
        out = []
        for service in services:
            item = _flat("service", service)
            if service.organization_id in organizations:
                item["organization"] = _flat("organization", organizations[service.organization_id])
            program = self._program(service.program_id)
            if program:
                item["program"] = program
            out.append(item)
        return out

    def _program(self, program_id: Optional[str]) -> Optional[Dict[str, Any]]:
        if not program_id:
            return None
        row = self.session.get(HsdsRecord, ("program", program_id))
        return json.loads(row.data) if row else None

    def service(self, service_id: str) -> Optional[Dict[str, Any]]:
        service = self.session.get(Service, service_id)
        if service is None or not self._shown(service):
            return None
        return self._service_full(service)

    def _shown(self, service: Service) -> bool:
        if self.include_demo:
            return True
        organization = self.session.get(Organization, service.organization_id)
        return not service.demo and not (organization and organization.demo)

    def _children(self, model: Any, table: str, **links: str) -> List[Dict[str, Any]]:
        query = select(model).where(*(getattr(model, k) == v for k, v in links.items()), *self._visible(model))
        return [_flat(table, r) for r in self.session.execute(query.order_by(model.id)).scalars()]

    def _phones(self, **links: str) -> List[Dict[str, Any]]:
        return self._children(Phone, "phone", **links)

    def _contacts(self, **links: str) -> List[Dict[str, Any]]:
        contacts = self._children(Contact, "contact", **links)
        for contact in contacts:
            contact["phones"] = self._phones(contact_id=contact["id"])
        return contacts

    def _location(self, location: Location) -> Dict[str, Any]:
        item = _flat("location", location)
        item["addresses"] = self._children(Address, "address", location_id=location.id)
        item["phones"] = self._phones(location_id=location.id)
        item["schedules"] = self._children(Schedule, "schedule", location_id=location.id)
        item["contacts"] = self._contacts(location_id=location.id)
        item["languages"] = _kept(self.session, "language", location_id=location.id)
        item["accessibility"] = _kept(self.session, "accessibility", location_id=location.id)
        return item

    def _attributes(self, entity: str, record_id: str) -> List[Dict[str, Any]]:
        rows: List[Dict[str, Any]] = []
        if entity == "service":
            themes = select(ServiceTaxonomy).where(ServiceTaxonomy.service_id == record_id)
            rows += [
                {
                    "id": t.id,
                    "link_id": record_id,
                    "link_type": THEME,
                    "link_entity": "service",
                    "taxonomy_term_id": t.taxonomy_term_id,
                    "value": t.value,
                }
                for t in self.session.execute(themes.order_by(ServiceTaxonomy.id)).scalars()
            ]
        others = select(Attribute).where(Attribute.link_entity == entity, Attribute.link_id == record_id)
        rows += [
            {c: getattr(a, c) for c in hsds_schema.field_names("attribute")}
            for a in self.session.execute(others.order_by(Attribute.id)).scalars()
        ]
        terms = _by_ids(self.session, TaxonomyTerm, (r["taxonomy_term_id"] for r in rows))
        out = []
        for row in rows:
            item = hsds_schema.to_json("attribute", row)
            if row["taxonomy_term_id"] in terms:
                item["taxonomy_term"] = self._term(terms[row["taxonomy_term_id"]])
            out.append(item)
        return out

    def _service_at_location(self, link: ServiceAtLocation) -> Dict[str, Any]:
        item = _flat("service_at_location", link)
        item["contacts"] = self._contacts(service_at_location_id=link.id)
        item["phones"] = self._phones(service_at_location_id=link.id)
        item["schedules"] = self._children(Schedule, "schedule", service_at_location_id=link.id)
        location = self.session.get(Location, link.location_id)
        if location is not None:
            item["location"] = self._location(location)
        return item

    def _service_full(self, service: Service) -> Dict[str, Any]:
        item = _flat("service", service)
        item["phones"] = self._phones(service_id=service.id)
        item["schedules"] = self._children(Schedule, "schedule", service_id=service.id)
        item["service_areas"] = self._children(ServiceArea, "service_area", service_id=service.id)
        links = select(ServiceAtLocation).where(
            ServiceAtLocation.service_id == service.id, *self._visible(ServiceAtLocation)
        )
        item["service_at_locations"] = [
            self._service_at_location(link)
            for link in self.session.execute(links.order_by(ServiceAtLocation.id)).scalars()
        ]
        item["languages"] = _kept(self.session, "language", service_id=service.id)
        organization = self.session.get(Organization, service.organization_id)
        if organization is not None:
            item["organization"] = _flat("organization", organization)
        item["funding"] = _kept(self.session, "funding", service_id=service.id)
        item["cost_options"] = _kept(self.session, "cost_option", service_id=service.id)
        program = self._program(service.program_id)
        if program:
            item["program"] = program
        item["required_documents"] = _kept(self.session, "required_document", service_id=service.id)
        item["contacts"] = self._contacts(service_id=service.id)
        item["attributes"] = self._attributes("service", service.id)
        return item

    # Organizations ---------------------------------------------------------------------------------------------

    def organizations(
        self, paging: Paging, search: Optional[str] = None, full: bool = False, full_service: bool = False
    ) -> Dict[str, Any]:
        query = select(Organization.id).where(*self._visible(Organization))
        if search:
            query = query.where(or_(_like(Organization.name, search), _like(Organization.description, search)))
        ids, meta = _page(self.session, query, Organization.id, paging)
        organizations = _by_ids(self.session, Organization, ids)
        contents = [
            self._organization_full(organizations[i], full_service) if full else _flat("organization", organizations[i])
            for i in ids
        ]
        return {**meta, "contents": contents}

    def organization(self, organization_id: str, full_service: bool = False) -> Optional[Dict[str, Any]]:
        organization = self.session.get(Organization, organization_id)
        if organization is None or (organization.demo and not self.include_demo):
            return None
        return self._organization_full(organization, full_service)

    def _organization_full(self, organization: Organization, full_service: bool) -> Dict[str, Any]:
        item = _flat("organization", organization)
        item["funding"] = _kept(self.session, "funding", organization_id=organization.id)
        item["contacts"] = self._contacts(organization_id=organization.id)
        item["phones"] = self._phones(organization_id=organization.id)
        locations = select(Location).where(Location.organization_id == organization.id, *self._visible(Location))
        item["locations"] = [
            self._location(loc) for loc in self.session.execute(locations.order_by(Location.id)).scalars()
        ]
        item["programs"] = _kept(self.session, "program", organization_id=organization.id)
        item["organization_identifiers"] = _kept(
            self.session, "organization_identifier", organization_id=organization.id
        )
        item["attributes"] = self._attributes("organization", organization.id)
        services = select(Service).where(Service.organization_id == organization.id, *self._visible(Service))
        found = list(self.session.execute(services.order_by(Service.id)).scalars())
        item["services"] = (
            [self._service_full(s) for s in found]
            if full_service
            else [{"id": s.id, "name": s.name, "status": s.status} for s in found]
        )
        return item

    # Taxonomies ------------------------------------------------------------------------------------------------

    def _term(self, term: TaxonomyTerm) -> Dict[str, Any]:
        item = _flat("taxonomy_term", term)
        taxonomy = self.session.get(Taxonomy, term.taxonomy_id) if term.taxonomy_id else None
        if taxonomy is not None:
            item.setdefault("taxonomy", taxonomy.name)
            item["taxonomy_detail"] = _flat("taxonomy", taxonomy)
        return item

    def taxonomies(self, paging: Paging, search: Optional[str] = None) -> Dict[str, Any]:
        query = select(Taxonomy.id).where(*self._visible(Taxonomy))
        if search:
            query = query.where(or_(_like(Taxonomy.name, search), _like(Taxonomy.description, search)))
        ids, meta = _page(self.session, query, Taxonomy.id, paging)
        found = _by_ids(self.session, Taxonomy, ids)
        return {**meta, "contents": [_flat("taxonomy", found[i]) for i in ids]}

    def taxonomy(self, taxonomy_id: str) -> Optional[Dict[str, Any]]:
        found = self.session.get(Taxonomy, taxonomy_id)
        return _flat("taxonomy", found) if found is not None and (self.include_demo or not found.demo) else None

    def taxonomy_terms(
        self,
        paging: Paging,
        search: Optional[str] = None,
        taxonomy_id: Optional[str] = None,
        top_only: bool = False,
        parent_id: Optional[str] = None,
    ) -> Dict[str, Any]:
        query = select(TaxonomyTerm.id).where(*self._visible(TaxonomyTerm))
        if search:
            query = query.where(or_(_like(TaxonomyTerm.name, search), _like(TaxonomyTerm.description, search)))
        if taxonomy_id:
            query = query.where(TaxonomyTerm.taxonomy_id == taxonomy_id)
        if parent_id:
            query = query.where(TaxonomyTerm.parent_id == parent_id)
        if top_only:
            query = query.where(TaxonomyTerm.parent_id.is_(None))
        ids, meta = _page(self.session, query, TaxonomyTerm.id, paging)
        found = _by_ids(self.session, TaxonomyTerm, ids)
        return {**meta, "contents": [self._term(found[i]) for i in ids]}

    def taxonomy_term(self, term_id: str) -> Optional[Dict[str, Any]]:
        found = self.session.get(TaxonomyTerm, term_id)
        return self._term(found) if found is not None and (self.include_demo or not found.demo) else None

    # Services at locations -------------------------------------------------------------------------------------

    def service_at_locations(
        self,
        paging: Paging,
        full: bool = False,
        search: Optional[str] = None,
        taxonomy_term_id: Optional[str] = None,
        taxonomy_id: Optional[str] = None,
        organization_id: Optional[str] = None,
        modified_after: Optional[dt.datetime] = None,
        area: Optional[Area] = None,
    ) -> Dict[str, Any]:
        services = self._service_query(search, taxonomy_term_id, taxonomy_id, organization_id, modified_after, area)
        query = select(ServiceAtLocation.id).where(
            ServiceAtLocation.service_id.in_(services), *self._visible(ServiceAtLocation)
        )
        ids, meta = _page(self.session, query, ServiceAtLocation.id, paging)
        links = _by_ids(self.session, ServiceAtLocation, ids)
        contents = []
        for i in ids:
            link = links[i]
            if full:
                item = self._service_at_location(link)
            else:
                item = _flat("service_at_location", link)
                location = self.session.get(Location, link.location_id)
                if location is not None:
                    item["location"] = _flat("location", location)
            service = self.session.get(Service, link.service_id)
            item["service"] = self._service_full(service) if full else self._service_list([service])[0]
            contents.append(item)
        return {**meta, "contents": contents}

    def service_at_location(self, link_id: str) -> Optional[Dict[str, Any]]:
        link = self.session.get(ServiceAtLocation, link_id)
        service = self.session.get(Service, link.service_id) if link is not None else None
        if link is None or service is None or not self._shown(service) or (link.demo and not self.include_demo):
            return None
        item = self._service_at_location(link)
        item["service"] = self._service_full(service)
        return item
