"""The HSDS 3.0 tabular data package on disk: one CSV file per table plus datapackage.json.

File names, column order and field types are the official HSDS 3.0 ones (bot/socialmap/hsds_schema.py); this
project's additions (see models.py) follow the HSDS columns and are optional. Values are text here; validate.py
turns them into typed records. Defaults for `source`, `assured_date` and `demo` may be set once for the whole
package in datapackage.json under "wegwijzer".
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table, Time

from bot.socialmap import hsds_schema, models

PROVENANCE = ("source", "assured_date", "demo")
DATAPACKAGE = "datapackage.json"

# File → the tables its rows go to. attributes.csv holds both themes (service_taxonomy) and other attributes.
FILES: Dict[str, Sequence[Table]] = {
    "taxonomies.csv": (models.Taxonomy.__table__,),
    "taxonomy_terms.csv": (models.TaxonomyTerm.__table__,),
    "organizations.csv": (models.Organization.__table__,),
    "services.csv": (models.Service.__table__,),
    "locations.csv": (models.Location.__table__,),
    "service_at_location.csv": (models.ServiceAtLocation.__table__,),
    "service_areas.csv": (models.ServiceArea.__table__,),
    "contacts.csv": (models.Contact.__table__,),
    "phones.csv": (models.Phone.__table__,),
    "addresses.csv": (models.Address.__table__,),
    "schedules.csv": (models.Schedule.__table__,),
    "attributes.csv": (models.Attribute.__table__, models.ServiceTaxonomy.__table__),
}
# File → HSDS table, for the tables the assistant does not use itself: kept as given in hsds_record.
EXTRA_FILES: Dict[str, str] = {
    hsds_schema.file_of(t): t
    for t in (
        "program",
        "funding",
        "required_document",
        "language",
        "accessibility",
        "metadata",
        "meta_table_description",
        "cost_option",
        "organization_identifier",
    )
}
# Names this project used before it followed HSDS 3.0 exactly; still read, never written.
OLD_NAMES = {"service_at_locations.csv": "service_at_location.csv"}
ALL_FILES = (*FILES, *EXTRA_FILES)


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
    rows: Dict[str, List[Row]] = field(default_factory=dict)  # by the HSDS file name, whatever the file was called
    errors: List[Tuple[str, str]] = field(default_factory=list)  # (file, reason) for what could not be read
    notes: List[Tuple[str, str]] = field(default_factory=list)  # (file, remark) worth telling, not a problem


def hsds_table(file: str) -> str:
    """The HSDS table of a package file ("attributes.csv" → "attribute")."""
    return EXTRA_FILES.get(file) or FILES[file][0].name


def provenance_columns(file: str) -> List[str]:
    """This project's provenance columns in `file`. In a table kept as given, an HSDS field of the same name wins
    (funding.csv `source` is where the money comes from); service.assured_date is HSDS's own and the same thing."""
    if file in FILES:
        return list(PROVENANCE)
    return [p for p in PROVENANCE if p not in hsds_schema.field_names(hsds_table(file))]


def columns(file: str) -> List[str]:
    """The columns of `file` in export order: the HSDS fields in HSDS order, then this project's additions."""
    names = hsds_schema.field_names(hsds_table(file))
    if file in FILES:
        table = FILES[file][0]
        names += [c.name for c in table.columns if c.name not in names and c.name not in PROVENANCE]
    return names + [p for p in provenance_columns(file) if p not in names]


def _folder(path: Path) -> Path:
    return path.parent if path.name == DATAPACKAGE else path


def read_package(path: Path) -> Package:
    """Read every known CSV file in the package folder (or next to its datapackage.json)."""
    folder = _folder(Path(path))
    package = Package(path=folder)
    if not folder.is_dir():
        package.errors.append((str(folder), "map bestaat niet"))
        return package
    _read_datapackage(folder, package)
    for old, new in OLD_NAMES.items():
        if (folder / old).exists() and (folder / new).exists():
            package.errors.append((old, f"staat naast {new}: gebruik alleen {new} (de naam in HSDS 3.0)"))
    for file in ALL_FILES:
        former = next((o for o, n in OLD_NAMES.items() if n == file), None)
        if (folder / file).exists():
            _read_csv(folder / file, file, package)
        elif former and (folder / former).exists():
            _read_csv(folder / former, file, package)
    if not package.rows and not package.errors:
        package.errors.append((str(folder), "geen HSDS-bestanden gevonden (bijvoorbeeld organizations.csv)"))
    return package


def _read_datapackage(folder: Path, package: Package) -> None:
    """The package defaults; the name of the package is the default source."""
    meta_path = folder / DATAPACKAGE
    package.defaults = {"source": folder.name}
    if not meta_path.exists():
        return
    try:
        text = meta_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        package.errors.append((DATAPACKAGE, f"geen geldige JSON ({exc})"))
        return
    if text.strip().endswith(".json") and "{" not in text:
        # A symbolic link checked out as text (so it is in the official HSDS example package).
        package.notes.append(
            (DATAPACKAGE, f"is een verwijzing naar {text.strip()}; de CSV-bestanden zijn zonder gelezen")
        )
        return
    try:
        meta = json.loads(text)
    except ValueError as exc:
        package.errors.append((DATAPACKAGE, f"geen geldige JSON ({exc})"))
        return
    if isinstance(meta.get("name"), str) and meta["name"].strip():
        package.defaults["source"] = meta["name"].strip()
    package.defaults.update({k: str(v) for k, v in (meta.get("wegwijzer") or {}).items() if k in PROVENANCE})


def _read_csv(path: Path, file: str, package: Package) -> None:
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
    package.headers[file] = header
    package.rows[file] = rows


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
    files_of = {table: file for file, table in EXTRA_FILES.items()}
    for record in records.get(models.HsdsRecord.__tablename__, []):
        file = files_of[record["table_name"]]
        row = {p: record.get(p) for p in provenance_columns(file)}
        rows.setdefault(file, []).append({**row, **json.loads(record["data"])})
    return rows


def to_text(value: Any) -> str:
    """A typed value as it is written in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return hsds_schema.json_value({}, value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def field_type(file: str, column: str) -> str:
    """The datapackage field type of a column: HSDS's own for its fields, else from the model."""
    spec = dict(hsds_schema.fields(hsds_table(file))).get(column)
    if spec is not None:
        return str(spec.get("datapackage_type") or spec.get("type") or "string")
    kind = models.Base.metadata.tables[FILES[file][0].name].c[column].type if file in FILES else None
    for sql_type, name in (
        (Boolean, "boolean"),
        (Integer, "integer"),
        (Float, "number"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),
    ):
        if isinstance(kind, sql_type):
            return name
    return "string"


def write_package(
    path: Path, rows: Dict[str, List[Dict[str, Any]]], title: str, defaults: Optional[Dict[str, str]] = None
) -> None:
    """Write `rows` (file → typed records) as CSV files sorted by id, with a datapackage.json describing them."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for file in ALL_FILES:
        records = sorted(rows.get(file, []), key=lambda r: str(r["id"]))
        names = columns(file)
        with (folder / file).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            writer.writerows([to_text(r.get(n)) for n in names] for r in records)
        resources.append(
            {
                "name": hsds_table(file),
                "path": file,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": n, "type": field_type(file, n)} for n in names], "primaryKey": "id"},
            }
        )
    meta: Dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "wegwijzer-sociale-kaart",
        "title": title,
        "hsds_version": "3.0",
    }
    if defaults:
        meta["wegwijzer"] = defaults
    meta["resources"] = resources
    (folder / DATAPACKAGE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
