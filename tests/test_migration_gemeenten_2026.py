"""Migration 0008 on a real SQLite file: a database written with the codes of 2020 and the regions AR01–AR35 holds
today's codes afterwards, with nothing lost (bot/ops/migrations/versions/0008_gemeenten_2026.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from bot.common import regions
from bot.common.db import get_engine, session_scope
from bot.handoff.models import Handoff, HandoffPurgeCount, HandoffSettingsOverride
from bot.ops.migrate import current_revision, downgrade, head_revision, upgrade
from bot.portal.models import AuditEntry, PortalUser
from bot.socialmap.models import Organization, Service, ServiceArea, UnmetNeed

BEFORE = "0007_hsds_complete"
DAY = dt.date(2026, 3, 1)
WEESP, AMSTERDAM, HAAREN = "GM0457", "GM0363", "GM0788"
HAAREN_PARTS = ["GM0757", "GM0824", "GM0855", "GM0865"]
OLD_UNMET = sa.table(
    "unmet_need",
    *(sa.column(c) for c in ("theme", "gemeente_code", "count")),
    sa.column("first_seen", sa.Date),
    sa.column("last_seen", sa.Date),
)
OLD_USER = sa.table(
    "portal_user",
    *(sa.column(c) for c in ("username", "password_hash", "role", "gemeenten", "failed_logins", "session_nonce")),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime),
)


def _handoff(code: str, reference: str) -> Handoff:
    now = dt.datetime(2021, 12, 1, 10, 0)
    return Handoff(
        reference_code=reference,
        gemeente_code=code,
        status="new",
        consent_text="Ja.",
        consent_at=now,
        contact_channel="telefoon",
        preferred_time="ochtend",
        reason="vraagt zelf",
        summary="{}",
        created_at=now,
        respond_by=now.date(),
        retention_until=now + dt.timedelta(days=90),
    )


def _area(area_id: str, scope: str, code: str) -> ServiceArea:
    return ServiceArea(id=area_id, service_id="s", scope=scope, code=code, source="gemeente-weesp", assured_date=DAY)


@pytest.fixture
def old_database(tmp_path: Path) -> str:
    """A database at the revision before 0008, holding what the 2020 version of the assistant wrote."""
    url = f"sqlite:///{tmp_path / 'wegwijzer-2020.db'}"
    upgrade(url, BEFORE)
    with session_scope(url) as session:
        session.add(Organization(id="o", name="Werkplein", description="x", source="gemeente-weesp", assured_date=DAY))
        session.add(
            Service(
                id="s",
                organization_id="o",
                name="Werkplein Weesp",
                status="active",
                source="gemeente-weesp",
                assured_date=DAY,
            )
        )
        session.add_all(
            [
                _area("a-weesp", "gemeente", WEESP),
                _area("a-haaren", "gemeente", HAAREN),
                _area("a-regio", "arbeidsmarktregio", "AR14"),
                _area("a-zwolle", "arbeidsmarktregio", "AR05"),
                _area("a-nl", "landelijk", "NL"),
                _area("a-houten", "gemeente", "GM0321"),
            ]
        )
        session.add_all(
            [_handoff(WEESP, "WW-AAAA-AA"), _handoff(HAAREN, "WW-BBBB-BB"), _handoff("GM0321", "WW-CCCC-CC")]
        )
        session.add_all(
            [
                HandoffPurgeCount(gemeente_code=WEESP, month="2021-11", count=4),
                HandoffPurgeCount(gemeente_code=AMSTERDAM, month="2021-11", count=1),
                HandoffSettingsOverride(
                    gemeente_code="GM0398",
                    settings='{"response_days": 4}',
                    updated_at=dt.datetime(2021, 1, 1),
                    updated_by="beheer",
                ),
                AuditEntry(at=dt.datetime(2021, 1, 1), username="weesp", action="bekijken", gemeente_code=WEESP),
            ]
        )
        # Tables that later migrations changed (0010: month, national_insight), written with the columns of then.
        session.execute(
            sa.insert(OLD_UNMET),
            [
                dict(
                    theme="jobcoaching",
                    gemeente_code=WEESP,
                    count=2,
                    first_seen=dt.date(2021, 5, 1),
                    last_seen=dt.date(2021, 6, 1),
                ),
                dict(
                    theme="jobcoaching",
                    gemeente_code=AMSTERDAM,
                    count=3,
                    first_seen=dt.date(2021, 4, 1),
                    last_seen=dt.date(2021, 5, 15),
                ),
                dict(theme="zzp", gemeente_code=WEESP, count=1, first_seen=DAY, last_seen=DAY),
            ],
        )
        session.execute(
            sa.insert(OLD_USER).values(
                username="weesp",
                password_hash="x",
                role="consulent",
                gemeenten=f"{WEESP},{HAAREN},GM0344",
                failed_logins=0,
                session_nonce="n",
                active=True,
                created_at=dt.datetime(2021, 1, 1),
            )
        )
    return url


def test_codes_of_2020_and_regions_of_2015_become_those_of_2026(old_database: str) -> None:
    upgrade(old_database)
    assert current_revision(old_database) == head_revision()
    with session_scope(old_database) as session:
        areas = {a.id: (a.scope, a.code) for a in session.execute(select(ServiceArea)).scalars()}
        handoffs = {h.reference_code: h.gemeente_code for h in session.execute(select(Handoff)).scalars()}
        needs = {
            (n.theme, n.gemeente_code): (n.count, n.first_seen, n.last_seen)
            for n in session.execute(select(UnmetNeed)).scalars()
        }
        purged = {(p.gemeente_code, p.month): p.count for p in session.execute(select(HandoffPurgeCount)).scalars()}
        override = session.execute(select(HandoffSettingsOverride.gemeente_code)).scalar_one()
        user_codes = session.execute(select(PortalUser)).scalar_one().gemeente_codes
        audit = session.execute(select(AuditEntry.gemeente_code)).scalar_one()
    assert areas["a-weesp"] == ("gemeente", AMSTERDAM)
    assert areas["a-regio"] == ("arbeidsmarktregio", "AM13") and areas["a-zwolle"] == ("arbeidsmarktregio", "AM36")
    assert areas["a-nl"] == ("landelijk", "NL") and areas["a-houten"] == ("gemeente", "GM0321")
    haaren = sorted(code for area_id, (scope, code) in areas.items() if area_id.startswith("a-haaren"))
    assert haaren == HAAREN_PARTS, "a service for Haaren serves all four parts"
    assert all(regions.get_gemeente(code) for scope, code in areas.values() if scope == "gemeente")
    assert all(regions.get_arbeidsmarktregio(code) for scope, code in areas.values() if scope == "arbeidsmarktregio")
    assert handoffs == {"WW-AAAA-AA": AMSTERDAM, "WW-BBBB-BB": HAAREN, "WW-CCCC-CC": "GM0321"}
    assert needs[("jobcoaching", AMSTERDAM)] == (5, dt.date(2021, 4, 1), dt.date(2021, 6, 1)), "counts added up"
    assert needs[("zzp", AMSTERDAM)][0] == 1 and not [k for k in needs if k[1] == WEESP]
    assert purged == {(AMSTERDAM, "2021-11"): 5}
    assert override == "GM1980"  # Heerhugowaard's settings are Dijk en Waard's
    assert user_codes == (AMSTERDAM, HAAREN, *HAAREN_PARTS, "GM0344")
    assert audit == AMSTERDAM
    get_engine(old_database).dispose()


def test_nothing_is_lost_and_a_downgrade_restores_the_region_codes(old_database: str) -> None:
    with session_scope(old_database) as session:
        before = {
            model: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (ServiceArea, Handoff, PortalUser, AuditEntry, HandoffSettingsOverride)
        }
    upgrade(old_database)
    with session_scope(old_database) as session:
        after = {model: session.execute(select(func.count()).select_from(model)).scalar_one() for model in before}
    assert after == {**before, ServiceArea: before[ServiceArea] + 3}, "rows only added (Haaren's parts)"
    downgrade(old_database, BEFORE)
    with session_scope(old_database) as session:
        regios = {
            a.id: a.code
            for a in session.execute(select(ServiceArea).where(ServiceArea.scope == "arbeidsmarktregio")).scalars()
        }
    assert regios == {"a-regio": "AR14", "a-zwolle": "AR05"}
    get_engine(old_database).dispose()
