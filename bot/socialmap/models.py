"""The social map's tables: Open Referral HSDS 3.0 (organization, service, location, …) plus unmet_need.

Field names follow HSDS 3.0. Additions for this project, on every HSDS table: `source` (which data set a
record came from; an import can replace one source as a whole), `assured_date` (when a person last checked
it; HSDS has this on service only; empty when nobody said) and `demo` (example data: the assistant says
"voorbeeldgegevens"). service_area gets `scope` (gemeente | arbeidsmarktregio | landelijk) and `code` (GMxxxx, the
region's code, NL); both empty when an area could not be recognised (kept as given, never found by the search).
The HSDS tables the assistant does not use itself (funding, languages, programs, …) are kept as given in
hsds_record, so an import loses nothing and an export gives it back.
Themes link to a service through service_taxonomy; audiences and other properties through attribute; in the
HSDS files both are rows of attributes.csv.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)

from bot.common.db import Base

ID = String(100)
NAME = String(255)
URL = String(500)

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
SCOPES = ("gemeente", "arbeidsmarktregio", "landelijk")


def _fk(target: str, nullable: bool = True) -> Column:
    # Deferred so that one import can delete and re-insert a source in any order inside its transaction;
    # no cascade, so that replacing one source can never silently delete another source's records.
    return Column(ID, ForeignKey(target, deferrable=True, initially="DEFERRED"), nullable=nullable)


class Provenance:
    """Where a record came from, when it was last checked, and whether it is example data."""

    source = Column(String(100), nullable=False, index=True)
    assured_date = Column(Date)
    demo = Column(Boolean, nullable=False, default=False, server_default=false())


class Organization(Provenance, Base):
    __tablename__ = "organization"
    id = Column(ID, primary_key=True)
    name = Column(NAME, nullable=False)
    alternate_name = Column(NAME)
    description = Column(Text, nullable=False)
    email = Column(NAME)
    website = Column(URL)
    legal_status = Column(String(100))
    parent_organization_id = _fk("organization.id")
    tax_status = Column(String(100))
    tax_id = Column(String(100))
    year_incorporated = Column(Integer)
    logo = Column(URL)
    uri = Column(URL)


class Service(Provenance, Base):
    __tablename__ = "service"
    id = Column(ID, primary_key=True)
    organization_id = _fk("organization.id", nullable=False)
    name = Column(NAME, nullable=False)
    alternate_name = Column(NAME)
    description = Column(Text)
    url = Column(URL)
    email = Column(NAME)
    status = Column(String(30), nullable=False)
    application_process = Column(Text)
    fees_description = Column(Text)
    eligibility_description = Column(Text)
    minimum_age = Column(Integer)
    maximum_age = Column(Integer)
    alert = Column(Text)
    assurer_email = Column(NAME)
    program_id = Column(ID)  # a program is kept in hsds_record
    interpretation_services = Column(Text)
    wait_time = Column(Text)
    fees = Column(Text)
    accreditations = Column(Text)
    licenses = Column(Text)
    last_modified = Column(DateTime)  # UTC
    __table_args__ = (Index("ix_service_organization_id", "organization_id"),)


class Location(Provenance, Base):
    __tablename__ = "location"
    id = Column(ID, primary_key=True)
    organization_id = _fk("organization.id")
    location_type = Column(String(20), nullable=False)
    url = Column(URL)
    name = Column(NAME)
    alternate_name = Column(NAME)
    description = Column(Text)
    transportation = Column(Text)
    latitude = Column(Float)
    longitude = Column(Float)
    external_identifier = Column(String(100))
    external_identifier_type = Column(String(100))


class ServiceAtLocation(Provenance, Base):
    __tablename__ = "service_at_location"
    id = Column(ID, primary_key=True)
    service_id = _fk("service.id", nullable=False)
    location_id = _fk("location.id", nullable=False)
    description = Column(Text)
    __table_args__ = (
        Index("ix_service_at_location_service_id", "service_id"),
        Index("ix_service_at_location_location_id", "location_id"),
    )


class ServiceArea(Provenance, Base):
    __tablename__ = "service_area"
    id = Column(ID, primary_key=True)
    service_id = _fk("service.id", nullable=False)
    service_at_location_id = _fk("service_at_location.id")
    name = Column(NAME)
    description = Column(Text)
    extent = Column(Text)
    extent_type = Column(String(20))
    uri = Column(URL)
    scope = Column(String(20))
    code = Column(String(10))
    # The search's first step: all services for one gemeente, region or the whole country.
    __table_args__ = (
        Index("ix_service_area_scope_code_service", "scope", "code", "service_id"),
        Index("ix_service_area_service_id", "service_id"),
    )


class Contact(Provenance, Base):
    __tablename__ = "contact"
    id = Column(ID, primary_key=True)
    organization_id = _fk("organization.id")
    service_id = _fk("service.id")
    service_at_location_id = _fk("service_at_location.id")
    location_id = _fk("location.id")
    name = Column(NAME)
    title = Column(NAME)
    department = Column(NAME)
    email = Column(NAME)
    __table_args__ = (Index("ix_contact_service_id", "service_id"),)


class Phone(Provenance, Base):
    __tablename__ = "phone"
    id = Column(ID, primary_key=True)
    location_id = _fk("location.id")
    service_id = _fk("service.id")
    organization_id = _fk("organization.id")
    contact_id = _fk("contact.id")
    service_at_location_id = _fk("service_at_location.id")
    number = Column(String(50), nullable=False)
    extension = Column(String(20))
    type = Column(String(20))
    description = Column(Text)
    __table_args__ = (
        Index("ix_phone_service_id", "service_id"),
        Index("ix_phone_organization_id", "organization_id"),
    )


class Address(Provenance, Base):
    __tablename__ = "address"
    id = Column(ID, primary_key=True)
    location_id = _fk("location.id", nullable=False)
    attention = Column(NAME)
    address_1 = Column(NAME, nullable=False)
    address_2 = Column(NAME)
    city = Column(String(100), nullable=False)
    region = Column(String(100))
    state_province = Column(String(100), nullable=False)
    postal_code = Column(String(20), nullable=False)
    country = Column(String(2), nullable=False)
    address_type = Column(String(20), nullable=False)
    __table_args__ = (Index("ix_address_location_id", "location_id"),)


class Schedule(Provenance, Base):
    """Weekly opening hours (HSDS schedule with freq WEEKLY); times are local Europe/Amsterdam."""

    __tablename__ = "schedule"
    id = Column(ID, primary_key=True)
    service_id = _fk("service.id")
    location_id = _fk("location.id")
    service_at_location_id = _fk("service_at_location.id")
    valid_from = Column(Date)
    valid_to = Column(Date)
    freq = Column(String(10), nullable=False, default="WEEKLY")
    byday = Column(String(30), nullable=False)
    opens_at = Column(Time)
    closes_at = Column(Time)
    description = Column(Text)
    notes = Column(Text)
    dtstart = Column(Date)
    timezone = Column(Float)
    until = Column(Date)
    count = Column(Integer)
    wkst = Column(String(2))
    interval = Column(Integer)
    byweekno = Column(String(200))
    bymonthday = Column(String(200))
    byyearday = Column(String(200))
    schedule_link = Column(URL)
    attending_type = Column(Text)
    __table_args__ = (
        Index("ix_schedule_service_id", "service_id"),
        Index("ix_schedule_location_id", "location_id"),
        Index("ix_schedule_service_at_location_id", "service_at_location_id"),
    )


class Taxonomy(Provenance, Base):
    __tablename__ = "taxonomy"
    id = Column(ID, primary_key=True)
    name = Column(NAME, nullable=False)
    description = Column(Text)
    uri = Column(URL)
    version = Column(String(50))


class TaxonomyTerm(Provenance, Base):
    __tablename__ = "taxonomy_term"
    id = Column(ID, primary_key=True)  # "thema:jobcoaching", "doelgroep:nugger"
    code = Column(String(100))
    name = Column(NAME, nullable=False)
    description = Column(Text)
    parent_id = _fk("taxonomy_term.id")
    taxonomy_id = _fk("taxonomy.id")
    language = Column(String(10))
    taxonomy = Column(NAME)
    term_uri = Column(URL)


class ServiceTaxonomy(Provenance, Base):
    """A service's theme: an HSDS 3.0 attribute with link_entity "service" and link_type "thema"."""

    __tablename__ = "service_taxonomy"
    id = Column(ID, primary_key=True)
    service_id = _fk("service.id", nullable=False)
    taxonomy_term_id = _fk("taxonomy_term.id", nullable=False)
    value = Column(Text)
    label = Column(NAME)
    # The search's second step: is this service about the theme asked for?
    __table_args__ = (
        UniqueConstraint("service_id", "taxonomy_term_id", name="uq_service_taxonomy_service_term"),
        Index("ix_service_taxonomy_term_service", "taxonomy_term_id", "service_id"),
    )


class Attribute(Provenance, Base):
    """Any other HSDS 3.0 attribute, such as a service's audience (link_type "doelgroep")."""

    __tablename__ = "attribute"
    id = Column(ID, primary_key=True)
    link_id = Column(ID, nullable=False)
    link_type = Column(String(50))
    link_entity = Column(String(50), nullable=False)
    taxonomy_term_id = _fk("taxonomy_term.id", nullable=False)
    value = Column(Text)
    label = Column(NAME)
    __table_args__ = (
        Index("ix_attribute_link", "link_entity", "link_id", "link_type"),
        Index("ix_attribute_term", "taxonomy_term_id"),
    )


class HsdsRecord(Provenance, Base):
    """A row of an HSDS table the assistant does not use itself (funding, languages, programs, …), kept as given.

    `data` holds the row's HSDS fields as JSON; the links are columns so that the read API can nest the rows."""

    __tablename__ = "hsds_record"
    table_name = Column(String(50), primary_key=True)  # the HSDS table: "funding", "language", …
    id = Column(ID, primary_key=True)
    organization_id = Column(ID)
    service_id = Column(ID)
    location_id = Column(ID)
    data = Column(Text, nullable=False)
    __table_args__ = (
        Index("ix_hsds_record_service_id", "service_id"),
        Index("ix_hsds_record_organization_id", "organization_id"),
        Index("ix_hsds_record_location_id", "location_id"),
    )


class UnmetNeed(Base):
    """How often the search found nothing nearby for a theme in a gemeente, per Dutch calendar month (the portal's
    insight shows the months: bot/insight/gaps.py). No personal data: counts and days only."""

    __tablename__ = "unmet_need"
    id = Column(Integer, primary_key=True, autoincrement=True)
    theme = Column(String(100), nullable=False)
    gemeente_code = Column(String(10), nullable=False)  # GMxxxx, or "onbekend"
    month = Column(Date, nullable=False)  # the first day of the month (Europe/Amsterdam)
    count = Column(Integer, nullable=False, default=0)
    first_seen = Column(Date, nullable=False)
    last_seen = Column(Date, nullable=False)
    __table_args__ = (
        UniqueConstraint("theme", "gemeente_code", "month", name="uq_unmet_need_theme_gemeente_month"),
        Index("ix_unmet_need_gemeente_month", "gemeente_code", "month"),
    )


# Parents before children: the order to insert in (reverse it to delete).
HSDS_MODELS = (
    Taxonomy,
    TaxonomyTerm,
    Organization,
    Service,
    Location,
    ServiceAtLocation,
    ServiceArea,
    Contact,
    Phone,
    Address,
    Schedule,
    ServiceTaxonomy,
    Attribute,
    HsdsRecord,
)
