"""Upkeep reports: records nobody has checked for a long time, and needs the map could not meet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.common import clock, settings
from bot.socialmap import models

# What to call a record in the report, per table: the first of these columns that has a value.
LABEL_COLUMNS = ("name", "number", "address_1", "byday", "link_id", "service_id", "id")


@dataclass(frozen=True)
class StaleRecord:
    table: str
    id: str
    label: str
    source: str
    assured_date: dt.date
    demo: bool


def stale_records(session: Session, days: Optional[int] = None, today: Optional[dt.date] = None) -> List[StaleRecord]:
    """Records whose assured_date is more than `days` (default WW_STALE_DAYS) before `today`, oldest first."""
    days = settings.STALE_DAYS if days is None else days
    cutoff = (today or clock.today()) - dt.timedelta(days=days)
    found: List[StaleRecord] = []
    for model in models.HSDS_MODELS:
        table = model.__table__
        label = next(table.c[c] for c in LABEL_COLUMNS if c in table.c)
        query = select(table.c.id, label, table.c.source, table.c.assured_date, table.c.demo).where(
            table.c.assured_date < cutoff
        )
        found += [StaleRecord(table.name, *row) for row in session.execute(query)]
    return sorted(found, key=lambda r: (r.assured_date, r.table, r.id))


@dataclass(frozen=True)
class Need:
    """A theme the search found nothing nearby for in one gemeente, over all months."""

    theme: str
    gemeente_code: str
    count: int
    first_seen: dt.date
    last_seen: dt.date


def unmet_needs(session: Session) -> List[Need]:
    """Themes the search found nothing nearby for, per gemeente and summed over the months, most asked first."""
    need = models.UnmetNeed
    total = func.sum(need.count)
    query = (
        select(need.theme, need.gemeente_code, total, func.min(need.first_seen), func.max(need.last_seen))
        .group_by(need.theme, need.gemeente_code)
        .order_by(total.desc(), need.theme, need.gemeente_code)
    )
    return [Need(theme, code, int(count), first, last) for theme, code, count, first, last in session.execute(query)]
