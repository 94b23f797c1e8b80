"""The action server, as rasa_sdk's own, but it only takes calls from our Rasa servers.

rasa_sdk 3.6 runs any action for anyone who can reach its port, with whatever tracker the caller makes up. Here
every request but `GET /health` must carry the shared secret WW_ACTION_TOKEN in the header ACTION_TOKEN_HEADER,
which Rasa sends from `action_endpoint.headers` in endpoints.yml. Without the secret set the server does not
start. No CORS (only servers call it), and an error never echoes the request back (it holds a conversation).

    python -m bot.rasa.action_server --port 5055
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import List, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.common import settings

ACTION_TOKEN_HEADER = "X-Wegwijzer-Action-Token"  # noqa: S105 (a header name)
OPEN_PATHS = {"/health"}
logger = logging.getLogger(__name__)


def token_matches(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (hmac.compare_digest on str refuses it)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def create_app(token: str, action_package: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as sdk_app

    if not token:
        raise ValueError("WW_ACTION_TOKEN is not set: the action server would take calls from anyone")
    app = sdk_app(action_package, cors_origins=None)

    @app.middleware("request")
    async def only_rasa(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        if not token_matches(request.headers.get(ACTION_TOKEN_HEADER), token):
            logger.warning("Action server: call without a valid token from %s refused", request.ip)
            return response.json({"error": "niet toegestaan"}, status=401)
        if request.path == "/webhook" and request.method != "POST":
            return response.json({"error": "alleen POST"}, status=405, headers={"Allow": "POST"})
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        status = getattr(exception, "status_code", 500)
        if status >= 500:
            logger.error("Action server: %s %s failed", request.method, request.path, exc_info=exception)
        return response.json({"error": "de actie kon niet worden uitgevoerd"}, status=status)

    return app


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Start the action server (only our Rasa servers may call it).")
    parser.add_argument("--port", type=int, default=settings.ACTION_PORT)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    token = settings.ACTION_TOKEN
    if not token:
        print("WW_ACTION_TOKEN ontbreekt: de actieserver start niet zonder gedeeld geheim met Rasa.", file=sys.stderr)
        return 2
    app = create_app(token, args.actions)
    host = os.environ.get("SANIC_HOST", "0.0.0.0")  # noqa: S104 (in a container; the stack sets 127.0.0.1)
    app.run(host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
