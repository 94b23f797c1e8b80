"""Check an HSDS data package row by row before anything is written, and turn its text into typed records.

Every problem names the file, the line and the reason in plain Dutch, so that the person who made the file
can fix all of them in one go.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from sqlalchemy import Boolean, Date, Float, Integer, String, Table, Time

from bot import regions
from bot.socialmap import models
from bot.socialmap.package import FILES, PROVENANCE, Package, Row
from bot.socialmap.taxonomy import THEME, load_taxonomy

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Entities an attribute may point at (HSDS 3.0 link_entity), with the table holding their ids.
LINK_ENTITIES = ("organization", "service", "location", "service_at_location", "contact", "phone", "schedule")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEB = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,29}$")
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
TRUE, FALSE = ("true", "1", "ja", "yes", "waar"), ("false", "0", "nee", "no", "onwaar")

Existing = Dict[str, Dict[str, str]]  # table name → record id → source


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}, regel {self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class Validated:
    records: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)  # table name → typed records
    problems: List[Problem] = field(default_factory=list)
    warnings: List[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class RowError(ValueError):
    """One reason a row is wrong; collected, never raised past this module."""


def _convert(table: Table, column: str, text: str) -> Any:
    kind = table.c[column].type
    text = text.strip()
    if text == "":
        return None
    if isinstance(kind, Boolean):
        if text.lower() in TRUE + FALSE:
            return text.lower() in TRUE
        raise RowError(f"{column}: '{text}' is geen ja/nee-waarde (gebruik true of false)")
    if isinstance(kind, Integer):
        if not re.fullmatch(r"-?\d+", text):
            raise RowError(f"{column}: '{text}' is geen geheel getal")
        return int(text)
    if isinstance(kind, Float):
        try:
            return float(text)
        except ValueError:
            raise RowError(f"{column}: '{text}' is geen getal (gebruik een punt als decimaalteken)") from None
    if isinstance(kind, Date):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise RowError(f"{column}: '{text}' is geen datum (gebruik JJJJ-MM-DD)") from None
    if isinstance(kind, Time):
        match = TIME.match(text)
        if not match:
            raise RowError(f"{column}: '{text}' is geen geldige tijd (gebruik UU:MM, lokale tijd, 00:00–23:59)")
        return dt.time(int(match.group(1)), int(match.group(2)))
    if isinstance(kind, String) and kind.length and len(text) > kind.length:
        raise RowError(f"{column}: langer dan {kind.length} tekens")
    return text


def _required(table: Table) -> List[str]:
    return [c.name for c in table.columns if not c.nullable and c.name not in PROVENANCE and c.default is None]


def _check_format(record: Dict[str, Any], columns: Tuple[str, ...], pattern: re.Pattern, what: str) -> None:
    for column in columns:
        value = record.get(column)
        if value and not pattern.match(value):
            raise RowError(f"{column}: '{value}' is geen geldig {what}")


def _one_of(record: Dict[str, Any], column: str, allowed: Tuple[str, ...]) -> None:
    if record.get(column) not in allowed:
        raise RowError(f"{column}: '{record.get(column)}' moet een van deze zijn: {', '.join(allowed)}")


def _any_parent(record: Dict[str, Any], parents: Tuple[str, ...]) -> None:
    if not any(record.get(p) for p in parents):
        raise RowError(f"hoort bij niets: vul een van deze in: {', '.join(parents)}")


def _check_organization(r: Dict[str, Any]) -> None:
    _check_format(r, ("email",), EMAIL, "e-mailadres")
    _check_format(r, ("website",), WEB, "webadres (begin met https://)")


def _check_service(r: Dict[str, Any]) -> None:
    _one_of(r, "status", models.SERVICE_STATUSES)
    _check_format(r, ("email", "assurer_email"), EMAIL, "e-mailadres")
    _check_format(r, ("url",), WEB, "webadres (begin met https://)")
    low, high = r.get("minimum_age"), r.get("maximum_age")
    if (low is not None and low < 0) or (high is not None and high < 0):
        raise RowError("een leeftijd kan niet negatief zijn")
    if low is not None and high is not None and low > high:
        raise RowError(f"minimum_age ({low}) is hoger dan maximum_age ({high})")


def _check_location(r: Dict[str, Any]) -> None:
    _one_of(r, "location_type", models.LOCATION_TYPES)
    _check_format(r, ("url",), WEB, "webadres (begin met https://)")
    if r.get("latitude") is not None and not -90 <= r["latitude"] <= 90:
        raise RowError("latitude ligt niet tussen -90 en 90")
    if r.get("longitude") is not None and not -180 <= r["longitude"] <= 180:
        raise RowError("longitude ligt niet tussen -180 en 180")


def _check_service_area(r: Dict[str, Any]) -> None:
    _one_of(r, "scope", models.SCOPES)
    code = (r.get("code") or "").strip().upper()
    if r["scope"] == "landelijk":
        if code not in ("", regions.LANDELIJK):
            raise RowError(f"code: bij scope landelijk hoort code {regions.LANDELIJK}, niet '{code}'")
        r["code"] = regions.LANDELIJK
    elif r["scope"] == "gemeente":
        if not regions.get_gemeente(code):
            hint = regions.resolve_gemeente(r.get("code") or "")
            tip = f" (bedoelt u {hint.gemeente.code}, {hint.gemeente.name}?)" if hint.found else ""
            raise RowError(f"onbekende gemeente '{r.get('code')}': gebruik een CBS-code uit gemeenten-2020.csv{tip}")
        r["code"] = code
    else:
        if not regions.get_arbeidsmarktregio(code):
            raise RowError(f"onbekende arbeidsmarktregio '{r.get('code')}': gebruik AR01 tot en met AR35")
        r["code"] = code


def _check_contact(r: Dict[str, Any]) -> None:
    _any_parent(r, ("organization_id", "service_id", "service_at_location_id", "location_id"))
    _check_format(r, ("email",), EMAIL, "e-mailadres")


def _check_phone(r: Dict[str, Any]) -> None:
    _any_parent(r, ("organization_id", "service_id", "location_id", "contact_id", "service_at_location_id"))
    if not PHONE.match(r["number"]) or sum(ch.isdigit() for ch in r["number"]) < 3:
        raise RowError(f"number: '{r['number']}' is geen telefoonnummer")


def _check_address(r: Dict[str, Any]) -> None:
    _one_of(r, "address_type", models.LOCATION_TYPES)
    if not re.fullmatch(r"[A-Z]{2}", r["country"]):
        raise RowError(f"country: '{r['country']}' is geen landcode van twee hoofdletters (NL)")


def _check_schedule(r: Dict[str, Any]) -> None:
    _any_parent(r, ("service_id", "location_id", "service_at_location_id"))
    r["freq"] = (r.get("freq") or "WEEKLY").upper()
    if r["freq"] != "WEEKLY":
        raise RowError(f"freq: alleen WEEKLY (wekelijkse openingstijden) wordt ondersteund, niet '{r['freq']}'")
    days = [d.strip().upper() for d in (r.get("byday") or "").split(",") if d.strip()]
    if not days or any(d not in DAYS for d in days):
        raise RowError(f"byday: '{r.get('byday')}' moet dagen zijn uit {','.join(DAYS)}, gescheiden door komma's")
    r["byday"] = ",".join(days)
    opens, closes = r.get("opens_at"), r.get("closes_at")
    if (opens is None) != (closes is None):
        raise RowError("opens_at en closes_at horen samen: vul beide in of geen van beide")
    if opens is not None and opens >= closes:
        raise RowError(f"closes_at ({closes:%H:%M}) ligt niet na opens_at ({opens:%H:%M})")
    if r.get("valid_from") and r.get("valid_to") and r["valid_from"] > r["valid_to"]:
        raise RowError("valid_from ligt na valid_to")


def _check_attribute(r: Dict[str, Any]) -> None:
    _one_of(r, "link_entity", LINK_ENTITIES)
    term = load_taxonomy().terms.get(r["taxonomy_term_id"])
    if term is None:
        raise RowError(f"onbekende taxonomieterm '{r['taxonomy_term_id']}' (zie knowledge/socialmap/taxonomy.yml)")
    if term.taxonomy == THEME and r["link_entity"] != "service":
        raise RowError("een thema hoort bij een dienst: link_entity moet service zijn")
    r["link_type"] = r.get("link_type") or term.taxonomy


def _check_taxonomy_row(table: str) -> Callable[[Dict[str, Any]], None]:
    def check(r: Dict[str, Any]) -> None:
        known = load_taxonomy().taxonomies if table == "taxonomy" else load_taxonomy().terms
        if r["id"] not in known:
            raise RowError(f"onbekende {table.replace('_', ' ')} '{r['id']}' (zie knowledge/socialmap/taxonomy.yml)")
    return check


CHECKS: Dict[str, Callable[[Dict[str, Any]], None]] = {
    "organization": _check_organization, "service": _check_service, "location": _check_location,
    "service_area": _check_service_area, "contact": _check_contact, "phone": _check_phone,
    "address": _check_address, "schedule": _check_schedule, "attribute": _check_attribute,
    "taxonomy": _check_taxonomy_row("taxonomy"), "taxonomy_term": _check_taxonomy_row("taxonomy_term"),
}


class _Validator:
    """One pass over a package: rows to records, then references between them and the database."""

    def __init__(self, package: Package, existing: Existing, replace_source: Optional[str]) -> None:
        self.package = package
        self.existing = existing
        self.replace_source = replace_source
        self.result = Validated()
        self.rows: Dict[str, List[Tuple[Dict[str, Any], Row]]] = {}
        self.first_line: Dict[Tuple[str, str], int] = {}  # (table, id) → line where the id was first seen

    def problem(self, row: Row, message: str) -> None:
        self.result.problems.append(Problem(row.file, row.line, message))

    def run(self) -> Validated:
        for file, message in self.package.errors:
            self.result.problems.append(Problem(file, 0, message))
        for file, rows in self.package.rows.items():
            if self._header_ok(file):
                for row in rows:
                    self._row(file, row)
        self._references()
        self.result.problems.sort()
        return self.result

    def _header_ok(self, file: str) -> bool:
        header = self.package.headers[file]
        table = FILES[file][0]
        known = {c.name for c in table.columns}
        missing = [c for c in _required(table) if c not in header]
        doubles = sorted({h for h in header if header.count(h) > 1})
        if missing:
            self.result.problems.append(Problem(file, 1, f"verplichte kolom ontbreekt: {', '.join(missing)}"))
        if doubles:
            self.result.problems.append(Problem(file, 1, f"kolom komt vaker voor: {', '.join(doubles)}"))
        unknown = [h for h in header if h not in known]
        if unknown:
            self.result.warnings.append(Problem(file, 1, f"kolommen worden niet gebruikt: {', '.join(unknown)}"))
        return not missing and not doubles

    def _row(self, file: str, row: Row) -> None:
        table = FILES[file][0]
        record: Dict[str, Any] = {}
        errors: List[str] = []
        if "__extra__" in row.values:
            errors.append("de regel heeft meer cellen dan er kolommen zijn")
        for column in table.columns:
            try:
                record[column.name] = _convert(table, column.name, row.values.get(column.name, ""))
            except RowError as exc:
                errors.append(str(exc))
        errors += self._provenance(table, record, row)
        errors += [f"verplicht veld {c} is leeg" for c in _required(table) if record.get(c) is None
                   and not any(e.startswith(f"{c}:") for e in errors)]
        if not errors:
            try:
                CHECKS.get(table.name, lambda r: None)(record)
            except RowError as exc:
                errors.append(str(exc))
        name = self._route(table.name, record)
        if not errors:
            errors += self._identity(name, record, row)
        for message in errors:
            self.problem(row, message)
        if not errors:
            self.rows.setdefault(name, []).append((record, row))

    def _provenance(self, table: Table, record: Dict[str, Any], row: Row) -> List[str]:
        errors = []
        for column in PROVENANCE:
            if record.get(column) is None and self.package.defaults.get(column):
                try:
                    record[column] = _convert(table, column, self.package.defaults[column])
                except RowError as exc:
                    errors.append(f"datapackage.json: {exc}")
        explicit = (row.values.get("source") or "").strip()
        if self.replace_source:
            if explicit and explicit != self.replace_source:
                errors.append(f"source '{explicit}' is niet de bron die vervangen wordt ('{self.replace_source}')")
            record["source"] = self.replace_source
        if record.get("demo") is None:
            record["demo"] = False
        errors += [f"{c} ontbreekt (in de regel of als standaard in datapackage.json)"
                   for c in ("source", "assured_date") if record.get(c) is None]
        return errors

    @staticmethod
    def _route(table: str, record: Dict[str, Any]) -> str:
        """attributes.csv rows with a theme become service_taxonomy records."""
        if table != "attribute" or not str(record.get("taxonomy_term_id") or "").startswith(f"{THEME}:"):
            return table
        record["service_id"] = record.pop("link_id")
        record.pop("link_entity")
        record.pop("link_type")
        return "service_taxonomy"

    def _identity(self, table: str, record: Dict[str, Any], row: Row) -> List[str]:
        record_id = record["id"]
        if not ID_PATTERN.match(record_id):
            return [f"id '{record_id}' mag alleen letters, cijfers en . _ : - bevatten (max. 100 tekens)"]
        # Themes and other attributes share attributes.csv, so they share one id space.
        same_file = ("attribute", "service_taxonomy") if table in ("attribute", "service_taxonomy") else (table,)
        key = (same_file[0], record_id)
        if key in self.first_line:
            return [f"id '{record_id}' komt twee keer voor (ook op regel {self.first_line[key]})"]
        self.first_line[key] = row.line
        if table in ("taxonomy", "taxonomy_term"):
            return []
        owners = [self.existing.get(t, {}).get(record_id) for t in same_file]
        owner = next((o for o in owners if o is not None and o != self.replace_source), None)
        return [f"id '{record_id}' bestaat al in de database (bron '{owner}')"] if owner else []

    def _known_ids(self, table: str) -> Set[str]:
        if table == "taxonomy":
            return set(load_taxonomy().taxonomies)
        if table == "taxonomy_term":
            return set(load_taxonomy().terms)
        kept = {i for i, source in self.existing.get(table, {}).items() if source != self.replace_source}
        return kept | {r["id"] for r, _ in self.rows.get(table, [])}

    def _references(self) -> None:
        known: Dict[str, Set[str]] = {}
        for table_name, pairs in self.rows.items():
            table = models.Base.metadata.tables[table_name]
            links = [(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys]
            for record, row in pairs:
                if table_name == "attribute":
                    links_here = links + [("link_id", record["link_entity"])]
                else:
                    links_here = links
                for column, target in links_here:
                    value = record.get(column)
                    if value is not None and value not in known.setdefault(target, self._known_ids(target)):
                        self.problem(row, f"{column}: '{value}' verwijst naar een {target} die niet bestaat")
        if not self.result.problems:
            self.result.records = {
                t: [r for r, _ in pairs] for t, pairs in self.rows.items() if t not in ("taxonomy", "taxonomy_term")
            }


def validate(package: Package, existing: Existing, replace_source: Optional[str] = None) -> Validated:
    """All problems in `package`; when there are none, its typed records per table, ready to insert."""
    return _Validator(package, existing, replace_source).run()
