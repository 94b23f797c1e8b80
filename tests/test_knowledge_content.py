"""Every answer the assistant gives: complete, sourced, plain Dutch (B1), and free of harmful claims."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
import yaml

from bot.common import settings
from bot.conversation.answers import long_answer, short_answer
from bot.conversation.knowledge import Article, facets, library
from bot.socialmap.search import resolve_theme
from bot.tools.readability import MAX_SENTENCE_WORDS, MIN_FLESCH_DOUMA, measure

DOMAIN = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((settings.ROOT / "data/stories/knowledge.yml").read_text(encoding="utf-8"))["rules"]
KNOWLEDGE_INTENTS = {step["intent"] for rule in RULES for step in rule["steps"] if "intent" in step}
SEEDS = set(yaml.safe_load((settings.KNOWLEDGE_DIR / "sources.yml").read_text(encoding="utf-8"))["seeds"])
SEED_DIR = settings.ROOT.parent / "shared" / "seeds"

# Things the assistant must never say or imply (DEVELOPERS.md, "Content is care").
FORBIDDEN = [
    r"geen instrumenten voor",
    r"alleen (als|met|wanneer) je een uitkering",
    r"je (moet|hebt) (eerst )?een uitkering (hebben|nodig)",
    r"alleen (als|wanneer) je in het doelgroepregister",
    r"(moet|moeten) (eerst )?in het doelgroepregister (staan|komen)",
    r"\bje bent verplicht\b",
    r"\bje moet solliciteren\b",
    r"\b(je krijgt|dan volgt) een (sanctie|boete|korting)\b",
    r"\banders (stopt|verlies|verspeel)",
    r"\bje hebt geen recht\b",
    r"\bje komt niet in aanmerking\b",
    r"\b(gegarandeerd|je krijgt zeker|dat lukt zeker)\b",
    r"\bmensen met een uitdaging\b",
]

ARTICLES = sorted(library().articles.values(), key=lambda a: a.id)
LOCAL = [a for local in library().local.values() for a in local.values()]


def everything(article: Article) -> str:
    return "\n".join([article.title, article.short, article.body, *article.facets.values()])


def test_every_knowledge_intent_has_an_article_and_every_article_an_intent():
    assert KNOWLEDGE_INTENTS - set(library().by_intent) == set()
    assert set(library().by_intent) - set(DOMAIN["intents"]) == set()


@pytest.mark.parametrize("article", ARTICLES + LOCAL, ids=lambda a: a.path.split("knowledge/")[-1])
class TestArticle:
    def test_has_sources_and_a_check_date(self, article: Article):
        assert article.sources, "no sources"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", article.checked)

    def test_sources_are_well_formed(self, article: Article):
        for source in article.sources:
            if source.url:
                url = urlparse(source.url)
                assert url.scheme == "https" and "." in url.netloc and " " not in source.url, source.url
            else:
                assert source.seed in SEEDS, f"unknown seed {source.seed}"
                assert source.lines and re.fullmatch(r"\d+(-\d+)?(, ?\d+(-\d+)?)*", source.lines), source.lines

    def test_seed_line_numbers_exist(self, article: Article):
        if not SEED_DIR.exists():
            pytest.skip("the seed documents (../shared/seeds) are not beside this checkout")
        for source in article.sources:
            if source.seed:
                length = sum(1 for _ in (SEED_DIR / source.seed).open(encoding="utf-8"))
                numbers = [int(n) for n in re.findall(r"\d+", source.lines or "")]
                assert numbers and max(numbers) <= length, f"{source.seed} has {length} lines: {source.lines}"

    def test_short_answer_is_plain_dutch(self, article: Article):
        result = measure(article.short)
        assert result.flesch_douma >= MIN_FLESCH_DOUMA, result
        assert not result.long_sentences, result.long_sentences
        assert 2 <= len(re.findall(r"[.!?](\s|$)", article.short)) <= 5, "short answer: 2-4 sentences"

    def test_short_answer_carries_its_key_facts(self, article: Article):
        """The fact people come for is in the short answer itself, not only under "Meer uitleg"."""
        assert article.key_facts, "key_facts: name the fact(s) the short answer must carry"
        short = article.short.lower()
        missing = [pattern for pattern in article.key_facts if not re.search(pattern, short)]
        assert not missing, f"short answer lacks key fact(s) {missing}: {article.short}"

    def test_long_answer_has_short_sentences(self, article: Article):
        too_long = measure(article.body).long_sentences
        assert not too_long, f"sentences over {MAX_SENTENCE_WORDS} words: {too_long}"

    def test_no_forbidden_claims(self, article: Article):
        text = everything(article).lower()
        found = [p for p in FORBIDDEN if re.search(p, text)]
        assert not found, found

    def test_follow_up_answers_are_short_and_plain(self, article: Article):
        for key, text in article.facets.items():
            result = measure(text)
            assert not result.long_sentences, (key, result.long_sentences)
            assert 1 <= len(re.findall(r"[.!?](\s|$)", text)) <= 5, (key, "a follow-up answer: 1-4 sentences")
            assert result.flesch_douma >= MIN_FLESCH_DOUMA - 5, (key, result)

    def test_buttons_point_to_known_intents(self, article: Article):
        intents = set(DOMAIN["intents"])
        for message in (short_answer(article), long_answer(article)):
            for button in message["buttons"]:
                assert button["payload"].lstrip("/") in intents, button

    def test_social_map_theme_exists(self, article: Article):
        if article.socialmap_theme:
            assert resolve_theme(article.socialmap_theme) == article.socialmap_theme

    def test_long_answer_shows_the_sources_as_links(self, article: Article):
        text = long_answer(article)["text"]
        assert "**Bronnen**" in text
        for source in article.sources:
            if source.url:
                assert f"]({source.url})" in text


def test_key_fact_check_catches_a_short_answer_without_its_fact():
    article = library().articles["verplichtingen"]
    stripped = Article(
        **{**article.__dict__, "short": "Je maakt afspraken met de gemeente. Vraag wat er van je verwacht wordt."}
    )
    with pytest.raises(AssertionError, match="key fact"):
        TestArticle().test_short_answer_carries_its_key_facts(stripped)


def test_forbidden_phrase_scan_catches_what_it_should():
    bad = "Helaas zijn er geen instrumenten voor nuggers. Je moet eerst een uitkering hebben."
    assert sum(bool(re.search(p, bad.lower())) for p in FORBIDDEN) == 2


def test_example_local_version_for_utrecht_is_marked():
    utrecht = library().local.get("GM0344", {})
    assert utrecht, "the example override for Utrecht (GM0344) is shipped"
    for article in utrecht.values():
        assert article.example and article.gemeente == "GM0344"
        assert "Voorbeeld" in article.short


def test_the_assistants_own_messages_are_plain_and_free_of_forbidden_claims():
    care = yaml.safe_load((settings.KNOWLEDGE_DIR / "conversation_care.yml").read_text(encoding="utf-8"))
    system = yaml.safe_load((settings.KNOWLEDGE_DIR / "system_messages.yml").read_text(encoding="utf-8"))
    texts = [a["text"] for a in care["acknowledgements"]] + [care["offer_handoff"]["text"]]
    texts += [m["text"] if isinstance(m, dict) else m for m in system.values()]
    texts += [f.default for f in facets().values()]
    for text in texts:
        assert not measure(str(text)).long_sentences, text
        assert not [p for p in FORBIDDEN if re.search(p, str(text).lower())], text
