"""The public evaluation sets of `make eval` (tests/eval and tests/eval/blind) ask only what the assistant can
answer: every label is a topic or intent it has, every facet one it knows, and every item cites seed lines that
exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml

from bot.common import settings
from bot.conversation.knowledge import facets, library

EVAL = settings.ROOT / "tests" / "eval"
SETS = [EVAL, EVAL / "blind"]
SEED_DIR = settings.ROOT.parent / "shared" / "seeds"
OTHER_LABELS = {"request_human", "ask_handoff_status", "ask_where_to_go"}
FACET_WORDS = {"where", "none", "more"}


def _load(folder: Path, name: str) -> List[Dict[str, Any]]:
    return list(yaml.safe_load((folder / f"{name}.yml").read_text(encoding="utf-8"))[name])


def _items() -> Iterator[Tuple[str, Dict[str, Any]]]:
    for folder in SETS:
        for name in ("stories", "followups"):
            for item in _load(folder, name):
                yield f"{folder.name}/{name}", item


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_every_label_is_a_topic_and_every_facet_one_the_assistant_knows(folder: Path) -> None:
    known = set(library().by_intent) | OTHER_LABELS
    stories = _load(folder, "stories")
    assert len(stories) >= 50
    for story in stories:
        assert story["topics"] and set(story["topics"]) <= known, story
    exchanges = _load(folder, "followups")
    assert len(exchanges) >= 30
    for exchange in exchanges:
        for turn in exchange["turns"]:
            assert turn["topic"] in known, turn
            facet = turn.get("facet")
            if facet is None or facet in FACET_WORDS:
                continue
            assert facet in facets(), turn  # an article without its own answer for it gives the facet's general one


def test_every_item_cites_seed_lines_that_exist() -> None:
    if not SEED_DIR.is_dir():
        pytest.skip("the seed documents (../shared/seeds) are not beside this checkout")
    lengths = {p.name[:3]: len(p.read_text(encoding="utf-8").splitlines()) for p in SEED_DIR.glob("0*.txt")}
    for where, item in _items():
        number = ""
        for cited in re.split(r"[;,]", str(item["seed"])):  # "001:1443-1446, 6683", "003:787-788; 001:6962"
            file, colon, lines = cited.strip().rpartition(":")
            number = file if colon else number
            assert number in lengths, (where, item["seed"])
            start, _, end = lines.partition("-")
            assert 1 <= int(start) <= int(end or start) <= lengths[number], (where, item["seed"])
