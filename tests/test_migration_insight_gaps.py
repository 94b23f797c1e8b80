"""Migration 0010 on a real database with rows written before it: every unmet need keeps its count in the month of
its last_seen, a new search counts in its own month beside it, accounts do not see all gemeenten until a beheerder
says so, and a downgrade adds the months up again (bot/ops/migrations/versions/0010_insight_gaps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from bot.common.db import get_engine, session_scope
from bot.ops.migrate import downgrade, upgrade
from bot.portal.models import PortalUser
from bot.socialmap.models import UnmetNeed
from bot.socialmap.search import record_unmet_need
from tests.databases import postgres_schema

BEFORE = "0009_insight"
OLD_ROWS = [  # (theme, gemeente, count, first_seen, last_seen) as the assistant wrote them before 0010
    ("zzp", "GM0363", 7, dt.date(2026, 3, 2), dt.date(2026, 10, 31)),
    ("jobcoaching", "GM0321", 2, dt.date(2026, 11, 30), dt.date(2026, 11, 30)),
    ("zzp", "onbekend", 1, dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A database at 0009 with unmet needs and an account in it, written with plain SQL (the models are newer)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/before-0010.db"
        _fill(url)
        yield url
        get_engine(url).dispose()
    else:
        with postgres_schema("ww_gaps") as url:
            _fill(url)
            yield url


def _fill(url: str) -> None:
    upgrade(url, BEFORE)
    with get_engine(url).begin() as connection:
        for theme, code, count, first, last in OLD_ROWS:
            connection.execute(
                sa.text(
                    "INSERT INTO unmet_need (theme, gemeente_code, count, first_seen, last_seen) "
                    "VALUES (:theme, :code, :count, :first, :last)"
                ),
                dict(theme=theme, code=code, count=count, first=first, last=last),
            )
        connection.execute(
            sa.text(
                "INSERT INTO portal_user (username, password_hash, role, gemeenten, failed_logins, session_nonce, "
                "active, created_at) VALUES ('lead', 'x', 'teamleider', 'GM0321', 0, 'n', :yes, :now)"
            ),
            dict(yes=True, now=dt.datetime(2026, 1, 1)),
        )


def test_old_rows_get_the_month_of_their_last_search_and_new_ones_their_own(old_database: str) -> None:
    upgrade(old_database)
    with session_scope(old_database) as session:
        months = {(n.theme, n.gemeente_code): (n.month, n.count) for n in session.execute(select(UnmetNeed)).scalars()}
        assert months == {
            ("zzp", "GM0363"): (dt.date(2026, 10, 1), 7),
            ("jobcoaching", "GM0321"): (dt.date(2026, 11, 1), 2),
            ("zzp", "onbekend"): (dt.date(2025, 12, 1), 1),
        }
        assert session.execute(select(PortalUser.national_insight)).scalar_one() is False
    with session_scope(old_database) as session:
        record_unmet_need(session, "zzp", "GM0363", today=dt.date(2026, 12, 5))  # a new month: a row of its own
        record_unmet_need(session, "zzp", "GM0363", today=dt.date(2026, 10, 20))  # the old row's month: added there
    with session_scope(old_database) as session:
        rows = session.execute(
            select(UnmetNeed.month, UnmetNeed.count)
            .where(UnmetNeed.gemeente_code == "GM0363")
            .order_by(UnmetNeed.month)
        ).all()
        assert [tuple(r) for r in rows] == [(dt.date(2026, 10, 1), 8), (dt.date(2026, 12, 1), 1)]

    downgrade(old_database, BEFORE)
    with get_engine(old_database).connect() as connection:
        back = connection.execute(
            sa.text("SELECT count, first_seen, last_seen FROM unmet_need WHERE gemeente_code = 'GM0363'")
        ).all()
        assert len(back) == 1 and back[0][0] == 9, "the months are added up again"
        assert str(back[0][1]) == "2026-03-02" and str(back[0][2]) == "2026-12-05"
