"""All settings in one place, read from environment variables with safe defaults for a laptop.

Every variable is listed with its default in the README's configuration table.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = Path(os.environ.get("WW_KNOWLEDGE_DIR", ROOT / "knowledge"))
VAR_DIR = Path(os.environ.get("WW_VAR_DIR", ROOT / "var"))


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# The database for the social map, handoffs and the portal (not Rasa's conversation store).
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'wegwijzer.db'}"

RASA_PORT = _int("RASA_PORT", 5005)
ACTION_PORT = _int("ACTION_PORT", 5055)
WEB_PORT = _int("WEB_PORT", 8080)

# Longer messages are cut to this many characters, and the person is told so.
MAX_MESSAGE_LENGTH = _int("WW_MAX_MESSAGE_LENGTH", 1000)

# Social map: a record whose assured_date is older than this many days is listed by `socialmap stale`.
STALE_DAYS = _int("WW_STALE_DAYS", 365)

# The arbeidsmarktregio whose gemeenten are offered as buttons when the person's gemeente is not recognised
# (the widget's own gemeente, when known, takes precedence). AR14 = Midden-Utrecht, the shipped example region.
DEFAULT_ARBEIDSMARKTREGIO = os.environ.get("WW_DEFAULT_REGIO", "AR14")
