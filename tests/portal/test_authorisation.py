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
    ("POST", "/overdracht/{own}/oppakken"): dict(anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT,
                                                 beheerder=403),
    ("POST", "/overdracht/{other}/oppakken"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/contact"): dict(anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT,
                                                beheerder=403),
    ("POST", "/overdracht/{other}/contact"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/notitie"): dict(anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT,
                                                beheerder=403),
    ("POST", "/overdracht/{other}/notitie"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/afsluiten"): dict(anoniem=REDIRECT, consulent=REDIRECT, teamleider=REDIRECT,
                                                  beheerder=403),
    ("POST", "/overdracht/{other}/afsluiten"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/toewijzen"): dict(anoniem=REDIRECT, consulent=403, teamleider=REDIRECT,
                                                  beheerder=403),
    ("POST", "/overdracht/{other}/toewijzen"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("POST", "/overdracht/{own}/onbekend"): dict(anoniem=REDIRECT, consulent=404, teamleider=404, beheerder=403),
    ("GET", "/beheer/accounts"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("POST", "/beheer/accounts"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("POST", "/beheer/accounts/consulent/ontgrendelen"): dict(anoniem=REDIRECT, consulent=403, teamleider=403,
                                                              beheerder=REDIRECT),
    ("POST", "/beheer/accounts/zeist/ontgrendelen"): dict(anoniem=REDIRECT, consulent=403, teamleider=403,
                                                          beheerder=404),
    ("GET", "/beheer/audit"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("GET", "/beheer/audit.csv"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
    ("GET", "/beheer/instellingen"): dict(anoniem=REDIRECT, consulent=403, teamleider=403, beheerder=OK),
}
FORMS = {"contact": {"method": "telefoon"}, "notitie": {"text": "x"}, "afsluiten": {"outcome": "geholpen"},
         "toewijzen": {"username": "collega"}, "accounts": {"username": "nieuw", "role": "consulent",
                                                            "gemeente": "GM0321"}}
# Routes outside this matrix, each with its own tests: sign-in and sign-out, the API (bearer tokens), the
# demo receiver (signatures), static files and the health check.
OTHER_ROUTES = {"/inloggen", "/inloggen/code", "/uitloggen", "/api/handoffs", "/api/handoffs/<code>",
                "/api/handoffs/<code>/status", "/demo/handoff-receiver", "/static/portal/<path:filename>", "/healthz"}


def _form(path: str) -> Dict[str, str]:
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
    served = {rule.rule for rule in portal.app.url_map.iter_rules()}
    in_matrix = {"/", "/overdracht/<code>", "/overdracht/<code>/<action>", "/beheer/accounts",
                 "/beheer/accounts/<username>/ontgrendelen", "/beheer/audit", "/beheer/audit.csv",
                 "/beheer/instellingen"}
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
            assert f'/overdracht/{portal.codes["zeist"]}' not in page


def test_other_gemeente_unknown_and_malformed_codes_look_the_same(portal: Portal) -> None:
    client = portal.client("consulent")
    pages = [client.get(f"/overdracht/{code}") for code in (portal.codes["zeist"], "WW-AAAA-AA", "1 OR 1=1")]
    assert {p.status_code for p in pages} == {404}
    assert len({p.get_data(as_text=True) for p in pages}) == 1
