"""Every route × every role × own or other gemeente → allowed, 403 or 404; and every route is in the matrix."""

from __future__ import annotations

from typing import Dict, Tuple

import pytest
from sqlalchemy import update

from bot.common import regions
from bot.common.db import session_scope
from bot.portal import accounts
from bot.portal.models import PortalUser
from tests.portal.conftest import Portal, csrf_token, make_portal

ROLES = ("anoniem", "consulent", "teamleider", "beheerder")
OK, REDIRECT = 200, 302
# (method, path with {own}/{other} for a Houten / Zeist code, form) → expected status per role.
# A redirect (302) after a POST means the action was done or explained on the page; for anonymous it is the
# sign-in page; for a beheerder on "/" it is the accounts page.
MATRIX: Dict[Tuple[str, str], Dict[str, int]] = {
    ("GET", "/"): dict(anoniem=REDIRECT, consulent=OK, teamleider=OK, beheerder=REDIRECT),
    ("GET", "/overdracht/{own}"): dict(anoniem=REDIRECT, consulent=OK, teamleider=OK, beheerder=403),
    ("GET", "/overdracht/{other}"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("GET", "/overdracht/WW-AAAA-AA"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/oppakken"): dict(
        anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT, beheerder=403
    ),
    ("POST", "/overdracht/{other}/oppakken"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/contact"): dict(
        anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT, beheerder=403
    ),
    ("POST", "/overdracht/{other}/contact"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/notitie"): dict(
        anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT, beheerder=403
    ),
    ("POST", "/overdracht/{other}/notitie"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/afsluiten"): dict(
        anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT, beheerder=403
    ),
    ("POST", "/overdracht/{other}/afsluiten"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/toewijzen"): dict(anoniem=REDIRECT, consulent=403, teamleider=REDIRECT, beheerder=403),
    ("POST", "/overdracht/{other}/toewijzen"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/onbekend"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("GET", "/beheer/accounts"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("POST", "/beheer/accounts"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("POST", "/beheer/accounts/consulent/ontgrendelen"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=REDIRECT
    ),
    ("POST", "/beheer/accounts/zeist/ontgrendelen"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=404
    ),
    ("GET", "/beheer/audit"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("GET", "/beheer/audit.csv"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("GET", "/beheer/instellingen"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("GET", "/beheer/instellingen/GM0321"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("GET", "/beheer/instellingen/GM0355"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=403),
    ("POST", "/beheer/instellingen/GM0321"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=REDIRECT),
    ("POST", "/beheer/instellingen/GM0355"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=403),
    ("POST", "/beheer/instellingen/GM0321/standaard"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=REDIRECT
    ),
    ("POST", "/beheer/instellingen/GM0355/standaard"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=403
    ),
    # Insight (#20): teamleiders and beheerders, about their own gemeente only; counts, never conversations.
    ("GET", "/inzicht"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht?gemeente=GM0321&eenheid=maand"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK
    ),
    ("GET", "/inzicht?gemeente=GM0355"): dict(anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404),
    ("GET", "/inzicht?eenheid=jaar"): dict(anoniem=REDIRECT, consulent=403, teamleider=400, beheerder=400),
    ("GET", "/inzicht/vragen.csv"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/vragen.csv?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/vragen.json"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/overdrachten"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/overdrachten?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/overdrachten.csv"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/overdrachten.json"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/overdrachten.json?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/vragen.json?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/onbeantwoord"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/onbeantwoord?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/onbeantwoord.json"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/onbeantwoord.json?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/onbeantwoord/voorbeelden.yml"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK
    ),
    ("GET", "/inzicht/onbeantwoord/voorbeelden.yml?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("POST", "/inzicht/onbeantwoord/besluit"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=REDIRECT, beheerder=REDIRECT
    ),
    # Social-map gaps: months only, a week asked for is answered per month.
    ("GET", "/inzicht/sociale-kaart"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/sociale-kaart?gemeente=GM0321&eenheid=week"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK
    ),
    ("GET", "/inzicht/sociale-kaart?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/sociale-kaart?eenheid=jaar"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=400, beheerder=400
    ),
    ("GET", "/inzicht/sociale-kaart.csv"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/sociale-kaart.csv?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    ("GET", "/inzicht/sociale-kaart.json"): dict(anoniem=REDIRECT, consulent=403, teamleider=OK, beheerder=OK),
    ("GET", "/inzicht/sociale-kaart.json?gemeente=GM0355"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    # "Heel Nederland" without national insight: like any gemeente that is not theirs (with it: NATIONAL below).
    ("GET", "/inzicht?gemeente=nederland"): dict(anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404),
    ("GET", "/inzicht/sociale-kaart?gemeente=nederland"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=404, beheerder=404
    ),
    # Giving national insight: a beheerder, to an account of their own gemeenten.
    ("POST", "/beheer/accounts/teamleider/landelijk-inzicht"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=REDIRECT
    ),
    ("POST", "/beheer/accounts/zeistlead/landelijk-inzicht"): dict(
        anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=404
    ),
}
# Every insight route asked for "Heel Nederland" (gemeente=nederland), by each role with and without the national
# insight a beheerder gives: only a teamleider or beheerder with it gets an answer, for a consulent the flag
# changes nothing, and without it the answer is the 404 of a gemeente that is not theirs.
NATIONAL_ROUTES = [
    f"{path}?gemeente=nederland&eenheid={unit}"
    for path in (
        "/inzicht",
        "/inzicht/vragen.csv",
        "/inzicht/vragen.json",
        "/inzicht/overdrachten",
        "/inzicht/overdrachten.csv",
        "/inzicht/overdrachten.json",
        "/inzicht/sociale-kaart",
        "/inzicht/sociale-kaart.csv",
        "/inzicht/sociale-kaart.json",
    )
    for unit in ("week", "maand")
]
NATIONAL_API = ["/api/inzicht/vragen", "/api/inzicht/overdrachten", "/api/inzicht/sociale-kaart"]
NATIONAL = {  # (role, has national insight) → expected status, on the pages and on the API
    ("anoniem", False): (REDIRECT, 401),
    ("consulent", False): (403, 403),
    ("consulent", True): (403, 403),
    ("teamleider", False): (404, 404),
    ("teamleider", True): (OK, OK),
    ("beheerder", False): (404, 404),
    ("beheerder", True): (OK, OK),
}
FORMS = {
    "contact": {"method": "telefoon"},
    "notitie": {"text": "x"},
    "afsluiten": {"outcome": "geholpen", "bevestigd": "ja"},
    "toewijzen": {"username": "collega"},
    "accounts": {"username": "nieuw", "role": "consulent", "gemeente": "GM0321"},
    "besluit": {"vraag": "1", "besluit": "niet_voor_ons"},
    "landelijk-inzicht": {"geven": "ja"},
}
SETTINGS_FORM = {
    "response_days": "3",
    "contact_route": "Bel het algemene nummer van de gemeente.",
    "uren_maandag": "09:00-17:00",
}
# Routes of the portal and the API outside this matrix, each with its own tests: sign-in and sign-out, the API
# (bearer tokens), static files. The demo pages and the widget hold no personal data (tests/widget; the demo
# receiver checks signatures in test_demo_and_stack.py). Setting up a second factor: tests/test_security_portal.py.
OTHER_ROUTES = {
    "/inloggen",
    "/inloggen/code",
    "/uitloggen",
    "/api/handoffs",
    "/api/handoffs/<code>",
    "/api/handoffs/<code>/status",
    "/api/inzicht/vragen",
    "/api/inzicht/overdrachten",
    "/api/inzicht/onbeantwoord",
    "/api/inzicht/sociale-kaart",
    "/static/portal/<path:filename>",
    "/inloggen/tweede-stap",
    "/account/tweede-stap",
}


def _form(path: str) -> Dict[str, str]:
    if path.startswith("/beheer/instellingen/") and not path.endswith("/standaard"):
        return SETTINGS_FORM
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return FORMS.get(last, {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_matrix(sqlite_url: str, role: str, route: Tuple[str, str]) -> None:
    portal = make_portal(sqlite_url)
    method, pattern = route
    path = pattern.format(own=portal.codes["houten"], other=portal.codes["zeist"])
    client = portal.client("" if role == "anoniem" else role)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token(client), **_form(path)})
    assert response.status_code == MATRIX[route][role], response.get_data(as_text=True)[:500]
    if role == "anoniem":
        assert response.headers["Location"].startswith("/inloggen")


@pytest.mark.parametrize("role, national", list(NATIONAL), ids=lambda v: str(v))
def test_heel_nederland_only_with_national_insight(any_portal: Portal, role: str, national: bool) -> None:
    portal = any_portal  # SQLite and PostgreSQL
    if national:
        with session_scope(portal.url) as session:
            session.execute(update(PortalUser).where(PortalUser.username == role).values(national_insight=True))
    page_status, api_status = NATIONAL[(role, national)]
    client = portal.client("" if role == "anoniem" else role)
    for path in NATIONAL_ROUTES:
        assert client.get(path).status_code == page_status, path
    token = ""
    if role != "anoniem":
        with session_scope(portal.url) as session:
            token = accounts.issue_api_token(session, role)
    api = portal.app.test_client()
    for path in NATIONAL_API:
        response = api.get(f"{path}?gemeente=nederland", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == api_status, path
        if api_status == OK:
            body = response.get_json()
            assert len(body["gemeenten"]) == len(regions.load().gemeenten) + 1 and "onbekend" in body["gemeenten"]


def test_every_route_is_in_the_matrix_or_tested_elsewhere(portal: Portal) -> None:
    served = {rule.rule for rule in portal.app.url_map.iter_rules() if rule.endpoint.split(".")[0] in ("portal", "api")}
    in_matrix = {
        "/",
        "/overdracht/<code>",
        "/overdracht/<code>/<action>",
        "/beheer/accounts",
        "/beheer/accounts/<username>/ontgrendelen",
        "/beheer/accounts/<username>/landelijk-inzicht",
        "/beheer/audit",
        "/beheer/audit.csv",
        "/beheer/instellingen",
        "/beheer/instellingen/<code>",
        "/beheer/instellingen/<code>/standaard",
        "/inzicht",
        "/inzicht/vragen.csv",
        "/inzicht/vragen.json",
        "/inzicht/overdrachten",
        "/inzicht/overdrachten.csv",
        "/inzicht/overdrachten.json",
        "/inzicht/onbeantwoord",
        "/inzicht/onbeantwoord.json",
        "/inzicht/onbeantwoord/voorbeelden.yml",
        "/inzicht/onbeantwoord/besluit",
        "/inzicht/sociale-kaart",
        "/inzicht/sociale-kaart.csv",
        "/inzicht/sociale-kaart.json",
    }
    patterns = {p for _, p in MATRIX}
    assert served == in_matrix | OTHER_ROUTES
    for rule in in_matrix:
        assert any(_matches(rule, p) for p in patterns), rule


def _matches(rule: str, path: str) -> bool:
    a, b = rule.strip("/").split("/"), path.strip("/").split("/")
    return len(a) == len(b) and all(x.startswith("<") or x == y for x, y in zip(a, b))


def test_a_handoff_of_another_gemeente_is_not_in_any_list(portal: Portal) -> None:
    for username in ("consulent", "teamleider"):
        client = portal.client(username)
        for query in ({}, {"status": "alle"}, {"code": portal.codes["zeist"]}):
            page = client.get("/", query_string=query).get_data(as_text=True)
            assert f"/overdracht/{portal.codes['zeist']}" not in page


def test_other_gemeente_unknown_and_malformed_codes_look_the_same(portal: Portal) -> None:
    client = portal.client("consulent")
    pages = [client.get(f"/overdracht/{code}") for code in (portal.codes["zeist"], "WW-AAAA-AA", "1 OR 1=1")]
    assert {p.status_code for p in pages} == {404}
    assert len({p.get_data(as_text=True) for p in pages}) == 1
