"""Creating a handoff stores it with its outbox message in one transaction, scrubbed; status lookups reveal little."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Dict

import pytest
from sqlalchemy import func, select

from bot.common import settings
from bot.common.db import session_scope
from bot.handoff import service
from bot.handoff.codes import is_valid_code
from bot.handoff.config import HandoffConfig
from bot.handoff.contact import InvalidContact
from bot.handoff.models import Handoff, HandoffOutbox, HandoffStatusChange
from bot.handoff.service import change_status, create_handoff, status_message, status_of, submit_handoff
from tests.handoff.conftest import BSN, HOUTEN, IBAN, LOPIK, make_request


def counts(url: str) -> Dict[str, int]:
    with session_scope(url) as session:
        return {
            m.__tablename__: session.execute(select(func.count()).select_from(m)).scalar()
            for m in (Handoff, HandoffOutbox, HandoffStatusChange)
        }


def test_create_stores_handoff_history_and_outbox_together(db_url: str, config: HandoffConfig) -> None:
    receipt = submit_handoff(make_request(), db_url, config)
    assert is_valid_code(receipt.reference_code)
    assert counts(db_url) == {"handoff": 1, "handoff_outbox": 1, "handoff_status_change": 1}
    with session_scope(db_url) as session:
        handoff = session.execute(select(Handoff)).scalar_one()
        outbox = handoff.outbox[0]
        assert handoff.reference_code == receipt.reference_code and handoff.status == "new"
        assert handoff.phone == "+31612345678" and handoff.preferred_time == "middag"
        assert outbox.event == "handoff.created" and outbox.attempts == 0 and not outbox.flagged
        assert outbox.next_attempt_at == handoff.created_at == datetime(2026, 11, 26, 10, 0)
        # The outbox holds no personal data; the body is built from the handoff when it is sent.
        assert json.loads(outbox.payload) == {
            "event": "handoff.created",
            "reference_code": receipt.reference_code,
            "gemeente_code": HOUTEN,
        }
        assert handoff.retention_until == handoff.created_at + timedelta(days=settings.HANDOFF_RETENTION_DAYS)


def test_a_failure_after_the_insert_stores_nothing(db_url: str, config: HandoffConfig) -> None:
    with pytest.raises(RuntimeError):
        with session_scope(db_url) as session:
            create_handoff(session, make_request(), config)
            assert session.execute(select(func.count()).select_from(HandoffOutbox)).scalar() == 1
            raise RuntimeError("the process fails before the commit")
    assert counts(db_url) == {"handoff": 0, "handoff_outbox": 0, "handoff_status_change": 0}


def test_a_failure_while_writing_the_outbox_stores_nothing(
    db_url: str, config: HandoffConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(service, "_outbox_message", broken)
    with pytest.raises(OSError):
        submit_handoff(make_request(), db_url, config)
    assert counts(db_url) == {"handoff": 0, "handoff_outbox": 0, "handoff_status_change": 0}


def test_invalid_contact_details_store_nothing(sqlite_url: str, config: HandoffConfig) -> None:
    with pytest.raises(InvalidContact) as raised:
        submit_handoff(make_request(phone="0612"), sqlite_url, config)
    assert "klopt niet" in raised.value.message
    assert counts(sqlite_url)["handoff"] == 0


@pytest.mark.parametrize("changes", [{"consent_text": " "}, {"consent_at": None}])
def test_no_consent_no_handoff(sqlite_url: str, config: HandoffConfig, changes: dict) -> None:
    with pytest.raises(ValueError, match="toestemming"):
        submit_handoff(make_request(**changes), sqlite_url, config)
    assert counts(sqlite_url)["handoff"] == 0


def test_unknown_gemeente_is_refused(sqlite_url: str, config: HandoffConfig) -> None:
    with pytest.raises(ValueError, match="gemeentecode"):
        submit_handoff(make_request(gemeente_code="GM9999"), sqlite_url, config)


def test_receipt_tells_code_deadline_and_contact_route(sqlite_url: str, config: HandoffConfig) -> None:
    receipt = submit_handoff(make_request(), sqlite_url, config)  # Thursday 26 November 2026, 11:00 local
    assert receipt.respond_by == date(2026, 12, 1)
    assert receipt.deadline_sentence == "Je hoort uiterlijk dinsdag 1 december van de gemeente."
    assert receipt.office_notice is None and receipt.delivery == "webhook"
    messages = receipt.messages()
    assert "gemeente Houten" in messages[0] and receipt.reference_code in messages[1]
    assert messages[-1] == (
        "Bel het algemene nummer van de gemeente. Het algemene nummer van de gemeente Houten is "
        "030 639 2611. De website is [www.houten.nl](https://www.houten.nl)."
    )


def test_outside_office_hours_the_receipt_says_when_it_is_read(sqlite_url: str, config: HandoffConfig) -> None:
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc)
    receipt = submit_handoff(make_request(submitted_at=friday_evening), sqlite_url, config)
    assert receipt.office_notice == "Het kantoor is nu dicht. Een consulent leest je bericht vanaf maandag 9:00 uur."
    assert receipt.office_notice in receipt.messages()


def test_gemeente_without_a_webhook_is_stored_and_flagged_for_the_portal(
    sqlite_url: str, config: HandoffConfig
) -> None:
    receipt = submit_handoff(make_request(gemeente_code=LOPIK), sqlite_url, config)
    assert receipt.delivery == "portaal" and receipt.gemeente_name == "Lopik"
    assert receipt.respond_by == date(2026, 12, 3)  # its entry: 5 working days
    with session_scope(sqlite_url) as session:
        outbox = session.execute(select(HandoffOutbox)).scalar_one()
        assert outbox.flagged and "portaal" in outbox.last_error


def test_every_text_is_scrubbed_and_contact_details_live_in_one_place(db_url: str, config: HandoffConfig) -> None:
    request = make_request(
        alias=f"Sam {BSN}",
        reason=f"rekening {IBAN}, bel 06 12 34 56 78",
        answers={
            "work_history": f"schoonmaker, IBAN {IBAN}",
            "wish": "bel me: 0612345678",
            "in_the_way": [{"domain": "geldzaken", "note": f"schulden, BSN {BSN}"}],
        },
    )
    submit_handoff(request, db_url, config)
    with session_scope(db_url) as session:
        handoff = session.execute(select(Handoff)).scalar_one()
        stored = " ".join(str(getattr(handoff, c.name)) for c in Handoff.__table__.columns if c.name != "phone")
    assert BSN not in stored and IBAN not in stored
    assert "[BSN verwijderd]" in stored and "[IBAN verwijderd]" in stored
    assert "0612345678" not in stored and "06-12345678" not in stored and "06-****5678" in stored


def test_summary_follows_the_reflection_cards(sqlite_url: str, config: HandoffConfig) -> None:
    submit_handoff(make_request(), sqlite_url, config)
    with session_scope(sqlite_url) as session:
        summary = json.loads(session.execute(select(Handoff.summary)).scalar_one())
    sections = {s["key"]: s["lines"] for s in summary["sections"]}
    assert list(sections)[:4] == ["question", "situation", "explained", "wants_next"]
    assert sections["question"] == ["Kan de gemeente een jobcoach betalen? Mijn BSN is [BSN verwijderd]."]
    assert "Waarom geen uitkering: partner verdient te veel" in sections["situation"]
    assert "Werkervaring: niet verteld" in sections["situation"]
    assert sections["explained"] == ["Jobcoaching"]
    assert sections["helps"] == ["Familie en vrienden (2 keer gekozen)"]
    assert sections["in_the_way"] == ["Persoonlijk en gezondheid"]
    # The contact preference is in the handoff's contact fields, shown once; not repeated in the summary.
    assert "voorkeur" not in json.dumps(summary) and summary["not_answered"] == {"count": 0, "questions": []}


def test_the_summary_lists_the_questions_the_assistant_could_not_answer(sqlite_url: str, config: HandoffConfig) -> None:
    from bot.handoff.transcript import from_rasa_events
    from tests.handoff import conversation_events as ms

    submit_handoff(make_request(transcript=from_rasa_events(ms.conversation())), sqlite_url, config)
    with session_scope(sqlite_url) as session:
        summary = json.loads(session.execute(select(Handoff.summary)).scalar_one())
    assert summary["not_answered"] == {"count": 2, "questions": list(ms.UNANSWERED)}
    assert [s["key"] for s in summary["sections"]][:2] == ["question", "not_answered"]


def test_status_lookup_for_valid_unknown_and_malformed_codes(db_url: str, config: HandoffConfig) -> None:
    code = submit_handoff(make_request(), db_url, config).reference_code
    typed = code.lower().replace("-", " ")
    with session_scope(db_url) as session:
        assert status_of(session, code) == "nieuw"
        assert status_of(session, typed) == "nieuw"
        answer = status_message(session, typed, today=date(2026, 11, 26))
        # What the status means and what happens next, with the date promised to the person.
        assert answer.startswith(f"Je vraag {code} is aangekomen bij de gemeente.")
        assert "uiterlijk dinsdag 1 december contact met je op" in answer
        unknown = _other_valid_code(code)
        assert status_of(session, unknown) is None
        assert "niet vinden" in status_message(session, unknown)
        for malformed in ("", "hallo", "WW-0000-00", code[:-1], code[:-1] + _wrong_check(code)):
            assert status_of(session, malformed) is None
            assert "klopt niet helemaal" in status_message(session, malformed)


def _other_valid_code(code: str) -> str:
    from bot.handoff.codes import ALPHABET, check_character

    body = code.replace("-", "")[2:7]
    other = ALPHABET[(ALPHABET.index(body[0]) + 1) % len(ALPHABET)] + body[1:]
    return f"WW-{other[:4]}-{other[4]}{check_character(other)}"


def _wrong_check(code: str) -> str:
    from bot.handoff.codes import ALPHABET

    return ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]


def test_status_changes_are_recorded_and_closing_sets_the_retention_date(db_url: str, config: HandoffConfig) -> None:
    code = submit_handoff(make_request(), db_url, config).reference_code
    closed_at = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)
    with session_scope(db_url) as session:
        change_status(session, code, "picked_up", "consulent-1")
        change_status(session, code, "contact_made", "consulent-1")
        change_status(session, code, "closed", "consulent-1", now=closed_at)
    with session_scope(db_url) as session:
        handoff = session.execute(select(Handoff)).scalar_one()
        assert [(h.from_status, h.to_status) for h in handoff.history] == [
            (None, "new"),
            ("new", "picked_up"),
            ("picked_up", "contact_made"),
            ("contact_made", "closed"),
        ]
        assert handoff.retention_until == datetime(2026, 12, 2, 15, 0) + timedelta(days=90)
        assert status_of(session, code) == "afgesloten"
        with pytest.raises(ValueError):
            change_status(session, code, "vergeten", "consulent-1")


def test_a_code_collision_is_retried(sqlite_url: str, config: HandoffConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    first = submit_handoff(make_request(), sqlite_url, config).reference_code
    fresh = iter([first, first, "WW-7K3M-QN"])
    monkeypatch.setattr("bot.handoff.codes.new_code", lambda: next(fresh))
    assert submit_handoff(make_request(), sqlite_url, config).reference_code == "WW-7K3M-QN"


def test_privacy_scan_of_the_database_file(tmp_path: Path, sqlite_url: str, config: HandoffConfig) -> None:
    submit_handoff(make_request(), sqlite_url, config)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("wegwijzer.db*"))
    assert b"jobcoach" in raw  # the scan does see the stored text
    for number in (BSN, "123.456.782", IBAN, "NL91 ABNA"):
        assert number.encode() not in raw, f"{number} staat in het databasebestand"


def _connection_lost_at_commit(url: str, moment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection drops just `before` or just `after` COMMIT reaches the database (a restart, a cut cable):
    the database driver's commit fails once, having committed or not."""
    from sqlalchemy.exc import OperationalError

    from bot.common.db import get_engine

    dialect = get_engine(url).dialect
    real_commit, calls = dialect.do_commit, []

    def commit(dbapi_connection: object) -> None:
        calls.append(moment)
        if len(calls) == 1:
            if moment == "after":
                real_commit(dbapi_connection)
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))
        real_commit(dbapi_connection)

    monkeypatch.setattr(dialect, "do_commit", commit)
    monkeypatch.setattr(service, "STORED_CHECK_WAITS", (0.0, 0.1))


def test_connection_lost_after_commit_still_gives_the_code(
    db_url: str, config: HandoffConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    _connection_lost_at_commit(db_url, "after", monkeypatch)
    receipt = submit_handoff(make_request(), db_url, config)
    assert counts(db_url) == {"handoff": 1, "handoff_outbox": 1, "handoff_status_change": 1}
    assert status_of_code(db_url, receipt.reference_code) == "nieuw", "the code the person gets is the stored one"


def test_connection_lost_before_commit_stores_nothing_and_says_so(
    db_url: str, config: HandoffConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    _connection_lost_at_commit(db_url, "before", monkeypatch)
    with pytest.raises(OperationalError):
        submit_handoff(make_request(), db_url, config)
    assert counts(db_url) == {"handoff": 0, "handoff_outbox": 0, "handoff_status_change": 0}


def status_of_code(url: str, code: str) -> object:
    with session_scope(url) as session:
        return status_of(session, code)


def test_what_leaves_is_checked_once_more(db_url: str, config: HandoffConfig, caplog: pytest.LogCaptureFixture) -> None:
    """The boundary scrubs on the way in; a record that still holds a BSN (stored before a pattern existed) has
    it removed on the way out (webhook body, portal, API), and the log names only the code."""
    from bot.handoff.service import as_document

    with session_scope(db_url) as session:
        receipt = create_handoff(session, make_request(question="Wat kan ik doen?"), config)
        handoff = session.execute(select(Handoff).where(Handoff.reference_code == receipt.reference_code)).scalar_one()
        handoff.transcript = json.dumps(
            [{"who": "person", "text": f"mijn bsn is {BSN}", "time": "2026-12-05T10:00:00+00:00"}]
        )
        with caplog.at_level("WARNING"):
            document = as_document(handoff, config.for_gemeente(handoff.gemeente_code))
    assert BSN not in json.dumps(document) and "[BSN verwijderd]" in json.dumps(document)
    assert document["transcript"][0]["time"] == "2026-12-05T10:00:00+00:00", "times are not free text"
    assert receipt.reference_code in caplog.text and BSN not in caplog.text
