"""Replicas that add capacity: the production profile (N Rasa + N action servers behind nginx, on PostgreSQL and
Redis) under rising load, for N = 1, 2, …

Capacity is the most messages a second answered at a level whose p95 stays within a second, with no errors and
nothing lost. Users think 0.5–1.5 s between messages here (2–5 s in the main benchmark), so that one process can
be driven past its limit by a few hundred simulated users from the same machine. Each N gets fresh PostgreSQL
databases and its own Redis key prefix, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.ops.production import ProductionStack, clear_redis
from bot.ops.stack import free_port
from bot.tools.bench import machine
from bot.tools.bench.load import DEFAULT_TIMEOUT_S, warm_up
from bot.tools.bench.memory import machine_cpu_seconds, pids_named, tree_cpu_seconds
from bot.tools.bench.runner import measure_level, say
from bot.tools.bench.scripts import wegwijzer
from bot.tools.bench.servers import Target

MAX_P95_MS = 1000.0
CGROUP_CPU = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller, where the machine has one we may write
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/12"  # not Rasa's default lock database (1), nor the tests' (11)


@dataclass
class ReplicaOptions:
    instances: Sequence[int] = (1, 2)
    users: Sequence[int] = (10, 25, 50, 75, 100, 150)
    duration: float = 30.0
    think: Tuple[float, float] = (0.5, 1.5)
    timeout: float = DEFAULT_TIMEOUT_S
    model: Path = Path("models/wegwijzer.tar.gz")
    postgres: str = POSTGRES
    redis: str = REDIS
    cpu_per_replica: Optional[float] = None  # cores each Rasa + action server pair may use (a CPU limit); None: all


def _database(base: str, name: str) -> str:
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _drop_databases(base: str, names: List[str]) -> None:
    admin = create_engine(make_url(base).set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Deployment:
    target: Target
    roles: Dict[str, List[int]]  # our processes by job, for the CPU split
    postgres: str
    databases: List[str]
    redis: str

    def connections(self) -> int:
        """PostgreSQL connections open on the deployment's two databases right now."""
        engine = create_engine(self.postgres, future=True)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        text("SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(:names)"),
                        {"names": self.databases},
                    ).scalar_one()
                )
        finally:
            engine.dispose()

    def redis_commands(self) -> int:
        import redis

        return int(redis.Redis.from_url(self.redis).info("stats")["total_commands_processed"])


def _pid(stack: ProductionStack, name: str) -> int:
    process = stack.service(name).process
    if process is None:
        raise RuntimeError(f"{name} is not running")
    return process.pid


def cpu_limit_problem() -> Optional[str]:
    """None when this machine lets the benchmark put processes under a CPU limit (cgroup v1 cpu controller)."""
    if not (CGROUP_CPU / "cpu.cfs_quota_us").exists():
        return f"no cgroup v1 cpu controller at {CGROUP_CPU}"
    probe = CGROUP_CPU / f"wwbench-probe-{uuid.uuid4().hex[:6]}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as problem:
        return f"cannot make a cgroup: {problem}"
    return None


@contextlib.contextmanager
def cpu_limited(groups: List[List[int]], cores: Optional[float]) -> Iterator[None]:
    """Each group of processes (and the children they start) limited to `cores` CPUs together, as a container's
    CPU limit does (Kubernetes `limits: cpu`); nothing when `cores` is None."""
    if cores is None:
        yield
        return
    from bot.tools.bench.memory import process_tree

    made: List[Path] = []
    try:
        for pids in groups:
            group = CGROUP_CPU / f"wwbench-{uuid.uuid4().hex[:8]}"
            group.mkdir()
            made.append(group)
            period = int((group / "cpu.cfs_period_us").read_text())
            (group / "cpu.cfs_quota_us").write_text(str(int(cores * period)))
            for pid in sorted(process_tree(pids)):
                with contextlib.suppress(OSError):  # a process that ended meanwhile
                    (group / "cgroup.procs").write_text(str(pid))
        yield
    finally:
        for group in made:
            for left in (group / "cgroup.procs").read_text().split():
                with contextlib.suppress(OSError):
                    (CGROUP_CPU / "cgroup.procs").write_text(left)
            with contextlib.suppress(OSError):
                group.rmdir()


@contextlib.contextmanager
def production(instances: int, options: ReplicaOptions, folder: Path) -> Iterator[Deployment]:
    """The production profile with `instances` Rasa and action servers on free ports, fresh databases."""
    tag = uuid.uuid4().hex[:8]
    names = [f"ww_bench_app_{tag}", f"ww_bench_tracker_{tag}"]
    prefix = f"wwbench{tag}"
    # The load comes from one address: the rate limits (meant for the internet) are off here and only here.
    stack = ProductionStack(
        model=options.model.resolve(),
        log_dir=folder / "logs",
        nginx_dir=folder / "nginx",
        instances=instances,
        rasa_ports=[free_port() for _ in range(instances)],
        action_ports=[free_port() for _ in range(instances)],
        public_port=free_port(),
        actions_lb_port=free_port(),
        web_port=free_port(),
        database_url=_database(options.postgres, names[0]),
        tracker_db=_database(options.postgres, names[1]),
        redis_url=options.redis,
        redis_key_prefix=prefix,
        env={
            "PGSSLMODE": "disable",
            "WW_VAR_DIR": str(folder),
            "WW_RATE_LIMIT_PER_CLIENT": "0",
            "WW_RATE_LIMIT_PER_SENDER": "0",
        },
    )
    try:
        stack.start()
        pids = [s.process.pid for s in stack.services if s.process is not None]
        roles = {
            role: [s.process.pid for s in stack.services if s.process is not None and s.name.startswith(role)]
            for role in ("rasa", "actions")
        }
        roles["nginx, web, notifier"] = [pid for pid in pids if not any(pid in group for group in roles.values())]
        pairs = [[_pid(stack, f"rasa-{i + 1}"), _pid(stack, f"actions-{i + 1}")] for i in range(instances)]
        with cpu_limited(pairs, options.cpu_per_replica):
            yield Deployment(
                Target(f"{instances}x", stack.rest_url, pids), roles, options.postgres, names, options.redis
            )
    finally:
        stack.stop()
        _drop_databases(options.postgres, names)
        clear_redis(options.redis, prefix)


def measured_with_roles(deployment: Deployment, users: int, options: ReplicaOptions) -> Dict[str, Any]:
    """One level, with where the CPU went (the whole machine's busy share; CPU ms per answered message for our
    Rasa servers, action servers, the rest of ours, PostgreSQL + Redis, and the load generator itself), the
    PostgreSQL connections open at its end and the Redis commands per message (the lock store)."""
    groups = {**deployment.roles, "PostgreSQL, Redis": pids_named("postgres", "redis-server")}
    before = {role: tree_cpu_seconds(pids) for role, pids in groups.items()}
    machine_before, own_before = machine_cpu_seconds(), time.process_time()
    redis_before = deployment.redis_commands()
    level = measure_level(deployment.target, wegwijzer(), users, options)
    machine_after = machine_cpu_seconds()
    answered = max(level["answered"], 1)
    level["redis_commands_per_msg"] = round((deployment.redis_commands() - redis_before) / answered, 1)
    level["postgres_connections"] = deployment.connections()
    level["cpu_ms_per_msg_by_role"] = {
        **{role: round(1000 * (tree_cpu_seconds(pids) - before[role]) / answered, 1) for role, pids in groups.items()},
        "load generator": round(1000 * (time.process_time() - own_before) / answered, 1),
    }
    busy, total = (after - first for after, first in zip(machine_after, machine_before))
    level["machine_cpu_busy_pct"] = round(100 * busy / total, 1) if total else None
    say(
        f"             machine CPU busy {level['machine_cpu_busy_pct']} %; CPU ms/msg "
        + ", ".join(f"{role} {ms}" for role, ms in level["cpu_ms_per_msg_by_role"].items())
        + f"; PostgreSQL connections {level['postgres_connections']}, Redis commands/msg "
        f"{level['redis_commands_per_msg']}"
    )
    return level


def capacity(levels: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The level with the most answered messages a second among those within the p95 limit, clean."""
    fine = [
        level
        for level in levels
        if level["errors"] == 0 and level["lost"] == 0 and level["p95_ms"] is not None and level["p95_ms"] <= MAX_P95_MS
    ]
    return max(fine, key=lambda level: level["msgs_per_s"]) if fine else None


def run_replicas(options: ReplicaOptions, folder: Path) -> Dict[str, Any]:
    info = machine.describe()
    say(f"Machine: {machine.one_line(info)}; load average {info['load_at_start']}")
    if options.cpu_per_replica is not None and (problem := cpu_limit_problem()):
        say(f"No CPU limit per replica on this machine ({problem}): every process may use every core.")
        options.cpu_per_replica = None
    result: Dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": info,
        "options": {**asdict(options), "model": str(options.model)},
        "runs": [],
    }
    script = wegwijzer()
    for instances in options.instances:
        say(f"Production profile, {instances} Rasa + {instances} action servers behind nginx …")
        (folder / str(instances)).mkdir()
        with production(instances, options, folder / str(instances)) as deployment:
            tally = warm_up(deployment.target.url, script, options.timeout)
            say(f"Warm-up: {tally.answered}/{tally.sent} answered")
            levels = []
            for users in options.users:
                level = measured_with_roles(deployment, users, options)
                levels.append(level)
                if level["p95_ms"] is None or level["p95_ms"] > 3 * MAX_P95_MS:
                    break  # far past the limit: higher levels only queue more
                time.sleep(2)
        best = capacity(levels)
        result["runs"].append({"instances": instances, "levels": levels, "capacity": best})
        say(
            f"  capacity with {instances}: "
            + (
                f"{best['msgs_per_s']:.1f} msgs/s at {best['users']} users (p95 {best['p95_ms']:.0f} ms)"
                if best
                else "none within 1 s"
            )
        )
    result["scaling"] = scaling(result["runs"])
    return result


def scaling(runs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Capacity of each N against N times the capacity of the smallest N measured."""
    base = runs[0] if runs and runs[0]["capacity"] else None
    rows = []
    for run in runs:
        if base is None or not run["capacity"]:
            rows.append({"instances": run["instances"], "msgs_per_s": None, "factor": None, "efficiency": None})
            continue
        factor = run["capacity"]["msgs_per_s"] / base["capacity"]["msgs_per_s"]
        rows.append(
            {
                "instances": run["instances"],
                "msgs_per_s": run["capacity"]["msgs_per_s"],
                "factor": round(factor, 2),
                "efficiency": round(factor / (run["instances"] / base["instances"]), 2),
            }
        )
    return rows


def _figure(value: Optional[float]) -> str:
    return f"{value:.1f}" if value is not None else "–"


def markdown(result: Dict[str, Any]) -> str:
    options = result["options"]
    lines = [
        f"# Replicas, {result['date']}",
        "",
        f"Machine: {machine.one_line(result['machine'])}; load average at start {result['machine']['load_at_start']}.",
        f"Production profile (`bot/ops/production.py`): N Rasa + N action servers behind nginx, PostgreSQL "
        f"(tracker store and app database), Redis lock store; the same four-message conversations as the main "
        f"benchmark, think time {options['think'][0]:g}–{options['think'][1]:g} s, {options['duration']:.0f} s "
        f"per level. Capacity: the most answered messages a second at a level with p95 ≤ "
        f"{MAX_P95_MS:.0f} ms, no errors, nothing lost. CPU ms / msg counts our processes (Rasa, actions, web, "
        "notifier, nginx), not PostgreSQL, Redis or the load generator, which share the same cores. "
        + (
            f"Each Rasa + action server pair was limited to {options['cpu_per_replica']:g} CPU together (a "
            "cgroup CPU quota, as a container's CPU limit), so that N pairs have N times the CPU and the rest "
            "of the machine stays for PostgreSQL, Redis, nginx and the load generator."
            if options.get("cpu_per_replica")
            else "No CPU limit: every process could use every core."
        ),
        "",
        "| N | users | msgs/s | p50 ms | p95 ms | p99 ms | errors | lost | CPU ms / msg | machine CPU busy | load "
        "| PostgreSQL connections | Redis commands / msg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in result["runs"]:
        for level in run["levels"]:
            lines.append(
                f"| {run['instances']} | {level['users']} | {level['msgs_per_s']:.1f} | "
                f"{level['p50_ms'] or 0:.0f} | {level['p95_ms'] or 0:.0f} | {level['p99_ms'] or 0:.0f} | "
                f"{level['errors']} | {level['lost']} | {level.get('cpu_ms_per_msg') or '–'} | "
                f"{_figure(level.get('machine_cpu_busy_pct'))} % | {level.get('load_avg', '–')} | "
                f"{level.get('postgres_connections', '–')} | {level.get('redis_commands_per_msg', '–')} |"
            )
    busiest = [
        (run["instances"], run["capacity"])
        for run in result["runs"]
        if run["capacity"] and run["capacity"].get("cpu_ms_per_msg_by_role")
    ]
    if busiest:
        roles = list(busiest[0][1]["cpu_ms_per_msg_by_role"])
        lines += [
            "",
            "Where the CPU went at each N's capacity level (ms per answered message):",
            "",
            "| N | " + " | ".join(roles) + " |",
            "|---|" + "---|" * len(roles),
        ]
        lines += [
            f"| {n} | " + " | ".join(str(level["cpu_ms_per_msg_by_role"][r]) for r in roles) + " |"
            for n, level in busiest
        ]
    lines += ["", "| N | capacity msgs/s | × one | per replica |", "|---|---|---|---|"]
    for row in result["scaling"]:
        lines.append(
            f"| {row['instances']} | {_figure(row['msgs_per_s'])} | "
            f"{row['factor'] if row['factor'] is not None else '–'} | "
            f"{row['efficiency'] if row['efficiency'] is not None else '–'} |"
        )
    return "\n".join(lines) + "\n"


def write(result: Dict[str, Any], folder: Path) -> List[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "bench-replicas.json", folder / "bench-replicas.md"]
    paths[0].write_text(json.dumps(result, indent=2, ensure_ascii=False))
    paths[1].write_text(markdown(result))
    return paths
