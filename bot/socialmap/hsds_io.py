"""Import and export of the social map as an HSDS 3.0 tabular data package, all or nothing.

An import is checked completely first (validate.py); only a package without problems is written, in the
caller's transaction. `replace_source` swaps one source's records for the package's in that same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.common import settings
from bot.socialmap import hsds_ids, models
from bot.socialmap.hsds_nested import read_nested
from bot.socialmap.package import ALL_FILES, DATAPACKAGE, hsds_table, read_package, records_to_files, write_package
from bot.socialmap.taxonomy import load_taxonomy
from bot.socialmap.validate import Existing, Problem, validate

TAXONOMY_SOURCE = "taxonomy.yml"
INSERT_CHUNK = 5000


@dataclass
class ImportReport:
    path: str
    source: Optional[str]
    counts: Dict[str, int] = field(default_factory=dict)
    deleted: int = 0
    problems: List[Problem] = field(default_factory=list)
    warnings: List[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> List[str]:
        """The report in plain Dutch, one line each."""
        if not self.ok:
            head = f"Niet geïmporteerd: {len(self.problems)} probleem/problemen in {self.path}. Er is niets opgeslagen."
            return [head] + [f"- {p}" for p in self.problems] + [f"- let op: {w}" for w in self.warnings]
        counts = ", ".join(f"{n} {t}" for t, n in self.counts.items() if n)
        replaced = f" (eerst {self.deleted} records van bron '{self.source}' verwijderd)" if self.source else ""
        notes = [f"- let op: {w}" for w in self.warnings]
        return [f"Geïmporteerd uit {self.path}: {counts or 'niets'}{replaced}."] + notes


class ImportRejected(Exception):
    """Raised so that the caller's transaction rolls back; `report` says why."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("; ".join(str(p) for p in report.problems[:5]))
        self.report = report


def _tables() -> List[Any]:
    return [m.__table__ for m in models.HSDS_MODELS]


def existing_ids(session: Session) -> Existing:
    """Every record id in the database with its source, per table (hsds_record per HSDS table: "hsds:funding")."""
    found: Existing = {
        t.name: dict(session.execute(select(t.c.id, t.c.source)).all())
        for t in _tables()
        if t.name != models.HsdsRecord.__tablename__
    }
    kept = models.HsdsRecord.__table__
    for table_name, record_id, source in session.execute(select(kept.c.table_name, kept.c.id, kept.c.source)):
        found.setdefault(f"hsds:{table_name}", {})[record_id] = source
    return found


def sync_taxonomy(session: Session) -> None:
    """Make the taxonomy tables match knowledge/socialmap/taxonomy.yml (the file is the source of truth)."""
    taxonomy = load_taxonomy()
    provenance = {"source": TAXONOMY_SOURCE, "assured_date": taxonomy.assured_date, "demo": False}
    for key, item in taxonomy.taxonomies.items():
        session.merge(
            models.Taxonomy(
                id=key, name=item["name"], description=item.get("description"), version=taxonomy.version, **provenance
            )
        )
    for term in taxonomy.terms.values():
        session.merge(
            models.TaxonomyTerm(
                id=term.id,
                code=term.code,
                name=term.label,
                description=term.description,
                taxonomy_id=term.taxonomy,
                language="nl",
                **provenance,
            )
        )
    session.flush()


def insert_records(session: Session, records: Dict[str, List[Dict[str, Any]]]) -> Dict[str, int]:
    """Insert typed records (table name → rows), parents first, in chunks; returns counts per table."""
    counts: Dict[str, int] = {}
    for table in _tables():
        rows = records.get(table.name, [])
        for start in range(0, len(rows), INSERT_CHUNK):
            session.execute(table.insert(), rows[start : start + INSERT_CHUNK])
        counts[table.name] = len(rows)
    return counts


def delete_source(session: Session, source: str) -> int:
    """Delete every record of `source`, children first. Returns how many."""
    total = 0
    for table in reversed(_tables()):
        total += session.execute(delete(table).where(table.c.source == source)).rowcount or 0
    return total


def _foreign_key_problems(session: Session) -> List[Problem]:
    """Check the deferred foreign keys now, so a broken reference is a report line, not a failed commit."""
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text("PRAGMA foreign_key_check")).all()
        return [Problem(f"tabel {r[0]}", 0, f"verwijst naar een {r[2]} die niet (meer) bestaat") for r in rows]
    try:
        with session.begin_nested():
            session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    except IntegrityError as exc:
        return [Problem("database", 0, f"een verwijzing klopt niet meer: {exc.orig}")]
    finally:
        session.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    return []


def import_package(session: Session, path: Path, replace_source: Optional[str] = None) -> ImportReport:
    """Validate and import the package at `path` (a folder of CSV files, or one nested HSDS JSON file); raises
    ImportRejected (write nothing) on any problem."""
    report = ImportReport(path=str(path), source=replace_source)
    if replace_source == TAXONOMY_SOURCE:
        message = f"bron '{TAXONOMY_SOURCE}' is de taxonomie en wordt niet vervangen"
        report.problems.append(Problem(str(path), 0, message))
        raise ImportRejected(report)
    path = Path(path)
    package = read_nested(path) if path.suffix == ".json" and path.name != DATAPACKAGE else read_package(path)
    validated = validate(package, existing_ids(session), replace_source)
    report.problems, report.warnings = validated.problems, validated.warnings
    if not validated.ok:
        raise ImportRejected(report)
    sync_taxonomy(session)
    if replace_source:
        report.deleted = delete_source(session, replace_source)
    report.counts = insert_records(session, validated.records)
    session.flush()
    report.problems = _foreign_key_problems(session)
    if report.problems:
        raise ImportRejected(report)
    return report


def remove_source(session: Session, source: str) -> int:
    """Delete one source; raises ImportRejected (delete nothing) when other sources still refer to it."""
    removed = delete_source(session, source)
    problems = _foreign_key_problems(session)
    if problems:
        raise ImportRejected(ImportReport(path=source, source=source, problems=problems))
    return removed


def _export_records(session: Session, source: Optional[str]) -> Dict[str, List[Dict[str, Any]]]:
    records: Dict[str, List[Dict[str, Any]]] = {}
    for table in _tables():
        query = select(table).order_by(table.c.id)
        if source:
            query = query.where(table.c.source == source)
        records[table.name] = [dict(r) for r in session.execute(query).mappings()]
    return records


def export_package(
    session: Session, path: Path, source: Optional[str] = None, public_ids: bool = False
) -> Dict[str, int]:
    """Write the social map (or one source of it) as an HSDS package at `path`; returns rows per file.

    With `public_ids`, every id is the UUID the read API publishes (HSDS's `format: uuid`), for other systems;
    without, the records' own ids, so the package imports back into this project as it was."""
    rows = records_to_files(_export_records(session, source))
    if public_ids:
        rows = {file: [hsds_ids.publish(hsds_table(file), r) for r in found] for file, found in rows.items()}
    write_package(Path(path), rows, title="Sociale kaart Wegwijzer Werk (export)")
    return {file: len(rows.get(file, [])) for file in ALL_FILES}


def shipped_packages(folder: Optional[Path] = None) -> List[Path]:
    """The data packages that ship with the assistant: every folder in knowledge/socialmap with a datapackage."""
    folder = folder or settings.KNOWLEDGE_DIR / "socialmap"
    return sorted(p.parent for p in folder.glob("*/datapackage.json"))


def load_shipped(session: Session, packages: Optional[Iterable[Path]] = None) -> List[ImportReport]:
    """(Re)load the shipped packages, each replacing its own source: running it twice changes nothing."""
    reports = []
    for path in packages if packages is not None else shipped_packages():
        source = read_package(path).defaults.get("source")
        if not source:
            report = ImportReport(path=str(path), source=None)
            report.problems.append(Problem("datapackage.json", 0, "wegwijzer.source ontbreekt"))
            raise ImportRejected(report)
        reports.append(import_package(session, path, replace_source=source))
    return reports
