"""All settings in one place, read from environment variables with safe defaults for a laptop.

Every variable is listed with its default in docs/configuration.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = Path(os.environ.get("WW_KNOWLEDGE_DIR", ROOT / "knowledge"))
VAR_DIR = Path(os.environ.get("WW_VAR_DIR", ROOT / "var"))


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Which set of defaults applies (docs/production.md): "local" (SQLite files, one process of each, `make run`)
# or "production" (PostgreSQL, a Redis lock store, several Rasa and action servers behind nginx: bot/ops/production.py).
PROFILE = os.environ.get("WW_PROFILE", "").strip() or "local"
if PROFILE not in ("local", "production"):
    raise ValueError(f"WW_PROFILE must be local or production, not {PROFILE!r}")
PRODUCTION = PROFILE == "production"
# Production on this machine: its own PostgreSQL (see ../shared/research/platform.md); a cluster sets the URLs.
_LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/wegwijzer"

# The database for the social map, handoffs and the portal (not Rasa's conversation store).
DATABASE_URL = os.environ.get("DATABASE_URL") or (
    _LOCAL_POSTGRES if PRODUCTION else f"sqlite:///{VAR_DIR / 'wegwijzer.db'}"
)
# Rasa's conversation store: a SQLite file, or a database URL (production; Rasa's `events` table beside ours).
TRACKER_DB = os.environ.get("TRACKER_DB") or (_LOCAL_POSTGRES if PRODUCTION else str(VAR_DIR / "tracker.db"))

# The secret Rasa sends to the action server with every call (endpoints.yml, action_endpoint.headers); the
# action server refuses calls without it (bot/rasa/action_server.py). `make run` makes a random one per start.
ACTION_TOKEN = os.environ.get("WW_ACTION_TOKEN", "")
# Signs the socket.io session ids the Rasa server issues (bot/rasa/socket_sessions.py): a widget can only continue a
# conversation whose id this server gave it. The same value on every Rasa server; `make run` makes one per start.
SESSION_SECRET = os.environ.get("WW_SESSION_SECRET", "")

RASA_PORT = _int("RASA_PORT", 5005)
ACTION_PORT = _int("ACTION_PORT", 5055)
WEB_PORT = _int("WEB_PORT", 8080)


def _origins(name: str, default: str) -> tuple[str, ...]:
    """Comma-separated web origins (scheme://host[:port]), as a browser sends them in its Origin header. Exact
    names only: no wildcard, path or pattern (Sanic-CORS would read "*", "?" or "]" as a regular expression)."""
    origins = []
    for value in (os.environ.get(name, "").strip() or default).split(","):
        origin = value.strip().rstrip("/").lower()
        if not re.fullmatch(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise ValueError(f"{name}: {value.strip()!r} is not an origin like https://www.gemeente.nl")
        default_port = ":443" if origin.startswith("https:") else ":80"
        origins.append(origin[: -len(default_port)] if origin.endswith(default_port) else origin)  # browsers omit it
    return tuple(dict.fromkeys(origins))


# The web pages that may embed the chat widget: Rasa answers browsers from these origins only (CORS on REST, and
# socket.io refuses other origins, websocket included). Default: the demo page of `make run` on WEB_PORT.
WIDGET_ORIGINS = _origins("WW_WIDGET_ORIGINS", f"http://127.0.0.1:{WEB_PORT},http://localhost:{WEB_PORT}")

# Production profile only. The lock store that serialises one conversation's messages across Rasa servers
# (database number in the path); the key prefix keeps two deployments on one Redis apart (letters and digits).
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
REDIS_KEY_PREFIX = os.environ.get("WW_REDIS_KEY_PREFIX") or "wegwijzer"
# How many Rasa servers and action servers; server i listens on RASA_PORT + i and ACTION_PORT + i.
INSTANCES = _int("WW_INSTANCES", 2)
# nginx: the one public address (REST, socket.io, portal), and the address Rasa calls the action servers at.
PUBLIC_PORT = _int("WW_PUBLIC_PORT", 8000)
ACTIONS_LB_PORT = _int("WW_ACTIONS_LB_PORT", 5050)

# Example content (local article versions with `example: true`, social-map records with `demo: true`) is for the
# demo and the tests only: "1" shows it (`make run` and the test stack set it), and never in production. A resident
# otherwise gets the national text and real records only (knowledge/README.md, "Local versions per gemeente").
EXAMPLE_CONTENT = os.environ.get("WW_EXAMPLE_CONTENT", "").strip() == "1" and not PRODUCTION

# Longer messages are cut to this many characters, and the person is told so.
MAX_MESSAGE_LENGTH = _int("WW_MAX_MESSAGE_LENGTH", 1000)
# The Rasa server refuses a larger request body (REST) with 413 and a short Dutch JSON answer (bot/rasa/channels.py).
MAX_REQUEST_BYTES = _int("WW_MAX_REQUEST_BYTES", 64 * 1024)
# Messages per minute one conversation (sender id, REST or socket.io) may send, and REST requests per minute from
# one client address; more get 429 (REST) or a short Dutch answer (socket.io). 0 switches a limit off.
RATE_LIMIT_PER_SENDER = _int("WW_RATE_LIMIT_PER_SENDER", 30)
RATE_LIMIT_PER_CLIENT = _int("WW_RATE_LIMIT_PER_CLIENT", 120)
# Requests per minute one client address may make to the public HSDS read API of the web app (/hsds/); 0 = off.
HSDS_API_PER_MINUTE = _int("WW_HSDS_API_PER_MINUTE", 60)

# Social map: a record whose assured_date is older than this many days is listed by `socialmap stale`.
STALE_DAYS = _int("WW_STALE_DAYS", 365)

# The arbeidsmarktregio whose gemeenten are offered as buttons when the person's gemeente is not recognised
# (the widget's own gemeente, when known, takes precedence). CBS code of 2026: AM13 = Midden-Utrecht, the shipped
# example region. An old code of the 2015 Besluit (AR14) still works (bot/common/regions.py: current_regio_code).
DEFAULT_ARBEIDSMARKTREGIO = os.environ.get("WW_DEFAULT_REGIO", "AM13")

# Warm handoff to a consulent (bot/handoff/). Which gemeenten take handoffs, and how: a content file.
HANDOFF_CONFIG = Path(os.environ.get("WW_HANDOFF_CONFIG", KNOWLEDGE_DIR / "handoff" / "gemeenten.yml"))
# Days a handoff is kept after it is closed; at creation the same span from now is set as a provisional date.
HANDOFF_RETENTION_DAYS = _int("WW_HANDOFF_RETENTION_DAYS", 90)
# Webhook delivery: wait BASE × 2^(attempt−1) seconds after a failure (at most MAX), and after MAX_ATTEMPTS
# failures flag the handoff for the portal instead of trying again.
HANDOFF_RETRY_BASE_SECONDS = _int("WW_HANDOFF_RETRY_BASE_S", 30)
HANDOFF_RETRY_MAX_SECONDS = _int("WW_HANDOFF_RETRY_MAX_S", 3600)
HANDOFF_MAX_ATTEMPTS = _int("WW_HANDOFF_MAX_ATTEMPTS", 8)
HANDOFF_HTTP_TIMEOUT_SECONDS = _int("WW_HANDOFF_HTTP_TIMEOUT_S", 10)
# A notifier claims a message for this long before sending; if it dies mid-send, another one retries after it.
HANDOFF_LEASE_SECONDS = _int("WW_HANDOFF_LEASE_S", 120)
HANDOFF_NOTIFY_INTERVAL_SECONDS = _int("WW_HANDOFF_NOTIFY_INTERVAL_S", 15)
# Receivers reject a signed message whose timestamp is further than this from their own clock.
HANDOFF_SIGNATURE_TOLERANCE_SECONDS = _int("WW_HANDOFF_SIGNATURE_TOLERANCE_S", 300)

# Conversations in the conversation store are deleted this many days after their last message
# (`python -m bot retention purge`; `make run` also does it at start and every hour).
CONVERSATION_RETENTION_DAYS = _int("WW_CONVERSATION_RETENTION_DAYS", 30)

# Consulent portal (bot/portal/, served by bot/web/ on WEB_PORT).
# Signs the session cookie. Unset: a random key per process (everyone signs in again after a restart).
WEB_SECRET_KEY = os.environ.get("WW_WEB_SECRET_KEY", "")
# "1" only for plain http on this computer (`make run`): session cookies then lack the Secure flag.
WEB_DEV = os.environ.get("WW_WEB_DEV", "") == "1"
# Signed-in sessions end after this many minutes without a request, and after WEB_SESSION_MAX_HOURS anyway.
WEB_SESSION_IDLE_MINUTES = _int("WW_WEB_SESSION_IDLE_MIN", 30)
WEB_SESSION_MAX_HOURS = _int("WW_WEB_SESSION_MAX_H", 10)
# After this many failed sign-ins in a row an account is locked for WEB_LOCKOUT_MINUTES.
WEB_MAX_FAILED_LOGINS = _int("WW_WEB_MAX_FAILED_LOGINS", 5)
WEB_LOCKOUT_MINUTES = _int("WW_WEB_LOCKOUT_MIN", 15)
# Every failed sign-in answers only after this delay (milliseconds), to slow down guessing.
WEB_FAILED_LOGIN_DELAY_MS = _int("WW_WEB_FAILED_LOGIN_DELAY_MS", 1000)
# Which gemeenten require a second factor (TOTP) for every account, whatever the role: "all", a comma-separated
# list of CBS codes (GM0344,GM0355), or empty for none. Production: "all" unless set; locally: none unless set.
WEB_TOTP_REQUIRED = frozenset(
    code.strip().upper()
    for code in os.environ.get("WW_WEB_TOTP_REQUIRED", "all" if PRODUCTION else "").split(",")
    if code.strip()
)
# How many proxies in front of the web app add X-Forwarded-For (nginx in the production profile, the ingress in a
# cluster): the sign-in lockout counts per source address, which is then the one the last proxy saw.
WEB_TRUSTED_PROXIES = _int("WW_WEB_TRUSTED_PROXIES", 1 if PRODUCTION else 0)
# The inbox marks a handoff whose promised date is this many days away or less.
WEB_DEADLINE_WARNING_DAYS = _int("WW_WEB_DEADLINE_WARNING_DAYS", 1)

# Chat widget (bot/web/widget.py): the socket.io address the demo page gives the widget (`data-server`).
# Empty: Rasa's port on the host the page was opened on (`make run`). Behind a proxy that serves /socket.io on the
# web app's own address, set it to that address.
WIDGET_SOCKET_URL = os.environ.get("WW_WIDGET_SOCKET_URL", "").rstrip("/")
