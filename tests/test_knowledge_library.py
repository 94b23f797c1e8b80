"""The answer library: loading, validation of files, and local versions per gemeente (on a temporary library)."""

import itertools
import re
from pathlib import Path

import pytest

from bot.common import settings
from bot.conversation.knowledge import ArticleError, Library, library, unwrapped

ARTICLE = """---
id: {id}
title: {title}
intents: [{intent}]
short: {short}
sources:
  - title: Participatiewet
    url: https://wetten.overheid.nl/BWBR0015703/
checked: 2026-11-24
---
{body}
"""


def write(root: Path, relative: str, **fields: str) -> None:
    values = {"id": Path(relative).stem, "title": "Titel", "intent": "ask_x", "short": "Kort.", "body": "Lang."}
    values.update(fields)
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(**values), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "sources.yml").write_text("seeds: {}\n", encoding="utf-8")
    write(tmp_path, "articles/recht.md", title="Recht op hulp", intent="ask_right", short="Landelijk.")
    return tmp_path


def test_article_found_by_intent_and_id(root: Path):
    library = Library(root)
    assert library.for_intent("ask_right").title == "Recht op hulp"
    assert library.get("recht").short == "Landelijk."
    assert library.for_intent("ask_unknown") is None


def test_local_version_replaces_fields_it_sets_and_keeps_the_rest(root: Path):
    path = root / "gemeenten/GM0344/recht.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ngemeente: GM0344\napproved: true\nshort: In Utrecht.\n---\n", encoding="utf-8")
    library = Library(root)
    local = library.for_intent("ask_right", "GM0344")
    assert local.short == "In Utrecht." and local.approved and not local.example
    assert local.title == "Recht op hulp" and local.body == "Lang." and local.sources
    assert library.for_intent("ask_right", "GM0363").short == "Landelijk."
    assert library.for_intent("ask_right").short == "Landelijk."


def test_missing_fields_are_reported_with_the_file(root: Path):
    (root / "articles/kapot.md").write_text("---\nid: kapot\ntitle: Kapot\n---\ntekst\n", encoding="utf-8")
    with pytest.raises(ArticleError, match=re.escape("kapot.md: velden ontbreken: intents, short, sources, checked")):
        Library(root)


def test_id_must_match_file_name(root: Path):
    write(root, "articles/een.md", id="twee", intent="ask_een")
    with pytest.raises(ArticleError, match="is niet gelijk aan de bestandsnaam"):
        Library(root)


def test_an_intent_has_one_article(root: Path):
    write(root, "articles/dubbel.md", intent="ask_right")
    with pytest.raises(ArticleError, match="heeft al een artikel"):
        Library(root)


def test_local_version_needs_a_national_article(root: Path):
    write(root, "gemeenten/GM0344/bestaat-niet.md")
    with pytest.raises(ArticleError, match="geen landelijk artikel"):
        Library(root)


def test_file_without_front_matter_is_refused(root: Path):
    (root / "articles/leeg.md").write_text("Alleen tekst.\n", encoding="utf-8")
    with pytest.raises(ArticleError, match="front matter"):
        Library(root)


def local_version(root: Path, flags: str) -> None:
    path = root / "gemeenten/GM0344/recht.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ngemeente: GM0344\n{flags}\nshort: In Utrecht.\n---\n", encoding="utf-8")


@pytest.mark.parametrize(
    "flags, example_content, shown",
    [
        ("example: true", False, False),  # a resident: never an example text
        ("example: true", True, True),  # the demo and the tests
        ("approved: true", False, True),  # the gemeente's own, approved text
        ("", True, False),  # not approved yet: the national text
    ],
)
def test_which_local_versions_a_resident_gets(
    root: Path, monkeypatch: pytest.MonkeyPatch, flags: str, example_content: bool, shown: bool
):
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", example_content)
    local_version(root, flags)
    library = Library(root)
    assert library.for_intent("ask_right", "GM0344").short == ("In Utrecht." if shown else "Landelijk.")
    assert library.get("recht", "GM0344").short == ("In Utrecht." if shown else "Landelijk.")


def test_an_example_cannot_be_approved(root: Path):
    local_version(root, "example: true\napproved: true")
    with pytest.raises(ArticleError, match="voorbeeldtekst"):
        Library(root)


def test_a_local_version_belongs_in_its_gemeentes_folder(root: Path):
    local_version(root, "gemeente: GM0321\napproved: true")
    with pytest.raises(ArticleError, match="hoort niet in de map GM0344"):
        Library(root)


def test_a_seed_without_a_readable_title_is_refused(root: Path):
    write(root, "articles/bron.md", intent="ask_bron")
    path = root / "articles/bron.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  - title: Participatiewet\n    url: https://wetten.overheid.nl/BWBR0015703/",
            '  - seed: 009_onbekend.txt\n    lines: "1-2"',
        ),
        encoding="utf-8",
    )
    with pytest.raises(ArticleError, match=re.escape("009_onbekend.txt heeft geen titel")):
        Library(root)


def test_the_line_breaks_that_only_wrap_an_article_in_its_file_are_taken_out():
    body = "Een zin die in\nhet bestand loopt.\n\n**Kop**\n\n- een punt\n  dat doorloopt\n- nog een\n1. stap"
    assert (
        unwrapped(body)
        == "Een zin die in het bestand loopt.\n\n**Kop**\n\n- een punt dat doorloopt\n- nog een\n1. stap"
    )


def test_no_shipped_answer_breaks_a_sentence_over_two_lines():
    """The widget shows every line break: in the chat a sentence cut in two reads as two broken lines."""
    block = re.compile(r"\s*([-*+]\s|\d+[.)]\s|#|\|)")
    for article in library().articles.values():
        for before, after in itertools.pairwise(article.body.splitlines()):
            cut = before.strip() and after.strip() and not block.match(after) and not before.lstrip().startswith("#")
            assert not cut, (article.id, before, after)
