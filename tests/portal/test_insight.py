"""What people ask (#20): small counts are shown as "< 5" on the page, in the chart, the CSV and the JSON; a reader
sees only their own gemeenten; periods are Dutch weeks and months."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from bot.common.clock import today
from bot.common.db import session_scope
from bot.insight.models import CONVERSATION, HANDOFF, QUESTION, InsightCount
from bot.insight.report import MONTH, WEEK, periods, share, shown
from tests.portal.conftest import HOUTEN, ZEIST, Portal, add_handoff


def add(url: str, gemeente: str, kind: str, topic: str, count: int, day: date) -> None:
    with session_scope(url) as session:
        session.add(InsightCount(day=day, gemeente_code=gemeente, kind=kind, topic=topic, count=count))


def test_small_counts_and_shares_are_never_shown() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["< 5", "< 5", "< 5", 5, 12]
    assert share(4, 100) is None and share(5, 4) is None and share(5, 20) == 0.25


def test_weeks_and_months() -> None:
    weeks = periods(WEEK, date(2026, 12, 5), 2)
    assert [(p.key, p.start, p.end) for p in weeks] == [
        ("2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
        ("2026-W49", date(2026, 11, 30), date(2026, 12, 6)),
    ]
    months = periods(MONTH, date(2026, 1, 15), 2)
    assert [(p.key, p.label, p.end) for p in months] == [
        ("2025-12", "december 2025", date(2025, 12, 31)),
        ("2026-01", "januari 2026", date(2026, 1, 31)),
    ]


def test_the_page_csv_and_json_show_only_own_gemeenten_and_hide_small_counts(any_portal: Portal) -> None:
    portal = any_portal  # SQLite and PostgreSQL
    now = today()
    add(portal.url, HOUTEN, CONVERSATION, "", 40, now)
    add(portal.url, HOUTEN, HANDOFF, "", 10, now)
    add(portal.url, HOUTEN, QUESTION, "ask_jobcoaching", 25, now)
    add(portal.url, HOUTEN, QUESTION, "ask_wajong", 3, now - timedelta(days=1))  # small: never shown as 3
    add(portal.url, ZEIST, QUESTION, "ask_zzp", 913, now)  # another gemeente's: never on Houten's page
    client = portal.client("teamleider")

    page = client.get("/inzicht").get_data(as_text=True)
    assert "Jobcoaching" in page and "25" in page and "&lt; 5" in page
    assert ">913<" not in page and "zzp" not in page.lower()
    assert "25% van de gesprekken" in page  # 10 of 40 ended in a handoff
    assert "<svg" in page and 'role="img"' in page and "<table" in page

    rows = list(csv.reader(io.StringIO(client.get("/inzicht/vragen.csv").get_data(as_text=True))))
    wajong = next(r for r in rows if "Wajong" in r[0])
    assert "3" not in wajong[1:] and "< 5" in wajong[1:]
    assert not any("913" in cell for row in rows for cell in row)

    data = client.get("/inzicht/vragen.json").get_json()
    assert data["gemeenten"] == [HOUTEN]
    topics = {t["intent"]: t for t in data["topics"]}
    assert topics["ask_jobcoaching"]["total"] == 25 and topics["ask_wajong"]["total"] == "< 5"
    assert "ask_zzp" not in topics
    assert data["outcomes"]["overdracht"]["share"] == 0.25


def _handoffs(
    url: str,
    gemeente: str,
    count: int,
    days_ago: float,
    contact_after_hours: float = 0,
    late: bool = False,
    outcome: str = "geholpen",
) -> None:
    """`count` handoffs made `days_ago`; contact after the given hours (none when 0), then closed with `outcome`."""
    from bot.handoff.models import CLOSED, CONTACT_MADE, Handoff, HandoffStatusChange
    from bot.portal.models import HandoffWork

    for _ in range(count):
        code = add_handoff(url, gemeente, days_ago=days_ago)
        with session_scope(url) as session:
            handoff = session.execute(select(Handoff).where(Handoff.reference_code == code)).scalar_one()
            if contact_after_hours:
                at = handoff.created_at + timedelta(hours=contact_after_hours)
                if late:
                    handoff.respond_by = (at - timedelta(days=2)).date()
                handoff.history.append(
                    HandoffStatusChange(from_status="new", to_status=CONTACT_MADE, at=at, by="consulent")
                )
                handoff.status, handoff.closed_at = CLOSED, at + timedelta(hours=1)
                session.add(HandoffWork(handoff_id=handoff.id, outcome=outcome))


def test_handoff_quality_is_kept_when_the_handoffs_are_purged(any_portal: Portal) -> None:
    portal = any_portal  # SQLite and PostgreSQL
    """The promise kept, the time to first contact and the outcomes: the same figures before the retention job
    deletes the handoffs as after (they are counted first); small counts and shares hidden; other gemeenten not."""
    from bot.common import settings
    from bot.handoff.models import Handoff
    from bot.insight.handoffs import quality
    from bot.ops.retention import purge_handoffs

    _handoffs(portal.url, HOUTEN, 6, days_ago=3, contact_after_hours=20)  # on time
    _handoffs(portal.url, HOUTEN, 2, days_ago=3, contact_after_hours=30, late=True)  # after the promised date
    _handoffs(portal.url, ZEIST, 7, days_ago=3, contact_after_hours=5)
    with session_scope(portal.url) as session:
        before = quality(session, [HOUTEN], "maand", count=2)
    assert sum(before.contacted) == 8 and sum(before.in_time) == 6
    assert sum(before.minutes) == 6 * 20 * 60 + 2 * 30 * 60
    assert sum(before.outcomes["geholpen"]) == 8

    with session_scope(portal.url) as session:  # past their retention date: the purge deletes them
        for handoff in session.execute(select(Handoff).where(Handoff.status == "closed")).scalars():
            handoff.retention_until = handoff.created_at - timedelta(days=1)
    assert purge_handoffs(portal.url) == 15
    with session_scope(portal.url) as session:
        after = quality(session, [HOUTEN], "maand", count=2)
        assert session.execute(select(Handoff).where(Handoff.status == "closed")).first() is None
    assert (after.contacted, after.in_time, after.minutes, after.outcomes["geholpen"]) == (
        before.contacted,
        before.in_time,
        before.minutes,
        before.outcomes["geholpen"],
    ), "the figures outlive the handoffs"
    assert settings.HANDOFF_RETENTION_DAYS > 0

    client = portal.client("teamleider")
    page = client.get("/inzicht/overdrachten?eenheid=maand").get_data(as_text=True)
    # 6 of the 9 that were due on time: the 8 contacted, and make_portal's open one of ten days ago, past its date.
    assert "Warme overdrachten" in page and "67%" in page
    assert "<svg" in page and "<table" in page
    data = client.get("/inzicht/overdrachten.json?eenheid=maand").get_json()
    assert data["share_in_time"] == 0.667 and data["average_hours_to_contact"] == round((120 + 60) * 60 / 8 / 60, 1)
    assert data["contacted_in_time"][-1] in (6, "< 5") and "< 5" in str(data["outcomes"]["doorverwezen"])
    rows = list(csv.reader(io.StringIO(client.get("/inzicht/overdrachten.csv?eenheid=maand").get_data(as_text=True))))
    assert rows[0][-1] == "totaal" and any(r[0] == "Contact gehad" and r[-1] == "8" for r in rows)


def test_overdue_now_counts_open_handoffs_past_their_date(portal: Portal) -> None:
    from bot.insight.handoffs import quality

    # make_portal's Houten handoff of ten days ago is open and past its promised date; the newest is not yet.
    with session_scope(portal.url) as session:
        assert quality(session, [HOUTEN]).overdue_now == 1
        assert quality(session, [ZEIST]).overdue_now == 0


def test_unanswered_questions_are_grouped_decided_and_exported_for_own_gemeenten_only(any_portal: Portal) -> None:
    """#20, part 2: the editor sees anonymised questions of their own gemeenten in groups, small counts as "< 5",
    marks a group (taking one text out of it), and downloads the adopted examples as Rasa NLU YAML."""
    import yaml

    from bot.insight.models import EXAMPLE, NOT_FOR_US, UnansweredQuestion
    from tests.portal.conftest import csrf_token

    portal = any_portal
    bike = ["kan ik een fiets krijgen voor mijn werk", "krijg ik een fiets voor werk", "fiets vergoeding werk"]
    with session_scope(portal.url) as session:
        for i, text in enumerate([*bike, bike[0], "wat doet de wethouder eigenlijk"]):
            session.add(
                UnansweredQuestion(
                    conversation_key="k",
                    day=today() - timedelta(days=i),
                    gemeente_code=HOUTEN,
                    text=text,
                    guessed_topic="ask_werkvoorzieningen",
                    confidence=0.3,
                )
            )
        session.add(
            UnansweredQuestion(
                conversation_key="z",
                day=today(),
                gemeente_code=ZEIST,
                text="fiets vraag uit zeist",
                guessed_topic="ask_werkvoorzieningen",
                confidence=0.3,
            )
        )
    client = portal.client("teamleider")
    page = client.get("/inzicht/onbeantwoord").get_data(as_text=True)
    assert "kan ik een fiets krijgen voor mijn werk" in page and "zeist" not in page
    assert "Groep 1: &lt; 5 vragen" in page and ">4<" not in page
    assert "Werkvoorzieningen" in page or "werkvoorzieningen" in page.lower()
    with session_scope(portal.url) as session:
        rows = {r.text: r.id for r in session.execute(select(UnansweredQuestion)).scalars()}
        ids = {r.id: r.text for r in session.execute(select(UnansweredQuestion)).scalars()}
    # The page's form for the bike group: every text ticked; the editor unticks "fiets vergoeding werk".
    kept = re.findall(r'name="vraag" value="([\d,]+)" checked', page)
    bike_values = [
        v for v in kept if any(ids[int(i)].startswith(("kan ik een fiets", "krijg ik")) for i in v.split(","))
    ]
    zeist = str(rows["fiets vraag uit zeist"])  # another gemeente's id slipped into the form: not marked
    response = client.post(
        "/inzicht/onbeantwoord/besluit",
        data={
            "csrf_token": csrf_token(client, "/inzicht/onbeantwoord"),
            "vraag": [*bike_values, zeist],
            "besluit": EXAMPLE,
            "onderwerp": "ask_werkvoorzieningen",
        },
    )
    assert response.status_code == 302
    with session_scope(portal.url) as session:
        decided = {r.text: r.decision for r in session.execute(select(UnansweredQuestion)).scalars()}
    assert decided["krijg ik een fiets voor werk"] == EXAMPLE and decided["kan ik een fiets krijgen voor mijn werk"]
    assert decided["fiets vergoeding werk"] is None and decided["fiets vraag uit zeist"] is None
    refused = client.post(
        "/inzicht/onbeantwoord/besluit",
        data={"csrf_token": csrf_token(client, "/inzicht/onbeantwoord"), "vraag": zeist, "besluit": "onzin"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Kies wat er met deze vragen moet gebeuren" in refused
    assert NOT_FOR_US in page  # the third choice is offered
    exported = yaml.safe_load(client.get("/inzicht/onbeantwoord/voorbeelden.yml").get_data(as_text=True))
    examples = exported["nlu"][0]["examples"]
    assert exported["nlu"][0]["intent"] == "ask_werkvoorzieningen" and "krijg ik een fiets voor werk" in examples
    assert "vergoeding" not in examples and "zeist" not in examples
    assert client.get("/inzicht/onbeantwoord?gemeente=GM0355").status_code == 404
    assert portal.client("consulent").get("/inzicht/onbeantwoord").status_code == 403
