"""The Rasa server's speed fixes (bot/rasa/patches.py) change how fast, not what: the same answers pass and fail."""

from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from sqlalchemy.pool import QueuePool

import bot.rasa.channels  # noqa: F401 (applies the patches, as in the Rasa server)
from bot.rasa import patches as rasa_patches


def test_action_answers_are_checked_as_before():
    action = RemoteAction("action_x", None)
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result
    assert action._validate_action_result(
        {
            "events": [{"event": "slot", "name": "a", "value": 1}],
            "responses": [{"text": "Hoi", "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
        }
    )
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "geen lijst"})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"geen": "event"}]})


def test_event_types_resolve_as_rasas_own_walk_does():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    assert Event.resolve_by_type("user") is UserUttered and Event.resolve_by_type("slot") is SlotSet
    for cls in all_subclasses(Event):  # every name, the class Rasa's own walk finds first
        assert Event.resolve_by_type(cls.type_name) is rasa_patches._rasa_resolve_by_type(cls.type_name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("geen_event", default=ActionExecuted) is ActionExecuted
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("geen_event")


def test_the_sqlite_conversation_store_keeps_a_pool_and_uses_wal(tmp_path: Path):
    store = tracker_store.SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert isinstance(store.engine.pool, QueuePool)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_postgresql_engine_settings_are_rasas_own():
    kwargs = tracker_store.create_engine_kwargs("postgresql://u@localhost/db")
    assert "poolclass" not in kwargs and kwargs["pool_size"] > 0
