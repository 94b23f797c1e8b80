"""Command line for the portal:
`python -m bot portal {create-user,list-users,unlock,reset-totp,create-token,audit-export,purge}`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List

from sqlalchemy import select

from bot.common.db import session_scope
from bot.ops.migrate import require_up_to_date
from bot.ops.retention import purge_handoffs
from bot.portal import accounts
from bot.portal.models import ROLES, AuditEntry, PortalUser

OK, PROBLEM = 0, 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot portal", description="Het consulentenportaal beheren.")
    parser.add_argument("--db", help="database-URL (standaard DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="een account aanmaken (het wachtwoord wordt één keer getoond)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--gemeente", required=True, action="append", help="CBS-code, bijvoorbeeld GM0344 (mag vaker)")
    create.add_argument("--password-stdin", action="store_true", help="het wachtwoord van stdin lezen")
    create.add_argument(
        "--totp",
        action="store_true",
        help="meteen een tweede stap met een app (elke rol); anders stelt het account die zelf in",
    )
    sub.add_parser("list-users", help="alle accounts")
    unlock = sub.add_parser("unlock", help="een geblokkeerd account vrijgeven")
    unlock.add_argument("username")
    reset = sub.add_parser(
        "reset-totp",
        help="de tweede stap van een account weghalen (telefoon kwijt); het "
        "account stelt bij de volgende keer inloggen een nieuwe in",
    )
    reset.add_argument("username")
    national = sub.add_parser(
        "national-insight",
        help="inzicht voor heel Nederland geven (on) of intrekken (off); alleen teamleiders en beheerders",
    )
    national.add_argument("username")
    national.add_argument("state", choices=("on", "off"))
    token = sub.add_parser("create-token", help="een API-token maken (vervangt het vorige; één keer getoond)")
    token.add_argument("username")
    export = sub.add_parser("audit-export", help="het auditlog als CSV (naar stdout of --out)")
    export.add_argument("--out", type=Path)
    export.add_argument("--gemeente", help="alleen deze gemeente")
    sub.add_parser("purge", help="afgesloten overdrachten na de bewaartermijn verwijderen (met notities)")
    return parser


def _create_user(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    try:
        with session_scope(args.db) as session:
            password = accounts.create_user(
                session, args.username, args.role, args.gemeente, password, with_totp=args.totp
            )
            user = accounts.find_user(session, args.username)
            totp = user.totp_secret if user else None
    except accounts.AccountError as problem:
        print(f"Niet aangemaakt: {problem}.")
        return PROBLEM
    print(f"Account {args.username.strip().lower()} ({args.role}, {', '.join(args.gemeente)}) aangemaakt.")
    if not args.password_stdin:
        print(f"Wachtwoord (wordt niet nog eens getoond): {password}")
    if totp:
        print(f"Geheim voor de app van de tweede stap (TOTP): {totp}")
    return OK


def _list_users(args: argparse.Namespace) -> int:
    with session_scope(args.db) as session:
        users = session.execute(select(PortalUser).order_by(PortalUser.username)).scalars().all()
        for user in users:
            locked = " GEBLOKKEERD" if accounts.lockout_end(session, user.username) else ""
            second = " +tweede stap" if user.totp_secret else ""
            national = " +inzicht heel Nederland" if user.national_insight else ""
            print(f"{user.username}\t{user.role}\t{','.join(user.gemeente_codes)}{second}{national}{locked}")
        if not users:
            print("Nog geen accounts.")
    return OK


def _unlock(args: argparse.Namespace) -> int:
    try:
        with session_scope(args.db) as session:
            accounts.unlock(session, args.username)
    except accounts.AccountError as problem:
        print(f"{problem}.")
        return PROBLEM
    print(f"Account {args.username} is vrijgegeven.")
    return OK


def _reset_totp(args: argparse.Namespace) -> int:
    try:
        with session_scope(args.db) as session:
            accounts.reset_totp(session, args.username)
    except accounts.AccountError as problem:
        print(f"{problem}.")
        return PROBLEM
    print(
        f"De tweede stap van {args.username} is weggehaald; bij de volgende keer inloggen stelt het account een "
        "nieuwe in (als de gemeente die verplicht) of kan het er zelf een instellen."
    )
    return OK


def _national_insight(args: argparse.Namespace) -> int:
    try:
        with session_scope(args.db) as session:
            accounts.set_national_insight(session, args.username, args.state == "on")
    except accounts.AccountError as problem:
        print(f"Niet gelukt: {problem}.")
        return PROBLEM
    done = (
        "ziet nu ook het inzicht voor heel Nederland" if args.state == "on" else "ziet weer alleen de eigen gemeenten"
    )
    print(f"Account {args.username} {done}.")
    return OK


def _create_token(args: argparse.Namespace) -> int:
    try:
        with session_scope(args.db) as session:
            token = accounts.issue_api_token(session, args.username)
    except accounts.AccountError as problem:
        print(f"{problem}.")
        return PROBLEM
    print(f"API-token voor {args.username} (wordt niet nog eens getoond): {token}")
    return OK


def _audit_export(args: argparse.Namespace) -> int:
    with session_scope(args.db) as session:
        query = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
        if args.gemeente:
            query = query.where(AuditEntry.gemeente_code == args.gemeente.upper())
        text = accounts.audit_as_csv(session.execute(query).scalars().all())
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"Auditlog geschreven naar {args.out}.")
    else:
        sys.stdout.write(text)
    return OK


def _purge(args: argparse.Namespace) -> int:
    # Notes and the portal's state go with the handoff (ON DELETE CASCADE); the audit log keeps only codes.
    deleted = purge_handoffs(args.db)  # the retention job's handoff part (bot/ops/retention.py)
    print(f"{deleted} afgesloten overdracht(en) verwijderd, met hun notities.")
    return OK


COMMANDS = {
    "create-user": _create_user,
    "list-users": _list_users,
    "unlock": _unlock,
    "reset-totp": _reset_totp,
    "create-token": _create_token,
    "audit-export": _audit_export,
    "purge": _purge,
    "national-insight": _national_insight,
}


def main(argv: List[str]) -> int:
    args = _parser().parse_args(argv)
    if not require_up_to_date(args.db):
        return PROBLEM
    return COMMANDS[args.command](args)
