"""How many turns a handoff costs the person once she said yes (issue 17: people with MS tire quickly).

A scripted person answers whatever the assistant asks, over REST against the real stack, and the turns from her
"ja" to the reference code are counted. She told her story first, as the woman in the issue did.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import List, Tuple

import pytest

from tests.conftest import Chat
from tests.handoff.conversation_events import FIRST_QUESTION

pytestmark = pytest.mark.stack

WISH = "weer iets doen, een paar uur per week"
STORY = [
    FIRST_QUESTION,  # the woman of issue 17, in her words: "... Ik wil graag weer iets doen, een paar uur per week"
    "Ik woon in Houten.",
    "Bel me maar, mijn nummer is 06 12345678, liefst in de ochtend.",
]
# What she answers to each question the form can ask: (words in the question, her answer).
ANSWERS: List[Tuple[str, str]] = [
    ("Zal ik je vraag doorgeven", "/affirm"),
    ("welke gemeente", "Houten"),
    ("Hoe wil je dat de medewerker contact", '/inform{"channel": "telefoon"}'),
    ("Op welk telefoonnummer", "06 12345678"),
    ("Wanneer kun je het best gebeld", '/inform{"preferred_time": "ochtend"}'),
    ("Hoe mag de medewerker je noemen", "/deny"),
    ("Wat wil je dat er nu gebeurt", "Samen zoeken naar werk"),
    ("Wat helpt jou", "/deny"),
    ("wat zit in de weg", "dat zei ik al, ik ben snel moe"),
    ("vooraf moet weten", "/deny"),
    ("Klopt dit?", "/affirm"),
]
MAX_TURNS_AFTER_CONSENT = 5


def turns_to_code(chat: Chat) -> Tuple[int, str, List[str]]:
    """The person's turns from her "ja" to the reference code, the code, and what she was asked."""
    for line in STORY:
        chat.say(line)
    said = chat.say_text("kan ik iemand van de gemeente spreken?")
    asked: List[str] = []
    for turn in range(1, 16):
        answer = next((a for question, a in ANSWERS if question.lower() in said.lower()), None)
        assert answer is not None, f"an unexpected question: {said}"
        asked.append(next(q for q, a in ANSWERS if a == answer and q.lower() in said.lower()))
        said = chat.say_text(answer)
        if "Je code is WW-" in said:
            return turn, "WW-" + said.split("Je code is WW-")[1][:7], asked
    raise AssertionError(f"no reference code after 15 turns; asked: {asked}")


def test_a_told_story_is_handed_off_in_few_turns(chat: Chat, stack_database: Path):
    turns, code, asked = turns_to_code(chat)
    print(f"\nturns from consent to the code: {turns}; asked: {asked}")
    assert turns <= MAX_TURNS_AFTER_CONSENT, f"{turns} turns after consent; asked: {asked}"
    assert "welke gemeente" not in asked and "Op welk telefoonnummer" not in asked, "nothing asked twice"
    with sqlite3.connect(stack_database) as db:
        row = db.execute(
            "select gemeente_code, phone, preferred_time, summary from handoff where reference_code = ?", (code,)
        ).fetchone()
    assert row[0] == "GM0321" and row[1] == "+31612345678" and row[2] == "ochtend"
    assert "MS" in row[3] and "47 jaar" in row[3], "what she told reaches the consulent"
    assert "vermoeidheid" in row[3] and WISH in row[3], "so nobody asks it again"


def test_without_her_number_only_the_contact_is_asked(chat: Chat):
    for line in STORY[:2]:
        chat.say(line)
    assert "vrijwillig" in chat.say_text("kan ik iemand van de gemeente spreken?")
    assert "contact met je opneemt" in chat.say_text("/affirm")
    assert "telefoonnummer" in chat.say_text('/inform{"channel": "telefoon"}')
    assert "gebeld" in chat.say_text("06 12345678")
    ready = chat.say('/inform{"preferred_time": "middag"}')
    text = ready[0]["text"]
    assert "Ik weet genoeg" in text and f"Wil graag: {WISH}" in text and "MS" in text
    assert "06-****5678 (middag)" in text and "12345678" not in text
    assert "Ja, stuur mijn vraag zo door" in [b["title"] for b in ready[0]["buttons"]]
    assert "Je code is WW-" in chat.say_text("/affirm"), "five turns after consent, the yes included"


def test_something_can_be_added_before_it_is_sent(chat: Chat, stack_database: Path):
    for line in STORY:
        chat.say(line)
    chat.say("kan ik iemand van de gemeente spreken?")
    assert "Ik weet genoeg" in chat.say_text("/affirm")
    assert "vooraf moet weten" in chat.say_text('/deny{"field": "toevoegen"}')
    summary = chat.say_text("mijn zus komt mee naar het gesprek")
    assert "Klopt dit?" in summary and "Om te weten: mijn zus komt mee" in summary
    done = chat.say_text("/affirm")
    code = "WW-" + done.split("Je code is WW-")[1][:7]
    with sqlite3.connect(stack_database) as db:
        summary_stored = db.execute("select summary from handoff where reference_code = ?", (code,)).fetchone()[0]
    assert "mijn zus komt mee" in summary_stored and WISH in summary_stored


def test_consent_stays_explicit_when_everything_is_known(chat: Chat, stack_database: Path):
    for line in STORY:
        chat.say(line)
    with sqlite3.connect(stack_database) as db:
        before = db.execute("select count(*) from handoff").fetchone()[0]
    assert "Zal ik je vraag doorgeven" in chat.say_text("kan ik iemand van de gemeente spreken?")
    declined = chat.say_text("/deny")
    assert "zelf contact opnemen" in declined and "Klopt dit?" not in declined, "a no ends it, nothing is shown"
    with sqlite3.connect(stack_database) as db:
        assert db.execute("select count(*) from handoff").fetchone()[0] == before
