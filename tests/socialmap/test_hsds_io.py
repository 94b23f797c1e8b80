"""Import and export of HSDS packages: round trips, and bad files rejected whole with every reason."""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from sqlalchemy import text

from bot.common.db import session_scope
from bot.ops.cli.socialmap import main as cli
from bot.socialmap import hsds_io
from bot.socialmap.hsds_io import ImportRejected, export_package, import_package, load_shipped, shipped_packages
from bot.socialmap.package import FILES, read_package
from bot.socialmap.validate import validate
from tests.socialmap.conftest import row_counts, small_package, sqlite_database, write_csv


def _typed(path: Path) -> Dict[str, List[dict]]:
    """A package's records with its defaults applied, sorted: what the files mean, not how they are written."""
    validated = validate(read_package(path), existing={})
    assert validated.ok, [str(p) for p in validated.problems]
    return {table: sorted(rows, key=lambda r: r["id"]) for table, rows in validated.records.items() if rows}


def _rejected(url: str, folder: Path, replace_source: Optional[str] = None) -> List[str]:
    before = row_counts(url)
    with pytest.raises(ImportRejected) as caught:
        with session_scope(url) as session:
            import_package(session, folder, replace_source)
    assert row_counts(url) == before, "a rejected import must write nothing"
    return [str(p) for p in caught.value.report.problems]


def test_shipped_packages_round_trip(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        load_shipped(session)
    for package in shipped_packages():
        source = read_package(package).defaults["source"]
        with session_scope(db_url) as session:
            export_package(session, tmp_path / source, source=source)
        assert _typed(tmp_path / source) == _typed(package), source


def test_export_import_export_is_byte_identical(shipped_sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(shipped_sqlite_url) as session:
        export_package(session, tmp_path / "first")
    fresh = sqlite_database(tmp_path / "fresh")
    with session_scope(fresh) as session:
        import_package(session, tmp_path / "first")
    with session_scope(fresh) as session:
        export_package(session, tmp_path / "second")
    for file in [*FILES, "datapackage.json"]:
        assert filecmp.cmp(tmp_path / "first" / file, tmp_path / "second" / file, shallow=False), file


def test_load_shipped_twice_changes_nothing(sqlite_url: str) -> None:
    with session_scope(sqlite_url) as session:
        load_shipped(session)
    once = row_counts(sqlite_url)
    with session_scope(sqlite_url) as session:
        reports = load_shipped(session)
    assert row_counts(sqlite_url) == once
    assert all(r.deleted for r in reports)


def test_small_package_imports(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as session:
        report = import_package(session, small_package(tmp_path / "p"))
    assert report.ok and report.counts["service"] == 1 and report.counts["service_taxonomy"] == 1


def test_replace_source_swaps_a_source_and_leaves_others(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as session:
        load_shipped(session)
        import_package(session, small_package(tmp_path / "p"))
    before = row_counts(sqlite_url)
    write_csv(
        tmp_path / "p",
        "services.csv",
        ["id", "organization_id", "name", "status"],
        [["t-svc", "t-org", "Nieuwe naam", "active"]],
    )
    with session_scope(sqlite_url) as session:
        report = import_package(session, tmp_path / "p", replace_source="test-bron")
    assert report.deleted == 5
    assert row_counts(sqlite_url) == before
    with pytest.raises(ImportRejected):  # without replacing, the same ids are duplicates of what is there
        with session_scope(sqlite_url) as session:
            import_package(session, tmp_path / "p")


def test_missing_fields_are_reported_with_file_and_line(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "services.csv",
        ["id", "organization_id", "name", "status"],
        [["s-ok", "t-org", "Goed", "active"], ["s-no-name", "t-org", "", "active"], ["", "t-org", "Geen id", ""]],
    )
    problems = _rejected(sqlite_url, folder)
    assert "services.csv, regel 3: verplicht veld name is leeg" in problems
    assert "services.csv, regel 4: verplicht veld id is leeg" in problems
    assert "services.csv, regel 4: verplicht veld status is leeg" in problems


def test_missing_column_is_reported_once(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(folder, "organizations.csv", ["id", "name"], [["t-org", "Zonder beschrijving"]])
    problems = _rejected(sqlite_url, folder)
    assert "organizations.csv, regel 1: verplichte kolom ontbreekt: description" in problems


def test_wrong_types_are_reported(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    header = ["id", "organization_id", "name", "status", "minimum_age", "demo", "assured_date"]
    row = ["t-svc", "t-org", "Test", "open", "achttien", "misschien", "24-11-2026"]
    write_csv(folder, "services.csv", header, [row])
    problems = "\n".join(_rejected(sqlite_url, folder))
    assert "regel 2: minimum_age: 'achttien' is geen geheel getal" in problems
    assert "regel 2: demo: 'misschien' is geen ja/nee-waarde" in problems
    assert "regel 2: assured_date: '24-11-2026' is geen datum" in problems


def test_bad_values_are_reported(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "services.csv",
        ["id", "organization_id", "name", "status", "url", "email"],
        [["t-svc", "t-org", "Test", "open", "www.example.org", "geen-mail"]],
    )
    problems = "\n".join(_rejected(sqlite_url, folder))
    assert "status: 'open' moet een van deze zijn" in problems


def test_duplicate_ids_are_reported(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "organizations.csv",
        ["id", "name", "description"],
        [["t-org", "Een", "Eerste."], ["t-org", "Twee", "Tweede."]],
    )
    problems = _rejected(sqlite_url, folder)
    assert "organizations.csv, regel 3: id 't-org' komt twee keer voor (ook op regel 2)" in problems


def test_unknown_gemeente_is_reported_with_a_hint(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "service_areas.csv",
        ["id", "service_id", "scope", "code"],
        [
            ["a1", "t-svc", "gemeente", "GM9999"],
            ["a2", "t-svc", "gemeente", "Houten"],
            ["a3", "t-svc", "arbeidsmarktregio", "AR99"],
            ["a4", "t-svc", "provincie", "PV26"],
        ],
    )
    problems = "\n".join(_rejected(sqlite_url, folder))
    assert "regel 2: onbekende gemeente 'GM9999'" in problems
    assert "regel 3: onbekende gemeente 'Houten'" in problems and "bedoelt u GM0321, Houten?" in problems
    assert "regel 4: onbekende arbeidsmarktregio 'AR99'" in problems
    assert "regel 5: scope: 'provincie' moet een van deze zijn" in problems


def test_unknown_taxonomy_term_and_bad_links_are_reported(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "attributes.csv",
        ["id", "link_id", "link_entity", "taxonomy_term_id"],
        [
            ["x1", "t-svc", "service", "thema:bakken"],
            ["x2", "t-org", "organization", "thema:zzp"],
            ["x3", "niet-er", "service", "doelgroep:nugger"],
        ],
    )
    problems = "\n".join(_rejected(sqlite_url, folder))
    assert "regel 2: onbekende taxonomieterm 'thema:bakken'" in problems
    assert "regel 3: een thema hoort bij een dienst" in problems
    assert "regel 4: link_id: 'niet-er' verwijst naar een service die niet bestaat" in problems


def test_bad_times_are_reported(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "schedules.csv",
        ["id", "service_id", "byday", "opens_at", "closes_at", "freq"],
        [
            ["t1", "t-svc", "MO", "25:00", "17:00", ""],
            ["t2", "t-svc", "MO", "17:00", "09:00", ""],
            ["t3", "t-svc", "MAANDAG", "09:00", "17:00", ""],
            ["t4", "t-svc", "MO", "09:00", "", ""],
            ["t5", "t-svc", "1MO", "09:00", "12:00", "MONTHLY"],
        ],
    )
    problems = "\n".join(_rejected(sqlite_url, folder))
    assert "regel 2: opens_at: '25:00' is geen geldige tijd" in problems
    assert "regel 3: closes_at (09:00) ligt niet na opens_at (17:00)" in problems
    assert "regel 4: byday: 'MAANDAG' moet dagen zijn" in problems
    assert "regel 5: opens_at en closes_at horen samen" in problems
    assert "regel 6: freq: alleen WEEKLY" in problems


def test_missing_reference_is_reported(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(
        folder,
        "services.csv",
        ["id", "organization_id", "name", "status"],
        [["t-svc", "t-org", "Goed", "active"], ["s2", "andere-org", "Wees", "active"]],
    )
    problems = _rejected(sqlite_url, folder)
    assert (
        "services.csv, regel 3: organization_id: 'andere-org' verwijst naar een organization die niet bestaat"
        in problems
    )


def test_one_bad_row_stops_the_whole_import(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    write_csv(folder, "phones.csv", ["id", "service_id", "number"], [["p1", "t-svc", "bel me"]])
    problems = _rejected(sqlite_url, folder)
    assert problems == ["phones.csv, regel 2: number: 'bel me' is geen telefoonnummer"]


def test_source_defaults_to_the_package_and_must_match_replace_source(sqlite_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "mijn-pakket")
    (folder / "datapackage.json").unlink()
    with session_scope(sqlite_url) as session:
        report = import_package(session, folder)
        assert report.ok and report.warnings == []
        sources = session.execute(text("SELECT DISTINCT source, assured_date FROM service")).all()
        assert sources == [("mijn-pakket", None)], "no source: the package's folder; no date: not known"
        hsds_io.remove_source(session, "mijn-pakket")
    write_csv(
        folder,
        "organizations.csv",
        ["id", "name", "description", "source", "assured_date"],
        [["t-org", "Org", "Beschrijving.", "andere-bron", "2026-01-01"]],
    )
    problems = _rejected(sqlite_url, folder, replace_source="test-bron")
    assert any("niet de bron die vervangen wordt" in p for p in problems)


def test_removing_a_source_that_others_use_is_refused(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    with session_scope(db_url) as session:
        import_package(session, folder)
    write_csv(
        tmp_path / "q",
        "services.csv",
        ["id", "organization_id", "name", "status", "source", "assured_date"],
        [["q-svc", "t-org", "Leunt op t-org", "active", "andere-bron", "2026-01-01"]],
    )
    with session_scope(db_url) as session:
        import_package(session, tmp_path / "q")
    before = row_counts(db_url)
    with pytest.raises(ImportRejected):
        with session_scope(db_url) as session:
            hsds_io.remove_source(session, "test-bron")
    assert row_counts(db_url) == before


def test_not_a_package_is_reported(sqlite_url: str, tmp_path: Path) -> None:
    assert _rejected(sqlite_url, tmp_path / "bestaat-niet")
    (tmp_path / "leeg").mkdir()
    assert any("geen HSDS-bestanden" in p for p in _rejected(sqlite_url, tmp_path / "leeg"))


def test_cli_import_reports_and_exits_nonzero(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = small_package(tmp_path / "p")
    assert cli(["--db", sqlite_url, "import", str(folder)]) == 0
    assert "Geïmporteerd" in capsys.readouterr().out
    assert cli(["--db", sqlite_url, "import", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "Niet geïmporteerd" in out and "bestaat al in de database (bron 'test-bron')" in out
    assert cli(["--db", sqlite_url, "export", str(tmp_path / "uit")]) == 0
    assert (tmp_path / "uit" / "services.csv").read_text(encoding="utf-8").count("\n") == 2
