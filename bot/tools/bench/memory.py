"""Peak resident memory and CPU time of a group of server processes and all their children, from /proc (Linux).

psutil is not among the project's packages; /proc is enough for the two numbers the benchmark needs.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _children() -> Dict[int, List[int]]:
    """Parent pid → child pids, for every process this user can see."""
    tree: Dict[int, List[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Field 4 of stat is the parent; the command name (field 2) may hold spaces, so split after ')'.
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def process_tree(roots: Iterable[int]) -> Set[int]:
    tree = _children()
    found: Set[int] = set()
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(tree.get(pid, []))
    return found


def rss_bytes(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass  # the process ended between listing and reading
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far (fields 14 and 15 of /proc/PID/stat, in clock ticks)."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return 0.0  # the process ended between listing and reading


def tree_cpu_seconds(roots: Iterable[int]) -> float:
    """CPU time of the processes `roots` and all their living descendants, summed, in seconds."""
    return sum(cpu_seconds(pid) for pid in process_tree(roots))


def machine_cpu_seconds() -> tuple:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (the first line of /proc/stat)."""
    fields = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for I/O
    total = sum(fields[:8])  # guest time is already counted in user time
    return (total - idle) / _TICKS, total / _TICKS


def pids_named(*names: str) -> List[int]:
    """Processes whose command name is one of `names` (e.g. the machine's PostgreSQL and Redis servers)."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def tree_rss(roots: Iterable[int]) -> int:
    """Resident memory of the processes `roots` and all their descendants, summed, in bytes."""
    return sum(rss_bytes(pid) for pid in process_tree(roots))


class PeakSampler:
    """Samples the summed RSS of a process tree in a thread; `peak` is the highest sample (bytes)."""

    def __init__(self, roots: Iterable[int], interval: float = 0.5) -> None:
        self.roots = list(roots)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def sample(self) -> None:
        self.peak = max(self.peak, tree_rss(self.roots))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakSampler":
        if self.roots and PROC.exists():
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
            self.sample()
