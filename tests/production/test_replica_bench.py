"""`python -m bot.tools.bench --replicas`: the production profile started by the benchmark itself, driven and measured
(a short run; the figures are in docs/measures/README.md, "Speed", from `make bench-replicas`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.tools.bench import __main__ as cli
from tests.databases import POSTGRES
from tests.production.conftest import REDIS_URL, production_problem

pytestmark = pytest.mark.stack


def test_the_replica_benchmark_drives_the_production_profile(trained_model: Path, tmp_path: Path):
    problem = production_problem()
    if problem:
        pytest.skip(problem)
    code = cli.main(
        [
            "--replicas",
            "1",
            "--users",
            "2",
            "--duration",
            "3",
            "--model",
            str(trained_model),
            "--postgres-url",
            POSTGRES,
            "--redis-url",
            REDIS_URL,
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    result = json.loads((tmp_path / "bench-replicas.json").read_text())
    (run,) = result["runs"]
    (level,) = run["levels"]
    assert run["instances"] == 1 and level["answered"] >= 2 and level["errors"] == 0 and level["unexpected"] == 0
    assert level["cpu_ms_per_msg"] > 0, "the profile's own processes are measured"
    assert run["capacity"] == level and result["scaling"][0]["factor"] == 1.0
    assert "| 1 | 2 |" in (tmp_path / "bench-replicas.md").read_text()
