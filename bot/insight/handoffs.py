"""Warm handoff quality (#20): handoffs per week or month, how soon the gemeente made contact, whether that was
before the date the person was promised, the outcomes, and the ones overdue now.

Open and recent handoffs are read from their own tables; a handoff is folded into counts (`insight_count`, kinds
below) just before the retention job deletes it (bot/ops/retention.py), so the figures outlive it and nothing
else does. Every count below 5 is shown as "< 5" (bot/insight/report.py), except "overdue now", which is the
teamleider's own work list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.common.clock import to_db_time, today, utc_now
from bot.handoff.models import CLOSED, CONTACT_MADE, FINISHED, WITHDRAWN, Handoff, HandoffStatusChange
from bot.handoff.timeframe import local
from bot.insight.fold import add_counts
from bot.insight.report import (
    SMALL,
    WEEK,
    Period,
    Shown,
    day_index,
    folded,
    json_head,
    percent,
    periods,
    protect,
    share,
    shown,
)
from bot.portal.models import HandoffWork

CREATED, DUE, CONTACTED, IN_TIME = "ho_aantal", "ho_te_beoordelen", "ho_contact", "ho_op_tijd"
MINUTES, OUTCOME = "ho_minuten", "ho_uitkomst"
KINDS = (CREATED, DUE, CONTACTED, IN_TIME, MINUTES, OUTCOME)
OUTCOME_LABELS = {
    "geholpen": "Geholpen",
    "doorverwezen": "Doorverwezen",
    "geen_contact": "Geen contact mogelijk",
    "teruggetrokken": "Persoon trok zich terug",
    "ingetrokken": "Vraag ingetrokken door de persoon",
    "open": "Nog open",
}
REACHED = ("geholpen", "doorverwezen")  # a handoff closed with these outcomes was reached, even without a contact step


@dataclass(frozen=True)
class Facts:
    day: date  # created, Dutch calendar day
    gemeente: str
    contacted_at: Optional[datetime]  # first contact, naive UTC
    in_time: Optional[bool]  # first contact on or before the promised date
    minutes: Optional[int]  # from handing off to first contact
    outcome: str  # OUTCOME_LABELS' keys
    due: bool  # contacted, finished, or its promised date has passed: it counts for "on time"


def facts(handoff: Handoff, work: Optional[HandoffWork], changes: Sequence[HandoffStatusChange]) -> Facts:
    created = handoff.created_at
    first = min((c.at for c in changes if c.to_status == CONTACT_MADE), default=None)
    outcome = "open"
    if handoff.status == WITHDRAWN:
        outcome = "ingetrokken"
    elif handoff.status == CLOSED:
        outcome = work.outcome if work and work.outcome else "geholpen"
        if first is None and outcome in REACHED:
            first = handoff.closed_at
    contact_day = local(first).date() if first else None
    return Facts(
        day=local(created).date(),
        gemeente=handoff.gemeente_code,
        contacted_at=first,
        in_time=(contact_day <= handoff.respond_by) if contact_day else None,
        minutes=int((first - created).total_seconds() // 60) if first else None,
        outcome=outcome,
        due=first is not None or handoff.status in FINISHED or handoff.respond_by < today(),
    )


def _counts(found: Facts) -> List[Tuple[str, str, int]]:
    rows = [(CREATED, "", 1), (OUTCOME, found.outcome, 1)] + ([(DUE, "", 1)] if found.due else [])
    if found.contacted_at is not None:
        rows += [(CONTACTED, "", 1), (MINUTES, "", max(found.minutes or 0, 0))]
        if found.in_time:
            rows.append((IN_TIME, "", 1))
    return rows


def fold_expiring(session: Session, now: Optional[datetime] = None) -> int:
    """Fold the handoffs the retention purge is about to delete (closed or withdrawn, past their date) into counts."""
    moment = to_db_time(now or utc_now())
    expired = _with_work(session, select(Handoff).where(Handoff.status.in_(FINISHED), Handoff.retention_until < moment))
    counts: Counter = Counter()
    for found in expired:
        for kind, topic, value in _counts(found):
            counts[(found.day, found.gemeente, kind, topic)] += value
    add_counts(session, counts)
    session.flush()
    return len(expired)


def _with_work(session: Session, query: Select) -> List[Facts]:
    """The facts of the handoffs `query` selects, with their history and the portal's work read in one go each."""
    handoffs = session.execute(query.options(selectinload(Handoff.history))).scalars().all()
    ids = [h.id for h in handoffs]
    work = {
        w.handoff_id: w for w in session.execute(select(HandoffWork).where(HandoffWork.handoff_id.in_(ids))).scalars()
    }
    return [facts(h, work.get(h.id), h.history) for h in handoffs]


@dataclass(frozen=True)
class Quality:
    gemeenten: Tuple[str, ...]
    unit: str
    periods: List[Period]
    handoffs: List[int]
    due: List[int]
    contacted: List[int]
    in_time: List[int]
    minutes: List[int]  # summed, for the average
    outcomes: Dict[str, List[int]]
    overdue_now: int

    @cached_property
    def shown_parts(self) -> List[List[Shown]]:
        """The outcomes per period and in total, then the handoffs, as they may be shown: the outcomes add up to
        the handoffs of the period, so no small outcome is left to subtraction (report.protect; worked out once)."""
        return protect([self.outcomes[key] for key in OUTCOME_LABELS], self.handoffs)


def quality(
    session: Session, gemeenten: Sequence[str], unit: str = WEEK, until: Optional[date] = None, count: int = 8
) -> Quality:
    spans = periods(unit, until or today(), count)
    index = day_index(spans)
    per = folded(session, gemeenten, spans, KINDS)  # handoffs already deleted
    # Handoffs still kept: from their own rows (a day's margin on both sides for the time zone).
    start = datetime.combine(spans[0].start - timedelta(days=1), datetime.min.time())
    end = datetime.combine(spans[-1].end + timedelta(days=2), datetime.min.time())
    kept = _with_work(
        session,
        select(Handoff).where(Handoff.gemeente_code.in_(list(gemeenten)), Handoff.created_at.between(start, end)),
    )
    for found in kept:
        if found.day in index:
            for kind, topic, value in _counts(found):
                per[(kind, topic)][index[found.day]] += value
    overdue = session.execute(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.gemeente_code.in_(list(gemeenten)),
            Handoff.status.notin_((*FINISHED, CONTACT_MADE)),
            Handoff.respond_by < today(),
        )
    ).scalar_one()
    return Quality(
        gemeenten=tuple(gemeenten),
        unit=unit,
        periods=spans,
        handoffs=list(per[(CREATED, "")]),
        due=list(per[(DUE, "")]),
        contacted=list(per[(CONTACTED, "")]),
        in_time=list(per[(IN_TIME, "")]),
        minutes=list(per[(MINUTES, "")]),
        outcomes={key: list(per[(OUTCOME, key)]) for key in OUTCOME_LABELS},
        overdue_now=int(overdue),
    )


def average_hours(minutes: int, contacted: int) -> Optional[float]:
    """Hours from handing off to first contact, on average; only from SMALL contacted handoffs up."""
    return round(minutes / contacted / 60, 1) if contacted >= SMALL else None


def as_rows(found: Quality) -> List[List[Shown]]:
    """The figures as a table (the page and the CSV): a header, then one row per measure."""
    rows: List[List[Shown]] = [["", *[p.label for p in found.periods], "totaal"]]

    def counts(label: str, values: List[int]) -> None:
        rows.append([label, *protect([values])[0]])

    *outcomes, handed_off = found.shown_parts
    rows.append(["Overdrachten", *handed_off])
    counts("Contact gehad", found.contacted)
    counts("Contact vóór de beloofde datum", found.in_time)
    on_time = [share(a, b) for a, b in zip(found.in_time, found.due)]
    rows.append(
        [
            "Deel op tijd (van wie de datum voorbij is of contact had)",
            *[percent(v) for v in on_time],
            percent(share(sum(found.in_time), sum(found.due))),
        ]
    )
    hours = [average_hours(m, c) for m, c in zip(found.minutes, found.contacted)]
    rows.append(
        [
            "Gemiddeld uren tot eerste contact",
            *[_hours(h) for h in hours],
            _hours(average_hours(sum(found.minutes), sum(found.contacted))),
        ]
    )
    for label, cells in zip(OUTCOME_LABELS.values(), outcomes):
        rows.append([f"Uitkomst: {label}", *cells])
    return rows


def as_json(found: Quality) -> Dict[str, object]:
    return {
        **json_head(found.gemeenten, found.unit, found.periods),
        "handoffs": found.shown_parts[-1][:-1],
        "contacted": [shown(n) for n in found.contacted],
        "contacted_in_time": [shown(n) for n in found.in_time],
        "share_in_time": share(sum(found.in_time), sum(found.due)),
        "average_hours_to_contact": average_hours(sum(found.minutes), sum(found.contacted)),
        "outcomes": {key: cells[:-1] for key, cells in zip(OUTCOME_LABELS, found.shown_parts)},
        "overdue_now": found.overdue_now,
    }


def _hours(value: Optional[float]) -> str:
    return f"{value:.1f}".replace(".", ",") if value is not None else "–"
