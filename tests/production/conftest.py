"""The production profile, started once for this folder: 2 Rasa + 2 action servers behind nginx, PostgreSQL
(fresh schemas, reached through a proxy that can fail like a restart) and Redis (own database and key prefix)."""

from __future__ import annotations

import faulthandler
import os
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
from sqlalchemy.engine import make_url

from bot.common.db import get_engine
from bot.ops.production import ProductionStack, clear_redis, nginx_binary, redis_problem
from bot.ops.stack import free_port
from tests.databases import POSTGRES, postgres_problem, postgres_schema
from tests.production.pg_proxy import PostgresProxy

# Not Rasa's default lock database (1), so a `make run-production` on this machine is never touched.
REDIS_DB = int(os.environ.get("WW_TEST_REDIS_DB", "11"))
REDIS_URL = os.environ.get("WW_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")


def production_problem() -> Optional[str]:
    """Why the production profile cannot run here, for the skip message; None when it can."""
    if postgres_problem():
        return f"PostgreSQL niet bereikbaar op {POSTGRES} ({postgres_problem()})"
    problem = redis_problem(REDIS_URL)
    if problem:
        return f"Redis niet bereikbaar op {REDIS_URL} ({problem})"
    if nginx_binary() is None:
        return "nginx is niet geïnstalleerd (make test-deps installeert het)"
    return None


def through(proxy: PostgresProxy, url: str) -> str:
    """The same database URL, via the proxy."""
    return make_url(url).set(port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture(scope="package")
def pg_proxy() -> Iterator[PostgresProxy]:
    """Between the stack and PostgreSQL for the whole folder; tests make it fail on purpose."""
    problem = production_problem()
    if problem:
        pytest.skip(problem)
    proxy = PostgresProxy(target_port=port_of(POSTGRES)).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture(scope="package")
def production(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, pg_proxy: PostgresProxy
) -> Iterator[ProductionStack]:
    proxy = pg_proxy
    var = tmp_path_factory.mktemp("production")
    prefix = f"wwtest{uuid.uuid4().hex[:8]}"
    with ExitStack() as cleanup:
        # A hang while tearing down would be out of pytest's reach (a wait inside a C library): ten minutes after
        # the last test, the stacks of every thread are printed and the run ends, so CI fails with a reason.
        cleanup.callback(faulthandler.cancel_dump_traceback_later)
        app_url = cleanup.enter_context(postgres_schema("ww_prod_app"))
        tracker_url = cleanup.enter_context(postgres_schema("ww_prod_tracker"))
        cleanup.callback(clear_redis, REDIS_URL, prefix)
        cleanup.callback(release_connections, proxy, [app_url, tracker_url])
        stack = ProductionStack(
            model=trained_model,
            log_dir=var / "logs",
            nginx_dir=var / "nginx",
            instances=2,
            rasa_ports=[free_port(), free_port()],
            action_ports=[free_port(), free_port()],
            public_port=free_port(),
            actions_lb_port=free_port(),
            web_port=free_port(),
            database_url=through(proxy, app_url),
            tracker_db=through(proxy, tracker_url),
            redis_url=REDIS_URL,
            redis_key_prefix=prefix,
            # Plain text to the proxy, so it can see where a transaction is (the server offers TLS).
            # All requests come from 127.0.0.1: the per-client rate limit is raised (as in tests/conftest.py).
            # Load tests send from one address and several messages a second per conversation: the limits that
            # protect the internet-facing servers are raised here (tests/test_security_input.py tests them).
            env={
                "PGSSLMODE": "disable",
                "WW_VAR_DIR": str(var),
                "WW_RATE_LIMIT_PER_CLIENT": "3000",
                "WW_RATE_LIMIT_PER_SENDER": "600",
            },
        )
        cleanup.callback(stack.stop)
        yield stack.start()
        faulthandler.dump_traceback_later(600, exit=True)


def release_connections(proxy: PostgresProxy, urls: List[str]) -> None:
    """After the stack has stopped: no connection of its or of this test process is left on the schemas."""
    from tests.production.store import direct

    proxy.restart(0)  # cuts whatever the stopped servers left behind the proxy
    for url in urls:
        get_engine(direct(url)).dispose()
        get_engine(through(proxy, url)).dispose()


def port_of(url: str) -> int:
    return make_url(url).port or 5432


class Conversation:
    """One conversation over REST, each message to the next of `urls` in turn (nginx, or each Rasa server)."""

    def __init__(self, urls: List[str], sender: Optional[str] = None) -> None:
        self.urls = urls
        self.sender = sender or f"prod-{uuid.uuid4().hex[:12]}"
        self.turn = 0

    def post(self, text: str, url: Optional[str] = None, timeout: float = 150) -> requests.Response:
        url = url or self.urls[self.turn % len(self.urls)]
        self.turn += 1
        return requests.post(url, json={"sender": self.sender, "message": text}, timeout=timeout)

    def say(self, text: str, url: Optional[str] = None) -> List[Dict[str, Any]]:
        response = self.post(text, url)
        assert response.status_code == 200, response.text
        return response.json()

    def say_text(self, text: str, url: Optional[str] = None) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text, url))
