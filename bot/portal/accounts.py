"""Portal accounts: argon2 password hashes, sign-in with lockout, second factor, API tokens."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot import regions, settings
from bot.handoff.service import to_db_time, utc_now
from bot.portal.models import BEHEERDER, ROLES, PortalUser

_hasher = PasswordHasher()
# Checked when the username does not exist, so that an unknown name costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is plain Dutch."""


@dataclass(frozen=True)
class SignIn:
    user: Optional[PortalUser]  # set only when the password was right and the account is not locked
    needs_second_factor: bool = False


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, ~120 bits


def _codes(gemeenten: Iterable[str]) -> str:
    codes = []
    for code in gemeenten:
        code = code.strip().upper()
        if regions.get_gemeente(code) is None:
            raise AccountError(f"onbekende gemeentecode: {code!r} (verwacht een CBS-code zoals GM0344)")
        codes.append(code)
    if not codes:
        raise AccountError("geef minstens één gemeente")
    return ",".join(dict.fromkeys(codes))


def find_user(session: Session, username: str) -> Optional[PortalUser]:
    return session.execute(select(PortalUser).where(PortalUser.username == username.strip().lower())
                           ).scalar_one_or_none()


def create_user(session: Session, username: str, role: str, gemeenten: Iterable[str],
                password: Optional[str] = None, with_totp: bool = False) -> str:
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
    session.add(PortalUser(
        username=username, password_hash=_hasher.hash(password), role=role, gemeenten=_codes(gemeenten),
        failed_logins=0, session_nonce=secrets.token_hex(16), active=True,
        totp_secret=pyotp.random_base32() if with_totp and role == BEHEERDER else None,
        created_at=to_db_time(utc_now()),
    ))
    session.flush()
    return password


def is_locked(user: PortalUser, now: Optional[datetime] = None) -> bool:
    return user.locked_until is not None and user.locked_until > to_db_time(now or utc_now())


def check_password(session: Session, username: str, password: str, now: Optional[datetime] = None) -> SignIn:
    """The account when `password` is right and it is not locked; counts failures and locks after too many.

    The caller shows one message for every failure, so nobody learns whether a name exists or is locked.
    """
    now = to_db_time(now or utc_now())
    user = find_user(session, username or "")
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return SignIn(None)
    if is_locked(user, now):
        _verify(_DUMMY_HASH, password)
        return SignIn(None)
    if not _verify(user.password_hash, password):
        count_failure(session, user, now)
        return SignIn(None)
    if not user.totp_secret:
        # With a second factor the count goes on until the code is right too (see signed_in), so that
        # signing in again with the password does not give an attacker fresh guesses at the code.
        user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.flush()
    return SignIn(user, needs_second_factor=bool(user.totp_secret))


def count_failure(session: Session, user: PortalUser, now: Optional[datetime] = None) -> bool:
    """A wrong password or second-factor code; locks the account after too many. True when it is locked now."""
    now = to_db_time(now or utc_now())
    user.failed_logins += 1
    if user.failed_logins >= settings.WEB_MAX_FAILED_LOGINS:
        user.locked_until = now + timedelta(minutes=settings.WEB_LOCKOUT_MINUTES)
        user.failed_logins = 0
    session.flush()
    return is_locked(user, now)


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
    totp, code = pyotp.TOTP(user.totp_secret), (code or "").strip()
    current = totp.timecode(time.time() if now is None else now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(code, totp.generate_otp(step)):
            return _use_step(session, user, step)
    return False


def _use_step(session: Session, user: PortalUser, step: int) -> bool:
    # One conditional UPDATE, so two requests with the same code at the same moment cannot both succeed.
    used = session.execute(
        update(PortalUser)
        .where(PortalUser.id == user.id,
               or_(PortalUser.totp_last_step.is_(None), PortalUser.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.refresh(user)
    return used


def signed_in(session: Session, user: PortalUser) -> None:
    user.last_login_at = to_db_time(utc_now())
    user.failed_logins = 0
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
    session.flush()
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
    user = session.execute(select(PortalUser).where(PortalUser.api_token_hash == token_hash(token))
                           ).scalar_one_or_none()
    return user if user is not None and user.active and not is_locked(user) else None


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(PortalUser)).scalar() or 0)


DEMO_USERNAME = "demo"


def ensure_demo_account(session: Session, gemeenten: Iterable[str]) -> Optional[str]:
    """A demo teamleider for `gemeenten` when there is no account at all; its generated password, else None."""
    if count_users(session):
        return None
    return create_user(session, DEMO_USERNAME, "teamleider", gemeenten)
