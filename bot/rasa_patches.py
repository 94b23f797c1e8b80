"""Two speed fixes for the Rasa 3.6 server process, measured with py-spy under load (README, "Measures").

Loaded by bot/channels.py, which Rasa imports from credentials.yml, so they apply exactly in the Rasa server.

1. Rasa checks every action server answer with `jsonschema.validate`, which first validates the *schema* itself
   against the JSON Schema meta-schema, on every call: a third of the server's busy time in a conversation with
   forms. The schema never changes, so it is checked once and one validator is reused. The answers are checked
   exactly as before.
2. The SQLite conversation store (the local profile) opened a new connection for every query (SQLAlchemy 1.4's
   NullPool for SQLite files) and committed every message with a full disk sync, inside Rasa's single event
   loop. It now keeps its connections in a pool and uses WAL journaling with synchronous=NORMAL: every commit is
   still safe when a process crashes; only a power cut may lose the last messages. PostgreSQL (production) is
   untouched.
"""
from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError, validators
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

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
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
        raise e


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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    tracker_store.create_engine_kwargs = _engine_kwargs
    if not event.contains(Engine, "connect", _sqlite_wal):
        event.listen(Engine, "connect", _sqlite_wal)
