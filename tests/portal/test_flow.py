"""A consulent's working day through the pages: sign in, inbox, open, pick up, contact, note, close."""

from __future__ import annotations

from sqlalchemy import select

from bot.common.db import session_scope
from bot.handoff.models import Handoff
from bot.portal import accounts
from bot.portal.models import AuditEntry, HandoffNote, HandoffWork
from tests.portal.conftest import PASSWORD, Portal, add_handoff, post


def test_inbox_shows_own_gemeente_oldest_first(any_portal: Portal) -> None:
    client = any_portal.client("consulent")
    page = client.get("/").get_data(as_text=True)
    assert any_portal.codes["houten"] in page and any_portal.codes["houten2"] in page
    assert any_portal.codes["zeist"] not in page
    assert page.index(any_portal.codes["houten"]) < page.index(any_portal.codes["houten2"])
    assert "Termijn verstreken" in page  # the test handoffs were promised for 2026-12-01 or earlier


def test_pick_up_contact_note_close(any_portal: Portal) -> None:
    code = any_portal.codes["houten"]
    client = any_portal.client("consulent")
    page = client.get(f"/overdracht/{code}").get_data(as_text=True)
    assert "Samenvatting" in page and "Het gesprek met de assistent" in page and "Wordt verwijderd" in page
    assert "Persoon" in page and "Assistent" in page and "+31612345678" in page
    assert post(client, f"/overdracht/{code}/oppakken", {}, f"/overdracht/{code}").status_code == 302
    assert post(client, f"/overdracht/{code}/contact", {"method": "telefoon"}, f"/overdracht/{code}").status_code == 302
    post(client, f"/overdracht/{code}/notitie", {"text": "Gebeld, afspraak gemaakt."}, f"/overdracht/{code}")
    refused = post(client, f"/overdracht/{code}/afsluiten", {"outcome": "doorverwezen"}, f"/overdracht/{code}")
    assert refused.status_code == 302
    assert "naar wie" in client.get(f"/overdracht/{code}").get_data(as_text=True)
    post(
        client,
        f"/overdracht/{code}/afsluiten",
        {"outcome": "doorverwezen", "detail": "UWV", "bevestigd": "ja"},
        f"/overdracht/{code}",
    )
    page = client.get(f"/overdracht/{code}").get_data(as_text=True)
    assert "Gebeld, afspraak gemaakt." in page and "doorverwezen naar: UWV" in page
    with session_scope(any_portal.url) as session:
        handoff = session.execute(select(Handoff).where(Handoff.reference_code == code)).scalar_one()
        assert handoff.status == "closed" and handoff.closed_at is not None
        assert [(c.to_status, c.by) for c in handoff.history] == [
            ("new", "assistent"),
            ("picked_up", "consulent"),
            ("contact_made", "consulent"),
            ("closed", "consulent"),
        ]
        work = session.get(HandoffWork, handoff.id)
        assert (work.assigned_to, work.contact_method, work.outcome, work.outcome_detail) == (
            "consulent",
            "telefoon",
            "doorverwezen",
            "UWV",
        )
        actions = [a for (a,) in session.execute(select(AuditEntry.action).where(AuditEntry.reference_code == code))]
        assert actions.count("bekijken") >= 3
        assert {"oppakken", "contact_vastgelegd", "notitie", "afsluiten"} <= set(actions)


def test_a_colleague_cannot_change_a_picked_up_handoff_but_the_team_lead_reassigns(portal: Portal) -> None:
    code = portal.codes["houten"]
    consulent = portal.client("consulent")
    post(consulent, f"/overdracht/{code}/oppakken", {}, f"/overdracht/{code}")
    colleague = portal.client("collega")
    assert colleague.get(f"/overdracht/{code}").status_code == 200  # reading is allowed within the gemeente
    assert (
        post(
            colleague,
            f"/overdracht/{code}/afsluiten",
            {"outcome": "geholpen", "bevestigd": "ja"},
            f"/overdracht/{code}",
        ).status_code
        == 403
    )
    assert (
        post(colleague, f"/overdracht/{code}/toewijzen", {"username": "collega"}, f"/overdracht/{code}").status_code
        == 403
    )
    lead = portal.client("teamleider")
    assert post(lead, f"/overdracht/{code}/toewijzen", {"username": "zeist"}, f"/overdracht/{code}").status_code == 302
    with session_scope(portal.url) as session:
        work = session.execute(select(HandoffWork)).scalar_one()
        assert work.assigned_to == "consulent"  # a consulent of another gemeente cannot be chosen
    post(lead, f"/overdracht/{code}/toewijzen", {"username": "collega"}, f"/overdracht/{code}")
    assert (
        post(
            colleague,
            f"/overdracht/{code}/afsluiten",
            {"outcome": "geholpen", "bevestigd": "ja"},
            f"/overdracht/{code}",
        ).status_code
        == 302
    )


def test_filters_status_topic_age_and_code(portal: Portal) -> None:
    client = portal.client("consulent")
    code = portal.codes["houten"]
    page = client.get("/", query_string={"code": code[3:7].lower()}).get_data(as_text=True)
    assert code in page and portal.codes["houten2"] not in page
    assert "0 overdrachten" in client.get("/", query_string={"status": "closed"}).get_data(as_text=True)
    assert code in client.get("/", query_string={"onderwerp": "jobcoaching"}).get_data(as_text=True)
    assert "0 overdrachten" in client.get("/", query_string={"onderwerp": "iets anders"}).get_data(as_text=True)
    assert code in client.get("/", query_string={"ouder": "1"}).get_data(as_text=True)


def test_notes_are_kept_with_author(portal: Portal) -> None:
    code = portal.codes["houten"]
    client = portal.client("collega")
    post(client, f"/overdracht/{code}/notitie", {"text": "Even gekeken."}, f"/overdracht/{code}")
    with session_scope(portal.url) as session:
        note = session.execute(select(HandoffNote)).scalar_one()
        assert (note.by, note.text) == ("collega", "Even gekeken.")


def test_a_handoff_that_only_waits_in_the_portal_says_so(portal: Portal) -> None:
    # Amsterdam has no entry of its own in the shipped configuration, so no webhook: the outbox message is flagged.
    code = add_handoff(portal.url, "GM0363")
    with session_scope(portal.url) as session:
        accounts.create_user(session, "amsterdam", "consulent", ["GM0363"], PASSWORD)
    page = portal.client("amsterdam").get(f"/overdracht/{code}").get_data(as_text=True)
    assert "Niet in het systeem van de gemeente: geen webhook ingesteld" in page
    houten = portal.client("consulent").get(f"/overdracht/{portal.codes['houten']}").get_data(as_text=True)
    assert "Niet in het systeem van de gemeente" not in houten
