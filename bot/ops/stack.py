"""Starts and stops the running product: action server, Rasa server, the web app (portal) and the notifier.

`python -m bot.ops` (bot/ops/__main__.py) is what `make run` calls; the end-to-end tests use `Stack` to start the
same processes on free ports.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import requests

from bot.common import settings

BIN = Path(sys.executable).parent
# Names of environment variables (the values are made per start), not secrets.
DEMO_SECRET = "WW_HANDOFF_SECRET_DEMO"  # noqa: S105
ACTION_TOKEN = "WW_ACTION_TOKEN"  # noqa: S105
SESSION_SECRET = "WW_SESSION_SECRET"  # noqa: S105


def prepare_database(url: str) -> None:
    """Bring the application database to the newest schema and (re)load the shipped social map."""
    from bot.common.db import session_scope
    from bot.ops.migrate import upgrade
    from bot.socialmap.hsds_io import load_shipped

    upgrade(url)
    with session_scope(url) as session:
        load_shipped(session)


def ensure_demo_account(url: str) -> Optional[str]:
    """A demo teamleider for the example gemeenten when the portal has no account yet; its password, else None."""
    from bot.common.db import session_scope
    from bot.handoff.config import load_config
    from bot.portal.accounts import ensure_demo_account as create

    config = load_config()
    gemeenten = sorted(code for code, entry in config.entries.items() if entry.example) or ["GM0344"]
    with session_scope(url) as session:
        return create(session, gemeenten)


def actions_command(port: int, bin_dir: Path = BIN) -> List[str]:
    """The action server (it listens on SANIC_HOST, default 0.0.0.0; the stack sets 127.0.0.1); it takes calls
    only with WW_ACTION_TOKEN, which Rasa sends (endpoints.yml)."""
    return [str(bin_dir / "python"), "-m", "bot.rasa.action_server", "--actions", "actions", "--port", str(port)]


def rasa_command(
    model: Path, port: int, endpoints: str = "endpoints.yml", host: str = "127.0.0.1", bin_dir: Path = BIN
) -> List[str]:
    """The Rasa server with the guarded channels; `endpoints` picks the stores (endpoints.production.yml). No
    `--cors`: browsers are answered from WW_WIDGET_ORIGINS only (bot/rasa/patches.py)."""
    return [
        str(bin_dir / "rasa"),
        "run",
        "--model",
        str(model),
        "--interface",
        host,
        "--port",
        str(port),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        endpoints,
    ]


def web_command(port: int, host: str = "127.0.0.1", bin_dir: Path = BIN) -> List[str]:
    """The consulent portal, its API and the demo gemeente's webhook receiver."""
    return [str(bin_dir / "python"), "-m", "bot.web", "--host", host, "--port", str(port)]


def notifier_command(bin_dir: Path = BIN) -> List[str]:
    """Delivers stored handoffs to the gemeenten's endpoints (outbox; retries with backoff)."""
    return [str(bin_dir / "python"), "-m", "bot", "handoff", "notify"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    name: str
    command: List[str]
    health_url: Optional[str]  # None: ready once the process has started and not stopped
    process: Optional[subprocess.Popen] = None
    env: Dict[str, str] = field(default_factory=dict)  # on top of the stack's environment


@dataclass
class Stack:
    """The assistant's processes, with their ports, environment and log folder."""

    rasa_port: int = settings.RASA_PORT
    action_port: int = settings.ACTION_PORT
    model: Path = settings.ROOT / "models" / "wegwijzer.tar.gz"
    log_dir: Path = settings.VAR_DIR / "logs"
    env: Dict[str, str] = field(default_factory=dict)
    services: List[Service] = field(default_factory=list)
    # None: WEB_PORT for the stack on the default ports (`make run`), a free port for one on other ports (tests).
    web_port: Optional[int] = None
    demo_password: Optional[str] = None  # set by start() when it created the demo account

    def __post_init__(self) -> None:
        host = "127.0.0.1"
        if self.web_port is None:
            default = (self.rasa_port, self.action_port) == (settings.RASA_PORT, settings.ACTION_PORT)
            self.web_port = settings.WEB_PORT if default else free_port()
        if not (self.env.get(DEMO_SECRET) or os.environ.get(DEMO_SECRET)):
            # The notifier signs and the demo receiver checks with the same secret; random, never a fixed one.
            self.env[DEMO_SECRET] = secrets.token_urlsafe(32)
        if not (self.env.get(ACTION_TOKEN) or os.environ.get(ACTION_TOKEN)):
            self.env[ACTION_TOKEN] = secrets.token_urlsafe(32)  # shared by Rasa and the action server, per start
        if not (self.env.get(SESSION_SECRET) or os.environ.get(SESSION_SECRET)):
            self.env[SESSION_SECRET] = secrets.token_urlsafe(32)  # signs socket.io session ids; every Rasa server
        self.services = [
            Service("actions", actions_command(self.action_port), f"http://{host}:{self.action_port}/health"),
            Service("rasa", rasa_command(self.model, self.rasa_port), f"http://{host}:{self.rasa_port}/"),
            Service("web", web_command(self.web_port), f"http://{host}:{self.web_port}/healthz"),
            Service("notifier", notifier_command(), None),
        ]

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def environment(self) -> Dict[str, str]:
        env = {**os.environ, **self.env}
        env.update(
            {
                "ACTION_PORT": str(self.action_port),
                "RASA_PORT": str(self.rasa_port),
                "SANIC_HOST": "127.0.0.1",
                "PYTHONPATH": str(settings.ROOT),
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
            }
        )
        env["WEB_PORT"] = str(self.web_port)
        env.setdefault("WW_HANDOFF_DEMO_URL", f"http://127.0.0.1:{self.web_port}/demo/handoff-receiver")
        # Plain http on this computer only: session cookies without the Secure flag (docs/portal.md).
        env.setdefault("WW_WEB_DEV", "1")
        # This stack serves the demo page: the example content is shown (never in production: bot/common/settings.py).
        env.setdefault("WW_EXAMPLE_CONTENT", "1")
        env.setdefault("TRACKER_DB", str(settings.VAR_DIR / "tracker.db"))
        env.setdefault("DATABASE_URL", settings.DATABASE_URL)
        return env

    def start(self, timeout: float = 180.0) -> "Stack":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        if "://" not in env["TRACKER_DB"]:  # a SQLite file; the production profile gives a database URL
            Path(env["TRACKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
        prepare_database(env["DATABASE_URL"])
        if any(s.name == "web" for s in self.services):
            self.demo_password = ensure_demo_account(env["DATABASE_URL"])
        for service in self.services:
            self.start_service(service)
        for service in self.services:
            self.wait_ready(service, timeout)
        return self

    def start_service(self, service: Service) -> None:
        # The child writes to its own copy of the file; ours is closed at once (no handle left open per start).
        with (self.log_dir / f"{service.name}.log").open("ab") as log:
            service.process = subprocess.Popen(
                service.command,
                cwd=settings.ROOT,
                env={**self.environment(), **service.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, service: Service, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if service.process and service.process.poll() is not None:
                raise RuntimeError(f"{service.name} stopped at start-up; see {self.log_dir / service.name}.log")
            if service.health_url is None:
                return
            try:
                if requests.get(service.health_url, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{service.name} not ready after {timeout:.0f}s; see {self.log_dir / service.name}.log")

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def stop_service(self, service: Service) -> None:
        stop_process(service.process)

    def stop(self) -> None:
        for service in reversed(self.services):
            self.stop_service(service)


def stop_process(process: Optional[subprocess.Popen]) -> None:
    """Stop a process and its children: SIGTERM to its group, SIGKILL after 20 s."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def supervise(stack: Stack) -> int:
    """Run the retention purges every hour (the contact vault every minute) until a process stops (1) or Ctrl-C
    (KeyboardInterrupt)."""
    from bot.ops import retention

    next_purge = next_vault_purge = 0.0
    env = stack.environment()
    while all(s.process and s.process.poll() is None for s in stack.services):
        if time.monotonic() >= next_purge:
            retention.purge(env["DATABASE_URL"], env["TRACKER_DB"])
            next_purge, next_vault_purge = time.monotonic() + 3600, time.monotonic() + 60
        if time.monotonic() >= next_vault_purge:
            retention.purge(env["DATABASE_URL"], parts=("contacts",))
            next_vault_purge = time.monotonic() + 60
        time.sleep(1)
    print("Een onderdeel is gestopt; zie de logbestanden.", file=sys.stderr)
    return 1


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Start Wegwijzer Werk on this machine.")
    parser.add_argument("--shell", action="store_true", help="talk to the assistant in this terminal")
    args = parser.parse_args(argv)
    stack = Stack()
    if args.shell:
        stack.services = [stack.service("actions")]
        return serve(
            stack,
            "Wegwijzer Werk start op …",
            list,
            then=lambda: subprocess.call(
                [
                    str(BIN / "rasa"),
                    "shell",
                    "--model",
                    str(stack.model),
                    "--port",
                    str(stack.rasa_port),
                    "--endpoints",
                    "endpoints.yml",
                ],
                cwd=settings.ROOT,
                env=stack.environment(),
            ),
        )
    return serve(
        stack,
        "Wegwijzer Werk start op …",
        lambda: [
            ("Assistent (REST)", f"POST {stack.rest_url}"),
            ("Actieserver", f"http://127.0.0.1:{stack.action_port}/health"),
            ("Consulentenportaal", f"http://localhost:{stack.web_port}/"),
            ("Demo-pagina (chat)", f"http://localhost:{stack.web_port}/demo/"),
        ],
    )


def serve(
    stack: Stack,
    starting: str,
    addresses: Callable[[], List[Tuple[str, str]]],
    then: Optional[Callable[[], int]] = None,
) -> int:
    """Start `stack`, say where everything is, then run `then` (the terminal chat) or purge every hour until a
    process stops; Ctrl-C stops all of it."""
    # Set explicitly: a shell that starts us in the background ignores SIGINT, and Python would inherit that.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(starting, flush=True)
    try:
        stack.start()
        if then is not None:
            return then()
        lines = addresses()
        if stack.demo_password:
            lines.append(
                ("Demo-account", f"gebruikersnaam demo, wachtwoord {stack.demo_password} (wordt maar één keer getoond)")
            )
        lines.append(("Logbestanden", str(stack.log_dir)))
        width = max(len(label) for label, _ in lines) + 2
        for label, value in lines:
            print(f"{label + ':':<{width}}{value}")
        print("Stoppen: Ctrl-C", flush=True)
        return supervise(stack)
    except KeyboardInterrupt:
        return 0
    finally:
        print("Wegwijzer Werk stopt …", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
