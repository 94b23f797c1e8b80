"""Real databases for the social map tests: a fresh SQLite file per test, and PostgreSQL when it is reachable."""

from __future__ import annotations

import csv
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from sqlalchemy import func, select

from bot.common.db import get_engine, session_scope
from bot.ops.migrate import upgrade
from bot.socialmap import hsds_io, models
from tests.databases import postgres_schema, sqlite_database


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite file with no tables yet."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    yield url
    get_engine(url).dispose()


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An application database at the newest migration: SQLite, then PostgreSQL when reachable."""
    if request.param == "sqlite":
        url = sqlite_database(tmp_path)
        yield url
        get_engine(url).dispose()
    else:
        url = request.getfixturevalue("postgres_schema_url")
        upgrade(url)
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    url = sqlite_database(tmp_path)
    yield url
    get_engine(url).dispose()


@pytest.fixture
def shipped_url(db_url: str) -> str:
    """The database with the shipped social map loaded."""
    with session_scope(db_url) as session:
        hsds_io.load_shipped(session)
    return db_url


def _empty_database(kind: str, folder: Path, stack: ExitStack) -> str:
    """A migrated empty database: a SQLite file in `folder`, or a PostgreSQL schema dropped when `stack` closes."""
    if kind == "sqlite":
        url = sqlite_database(folder)
        stack.callback(get_engine(url).dispose)
        return url
    url = stack.enter_context(postgres_schema())
    upgrade(url)
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shipped_readonly_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database with the shipped map per test module, for tests that only read."""
    with ExitStack() as stack:
        url = _empty_database(request.param, tmp_path_factory.mktemp("shipped"), stack)
        with session_scope(url) as session:
            hsds_io.load_shipped(session)
        yield url


@pytest.fixture
def shipped_sqlite_url(sqlite_url: str) -> str:
    with session_scope(sqlite_url) as session:
        hsds_io.load_shipped(session)
    return sqlite_url


def row_counts(url: str) -> Dict[str, int]:
    """Rows per table, to prove that a rejected import wrote nothing."""
    with session_scope(url) as session:
        return {
            m.__tablename__: session.execute(select(func.count()).select_from(m)).scalar()
            for m in (*models.HSDS_MODELS, models.UnmetNeed)
        }


def write_csv(folder: Path, name: str, header: List[str], rows: List[List[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def small_package(folder: Path, source: str = "test-bron") -> Path:
    """A valid package: one organisation with one service in Houten about jobcoaching, open on weekdays."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(
        json.dumps({"profile": "tabular-data-package", "wegwijzer": {"source": source, "assured_date": "2026-01-15"}})
    )
    write_csv(
        folder,
        "organizations.csv",
        ["id", "name", "description", "website"],
        [["t-org", "Testorganisatie", "Een organisatie om mee te testen.", "https://example.org"]],
    )
    write_csv(
        folder,
        "services.csv",
        ["id", "organization_id", "name", "description", "status", "minimum_age"],
        [["t-svc", "t-org", "Testjobcoach", "Een jobcoach in Houten.", "active", "18"]],
    )
    write_csv(
        folder, "service_areas.csv", ["id", "service_id", "scope", "code"], [["t-area", "t-svc", "gemeente", "GM0321"]]
    )
    write_csv(
        folder,
        "attributes.csv",
        ["id", "link_id", "link_entity", "link_type", "taxonomy_term_id"],
        [["t-thema", "t-svc", "service", "thema", "thema:jobcoaching"]],
    )
    write_csv(
        folder,
        "schedules.csv",
        ["id", "service_id", "byday", "opens_at", "closes_at"],
        [["t-tijden", "t-svc", "MO,TU,WE,TH,FR", "09:00", "17:00"]],
    )
    return folder


def _small_package_with_a_location(folder: Path) -> Path:
    small_package(folder)
    write_csv(folder, "locations.csv", ["id", "location_type", "name"], [["t-loc", "physical", "Kantoor Houten"]])
    write_csv(
        folder,
        "addresses.csv",
        ["id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
        [["t-adres", "t-loc", "Plein 1", "Houten", "Utrecht", "3995 DD", "NL", "physical"]],
    )
    write_csv(folder, "service_at_location.csv", ["id", "service_id", "location_id"], [["t-sal", "t-svc", "t-loc"]])
    return folder


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hsds_api_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """For the HSDS read API: the shipped social map, the official HSDS 3.0 example package (tests/socialmap/
    hsds-3.0-examples) and one small package in Houten with a location; SQLite, then PostgreSQL when reachable."""
    with ExitStack() as stack:
        url = _empty_database(request.param, tmp_path_factory.mktemp("hsds-api"), stack)
        with session_scope(url) as session:
            hsds_io.load_shipped(session)
            hsds_io.import_package(session, Path(__file__).parent / "hsds-3.0-examples" / "csv")
            hsds_io.import_package(session, _small_package_with_a_location(tmp_path_factory.mktemp("klein") / "p"))
        yield url
