"""Every route × every role × own or other gemeente → allowed, 403 or 404; and every route is in the matrix."""

from __future__ import annotations

from typing import Dict, Tuple

import pytest

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
}
FORMS = {
    "contact": {"method": "telefoon"},
    "notitie": {"text": "x"},
    "afsluiten": {"outcome": "geholpen", "bevestigd": "ja"},
    "toewijzen": {"username": "collega"},
    "accounts": {"username": "nieuw", "role": "consulent", "gemeente": "GM0321"},
    "besluit": {"vraag": "1", "besluit": "niet_voor_ons"},
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


def test_every_route_is_in_the_matrix_or_tested_elsewhere(portal: Portal) -> None:
    served = {rule.rule for rule in portal.app.url_map.iter_rules() if rule.endpoint.split(".")[0] in ("portal", "api")}
    in_matrix = {
        "/",
        "/overdracht/<code>",
        "/overdracht/<code>/<action>",
        "/beheer/accounts",
        "/beheer/accounts/<username>/ontgrendelen",
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
