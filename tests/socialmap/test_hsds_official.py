"""HSDS 3.0 as the field writes it: the official example package and JSON examples import unchanged, this project's
own fields are optional, and every export is checked against the official HSDS 3.0 JSON schemas."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Dict, List

import pytest
from sqlalchemy import func, select

from bot.common import regions
from bot.common.db import session_scope
from bot.socialmap import hsds_io, hsds_schema, models
from bot.socialmap.hsds_ids import public_id
from bot.socialmap.hsds_io import ImportRejected, export_package, import_package
from bot.socialmap.package import read_package
from bot.socialmap.validate import recognise_area, validate
from tests.socialmap.conftest import small_package, write_csv

EXAMPLES = Path(__file__).parent / "hsds-3.0-examples"
OFFICIAL_CSV = EXAMPLES / "csv"
# The official example package: one row in each of its 21 files.
OFFICIAL_FILES = sorted(p.name for p in OFFICIAL_CSV.glob("*.csv"))
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"


def _counts(url: str, source: str) -> Dict[str, int]:
    """Rows of one source per HSDS table; the tables kept as given are counted by their HSDS name."""
    with session_scope(url) as session:
        counts = {
            m.__tablename__: session.execute(select(func.count()).where(m.source == source)).scalar()
            for m in models.HSDS_MODELS
            if m is not models.HsdsRecord
        }
        kept = models.HsdsRecord
        counts.update(
            dict(
                session.execute(
                    select(kept.table_name, func.count()).where(kept.source == source).group_by(kept.table_name)
                ).all()
            )
        )
    return {table: n for table, n in counts.items() if n}


def _export_errors(folder: Path, uuid: bool = False) -> List[str]:
    """Every schema error in an exported package, as 'file, regel n: field: message'."""
    found = []
    for file in sorted(p.name for p in folder.glob("*.csv")):
        table = next(t for t in hsds_schema.tables() if hsds_schema.file_of(t) == file)
        with (folder / file).open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                found += [f"{file}, regel {line}: {e}" for e in hsds_schema.csv_row_errors(table, row, uuid)]
    return found


def test_the_copied_examples_are_the_official_files() -> None:
    assert len(OFFICIAL_FILES) == 21 and "service_at_location.csv" in OFFICIAL_FILES
    assert (EXAMPLES / "LICENSE").read_text(encoding="utf-8").startswith("The Human Services Data Specification")
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "hsds-3.0" / "examples"
    if shared.is_dir():  # the source snapshot, where it is on this machine
        for file in OFFICIAL_FILES:
            assert (OFFICIAL_CSV / file).read_bytes() == (shared / "csv" / file).read_bytes(), file


def test_official_example_package_imports_unchanged(db_url: str) -> None:
    """On SQLite, and on PostgreSQL when it is reachable."""
    with session_scope(db_url) as session:
        report = import_package(session, OFFICIAL_CSV)
    assert report.ok
    every_table = {hsds_schema.file_of(t): 1 for t in hsds_schema.tables()}
    assert {hsds_schema.file_of(t): n for t, n in _counts(db_url, "csv").items()} == every_table
    warnings = "\n".join(str(w) for w in report.warnings)
    assert "latitude 100 ligt niet tussen -90 en 90: weggelaten" in warnings
    assert "werkgebied 'The service is available to all residents of the MyCity area' niet herkend" in warnings
    with session_scope(db_url) as session:
        service = session.get(models.Service, "ac148810-d857-441c-9679-408f346de14b")
        assert service.source == "csv" and str(service.assured_date) == "2005-01-01"
        assert service.program_id == "e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42"
        assert service.last_modified.isoformat() == "2023-03-15T10:30:45.123000"
        area = session.get(models.ServiceArea, "381c64f1-a724-4884-9c21-ac96c21cca3e")
        assert (area.scope, area.code, area.extent_type) == (None, None, "geojson")
        phone = session.get(models.Phone, "1554f2e2-a373-45db-a3fa-9fc48a61c15e")
        assert phone.number == "+44 1234 234567"
        funding = session.get(models.HsdsRecord, ("funding", "1f2df32c-bf08-4b8e-bd6f-e834014b19bc"))
        assert json.loads(funding.data)["source"].startswith("This service is funded partially")
        assert funding.source == "csv", "funding.csv's own `source` is where the money comes from, not ours"


@pytest.mark.parametrize(
    "name, tables",
    [
        ("service_full.json", 20),  # every table but meta_table_description
        ("organization_full.json", 11),
    ],
)
def test_json_examples_import(db_url: str, name: str, tables: int) -> None:
    with session_scope(db_url) as session:
        report = import_package(session, EXAMPLES / name)
    assert report.ok, report.lines()
    counts = _counts(db_url, name.removesuffix(".json"))
    assert len(counts) == tables and counts["organization"] == 1 and counts["phone"] == 1
    with session_scope(db_url) as session:
        location = session.get(models.Location, "3a19ff88-4620-4d17-9830-ac1d859eb5d5")
        assert location.organization_id in (None, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")


@pytest.mark.thorough
def test_export_is_hsds_3_0_by_the_official_schemas(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as session:
        hsds_io.load_shipped(session)
        import_package(session, OFFICIAL_CSV)
        counts = export_package(session, tmp_path / "uit")
    assert sorted(p.name for p in (tmp_path / "uit").glob("*.csv")) == sorted(OFFICIAL_FILES)
    assert counts["services.csv"] > 20 and all(counts[f] >= 1 for f in OFFICIAL_FILES)
    for file in OFFICIAL_FILES:
        header = (tmp_path / "uit" / file).read_text(encoding="utf-8").splitlines()[0].split(",")
        official = (OFFICIAL_CSV / file).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header[: len(official)] == official, f"{file}: HSDS columns first, in HSDS order"
    assert _export_errors(tmp_path / "uit") == []
    meta = json.loads((tmp_path / "uit" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in meta["resources"]} == set(OFFICIAL_FILES)
    own_ids = _export_errors(tmp_path / "uit", uuid=True)
    assert own_ids and all("is not a 'uuid'" in e for e in own_ids), "the records' own ids are readable ones"
    with session_scope(sqlite_url) as session:
        assert export_package(session, tmp_path / "publiek", public_ids=True) == counts
    assert _export_errors(tmp_path / "publiek", uuid=True) == [], "with public ids every HSDS format holds"
    with (tmp_path / "publiek" / "services.csv").open(encoding="utf-8", newline="") as handle:
        services = {r["id"]: r for r in csv.DictReader(handle)}
    assert services[public_id("service", "svc-113")]["organization_id"] == public_id("organization", "org-113")
    assert EXAMPLE_SERVICE in services, "a UUID stays itself"


def test_the_schema_check_finds_a_bad_export(tmp_path: Path) -> None:
    folder = tmp_path / "slecht"
    write_csv(
        folder,
        "services.csv",
        ["id", "name", "status", "minimum_age", "email", "last_modified"],
        [["s1", "Dienst", "open", "achttien", "geen-adres", "gisteren"]],
    )
    errors = "\n".join(_export_errors(folder))
    assert "services.csv, regel 2: status: 'open' is not one of" in errors
    assert "minimum_age: 'achttien' is not of type 'number'" in errors
    assert "email: 'geen-adres' is not a 'email'" in errors
    assert "last_modified: 'gisteren' is not a 'date-time'" in errors
    write_csv(folder, "services.csv", ["id", "status"], [["s1", "active"]])
    assert _export_errors(folder) == ["services.csv, regel 2: (root): 'name' is a required property"]


def test_export_import_round_trip_keeps_the_official_package(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as session:
        import_package(session, OFFICIAL_CSV)
        export_package(session, tmp_path / "uit")
    assert validate(read_package(tmp_path / "uit"), existing={}).ok
    with (tmp_path / "uit" / "funding.csv").open(encoding="utf-8", newline="") as handle:
        (funding,) = list(csv.DictReader(handle))
    assert funding["source"].startswith("This service is funded partially") and "demo" in funding


def test_old_file_name_is_still_read_but_not_beside_the_new_one(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(folder, "locations.csv", ["id", "location_type", "name"], [["t-loc", "physical", "Kantoor"]])
    write_csv(folder, "service_at_locations.csv", ["id", "service_id", "location_id"], [["t-sal", "t-svc", "t-loc"]])
    with session_scope(sqlite_url) as session:
        assert import_package(session, folder).counts["service_at_location"] == 1
        hsds_io.remove_source(session, "test-bron")
    shutil.copy(folder / "service_at_locations.csv", folder / "service_at_location.csv")
    with pytest.raises(ImportRejected) as rejected:
        with session_scope(sqlite_url) as session:
            import_package(session, folder)
    assert "gebruik alleen service_at_location.csv" in str(rejected.value)


def test_service_area_is_read_from_hsds_fields() -> None:
    regio = sorted(regions.load().regios.values(), key=lambda r: r.code)[0]
    assert recognise_area({"name": "Houten"}) == ("gemeente", "GM0321")
    assert recognise_area({"name": "Heel Nederland"}) == ("landelijk", regions.LANDELIJK)
    assert recognise_area({"uri": "https://www.cbs.nl/gemeente/GM0344"}) == ("gemeente", "GM0344")
    assert recognise_area({"name": f"Arbeidsmarktregio {regio.name}"}) == ("arbeidsmarktregio", regio.code)
    assert recognise_area({"name": regio.code.lower()}) == ("arbeidsmarktregio", regio.code)
    assert recognise_area({"name": "MyCity", "extent": "AB1, AB2"}) is None
    assert recognise_area({"name": "Houtn"}) is None, "a typo is for a conversation, not for a data file"


def test_service_area_without_scope_imports_by_name(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "service_areas.csv",
        ["id", "service_id", "name", "code"],
        [["a1", "t-svc", "Gemeente Houten", ""], ["a2", "t-svc", "", "NL"], ["a3", "t-svc", "Ergens", ""]],
    )
    with session_scope(sqlite_url) as session:
        report = import_package(session, folder)
        areas = {a.id: (a.scope, a.code) for a in session.execute(select(models.ServiceArea)).scalars()}
    assert areas == {"a1": ("gemeente", "GM0321"), "a2": ("landelijk", "NL"), "a3": (None, None)}
    assert [w.line for w in report.warnings] == [4]


def test_a_package_may_not_invent_terms_in_this_projects_taxonomy(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "taxonomy_terms.csv",
        ["id", "name", "description"],
        [["thema:bakken", "Bakken", "Brood"], ["eigen-term", "Eigen", "Een term van de bron zelf"]],
    )
    with pytest.raises(ImportRejected) as rejected:
        with session_scope(sqlite_url) as session:
            import_package(session, folder)
    assert "onbekende taxonomy term 'thema:bakken'" in str(rejected.value)
    assert "eigen-term" not in str(rejected.value)
