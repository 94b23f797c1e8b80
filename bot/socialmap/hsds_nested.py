"""HSDS 3.0 nested JSON (a fully nested service or organization, or a list of them) read as a tabular package.

The JSON is flattened into the same rows the CSV files hold, with the links the nesting implies filled in, so
the one validator (validate.py) checks both, and an import of JSON and of CSV is the same import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.socialmap import hsds_schema
from bot.socialmap.package import ALL_FILES, Package, Row, hsds_table

FILE_OF_TABLE = {hsds_table(f): f for f in ALL_FILES}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Flattener:
    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.rows: Dict[str, Dict[str, Dict[str, Any]]] = {}  # table → id → flat fields
        self.errors: List[Tuple[str, str]] = []

    def add(self, table: str, item: Any, parent: Optional[Tuple[str, Dict[str, Any]]] = None) -> None:
        if not isinstance(item, dict) or not item.get("id"):
            self.errors.append((self.source_name, f"een {table} zonder id wordt overgeslagen"))
            return
        flat = {k: v for k, v in item.items() if k in hsds_schema.field_names(table)}
        if parent:
            self._link(table, flat, *parent)
        for name, child, many in hsds_schema.nested(table):
            value = item.get(name)
            if value is None:
                continue
            if not many and isinstance(value, dict) and f"{child}_id" in hsds_schema.field_names(table):
                flat.setdefault(f"{child}_id", value.get("id"))
            for element in value if many and isinstance(value, list) else [value]:
                self.add(child, element, (table, flat))
        known = self.rows.setdefault(table, {}).setdefault(str(item["id"]), {})
        known.update({k: v for k, v in flat.items() if v not in (None, "") or k not in known})

    @staticmethod
    def _link(table: str, flat: Dict[str, Any], parent_table: str, parent: Dict[str, Any]) -> None:
        """The link a nesting implies: a phone inside a service belongs to that service, and so on."""
        fields = hsds_schema.field_names(table)
        if f"{parent_table}_id" in fields and not flat.get(f"{parent_table}_id"):
            flat[f"{parent_table}_id"] = parent.get("id")
        if table == "attribute" and not flat.get("link_id"):
            flat.update(link_id=parent.get("id"), link_entity=flat.get("link_entity") or parent_table)
        if table == "metadata" and not flat.get("resource_id"):
            flat.update(resource_id=parent.get("id"), resource_type=flat.get("resource_type") or parent_table)

    def package(self, path: Path) -> Package:
        package = Package(path=path, defaults={"source": path.stem}, errors=list(self.errors))
        for table, records in self.rows.items():
            file = FILE_OF_TABLE[table]
            header = [f for f in hsds_schema.field_names(table) if any(f in r for r in records.values())]
            package.headers[file] = header
            package.rows[file] = [
                Row(f"{self.source_name} ({file})", number, {h: _text(r.get(h)) for h in header})
                for number, r in enumerate(records.values(), start=1)
            ]
        return package


def read_nested(path: Path, table: Optional[str] = None) -> Package:
    """Read a nested HSDS JSON file: one service or organization, a list of them, or a page ({"contents": […]}).

    `table` says what the top level is ("service", "organization", "service_at_location"); without it, an
    object with a `status` is a service, else an organization."""
    path = Path(path)
    flattener = _Flattener(path.name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return Package(path=path, errors=[(path.name, f"geen geldige JSON ({exc})")])
    items = data.get("contents", [data]) if isinstance(data, dict) else data
    for item in items if isinstance(items, list) else []:
        top = table or ("service" if isinstance(item, dict) and "status" in item else "organization")
        flattener.add(top, item)
    if not flattener.rows and not flattener.errors:
        flattener.errors.append((path.name, "geen HSDS-gegevens gevonden (een service of organization)"))
    return flattener.package(path)
