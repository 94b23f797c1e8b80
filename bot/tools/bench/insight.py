"""The insight pages under load of data (#20): a year of counts, of unmet needs per month and of questions without an
answer for 50 gemeenten (bot/insight/generator.py, seeded) beside the shipped social map, and the time to serve
/inzicht (week and month), the warm handoffs, the social-map gaps and the unanswered questions to a teamleider of one
gemeente and to a beheerder of all 50, through the real Flask app on a real SQLite database, and on PostgreSQL when
one is reachable (`--postgres URL`: a schema of its own, dropped after). Target: p95 under a second.
`python -m bot.tools.bench.insight` prints the table; `make bench` includes it."""

from __future__ import annotations

import argparse
import math
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.common import regions
from bot.common.clock import today
from bot.common.db import get_engine, session_scope, temporary_schema
from bot.conversation.knowledge import library
from bot.insight.generator import generate, generate_unanswered, generate_unmet_needs
from bot.ops.migrate import upgrade
from bot.portal import accounts
from bot.socialmap import hsds_io

PASSWORD = secrets.token_urlsafe(16)  # made per run
PAGES = {
    "one gemeente, per week": ("teamleider", "/inzicht?eenheid=week"),
    "one gemeente, per month": ("teamleider", "/inzicht?eenheid=maand"),
    "50 gemeenten, per week": ("beheerder", "/inzicht?eenheid=week"),
    "50 gemeenten, per month": ("beheerder", "/inzicht?eenheid=maand"),
    "handoffs, one gemeente, month": ("teamleider", "/inzicht/overdrachten?eenheid=maand"),
    "handoffs, 50 gemeenten, month": ("beheerder", "/inzicht/overdrachten?eenheid=maand"),
    "map gaps, one gemeente": ("teamleider", "/inzicht/sociale-kaart"),
    "map gaps, 50 gemeenten": ("beheerder", "/inzicht/sociale-kaart"),
    "map gaps, heel Nederland": ("beheerder", "/inzicht/sociale-kaart?gemeente=nederland"),
    "unanswered, one gemeente": ("teamleider", "/inzicht/onbeantwoord"),
    "unanswered, 50 gemeenten": ("beheerder", "/inzicht/onbeantwoord"),
}
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"  # the machine's own server (docs/testing.md)


def run(
    gemeenten: int = 50, days: int = 365, repeats: int = 20, seed: int = 3, postgres: Optional[str] = None
) -> Dict[str, Any]:
    """On SQLite, or in a fresh schema of the PostgreSQL database `postgres`."""
    if postgres:
        with temporary_schema(postgres, "ww_bench") as url:
            return {**_run(url, gemeenten, days, repeats, seed), "database": "PostgreSQL"}
    with tempfile.TemporaryDirectory(prefix="ww-insight-") as tmp:
        return {**_run(f"sqlite:///{Path(tmp) / 'insight.db'}", gemeenten, days, repeats, seed), "database": "SQLite"}


def _run(url: str, gemeenten: int, days: int, repeats: int, seed: int) -> Dict[str, Any]:
    from bot.web import create_app

    codes = sorted(regions.load().gemeenten)[:gemeenten]
    upgrade(url)
    with session_scope(url) as session:
        rows = generate(session, codes, sorted(library().by_intent), today() - timedelta(days=0), days, seed)
        rows += generate_unmet_needs(session, codes, today(), math.ceil(days / 30.4), seed)
        rows += generate_unanswered(session, codes, sorted(library().by_intent), today(), days, seed)
        hsds_io.load_shipped(session)  # the map beside the gaps: a front door in every gemeente, national services
        accounts.create_user(session, "teamleider", "teamleider", codes[:1], PASSWORD)
        accounts.create_user(session, "beheerder", "beheerder", codes, PASSWORD)
        accounts.set_national_insight(session, "beheerder", True)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "WEB_DEV": True})
    pages: Dict[str, Dict[str, float]] = {}
    for name, (user, path) in PAGES.items():
        client = app.test_client()
        page = client.get("/inloggen").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        client.post(
            "/inloggen",
            data={"csrf_token": token.group(1) if token else "", "username": user, "password": PASSWORD},
        )
        timings: List[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} as {user}: {response.status_code}")
        timings.sort()
        p95 = timings[min(len(timings), math.ceil(0.95 * len(timings))) - 1]  # nearest rank
        pages[name] = {"p50_ms": statistics.median(timings), "p95_ms": p95}
    get_engine(url).dispose()
    return {"gemeenten": gemeenten, "days": days, "rows": rows, "pages": pages}


def format_table(result: Dict[str, Any]) -> str:
    lines = [
        f"Insight pages on {result.get('database', 'SQLite')}: {result['rows']:,} rows ({result['days']} days × "
        f"{result['gemeenten']} gemeenten)",
        f"{'page':<32}{'p50 ms':>9}{'p95 ms':>9}",
    ]
    lines += [f"{name:<32}{t['p50_ms']:>9.0f}{t['p95_ms']:>9.0f}" for name, t in result["pages"].items()]
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.bench.insight", description=__doc__)
    parser.add_argument("--gemeenten", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--postgres", metavar="URL", help=f"also on this PostgreSQL database (e.g. {POSTGRES})")
    args = parser.parse_args(argv)
    results = [run(args.gemeenten, args.days, args.repeats)]
    if args.postgres:
        results.append(run(args.gemeenten, args.days, args.repeats, postgres=args.postgres))
    print("\n\n".join(format_table(r) for r in results))
    return 0 if all(t["p95_ms"] < 1000 for r in results for t in r["pages"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
