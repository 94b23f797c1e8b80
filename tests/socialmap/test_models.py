"""The HSDS tables hold what the search needs, with provenance, constraints and indexes on the hot path."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from bot.common.db import get_engine, session_scope
from bot.socialmap import models
from bot.socialmap.hsds_io import sync_taxonomy

TODAY = dt.date(2026, 11, 24)


def _service(session, service_id: str = "s1") -> None:
    provenance = dict(source="test", assured_date=TODAY)
    session.add(models.Organization(id="o1", name="Org", description="Een organisatie.", **provenance))
    session.add(models.Service(id=service_id, organization_id="o1", name="Dienst", status="active", **provenance))
    session.add(
        models.ServiceTaxonomy(
            id=f"{service_id}-t", service_id=service_id, taxonomy_term_id="thema:jobcoaching", **provenance
        )
    )
    session.add(
        models.ServiceArea(id=f"{service_id}-a", service_id=service_id, scope="gemeente", code="GM0321", **provenance)
    )


def test_every_hsds_table_carries_provenance() -> None:
    for model in models.HSDS_MODELS:
        columns = model.__table__.c
        assert {"source", "assured_date", "demo"} <= set(columns.keys()), model.__tablename__
        # Every record has a source; when it was last checked is only known when somebody said so (HSDS 3.0).
        assert not columns.source.nullable and columns.assured_date.nullable


def test_records_round_trip_with_demo_false_by_default(db_url: str) -> None:
    with session_scope(db_url) as session:
        sync_taxonomy(session)
        _service(session)
    with session_scope(db_url) as session:
        service = session.get(models.Service, "s1")
        assert service.demo is False and service.assured_date == TODAY
        assert (
            session.execute(
                select(models.TaxonomyTerm.name).where(models.TaxonomyTerm.id == "thema:jobcoaching")
            ).scalar()
            == "Jobcoaching"
        )


def test_a_theme_links_to_a_service_once(db_url: str) -> None:
    with session_scope(db_url) as session:
        sync_taxonomy(session)
        _service(session)
    with pytest.raises(IntegrityError):
        with session_scope(db_url) as session:
            session.add(
                models.ServiceTaxonomy(
                    id="again", service_id="s1", taxonomy_term_id="thema:jobcoaching", source="test", assured_date=TODAY
                )
            )


def test_unmet_need_is_unique_per_theme_gemeente_and_month(db_url: str) -> None:
    month = TODAY.replace(day=1)
    need = dict(theme="zzp", gemeente_code="GM0321", month=month, count=1, first_seen=TODAY, last_seen=TODAY)
    with session_scope(db_url) as session:
        session.add(models.UnmetNeed(**need))
        session.add(models.UnmetNeed(**{**need, "month": month.replace(year=month.year - 1)}))  # another month
    with pytest.raises(IntegrityError):
        with session_scope(db_url) as session:
            session.add(models.UnmetNeed(**need))


def test_unmet_need_has_no_room_for_personal_data() -> None:
    assert set(models.UnmetNeed.__table__.c.keys()) == {
        "id",
        "theme",
        "gemeente_code",
        "month",
        "count",
        "first_seen",
        "last_seen",
    }


def test_hot_path_indexes_exist(sqlite_url: str) -> None:
    inspector = inspect(get_engine(sqlite_url))
    area = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("service_area")}
    assert area["ix_service_area_scope_code_service"] == ["scope", "code", "service_id"]
    themes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("service_taxonomy")}
    assert themes["ix_service_taxonomy_term_service"] == ["taxonomy_term_id", "service_id"]
    attributes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("attribute")}
    assert attributes["ix_attribute_link"] == ["link_entity", "link_id", "link_type"]
