"""One taxonomy of themes and audiences, and finding a theme in what people type."""

from __future__ import annotations

import pytest

from bot.common.regions import normalise
from bot.socialmap.taxonomy import AUDIENCE, THEME, find_audiences_in_text, find_theme_in_text, load_taxonomy, term_id

THEMES = {
    "re-integratie",
    "jobcoaching",
    "werkvoorzieningen",
    "solliciteren-en-cv",
    "scholing",
    "vrijwilligerswerk",
    "passend-werk",
    "doelgroepregister",
    "clientondersteuning",
    "belangenbehartiging",
    "lotgenoten",
    "jongeren",
    "zzp",
    "schulden-en-geld",
    "zorg-en-ggz",
    "crisis",
}


def test_all_themes_and_audiences_are_there() -> None:
    taxonomy = load_taxonomy()
    assert {t.code for t in taxonomy.of(THEME)} == THEMES
    assert {"nugger", "dgr", "jongere", "zzp"} <= {t.code for t in taxonomy.of(AUDIENCE)}
    assert all(t.label and t.synonyms for t in taxonomy.terms.values())


def test_every_synonym_means_something_after_normalising() -> None:
    for term in load_taxonomy().terms.values():
        for synonym in term.synonyms:
            assert normalise(synonym.rstrip("*")), (term.id, synonym)


@pytest.mark.parametrize(
    "text, theme",
    [
        ("wie helpt mij met mijn cv", "solliciteren-en-cv"),
        ("Ik zoek een jobcoach", "jobcoaching"),
        ("solicitatiebrief schrijven", "solliciteren-en-cv"),
        ("jobcaoch", "jobcoaching"),
        ("ik heb schulden", "schulden-en-geld"),
        ("ik wil een eigen bedrijf beginnen", "zzp"),
        ("kan ik in het doelgroepregister?", "doelgroepregister"),
        ("ik zoek vrijwilligerswerk", "vrijwilligerswerk"),
        ("waar kan ik terecht voor IPS", "zorg-en-ggz"),
        ("ik heb een aangepaste werkplek nodig", "werkvoorzieningen"),
        ("ik wil een opleiding doen", "scholing"),
        ("Cliëntondersteuning", "clientondersteuning"),
    ],
)
def test_find_theme_in_text(text: str, theme: str) -> None:
    assert find_theme_in_text(text) == theme


@pytest.mark.parametrize(
    "text", ["Ik wil niet meer leven", "ik denk aan zelfmoord en zoek werk", "ik zie het niet meer zitten met mijn cv"]
)
def test_crisis_always_wins(text: str) -> None:
    assert find_theme_in_text(text) == "crisis"


@pytest.mark.parametrize("text", ["hallo", "", "ik maak me zorgen", "x" * 10_000])
def test_no_theme(text: str) -> None:
    assert find_theme_in_text(text) is None


def test_audiences_in_text() -> None:
    assert set(find_audiences_in_text("ik heb geen uitkering en een burn-out")) == {"nugger", "psychische-beperking"}


def test_term_id_accepts_code_label_and_id() -> None:
    assert term_id("jobcoaching") == "thema:jobcoaching"
    assert term_id("Solliciteren en cv") == "thema:solliciteren-en-cv"
    assert term_id("zzp", AUDIENCE) == "doelgroep:zzp"
    assert term_id("doelgroep:zzp") is None and term_id("onzin") is None
