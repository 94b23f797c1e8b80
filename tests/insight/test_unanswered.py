"""What the assistant could not answer (#20, part 2): real Rasa events in a real SQLite store, folded into the app
database; anonymised, deleted with "wis mijn gesprek" and at the end of retention, grouped, decided, exported as
Rasa NLU YAML that `rasa data validate` accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from sqlalchemy import select

from bot.common import settings
from bot.common.db import session_scope
from bot.insight import unanswered
from bot.insight.fold import fold, topics
from bot.insight.models import EXAMPLE, NEW_TOPIC, NOT_FOR_US, UnansweredQuestion
from tests.insight.test_fold import HOUTEN, MONDAY, UTRECHT, save

ROOT = settings.ROOT


def fallback_turn(text: str, at: float, guessed: str = "ask_jobcoaching", gemeente: str = HOUTEN) -> List[Any]:
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.6},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.6},
            {"name": guessed, "confidence": 0.31},
            {"name": "greet", "confidence": 0.02},
        ],
    }
    return [
        UserUttered(
            text, parse["intent"], parse_data={**parse, "text": text}, timestamp=at, metadata={"gemeente": gemeente}
        ),
        ActionExecuted("action_default_fallback", timestamp=at + 1),
        ActionExecuted("action_listen", timestamp=at + 2),
    ]


@pytest.fixture()
def store(tmp_path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))


def stored(url: str) -> List[Dict[str, Any]]:
    with session_scope(url) as session:
        rows = session.execute(select(UnansweredQuestion).order_by(UnansweredQuestion.id)).scalars()
        return [
            {
                "text": r.text,
                "gemeente": r.gemeente_code,
                "topic": r.guessed_topic,
                "key": r.conversation_key,
                "id": r.id,
            }
            for r in rows
        ]


def test_a_question_without_answer_is_kept_anonymised_with_the_guessed_topic(
    store: SQLTrackerStore, app_database: str, tmp_path: Path
) -> None:
    said = "Ik heet Jan de Vries, bel me op 06 12345678 of mail jan@voorbeeld.nl: hoe zit het met mijn reiskosten?"
    save(store, "a", fallback_turn(said, MONDAY, guessed="ask_werkvoorzieningen"))
    # An answered question is not kept.
    save(store, "a", [UserUttered("wat is jobcoaching", {"name": "ask_jobcoaching"}, timestamp=MONDAY + 60)])
    with session_scope(app_database) as session:
        fold(session, f"sqlite:///{tmp_path / 'tracker.db'}")
    rows = stored(app_database)
    assert len(rows) == 1
    text = rows[0]["text"]
    for secret in ("Jan", "Vries", "12345678", "jan@", "voorbeeld.nl"):
        assert secret not in text
    assert "reiskosten" in text and rows[0]["topic"] == "ask_werkvoorzieningen" and rows[0]["gemeente"] == HOUTEN
    assert rows[0]["key"] and rows[0]["key"] != "a"
    # A second fold does not take it again; a fallback in a later batch finds its question in the earlier one.
    save(store, "a", fallback_turn("kan ik een fiets krijgen voor naar het werk", MONDAY + 120))
    with session_scope(app_database) as session:
        fold(session, f"sqlite:///{tmp_path / 'tracker.db'}", batch=1)
    assert [r["text"] for r in stored(app_database)][1:] == ["kan ik een fiets krijgen voor naar het werk"]


def test_wis_mijn_gesprek_deletes_its_questions_before_and_after_the_fold(
    store: SQLTrackerStore, app_database: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    save(store, "gone", fallback_turn("hoe vraag ik een taxi aan voor mijn werk", MONDAY))
    save(store, "stays", fallback_turn("hoe vraag ik een taxi aan", MONDAY))
    with session_scope(app_database) as session:
        fold(session, url)
    with session_scope(app_database) as session:  # what the action does when the person asks
        assert unanswered.forget(session, "gone") == 1
    assert [r["text"] for r in stored(app_database)] == ["hoe vraag ik een taxi aan"]
    # Asked before the fold ran: the fold does not take the conversation's questions at all.
    save(store, "later", fallback_turn("mag ik thuis werken met een beperking", MONDAY + 300))
    save(store, "later", [ActionExecuted("action_delete_conversation", timestamp=MONDAY + 400)])
    with session_scope(app_database) as session:
        fold(session, url)
    assert [r["text"] for r in stored(app_database)] == ["hoe vraag ik een taxi aan"]


def test_retention_deletes_questions_with_their_conversation_unless_adopted(app_database: str) -> None:
    old, new = date(2026, 10, 1), date(2026, 12, 1)
    with session_scope(app_database) as session:
        for day, decision in ((old, None), (old, NOT_FOR_US), (old, EXAMPLE), (new, None)):
            session.add(
                UnansweredQuestion(
                    conversation_key="k",
                    day=day,
                    gemeente_code=HOUTEN,
                    text=f"vraag {day} {decision}",
                    guessed_topic="",
                    confidence=0.0,
                    decision=decision,
                    decision_topic="ask_jobcoaching",
                )
            )
    with session_scope(app_database) as session:
        assert unanswered.purge(session, days=30, now=date(2026, 12, 5)) == 2
    rows = stored(app_database)
    assert [(r["text"], r["key"]) for r in rows] == [
        ("vraag 2026-10-01 voorbeeld", None),
        ("vraag 2026-12-01 None", "k"),
    ]


def add(url: str, texts: List[str], gemeente: str = HOUTEN, topic: str = "ask_jobcoaching") -> List[int]:
    with session_scope(url) as session:
        rows = [
            UnansweredQuestion(
                conversation_key="k",
                day=date(2026, 12, 1) - timedelta(days=i),
                gemeente_code=gemeente,
                text=t,
                guessed_topic=topic,
                confidence=0.3,
            )
            for i, t in enumerate(texts)
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


BIKE = ["krijg ik een fiets voor mijn werk", "kan ik een fiets krijgen voor werk?", "fiets vergoeding werk"]
TAXI = ["hoe regel ik een taxi naar mijn werk", "taxi naar werk aanvragen", "kan ik met de taxi naar werk"]


def test_similar_questions_are_grouped_and_other_gemeenten_left_out(app_database: str) -> None:
    add(app_database, BIKE + TAXI + ["wat doet de wethouder"])
    add(app_database, ["geheime vraag uit Utrecht"], gemeente=UTRECHT)
    with session_scope(app_database) as session:
        found = unanswered.groups(session, [HOUTEN])
    texts = [{t for t, _ids in g.texts} for g in found]
    assert set(BIKE) in texts and set(TAXI) in texts and {"wat doet de wethouder"} in texts
    assert all("Utrecht" not in t for group in texts for t in group)
    assert found[0].count == 3 and found[-1].count == 1
    # A question of only small words (no content word left) is a group of its own, not an error.
    assert sorted(unanswered.cluster(["ja graag", "[naam]", "fiets werk", "fiets voor werk"])) == [[0], [1], [2, 3]]


def test_decisions_and_the_export_that_rasa_validates(app_database: str, tmp_path: Path) -> None:
    bike, taxi = add(app_database, BIKE), add(app_database, TAXI)
    known = frozenset(topics())
    other = add(app_database, ["vraag van elders"], gemeente=UTRECHT)
    with session_scope(app_database) as session:
        assert unanswered.decide(session, bike + other, [HOUTEN], EXAMPLE, "ask_werkvoorzieningen", "tl", known) == 3
        assert unanswered.decide(session, taxi, [HOUTEN], NEW_TOPIC, "Taxi naar werk", "tl", known) == 3
        with pytest.raises(unanswered.DecisionError):
            unanswered.decide(session, taxi, [HOUTEN], EXAMPLE, "geen_onderwerp", "tl", known)
        with pytest.raises(unanswered.DecisionError):
            unanswered.decide(session, taxi, [HOUTEN], NEW_TOPIC, "ask_jobcoaching", "tl", known)
        exported = unanswered.nlu_yaml(unanswered.adopted(session, [HOUTEN]), known)
    data = yaml.safe_load(exported)
    intents = {block["intent"]: block["examples"] for block in data["nlu"]}
    assert set(intents) == {"ask_werkvoorzieningen", "taxi_naar_werk"}
    assert "fiets vergoeding werk" in intents["ask_werkvoorzieningen"] and "elders" not in exported
    # Into a copy of the project: with the examples for a known topic the data validates as `make validate` does;
    # with the new topic in the domain (what the editor adds with its article) `rasa data validate` accepts it too.
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, project / name)
    known_only = {"version": "3.1", "nlu": [b for b in data["nlu"] if b["intent"] == "ask_werkvoorzieningen"]}
    (project / "data" / "nlu" / "uit_het_portaal.yml").write_text(yaml.safe_dump(known_only, allow_unicode=True))
    assert validate(project, "--fail-on-warnings").returncode == 0
    (project / "data" / "nlu" / "uit_het_portaal.yml").write_text(exported)
    merged = yaml.safe_load((ROOT / "domain.yml").read_text())
    merged["intents"].append("taxi_naar_werk")
    (project / "domain.yml").write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False))
    result = validate(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def validate(project: Path, *extra: str) -> subprocess.CompletedProcess:
    rasa = Path(sys.executable).parent / "rasa"
    return subprocess.run(
        [str(rasa), "data", "validate", "--data", "data", "--config", "config.yml", *extra],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
