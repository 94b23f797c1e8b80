"""One benchmark run: training, social-map search, then the load levels against our bot and the reference."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Protocol, Sequence, Tuple

from bot.tools.bench import machine, report
from bot.tools.bench.load import DEFAULT_TIMEOUT_S, LevelResult, run_level, warm_up
from bot.tools.bench.memory import PeakSampler, tree_cpu_seconds
from bot.tools.bench.scripts import Script, moodbot, wegwijzer
from bot.tools.bench.servers import Target, our_stack, reference_bot, rest_url, time_training


@dataclass
class Options:
    users: Sequence[int] = (1, 10, 50, 100, 200)
    duration: float = 60.0
    think: Tuple[float, float] = (2.0, 5.0)
    timeout: float = DEFAULT_TIMEOUT_S
    target_url: Optional[str] = None  # drive this deployment instead of starting our stack
    reference: bool = True
    training: bool = True
    socialmap_sizes: Sequence[int] = (1_000, 10_000, 100_000)  # empty: skip
    socialmap_queries: int = 200
    insight: bool = True  # the insight pages with a year of counts for 50 gemeenten
    model: Path = Path("models/wegwijzer.tar.gz")


class LevelOptions(Protocol):
    duration: float
    think: Tuple[float, float]
    timeout: float


def say(text: str) -> None:
    print(text, flush=True)


def measure_level(target: Target, script: Script, users: int, options: LevelOptions) -> Dict[str, Any]:
    cpu_before = tree_cpu_seconds(target.pids)
    with PeakSampler(target.pids) as memory:
        result: LevelResult = run_level(
            target.name, target.url, script, users, options.duration, options.think, options.timeout
        )
    cpu = tree_cpu_seconds(target.pids) - cpu_before
    result.peak_rss_mb = round(memory.peak / 2**20, 1) if target.pids else None
    result.cpu_ms_per_msg = round(1000 * cpu / result.answered, 1) if target.pids and result.answered else None
    result.load_avg = machine.load_average()
    rss = f", peak RSS {result.peak_rss_mb:.0f} MB" if result.peak_rss_mb else ""
    rss += f", CPU {result.cpu_ms_per_msg:.0f} ms/msg" if result.cpu_ms_per_msg else ""
    say(
        f"  {target.name:>10} {users:>4} users: {result.msgs_per_s:6.1f} msgs/s, p50 {result.p50_ms or 0:7.0f} ms, "
        f"p95 {result.p95_ms or 0:7.0f} ms, p99 {result.p99_ms or 0:7.0f} ms, {result.sent} sent, "
        f"{result.errors} errors, {result.lost} lost, {result.unexpected} unexpected{rss}, load {result.load_avg}"
    )
    for sample in result.error_samples:
        say(f"             error: {sample}")
    for sample in result.unexpected_samples:
        say(f"             unexpected: {sample}")
    return result.as_dict()


@contextlib.contextmanager
def ours(options: Options, folder: Path) -> Iterator[Target]:
    if options.target_url:
        yield Target("target", rest_url(options.target_url))
    else:
        with our_stack(options.model.resolve(), folder) as target:
            yield target


@contextlib.contextmanager
def reference(options: Options, folder: Path) -> Iterator[Optional[Target]]:
    if not options.reference:
        yield None
        return
    say("Reference bot: rasa init --no-prompt (creates and trains the moodbot) …")
    with reference_bot(folder) as target:
        say(f"  ready after {target.facts['init_and_train_s']:.0f} s")
        yield target


def load_levels(options: Options, folder: Path, result: Dict[str, Any]) -> None:
    """Both bots up at once; the levels alternate between them, so a change in the machine's other load
    touches both sides alike."""
    (folder / "ours").mkdir()
    (folder / "reference").mkdir()
    say("Starting our stack …" if not options.target_url else f"Driving {options.target_url} …")
    with ours(options, folder / "ours") as mine, reference(options, folder / "reference") as other:
        result["reference_facts"] = other.facts if other else None
        pairs: List[Tuple[Target, Script]] = [(mine, wegwijzer())] + ([(other, moodbot())] if other else [])
        for target, script in pairs:
            tally = warm_up(target.url, script, options.timeout)
            say(f"Warm-up {target.name}: {tally.answered}/{tally.sent} answered, {tally.unexpected} unexpected")
            for sample in tally.error_samples + tally.unexpected_samples:
                say(f"             {sample}")
        for users in options.users:
            say(f"Level: {users} users, {options.duration:.0f} s")
            for target, script in pairs:
                key = "reference" if target is other else "ours"
                result[key].append(measure_level(target, script, users, options))


def run(options: Options) -> Dict[str, Any]:
    info = machine.describe()
    say(f"Machine: {machine.one_line(info)}; load average {info['load_at_start']}")
    result: Dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": info,
        "options": {**asdict(options), "model": str(options.model)},
        "target": options.target_url or "our stack started by the benchmark (actions, Rasa, web, notifier; SQLite)",
        "target_label": "target" if options.target_url else "wegwijzer",
        "ours": [],
        "reference": [],
        "training": None,
        "socialmap": None,
        "insight": None,
        "reference_facts": None,
    }
    with tempfile.TemporaryDirectory(prefix="ww-bench-") as tmp:
        folder = Path(tmp)
        if options.training:
            say("Training our bot from scratch into a temporary folder …")
            (folder / "training").mkdir()
            result["training"] = time_training(folder / "training")
            say(f"  {result['training']['wall_s'] / 60:.1f} min, model {result['training']['model_mb']} MB")
        if options.socialmap_sizes:
            result["socialmap"] = socialmap(options)
        if options.insight:
            result["insight"] = insight_pages()
        load_levels(options, folder, result)
    result["ratios"] = report.ratios(result["ours"], result["reference"])
    result["targets"] = report.targets(result)
    return result


def insight_pages() -> Dict[str, Any]:
    """The insight pages' own benchmark (bot/tools/bench/insight.py)."""
    from bot.common.db import postgres_problem
    from bot.tools.bench.insight import POSTGRES, format_table, run

    say("Insight pages with a year of counts for 50 gemeenten …")
    found = run()
    say(format_table(found))
    problem = postgres_problem(POSTGRES)
    if problem:
        found["postgres"] = {"skipped": f"PostgreSQL not reachable at {POSTGRES}: {problem}"}
    else:
        found["postgres"] = run(postgres=POSTGRES)
        say(format_table(found["postgres"]))
    return found


def socialmap(options: Options) -> List[Dict[str, Any]]:
    """The social map's own benchmark (bot/tools/bench/socialmap.py), reused as it is."""
    from bot.tools.bench.socialmap import format_table, run_bench

    say(f"Social map search at {', '.join(f'{s:,}' for s in options.socialmap_sizes)} services …")
    rows = run_bench(options.socialmap_sizes, options.socialmap_queries)
    say(format_table(rows))
    return [asdict(row) for row in rows]
