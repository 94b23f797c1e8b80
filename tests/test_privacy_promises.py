"""Every sentence of the privacy answer about what is kept is true of the code (issue 14, item 7).

Each such sentence of knowledge/articles/privacy.md is listed in PROMISES with the test that checks it; a new
sentence about keeping, wiping or reading that is not listed makes `test_every_privacy_sentence_is_checked` fail,
and a change in what the code stores makes the sentence's own test fail. The conversation goes through the real
channel guard into Rasa's real SQL tracker store (fast), and once more through the real REST channel of the running
assistant (stack)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List

import pytest
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sqlalchemy import select

from bot.common import settings
from bot.common.db import session_scope
from bot.conversation.knowledge import library
from bot.conversation.store import purge_conversations
from bot.handoff import contact_vault
from bot.handoff import retention as handoff_retention
from bot.handoff.models import Handoff
from bot.handoff.service import change_status, create_handoff
from bot.ops.retention import purge_contacts
from bot.rasa.channels import guarded
from bot.understanding.segments import sentences
from tests.handoff.conftest import make_request

NAME = "Jan de Vries"
PHONE, PHONE_MASKED = "06 12345678", "06-****5678"
EMAIL, EMAIL_MASKED = "jan.devries@voorbeeld.nl", "j***@voorbeeld.nl"
BSN, IBAN = "111222333", "NL91ABNA0417164300"
ADDRESS, POSTCODE, BIRTH_DATE = "Kerkstraat 12", "3512 AB", "12-03-1985"
MESSAGE = (
    f"Ik heet {NAME}. Bel me op {PHONE} of mail {EMAIL}. Mijn bsn is {BSN} en mijn rekening {IBAN}. "
    f"Ik woon op de {ADDRESS}, {POSTCODE} Utrecht en ben geboren op {BIRTH_DATE}."
)

UNANSWERED = "test_a_question_without_answer_is_kept_apart_anonymised_and_wiped_with_the_conversation"
# Sentence of the privacy answer (a part of it, after the settings are filled in) → the test that checks it.
PROMISES: Dict[str, str] = {
    "Ik bewaar dit gesprek.": "test_the_conversation_is_kept_with_what_the_person_typed",
    "zoals je naam": "test_the_conversation_is_kept_with_what_the_person_typed",
    "Ik bewaar het gesprek: wat jij typt en wat ik antwoord": "test_over_rest_the_store_matches_the_privacy_answer",
    "Noem je je naam of iets anders over jezelf?": "test_the_conversation_is_kept_with_what_the_person_typed",
    "Dan staat dat ook in het gesprek": "test_the_conversation_is_kept_with_what_the_person_typed",
    "Je naam is niet nodig": "test_a_name_is_never_required",
    f"Na {settings.CONVERSATION_RETENTION_DAYS} dagen zonder nieuw bericht wis ik": "test_a_conversation_is_wiped_after_the_days_the_answer_names",
    "Een BSN, rekeningnummer, adres, postcode of geboortedatum haal ik er meteen uit": "test_address_postcode_and_birth_date_never_reach_the_store",
    "Typ je je adres, postcode of geboortedatum?": "test_address_postcode_and_birth_date_never_reach_the_store",
    "Dan haal ik dat weg voordat ik iets bewaar": "test_address_postcode_and_birth_date_never_reach_the_store",
    "Ik heb alleen je gemeente nodig": "test_address_postcode_and_birth_date_never_reach_the_store",
    "Typ je een telefoonnummer of e-mailadres?": "test_phone_and_email_are_kept_masked_in_the_conversation",
    "alleen een stukje, zoals 06-****5678": "test_phone_and_email_are_kept_masked_in_the_conversation",
    "Ik vraag nooit naar je BSN": "test_the_assistant_never_asks_for_a_bsn",
    "Ik tel wel waar gesprekken over gaan": "test_only_counts_outlive_a_conversation",
    "De gemeente ziet die aantallen, maar niet wie iets vroeg": "test_only_counts_outlive_a_conversation",
    "Had ik geen goed antwoord op je vraag?": UNANSWERED,
    "Dan bewaar ik die vraag ook apart": UNANSWERED,
    "Ik haal er nummers, adressen, contactgegevens en namen die ik herken uit": UNANSWERED,
    "Zo ziet de gemeente wat ik nog moet leren": UNANSWERED,
    "Ik wis die vraag met het gesprek, ook als je vraagt om het gesprek te wissen": UNANSWERED,
    "Kiest de gemeente je vraag als voorbeeld om mij beter te maken?": UNANSWERED,
    "Dan blijft die vraag bewaard, maar niet meer samen met jou of dit gesprek": UNANSWERED,
    "Typ je toch een BSN of bankrekeningnummer?": "test_bsn_and_iban_never_reach_the_store",
    "Dan haal ik dat nummer weg voordat ik iets bewaar": "test_bsn_and_iban_never_reach_the_store",
    "Wil je dat een medewerker van de gemeente contact met je opneemt?": "test_nothing_goes_to_the_gemeente_without_consent",
    "Dan vraag ik eerst of je dat goed vindt": "test_nothing_goes_to_the_gemeente_without_consent",
    "Alleen als je ja zegt, gaan je vraag, dit gesprek en je contactgegevens naar de gemeente": "test_nothing_goes_to_the_gemeente_without_consent",
    "bewaar ik tot dan apart": "test_the_full_number_waits_apart_and_is_wiped_after_half_an_hour",
    "dan wis ik het na een half uur": "test_the_full_number_waits_apart_and_is_wiped_after_half_an_hour",
    f"bewaar ik je vraag tot {settings.HANDOFF_RETENTION_DAYS} dagen nadat die is afgehandeld": "test_a_handoff_is_kept_for_the_days_the_answer_names_after_closing",
    "De gemeente leest dit gesprek alleen als jij je vraag doorgeeft": "test_the_gemeente_sees_conversations_only_through_a_handoff",
    "Medewerkers van de gemeente zien dit gesprek niet, tenzij": "test_the_gemeente_sees_conversations_only_through_a_handoff",
    "Dan lezen ze wat je hier vertelde": "test_nothing_goes_to_the_gemeente_without_consent",
}
# Sentences about keeping or reading that are not about this code (the gemeente's own systems, the law).
NOT_ABOUT_THE_CODE = (
    "Wat de gemeente zelf bewaart",
    "Volgens de AVG",
    "De AVG is de wet",
    "Daarom leg ik precies uit wat ik bewaar",
    "Ik ben geen medewerker van de gemeente",
)
ABOUT_KEEPING = re.compile(r"bewaar|wis |wis$|weg |bewaard|leest|lezen|zien|naam|nummer|dagen|gemeente", re.I)


def privacy_sentences() -> List[str]:
    article = library().articles["privacy"]
    text = article.short + "\n" + re.sub(r"^\*\*[^*]+\*\*\s*$", "", article.body, flags=re.MULTILINE)
    return [s.strip(" -") for line in text.splitlines() for s in sentences(line) if s.strip(" -")]


def test_every_privacy_sentence_is_checked():
    unchecked = [
        s
        for s in privacy_sentences()
        if ABOUT_KEEPING.search(s) and not any(p in s for p in PROMISES) and not any(n in s for n in NOT_ABOUT_THE_CODE)
    ]
    assert not unchecked, f"a privacy sentence without a test: add it to PROMISES: {unchecked}"
    text = library().articles["privacy"].short + library().articles["privacy"].body
    missing = [p for p in PROMISES if p not in text]
    assert not missing, f"PROMISES names sentences the answer no longer has: {missing}"
    assert all(name in globals() for name in PROMISES.values())


def test_the_answer_no_longer_promises_what_is_not_true():
    text = library().articles["privacy"].short + library().articles["privacy"].body
    assert "zonder je naam" not in text and "geen gevolgen" not in text


# --- the conversation store, filled through the real channel guard --------------------------------------------


@pytest.fixture
def stored(tmp_path: Path, app_database: str) -> Dict[str, str]:
    """MESSAGE typed into a conversation: through the channel guard (and its contact vault) into Rasa's SQL
    tracker store, as the Rasa server stores it; returns the store's bytes and rows as text."""
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    sender = f"privacy-{uuid.uuid4().hex[:8]}"

    async def rasa(message: UserMessage) -> None:
        tracker = await store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, {"name": "inform", "confidence": 1.0}))
        tracker.update(BotUttered("Dank je."))
        await store.save(tracker)
        await message.output_channel.send_response(message.sender_id, {"text": "Dank je."})

    asyncio.run(guarded(rasa)(UserMessage(MESSAGE, CollectingOutputChannel(), sender)))
    rows = "\n".join(str(r) for r in sqlite3.connect(db).execute("select * from events"))
    return {"rows": rows, "bytes": db.read_bytes().decode("utf-8", "replace"), "sender": sender, "db": str(db)}


def test_the_conversation_is_kept_with_what_the_person_typed(stored: Dict[str, str]):
    assert "Ik heet" in stored["rows"] and NAME in stored["rows"], "a typed name is kept: the answer says so"


def test_phone_and_email_are_kept_masked_in_the_conversation(stored: Dict[str, str]):
    assert PHONE_MASKED in stored["rows"] and EMAIL_MASKED in stored["rows"]
    for whole in ("12345678", "jan.devries@"):
        assert whole not in stored["bytes"], whole


def test_bsn_and_iban_never_reach_the_store(stored: Dict[str, str]):
    assert BSN not in stored["bytes"] and IBAN not in stored["bytes"] and "[BSN verwijderd]" in stored["rows"]


def test_address_postcode_and_birth_date_never_reach_the_store(stored: Dict[str, str]):
    """The short answer names BSN and rekeningnummer too: test_bsn_and_iban_never_reach_the_store checks those."""
    for never in (ADDRESS, POSTCODE, BIRTH_DATE, "3512AB"):
        assert never not in stored["bytes"], never
    for marker in ("[adres verwijderd]", "[postcode verwijderd]", "[datum verwijderd]"):
        assert marker in stored["rows"], marker
    assert "Utrecht" in stored["rows"], "the gemeente is kept: it is all the assistant needs"


def test_the_full_number_waits_apart_and_is_wiped_after_half_an_hour(stored: Dict[str, str], app_database: str):
    assert contact_vault.VAULT_MINUTES == 30, "the answer says: na een half uur"
    with session_scope(app_database) as session:
        entries = session.execute(select(contact_vault.ContactVaultEntry)).scalars().all()
        assert {e.value for e in entries} == {PHONE, EMAIL}, "the whole number and address wait apart"
        for entry in entries:  # as if half an hour had passed
            entry.expires_at = datetime.utcnow() - timedelta(seconds=1)
    assert purge_contacts(app_database) == 2  # what `make run` does every minute
    with session_scope(app_database) as session:
        assert session.execute(select(contact_vault.ContactVaultEntry)).first() is None


def test_a_conversation_is_wiped_after_the_days_the_answer_names(stored: Dict[str, str]):
    days = settings.CONVERSATION_RETENTION_DAYS
    assert f"Na {days} dagen" in library().articles["privacy"].short, "the number comes from the setting"
    url = f"sqlite:///{stored['db']}"
    assert purge_conversations(url, days, now=time.time() + (days - 1) * 86400) == 0
    assert purge_conversations(url, days, now=time.time() + (days + 1) * 86400) == 1
    assert sqlite3.connect(stored["db"]).execute("select count(*) from events").fetchone()[0] == 0


# --- what the gemeente gets -----------------------------------------------------------------------------------


def test_nothing_goes_to_the_gemeente_without_consent(app_database: str):
    with session_scope(app_database) as session:
        for missing in ({"consent_text": ""}, {"consent_at": None}):
            with pytest.raises(ValueError, match="toestemming"):
                create_handoff(session, make_request(**missing))
        assert session.execute(select(Handoff)).first() is None
        code = create_handoff(session, make_request()).reference_code
        handoff = session.execute(select(Handoff).where(Handoff.reference_code == code)).scalar_one()
        assert handoff.phone and "Bel me op" in handoff.transcript, "with consent: question, conversation, contact"
    form = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))["forms"]["handoff_form"]
    assert form["required_slots"][0] == "handoff_consent", "consent is asked first"


def test_a_name_is_never_required():
    system = yaml.safe_load((settings.KNOWLEDGE_DIR / "system_messages.yml").read_text(encoding="utf-8"))
    assert "/deny" in [b["payload"] for b in system["handoff_ask_alias"]["buttons"]], "Overslaan"
    assert make_request(alias=None).alias is None


def test_a_handoff_is_kept_for_the_days_the_answer_names_after_closing(app_database: str):
    days = settings.HANDOFF_RETENTION_DAYS
    now = datetime.now(timezone.utc)
    with session_scope(app_database) as session:
        code = create_handoff(session, make_request()).reference_code
        change_status(session, code, "closed", "test", now=now)
        assert handoff_retention.purge(session, now + timedelta(days=days - 1)) == 0
        assert handoff_retention.purge(session, now + timedelta(days=days + 1)) == 1


def test_the_gemeente_sees_conversations_only_through_a_handoff():
    """Neither the portal nor the web app reads the conversation store; they read handoffs only."""
    for folder in ("portal", "web"):
        for path in (settings.ROOT / "bot" / folder).rglob("*.py"):
            code = path.read_text(encoding="utf-8")
            assert not re.search(r"TRACKER_DB|tracker_store|tracker_url|\bevents\b", code), path


def test_the_assistant_never_asks_for_a_bsn():
    domain = yaml.safe_load((settings.ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert not [s for s in domain["slots"] if re.search(r"bsn|burgerservice|iban|rekening", s, re.I)]
    system = yaml.safe_load((settings.KNOWLEDGE_DIR / "system_messages.yml").read_text(encoding="utf-8"))
    asks = [str(m["text"] if isinstance(m, dict) else m) for m in system.values()]
    asks += [str(v.get("text", "")) for r in domain["responses"].values() for v in r]
    for said in asks:
        for question in re.findall(r"[^.!?]*\?", said):
            assert not re.search(r"\bBSN\b|burgerservicenummer", question, re.I), question


# --- and through the running assistant ------------------------------------------------------------------------


@pytest.mark.stack
def test_over_rest_the_store_matches_the_privacy_answer(chat, stack_var: Path):
    """A real conversation over REST: the name is kept (as the answer says), the phone number and e-mail only
    masked, BSN and IBAN not at all; what the assistant answered is kept too."""
    chat.say("hallo")
    chat.say(MESSAGE)
    rows = "\n".join(
        str(r)
        for r in sqlite3.connect(stack_var / "tracker.db").execute(
            "select data from events where sender_id = ?", (chat.sender,)
        )
    )
    assert NAME in rows and PHONE_MASKED in rows and EMAIL_MASKED in rows
    assert "computerprogramma" in rows, "what the assistant answered"
    for never in (BSN, IBAN, "12345678", "jan.devries@", ADDRESS, POSTCODE, BIRTH_DATE):
        assert never not in rows, never


def test_only_counts_outlive_a_conversation(app_database: str, tmp_path: Path) -> None:
    """The conversation is counted (topic, gemeente, day) before retention wipes it; the counts hold no text and no
    conversation id, and the gemeente sees counts only (tests/portal/test_insight.py: small ones as "< 5")."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore as RasaStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import create_engine, inspect, text

    from bot.insight.models import InsightCount
    from bot.ops.retention import purge

    store = RasaStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker("persoon-123", slots=[])
    said = "Ik ben Koos en wil weten wat jobcoaching is"
    tracker.update(
        UserUttered(said, {"name": "ask_jobcoaching", "confidence": 0.9}, timestamp=time.time() - 40 * 86400)
    )
    asyncio.run(store.save(tracker))
    tracked = str(tmp_path / "tracker.db")
    assert purge(app_database, tracked, days=settings.CONVERSATION_RETENTION_DAYS).conversations == 1
    with session_scope(app_database) as session:
        topics = {row.topic for row in session.execute(select(InsightCount)).scalars()}
    assert "ask_jobcoaching" in topics
    engine = create_engine(app_database)
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            dump = str(connection.execute(text(f'SELECT * FROM "{table}"')).all())
            assert "Koos" not in dump and "persoon-123" not in dump, table
    engine.dispose()


def test_a_question_without_answer_is_kept_apart_anonymised_and_wiped_with_the_conversation(
    app_database: str, tmp_path: Path
) -> None:
    """The retention job's fold keeps the question apart, anonymised; "wis mijn gesprek" deletes it; retention
    deletes it with the conversation; one the gemeente adopted stays, linked to no conversation."""
    from rasa.core.tracker_store import SQLTrackerStore as RasaStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.insight import unanswered
    from bot.insight.models import EXAMPLE, UnansweredQuestion
    from bot.ops.retention import purge

    store = RasaStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracked = str(tmp_path / "tracker.db")
    now = time.time()

    def ask(sender: str, said: str, at: float) -> None:
        tracker = DialogueStateTracker(sender, slots=[])
        parse = {"intent": {"name": "nlu_fallback", "confidence": 0.5}, "intent_ranking": [], "text": said}
        tracker.update(UserUttered(said, parse["intent"], parse_data=parse, timestamp=at))
        tracker.update(ActionExecuted("action_default_fallback", timestamp=at + 1))
        asyncio.run(store.save(tracker))

    ask("wissen", f"Ik heet {NAME}, bel {PHONE}: krijg ik vergoeding voor een taxi?", now)
    ask("blijft", f"Groetjes van {NAME}, mail {EMAIL}: hoe zit het met reiskosten?", now)
    purge(app_database, tracked, days=settings.CONVERSATION_RETENTION_DAYS)

    def texts() -> Dict[str, object]:
        with session_scope(app_database) as session:
            return {r.text: r.conversation_key for r in session.execute(select(UnansweredQuestion)).scalars()}

    kept = texts()
    assert len(kept) == 2 and all("taxi" in t or "reiskosten" in t for t in kept)
    for detail in ("Jan", "Vries", "12345678", EMAIL, "voorbeeld.nl"):
        assert all(detail not in t for t in kept), detail
    with session_scope(app_database) as session:  # "wis mijn gesprek" (actions/rights.py)
        unanswered.forget(session, "wissen")
    assert [t for t in texts() if "taxi" in t] == []
    # Adopted by the gemeente, then past the retention: kept, linked to nothing; one not adopted goes.
    ask("weg", "wat is een participatiewet-loket precies", now)
    purge(app_database, tracked, days=settings.CONVERSATION_RETENTION_DAYS)
    with session_scope(app_database) as session:
        for row in session.execute(select(UnansweredQuestion)).scalars():
            row.day = row.day - timedelta(days=settings.CONVERSATION_RETENTION_DAYS + 1)
            row.decision = EXAMPLE if "reiskosten" in row.text else None
    purge(app_database, tracked, days=settings.CONVERSATION_RETENTION_DAYS)
    left = texts()
    assert list(left.values()) == [None] and "reiskosten" in next(iter(left))
