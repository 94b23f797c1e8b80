"""The official HSDS 3.0 JSON schemas (knowledge/socialmap/hsds-3.0): column order, field types and validators.

One place reads them, so the package files, the JSON answers of the read API and the tests share one idea of what
HSDS says. The files keep their upstream addresses, so `openapi.json`'s references resolve without the network.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from jsonschema import Draft202012Validator, FormatChecker, RefResolver

from bot.common import settings

BASE_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
# JSON Schema 2020-12 treats `format` as an annotation; we assert email and date-time, and `uuid` where ids are
# published (the read API, bot/socialmap/hsds_ids.py). Files keep the records' own readable ids ("svc-113"), so
# there `uuid` stays an annotation, as does `uri`.
ASSERTED_FORMATS = ("email",)


def schema_dir() -> Path:
    return settings.KNOWLEDGE_DIR / "socialmap" / "hsds-3.0" / "schema"


@lru_cache(maxsize=1)
def _store() -> Dict[str, Dict[str, Any]]:
    folder = schema_dir()
    store: Dict[str, Dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")) + sorted(folder.glob("compiled/*.json")):
        store[BASE_URL + path.relative_to(folder).as_posix()] = json.loads(path.read_text(encoding="utf-8"))
    # openapi.json points at the fully inlined compiled/service.json and compiled/organization.json (not copied);
    # the per-table schemas say the same one file at a time, and their relative references resolve from there too.
    for path in sorted(folder.glob("*.json")):
        store.setdefault(BASE_URL + "compiled/" + path.name, store[BASE_URL + path.name])
    return store


def schema(name: str) -> Dict[str, Any]:
    """The schema file `name` ("service.json", "openapi.json", "compiled/service_list.json")."""
    return _store()[BASE_URL + name]


@lru_cache(maxsize=None)
def table_schema(table: str) -> Dict[str, Any]:
    """The schema of one HSDS table by its name ("service", "service_at_location", …)."""
    return schema(f"{table}.json")


def tables() -> List[str]:
    """The HSDS tables in the specification's own order (datapackage_metadata.order)."""
    found = [
        (s.get("datapackage_metadata", {}).get("order", 99), s["name"])
        for url, s in _store().items()
        if url.count("/") == BASE_URL.count("/") and "path" in s and url.endswith(f"/{s['name']}.json")
    ]
    return [name for _, name in sorted(found)]


def file_of(table: str) -> str:
    """The CSV file HSDS names for `table` ("service_at_location" → "service_at_location.csv")."""
    return str(table_schema(table)["path"])


def fields(table: str) -> List[Tuple[str, Dict[str, Any]]]:
    """The flat (tabular) fields of `table` in HSDS order: no nested arrays or objects."""
    return [
        (name, spec)
        for name, spec in table_schema(table)["properties"].items()
        if spec.get("type") not in ("array", "object") and "$ref" not in spec
    ]


def nested(table: str) -> Iterator[Tuple[str, str, bool]]:
    """(property, child table, is a list) for each nested property of `table` in its HSDS schema."""
    for name, spec in table_schema(table)["properties"].items():
        ref = spec.get("$ref") or (spec.get("items") or {}).get("$ref")
        if ref:
            yield name, ref.rsplit("/", 1)[-1].removesuffix(".json"), spec.get("type") == "array"


def field_names(table: str) -> List[str]:
    return [name for name, _ in fields(table)]


def json_value(spec: Dict[str, Any], value: Any) -> Any:
    """A stored value as HSDS JSON wants it (`spec` is the field's schema); None when it cannot be said so."""
    if value is None or value == "":
        return None
    if spec.get("type") == "number":
        if isinstance(value, bool):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() else number
    if spec.get("type") == "boolean":
        return bool(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds") + "Z" if value.tzinfo is None else value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_json(table: str, record: Dict[str, Any]) -> Dict[str, Any]:
    """The HSDS fields of one flat record, typed as the schema says; empty fields are left out."""
    out: Dict[str, Any] = {}
    for name, spec in fields(table):
        value = json_value(spec, record.get(name))
        if value is not None:
            out[name] = value
    return out


def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time (jsonschema's own check needs a package Rasa's pins leave out)."""
    if not isinstance(value, str):
        return True
    if "T" not in value.upper() or not (value.endswith(("Z", "z")) or value[-6] in "+-"):
        return False
    dt.datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
    return True


def _resolver(document: Dict[str, Any], base: str) -> RefResolver:
    return RefResolver(base_uri=base, referrer=document, store=_store())


def validator(name: str, pointer: Optional[str] = None, uuid: bool = False) -> Draft202012Validator:
    """A validator for the schema file `name`, or for the part of it at the JSON `pointer` (for openapi.json);
    `uuid` asserts that ids are UUIDs."""
    document = schema(name)
    target: Any = document
    for part in (pointer or "").strip("/").split("/") if pointer else []:
        target = target[part.replace("~1", "/").replace("~0", "~")]
    checker = FormatChecker(formats=ASSERTED_FORMATS + (("uuid",) if uuid else ()))
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    return Draft202012Validator(target, resolver=_resolver(document, BASE_URL + name), format_checker=checker)


def errors(name: str, instance: Any, pointer: Optional[str] = None, uuid: bool = False) -> List[str]:
    """Every way `instance` breaks the schema, as 'path: message' lines (empty when valid)."""
    found = validator(name, pointer, uuid).iter_errors(instance)
    return sorted(f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found)


def csv_row_errors(table: str, values: Dict[str, str], uuid: bool = False) -> List[str]:
    """Every way one CSV row of `table` breaks the table's HSDS schema: cells typed as the schema says (a number
    that is not one stays text and fails), empty cells left out, this project's extra columns ignored."""
    specs = dict(fields(table))
    row: Dict[str, Any] = {}
    for name, text in values.items():
        if name in specs and text != "":
            typed = json_value(specs[name], text)
            row[name] = text if typed is None else typed
    return errors(f"{table}.json", row, uuid=uuid)
