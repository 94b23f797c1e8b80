"""The person's own rights (issue #15, group 12), against the real running stack and its stores: "verwijder mijn
gesprek" wipes the conversation at once, a handoff is withdrawn with its code (contact details erased, the
consulent sees it), and "wat weten jullie van mij?" answers from what is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.handoff.service import status_label
from tests.conftest import Chat
from tests.test_conversation_handoff import handoff_until_summary

pytestmark = pytest.mark.stack


def stored_events(stack_var: Path, sender: str) -> int:
    with sqlite3.connect(stack_var / "tracker.db") as db:
        return db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]


def make_handoff(chat: Chat) -> str:
    handoff_until_summary(chat)
    chat.say_text("niet bellen voor 10 uur")
    done = chat.say_text("/affirm")
    assert "Je code is WW-" in done
    return "WW-" + done.split("Je code is WW-")[1][:7]


@pytest.mark.parametrize(
    "asked", ["verwijder mijn gesprek", "kun je alles wat ik hier schreef wissen?", "/delete_conversation"]
)
def test_wiping_the_conversation_deletes_it_from_the_store_at_once(stack, stack_var: Path, asked: str):
    chat = Chat(stack)
    chat.say("Ik heet Sanne de Vries en ik heb reuma. Heb ik recht op hulp zonder uitkering?")
    assert stored_events(stack_var, chat.sender) > 0
    answer = chat.say_text(asked)
    assert "gewist" in answer and "wegwijzer" not in answer, "the person is told, and the marker never shows"
    assert stored_events(stack_var, chat.sender) == 0, "nothing of the conversation is left in the store"
    assert "Jobcoaching" in chat.say_text("wat is jobcoaching?"), "the person can simply start again"
    with sqlite3.connect(stack_var / "tracker.db") as db:
        texts = [row[0] for row in db.execute("select data from events where sender_id = ?", (chat.sender,))]
    assert not any("Sanne" in t or "reuma" in t for t in texts)


def test_the_privacy_answer_offers_to_wipe_the_conversation(chat: Chat):
    payloads = [b["payload"] for m in chat.say("wat bewaren jullie van dit gesprek?") for b in m.get("buttons", [])]
    assert "/delete_conversation" in payloads and "/ask_what_is_stored" in payloads


def test_a_handoff_is_withdrawn_with_its_code_and_its_contact_details_erased(stack, stack_database: Path):
    code = make_handoff(Chat(stack))
    answer = Chat(stack).say_text(f"ik wil mijn vraag {code.lower()} intrekken")
    assert f"Je vraag {code} is ingetrokken" in answer
    with sqlite3.connect(stack_database) as db:
        status, phone, email = db.execute(
            "select status, phone, email from handoff where reference_code = ?", (code,)
        ).fetchone()
    assert status == "withdrawn" and phone is None and email is None
    assert status_label(status) == "ingetrokken door de persoon", "what the consulent sees in the portal"
    assert "ingetrokken" in Chat(stack).say_text(f"status van {code}")
    assert "al afgesloten of ingetrokken" in Chat(stack).say_text(f"trek {code} in")


def test_withdrawing_without_a_code_asks_for_it_then_withdraws(stack, stack_database: Path):
    code = make_handoff(Chat(stack))
    chat = Chat(stack)
    assert "Welke vraag wil je intrekken?" in chat.say_text("ik wil mijn vraag aan de gemeente intrekken")
    assert f"Je vraag {code} is ingetrokken" in chat.say_text(code)
    with sqlite3.connect(stack_database) as db:
        assert db.execute("select status from handoff where reference_code = ?", (code,)).fetchone()[0] == "withdrawn"


def test_what_do_you_know_of_me_answers_from_this_conversation(chat: Chat):
    chat.say("Ik woon in Houten en zoek werk")
    chat.say("hoe werkt jobcoaching")
    answer = chat.say_text("wat weten jullie van mij?")
    assert "Dit bewaar ik van ons gesprek" in answer and "berichten" in answer
    assert "BSN" in answer, "and what is never kept"


def test_a_question_without_answer_is_named_in_what_is_stored_and_wiped_with_the_conversation(
    stack, stack_var: Path, stack_database: Path
):
    """#20: the fold keeps the question apart for the gemeente's editor; "wat weten jullie van mij?" says so, and
    "verwijder mijn gesprek" deletes it through the action server (by the conversation's keyed hash)."""
    from sqlalchemy import select

    from bot.common.db import session_scope
    from bot.insight import unanswered
    from bot.insight.fold import fold
    from bot.insight.models import UnansweredQuestion
    from tests.test_conversation_rest import not_understood

    chat = Chat(stack)
    not_understood(chat)
    told = chat.say_text("wat weten jullie van mij?")
    assert "geen goed antwoord" in told and "Ik wis ze met dit gesprek" in told
    with session_scope(f"sqlite:///{stack_database}") as session:  # what the retention job does every hour
        fold(session, f"sqlite:///{stack_var / 'tracker.db'}")

    def mine() -> list:
        with session_scope(f"sqlite:///{stack_database}") as session:
            key = unanswered.conversation_key(session, chat.sender)
            found = select(UnansweredQuestion.text).where(UnansweredQuestion.conversation_key == key)
            return list(session.execute(found).scalars())

    assert mine() and all(text.strip() for text in mine())
    assert "gewist" in chat.say_text("verwijder mijn gesprek")
    assert mine() == []
