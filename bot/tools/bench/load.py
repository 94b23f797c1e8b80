"""The load generator: simulated users who each hold conversations over the REST webhook, with think time.

The model is closed-loop, as people are: a user reads the answer and thinks before the next message, so a slow
server gets fewer messages, and latency (not a growing queue in the client) shows the strain.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
import numpy

from bot.tools.bench.scripts import Script, Turn

# A message whose answer takes longer than this counts as an error (the person has given up by then).
DEFAULT_TIMEOUT_S = 60.0


@dataclass
class Tally:
    """What happened to the messages of one level."""

    sent: int = 0
    answered: int = 0
    errors: int = 0  # no answer: a connection error, a timeout, a status other than 200, or the failure text
    lost: int = 0  # 200 with an empty list of messages: the person sees nothing
    unexpected: int = 0  # answered, but without the text that shows the message was understood
    conversations: int = 0
    latencies_ms: List[float] = field(default_factory=list)
    by_step_ms: Dict[int, List[float]] = field(default_factory=dict)  # latency per message of a conversation
    error_samples: List[str] = field(default_factory=list)
    unexpected_samples: List[str] = field(default_factory=list)

    def error(self, reason: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(reason)

    def surprise(self, turn: Turn, answer: str) -> None:
        self.unexpected += 1
        if len(self.unexpected_samples) < 5:
            self.unexpected_samples.append(f"{turn.message!r} → {answer[:100]!r}")


@dataclass
class LevelResult:
    """The figures of one concurrency level against one bot."""

    bot: str
    users: int
    duration_s: float
    sent: int
    answered: int
    errors: int
    lost: int
    unexpected: int
    conversations: int
    msgs_per_s: float
    p50_ms: Optional[float]
    p95_ms: Optional[float]
    p99_ms: Optional[float]
    max_ms: Optional[float]
    peak_rss_mb: Optional[float] = None
    cpu_ms_per_msg: Optional[float] = None  # CPU time of the server processes per answered message
    load_avg: Optional[float] = None
    step_p50_ms: List[Optional[float]] = field(default_factory=list)  # median per message of a conversation
    error_samples: List[str] = field(default_factory=list)
    unexpected_samples: List[str] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def percentile(values: List[float], q: float) -> Optional[float]:
    return float(numpy.percentile(values, q)) if values else None


def judge(turn: Turn, status: int, body: Any, script: Script, tally: Tally) -> None:
    """Count one response as answered, lost, error or unexpected."""
    if status != 200:
        tally.error(f"HTTP {status}")
    elif not isinstance(body, list):
        tally.error(f"not a list of messages: {str(body)[:80]}")
    elif not body:
        tally.lost += 1
    else:
        texts = " ".join(str(m.get("text", "")) for m in body)
        if any(failure in texts for failure in script.failure_texts):
            tally.error("the assistant's own failure message")
            return
        tally.answered += 1
        if turn.expect and turn.expect not in texts:
            tally.surprise(turn, texts)


async def send(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    turn: Turn,
    script: Script,
    tally: Tally,
    timeout: float,
    step: int = 0,
) -> None:
    tally.sent += 1
    start = time.perf_counter()
    try:
        async with session.post(
            url, json={"sender": sender, "message": turn.message}, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as response:
            status = response.status
            body = await response.json(content_type=None) if status == 200 else None
    except asyncio.TimeoutError:
        tally.error(f"no answer within {timeout:.0f}s")
        return
    except (aiohttp.ClientError, ValueError) as problem:
        tally.error(f"{type(problem).__name__}: {problem}"[:120])
        return
    elapsed = (time.perf_counter() - start) * 1000
    tally.latencies_ms.append(elapsed)
    tally.by_step_ms.setdefault(step, []).append(elapsed)
    judge(turn, status, body, script, tally)


async def user(
    number: int,
    session: aiohttp.ClientSession,
    url: str,
    script: Script,
    tally: Tally,
    end: float,
    think: Tuple[float, float],
    timeout: float,
    run_id: str,
) -> None:
    """One person: conversations one after the other until the level's time is up, each with a new sender id."""
    rng = random.Random(number)
    # Spread the first messages, so the level does not start with every user sending at the same moment.
    await asyncio.sleep(rng.uniform(0, think[1]))
    count = 0
    while True:
        conversation = script.conversations[(number + count) % len(script.conversations)]
        sender = f"bench-{run_id}-{number}-{count}"
        for step, turn in enumerate(conversation):
            if time.monotonic() >= end:
                return
            await send(session, url, sender, turn, script, tally, timeout, step)
            # Never think past the end of the level: that would only stretch the time the rate is divided by.
            await asyncio.sleep(max(0.0, min(rng.uniform(*think), end - time.monotonic())))
        count += 1
        tally.conversations += 1  # finished ones only


async def drive(
    url: str,
    script: Script,
    users: int,
    duration: float,
    think: Tuple[float, float],
    timeout: float = DEFAULT_TIMEOUT_S,
    run_id: str = "",
) -> Tuple[Tally, float]:
    """`users` users for `duration` seconds; messages under way at the end are still awaited and counted."""
    tally = Tally()
    # No limit on connections: every user has its own, as in a browser.
    connector = aiohttp.TCPConnector(limit=0)
    run_id = run_id or f"{script.name}-{users}-{int(time.time())}"
    start = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(
            *(user(n, session, url, script, tally, start + duration, think, timeout, run_id) for n in range(users))
        )
    return tally, time.monotonic() - start


def run_level(
    bot: str,
    url: str,
    script: Script,
    users: int,
    duration: float,
    think: Tuple[float, float],
    timeout: float = DEFAULT_TIMEOUT_S,
) -> LevelResult:
    """One level, measured: the figures the benchmark prints (memory and load are added by the caller)."""
    tally, elapsed = asyncio.run(drive(url, script, users, duration, think, timeout))
    lat = tally.latencies_ms
    return LevelResult(
        bot=bot,
        users=users,
        duration_s=round(elapsed, 1),
        sent=tally.sent,
        answered=tally.answered,
        errors=tally.errors,
        lost=tally.lost,
        unexpected=tally.unexpected,
        conversations=tally.conversations,
        msgs_per_s=round(tally.answered / elapsed, 2) if elapsed else 0.0,
        p50_ms=percentile(lat, 50),
        p95_ms=percentile(lat, 95),
        p99_ms=percentile(lat, 99),
        max_ms=max(lat) if lat else None,
        error_samples=tally.error_samples,
        unexpected_samples=tally.unexpected_samples,
        step_p50_ms=[
            percentile(tally.by_step_ms.get(step, []), 50) for step in range(max(len(c) for c in script.conversations))
        ],
    )


async def _warm_up(url: str, script: Script, timeout: float) -> Tally:
    tally = Tally()
    run_id = int(time.time())
    async with aiohttp.ClientSession() as session:
        for number, conversation in enumerate(script.conversations):
            sender = f"bench-warm-up-{run_id}-{number}"  # one per conversation: the bot remembers within it
            for turn in conversation:
                await send(session, url, sender, turn, script, tally, timeout)
    return tally


def warm_up(url: str, script: Script, timeout: float = DEFAULT_TIMEOUT_S) -> Tally:
    """Every conversation once, not measured: the first messages load models and open databases."""
    return asyncio.run(_warm_up(url, script, timeout))
