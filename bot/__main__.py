"""Command line for the domain: `python -m bot <area> <command> …` (for example `python -m bot socialmap import`)."""

from __future__ import annotations

import importlib
import sys
from typing import List

# Each area has its own `cli.main(argv) -> int`; this only dispatches.
AREAS = {
    "db": "bot.ops.migrate",
    "socialmap": "bot.ops.cli.socialmap",
    "handoff": "bot.ops.cli.handoff",
    "portal": "bot.ops.cli.portal",
    "insight": "bot.ops.cli.insight",
    "content": "bot.tools.content_report",
    "retention": "bot.ops.retention",
}


def main(argv: List[str]) -> int:
    if not argv or argv[0] not in AREAS:
        print("Gebruik: python -m bot {" + "|".join(AREAS) + "} <opdracht> …", file=sys.stderr)
        return 2
    module = importlib.import_module(AREAS[argv[0]])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
