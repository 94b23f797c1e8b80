"""`make eval`'s dialogue and content parts give figures (the NLU part runs in `make eval` itself)."""
from __future__ import annotations

from pathlib import Path

from bot.evaluation import content_markdown, content_scores, dialogue_markdown, dialogue_scores
from bot.knowledge import library
from tests.conftest import ROOT


def test_content_figures():
    content = content_scores(library())
    assert content["articles"] == len(library().articles) > 0
    assert content["with_sources"] == 1.0 and 0 < content["with_research_source"] <= 1
    for scores in (content["b1_short"], content["b1_body"]):
        assert 0 < scores["worst"] <= scores["median"] and scores["worst_article"] in library().articles
    assert content["general_knowledge_to_review"] >= 0
    assert any("awaiting review" in line for line in content_markdown(content))


def test_dialogue_counts_passed_and_failed_stories(trained_model: Path, tmp_path: Path):
    dialogue = dialogue_scores(trained_model, ROOT / "tests" / "stories" / "test_conversation.yml", tmp_path)
    assert dialogue["stories"] > 0 and dialogue["passed"] + dialogue["failed"] == dialogue["stories"]
    assert dialogue["failed"] == len(dialogue["failed_stories"])
    assert f"{dialogue['passed']} passed" in "\n".join(dialogue_markdown(dialogue))
