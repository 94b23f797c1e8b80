"""The HSDS 3.0 tabular data package on disk: one CSV file per table plus datapackage.json.

Column names are the HSDS 3.0 field names, then this project's additions (see models.py). Values are text
here; validate.py turns them into typed records. Defaults for `source`, `assured_date` and `demo` may be set
once for the whole package in datapackage.json under "wegwijzer".
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import Boolean, Date, Float, Integer, Table, Time

from bot.socialmap import models

PROVENANCE = ("source", "assured_date", "demo")
DATAPACKAGE = "datapackage.json"

# File → the tables its rows go to. attributes.csv holds both themes (service_taxonomy) and other attributes.
FILES: Dict[str, Sequence[Table]] = {
    "taxonomies.csv": (models.Taxonomy.__table__,),
    "taxonomy_terms.csv": (models.TaxonomyTerm.__table__,),
    "organizations.csv": (models.Organization.__table__,),
    "services.csv": (models.Service.__table__,),
    "locations.csv": (models.Location.__table__,),
    "service_at_locations.csv": (models.ServiceAtLocation.__table__,),
    "service_areas.csv": (models.ServiceArea.__table__,),
    "contacts.csv": (models.Contact.__table__,),
    "phones.csv": (models.Phone.__table__,),
    "addresses.csv": (models.Address.__table__,),
    "schedules.csv": (models.Schedule.__table__,),
    "attributes.csv": (models.Attribute.__table__, models.ServiceTaxonomy.__table__),
}


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: Dict[str, str]


@dataclass
class Package:
    """What was read from disk: raw text rows with their file and line, and the package defaults."""

    path: Path
    defaults: Dict[str, str] = field(default_factory=dict)
    headers: Dict[str, List[str]] = field(default_factory=dict)
    rows: Dict[str, List[Row]] = field(default_factory=dict)
    errors: List[Tuple[str, str]] = field(default_factory=list)  # (file, reason) for what could not be read


def columns(file: str) -> List[str]:
    """The columns of `file` in export order: HSDS fields first, then this project's provenance fields."""
    if file == "attributes.csv":
        table = models.Attribute.__table__
    else:
        (table,) = FILES[file]
    names = [c.name for c in table.columns if c.name not in PROVENANCE]
    return names + list(PROVENANCE)


def _folder(path: Path) -> Path:
    return path.parent if path.name == DATAPACKAGE else path


def read_package(path: Path) -> Package:
    """Read every known CSV file in the package folder (or next to its datapackage.json)."""
    folder = _folder(Path(path))
    package = Package(path=folder)
    if not folder.is_dir():
        package.errors.append((str(folder), "map bestaat niet"))
        return package
    meta_path = folder / DATAPACKAGE
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            package.defaults = {k: str(v) for k, v in (meta.get("wegwijzer") or {}).items() if k in PROVENANCE}
        except (ValueError, UnicodeDecodeError) as exc:
            package.errors.append((DATAPACKAGE, f"geen geldige JSON ({exc})"))
    for file in FILES:
        if (folder / file).exists():
            _read_csv(folder / file, package)
    if not package.rows and not package.errors:
        package.errors.append((str(folder), "geen HSDS-bestanden gevonden (bijvoorbeeld organizations.csv)"))
    return package


def _read_csv(path: Path, package: Package) -> None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            rows: List[Row] = []
            line = reader.line_num
            for cells in reader:
                start, line = line + 1, reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
                if len(cells) > len(header):
                    values["__extra__"] = str(len(cells) - len(header))
                rows.append(Row(path.name, start, values))
    except (UnicodeDecodeError, csv.Error) as exc:
        package.errors.append((path.name, f"kan niet gelezen worden ({exc})"))
        return
    package.headers[path.name] = header
    package.rows[path.name] = rows


def records_to_files(records: Dict[str, List[Dict[str, Any]]]) -> Dict[str, List[Dict[str, Any]]]:
    """Typed records per table → rows per HSDS file; a service_taxonomy record becomes an attributes.csv row."""
    rows: Dict[str, List[Dict[str, Any]]] = {}
    for file, tables in FILES.items():
        for table in tables:
            for record in records.get(table.name, []):
                row = dict(record)
                if table.name == "service_taxonomy":
                    row.update(link_id=row.pop("service_id"), link_entity="service", link_type="thema")
                rows.setdefault(file, []).append(row)
    return rows


def to_text(value: Any) -> str:
    """A typed value as it is written in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def field_type(table: Table, column: str) -> str:
    """The datapackage field type of a column (string, integer, number, date, time, boolean)."""
    kind = table.c[column].type
    for sql_type, name in ((Boolean, "boolean"), (Integer, "integer"), (Float, "number"), (Date, "date"),
                           (Time, "time")):
        if isinstance(kind, sql_type):
            return name
    return "string"


def write_package(path: Path, rows: Dict[str, List[Dict[str, Any]]], title: str,
                  defaults: Optional[Dict[str, str]] = None) -> None:
    """Write `rows` (file → typed records) as CSV files sorted by id, with a datapackage.json describing them."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for file in FILES:
        records = sorted(rows.get(file, []), key=lambda r: str(r["id"]))
        names = columns(file)
        with (folder / file).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            writer.writerows([to_text(r.get(n)) for n in names] for r in records)
        table = FILES[file][0]
        resources.append({
            "name": table.name, "path": file, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": n, "type": field_type(table, n)} for n in names], "primaryKey": "id"},
        })
    meta: Dict[str, Any] = {"profile": "tabular-data-package", "name": "wegwijzer-sociale-kaart", "title": title,
                            "hsds_version": "3.0"}
    if defaults:
        meta["wegwijzer"] = defaults
    meta["resources"] = resources
    (folder / DATAPACKAGE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
