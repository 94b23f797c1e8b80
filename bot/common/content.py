"""The one loader for content files (YAML in knowledge/ or beside it): read once per process and file.

Texts, patterns and lists that people see or that steer the conversation live in knowledge/ (knowledge/README.md
says which file holds which kind); code reads them only through `load` (a file in knowledge/) or `load_file`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.common import settings


@lru_cache(maxsize=None)
def _parsed(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_file(path: Path) -> Any:
    """The parsed YAML file at `path` (cached: the same object every time, so callers must not change it)."""
    return _parsed(Path(path))


def load(name: str) -> Any:
    """The parsed YAML file knowledge/<name>, e.g. load("handoff/texts.yml") (settings.KNOWLEDGE_DIR decides the
    folder)."""
    return load_file(settings.KNOWLEDGE_DIR / name)


def clear() -> None:
    """Forget what was read (a test that changes a file on disk)."""
    _parsed.cache_clear()
