"""Command line for the domain: `python -m bot <area> <command> …` (for example `python -m bot socialmap import`)."""
from __future__ import annotations

import importlib
import sys
from typing import List

# Each area has its own `cli.main(argv) -> int`; this only dispatches.
AREAS = {
    "db": "bot.migrate",
    "socialmap": "bot.socialmap.cli",
    "handoff": "bot.handoff.cli",
    "portal": "bot.portal.cli",
    "content": "bot.content_report",
    "retention": "bot.retention",
}


def main(argv: List[str]) -> int:
    if not argv or argv[0] not in AREAS:
        print("Gebruik: python -m bot {" + "|".join(AREAS) + "} <opdracht> …", file=sys.stderr)
        return 2
    module = importlib.import_module(AREAS[argv[0]])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
