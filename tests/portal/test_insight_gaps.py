"""Social-map gaps (#20, part 3) and insight for all of the Netherlands: small counts of searches that found nothing
are "< 5" on the page, in the CSV, the JSON and the API; a theme searched for with no service nearby stands out in
words; a reader sees only their own gemeenten, unless a beheerder gave them "Heel Nederland" (and took it back)."""

from __future__ import annotations

import csv
import io
from typing import Dict, List

import pytest
from sqlalchemy import select

from bot.common import settings
from bot.common.clock import today
from bot.common.db import session_scope
from bot.insight.gaps import GAP, gaps
from bot.portal.models import AuditEntry, PortalUser
from bot.socialmap import hsds_io
from bot.socialmap.models import UnmetNeed
from bot.socialmap.search import record_unmet_need
from tests.portal.conftest import HOUTEN, ZEIST, Portal, post
from tests.portal.test_api import call, check


def unmet(url: str, gemeente: str, theme: str, count: int, months_ago: int = 0) -> None:
    first = today().replace(day=1)
    for _ in range(months_ago):
        first = (first.replace(day=1) - first.resolution).replace(day=1)
    with session_scope(url) as session:
        session.add(
            UnmetNeed(theme=theme, gemeente_code=gemeente, month=first, count=count, first_seen=first, last_seen=first)
        )


@pytest.fixture
def mapped(any_portal: Portal, monkeypatch: pytest.MonkeyPatch) -> Portal:
    """The portal with the shipped social map, example records shown (as in the demo), and searches that found
    nothing: in Houten crisis (no service nearby: only 113, national) 7 times, jobcoaching 3 times (it has services
    nearby now); Zeist's zzp 913 times, never on Houten's page."""
    monkeypatch.setattr(settings, "EXAMPLE_CONTENT", True)
    with session_scope(any_portal.url) as session:
        hsds_io.load_shipped(session)
    unmet(any_portal.url, HOUTEN, "crisis", 7)
    unmet(any_portal.url, HOUTEN, "jobcoaching", 2)
    unmet(any_portal.url, HOUTEN, "jobcoaching", 1, months_ago=2)
    unmet(any_portal.url, HOUTEN, "zzp", 4, months_ago=13)  # older than the 12 months shown
    unmet(any_portal.url, ZEIST, "zzp", 913)
    return any_portal


def test_gaps_beside_the_map_with_small_counts_hidden_on_page_csv_json_and_api(mapped: Portal) -> None:
    portal = mapped  # SQLite and PostgreSQL
    client = portal.client("teamleider")
    page = client.get("/inzicht/sociale-kaart").get_data(as_text=True)
    assert "Tekorten in de sociale kaart" in page and "<svg" in page and "<table" in page
    assert f'<strong class="badge passed">{GAP}</strong>' in page  # in words, not only in colour
    assert "913" not in page and "&lt; 5" in page  # the months of jobcoaching (3) and zzp: in the CSV below
    assert page.index("<li><strong>Direct hulp bij een crisis") < page.index("<h2>Zoekvragen zonder dienst dichtbij")

    rows = list(csv.reader(io.StringIO(client.get("/inzicht/sociale-kaart.csv").get_data(as_text=True))))
    header: List[str] = rows[0]
    assert header[1:6] == [
        "totaal (12 maanden)",
        "Diensten in de gemeente",
        "In de arbeidsmarktregio",
        "Landelijk",
        "Let op",
    ], "the map beside the total, before the months"
    by_theme: Dict[str, List[str]] = {r[0]: r for r in rows[1:]}
    crisis, jobcoaching = by_theme["Direct hulp bij een crisis"], by_theme["Jobcoaching"]
    assert rows[1] == crisis, "the gap comes first"
    assert crisis[1:6] == ["7", "0", "0", "1", GAP] and crisis[-1] == "7"
    assert jobcoaching[1] == "< 5" and "3" not in jobcoaching[6:] and "2" not in jobcoaching[6:]
    assert jobcoaching[5] == "" and int(jobcoaching[2]) >= 1, "services in Houten itself: no gap"
    assert not any("913" in cell for row in rows for cell in row) and len(header) == 1 + 12 + 1 + 3 + 1

    data = client.get("/inzicht/sociale-kaart.json?eenheid=week").get_json()  # weeks: answered per month
    assert data["unit"] == "maand" and len(data["periods"]) == 12 and data["gemeenten"] == [HOUTEN]
    themes = {t["theme"]: t for t in data["themes"]}
    assert themes["crisis"]["total"] == 7 and themes["crisis"]["gap"] is True
    assert themes["crisis"]["services"] == {"gemeente": 0, "regio": 0, "landelijk": 1}
    assert themes["jobcoaching"]["total"] == "< 5" and themes["jobcoaching"]["gap"] is False
    assert themes["zzp"]["total"] == "< 5" and set(themes["zzp"]["unmet"]) == {"< 5"}

    with session_scope(portal.url) as session:
        from bot.portal import accounts

        token = accounts.issue_api_token(session, "beheerder")
    path = "/api/inzicht/sociale-kaart"
    body = check(call(portal, "GET", f"{path}?gemeente={HOUTEN}", token), path, "GET")
    assert body["themes"] == data["themes"]
    assert call(portal, "GET", f"{path}?gemeente={ZEIST}", token).status_code == 404


def test_several_gemeenten_count_those_without_a_service_nearby(mapped: Portal) -> None:
    with session_scope(mapped.url) as session:
        record_unmet_need(session, "crisis", ZEIST)  # the search's own writing, in this month's row
        found = gaps(session, [HOUTEN, ZEIST])
    crisis = next(t for t in found.themes if t.code == "crisis")
    assert crisis.reach is None and crisis.without_nearby == 2 and crisis.national == 1 and crisis.gap
    assert sum(crisis.unmet) == 8 and found.on_the_map == 2


def _national_choice(client: object) -> bool:
    page = client.get("/inzicht/sociale-kaart").get_data(as_text=True)
    return 'value="nederland"' in page


def test_a_beheerder_gives_and_takes_back_national_insight(any_portal: Portal) -> None:
    portal = any_portal  # SQLite and PostgreSQL
    unmet(portal.url, ZEIST, "zzp", 12)
    lead, beheer = portal.client("teamleider"), portal.client("beheerder")
    assert not _national_choice(lead) and lead.get("/inzicht?gemeente=nederland").status_code == 404

    done = post(beheer, "/beheer/accounts/teamleider/landelijk-inzicht", {"geven": "ja"}, "/beheer/accounts")
    assert done.status_code == 302
    accounts_page = beheer.get("/beheer/accounts").get_data(as_text=True)
    assert "teamleider ziet nu ook het inzicht van heel Nederland" in accounts_page
    assert _national_choice(lead)
    data = lead.get("/inzicht/sociale-kaart.json?gemeente=nederland").get_json()
    assert "onbekend" in data["gemeenten"] and ZEIST in data["gemeenten"]
    assert {t["theme"]: t["total"] for t in data["themes"]}["zzp"] == 12, "Zeist's counts in the national view"
    assert lead.get("/inzicht/sociale-kaart.json?gemeente=GM0355").status_code == 404, "Zeist alone: still not"

    post(beheer, "/beheer/accounts/teamleider/landelijk-inzicht", {"geven": "nee"}, "/beheer/accounts")
    assert not _national_choice(lead)
    assert lead.get("/inzicht/overdrachten.csv?gemeente=nederland").status_code == 404

    refused = post(beheer, "/beheer/accounts/beheerder/landelijk-inzicht", {"geven": "ja"}, "/beheer/accounts")
    assert refused.status_code == 302
    assert "vraag een andere beheerder" in beheer.get("/beheer/accounts").get_data(as_text=True)
    post(beheer, "/beheer/accounts/consulent/landelijk-inzicht", {"geven": "ja"}, "/beheer/accounts")
    assert "alleen teamleiders en beheerders zien inzicht" in beheer.get("/beheer/accounts").get_data(as_text=True)
    with session_scope(portal.url) as session:
        flags = dict(session.execute(select(PortalUser.username, PortalUser.national_insight)).all())
        audit = session.execute(
            select(AuditEntry.action, AuditEntry.detail, AuditEntry.gemeente_code).where(
                AuditEntry.action.like("landelijk_inzicht%")
            )
        ).all()
    assert not any(flags.values()), "taken back, and never given to oneself or a consulent"
    assert [tuple(a) for a in audit] == [
        ("landelijk_inzicht_geven", "teamleider", HOUTEN),
        ("landelijk_inzicht_intrekken", "teamleider", HOUTEN),
    ]
