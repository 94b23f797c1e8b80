"""The JSON API against docs/openapi.yaml: every response body validates against its schema, every documented
path is served, and every served /api route is documented."""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, Tuple

import jsonschema
import pytest
import yaml
from sqlalchemy import select

from bot.common import settings
from bot.common.db import session_scope
from bot.portal import accounts
from bot.portal.models import AuditEntry
from tests.portal.conftest import HOUTEN, Portal

SPEC_PATH = settings.ROOT / "docs" / "openapi.yaml"


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema: null added to the type (and to an enum)."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    return node


SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
SCHEMA_DOC = _json_schema(SPEC)


def check(response: Any, path: str, method: str) -> Dict[str, Any]:
    """The response's status and body are documented for this operation, and the body validates."""
    operation = SPEC["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path} answered {status}, not in the OpenAPI file"
    documented = operation["responses"][status]
    if "$ref" in documented:
        documented = SPEC["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    schema = documented["content"]["application/json"]["schema"]
    assert response.mimetype == "application/json"
    body = response.get_json()
    resolver = jsonschema.RefResolver.from_schema(SCHEMA_DOC)
    jsonschema.validate(body, {"$ref": schema["$ref"]}, resolver=resolver, format_checker=jsonschema.FormatChecker())
    return body


@pytest.fixture
def tokens(any_portal: Portal) -> Dict[str, str]:
    with session_scope(any_portal.url) as session:
        return {
            name: accounts.issue_api_token(session, name)
            for name in ("consulent", "collega", "teamleider", "beheerder", "zeist")
        }


def call(portal: Portal, method: str, path: str, token: str = "", **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return portal.app.test_client().open(path, method=method, headers=headers, **kwargs)


def test_list_only_own_gemeente(any_portal: Portal, tokens: Dict[str, str]) -> None:
    body = check(call(any_portal, "GET", "/api/handoffs", tokens["consulent"]), "/api/handoffs", "GET")
    codes = [h["reference_code"] for h in body["handoffs"]]
    assert codes == [any_portal.codes["houten"], any_portal.codes["houten2"]]
    assert body["handoffs"][0]["deadline"] == "passed"
    closed = check(call(any_portal, "GET", "/api/handoffs?status=closed", tokens["consulent"]), "/api/handoffs", "GET")
    assert closed["handoffs"] == []
    check(call(any_portal, "GET", "/api/handoffs?status=' OR 1=1", tokens["consulent"]), "/api/handoffs", "GET")


def test_every_api_read_is_audited_without_personal_data(any_portal: Portal, tokens: Dict[str, str]) -> None:
    code = any_portal.codes["houten"]
    call(any_portal, "GET", "/api/handoffs?status=new", tokens["consulent"])
    call(any_portal, "GET", f"/api/handoffs/{code}", tokens["consulent"])
    with session_scope(any_portal.url) as session:
        token_hash = accounts.find_user(session, "consulent").api_token_hash
        entries = (
            session.execute(
                select(AuditEntry).where(AuditEntry.action.in_(("api_lijst", "api_bekijken"))).order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        rows = [(e.username, e.action, e.reference_code, e.gemeente_code, e.detail, e.at) for e in entries]
    assert [r[:4] for r in rows] == [
        ("consulent", "api_lijst", None, HOUTEN),
        ("consulent", "api_bekijken", code, HOUTEN),
    ]
    assert rows[0][4] == f"token {token_hash[:8]}; status new; 2 overdrachten"
    assert rows[1][4] == f"token {token_hash[:8]}"
    assert all(r[5] is not None for r in rows)
    # The beheerder of Houten sees both reads in the audit log; nothing of the person is in it.
    page = any_portal.client("beheerder").get("/beheer/audit").get_data(as_text=True)
    assert "api_lijst" in page and "api_bekijken" in page
    assert "0612345678" not in page and "Sam" not in page and "jobcoach" not in page


def test_fetch_and_change_status(any_portal: Portal, tokens: Dict[str, str]) -> None:
    code = any_portal.codes["houten"]
    item = "/api/handoffs/{code}"
    status = "/api/handoffs/{code}/status"
    body = check(call(any_portal, "GET", f"/api/handoffs/{code}", tokens["consulent"]), item, "GET")
    assert body["reference_code"] == code and body["contact"]["phone"] == "+31612345678"
    assert body["transcript"][0]["who"] == "person"
    body = check(
        call(any_portal, "POST", f"/api/handoffs/{code}/status", tokens["consulent"], json={"status": "picked_up"}),
        status,
        "POST",
    )
    assert body["status"] == "picked_up" and body["portal"]["assigned_to"] == "consulent"
    other = call(
        any_portal,
        "POST",
        f"/api/handoffs/{code}/status",
        tokens["collega"],
        json={"status": "closed", "outcome": "geholpen"},
    )
    assert check(other, status, "POST") and other.status_code == 403
    missing = call(any_portal, "POST", f"/api/handoffs/{code}/status", tokens["consulent"], json={"status": "closed"})
    assert missing.status_code == 409 and check(missing, status, "POST")
    bad = call(any_portal, "POST", f"/api/handoffs/{code}/status", tokens["consulent"], data="geen json")
    assert bad.status_code == 400 and check(bad, status, "POST")
    back = call(any_portal, "POST", f"/api/handoffs/{code}/status", tokens["consulent"], json={"status": "new"})
    assert back.status_code == 409 and check(back, status, "POST")
    body = check(
        call(
            any_portal,
            "POST",
            f"/api/handoffs/{code}/status",
            tokens["consulent"],
            json={"status": "contact_made", "contact_method": "e-mail"},
        ),
        status,
        "POST",
    )
    assert body["status"] == "contact_made"
    body = check(
        call(
            any_portal,
            "POST",
            f"/api/handoffs/{code}/status",
            tokens["consulent"],
            json={"status": "closed", "outcome": "doorverwezen", "outcome_detail": "UWV"},
        ),
        status,
        "POST",
    )
    assert body["status"] == "closed" and body["portal"]["outcome_detail"] == "UWV"
    assert [h["to"] for h in body["portal"]["history"]] == ["new", "picked_up", "contact_made", "closed"]
    with session_scope(any_portal.url) as session:
        actions = session.execute(select(AuditEntry.action).where(AuditEntry.reference_code == code)).scalars().all()
        assert "api_bekijken" in actions and "afsluiten" in actions


def test_other_gemeente_is_404_and_unauthenticated_is_401(any_portal: Portal, tokens: Dict[str, str]) -> None:
    zeist = any_portal.codes["zeist"]
    assert check(
        call(any_portal, "GET", f"/api/handoffs/{zeist}", tokens["consulent"]), "/api/handoffs/{code}", "GET"
    ) == {"error": "niet gevonden"}
    assert (
        call(
            any_portal, "POST", f"/api/handoffs/{zeist}/status", tokens["consulent"], json={"status": "picked_up"}
        ).status_code
        == 404
    )
    for method, path, template in (
        ("GET", "/api/handoffs", "/api/handoffs"),
        ("GET", f"/api/handoffs/{zeist}", "/api/handoffs/{code}"),
        ("POST", f"/api/handoffs/{zeist}/status", "/api/handoffs/{code}/status"),
    ):
        for token in ("", "ww_vals", tokens["zeist"] + "x"):
            response = call(any_portal, method, path, token, json={"status": "picked_up"})
            assert response.status_code == 401 and check(response, template, method)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    forbidden = call(any_portal, "GET", "/api/handoffs", tokens["beheerder"])
    assert forbidden.status_code == 403 and check(forbidden, "/api/handoffs", "GET")


def test_a_session_cookie_is_not_enough_for_the_api(any_portal: Portal) -> None:
    client = any_portal.client("consulent")
    assert client.get("/api/handoffs").status_code == 401


def _served_api_routes(portal: Portal) -> Iterator[Tuple[str, str]]:
    for rule in portal.app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield path, method.lower()


def test_every_documented_path_is_served_and_every_served_path_is_documented(portal: Portal) -> None:
    documented = {(path, method) for path, ops in SPEC["paths"].items() for method in ops}
    assert set(_served_api_routes(portal)) == documented
    jsonschema.Draft7Validator.check_schema(SCHEMA_DOC["components"]["schemas"]["Handoff"])


def test_insight_through_the_api_is_counts_of_own_gemeenten_only(any_portal: Portal, tokens: Dict[str, str]) -> None:
    """#20: a teamleider's or beheerder's token reads what people ask; small counts as "< 5"; no consulent."""
    from bot.common.clock import today
    from bot.insight.models import CONVERSATION, QUESTION, InsightCount

    with session_scope(any_portal.url) as session:
        session.add(InsightCount(day=today(), gemeente_code=HOUTEN, kind=CONVERSATION, topic="", count=9))
        session.add(InsightCount(day=today(), gemeente_code=HOUTEN, kind=QUESTION, topic="ask_wajong", count=2))
    path = "/api/inzicht/vragen"
    for name in ("teamleider", "beheerder"):
        body = check(call(any_portal, "GET", f"{path}?eenheid=maand", tokens[name]), path, "GET")
        assert body["conversations"][-1] == 9 and body["topics"][0]["total"] == "< 5"
        assert body["outcomes"]["overdracht"]["share"] is None
    assert (
        check(call(any_portal, "GET", path, tokens["consulent"]), path, "GET")
        and call(any_portal, "GET", path, tokens["consulent"]).status_code == 403
    )
    other = call(any_portal, "GET", f"{path}?gemeente=GM0355", tokens["teamleider"])
    assert other.status_code == 404 and check(other, path, "GET")
    bad = call(any_portal, "GET", f"{path}?eenheid=jaar", tokens["teamleider"])
    assert bad.status_code == 400 and check(bad, path, "GET")
    assert call(any_portal, "GET", path).status_code == 401
    quality = "/api/inzicht/overdrachten"
    body = check(call(any_portal, "GET", quality, tokens["teamleider"]), quality, "GET")
    assert body["overdue_now"] == 1 and body["share_in_time"] is None  # one open handoff past its date, too few
    assert call(any_portal, "GET", quality, tokens["consulent"]).status_code == 403
    assert call(any_portal, "GET", f"{quality}?gemeente=GM0355", tokens["beheerder"]).status_code == 404


def test_unanswered_questions_through_the_api(any_portal: Portal, tokens: Dict[str, str]) -> None:
    """#20: the groups of questions without an answer, own gemeenten only, small counts as "< 5"."""
    from datetime import date

    from bot.insight.models import UnansweredQuestion

    with session_scope(any_portal.url) as session:
        for gemeente, text in ((HOUTEN, "kan ik een fiets krijgen voor werk"), ("GM0355", "vraag uit Zeist")):
            session.add(
                UnansweredQuestion(
                    conversation_key="k",
                    day=date(2026, 12, 1),
                    gemeente_code=gemeente,
                    text=text,
                    guessed_topic="ask_werkvoorzieningen",
                    confidence=0.3,
                )
            )
    path = "/api/inzicht/onbeantwoord"
    body = check(call(any_portal, "GET", path, tokens["teamleider"]), path, "GET")
    assert [g["texts"] for g in body["groups"]] == [["kan ik een fiets krijgen voor werk"]]
    assert body["groups"][0]["count"] == "< 5"
    assert call(any_portal, "GET", path, tokens["consulent"]).status_code == 403
    assert call(any_portal, "GET", f"{path}?gemeente=GM0355", tokens["beheerder"]).status_code == 404


def test_a_total_that_would_give_a_small_count_away_is_left_out_in_the_api(
    any_portal: Portal, tokens: Dict[str, str]
) -> None:
    """#20: weeks 20, 3 and a total would give the 3 away: the total is "–", and that is what the schema says."""
    from datetime import timedelta

    from bot.common.clock import today
    from bot.insight.models import QUESTION, InsightCount

    with session_scope(any_portal.url) as session:
        session.add(InsightCount(day=today(), gemeente_code=HOUTEN, kind=QUESTION, topic="ask_wajong", count=20))
        session.add(
            InsightCount(
                day=today() - timedelta(days=7), gemeente_code=HOUTEN, kind=QUESTION, topic="ask_wajong", count=3
            )
        )
    path = "/api/inzicht/vragen"
    body = check(call(any_portal, "GET", path, tokens["teamleider"]), path, "GET")
    wajong = next(t for t in body["topics"] if t["intent"] == "ask_wajong")
    assert wajong["counts"][-2:] == ["< 5", 20] and wajong["total"] == "–"
