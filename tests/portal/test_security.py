"""Security, each point on its own: CSRF, cookies, headers, stored XSS, brute force, enumeration, SQL injection,
session expiry and sign-out, second factor (codes work once; wrong codes count towards the lockout)."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import func, inspect, select

from bot.common.db import get_engine, session_scope
from bot.handoff.models import Handoff
from bot.portal import accounts
from bot.portal.models import PortalUser
from bot.web import create_app
from bot.web.portal.views import SIGN_IN_FAILED
from bot.web.security import CSP
from tests.portal.conftest import HOUTEN, PASSWORD, Portal, add_handoff, login, post

XSS = ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">klik</a>']


def test_every_form_needs_the_csrf_token(portal: Portal) -> None:
    code = portal.codes["houten"]
    anonymous = portal.app.test_client()
    anonymous.get("/inloggen")
    assert anonymous.post("/inloggen", data={"username": "consulent", "password": PASSWORD}).status_code == 400
    client = portal.client("consulent")
    for action, form in (
        ("oppakken", {}),
        ("notitie", {"text": "x"}),
        ("contact", {"method": "telefoon"}),
        ("afsluiten", {"outcome": "geholpen", "bevestigd": "ja"}),
        ("toewijzen", {"username": "collega"}),
    ):
        assert client.post(f"/overdracht/{code}/{action}", data=form).status_code == 400
        assert client.post(f"/overdracht/{code}/{action}", data={**form, "csrf_token": "vals"}).status_code == 400
    assert client.post("/uitloggen").status_code == 400
    admin = portal.client("beheerder")
    assert admin.post("/beheer/accounts", data={"username": "x", "role": "consulent"}).status_code == 400
    assert admin.post("/beheer/accounts/consulent/ontgrendelen").status_code == 400
    with session_scope(portal.url) as session:
        assert session.execute(select(Handoff.status).where(Handoff.reference_code == code)).scalar() == "new"


def test_every_page_has_a_csrf_field_in_every_form(portal: Portal) -> None:
    for username, path in (
        ("", "/inloggen"),
        ("consulent", "/"),
        ("consulent", f"/overdracht/{portal.codes['houten']}"),
        ("teamleider", f"/overdracht/{portal.codes['houten']}"),
        ("beheerder", "/beheer/accounts"),
    ):
        page = portal.client(username).get(path).get_data(as_text=True)
        posts = page.count('method="post"')
        assert posts and page.count('name="csrf_token"') == posts, path


def _cookie_header(app) -> str:
    client = app.test_client()
    response = login(client, "consulent", PASSWORD)
    return "; ".join(response.headers.getlist("Set-Cookie"))


def test_session_cookie_is_secure_httponly_samesite_in_production(portal: Portal) -> None:
    production = create_app({"DATABASE_URL": portal.url, "FAILED_LOGIN_DELAY_MS": 0})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    # Over https, as in production; flask-wtf then also checks that the Referer is this site.
    client = production.test_client()
    page = client.get("/inloggen", base_url="https://portaal.example").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/inloggen",
        base_url="https://portaal.example",
        data={"csrf_token": token, "username": "consulent", "password": PASSWORD},
        headers={"Referer": "https://portaal.example/inloggen"},
    )
    cookie = "; ".join(response.headers.getlist("Set-Cookie"))
    assert response.status_code == 302
    assert "ww_portaal=" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_secure_is_off_only_in_test_or_dev_mode(portal: Portal) -> None:
    assert create_app({"TESTING": True, "DATABASE_URL": portal.url}).config["SESSION_COOKIE_SECURE"] is False
    assert create_app({"WEB_DEV": True, "DATABASE_URL": portal.url}).config["SESSION_COOKIE_SECURE"] is False
    cookie = _cookie_header(portal.app)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


@pytest.mark.parametrize(
    "path",
    [
        "/inloggen",
        "/",
        "/overdracht/WW-AAAA-AA",
        "/beheer/audit",
        "/api/handoffs",
        "/healthz",
        "/static/portal/portal.css",
    ],
)
def test_security_headers_everywhere(portal: Portal, path: str) -> None:
    response = portal.client("consulent").get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "unsafe-inline" not in CSP and "script-src 'self'" in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # same-origin: no address with a code leaves the site, and flask-wtf's https Referer check still works.
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(portal: Portal) -> None:
    client = portal.client("teamleider")
    for path in ("/", f"/overdracht/{portal.codes['houten']}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script" not in page and "<style" not in page and " style=" not in page and " on" + "click" not in page


def test_stored_xss_in_transcript_reason_alias_and_notes_is_text(portal: Portal) -> None:
    code = add_handoff(
        portal.url,
        HOUTEN,
        alias=XSS[1][:100],
        reason=XSS[0],
        question=XSS[2],
        transcript=[{"who": "person", "text": t, "time": None} for t in XSS],
    )
    client = portal.client("consulent")
    for text in XSS:
        post(client, f"/overdracht/{code}/notitie", {"text": text}, f"/overdracht/{code}")
    page = client.get(f"/overdracht/{code}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;a href=&#34;javascript:alert(1)&#34;&gt;klik&lt;/a&gt;" in page
    inbox = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in inbox


def test_brute_force_locks_the_account_with_one_message(portal: Portal) -> None:
    client = portal.app.test_client()
    for _ in range(5):
        page = login(client, "consulent", "fout-wachtwoord").get_data(as_text=True)
        assert SIGN_IN_FAILED in page
    locked = login(client, "consulent", PASSWORD)
    assert locked.status_code == 200 and SIGN_IN_FAILED in locked.get_data(as_text=True)
    with session_scope(portal.url) as session:
        assert accounts.is_locked_out(session, "consulent", "127.0.0.1")  # the test client's address
        accounts.unlock(session, "consulent")
    assert login(client, "consulent", PASSWORD).status_code == 302


def test_no_user_enumeration(portal: Portal) -> None:
    client = portal.app.test_client()
    unknown = login(client, "bestaat-niet", "fout-wachtwoord").get_data(as_text=True)
    wrong = login(client, "consulent", "fout-wachtwoord").get_data(as_text=True)
    strip = lambda page: page.split('name="csrf_token"')[0] + page.split('name="username"')[1].split("value=")[0]  # noqa: E731
    assert SIGN_IN_FAILED in unknown and SIGN_IN_FAILED in wrong
    assert strip(unknown) == strip(wrong)


def test_a_failed_sign_in_is_delayed(portal: Portal) -> None:
    slow = create_app({"TESTING": True, "DATABASE_URL": portal.url, "FAILED_LOGIN_DELAY_MS": 300})
    client = slow.test_client()
    start = time.monotonic()
    login(client, "bestaat-niet", "x")
    assert time.monotonic() - start >= 0.3


@pytest.mark.parametrize(
    "value",
    [
        "' OR '1'='1",
        "'; DROP TABLE handoff; --",
        '" OR 1=1 --',
        "%",
        "_",
        "WW-%' UNION SELECT reference_code FROM handoff --",
    ],
)
def test_sql_injection_in_search_and_filters_does_nothing(portal: Portal, value: str) -> None:
    client = portal.client("consulent")
    for field in ("code", "status", "onderwerp", "ouder"):
        response = client.get("/", query_string={field: value})
        assert response.status_code == 200
        assert portal.codes["zeist"] not in response.get_data(as_text=True)
    code_search = client.get("/", query_string={"code": value}).get_data(as_text=True)
    assert "0 overdrachten" in code_search
    assert client.get(f"/overdracht/{value}").status_code == 404
    with session_scope(portal.url) as session:
        assert session.execute(select(func.count()).select_from(Handoff)).scalar() == 3
    assert "handoff" in inspect(get_engine(portal.url)).get_table_names()


def test_idle_session_expires(portal: Portal) -> None:
    client = portal.client("consulent")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = time.time() - 31 * 60
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")
    assert "verlopen" in client.get("/inloggen").get_data(as_text=True)


def test_session_expires_after_the_maximum_even_when_active(portal: Portal) -> None:
    client = portal.client("consulent")
    with client.session_transaction() as session:
        session["started"] = time.time() - 11 * 3600
    assert client.get("/").status_code == 302


def test_sign_out_ends_the_session_and_old_cookies(portal: Portal) -> None:
    client = portal.client("consulent")
    with client.session_transaction() as session:
        stolen = dict(session)
    assert post(client, "/uitloggen", {}).status_code == 302
    assert client.get("/").status_code == 302
    replay = portal.app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen)
    assert replay.get("/").status_code == 302  # the nonce changed at sign-out


def test_beheerder_with_second_factor(portal: Portal) -> None:
    with session_scope(portal.url) as session:
        accounts.create_user(session, "beheer2fa", "beheerder", [HOUTEN], PASSWORD, with_totp=True)
        secret = session.execute(select(PortalUser.totp_secret).where(PortalUser.username == "beheer2fa")).scalar()
    client = portal.app.test_client()
    response = login(client, "beheer2fa", PASSWORD)
    assert response.headers["Location"] == "/inloggen/code"
    assert client.get("/beheer/accounts").status_code == 302  # not signed in yet
    assert post(client, "/inloggen/code", {"code": "000000"}, "/inloggen/code").status_code == 200
    response = post(client, "/inloggen/code", {"code": pyotp.TOTP(secret).now()}, "/inloggen/code")
    assert response.status_code == 302 and client.get("/beheer/accounts").status_code == 200


def test_a_second_factor_code_works_only_once(portal: Portal) -> None:
    with session_scope(portal.url) as session:
        accounts.create_user(session, "beheer2fa", "beheerder", [HOUTEN], PASSWORD, with_totp=True)
        secret = session.execute(select(PortalUser.totp_secret).where(PortalUser.username == "beheer2fa")).scalar()
    code = pyotp.TOTP(secret).now()
    first = portal.app.test_client()
    login(first, "beheer2fa", PASSWORD)
    assert post(first, "/inloggen/code", {"code": code}, "/inloggen/code").status_code == 302
    # Someone who saw the code signs in with the password within the same 30 (or 90) seconds: refused.
    second = portal.app.test_client()
    login(second, "beheer2fa", PASSWORD)
    replay = post(second, "/inloggen/code", {"code": code}, "/inloggen/code")
    assert replay.status_code == 200 and "Deze code klopt niet" in replay.get_data(as_text=True)
    assert second.get("/beheer/accounts").status_code == 302


def test_an_older_code_after_a_newer_one_is_refused(portal: Portal) -> None:
    with session_scope(portal.url) as session:
        accounts.create_user(session, "beheer2fa", "beheerder", [HOUTEN], PASSWORD, with_totp=True)
        user = accounts.find_user(session, "beheer2fa")
        totp, now = pyotp.TOTP(user.totp_secret), time.time()
        assert accounts.check_totp(session, user, totp.at(now), now=now)
        assert not accounts.check_totp(session, user, totp.at(now), now=now)
        assert not accounts.check_totp(session, user, totp.at(now - 30), now=now)  # still in the window
        assert accounts.check_totp(session, user, totp.at(now + 30), now=now)  # the next step is new
        assert user.totp_last_step == totp.timecode(now) + 1


def test_wrong_second_factor_codes_lock_the_account(portal: Portal) -> None:
    with session_scope(portal.url) as session:
        accounts.create_user(session, "beheer2fa", "beheerder", [HOUTEN], PASSWORD, with_totp=True)
    client = portal.app.test_client()
    # Signing in again with the password gives no fresh guesses: the count goes on until the code is right.
    for attempt in range(4):
        if attempt % 2 == 0:
            login(client, "beheer2fa", PASSWORD)
        assert post(client, "/inloggen/code", {"code": "000000"}, "/inloggen/code").status_code == 200
    login(client, "beheer2fa", PASSWORD)
    locked = post(client, "/inloggen/code", {"code": "000000"}, "/inloggen/code")
    assert locked.status_code == 302 and locked.headers["Location"] == "/inloggen"
    # Locked: the password (and so the right code) no longer gets in.
    assert login(client, "beheer2fa", PASSWORD).status_code == 200
    assert client.get("/inloggen/code").headers["Location"] == "/inloggen"
    with session_scope(portal.url) as session:
        assert accounts.is_locked_out(session, "beheer2fa", "127.0.0.1")
