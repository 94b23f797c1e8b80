"""Stale records, the generator's reproducibility, and the benchmark's use of indexes."""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import pytest

from bot.common import settings
from bot.common.db import session_scope
from bot.ops.cli.socialmap import main as cli
from bot.socialmap.generator import write_generated
from bot.socialmap.hsds_io import import_package
from bot.socialmap.package import FILES
from bot.socialmap.reports import stale_records
from bot.tools.bench import socialmap as bench
from tests.socialmap.conftest import small_package

TODAY = dt.date(2026, 11, 24)


def test_stale_lists_records_older_than_the_limit(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as session:
        import_package(session, small_package(tmp_path / "p"))  # assured 2026-01-15
        assert stale_records(session, days=365, today=TODAY) == []
        found = stale_records(session, days=300, today=TODAY)
    assert {(r.table, r.id) for r in found} >= {("organization", "t-org"), ("service", "t-svc")}
    service = next(r for r in found if r.table == "service")
    assert service.label == "Testjobcoach" and service.source == "test-bron"
    assert service.assured_date == dt.date(2026, 1, 15)


def test_stale_default_comes_from_the_setting(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    with session_scope(sqlite_url) as session:
        import_package(session, small_package(tmp_path / "p"))
    monkeypatch.setattr(settings, "STALE_DAYS", 1)
    with session_scope(sqlite_url) as session:
        assert stale_records(session)  # 2026-01-15 is more than a day ago
    assert cli(["--db", sqlite_url, "stale"]) == 0
    assert "in de laatste 1 dagen" in capsys.readouterr().out
    assert cli(["--db", sqlite_url, "stale", "--days", "100000"]) == 0
    assert capsys.readouterr().out.startswith("0 record(s)")


def test_generator_is_reproducible(tmp_path: Path) -> None:
    write_generated(tmp_path / "a", services=300, seed=42)
    write_generated(tmp_path / "b", services=300, seed=42)
    write_generated(tmp_path / "c", services=300, seed=43)
    for file in [*FILES, "datapackage.json"]:
        assert filecmp.cmp(tmp_path / "a" / file, tmp_path / "b" / file, shallow=False), file
    assert not filecmp.cmp(tmp_path / "a" / "services.csv", tmp_path / "c" / "services.csv", shallow=False)


def test_generated_map_imports_and_is_all_example_data(sqlite_url: str, tmp_path: Path) -> None:
    records = write_generated(tmp_path / "g", services=200, seed=7)
    assert all(r["demo"] for rows in records.values() for r in rows)
    assert "phone" not in records and "address" not in records, "never a made-up phone number or address"
    with session_scope(sqlite_url) as session:
        report = import_package(session, tmp_path / "g")
    assert report.counts["service"] == 200


def test_cli_generate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["generate", "--services", "20", "--seed", "3", str(tmp_path / "g")]) == 0
    assert "20 diensten" in capsys.readouterr().out
    assert (tmp_path / "g" / "services.csv").read_text(encoding="utf-8").count("\n") == 21


def test_bench_runs_and_its_plan_uses_indexes(tmp_path: Path) -> None:
    rows = bench.run_bench(sizes=(300, 3000), queries=20, seed=5, folder=tmp_path)
    assert [r.services for r in rows] == [300, 3000]
    assert all(r.plan_ok for r in rows), rows[-1].plan
    assert any("ix_service_area_scope_code_service" in line for line in rows[-1].plan)
    assert "groei p95" in bench.format_table(rows)


def test_plan_check_catches_a_full_scan() -> None:
    assert not bench.plan_uses_indexes(["SCAN service", "SEARCH service_area USING INDEX x (scope=?)"])
    assert bench.plan_uses_indexes(["SCAN found", "SEARCH service USING INDEX sqlite_autoindex_service_1 (id=?)"])
