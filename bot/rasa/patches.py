"""Fixes for the Rasa 3.6 server process: two for speed, measured with py-spy under load (docs/measures/README.md),
and one for security.

Loaded by bot/rasa/channels.py, which Rasa imports from credentials.yml, so they apply exactly in the Rasa server.

1. Rasa checks every action server answer with `jsonschema.validate`, which first validates the *schema* itself
   against the JSON Schema meta-schema, on every call: a third of the server's busy time in a conversation with
   forms. The schema never changes, so it is checked once and one validator is reused. The answers are checked
   exactly as before.
2. The SQLite conversation store (the local profile) opened a new connection for every query (SQLAlchemy 1.4's
   NullPool for SQLite files) and committed every message with a full disk sync, inside Rasa's single event
   loop. It now keeps its connections in a pool and uses WAL journaling with synchronous=NORMAL: every commit is
   still safe when a process crashes; only a power cut may lose the last messages. PostgreSQL (production) is
   untouched.
3. CORS: Rasa answered browsers from any origin, with credentials (`--cors "*"`). It now allows exactly the
   pages that embed the widget (WW_WIDGET_ORIGINS, the same list socket.io checks: bot/rasa/socket_sessions.py),
   without credentials (nothing on the Rasa server uses cookies); the command line has no `--cors` any more.
4. A message whose text is not a string (a JSON object or list from a client) made Rasa's UserMessage fail, and
   the channel logged the content in clear with the traceback, leaving the person without an answer. Such a
   message now carries the input guard's NOT_TEXT marker, which the guard answers calmly (bot/rasa/input_guard.py).
5. Reading a stored conversation (and every action server answer) turns each event's type name into its class
   with `Event.resolve_by_type`, which walks the whole tree of event classes for every single event: a fifth of
   the time the store took to read a conversation. The classes are looked up in a table made from the same walk,
   in the same order (the first class with a name wins, as before); a name not in it takes Rasa's own way
   (its "topic", default and error).
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Any, Dict, Optional, Text, Type

from jsonschema import ValidationError, validators
from rasa import server
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from sanic import Sanic
from sanic_cors import CORS
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from bot.common import settings
from bot.rasa.input_guard import NOT_TEXT

_rasa_engine_kwargs = tracker_store.create_engine_kwargs


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as e:  # same message as Rasa's own
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


_rasa_resolve_by_type = Event.resolve_by_type
_EVENT_TYPES: Dict[str, Type[Event]] = {}


def _resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    found = _EVENT_TYPES.get(type_name)
    if found is None:  # first use, or a class imported since: the table is made again from Rasa's own walk
        _EVENT_TYPES.clear()
        for cls in all_subclasses(Event):
            _EVENT_TYPES.setdefault(cls.type_name, cls)
        found = _EVENT_TYPES.get(type_name)
    return found if found is not None else _rasa_resolve_by_type(type_name, default)


def _sqlite_wal(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _engine_kwargs(url: Any) -> Dict[Text, Any]:
    kwargs = _rasa_engine_kwargs(url)
    parsed = make_url(str(url)) if isinstance(url, str) else url
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        # As SQLAlchemy 2.0 does for SQLite files: a pool of connections, usable from Rasa's worker threads.
        kwargs.update(poolclass=QueuePool, connect_args={"check_same_thread": False})
    return kwargs


def _configure_cors(app: Sanic, cors_origins: Any = None) -> None:
    """Rasa's configure_cors, with the configured widget origins in place of the command line's. /socket.io/ is
    left to engineio, which checks the same origins and sets its own headers (two Access-Control-Allow-Origin
    headers would make a browser refuse the answer)."""
    app.config.CORS_AUTOMATIC_OPTIONS = True
    app.config.CORS_SUPPORTS_CREDENTIALS = False
    everything_but_socketio = r"^(?!/socket\.io/).*"
    CORS(app, resources={everything_but_socketio: {"origins": list(settings.WIDGET_ORIGINS)}}, automatic_options=True)


_rasa_user_message_init = UserMessage.__init__


def _user_message_init(self: UserMessage, text: Any = None, *args: Any, **kwargs: Any) -> None:
    _rasa_user_message_init(self, text if text is None or isinstance(text, str) else NOT_TEXT, *args, **kwargs)


def apply() -> None:
    server.configure_cors = _configure_cors
    UserMessage.__init__ = _user_message_init
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    tracker_store.create_engine_kwargs = _engine_kwargs
    if not event.contains(Engine, "connect", _sqlite_wal):
        event.listen(Engine, "connect", _sqlite_wal)
