"""The replica benchmark's judgement of capacity and scaling, on figures made up for the purpose (the run itself
against the production profile: tests/production/test_replica_bench.py)."""

from __future__ import annotations

from typing import Any, Dict

from bot.tools.bench import machine
from bot.tools.bench.replicas import capacity, markdown, scaling


def level(users: int, rate: float, p95: float, errors: int = 0) -> Dict[str, Any]:
    return {
        "users": users,
        "msgs_per_s": rate,
        "p50_ms": p95 / 3,
        "p95_ms": p95,
        "p99_ms": p95 * 1.3,
        "errors": errors,
        "lost": 0,
        "cpu_ms_per_msg": 20.0,
        "load_avg": 1.5,
    }


def test_capacity_is_the_busiest_level_within_a_second_without_errors():
    levels = [level(50, 40, 300), level(100, 70, 900), level(150, 80, 1400), level(200, 75, 800, errors=3)]
    assert capacity(levels)["users"] == 100
    assert capacity([level(50, 40, 1200)]) is None


def test_scaling_compares_each_n_with_the_first():
    runs = [
        {"instances": 1, "capacity": level(100, 40, 900)},
        {"instances": 2, "capacity": level(200, 70, 950)},
        {"instances": 3, "capacity": None},
    ]
    rows = scaling(runs)
    assert rows[0]["factor"] == 1.0 and rows[1]["factor"] == 1.75 and rows[1]["efficiency"] == 0.88
    assert rows[2]["factor"] is None


def test_the_report_shows_every_level_and_the_capacities():
    runs = [
        {"instances": 1, "levels": [level(50, 40, 300), level(100, 60, 1500)], "capacity": level(50, 40, 300)},
        {"instances": 2, "levels": [level(50, 41, 200), level(100, 70, 600)], "capacity": level(100, 70, 600)},
    ]
    text = markdown(
        {
            "date": "2026-12-05 10:00",
            "machine": machine.describe(),
            "runs": runs,
            "scaling": scaling(runs),
            "options": {"think": [0.5, 1.5], "duration": 30.0},
        }
    )
    assert "| 1 | 100 | 60.0 |" in text and "| 2 | 70.0 | 1.75 | 0.88 |" in text


def test_a_cpu_limit_holds_a_busy_process_to_its_share_and_is_removed_afterwards():
    import subprocess
    import sys
    import time

    import pytest

    from bot.tools.bench.memory import cpu_seconds
    from bot.tools.bench.replicas import CGROUP_CPU, cpu_limit_problem, cpu_limited

    problem = cpu_limit_problem()
    if problem:
        pytest.skip(problem)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        before = {p.name for p in CGROUP_CPU.glob("wwbench-*")}
        with cpu_limited([[busy.pid]], 0.2):
            start_cpu, start = cpu_seconds(busy.pid), time.monotonic()
            time.sleep(1.5)
            share = (cpu_seconds(busy.pid) - start_cpu) / (time.monotonic() - start)
        assert share < 0.35, f"limited to 0.2 CPU, used {share:.2f}"
        assert {p.name for p in CGROUP_CPU.glob("wwbench-*")} == before, "the group is gone afterwards"
    finally:
        busy.kill()
        busy.wait()
