"""Public ids for the HSDS read API: HSDS gives every id `format: uuid`, while this project's records keep readable
ids ("svc-113", "thema:jobcoaching"). A readable id is published as a UUIDv5 of its table and id, stable for as long
as the record keeps its id; an id that already is a UUID (the official examples) is published as it is.

Going back (a UUID in a path or a filter) needs the table's ids: read once and kept until the table changes.
"""

from __future__ import annotations

import uuid
from threading import Lock
from typing import Any, Dict, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.socialmap import hsds_schema
from bot.socialmap.models import Base, HsdsRecord

NAMESPACE = uuid.UUID("3f0d7c2e-5b1a-5c8e-9a4d-7e6b2f1c0a93")  # this project's; never change it
# A field that holds another record's id → that record's table.
REFERENCES = {
    "organization_id": "organization",
    "parent_organization_id": "organization",
    "service_id": "service",
    "location_id": "location",
    "service_at_location_id": "service_at_location",
    "contact_id": "contact",
    "phone_id": "phone",
    "parent_id": "taxonomy_term",
    "taxonomy_id": "taxonomy",
    "taxonomy_term_id": "taxonomy_term",
    "program_id": "program",
}
# Nesting the read API adds beyond the table schemas (the compiled schemas have these).
EXTRA_NESTING = {("organization", "services"): "service", ("service_at_location", "service"): "service"}
_cache: Dict[str, Tuple[Tuple[Any, ...], Dict[str, str]]] = {}  # table → (state, public id → own id)
_lock = Lock()


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def public_id(table: str, value: Optional[str]) -> Optional[str]:
    if value is None or is_uuid(value):
        return value
    return str(uuid.uuid5(NAMESPACE, f"{table}/{value}"))


def publish(table: str, record: Any) -> Any:
    """A JSON record of `table` (nested records too) with every id and reference made public."""
    if isinstance(record, list):
        return [publish(table, r) for r in record]
    if not isinstance(record, dict):
        return record
    out = dict(record)
    if "id" in out:
        out["id"] = public_id(table, out["id"])
    for field, target in REFERENCES.items():
        if isinstance(out.get(field), str):
            out[field] = public_id(target, out[field])
    for field, kind in (("link_id", "link_entity"), ("resource_id", "resource_type")):
        if isinstance(out.get(field), str) and out.get(kind) in hsds_schema.tables():
            out[field] = public_id(out[kind], out[field])
    children = {name: child for name, child, _ in hsds_schema.nested(table)}
    children.update({name: child for (parent, name), child in EXTRA_NESTING.items() if parent == table})
    for name, child in children.items():
        if name in out:
            out[name] = publish(child, out[name])
    return out


def _ids_query(table: str) -> Any:
    if table in Base.metadata.tables:
        return Base.metadata.tables[table].c.id, None
    return HsdsRecord.id, HsdsRecord.table_name == table


def own_id(session: Session, table: str, value: str) -> str:
    """The record's own id for a public id (or for its own id, which is accepted too); unknown stays as given."""
    if not is_uuid(value):
        return value
    column, where = _ids_query(table)
    with _lock:
        known = _cache.get(table, ((), {}))[1].get(value.lower())
    exists_query = select(column).where(column == known)
    if known is not None and session.execute(exists_query if where is None else exists_query.where(where)).first():
        return known  # the usual case: one look-up by primary key
    state_query = select(func.count(column), func.min(column), func.max(column), func.sum(func.length(column)))
    state = tuple(session.execute(state_query if where is None else state_query.where(where)).one())
    with _lock:
        cached = _cache.get(table)
    if cached is None or cached[0] != state:
        ids_query = select(column) if where is None else select(column).where(where)
        mapping = {str(public_id(table, i)): i for i in session.execute(ids_query).scalars()}
        with _lock:
            _cache[table] = cached = (state, mapping)
    return cached[1].get(value.lower(), value)
