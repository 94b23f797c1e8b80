"""The person's own word for their beperking: found in what they say, and used in the answers without breaking
words, capitals or links (bot/conversation/care.py)."""

import pytest

from bot.conversation.care import chosen_term, own_term, term, use_term


@pytest.mark.parametrize(
    "text, own",
    [
        ("ik heb een chronische ziekte", "ziekte"),
        ("ik ben ziek", "ziekte"),
        ("mijn aandoening", "aandoening"),
        ("ik ben gehandicapt", "handicap"),
        ("mijn zoon heeft een handicap", "handicap"),
        ("ik heb een beperking", None),
        ("ziekte en beperking", None),
        ("ik zoek werk", None),
        ("ik heb een ziektewet uitkering gehad", None),
        ("mijn arbeidsbeperking en ziekte", None),
    ],
)
def test_own_word(text, own):
    found = own_term(text)
    assert (found.word if found else None) == own


def test_replacement_keeps_capitals_plurals_compounds_and_links():
    text = (
        "Beperking of niet: met een beperking, of meer beperkingen, kun je werken. Arbeidsbeperking blijft. "
        "[Werken met een beperking](https://www.werk.nl/beperking) en https://example.nl/beperking-info"
    )
    done = use_term(text, term("aandoening"))
    assert done.startswith("Aandoening of niet: met een aandoening, of meer aandoeningen,")
    assert "Arbeidsbeperking blijft" in done
    assert "[Werken met een aandoening](https://www.werk.nl/beperking)" in done
    assert done.endswith("https://example.nl/beperking-info")


def test_default_word_and_unknown_words_change_nothing():
    assert use_term("een beperking", term("beperking")) == "een beperking"
    assert use_term("een beperking", None) == "een beperking"
    assert term("<b>") is None and term(None) is None
    assert chosen_term("zeg maar gewoon iets") is None
