"""Peak memory of a process tree, read from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.tools.bench.memory import PeakSampler, process_tree, tree_cpu_seconds, tree_rss

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
FIFTY_MB = 50 * 2**20


def test_the_tree_includes_children_and_their_memory():
    code = "import time; x = b'1' * (50 * 2**20); print('ready', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        with PeakSampler([os.getpid()], interval=0.05) as sampler:
            time.sleep(0.2)
        assert child.pid in process_tree([os.getpid()])
        assert tree_rss([child.pid]) > FIFTY_MB
        assert sampler.peak > tree_rss([child.pid]), "the child's memory is part of the parent's tree"
    finally:
        child.kill()
        child.wait()


def test_a_process_that_is_gone_has_no_memory():
    assert tree_rss([2**22 + 12345]) == 0


def test_the_cpu_time_of_a_busy_child_is_counted_in_its_tree():
    code = "import time\nwhile time.process_time() < 0.6: pass\nprint('done', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "done"
        assert 0.5 < tree_cpu_seconds([child.pid]) < 5
        assert tree_cpu_seconds([os.getpid()]) >= tree_cpu_seconds([child.pid])
    finally:
        child.kill()
        child.wait()
