"""Check an HSDS data package row by row before anything is written, and turn its text into typed records.

Every problem names the file, the line and the reason in plain Dutch, so that the person who made the file
can fix all of them in one go.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Table, Time

from bot.common import regions
from bot.socialmap import hsds_schema, models
from bot.socialmap.package import EXTRA_FILES, FILES, PROVENANCE, Package, Row, provenance_columns
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

Existing = Dict[str, Dict[str, str]]  # table name ("hsds:funding" for hsds_record) → record id → source


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
    if isinstance(kind, DateTime):
        try:
            moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
        except ValueError:
            raise RowError(f"{column}: '{text}' is geen tijdstip (gebruik JJJJ-MM-DDTUU:MM:SSZ)") from None
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
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


def _check_location(r: Dict[str, Any]) -> List[str]:
    _one_of(r, "location_type", models.LOCATION_TYPES)
    _check_format(r, ("url",), WEB, "webadres (begin met https://)")
    notes = []
    for column, limit in (("latitude", 90), ("longitude", 180)):
        if r.get(column) is not None and not -limit <= r[column] <= limit:
            notes.append(f"{column} {r[column]:g} ligt niet tussen -{limit} en {limit}: weggelaten")
            r[column] = None
    return notes


NATIONAL_NAMES = ("nederland", "heel nederland", "landelijk", "the netherlands", "netherlands")
EXACT_HOWS = ("code", "naam", "synoniem", "voormalige gemeente")  # not a typo match: a data file is not a chat
GEMEENTE_CODE = re.compile(r"\bGM\d{4}\b", re.IGNORECASE)


def _regio_by_name(text: str) -> Optional[str]:
    key = regions.normalise(text)
    for prefix in ("arbeidsmarktregio ", "regio "):
        key = key[len(prefix) :] if key.startswith(prefix) else key
    found = [r.code for r in regions.load().regios.values() if regions.normalise(r.name) in (key, f"regio {key}")]
    return found[0] if len(found) == 1 else None


def recognise_area(r: Dict[str, Any]) -> Optional[Tuple[str, str]]:
    """(scope, code) from HSDS's own service_area fields (name, extent, uri), when they name a gemeente, an
    arbeidsmarktregio or the whole country; None when they do not say so recognisably."""
    for text in (r.get("name"), r.get("extent"), r.get("uri")):
        text = (text or "").strip()
        if not text or len(text) > 200:
            continue
        if regions.normalise(text) in NATIONAL_NAMES or text.upper() == regions.LANDELIJK:
            return "landelijk", regions.LANDELIJK
        if regions.get_arbeidsmarktregio(text):
            return "arbeidsmarktregio", text.strip().upper()
        regio = _regio_by_name(text)
        if regio:
            return "arbeidsmarktregio", regio
        code = GEMEENTE_CODE.search(text)
        if code and regions.get_gemeente(code.group(0)):
            return "gemeente", code.group(0).upper()
        found = regions.resolve_gemeente(text)
        if found.found and found.how in EXACT_HOWS and found.gemeente is not None:
            return "gemeente", found.gemeente.code
    return None


def _scope_of_code(code: str) -> Optional[str]:
    if code == regions.LANDELIJK:
        return "landelijk"
    if regions.get_gemeente(code):
        return "gemeente"
    return "arbeidsmarktregio" if regions.get_arbeidsmarktregio(code) else None


def _check_service_area(r: Dict[str, Any]) -> List[str]:
    """This project's scope and code when given (checked); else read from HSDS's own fields; else kept as given."""
    code = (r.get("code") or "").strip().upper()
    if not r.get("scope") and code:
        r["scope"] = _scope_of_code(code) or ""
    if not r.get("scope"):
        recognised = recognise_area(r)
        if recognised:
            r["scope"], r["code"] = recognised
            return []
        r["scope"] = r["code"] = None
        named = r.get("name") or r.get("extent") or r.get("description") or ""
        return [
            f"werkgebied '{named[:60]}' niet herkend als gemeente, arbeidsmarktregio of Nederland: bewaard zoals "
            f"gegeven; de assistent vindt deze dienst niet bij een gemeente (vul scope en code in)"
        ]
    _one_of(r, "scope", models.SCOPES)
    if r["scope"] == "landelijk":
        if code not in ("", regions.LANDELIJK):
            raise RowError(f"code: bij scope landelijk hoort code {regions.LANDELIJK}, niet '{code}'")
        r["code"] = regions.LANDELIJK
    elif r["scope"] == "gemeente":
        if not regions.get_gemeente(code):
            hint = regions.resolve_gemeente(r.get("code") or "")
            tip = f" (bedoelt u {hint.gemeente.code}, {hint.gemeente.name}?)" if hint.gemeente else ""
            raise RowError(
                f"onbekende gemeente '{r.get('code')}': gebruik de CBS-code (GMxxxx) van een bestaande gemeente{tip}"
            )
        r["code"] = code
    else:
        if not regions.get_arbeidsmarktregio(code):
            known = sorted(regions.load().regios)
            now = regions.current_regio_code(code)
            tip = f"; {code} is de code van voor 2026, nu {now}" if now else ""
            raise RowError(
                f"onbekende arbeidsmarktregio '{r.get('code')}': gebruik een code van "
                f"{known[0]} tot en met {known[-1]}{tip}"
            )
        r["code"] = code
    return []


def _check_contact(r: Dict[str, Any]) -> None:
    _any_parent(r, ("organization_id", "service_id", "service_at_location_id", "location_id"))
    _check_format(r, ("email",), EMAIL, "e-mailadres")


def _check_phone(r: Dict[str, Any]) -> None:
    _any_parent(r, ("organization_id", "service_id", "location_id", "contact_id", "service_at_location_id"))
    # A spreadsheet keeps "+44 …" as text by quoting it; the quotes are not part of the number.
    r["number"] = r["number"].strip().strip('"').strip()
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


def _check_attribute(r: Dict[str, Any]) -> List[str]:
    """A theme or audience of this project's taxonomy must be one of its terms; any other term (a package's own
    taxonomy) is checked as a reference."""
    term = load_taxonomy().terms.get(r["taxonomy_term_id"])
    if term is None and str(r["taxonomy_term_id"]).split(":")[0] in load_taxonomy().taxonomies:
        raise RowError(f"onbekende taxonomieterm '{r['taxonomy_term_id']}' (zie knowledge/socialmap/taxonomy.yml)")
    if term is not None and term.taxonomy == THEME and r["link_entity"] != "service":
        raise RowError("een thema hoort bij een dienst: link_entity moet service zijn")
    if term is not None:
        r["link_type"] = r.get("link_type") or term.taxonomy
    if r["link_entity"] not in LINK_ENTITIES:
        return [f"link_entity '{r['link_entity']}' is geen tabel die de assistent kent: bewaard zoals gegeven"]
    return []


def _check_taxonomy_row(table: str) -> Callable[[Dict[str, Any]], None]:
    def check(r: Dict[str, Any]) -> None:
        known = load_taxonomy().taxonomies if table == "taxonomy" else load_taxonomy().terms
        own = r["id"] in load_taxonomy().taxonomies or str(r["id"]).split(":")[0] in load_taxonomy().taxonomies
        if own and r["id"] not in known:
            raise RowError(f"onbekende {table.replace('_', ' ')} '{r['id']}' (zie knowledge/socialmap/taxonomy.yml)")

    return check


# Each check raises RowError for a problem and may return remarks (what was left out or kept as given).
CHECKS: Dict[str, Callable[[Dict[str, Any]], Optional[List[str]]]] = {
    "organization": _check_organization,
    "service": _check_service,
    "location": _check_location,
    "service_area": _check_service_area,
    "contact": _check_contact,
    "phone": _check_phone,
    "address": _check_address,
    "schedule": _check_schedule,
    "attribute": _check_attribute,
    "taxonomy": _check_taxonomy_row("taxonomy"),
    "taxonomy_term": _check_taxonomy_row("taxonomy_term"),
}


# A contact, phone or schedule belongs to at least one of these; checked again after a broken link is left out.
PARENTS = {
    "contact": ("organization_id", "service_id", "service_at_location_id", "location_id"),
    "phone": ("organization_id", "service_id", "location_id", "contact_id", "service_at_location_id"),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
}
# The links of an HSDS table kept in hsds_record, with the table they point at.
EXTRA_LINKS = {"organization_id": "organization", "service_id": "service", "location_id": "location"}


def _is_own_taxonomy_row(table: str, record: Dict[str, Any]) -> bool:
    """A taxonomy or term of knowledge/socialmap/taxonomy.yml: the file is the source of truth, rows only name it."""
    known = load_taxonomy().taxonomies if table == "taxonomy" else load_taxonomy().terms
    return table in ("taxonomy", "taxonomy_term") and record["id"] in known


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

    def note(self, row: Row, message: str) -> None:
        self.result.warnings.append(Problem(row.file, row.line, message))

    def run(self) -> Validated:
        for file, message in self.package.errors:
            self.result.problems.append(Problem(file, 0, message))
        for file, message in self.package.notes:
            self.result.warnings.append(Problem(file, 0, message))
        for file, rows in self.package.rows.items():
            if self._header_ok(file):
                check = self._extra_row if file in EXTRA_FILES else self._row
                for row in rows:
                    check(file, row)
        self._references()
        self.result.problems.sort()
        self.result.warnings.sort()
        return self.result

    def _header_ok(self, file: str) -> bool:
        header = self.package.headers[file]
        if file in EXTRA_FILES:
            known = set(hsds_schema.field_names(EXTRA_FILES[file])) | set(PROVENANCE)
            required = ["id"]
        else:
            known = {c.name for c in FILES[file][0].columns}
            required = _required(FILES[file][0])
        missing = [c for c in required if c not in header]
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
        notes: List[str] = []
        if "__extra__" in row.values:
            errors.append("de regel heeft meer cellen dan er kolommen zijn")
        for column in table.columns:
            try:
                record[column.name] = _convert(table, column.name, row.values.get(column.name, ""))
            except RowError as exc:
                errors.append(str(exc))
        errors += self._provenance(file, table, record, row)
        errors += [
            f"verplicht veld {c} is leeg"
            for c in _required(table)
            if record.get(c) is None and not any(e.startswith(f"{c}:") for e in errors)
        ]
        if not errors:
            try:
                notes += CHECKS.get(table.name, lambda r: None)(record) or []
            except RowError as exc:
                errors.append(str(exc))
        name = self._route(table.name, record)
        if not errors:
            errors += self._identity(name, record, row)
        for message in errors:
            self.problem(row, message)
        for message in notes:
            self.note(row, message)
        if not errors:
            self.rows.setdefault(name, []).append((record, row))

    def _extra_row(self, file: str, row: Row) -> None:
        """A row of an HSDS table the assistant does not use: typed and checked by its official schema."""
        table = EXTRA_FILES[file]
        data: Dict[str, Any] = {}
        errors: List[str] = []
        for name, spec in hsds_schema.fields(table):
            text = (row.values.get(name) or "").strip()
            if text:
                value = hsds_schema.json_value(spec, text)
                if value is None:
                    errors.append(f"{name}: '{text}' is geen getal (gebruik een punt als decimaalteken)")
                data[name] = value if value is not None else text
        record: Dict[str, Any] = {"table_name": table, "id": data.get("id"), "data": json.dumps(data)}
        record.update({column: data.get(column) for column in EXTRA_LINKS})
        models_table = models.HsdsRecord.__table__
        errors += self._provenance(file, models_table, record, row)
        schema = hsds_schema.table_schema(table)
        required = [*schema.get("required", []), *schema.get("tabular_required", [])]
        errors += [
            f"verplicht veld {c} is leeg"
            for c in required
            if not data.get(c) and not any(e.startswith(f"{c}:") for e in errors)
        ]
        if not errors:
            errors += [e for e in hsds_schema.errors(f"{table}.json", data) if not e.startswith("id:")]
            errors += self._identity(f"hsds:{table}", record, row)
        for message in errors:
            self.problem(row, message)
        if not errors:
            self.rows.setdefault(f"hsds:{table}", []).append((record, row))

    def _provenance(self, file: str, table: Table, record: Dict[str, Any], row: Row) -> List[str]:
        errors = []
        own = provenance_columns(file)
        for column in PROVENANCE:
            if column not in own:  # an HSDS field of the same name (funding.csv `source`): not ours
                record[column] = None
            if column in own and table is models.HsdsRecord.__table__:
                try:
                    record[column] = _convert(table, column, row.values.get(column, ""))
                except RowError as exc:
                    errors.append(str(exc))
            if record.get(column) is None and self.package.defaults.get(column):
                try:
                    record[column] = _convert(table, column, self.package.defaults[column])
                except RowError as exc:
                    errors.append(f"datapackage.json: {exc}")
        explicit = (row.values.get("source") or "").strip() if "source" in own else ""
        if self.replace_source:
            if explicit and explicit != self.replace_source:
                errors.append(f"source '{explicit}' is niet de bron die vervangen wordt ('{self.replace_source}')")
            record["source"] = self.replace_source
        if record.get("demo") is None:
            record["demo"] = False
        if record.get("source") is None:
            errors.append("source ontbreekt (in de regel of als standaard in datapackage.json)")
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
        if _is_own_taxonomy_row(table, record):
            return []
        owners = [self.existing.get(t, {}).get(record_id) for t in same_file]
        owner = next((o for o in owners if o is not None and o != self.replace_source), None)
        return [f"id '{record_id}' bestaat al in de database (bron '{owner}')"] if owner else []

    def _known_ids(self, table: str) -> Set[str]:
        kept = {i for i, source in self.existing.get(table, {}).items() if source != self.replace_source}
        if table == "taxonomy":
            kept |= set(load_taxonomy().taxonomies)
        if table == "taxonomy_term":
            kept |= set(load_taxonomy().terms)
        return kept | {r["id"] for r, _ in self.rows.get(table, [])}

    def _links(self, table_name: str, record: Dict[str, Any]) -> List[Tuple[str, str, bool]]:
        """(column, target table, required) for every reference of a record."""
        if table_name.startswith("hsds:"):
            return [(c, t, False) for c, t in EXTRA_LINKS.items()]
        table = models.Base.metadata.tables[table_name]
        links = [(fk.parent.name, fk.column.table.name, not fk.parent.nullable) for fk in table.foreign_keys]
        if table_name == "service":
            links.append(("program_id", "hsds:program", False))
        if table_name == "attribute" and record["link_entity"] in LINK_ENTITIES:
            links.append(("link_id", record["link_entity"], True))
        return links

    def _references(self) -> None:
        """A broken required link is a problem; a broken optional one is left out, with a remark."""
        known: Dict[str, Set[str]] = {}
        for table_name, pairs in self.rows.items():
            for record, row in pairs:
                for column, target, required in self._links(table_name, record):
                    value = record.get(column)
                    if value is None or value in known.setdefault(target, self._known_ids(target)):
                        continue
                    what = f"{column}: '{value}' verwijst naar een {target.replace('hsds:', '')} die niet bestaat"
                    if required:
                        self.problem(row, what)
                        continue
                    self.note(row, f"{what}: weggelaten")
                    if table_name.startswith("hsds:"):
                        continue  # kept as given: the row's own data still says it
                    record[column] = None
                    if table_name in PARENTS and not any(record.get(p) for p in PARENTS[table_name]):
                        self.problem(row, f"hoort bij niets meer: {what}")
        if not self.result.problems:
            records: Dict[str, List[Dict[str, Any]]] = {}
            for table_name, pairs in self.rows.items():
                target = models.HsdsRecord.__tablename__ if table_name.startswith("hsds:") else table_name
                records.setdefault(target, []).extend(r for r, _ in pairs if not _is_own_taxonomy_row(target, r))
            self.result.records = records


def validate(package: Package, existing: Existing, replace_source: Optional[str] = None) -> Validated:
    """All problems in `package`; when there are none, its typed records per table, ready to insert."""
    return _Validator(package, existing, replace_source).run()
