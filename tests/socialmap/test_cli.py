"""`python -m bot socialmap …`: the commands people run, with their output and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.common import settings
from bot.common.db import get_engine
from bot.ops.cli.socialmap import main as cli
from tests.socialmap.conftest import row_counts, small_package


def test_load_shipped_migrates_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "socialmap", "load-shipped"],
            cwd=settings.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Geïmporteerd uit" in done.stdout
    assert row_counts(url)["service"] > 50
    get_engine(url).dispose()


def test_search_and_unmet_needs(shipped_sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    assert cli(["--db", shipped_sqlite_url, "search", "wie helpt mij met mijn cv", "Houten"]) == 0
    assert "Thema solliciteren-en-cv, Houten" in capsys.readouterr().out
    assert cli(["--db", shipped_sqlite_url, "search", "zzp", "Amsterdam", "--record-unmet"]) == 0
    assert "[landelijk]" in capsys.readouterr().out
    assert cli(["--db", shipped_sqlite_url, "unmet-needs"]) == 0
    assert "zzp in GM0363: 1x" in capsys.readouterr().out
    assert cli(["--db", shipped_sqlite_url, "search", "bloemschikken"]) == 1


def test_remove_source(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["--db", sqlite_url, "import", str(small_package(tmp_path / "p"))]) == 0
    assert cli(["--db", sqlite_url, "remove-source", "test-bron"]) == 0
    assert "5 records van bron 'test-bron' verwijderd" in capsys.readouterr().out
    assert row_counts(sqlite_url)["service"] == 0


def test_regions_report(capsys: pytest.CaptureFixture) -> None:
    assert cli(["regions-report"]) == 0
    out = capsys.readouterr().out
    assert "342 gemeenten, 342 met een arbeidsmarktregio" in out and "[datafout]" not in out


def test_front_doors_command_writes_the_shipped_package(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["front-doors", str(tmp_path / "gemeenten")]) == 0
    assert "342 voordeuren" in capsys.readouterr().out
    shipped = settings.KNOWLEDGE_DIR / "socialmap" / "gemeenten"
    assert (tmp_path / "gemeenten" / "phones.csv").read_bytes() == (shipped / "phones.csv").read_bytes()


def test_bench_command_prints_the_table(capsys: pytest.CaptureFixture) -> None:
    from bot.tools.bench import socialmap as bench

    assert bench.main(["--sizes", "200,2000", "--queries", "20"]) in (0, 1)
    out = capsys.readouterr().out
    assert "groei p95" in out and "SEARCH service_area USING COVERING INDEX" in out
