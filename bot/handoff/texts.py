"""The handoff's person-facing texts and summary headings (knowledge/handoff/texts.yml): content, not code."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

import yaml

from bot.common import settings


@lru_cache(maxsize=None)
def _all() -> Dict[str, Any]:
    return yaml.safe_load((settings.KNOWLEDGE_DIR / "handoff" / "texts.yml").read_text(encoding="utf-8"))


def entry(key: str) -> Any:
    """The raw value at `key`; dots walk into nested sections ("summary.domains")."""
    value: Any = _all()
    for part in key.split("."):
        value = value[part]
    return value


def text(key: str, **values: Any) -> str:
    """The text at `key` on one line, with {placeholders} filled in."""
    return " ".join(str(entry(key)).split()).format(**values)
