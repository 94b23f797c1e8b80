"""Attack groups 6, 8 and 10 of issue #15 against the real web app over HTTP: a second factor for every role
(required per gemeente), a TOTP form that takes full-width digits and refuses other text calmly, and a lockout
that a stranger cannot use against someone else."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from typing import Iterator

import pyotp
import pytest
from sqlalchemy import select

from bot.common import settings
from bot.common.db import session_scope
from bot.ops.stack import Stack
from bot.portal.models import AuditEntry, PortalUser
from bot.web.portal.views import CODE_FORMAT, SIGN_IN_FAILED, WRONG_CODE
from tests.portal_http import Browser, add_user, stack_database, start_web_stack

pytestmark = pytest.mark.stack

HOUTEN, ZEIST = "GM0321", "GM0355"  # Houten requires a second factor in this stack, Zeist does not
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_web_stack(tmp_path_factory.mktemp("portal-security"), WW_WEB_TOTP_REQUIRED=HOUTEN)
    try:
        yield stack
    finally:
        stack.stop()


def enrol_secret(page: str) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)
    assert match, "the enrolment page shows the secret as text"
    return match.group(1).replace(" ", "")


def next_code(secret: str) -> str:
    """A code for the coming 30-second step: the step used just before is refused (a code works only once)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.mark.parametrize("role", ["consulent", "teamleider", "beheerder"])
def test_every_role_sets_up_and_then_needs_a_second_factor_where_the_gemeente_requires_it(web: Stack, role: str):
    username = f"houten-{role}"
    add_user(web, username, role, HOUTEN)
    browser = Browser(web)
    response = browser.sign_in(username)
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen/tweede-stap"
    assert browser.get("/").status_code == 302, "a password alone does not sign in"
    page = browser.get("/inloggen/tweede-stap").text
    assert "<svg" in page and "QR-code" in page, "a QR code to scan"
    secret = enrol_secret(page)
    assert enrol_secret(browser.get("/inloggen/tweede-stap").text) == secret, "the same secret until it is set up"
    wrong = browser.post("/inloggen/tweede-stap", {"code": "000000"})
    assert wrong.status_code == 200 and WRONG_CODE in html.unescape(wrong.text)
    done = browser.post("/inloggen/tweede-stap", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert browser.get("/beheer/accounts" if role == "beheerder" else "/").status_code == 200
    with session_scope(stack_database(web)) as session:
        assert session.execute(select(PortalUser.totp_secret).where(PortalUser.username == username)).scalar() == secret
        assert (
            session.execute(select(AuditEntry.action).where(AuditEntry.username == username))
            .scalars()
            .all()
            .count("tweede_stap_ingesteld")
            == 1
        )
    # From now on: password, then a code; the secret is never shown again.
    again = Browser(web)
    assert again.sign_in(username).headers["Location"] == "/inloggen/code"
    assert again.get("/inloggen/tweede-stap").headers["Location"] == "/inloggen"
    again = Browser(web)
    again.sign_in(username)
    assert again.post("/inloggen/code", {"code": next_code(secret)}).status_code == 302
    assert again.get("/beheer/accounts" if role == "beheerder" else "/").status_code == 200


def test_where_it_is_not_required_anyone_can_add_a_second_factor(web: Stack):
    add_user(web, "zeist-vrijwillig", "consulent", ZEIST)
    browser = Browser(web)
    assert browser.sign_in("zeist-vrijwillig").headers["Location"] == "/", "no second factor required in Zeist"
    assert "Tweede stap instellen" in browser.get("/").text
    secret = enrol_secret(browser.get("/account/tweede-stap").text)
    assert browser.post("/account/tweede-stap", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    later = Browser(web)
    assert later.sign_in("zeist-vrijwillig").headers["Location"] == "/inloggen/code"


def test_the_production_profile_requires_a_second_factor_for_every_gemeente_by_default():
    def required(**env: str) -> str:
        environment = {k: v for k, v in os.environ.items() if k != "WW_WEB_TOTP_REQUIRED"}
        environment.update(env, PYTHONPATH=str(settings.ROOT))
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "from bot.common import settings; print(','.join(sorted(settings.WEB_TOTP_REQUIRED)))",
            ],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert required(WW_PROFILE="production") == "ALL"
    assert required(WW_PROFILE="local") == ""
    assert required(WW_PROFILE="production", WW_WEB_TOTP_REQUIRED="GM0344,gm0355") == "GM0344,GM0355"


def _signed_in_with_second_factor(web: Stack, username: str, gemeente: str = ZEIST) -> str:
    """An account with a second factor set up; returns its secret."""
    add_user(web, username, "consulent", gemeente)
    browser = Browser(web)
    browser.sign_in(username)
    secret = enrol_secret(browser.get("/account/tweede-stap").text)
    assert browser.post("/account/tweede-stap", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    return secret


def test_full_width_digits_in_the_code_form_are_read_as_digits(web: Stack):
    secret = _signed_in_with_second_factor(web, "breed")
    browser = Browser(web)
    browser.sign_in("breed")
    response = browser.post("/inloggen/code", {"code": next_code(secret).translate(FULL_WIDTH)})
    assert response.status_code == 302 and browser.get("/").status_code == 200


@pytest.mark.parametrize(
    "code",
    ["١٢٣٤٥٦", "１２３abc", "😀😀😀😀😀😀", "12345\u0000", "ＡＢＣＤＥＦ", "1" * 50],
    ids=["arabic-indic", "full-width-letters", "emoji", "nul", "full-width-latin", "long"],
)
def test_other_text_in_the_code_form_gets_a_calm_400(web: Stack, code: str):
    username = f"vreemd-{abs(hash(code)) % 10**8}"
    _signed_in_with_second_factor(web, username)
    browser = Browser(web)
    browser.sign_in(username)
    response = browser.post("/inloggen/code", {"code": code})
    assert response.status_code == 400 and CODE_FORMAT in html.unescape(response.text)
    # Not counted as a guess: five of them do not lock anyone out.
    for _ in range(5):
        assert browser.post("/inloggen/code", {"code": code}).status_code == 400
    assert browser.get("/inloggen/code").status_code == 200, "still waiting for the right code"


def test_other_text_while_setting_up_gets_a_calm_400(web: Stack):
    add_user(web, "houten-vreemd", "consulent", HOUTEN)
    browser = Browser(web)
    browser.sign_in("houten-vreemd")
    response = browser.post("/inloggen/tweede-stap", {"code": "١٢٣٤٥٦"})
    assert response.status_code == 400 and CODE_FORMAT in html.unescape(response.text)
    assert "<svg" in response.text, "the page with the QR code again"


def test_five_wrong_passwords_from_one_address_do_not_lock_out_the_person_at_another(web: Stack):
    """The attack of item 10: someone who knows a user name types five wrong passwords. Only their own address
    is locked out for that name; the person signs in from theirs at once. X-Forwarded-For is not believed
    without a trusted proxy, so the attacker cannot name the victim's address either."""
    add_user(web, "doelwit", "consulent", ZEIST)
    attacker = Browser(web, source="127.0.0.2")
    for _ in range(5):
        response = attacker.sign_in("doelwit", "fout-wachtwoord", headers={"X-Forwarded-For": "127.0.0.1"})
        assert response.status_code == 200 and SIGN_IN_FAILED in html.unescape(response.text)
    locked = attacker.sign_in("doelwit")
    assert locked.status_code == 200, "the attacker's address is locked out, even with the right password"
    person = Browser(web)  # from 127.0.0.1
    response = person.sign_in("doelwit")
    assert response.status_code == 302 and person.get("/").status_code == 200
