"""Portal accounts: argon2 password hashes, sign-in with a lockout per user name and source, a second factor
(TOTP, for every role; required per gemeente), API tokens."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import ipaddress
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Optional

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.common import regions, settings
from bot.common.clock import to_db_time, utc_now
from bot.handoff.config import effective_config
from bot.portal.models import BEHEERDER, ROLES, TEAMLEIDER, PortalUser, SignInFailure

_hasher = PasswordHasher()
# Checked when the username does not exist, so that an unknown name costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is plain Dutch."""


@dataclass(frozen=True)
class SignIn:
    user: Optional[PortalUser]  # set only when the password was right and this source is not locked out
    needs_second_factor: bool = False  # the account has a second factor: ask for its code
    needs_enrolment: bool = False  # its gemeente requires one and it has none yet: set it up first


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, ~120 bits


def _codes(gemeenten: Iterable[str]) -> str:
    codes = []
    for code in gemeenten:
        code = code.strip().upper()
        if regions.get_gemeente(code) is None:
            now = regions.resolve_gemeente(code)  # a code of before 2026: say which gemeente it is today
            hint = (
                f"; sinds {now.former.year}: {', '.join(f'{g.code} ({g.roo_name})' for g in now.candidates)}"
                if now.former
                else ""
            )
            raise AccountError(f"onbekende gemeentecode: {code!r} (verwacht een CBS-code van 2026 zoals GM0344{hint})")
        codes.append(code)
    if not codes:
        raise AccountError("geef minstens één gemeente")
    return ",".join(dict.fromkeys(codes))


def reads_handoffs(session: Session, code: str) -> bool:
    """Whether someone reads a handoff for gemeente `code`: it has an entry of its own (knowledge/handoff/
    gemeenten.yml, or settings saved in the portal: a webhook or its team in the portal), or an active portal
    account. Otherwise the assistant stores nothing and gives the gemeente's own number (actions/handoff.py)."""
    if effective_config(session).for_gemeente(code).own_entry:
        return True
    accounts = session.execute(select(PortalUser.gemeenten).where(PortalUser.active.is_(True))).scalars()
    return any(code in (codes or "").split(",") for codes in accounts)


def find_user(session: Session, username: str) -> Optional[PortalUser]:
    return session.execute(
        select(PortalUser).where(PortalUser.username == username.strip().lower())
    ).scalar_one_or_none()


def create_user(
    session: Session,
    username: str,
    role: str,
    gemeenten: Iterable[str],
    password: Optional[str] = None,
    with_totp: bool = False,
) -> str:
    """Create an account; returns its password (the given one, or a generated one to show once)."""
    username = username.strip().lower()
    if not username or len(username) > 100 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise AccountError("een gebruikersnaam bestaat uit letters, cijfers, punt, streepje of liggend streepje")
    if role not in ROLES:
        raise AccountError(f"onbekende rol {role!r}; kies uit {', '.join(ROLES)}")
    if find_user(session, username):
        raise AccountError(f"de gebruikersnaam {username!r} bestaat al")
    password = password if password is not None else generate_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens")
    session.add(
        PortalUser(
            username=username,
            password_hash=_hasher.hash(password),
            role=role,
            gemeenten=_codes(gemeenten),
            failed_logins=0,
            session_nonce=secrets.token_hex(16),
            active=True,
            totp_secret=pyotp.random_base32() if with_totp else None,
            created_at=to_db_time(utc_now()),
        )
    )
    session.flush()
    return password


def source_of(address: Optional[str]) -> str:
    """Where a sign-in comes from, as the lockout counts it: the IPv4 address, or the /64 network of an IPv6
    address (one household or server gets a whole /64, so single IPv6 addresses would give endless fresh tries)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return "onbekend"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _name(username: str) -> str:
    return (username or "").strip().lower()[:100]


def is_locked_out(session: Session, username: str, source: str, now: Optional[datetime] = None) -> bool:
    """True when `source` has typed too many wrong passwords or codes for `username` lately."""
    row = session.get(SignInFailure, (_name(username), source))
    return row is not None and row.locked_until is not None and row.locked_until > to_db_time(now or utc_now())


def lockout_end(session: Session, username: str, now: Optional[datetime] = None) -> Optional[datetime]:
    """Until when some source is locked out for `username` (the latest), or None: for the accounts page."""
    return session.execute(
        select(func.max(SignInFailure.locked_until)).where(
            SignInFailure.username == _name(username), SignInFailure.locked_until > to_db_time(now or utc_now())
        )
    ).scalar()


def check_password(
    session: Session, username: str, password: str, source: str = "onbekend", now: Optional[datetime] = None
) -> SignIn:
    """The account when `password` is right and `source` is not locked out for this name; counts failures.

    Failures are counted per user name *and* source: after too many, only that source is locked out for that
    name, so someone who knows a colleague's user name cannot lock the colleague out from their own desk. The
    caller shows one message for every failure, so nobody learns whether a name exists or is locked.
    """
    now = to_db_time(now or utc_now())
    _forget_old_failures(session, now)
    user = find_user(session, username or "")
    if is_locked_out(session, username, source, now):
        _verify(_DUMMY_HASH, password)
        return SignIn(None)
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        count_failure(session, username, source, now)  # unknown names count the same: nothing to learn
        return SignIn(None)
    if not _verify(user.password_hash, password):
        count_failure(session, username, source, now)
        return SignIn(None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.flush()
    # With a second factor the count goes on until the code is right too (see signed_in), so that signing in
    # again with the password does not give an attacker fresh guesses at the code.
    return SignIn(
        user, needs_second_factor=bool(user.totp_secret), needs_enrolment=not user.totp_secret and totp_required(user)
    )


def count_failure(session: Session, username: str, source: str, now: Optional[datetime] = None) -> bool:
    """A wrong password or second-factor code for `username` from `source`; after WEB_MAX_FAILED_LOGINS in a row
    that source is locked out for that name for WEB_LOCKOUT_MINUTES. True when it is locked out now."""
    now = to_db_time(now or utc_now())
    key = (_name(username), source)
    row = session.get(SignInFailure, key)
    if row is None:
        row = SignInFailure(username=key[0], source=source, failures=0, updated_at=now)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # the same name and source failed at the same moment in another request
            session.rollback()
            row = session.get(SignInFailure, key)
    row.failures += 1
    row.updated_at = now
    if row.failures >= settings.WEB_MAX_FAILED_LOGINS:
        row.locked_until = now + timedelta(minutes=settings.WEB_LOCKOUT_MINUTES)
        row.failures = 0
    session.flush()
    return row.locked_until is not None and row.locked_until > now


def _forget_old_failures(session: Session, now: datetime) -> None:
    # Failures "in a row" end after a quiet day; expired lockouts go too. Keeps the table small.
    session.execute(
        delete(SignInFailure).where(
            SignInFailure.updated_at < now - timedelta(days=1),
            or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until < now),
        )
    )


def totp_required(user: PortalUser) -> bool:
    """True when one of the account's gemeenten requires a second factor (WW_WEB_TOTP_REQUIRED: "all", or a
    list of CBS codes; by default "all" in the production profile and none locally)."""
    required = settings.WEB_TOTP_REQUIRED
    return "ALL" in required or bool(required & set(user.gemeente_codes))


def normalise_code(code: str) -> Optional[str]:
    """A typed TOTP code as six ASCII digits, or None when it is not one. NFKC turns full-width digits
    (１２３４５６) into ASCII ones; spaces are dropped. Anything else (other scripts' digits, letters) is None,
    so it is refused calmly instead of reaching hmac.compare_digest, which fails on non-ASCII text."""
    text = unicodedata.normalize("NFKC", code or "").replace(" ", "").strip()
    return text if len(text) == 6 and text.isascii() and text.isdigit() else None


def code_matches(secret: str, code: str, now: Optional[float] = None) -> Optional[int]:
    """The 30-second step whose code `code` is (one step of clock drift either way), or None."""
    totp, typed = pyotp.TOTP(secret), normalise_code(code)
    if typed is None:
        return None
    current = totp.timecode(time.time() if now is None else now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(typed.encode("ascii"), totp.generate_otp(step).encode("ascii")):
            return step
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def check_totp(session: Session, user: PortalUser, code: str, now: Optional[float] = None) -> bool:
    """True for a right code that was not used before; its time step is then recorded (the caller commits).

    A code stays right for up to 90 seconds (one step of clock drift either way), so without the recorded step
    someone who saw it could sign in with it again. A step at or before the last used one is refused.
    """
    if not user.totp_secret:
        return False
    step = code_matches(user.totp_secret, code, now)
    return step is not None and _use_step(session, user, step)


def enrol_totp(session: Session, user: PortalUser, secret: str, code: str, now: Optional[float] = None) -> bool:
    """Store `secret` as the account's second factor when `code` is a right code for it (proof that the app has
    it); that code is then used. False, and nothing stored, otherwise. The caller commits."""
    step = code_matches(secret, code, now)
    if step is None or user.totp_secret:
        return False
    user.totp_secret, user.totp_last_step = secret, step
    session.flush()
    return True


def provisioning_uri(user: PortalUser, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Wegwijzer Werk")


def _use_step(session: Session, user: PortalUser, step: int) -> bool:
    # One conditional UPDATE, so two requests with the same code at the same moment cannot both succeed.
    used = (
        session.execute(
            update(PortalUser)
            .where(PortalUser.id == user.id, or_(PortalUser.totp_last_step.is_(None), PortalUser.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    session.refresh(user)
    return used


def signed_in(session: Session, user: PortalUser, source: str) -> None:
    """A complete sign-in (password, and code when needed): that source's count for this name starts again."""
    user.last_login_at = to_db_time(utc_now())
    session.execute(
        delete(SignInFailure).where(and_(SignInFailure.username == user.username, SignInFailure.source == source))
    )
    session.flush()


def end_sessions(session: Session, user: PortalUser) -> None:
    """Every session cookie issued so far stops working (sign-out, unlock, password reset)."""
    user.session_nonce = secrets.token_hex(16)
    session.flush()


def unlock(session: Session, username: str) -> PortalUser:
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"geen account {username!r}")
    user.locked_until, user.failed_logins = None, 0
    session.execute(delete(SignInFailure).where(SignInFailure.username == user.username))
    session.flush()
    return user


def set_national_insight(session: Session, username: str, granted: bool) -> PortalUser:
    """Give or take away insight for every gemeente ("Heel Nederland", #20): counts only, for the roles that read
    insight at all."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"geen account {username!r}")
    if granted and user.role not in (TEAMLEIDER, BEHEERDER):
        raise AccountError("alleen teamleiders en beheerders zien inzicht")
    user.national_insight = granted
    session.flush()
    return user


def reset_totp(session: Session, username: str) -> PortalUser:
    """Remove the account's second factor (a lost phone): it sets up a new one at its next sign-in."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"geen account {username!r}")
    user.totp_secret, user.totp_last_step = None, None
    end_sessions(session, user)
    return user


def issue_api_token(session: Session, username: str) -> str:
    """A new bearer token for /api/ (the old one stops working); shown once, only its hash is stored."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"geen account {username!r}")
    token = "ww_" + secrets.token_urlsafe(32)
    user.api_token_hash = token_hash(token)
    session.flush()
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_for_token(session: Session, token: str) -> Optional[PortalUser]:
    if not token:
        return None
    user = session.execute(
        select(PortalUser).where(PortalUser.api_token_hash == token_hash(token))
    ).scalar_one_or_none()
    # Sign-in lockouts do not apply: they are about guessing passwords, and a token is not a password.
    return user if user is not None and user.active else None


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(PortalUser)).scalar() or 0)


DEMO_USERNAME = "demo"


def ensure_demo_account(session: Session, gemeenten: Iterable[str]) -> Optional[str]:
    """A demo teamleider for `gemeenten` when there is no account at all; its generated password, else None."""
    if count_users(session):
        return None
    return create_user(session, DEMO_USERNAME, "teamleider", gemeenten)


def audit_as_csv(entries: Any) -> str:
    """The audit log as CSV (the portal's download and `python -m bot portal audit-export`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tijd_utc", "gebruiker", "actie", "code", "gemeente", "details"])
    for e in entries:
        writer.writerow(
            [
                e.at.isoformat(timespec="seconds"),
                e.username,
                e.action,
                e.reference_code or "",
                e.gemeente_code or "",
                _no_formula(e.detail or ""),
            ]
        )
    return out.getvalue()


def _no_formula(value: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
