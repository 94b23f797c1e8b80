"""Search benchmark on SQLite: p95 at growing map sizes, and proof from EXPLAIN QUERY PLAN that indexes are used.

Each map is the shipped data (the 342 front doors, the national organisations, the example region) plus a
generated map of the given size, searched as the assistant searches, with an age now and then (the generated
records count as real ones here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from bot.common import regions
from bot.common.db import get_engine, session_scope
from bot.ops.migrate import upgrade
from bot.socialmap.generator import generate
from bot.socialmap.hsds_io import insert_records, load_shipped, sync_taxonomy
from bot.socialmap.opening_hours import TIMEZONE
from bot.socialmap.search import ids_query, search
from bot.socialmap.taxonomy import AUDIENCE, THEME, load_taxonomy

DEFAULT_SIZES = (1_000, 10_000, 100_000)
# Tables the hot path must never read from start to end.
BIG_TABLES = ("service", "service_area", "service_taxonomy", "attribute")
NOW = dt.datetime(2026, 11, 24, 10, 30, tzinfo=TIMEZONE)
WARM_UP = 50


@dataclass(frozen=True)
class BenchRow:
    services: int
    queries: int
    p50_ms: float
    p95_ms: float
    growth: float  # p95 divided by the p95 of the smallest size
    plan_ok: bool
    plan: Tuple[str, ...]


def query_plan(session: Session, gemeente: regions.Gemeente, theme: str, audience: Optional[str]) -> List[str]:
    """EXPLAIN QUERY PLAN of the search's id query (all three levels), as text lines."""
    areas = [("gemeente", gemeente.code), ("landelijk", regions.LANDELIJK)]
    if gemeente.arbeidsmarktregio:
        areas.insert(1, ("regio", gemeente.arbeidsmarktregio.code))
    query = ids_query(theme, areas, audience, age=45, gemeente_code=gemeente.code)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    return [str(row[-1]) for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]


def plan_uses_indexes(lines: Sequence[str]) -> bool:
    """No full scan of a big table: every read of one is a SEARCH through an index or the primary key."""
    for detail in lines:
        for table in BIG_TABLES:
            if detail.startswith(f"SCAN {table}") and "INDEX" not in detail:
                return False
    return True


def _measure(url: str, size: int, queries: int, seed: int) -> Tuple[List[float], List[str]]:
    upgrade(url)
    with session_scope(url) as session:
        load_shipped(session)
        sync_taxonomy(session)
        insert_records(session, generate(size, seed))
    rng = random.Random(seed)
    gemeenten = sorted(regions.load().gemeenten.values(), key=lambda g: g.code)
    themes = [t.code for t in load_taxonomy().of(THEME)]
    audiences = [None, None, None] + [t.code for t in load_taxonomy().of(AUDIENCE)]
    ages = [None, None, 19, 45]
    timings = []
    with session_scope(url) as session:
        for _ in range(WARM_UP):  # warm the page cache and the statement cache
            search(session, rng.choice(themes), rng.choice(gemeenten).code, now=NOW)
        for _ in range(queries):
            theme, gemeente, audience = rng.choice(themes), rng.choice(gemeenten), rng.choice(audiences)
            age = rng.choice(ages)
            start = time.perf_counter()
            search(session, theme, gemeente.code, audience=audience, now=NOW, age=age)
            timings.append((time.perf_counter() - start) * 1000)
        utrecht = regions.load().gemeenten["GM0344"]
        plan = query_plan(session, utrecht, f"{THEME}:jobcoaching", f"{AUDIENCE}:jongere")
    get_engine(url).dispose()
    return timings, plan


def run_bench(
    sizes: Sequence[int] = DEFAULT_SIZES, queries: int = 200, seed: int = 1, folder: Optional[Path] = None
) -> List[BenchRow]:
    """Build a generated map of each size in a fresh SQLite file and time random searches on it."""
    rows: List[BenchRow] = []
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        for size in sizes:
            timings, plan = _measure(f"sqlite:///{Path(tmp) / f'bench-{size}.db'}", size, queries, seed)
            p95 = statistics.quantiles(timings, n=20)[-1]
            base = rows[0].p95_ms if rows else p95
            rows.append(
                BenchRow(
                    size, queries, statistics.median(timings), p95, p95 / base, plan_uses_indexes(plan), tuple(plan)
                )
            )
    return rows


def format_table(rows: Sequence[BenchRow]) -> str:
    """The results as a plain text table, with the growth of p95 next to the growth of the map."""
    lines = [
        f"{'diensten':>9}  {'zoekvragen':>10}  {'p50 (ms)':>9}  {'p95 (ms)':>9}  {'groei p95':>9}  "
        f"{'groei kaart':>11}  indexen"
    ]
    for row in rows:
        lines.append(
            f"{row.services:>9,}".replace(",", ".") + f"  {row.queries:>10}  {row.p50_ms:>9.2f}  "
            f"{row.p95_ms:>9.2f}  {row.growth:>8.1f}x  {row.services / rows[0].services:>10.0f}x  "
            f"{'ja' if row.plan_ok else 'NEE'}"
        )
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    """`python -m bot.tools.bench.socialmap`: the table, the query plan, and 0 when p95 grows sublinearly, else 1."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.bench.socialmap",
        description="Zoeksnelheid van de sociale kaart op SQLite bij 1k, 10k en 100k diensten.",
    )
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows = run_bench(sizes, args.queries, args.seed)
    print(format_table(rows))
    print("\nQueryplan (zoekvraag voor alle drie de niveaus):")
    print("\n".join(f"  {line}" for line in rows[-1].plan))
    sublinear = rows[-1].growth < rows[-1].services / rows[0].services
    print(
        f"\nGroei p95 {rows[-1].growth:.1f}x bij {rows[-1].services // rows[0].services}x zoveel diensten: "
        f"{'sublineair' if sublinear else 'NIET sublineair'}."
    )
    return 0 if sublinear and all(r.plan_ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
