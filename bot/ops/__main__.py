"""`python -m bot.ops` (what `make run` calls): the stack on this machine (bot/ops/stack.py), or the production
profile when WW_PROFILE=production (bot/ops/production.py); `--shell` talks to the assistant in this terminal."""

from __future__ import annotations

import sys
from typing import List

from bot.common import settings
from bot.ops import production, stack


def main(argv: List[str]) -> int:
    if settings.PRODUCTION and "--shell" not in argv:
        return production.main(argv)
    return stack.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
