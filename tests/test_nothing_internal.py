"""Nothing internal reaches a resident or a consulent (issue 14): no example text outside the demo, no Utrecht text
for someone from Houten, sources by title (never a seed file or line numbers), no Markdown signs or raw payloads
in what a consulent reads, no demo records for a resident, and the general number wherever the assistant says
"bel het algemene nummer". Real actions, real articles, a real SQLite database and the real portal."""

from __future__ import annotations

import html
import re
from typing import Any, Dict, Iterable, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionLastResort
from actions.handoff import ActionSubmitHandoff
from actions.knowledge import ActionAnswerFollowUp, ActionShowArticle, ActionShowArticleDetails
from actions.social_map import ActionSearchSocialMap
from bot.common import regions, settings
from bot.common.db import session_scope
from bot.common.gemeente_contact import contact, phone_for_people, with_number
from bot.conversation.answers import facet_answer, long_answer, section_answer, short_answer
from bot.conversation.knowledge import facets, library
from bot.conversation.messages import text
from bot.handoff.config import load_config
from bot.handoff.service import create_handoff
from bot.handoff.transcript import as_plain_words, clean, from_rasa_events
from bot.portal import accounts
from bot.socialmap.taxonomy import THEME, load_taxonomy
from bot.understanding.retrieval import sections
from tests.handoff.conftest import make_request
from tests.portal.conftest import make_portal

UTRECHT, HOUTEN = "GM0344", "GM0321"
HOUTEN_PHONE = "030 639 2611"  # the register writes "(030) 639 26 11"
EXAMPLE_MARKERS = ("Voorbeeldtekst", "voorbeeldtekst", "Een redacteur van de gemeente vult hem aan")
UTRECHT_ONLY = ("utrecht.nl", "in Utrecht", "Woon je in Utrecht")
# A seed file name or a line reference: for reviewers in the front matter, never in what people read.
SEED_REFERENCE = re.compile(r"\d{3}_[0-9a-f]{16}|\.txt\b|\br\.\s?\d|\bregels? \d", re.IGNORECASE)
ITALIC = re.compile(r"(?<![\w_])_[^_\s][^_\n]*_(?![\w_])")
RAW_PAYLOAD = re.compile(r"(^|\s)/[a-z_]+(\{|\b)|\{\"")


def tracker(
    intent: str,
    text: str = "",
    slots: Optional[Dict[str, Any]] = None,
    page: Optional[str] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    """A real rasa-sdk tracker; `page` is the gemeente of the widget's page (message metadata)."""
    latest = {
        "text": text or f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        "entities": [],
        "metadata": {"gemeente": page} if page else {},
    }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": latest["text"], "parse_data": latest},
    ]
    return Tracker("test", slots or {}, latest, events, False, None, {}, "action_listen")


def run(action: Any, t: Tracker) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, t, {})
    return dispatcher.messages


def texts(messages: Iterable[Dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def example_versions():
    return [a for local in library().local.values() for a in local.values() if a.example]


def every_article_path(slots: Dict[str, Any], page: Optional[str], question: str = "") -> str:
    """What the assistant says on every path that shows an article: the answer, "Meer uitleg", each follow-up,
    and the last resort's section search."""
    said = []
    for local in [a for versions in library().local.values() for a in versions.values()]:
        intent = local.intents[0]
        said.append(texts(run(ActionShowArticle(), tracker(intent, question or "Heb ik recht op hulp?", slots, page))))
        details = {**slots, "last_article": local.id}
        said.append(texts(run(ActionShowArticleDetails(), tracker("more_info", "", details, page))))
        for facet in facets().values():
            said.append(texts(run(ActionAnswerFollowUp(), tracker(facet.intent, "en dan?", details, page))))
    section_question = "Heb ik recht op ondersteuning van de gemeente bij werk zonder uitkering?"
    said.append(texts(run(ActionLastResort(), tracker("nlu_fallback", section_question, slots, page))))
    return "\n".join(said)


# --- Example text: the demo and the tests only ---------------------------------------------------------------


def test_an_example_version_is_shipped_and_marked_so_these_tests_mean_something():
    assert example_versions(), "the Utrecht example is what these tests guard"
    assert all(any(m in a.body or m in a.short for m in EXAMPLE_MARKERS) for a in example_versions())


@pytest.mark.parametrize("slots, page", [({"gemeente": UTRECHT}, None), ({}, UTRECHT)])
def test_a_resident_never_gets_example_text(
    monkeypatch: pytest.MonkeyPatch, slots: Dict[str, Any], page: Optional[str]
):
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", False)
    said = every_article_path(slots, page)
    assert not [m for m in EXAMPLE_MARKERS if m in said]
    assert "Recht op hulp bij werk in Utrecht" not in said


def test_the_demo_shows_the_example_and_says_it_is_one(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", True)
    said = texts(run(ActionShowArticle(), tracker("ask_right_to_support", "Heb ik recht op hulp?", page=UTRECHT)))
    assert "Voorbeeldtekst" in said, "the demo page shows the example, marked as one"


@pytest.mark.parametrize("example_content", [False, True])
def test_someone_from_houten_on_utrechts_page_never_gets_utrecht_text(
    monkeypatch: pytest.MonkeyPatch, example_content: bool
):
    """Even in the demo: the person's own words win over the page's gemeente, on every path."""
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", example_content)
    first = run(
        ActionShowArticle(), tracker("ask_right_to_support", "Ik woon in Houten. Heb ik recht op hulp?", page=UTRECHT)
    )
    said = texts(first) + every_article_path({"gemeente": HOUTEN}, UTRECHT, "Heb ik recht op hulp in Houten?")
    assert not [m for m in UTRECHT_ONLY + EXAMPLE_MARKERS if m in said]
    # Named after an earlier gemeente: the newly named one is the one remembered, so "Meer uitleg" stays with it.
    moved = tracker("ask_right_to_support", "En in Houten?", {"gemeente": UTRECHT}, page=UTRECHT)
    events = ActionShowArticle().run(CollectingDispatcher(), moved, {})
    assert {"event": "slot", "name": "gemeente", "value": HOUTEN, "timestamp": None} in events


def test_someone_from_houten_gets_no_utrecht_services(app_database: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", True)  # the worst case: the example region is loaded
    for theme in [t.code for t in load_taxonomy().of(THEME) if t.code != "crisis"]:
        said = texts(
            run(
                ActionSearchSocialMap(),
                tracker("ask_where_to_go", slots={"sm_theme": theme, "gemeente": HOUTEN}, page=UTRECHT),
            )
        )
        assert "utrecht.nl" not in said and "gemeente Utrecht" not in said, theme


def test_someone_from_houten_gets_houtens_route_and_number(app_database: str):
    config = load_config()
    with session_scope(app_database) as session:
        receipt = create_handoff(session, make_request(gemeente_code=HOUTEN), config)
    said = "\n".join(receipt.messages())
    assert "Houten" in said and HOUTEN_PHONE in said and "houten.nl" in said
    assert "utrecht" not in said.lower()


# --- Demo records: never for a resident ------------------------------------------------------------------------


def test_a_resident_gets_no_example_records_and_no_jargon(app_database: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", False)
    for theme in ("jobcoaching", "schulden-en-geld", "vrijwilligerswerk", "passend-werk"):
        messages = run(
            ActionSearchSocialMap(), tracker("ask_where_to_go", slots={"sm_theme": theme, "gemeente": HOUTEN})
        )
        said = texts(messages)
        assert text("demo_marker") not in said and "Sociaal team Houten" not in said, theme
        assert not ITALIC.search(said), said
        services = [m["text"] for m in messages[1:] if m["text"].startswith("**")]
        assert "Werk en inkomen bij de gemeente Houten" in services[0], "the gemeente's own front door first"
        assert all("Landelijk" in t for t in services[1:]), theme


def test_the_persons_own_gemeente_comes_with_its_number_not_a_stand_in(
    app_database: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", False)
    said = texts(
        run(ActionSearchSocialMap(), tracker("ask_where_to_go", slots={"sm_theme": "jobcoaching", "gemeente": HOUTEN}))
    )
    assert "Hulp bij werk via je gemeente" not in said, "the national stand-in is replaced by the gemeente itself"
    assert f"Telefoon: {HOUTEN_PHONE}" in said and "[www.houten.nl](https://www.houten.nl)" in said


# --- Sources: readable titles with links ----------------------------------------------------------------------


def all_versions():
    return list(library().articles.values()) + [a for v in library().local.values() for a in v.values()]


@pytest.mark.parametrize("article", all_versions(), ids=lambda a: a.path.split("knowledge/")[-1])
def test_sources_are_titles_never_seed_files_or_line_numbers(article):
    seeds = yaml.safe_load((settings.KNOWLEDGE_DIR / "sources.yml").read_text(encoding="utf-8"))["seeds"]
    shown = [short_answer(article), long_answer(article)]
    shown += [facet_answer(article, f) for f in facets().values()]
    shown += [section_answer(article, s.heading, s.text, "Dit deel:") for s in sections(article)]
    for message in shown:
        assert not SEED_REFERENCE.search(message["text"]), SEED_REFERENCE.search(message["text"])
    long_text = long_answer(article)["text"]
    for source in article.sources:
        assert source.title in long_text
        if source.seed:
            title = seeds[source.seed]
            assert (title["title"] if isinstance(title, dict) else title) == source.title
    lines = long_text.split("**Bronnen**")[1].strip().splitlines()
    assert len(lines) == len(set(lines)), "each source once, however many passages of it are cited"


# --- What goes out: only the Markdown the widget renders; what a consulent reads: plain words ----------------


def assistant_texts() -> List[str]:
    """Every text the assistant itself may send, besides articles and search results."""
    system = yaml.safe_load((settings.KNOWLEDGE_DIR / "system_messages.yml").read_text(encoding="utf-8"))
    domain = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
    found = [str(m["text"] if isinstance(m, dict) else m) for m in system.values()]
    found += [str(v.get("text", "")) for variants in domain["responses"].values() for v in variants]
    found += [a.short for a in library().articles.values()] + [a.body for a in library().articles.values()]
    return found


def test_nothing_the_assistant_says_uses_markdown_the_widget_shows_as_signs():
    for said in assistant_texts():
        assert not ITALIC.search(said), said
        assert "voorbeeldgegevens" not in said, said
        assert not re.search(r"^#+ ", said, re.MULTILINE) and "<" not in said, said


def conversation_events(app_database: str, monkeypatch: pytest.MonkeyPatch) -> List[Dict[str, Any]]:
    """A conversation as Rasa stores it: the person clicks buttons, reads a long answer with sources and search
    results with links and levels (the demo, so the example region is in it too)."""
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", True)
    events: List[Dict[str, Any]] = []

    def bot(messages: List[Dict[str, Any]]) -> None:
        events.extend(
            {"event": "bot", "text": m.get("text"), "data": {"buttons": m.get("buttons") or []}} for m in messages
        )

    def person(said: str) -> None:
        events.append({"event": "user", "text": said})

    person("Heb ik recht op hulp als ik geen uitkering heb?")
    bot(run(ActionShowArticle(), tracker("ask_right_to_support", "Heb ik recht op hulp?", page=UTRECHT)))
    person("/more_info")
    bot(run(ActionShowArticleDetails(), tracker("more_info", "", {"last_article": "recht-op-ondersteuning"})))
    person('/inform{"theme": "jobcoaching"}')
    bot(
        run(ActionSearchSocialMap(), tracker("ask_where_to_go", slots={"sm_theme": "jobcoaching", "gemeente": UTRECHT}))
    )
    person("/request_human")
    person('/affirm{"handoff_consent": "true"}')  # typed, not a button: still no raw payload for the consulent
    return events


def test_a_consulent_reads_plain_words(app_database: str, monkeypatch: pytest.MonkeyPatch):
    events = conversation_events(app_database, monkeypatch)
    raw = "\n".join(str(e["text"]) for e in events)
    assert "**" in raw and "](" in raw and "/more_info" in raw, "the conversation holds what must be cleaned"
    portal = make_portal(app_database)
    code = add_handoff_with(app_database, from_rasa_events(events))
    page = portal.client("consulent").get(f"/overdracht/{code}").get_data(as_text=True)
    conversation = re.search(r'<section aria-labelledby="gesprek">(.*?)</section>', page, re.DOTALL)
    on_page = [html.unescape(re.sub(r"<[^>]+>", " ", conversation.group(1)))]  # what the consulent reads
    assert "<strong>" in conversation.group(1) and '<a href="https://' in conversation.group(1), (
        "the assistant's bold and links as the person saw them"
    )
    with session_scope(app_database) as session:
        token = accounts.issue_api_token(session, "consulent")
    document = portal.client().get(f"/api/handoffs/{code}", headers={"Authorization": f"Bearer {token}"}).get_json()
    for shown in ("\n".join(on_page), "\n".join(strings(document))):
        assert "**" not in shown and "](" not in shown and not ITALIC.search(shown), shown
        assert not RAW_PAYLOAD.search(shown), RAW_PAYLOAD.search(shown)
        assert not SEED_REFERENCE.search(shown) and "voorbeeldgegevens" not in shown
        assert "Koos: Meer uitleg" in shown and "Koos: Praat met een medewerker" in shown
        assert "Koos: Ja" in shown, "a typed payload is not shown as one, but by what it means"
        assert "Tussen wal en schip" in shown, "the sources by their titles"


def strings(value: Any) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def add_handoff_with(url: str, transcript: List[Dict[str, Any]]) -> str:
    with session_scope(url) as session:
        return create_handoff(session, make_request(gemeente_code=HOUTEN, transcript=transcript)).reference_code


def test_cleaning_keeps_what_the_person_typed():
    turns = clean(
        [
            {"who": "person", "text": "Ik heb _echt_ hulp nodig, zie /help"},
            {"who": "bot", "text": "**Titel**\n\n- [Bron](https://example.org/x)"},
        ]
    )
    assert turns[0]["text"] == "Ik heb _echt_ hulp nodig, zie /help", "a person's words are theirs"
    assert turns[1]["text"] == "**Titel**\n\n- [Bron](https://example.org/x)", "shown in the portal as it was seen"
    assert as_plain_words(turns)[1]["text"] == "Titel\n\n- Bron (https://example.org/x)", "a gemeente's system"


# --- "Bel het algemene nummer": always with the number ---------------------------------------------------------


def test_the_2026_table_is_a_byte_identical_copy_of_the_shared_snapshot():
    shared = settings.ROOT.parent / "shared" / "data" / "gemeenten-2026.csv"
    if not shared.exists():
        pytest.skip("the shared snapshot is not on this machine")
    assert (settings.KNOWLEDGE_DIR / "regions" / "gemeenten-2026.csv").read_bytes() == shared.read_bytes()


@pytest.mark.parametrize(
    "raw, dialled",
    [
        ("(014) 030", "14 030"),
        ("0140529", "14 0529"),
        ("14 050", "14 050"),
        ("(030) 639 26 11", "030 639 2611"),
        ("(0800) 18 09", "0800 1809"),
        ("(0591) 68 55", "(0591) 68 55"),
        ("telefoon", "telefoon"),
    ],
)
def test_numbers_are_written_as_people_dial_them(raw: str, dialled: str):
    assert phone_for_people(raw) == dialled


def test_every_route_that_says_algemene_nummer_gives_the_number():
    config = load_config()
    codes = sorted(set(regions.load().gemeenten) | set(config.entries))
    with_a_number = 0
    for code in codes:
        route = config.for_gemeente(code).contact_route
        if "algemene nummer" not in route or contact(code) is None:
            continue
        completed = with_number(route, code)
        assert contact(code).phone in completed, code
        with_a_number += 1
    assert with_a_number >= len(config.entries), "every configured gemeente, and the default for the others"


def test_declining_the_handoff_gives_the_gemeentes_number(app_database: str):
    said = texts(run(ActionSubmitHandoff(), tracker("deny", "nee", {"gemeente": HOUTEN, "handoff_consent": False})))
    assert HOUTEN_PHONE in said and "houten.nl" in said


def test_a_gemeente_without_an_entry_stores_nothing_and_gives_its_own_number(app_database: str):
    # Groningen: no entry of its own and no portal account, "14 050" in the register
    said = texts(
        run(
            ActionSubmitHandoff(),
            tracker("affirm", "ja", {"gemeente": "GM0014", "handoff_consent": True, "handoff_confirmed": True}),
        )
    )
    assert "14 050" in said and "gemeente.groningen.nl" in said and "niet doorgeven" in said


def test_demo_marker_is_words():
    assert "(" not in text("demo_marker") and "voorbeeld" in text("demo_marker")
