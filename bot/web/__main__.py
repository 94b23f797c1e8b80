"""`python -m bot.web`: the portal and the demo receiver on 127.0.0.1:WEB_PORT (what `make run` starts)."""

from __future__ import annotations

import argparse
import sys
from typing import List

from werkzeug.serving import run_simple

from bot.common import settings
from bot.web import create_app


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web", description="Het consulentenportaal.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.WEB_PORT)
    args = parser.parse_args(argv)
    # Werkzeug's threaded server is enough for one gemeente's team on this machine; production puts the WSGI
    # app (`bot.web:create_app()`) behind a WSGI server and a TLS proxy.
    run_simple(args.host, args.port, create_app(), threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
