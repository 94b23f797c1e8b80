"""A beheerder changes the gemeente's handoff settings in the portal: the handoff service's promise follows,
only a beheerder of that gemeente may, wrong input changes nothing, and the webhook secret is write-only."""

from __future__ import annotations

from datetime import date, timezone
from typing import Dict

import pytest
from sqlalchemy import func, select

from bot.common.db import session_scope
from bot.handoff import timeframe
from bot.handoff.config import effective_config, load_config
from bot.handoff.models import Handoff, HandoffSettingsOverride
from bot.portal import accounts
from bot.portal.models import AuditEntry
from tests.portal.conftest import HOUTEN, PASSWORD, ZEIST, Portal, add_handoff, csrf_token, post

AMSTERDAM = "GM0363"  # no entry of its own in gemeenten.yml
PAGE = f"/beheer/instellingen/{HOUTEN}"
ROUTE = "Bel de gemeente Houten op het algemene nummer en vraag naar het team Werk."
SECRET = "een-lange-sleutel-die-alleen-houten-kent-123"
WEEK = {f"uren_{day}": "09:00-17:00" for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")}
WEEK.update(uren_zaterdag="gesloten", uren_zondag="gesloten")


def form(**changes: str) -> Dict[str, str]:
    """Houten's form as a beheerder sends it, with the file's webhook address left as it is."""
    values = {
        "response_days": "3",
        "contact_route": ROUTE,
        **WEEK,
        "holidays": "",
        "email": "",
        "endpoint": load_config().for_gemeente(HOUTEN).endpoint or "",
        "new_secret": "",
    }
    values.update(changes)
    return values


def overrides(portal: Portal) -> int:
    with session_scope(portal.url) as session:
        return session.execute(select(func.count()).select_from(HandoffSettingsOverride)).scalar()


def audit_details(portal: Portal, action: str) -> list:
    with session_scope(portal.url) as session:
        return session.execute(select(AuditEntry.detail).where(AuditEntry.action == action)).scalars().all()


def test_the_form_starts_from_the_current_settings(portal: Portal) -> None:
    page = portal.client("beheerder").get(PAGE).get_data(as_text=True)
    assert 'name="response_days"' in page and 'value="3"' in page  # Houten in gemeenten.yml
    assert 'value="09:00-17:00"' in page and 'value="gesloten"' in page
    assert '<label for="veld-response_days">' in page and 'name="csrf_token"' in page


def test_an_edit_changes_what_the_person_is_promised(any_portal: Portal) -> None:
    portal = any_portal  # SQLite, and PostgreSQL when reachable
    client = portal.client("beheerder")
    response = post(client, PAGE, form(response_days="10", uren_woensdag="gesloten", holidays="31-12-2026"), PAGE)
    assert response.status_code == 302
    assert "opgeslagen" in client.get(response.headers["Location"]).get_data(as_text=True)
    with session_scope(portal.url) as session:
        houten = effective_config(session).for_gemeente(HOUTEN)
        assert houten.response_days == 10 and houten.contact_route == ROUTE and houten.office_hours[2] == ()
        assert date(2026, 12, 31) in houten.holidays
        assert load_config().for_gemeente(HOUTEN).response_days == 3  # the file itself is untouched
        row = session.get(HandoffSettingsOverride, HOUTEN)
        assert row.updated_by == "beheerder"
        assert "endpoint" not in row.settings  # only what differs from the file is stored
    # A handoff created now, as the assistant creates it, gets the new term: 10 working days without Wednesdays.
    code = add_handoff(portal.url, HOUTEN)
    with session_scope(portal.url) as session:
        handoff = session.execute(select(Handoff).where(Handoff.reference_code == code)).scalar_one()
        today = handoff.created_at.replace(tzinfo=timezone.utc)
        assert handoff.respond_by == timeframe.respond_by(today, houten)
        assert handoff.respond_by != timeframe.respond_by(today, load_config().for_gemeente(HOUTEN))
    assert audit_details(portal, "instellingen_wijzigen") == [
        "gewijzigd: wat iemand zelf kan doen, reageren binnen, openingstijden, extra dagen dicht"
    ]
    # Zeist's settings did not change.
    with session_scope(portal.url) as session:
        assert effective_config(session).for_gemeente(ZEIST) == load_config().for_gemeente(ZEIST)


@pytest.mark.parametrize("username", ["consulent", "teamleider", "zeistbeheer"])
def test_only_a_beheerder_of_the_gemeente_may(portal: Portal, username: str) -> None:
    client = portal.client(username)
    assert client.get(PAGE).status_code == 403
    response = client.post(PAGE, data={"csrf_token": csrf_token(client), **form(response_days="9")})
    assert response.status_code == 403
    assert client.post(f"{PAGE}/standaard", data={"csrf_token": csrf_token(client)}).status_code == 403
    assert overrides(portal) == 0 and audit_details(portal, "instellingen_wijzigen") == []


def test_the_form_needs_the_csrf_token(portal: Portal) -> None:
    client = portal.client("beheerder")
    assert client.post(PAGE, data=form(response_days="9")).status_code == 400
    assert client.post(f"{PAGE}/standaard").status_code == 400
    assert overrides(portal) == 0


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"response_days": "0"}, "response_days", "Vul een heel getal in van 1 tot en met 30."),
        ({"response_days": "drie"}, "response_days", "Vul een heel getal in van 1 tot en met 30."),
        ({"contact_route": "  "}, "contact_route", "Vul in wat iemand zelf kan doen terwijl die wacht."),
        ({"contact_route": "x" * 601}, "contact_route", "Gebruik hoogstens 600 tekens."),
        ({"uren_dinsdag": "9 tot 5"}, "uren_dinsdag", "Schrijf de tijden zoals 09:00-17:00"),
        ({"uren_dinsdag": "17:00-09:00"}, "uren_dinsdag", "Schrijf de tijden zoals 09:00-17:00"),
        ({**dict.fromkeys(WEEK, "gesloten")}, "uren_maandag", "Het kantoor moet op minstens één dag open zijn."),
        ({"holidays": "31 december"}, "holidays", "is geen datum"),
        ({"email": "team-at-houten"}, "email", "Dit e-mailadres klopt niet."),
        ({"endpoint": "http://houten.example/hook"}, "endpoint", "Het moet beginnen met https://"),
        ({"endpoint": "https://houten.example/${WW_WEB_SECRET_KEY}"}, "endpoint", "Het moet beginnen met https://"),
        ({"endpoint": "https://user:pw@houten.example/hook"}, "endpoint", "Zet geen gebruikersnaam of wachtwoord"),
        ({"new_secret": "te-kort"}, "new_secret", "Een sleutel heeft minstens 32"),
    ],
)
def test_wrong_input_gets_a_clear_message_and_changes_nothing(
    portal: Portal, changes: Dict[str, str], field: str, message: str
) -> None:
    client = portal.client("beheerder")
    response = post(client, PAGE, form(**{"response_days": "9", **changes}), PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page.replace("&#39;", "'") and "Er is nog niets opgeslagen." in page
    assert f'id="fout-{field}"' in page and 'aria-invalid="true"' in page
    assert overrides(portal) == 0 and audit_details(portal, "instellingen_wijzigen") == []
    if "new_secret" in changes:
        assert changes["new_secret"] not in page  # not even a wrong secret is sent back


def test_the_webhook_secret_is_write_only(portal: Portal, public_dns: str) -> None:
    # Amsterdam has no entry of its own in the file, so no secret from the environment: a webhook needs one.
    with session_scope(portal.url) as session:
        accounts.create_user(session, "amsterdambeheer", "beheerder", [AMSTERDAM], PASSWORD)
    client = portal.client("amsterdambeheer")
    page = f"/beheer/instellingen/{AMSTERDAM}"
    webhook = "https://amsterdam.example/overdracht"
    response = post(client, page, form(endpoint=webhook), page)
    assert response.status_code == 400 and "heeft een geheime sleutel nodig" in response.get_data(as_text=True)
    assert post(client, page, form(endpoint=webhook, new_secret=SECRET), page).status_code == 302
    with session_scope(portal.url) as session:
        amsterdam = effective_config(session).for_gemeente(AMSTERDAM)
        assert amsterdam.endpoint == webhook and amsterdam.secret() == SECRET
    for path in (page, "/beheer/instellingen", "/beheer/audit", "/beheer/audit.csv"):
        assert SECRET not in client.get(path).get_data(as_text=True), path
    assert "ingesteld in dit portaal" in client.get(page).get_data(as_text=True)
    assert audit_details(portal, "instellingen_wijzigen") == [
        "gewijzigd: wat iemand zelf kan doen, reageren binnen, webhook-adres, webhook-sleutel"
    ]
    # Saving again with the secret field left empty keeps the secret; the checkbox removes it.
    assert post(client, page, form(endpoint=webhook, response_days="4"), page).status_code == 302
    with session_scope(portal.url) as session:
        assert effective_config(session).for_gemeente(AMSTERDAM).secret() == SECRET
    assert post(client, page, form(endpoint="", remove_secret="1"), page).status_code == 302
    with session_scope(portal.url) as session:
        amsterdam = effective_config(session).for_gemeente(AMSTERDAM)
        assert amsterdam.endpoint is None and amsterdam.secret() is None


def test_back_to_the_standard_settings(portal: Portal) -> None:
    client = portal.client("beheerder")
    assert post(client, PAGE, form(response_days="12"), PAGE).status_code == 302
    page = client.get("/beheer/instellingen").get_data(as_text=True)
    assert "Aangepast in dit portaal door beheerder" in page and "12 werkdagen" in page
    response = post(client, f"{PAGE}/standaard", {}, "/beheer/instellingen")
    assert response.status_code == 302 and overrides(portal) == 0
    with session_scope(portal.url) as session:
        assert effective_config(session).for_gemeente(HOUTEN).response_days == 3
    assert audit_details(portal, "instellingen_standaard") == ["terug naar de standaardinstellingen"]


def test_saving_the_same_values_changes_nothing(portal: Portal) -> None:
    client = portal.client("beheerder")
    current = client.get(PAGE).get_data(as_text=True)
    assert 'value="3"' in current
    route = load_config().for_gemeente(HOUTEN).contact_route
    response = post(client, PAGE, form(contact_route=route), PAGE)
    assert response.status_code == 302
    assert "Er is niets veranderd." in client.get("/beheer/instellingen").get_data(as_text=True)
    assert overrides(portal) == 0 and audit_details(portal, "instellingen_wijzigen") == []


def test_settings_pages_have_no_inline_script_or_style(portal: Portal) -> None:
    client = portal.client("beheerder")
    assert post(client, PAGE, form(response_days="0"), PAGE).status_code == 400
    for page in (
        client.get(PAGE).get_data(as_text=True),
        client.get("/beheer/instellingen").get_data(as_text=True),
        post(client, PAGE, form(response_days="0"), PAGE).get_data(as_text=True),
    ):
        assert "<script" not in page and "<style" not in page and " style=" not in page
        assert page.count('method="post"') == page.count('name="csrf_token"')
