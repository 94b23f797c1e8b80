"""The house (#19): what the configuration files name exists, content is read in one place, bot text has one home
per kind, and the layout map in docs/layout.md names every folder of bot/."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Iterator, List

import pytest
import yaml

from bot.common import settings

ROOT = settings.ROOT
# Modules that may parse YAML themselves, and why: the content loader; Rasa's domain (not knowledge/); an article's
# front matter (a string inside the Markdown file); the gemeenten' handoff configuration (an operator's file with
# its own error report and reloading on change); quality tooling.
YAML_READERS = {
    "bot/common/content.py",
    "bot/rasa/channels.py",
    "bot/conversation/knowledge.py",
    "bot/handoff/config.py",
}


def _class_paths() -> Iterator[str]:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for part in config["pipeline"] + config["policies"]:
        yield part["name"]
    for name in ("endpoints.yml", "endpoints.production.yml"):
        for entry in (yaml.safe_load((ROOT / name).read_text(encoding="utf-8")) or {}).values():
            if isinstance(entry, dict):
                yield str(entry.get("type", ""))
    yield from yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))


def test_every_class_the_configuration_names_exists() -> None:
    """A deployed config and the trained model name classes by import path; after a move each must still import."""
    ours = sorted({p for p in _class_paths() if p.startswith("bot.")})
    assert len(ours) >= 6, ours  # classifier, crisis net, two channels, tracker stores, lock store
    for path in ours:
        module, _, name = path.rpartition(".")
        assert hasattr(importlib.import_module(module), name), path


def _python_files() -> List[Path]:
    return sorted(p for folder in ("bot", "actions") for p in (ROOT / folder).rglob("*.py"))


def test_only_the_content_loader_reads_yaml_files() -> None:
    readers = set()
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("safe_load", "load", "full_load")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "yaml"
            ):
                readers.add(relative)
    outside = {r for r in readers - YAML_READERS if not r.startswith("bot/tools/")}
    assert not outside, f"read content through bot/common/content.py: {sorted(outside)}"
    assert "bot/common/content.py" in readers


# The one response code sends by name: the last resort's "that is not something I can help with", which the
# consulent's transcript recognises by that name (bot/handoff/transcript.py) to mark the question unanswered.
SENT_BY_CODE = {"utter_out_of_scope"}


def test_domain_yml_holds_only_conversational_lines() -> None:
    """A response in domain.yml is a line a rule or story sends by itself: used in data/, never sent from code,
    nothing filled in by code, no copy of an article (explanations live in knowledge/articles, the code's own
    messages in knowledge/system_messages.yml)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    dialogue = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "data").rglob("*.yml"))
    code = " ".join(p.read_text(encoding="utf-8") for p in _python_files())
    from bot.conversation.knowledge import library

    shorts = [" ".join(a.short.split())[:60] for a in library().articles.values()]
    for name, variants in domain["responses"].items():
        if name in SENT_BY_CODE:
            assert f'"{name}"' in code, f"{name} is no longer sent from code: take it off SENT_BY_CODE"
        else:
            assert name in dialogue, f"{name} is not sent by any rule or story"
            assert f'"{name}"' not in code, f"{name} is sent from code: its text belongs in system_messages.yml"
        for variant in variants:
            text = " ".join(str(variant.get("text", "")).split())
            assert "{" not in text, f"{name}: a value filled in by code belongs in knowledge/system_messages.yml"
            assert not any(short and short in text for short in shorts), f"{name} copies an article's text"


@pytest.mark.parametrize(
    "folder", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("__init__.py")), ids=str
)
def test_the_layout_map_names_every_folder(folder: str) -> None:
    package = folder.removesuffix("/__init__.py")
    if package == "bot" or "/migrations" in package:
        return
    assert f"`{package}/`" in (ROOT / "docs" / "layout.md").read_text(encoding="utf-8"), f"{package} is not on the map"


def test_every_setting_is_in_the_configuration_doc() -> None:
    """docs/configuration.md is the one list of environment variables: every WW_* that settings.py reads is there."""
    import re

    names = set(re.findall(r'"(WW_[A-Z0-9_]+)"', (ROOT / "bot" / "common" / "settings.py").read_text(encoding="utf-8")))
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert names and not {n for n in names if n not in documented}, sorted(n for n in names if n not in documented)
