"""The report writer and the targets, on figures made up for the purpose."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from bot.tools.bench import machine, report


def level(bot: str, users: int, p95: float, errors: int = 0, cpu: float = 40.0, rate: float = 4.0) -> Dict[str, Any]:
    return {
        "cpu_ms_per_msg": cpu,
        "bot": bot,
        "users": users,
        "duration_s": 10.0,
        "sent": 40,
        "answered": 40 - errors,
        "errors": errors,
        "lost": 0,
        "unexpected": 0,
        "conversations": 9,
        "msgs_per_s": rate,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 1.2,
        "max_ms": p95 * 1.5,
        "peak_rss_mb": 900.0,
        "load_avg": 1.2,
        "step_p50_ms": [p95 / 2] * 4,
        "error_samples": [],
    }


def result(ours_p95: float, errors: int = 0, ours_cpu: float = 50.0, ours_rate: float = 26.0) -> Dict[str, Any]:
    ours = [
        level("wegwijzer", 1, 100),
        level("wegwijzer", 50, ours_p95, errors, ours_cpu),
        level("wegwijzer", 100, 400, rate=ours_rate),
    ]
    reference = [level("reference", 1, 40), level("reference", 50, 100), level("reference", 100, 200, rate=27.0)]
    found = {
        "date": "2026-11-24 10:00",
        "machine": machine.describe(),
        "target": "our stack",
        "target_label": "wegwijzer",
        "options": {"duration": 10.0, "think": [2.0, 5.0], "timeout": 60.0},
        "ours": ours,
        "reference": reference,
        "ratios": report.ratios(ours, reference),
        "training": {"wall_s": 150.0, "model_mb": 30.0},
        "reference_facts": {"init_and_train_s": 60.0},
        "socialmap": [
            {
                "services": 1000,
                "queries": 200,
                "p50_ms": 3.0,
                "p95_ms": 5.0,
                "growth": 1.0,
                "plan_ok": True,
                "plan": [],
            },
            {
                "services": 100000,
                "queries": 200,
                "p50_ms": 8.0,
                "p95_ms": 12.0,
                "growth": 2.4,
                "plan_ok": True,
                "plan": [],
            },
        ],
    }
    found["targets"] = report.targets(found)
    return found


def test_targets_met_and_not_met():
    met = {t["name"]: t["met"] for t in report.targets(result(ours_p95=180))}
    assert met == {
        "latency": True,
        "cpu": True,
        "throughput": True,
        "socialmap": True,
        "insight": None,
        "training": True,
    }
    pages = {"insight": {"gemeenten": 50, "days": 365, "rows": 9, "pages": {"a": {"p50_ms": 90, "p95_ms": 990}}}}
    assert {t["name"]: t["met"] for t in report.targets({**result(ours_p95=180), **pages})}["insight"] is True
    pages["insight"]["pages"]["b"] = {"p50_ms": 400, "p95_ms": 1200}
    assert {t["name"]: t["met"] for t in report.targets({**result(ours_p95=180), **pages})}["insight"] is False
    assert "| b | 400 | 1200 |" in report.markdown({**result(ours_p95=180), **pages, "targets": []})
    assert {t["name"]: t["met"] for t in report.targets(result(ours_p95=180, ours_rate=24.0))}["throughput"] is False
    assert {t["name"]: t["met"] for t in report.targets(result(ours_p95=180, ours_cpu=61))}["cpu"] is False
    assert {t["name"]: t["met"] for t in report.targets(result(ours_p95=250))}["latency"] is False
    assert {t["name"]: t["met"] for t in report.targets(result(ours_p95=150, errors=1))}["latency"] is False


def test_ratio_is_ours_over_the_reference_per_level():
    assert report.ratios(result(180)["ours"], result(180)["reference"]) == {1: 2.5, 50: 1.8, 100: 2.0}


def test_json_markdown_and_png_are_written(tmp_path: Path):
    paths = report.write(result(ours_p95=180), tmp_path)
    assert [p.name for p in paths] == ["bench.json", "bench.md", "bench.png"]
    assert json.loads(paths[0].read_text())["ratios"]
    text = paths[1].read_text()
    assert (
        "| wegwijzer | 50 |" in text
        and "1.80×" in text
        and "| 50 | 1.2 |" in text
        and "1.25×" in text
        and "| met |" in text
        and "100,000" in text
    )
    assert paths[2].read_bytes().startswith(b"\x89PNG")


def test_machine_is_described():
    info = machine.describe()
    assert info["cores"] >= 1 and info["python"].startswith("3.10") and info["rasa"].startswith("3.6")
