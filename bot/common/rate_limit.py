"""Per-client rate limits for the Rasa server's channels: a token bucket per key (a client address, a sender id).

A small one of our own: the well-kept `limits` library needs packaging>=21, which Rasa 3.6 forbids. Each Rasa server
counts for itself; in production nginx also limits per address in front of all of them (bot/ops/production.py).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Tuple


class RateLimiter:
    """At most `per_minute` events per key per minute on average, with bursts of up to `per_minute`; 0 = no limit.

    Keys are kept in least-recently-used order and the oldest are forgotten beyond `max_keys`, so a flood of new
    keys cannot fill the memory (a forgotten key starts again with a full bucket)."""

    def __init__(self, per_minute: int, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()  # key → (tokens, last refill)

    def allow(self, key: str) -> bool:
        """Take one token for `key`; False when its bucket is empty (the event should be refused)."""
        if self.per_minute <= 0:
            return True
        now = self._clock()
        tokens, last = self._buckets.pop(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * self.per_minute / 60.0)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed
