"""`make eval`'s dialogue and content parts give figures (the NLU part runs in `make eval` itself)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.conversation.knowledge import library
from bot.tools.content_report import report as content_report
from bot.tools.evaluation import content_markdown, content_scores, dialogue_markdown, dialogue_scores
from tests.conftest import ROOT


def test_content_figures():
    content = content_scores(library())
    assert content["articles"] == len(library().articles) > 0
    assert content["with_sources"] == 1.0 and 0 < content["with_research_source"] <= 1
    for scores in (content["b1_short"], content["b1_body"]):
        assert 0 < scores["worst"] <= scores["median"] and scores["worst_article"] in library().articles
    # The figure is the content report's list of facts to review (168 in December 2026), not some other count.
    assert content["general_knowledge_to_review"] == len(content_report(library())) > 0
    assert any("awaiting review" in line for line in content_markdown(content))


def test_dialogue_counts_passed_and_failed_stories(trained_model: Path, tmp_path: Path):
    stories = ROOT / "tests" / "stories" / "test_conversation.yml"
    dialogue = dialogue_scores(trained_model, stories, tmp_path)
    # Counted from the file itself, and every one of them passes (tests/test_rasa_data.py replays them too).
    in_file = len(yaml.safe_load(stories.read_text(encoding="utf-8"))["stories"])
    assert dialogue["stories"] == in_file > 0 and dialogue["passed"] == in_file and dialogue["failed"] == 0
    assert dialogue["failed_stories"] == []
    assert f"{dialogue['passed']} passed" in "\n".join(dialogue_markdown(dialogue))
