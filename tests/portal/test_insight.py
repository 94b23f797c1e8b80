"""What people ask (#20): small counts are shown as "< 5" on the page, in the chart, the CSV and the JSON; a reader
sees only their own gemeenten; periods are Dutch weeks and months."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from bot.common.clock import today
from bot.common.db import session_scope
from bot.insight.models import CONVERSATION, HANDOFF, QUESTION, InsightCount
from bot.insight.report import MONTH, WEEK, periods, share, shown
from tests.portal.conftest import HOUTEN, ZEIST, Portal


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


def test_the_page_csv_and_json_show_only_own_gemeenten_and_hide_small_counts(portal: Portal) -> None:
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
