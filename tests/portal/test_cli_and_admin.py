"""The portal's command line, retention with notes, and the beheerder's accounts and audit log pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.common.clock import to_db_time, utc_now
from bot.common.db import session_scope
from bot.handoff.models import Handoff
from bot.ops.cli import portal as cli
from bot.portal import accounts
from bot.portal.models import AuditEntry, HandoffNote, HandoffWork, PortalUser
from tests.portal.conftest import HOUTEN, PASSWORD, Portal, login, post


def run(capsys: pytest.CaptureFixture, url: str, *argv: str) -> tuple:
    code = cli.main(["--db", url, *argv])
    return code, capsys.readouterr().out


def test_create_user_prints_a_generated_password_once(sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    code, out = run(
        capsys, sqlite_url, "create-user", "--gemeente", "GM0344", "--role", "consulent", "--username", "Anna"
    )
    assert code == 0 and "Wachtwoord" in out
    password = out.split("): ")[-1].strip()
    with session_scope(sqlite_url) as session:
        assert accounts.check_password(session, "anna", password).user is not None
        assert password not in accounts.find_user(session, "anna").password_hash
    code, out = run(
        capsys, sqlite_url, "create-user", "--gemeente", "GM0344", "--role", "consulent", "--username", "anna"
    )
    assert code == 1 and "bestaat al" in out
    code, out = run(capsys, sqlite_url, "list-users")
    assert "anna\tconsulent\tGM0344" in out and password not in out


def test_create_user_from_stdin_and_refusals(
    sqlite_url: str, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("een-wachtwoord-van-stdin\n"))
    code, out = run(
        capsys,
        sqlite_url,
        "create-user",
        "--gemeente",
        "GM0344",
        "--gemeente",
        "GM0321",
        "--role",
        "teamleider",
        "--username",
        "bert",
        "--password-stdin",
    )
    assert code == 0 and "een-wachtwoord-van-stdin" not in out
    with session_scope(sqlite_url) as session:
        user = accounts.check_password(session, "bert", "een-wachtwoord-van-stdin").user
        assert user is not None and user.gemeente_codes == ("GM0344", "GM0321")
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    code, out = run(
        capsys,
        sqlite_url,
        "create-user",
        "--gemeente",
        "GM0344",
        "--role",
        "consulent",
        "--username",
        "kees",
        "--password-stdin",
    )
    assert code == 1 and "minstens 12" in out
    code, out = run(
        capsys, sqlite_url, "create-user", "--gemeente", "GM9999", "--role", "consulent", "--username", "kees"
    )
    assert code == 1 and "onbekende gemeentecode" in out


def test_beheerder_with_totp_and_unlock(sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    code, out = run(
        capsys,
        sqlite_url,
        "create-user",
        "--gemeente",
        "GM0344",
        "--role",
        "beheerder",
        "--username",
        "admin",
        "--totp",
    )
    assert code == 0 and "TOTP" in out
    with session_scope(sqlite_url) as session:
        for _ in range(5):
            accounts.count_failure(session, "admin", "203.0.113.7")
    assert "GEBLOKKEERD" in run(capsys, sqlite_url, "list-users")[1]
    assert run(capsys, sqlite_url, "unlock", "admin")[0] == 0
    assert "GEBLOKKEERD" not in run(capsys, sqlite_url, "list-users")[1]
    assert run(capsys, sqlite_url, "unlock", "niemand")[0] == 1


def test_national_insight_given_and_taken_back_on_the_command_line(
    sqlite_url: str, capsys: pytest.CaptureFixture
) -> None:
    run(capsys, sqlite_url, "create-user", "--gemeente", "GM0344", "--role", "teamleider", "--username", "tl")
    run(capsys, sqlite_url, "create-user", "--gemeente", "GM0344", "--role", "consulent", "--username", "cons")
    assert run(capsys, sqlite_url, "national-insight", "tl", "on")[0] == 0
    assert "tl\tteamleider\tGM0344 +inzicht heel Nederland" in run(capsys, sqlite_url, "list-users")[1]
    code, out = run(capsys, sqlite_url, "national-insight", "cons", "on")
    assert code == 1 and "alleen teamleiders en beheerders" in out
    assert run(capsys, sqlite_url, "national-insight", "niemand", "on")[0] == 1
    assert run(capsys, sqlite_url, "national-insight", "tl", "off")[0] == 0
    assert "heel Nederland" not in run(capsys, sqlite_url, "list-users")[1]


def test_create_token_stores_only_a_hash(sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    run(capsys, sqlite_url, "create-user", "--gemeente", "GM0344", "--role", "consulent", "--username", "api")
    code, out = run(capsys, sqlite_url, "create-token", "api")
    token = out.split(": ")[-1].strip()
    assert code == 0 and token.startswith("ww_")
    with session_scope(sqlite_url) as session:
        assert accounts.user_for_token(session, token).username == "api"
        assert accounts.find_user(session, "api").api_token_hash != token


def test_audit_export_and_csv_injection(portal: Portal, capsys: pytest.CaptureFixture, tmp_path) -> None:
    client = portal.client("teamleider")
    code = portal.codes["houten"]
    client.get(f"/overdracht/{code}")
    post(
        client,
        f"/overdracht/{code}/afsluiten",
        {"outcome": "doorverwezen", "detail": '=HYPERLINK("x")', "bevestigd": "ja"},
        f"/overdracht/{code}",
    )
    out_file = tmp_path / "audit.csv"
    assert run(capsys, portal.url, "audit-export", "--out", str(out_file))[0] == 0
    rows = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert {"bekijken", "afsluiten", "inloggen"} <= {r["actie"] for r in rows}
    assert all(not r["details"].startswith("=") for r in rows)
    admin = portal.client("beheerder")
    page = admin.get("/beheer/audit").get_data(as_text=True)
    assert code in page and "teamleider" in page
    download = admin.get("/beheer/audit.csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    assert code in download.get_data(as_text=True)
    zeist_admin = portal.client("zeistbeheer")
    assert code not in zeist_admin.get("/beheer/audit.csv").get_data(as_text=True)


def test_purge_removes_closed_handoffs_with_notes_and_keeps_open_ones(
    any_portal: Portal, capsys: pytest.CaptureFixture
) -> None:
    client = any_portal.client("consulent")
    code = any_portal.codes["houten"]
    post(client, f"/overdracht/{code}/notitie", {"text": "notitie met persoonsgegevens"}, f"/overdracht/{code}")
    post(client, f"/overdracht/{code}/afsluiten", {"outcome": "geholpen", "bevestigd": "ja"}, f"/overdracht/{code}")
    page = client.get(f"/overdracht/{code}").get_data(as_text=True)
    assert "Wordt verwijderd" in page and "op " in page
    assert run(capsys, any_portal.url, "purge")[1].startswith("0 ")
    with session_scope(any_portal.url) as session:
        handoff = session.execute(select(Handoff).where(Handoff.reference_code == code)).scalar_one()
        handoff.retention_until = to_db_time(utc_now()) - timedelta(days=1)
    assert run(capsys, any_portal.url, "purge")[1].startswith("1 ")
    with session_scope(any_portal.url) as session:
        assert session.execute(select(func.count()).select_from(Handoff)).scalar() == 2
        assert session.execute(select(func.count()).select_from(HandoffNote)).scalar() == 0
        assert session.execute(select(func.count()).select_from(HandoffWork)).scalar() == 0
        # The audit log keeps that it happened, by code only.
        assert (
            session.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.reference_code == code)
            ).scalar()
            > 0
        )


def test_beheerder_creates_accounts_only_for_own_gemeenten(portal: Portal) -> None:
    admin = portal.client("beheerder")
    page = post(
        admin, "/beheer/accounts", {"username": "nieuwe", "role": "consulent", "gemeente": HOUTEN}, "/beheer/accounts"
    ).get_data(as_text=True)
    assert "Account nieuwe is aangemaakt." in page and "maar één keer getoond" in page
    password = page.split('class="secret">')[1].split("<")[0]
    assert login(portal.app.test_client(), "nieuwe", password).status_code == 302
    page = post(
        admin,
        "/beheer/accounts",
        {"username": "stiekem", "role": "teamleider", "gemeente": "GM0355"},
        "/beheer/accounts",
    ).get_data(as_text=True)
    assert "kies een of meer van jouw gemeenten" in page
    with session_scope(portal.url) as session:
        assert session.execute(select(PortalUser).where(PortalUser.username == "stiekem")).first() is None
    accounts_page = admin.get("/beheer/accounts").get_data(as_text=True)
    assert "zeist" not in accounts_page  # accounts of other gemeenten are not listed


def test_beheerder_unlocks_a_locked_colleague(portal: Portal) -> None:
    for _ in range(5):
        login(portal.app.test_client(), "consulent", "fout")
    admin = portal.client("beheerder")
    assert "Ontgrendelen" in admin.get("/beheer/accounts").get_data(as_text=True)
    post(admin, "/beheer/accounts/consulent/ontgrendelen", {}, "/beheer/accounts")
    assert login(portal.app.test_client(), "consulent", PASSWORD).status_code == 302


def test_settings_page_shows_the_gemeente_configuration(portal: Portal) -> None:
    page = portal.client("beheerder").get("/beheer/instellingen").get_data(as_text=True)
    assert "Houten (GM0321)" in page and "werkdagen" in page
