"""The insight pages' benchmark runs the real app on generated counts and reports every page (short run)."""

import pytest

from bot.tools.bench.insight import PAGES, format_table, run
from tests.databases import POSTGRES, postgres_problem


def test_a_short_run_times_every_page() -> None:
    found = run(gemeenten=3, days=30, repeats=2)
    assert found["rows"] > 3 * 30 and set(found["pages"]) == set(PAGES)
    assert all(0 < t["p50_ms"] <= t["p95_ms"] for t in found["pages"].values())
    assert "50 gemeenten, per month" in format_table(found)


def test_a_short_run_on_postgresql_in_a_schema_of_its_own() -> None:
    if postgres_problem():
        pytest.skip(f"PostgreSQL niet bereikbaar op {POSTGRES}")
    found = run(gemeenten=2, days=20, repeats=2, postgres=POSTGRES)
    assert found["database"] == "PostgreSQL" and set(found["pages"]) == set(PAGES)
    assert "unanswered, 50 gemeenten" in format_table(found) and "PostgreSQL" in format_table(found)
