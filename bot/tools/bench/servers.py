"""The bots under load: our stack (or any deployment given by URL) and the `rasa init` reference bot."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

from bot.common import settings
from bot.ops.stack import BIN, Stack, free_port, stop_process

REST_PATH = "/webhooks/rest/webhook"


@dataclass
class Target:
    """A bot to drive: its REST webhook, and the processes whose memory is ours to measure (none for a URL)."""

    name: str
    url: str
    pids: List[int] = field(default_factory=list)
    facts: Dict[str, float] = field(default_factory=dict)  # e.g. the reference bot's training time


def rest_url(base: str) -> str:
    """`http://host:port` or a full webhook URL, as a webhook URL."""
    base = base.rstrip("/")
    return base if base.endswith(REST_PATH) else base + REST_PATH


@contextlib.contextmanager
def our_stack(model: Path, folder: Path) -> Iterator[Target]:
    """The real stack (actions, Rasa, web, notifier) on free ports, with fresh databases in `folder` and the
    shipped social map loaded, as `make run` starts it."""
    # The load comes from one address, many senders at a time: the rate limits (meant for the internet) would turn
    # the measurement into a count of 429s; they are switched off (0) here and only here.
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        model=model,
        log_dir=folder / "logs",
        env={
            "TRACKER_DB": str(folder / "tracker.db"),
            "WW_VAR_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'wegwijzer.db'}",
            "WW_RATE_LIMIT_PER_CLIENT": "0",
            "WW_RATE_LIMIT_PER_SENDER": "0",
        },
    )
    try:
        stack.start()
        yield Target("wegwijzer", stack.rest_url, [s.process.pid for s in stack.services if s.process is not None])
    finally:
        stack.stop()


def _rasa_env(folder: Path) -> Dict[str, str]:
    # A cache of its own: the reference bot never reuses (or fills) the project's training cache.
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_CACHE_DIRECTORY": str(folder / "cache"),
    }


def _wait_ready(process: subprocess.Popen, url: str, log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the reference bot stopped at start-up; see {log}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).ok:
                return
        time.sleep(0.5)
    raise TimeoutError(f"the reference bot was not ready after {timeout:.0f}s; see {log}")


def create_reference(folder: Path) -> float:
    """`rasa init --no-prompt` in `folder/moodbot` (which also trains it); the seconds that took."""
    (folder / "moodbot").mkdir()  # rasa init refuses a folder that does not exist
    start = time.monotonic()
    run_logged(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder / "moodbot")],
        folder,
        _rasa_env(folder),
        folder / "reference-init.log",
    )
    return time.monotonic() - start


def run_logged(command: List[str], cwd: Path, env: Dict[str, str], log: Path) -> None:
    """Run `command` with its output in `log`; on failure, the end of the log is in the error (the temporary
    folder with the log is gone by the time anyone looks)."""
    with log.open("wb") as out:
        code = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if code != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise RuntimeError(f"{' '.join(command[:3])} … failed with status {code}:\n" + "\n".join(tail))


@contextlib.contextmanager
def reference_bot(folder: Path, port: Optional[int] = None) -> Iterator[Target]:
    """The `rasa init` example bot, created and trained in `folder`, served by its own `rasa run`. Its template
    has no custom actions, so it needs no action server."""
    seconds = create_reference(folder)
    project = folder / "moodbot"
    port = port or free_port()
    log = folder / "reference-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--model", "models", "--interface", "127.0.0.1", "--port", str(port)],
            cwd=project,
            env=_rasa_env(folder),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}/", log)
        yield Target(
            "reference", f"http://127.0.0.1:{port}{REST_PATH}", [process.pid], {"init_and_train_s": round(seconds, 1)}
        )
    finally:
        stop_process(process)


def model_folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def time_training(folder: Path) -> Dict[str, float]:
    """A full `rasa train` of our bot into `folder` (never over models/), with an empty cache so nothing is
    reused from earlier trainings: the wall time and the model's size."""
    start = time.monotonic()
    run_logged(
        [str(BIN / "rasa"), "train", "--out", str(folder / "models"), "--fixed-model-name", "bench", "--force"],
        settings.ROOT,
        _rasa_env(folder),
        folder / "train.log",
    )
    seconds = time.monotonic() - start
    return {"wall_s": round(seconds, 1), "model_mb": round(model_folder_size(folder / "models") / 2**20, 1)}
