"""The insight pages' benchmark runs the real app on generated counts and reports every page (short run)."""

from bot.tools.bench.insight import PAGES, format_table, run


def test_a_short_run_times_every_page() -> None:
    found = run(gemeenten=3, days=30, repeats=2)
    assert found["rows"] > 3 * 30 and set(found["pages"]) == set(PAGES)
    assert all(0 < t["p50_ms"] <= t["p95_ms"] for t in found["pages"].values())
    assert "50 gemeenten, per month" in format_table(found)
