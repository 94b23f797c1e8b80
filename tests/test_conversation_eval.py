"""`make eval` reads each answer back to what it was about (bot/tools/conversation_eval.AnswerReader): with the real
articles and messages, as the assistant sends them."""

from __future__ import annotations

import pytest

from bot.conversation.answers import facet_answer, long_answer, part_title, short_answer
from bot.conversation.knowledge import facets, library
from bot.conversation.messages import message
from bot.tools.conversation_eval import AnswerReader


@pytest.fixture(scope="module")
def reader() -> AnswerReader:
    return AnswerReader(library())


def test_an_article_a_facet_and_more(reader: AnswerReader) -> None:
    article = library().get("jobcoaching")
    assert article is not None
    assert reader.read([short_answer(article)]).kind == "article"
    read = reader.read([facet_answer(article, facets()["duration"])])
    assert (read.kind, read.topic, read.facet) == ("facet", "ask_jobcoaching", "duration")
    assert reader.read([long_answer(article)]).facet == "more"


@pytest.mark.parametrize("key", ["only_front_door", "results_intro"])
def test_a_search_that_names_its_theme_like_an_article_title_is_a_search(reader: AnswerReader, key: str) -> None:
    """The theme "Jobcoaching" is also an article's title; the answer is still a search, not the article."""
    intro = message(key, theme="Jobcoaching", gemeente="Amersfoort")
    service = {"text": "**Werk en inkomen bij de gemeente Amersfoort** (Gemeente Amersfoort) In jouw gemeente"}
    read = reader.read([intro, service])
    assert (read.kind, read.facet) == ("where", "where")


def test_a_part_of_an_article_whose_title_is_a_question_reads_plainly_and_back(reader: AnswerReader) -> None:
    uwv = library().for_intent("ask_uwv_role")
    assert uwv is not None and uwv.title.endswith("?")
    answer = facet_answer(uwv, facets()["apply"])
    assert answer["text"].startswith(f"**{uwv.title} Hoe vraag je het aan?**")
    assert "?:" not in answer["text"]
    read = reader.read([answer])
    assert (read.kind, read.topic, read.facet) == ("facet", "ask_uwv_role", "apply")
    assert part_title("Jobcoaching", "hoe lang?") == "Jobcoaching: hoe lang?"
