"""`python -m bot.tools.bench` (`make bench`): the benchmark's command line."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import List, Sequence

from bot.common import settings
from bot.tools.bench import report
from bot.tools.bench.replicas import POSTGRES as REPLICA_POSTGRES
from bot.tools.bench.replicas import REDIS as REPLICA_REDIS
from bot.tools.bench.runner import Options, run, say

EPILOG = """\
examples:
  python -m bot.tools.bench                                   the full run (~15-20 min on 2 cores)
  python -m bot.tools.bench --users 1,10 --duration 10 --no-training --socialmap-sizes ''
                                                        a quick look (~2 min)
  python -m bot.tools.bench --replicas 1,2                    the production profile with 1, then 2 Rasa + action
                                                        servers behind nginx (PostgreSQL, Redis), under rising
                                                        load: capacity per N (~10 min; reports/bench-replicas.md);
                                                        --cpu-per-replica 0.6 gives each pair 0.6 CPU
  python -m bot.tools.bench --target-url http://127.0.0.1:8000 --no-training --socialmap-sizes ''
                                                        drive another deployment (e.g. nginx in front of
                                                        several Rasa servers) instead of starting our stack;
                                                        its memory is then not measured

Results: reports/bench.json, bench.md and bench.png (--out). Exit status 0 when every measured message was
answered (no errors, nothing lost), else 1; the targets are reported, not enforced.
"""


def numbers(text: str) -> List[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def think_range(text: str) -> tuple:
    low, _, high = text.partition(",")
    return float(low), float(high or low)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.bench",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Speed, cost and scale: simulated users over the REST webhook against our stack and the "
        "`rasa init` reference bot, the social map's search, and a full training.",
    )
    parser.add_argument(
        "--users",
        type=numbers,
        help="concurrency levels, comma-separated (default 1,10,50,100,200; with --replicas 10,25,50,75,100,150)",
    )
    parser.add_argument("--duration", type=float, help="seconds per level and bot (default 60; with --replicas 30)")
    parser.add_argument(
        "--think",
        type=think_range,
        help="think time between a user's messages: MIN,MAX seconds (default 2,5; with --replicas 0.5,1.5)",
    )
    parser.add_argument(
        "--replicas",
        type=numbers,
        help="measure the production profile with these numbers of Rasa + action servers instead",
    )
    parser.add_argument(
        "--cpu-per-replica",
        type=float,
        help="with --replicas: limit each Rasa + action server pair to this many CPUs (a cgroup "
        "quota, as a container's CPU limit), so N pairs get N times the CPU on one machine",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WW_BENCH_POSTGRES_URL", REPLICA_POSTGRES),
        help="with --replicas: the PostgreSQL server to create the benchmark's databases on "
        f"(default {REPLICA_POSTGRES})",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("WW_BENCH_REDIS_URL", REPLICA_REDIS),
        help=f"with --replicas: the Redis for the lock store (default {REPLICA_REDIS})",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds after which an unanswered message is an error (default 60)"
    )
    parser.add_argument(
        "--target-url",
        help="REST base URL (http://host:port) or webhook URL of a running "
        "deployment to drive instead of starting our stack",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the rasa init reference bot")
    parser.add_argument("--no-training", action="store_true", help="skip timing a full training")
    parser.add_argument(
        "--socialmap-sizes",
        type=numbers,
        default=[1_000, 10_000, 100_000],
        help="social-map sizes to search, comma-separated; '' skips (default 1000,10000,100000)",
    )
    parser.add_argument("--socialmap-queries", type=int, default=200, help="searches per size (default 200)")
    parser.add_argument("--no-insight", action="store_true", help="skip the insight pages (a year, 50 gemeenten)")
    parser.add_argument("--model", type=Path, default=settings.ROOT / "models" / "wegwijzer.tar.gz")
    parser.add_argument("--out", type=Path, default=settings.ROOT / "reports", help="report folder")
    parser.add_argument(
        "--publish", type=Path, help="also copy bench.md, bench.png and bench.json here (e.g. docs/measures)"
    )
    return parser.parse_args(argv)


def replicas(args: argparse.Namespace) -> int:
    import tempfile

    from bot.tools.bench.replicas import ReplicaOptions, run_replicas, write  # the production profile's imports

    given = {
        name: value
        for name, value in (("users", args.users), ("think", args.think), ("duration", args.duration))
        if value
    }
    options = ReplicaOptions(
        instances=args.replicas,
        model=args.model,
        timeout=args.timeout,
        postgres=args.postgres_url,
        redis=args.redis_url,
        cpu_per_replica=args.cpu_per_replica,
        **given,
    )
    with tempfile.TemporaryDirectory(prefix="ww-replicas-") as tmp:
        result = run_replicas(options, Path(tmp))
    paths = write(result, args.out)
    for row in result["scaling"]:
        say(f"  {row['instances']}: capacity {row['msgs_per_s']} msgs/s, {row['factor']}× one")
    say(f"\nReports: {', '.join(str(p) for p in paths)}")
    return (
        0
        if all(
            level["errors"] == 0 and level["lost"] == 0
            for run in result["runs"]
            for level in run["levels"]
            if level["p95_ms"] and level["p95_ms"] <= 1000
        )
        else 1
    )


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    if args.replicas:
        return replicas(args)
    options = Options(
        users=args.users or Options.users,
        duration=args.duration or Options.duration,
        think=args.think or Options.think,
        timeout=args.timeout,
        target_url=args.target_url,
        reference=not args.no_reference,
        training=not args.no_training,
        socialmap_sizes=args.socialmap_sizes,
        socialmap_queries=args.socialmap_queries,
        insight=not args.no_insight,
        model=args.model,
    )
    result = run(options)
    paths = report.write(result, args.out)
    say("\nTargets:")
    for target in result["targets"]:
        say(f"  {report.verdict(target['met']):>12}: {target['target']} ({target['figure']})")
    if args.publish:
        args.publish.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy(path, args.publish / path.name)
    say(f"\nReports: {', '.join(str(p) for p in paths)}")
    levels = result["ours"] + result["reference"]
    return 0 if all(level["errors"] == 0 and level["lost"] == 0 for level in levels) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
