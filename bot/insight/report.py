"""What people ask (#20, part 1): conversations, questions per topic and how conversations ended, per week or month,
for the gemeenten of the reader — read from the folded counts, never from conversations.

A count below SMALL is shown as "< 5" everywhere (page, chart, CSV, API) so nobody can be singled out; a share is
shown only when both of its counts are at least SMALL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.common import content, regions
from bot.common.clock import MONTHS, today
from bot.conversation.knowledge import library
from bot.insight.models import CONVERSATION, OUTCOMES, QUESTION, UNKNOWN, InsightCount

SMALL = 5
WEEK, MONTH = "week", "maand"
UNITS = (WEEK, MONTH)
PERIOD_COUNT = {WEEK: 8, MONTH: 12}  # how many periods a page, CSV or API answer shows
NATIONAL = "nederland"  # the choice "Heel Nederland": every gemeente, for accounts with national_insight
OUTCOME_LABELS = {
    "overdracht": "Doorgegeven aan de gemeente",
    "sociale_kaart": "Gezocht in de sociale kaart",
    "geen_antwoord": "Vraag zonder goed antwoord",
}
Shown = Union[int, str]


def shown(count: int) -> Shown:
    """The count as it may be shown: itself from SMALL on, else "< 5"."""
    return count if count >= SMALL else f"< {SMALL}"


HIDDEN = "–"  # a count left out although not small: with it, a small one could be worked out by subtracting


Cell = Tuple[int, int]  # (row, column) in a table of counts
Line = Tuple[List[Cell], Cell, bool]  # the cells of a row or column, its total, whether it is a row


def protect(rows: Sequence[Sequence[int]], whole: Optional[Sequence[int]] = None) -> List[List[Shown]]:
    """Rows of counts per period, each followed by its total, as they may be shown: small counts "< 5", and no
    small count that can be worked out from the others (secondary suppression, as statistics offices do).

    Every row adds up to its total. With `whole` (per period), the rows are parts of it (the outcomes of handoffs
    add up to the handoffs): the whole comes back as the last row, and every column adds up to it too. A line (row
    or column) whose known counts would give away one hidden count, or pin hidden ones down (a sum of 1 to 4, or one
    that each must be 2 or more of), gets one more count left out (HIDDEN): a row its total first, else the smallest
    shown count. A hidden count that can be worked out exactly counts as known. With a whole, rows and columns
    together are checked too: a small count whose least and most possible value (by linear programming) are at
    most 1 apart is protected the same way. Zero is not protected: that nobody did something is no one's secret."""
    table = [list(row) for row in rows] + ([list(whole)] if whole is not None else [])
    values = [[*row, sum(row)] for row in table]
    if not values:
        return []
    width, last = len(values[0]), len(values) - 1
    hidden = {(r, c) for r, row in enumerate(values) for c, v in enumerate(row) if v < SMALL}
    secondary: Set[Cell] = set()
    derived: Set[Cell] = set()
    # Each line: its cells (the total among them), its total, and whether it is a row (a row gives up its total
    # first; a column its smallest part, as its whole matters most).
    lines: List[Line] = [([(r, c) for c in range(width)], (r, width - 1), True) for r in range(len(values))]
    if whole is not None:
        lines += [([(r, c) for r in range(len(values))], (last, c), False) for c in range(width)]

    def value(cell: Cell) -> int:
        return values[cell[0]][cell[1]]

    def hide_one_more(members: List[Cell], prefer: Optional[Cell]) -> bool:
        if prefer is not None and prefer not in hidden:
            choice: Optional[Cell] = prefer
        else:
            open_cells = [m for m in members if m not in hidden]
            if not open_cells:  # all of the line is left out: make a count that was worked out unknown again
                worked_out = {m for m in members if m in derived}
                open_cells = [o for ms, _t, _r in lines if set(ms) & worked_out for o in ms if o not in hidden]
            choice = min(open_cells, key=value) if open_cells else None
        if choice is None:
            return False
        hidden.add(choice)
        secondary.add(choice)
        derived.clear()  # what could be worked out is worked out again, with this one left out
        return True

    def pinned(parts: List[Cell]) -> bool:
        total = sum(value(m) for m in parts)
        bounded = all(m not in secondary for m in parts)  # each of them is known to be below SMALL
        return 0 < total < SMALL or (bounded and total - (SMALL - 1) * (len(parts) - 1) >= 2)

    def settle() -> None:
        changed = True
        while changed:
            changed = False
            for members, total, is_row in lines:
                prefer = total if is_row else None
                unknown = [m for m in members if m in hidden and m not in derived]
                if len(unknown) == 1 and 0 < value(unknown[0]) < SMALL:
                    changed = hide_one_more(members, prefer) or changed
                elif len(unknown) == 1:
                    derived.add(unknown[0])
                    changed = True
                elif unknown and total not in unknown and pinned(unknown):
                    changed = hide_one_more(members, prefer) or changed

    settle()
    while whole is not None:  # rows and columns together can pin a count down where no line alone does
        leak = _pinned_down(values, lines, hidden, secondary)
        if leak is None or not hide_one_more(
            [m for ms, _t, _r in lines if leak in ms for m in ms], (leak[0], width - 1)
        ):
            break
        settle()
    return [[HIDDEN if (r, c) in secondary else shown(v) for c, v in enumerate(row)] for r, row in enumerate(values)]


def _pinned_down(values: List[List[int]], lines: List[Line], hidden: Set[Cell], secondary: Set[Cell]) -> Optional[Cell]:
    """A small, non-zero hidden count whose least and most possible value, given everything shown and how the
    `lines` add up, are at most 1 apart (linear programming, scipy's HiGHS), or None."""
    from scipy.optimize import linprog

    cells = sorted(hidden)
    index = {cell: i for i, cell in enumerate(cells)}
    equations, right = [], []
    for members, total, _row in lines:  # each line's parts minus its total is 0
        equations.append([0.0] * len(cells))
        known = 0.0
        for r, c in members:
            sign = -1.0 if (r, c) == total else 1.0
            if (r, c) in index:
                equations[-1][index[(r, c)]] = sign
            else:
                known += sign * values[r][c]
        right.append(-known)
    bounds = [(SMALL, None) if cell in secondary else (0, SMALL - 1) for cell in cells]
    for cell, i in index.items():
        if cell in secondary or not 0 < values[cell[0]][cell[1]] < SMALL:
            continue
        objective = [0.0] * len(cells)
        objective[i] = 1.0
        least = linprog(objective, A_eq=equations, b_eq=right, bounds=bounds, method="highs")
        objective[i] = -1.0
        most = linprog(objective, A_eq=equations, b_eq=right, bounds=bounds, method="highs")
        if least.success and most.success and -most.fun - least.fun <= 1 + 1e-9:
            return cell
    return None


def share(part: int, whole: int) -> Optional[float]:
    """part / whole, only when both are large enough to show."""
    return round(part / whole, 3) if part >= SMALL and whole >= SMALL else None


def percent(value: Optional[float]) -> str:
    """A share as people read it ("25%"), or "–" when it may not be shown."""
    return f"{round(value * 100)}%" if value is not None else "–"


@dataclass(frozen=True)
class Period:
    key: str  # "2026-W48" or "2026-11"
    label: str  # "week 48 (23 nov.)" or "november 2026"
    short: str  # "wk 48" or "nov." (under a chart's column)
    start: date
    end: date  # inclusive


def periods(unit: str, until: date, count: int) -> List[Period]:
    """The `count` whole or running weeks (ISO, Monday first) or months up to and including `until`, oldest first."""
    found: List[Period] = []
    if unit == WEEK:
        start = until - timedelta(days=until.weekday())
        for _ in range(count):
            year, week, _day = start.isocalendar()
            label = f"week {week} ({start.day} {MONTHS[start.month - 1][:3]}.)"
            found.append(Period(f"{year}-W{week:02d}", label, f"wk {week}", start, start + timedelta(days=6)))
            start -= timedelta(days=7)
    else:
        year, month = until.year, until.month
        for _ in range(count):
            start = date(year, month, 1)
            end = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
            short = f"{MONTHS[month - 1][:3]}." + (f" {year % 100:02d}" if month == 1 else "")
            found.append(Period(f"{year}-{month:02d}", f"{MONTHS[month - 1]} {year}", short, start, end))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(found))


# Names for the service topics in the portal (the articles are named by their titles).
SERVICE_LABELS = {
    "ask_where_to_go": "Waar kan ik terecht? (sociale kaart)",
    "request_human": "Praten met een medewerker",
    "ask_handoff_status": "Hoe staat het met mijn vraag?",
    "withdraw_handoff": "Mijn vraag intrekken",
    "delete_conversation": "Dit gesprek wissen",
}


def topic_label(intent: str) -> str:
    article = library().by_intent.get(intent)
    if article is not None:
        return article.title
    return SERVICE_LABELS.get(intent) or str((content.load("intent_labels.yml") or {}).get(intent) or intent)


@dataclass(frozen=True)
class Report:
    """Counts per period (not yet suppressed: use `shown` and `share` to present them)."""

    gemeenten: Tuple[str, ...]
    unit: str
    periods: List[Period]
    conversations: List[int]  # per period
    outcomes: Dict[str, List[int]]  # kind → per period
    topics: List[Tuple[str, str, List[int]]]  # (intent, label, per period), most asked first


def what_people_ask(
    session: Session, gemeenten: Sequence[str], unit: str = WEEK, until: Optional[date] = None, count: int = 8
) -> Report:
    """For the given gemeenten (CBS codes); `until` defaults to today."""
    spans = periods(unit, until or today(), count)
    per = folded(session, gemeenten, spans)
    questions = sorted(
        ((topic, topic_label(topic), values) for (kind, topic), values in per.items() if kind == QUESTION),
        key=lambda item: (-sum(item[2]), item[1]),
    )
    return Report(
        gemeenten=tuple(gemeenten),
        unit=unit,
        periods=spans,
        conversations=list(per[(CONVERSATION, "")]),
        outcomes={kind: list(per[(kind, "")]) for kind in OUTCOMES},
        topics=questions,
    )


PerPeriod = Dict[Tuple[str, str], List[int]]  # (kind, topic) → a count per period


def day_index(spans: Sequence[Period]) -> Dict[date, int]:
    """Every day of the periods → the period's position."""
    index: Dict[date, int] = {}
    for i, span in enumerate(spans):
        day = span.start
        while day <= span.end:
            index[day] = i
            day += timedelta(days=1)
    return index


def folded(
    session: Session, gemeenten: Sequence[str], spans: Sequence[Period], kinds: Optional[Sequence[str]] = None
) -> PerPeriod:
    """The counts in `insight_count` for the gemeenten, summed per kind, topic and period (only `kinds`, if given)."""
    index = day_index(spans)
    query = (
        select(InsightCount.kind, InsightCount.topic, InsightCount.day, func.sum(InsightCount.count))
        .where(InsightCount.gemeente_code.in_(list(gemeenten)), InsightCount.day.between(spans[0].start, spans[-1].end))
        .group_by(InsightCount.kind, InsightCount.topic, InsightCount.day)
    )
    if kinds is not None:
        query = query.where(InsightCount.kind.in_(list(kinds)))
    per: PerPeriod = defaultdict(lambda: [0] * len(spans))
    for kind, topic, day, total in session.execute(query):
        per[(kind, topic)][index[day]] += int(total or 0)
    return per


def every_gemeente() -> Tuple[str, ...]:
    """All gemeenten of today, and "onbekend" (counts of people who named none): "Heel Nederland"."""
    return (*sorted(regions.load().gemeenten), UNKNOWN)


def own_scope(own: Sequence[str], asked: str, national: bool = False) -> Optional[Tuple[str, ...]]:
    """The gemeenten an answer is about: all of the reader's own (nothing asked), the one asked if it is theirs, or
    every gemeente (NATIONAL asked, by an account a beheerder gave national insight); None for any other (answered
    as not found, like one that does not exist)."""
    if not asked:
        return tuple(own)
    if asked == NATIONAL:
        return every_gemeente() if national else None
    return (asked,) if asked in own else None


def json_head(gemeenten: Sequence[str], unit: str, spans: Sequence[Period]) -> Dict[str, object]:
    """What every insight answer in JSON starts with."""
    return {
        "gemeenten": list(gemeenten),
        "unit": unit,
        "small_counts": f"aantallen onder {SMALL} staan als '< {SMALL}'",
        "periods": [
            {"key": p.key, "label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()} for p in spans
        ],
    }


def as_rows(report: Report) -> List[List[Shown]]:
    """The report as a table (CSV and the page): a header, conversations, the outcomes, then one row per topic."""
    header: List[Shown] = ["", *[p.label for p in report.periods], "totaal"]
    rows: List[List[Shown]] = [header]
    rows.append(["Gesprekken", *protect([report.conversations])[0]])
    for kind, values in report.outcomes.items():  # not parts of one whole: a conversation may end in several ways
        rows.append([OUTCOME_LABELS[kind], *protect([values])[0]])
    for _intent, label, values in report.topics:
        rows.append([f"Vraag: {label}", *protect([values])[0]])
    return rows


def as_json(report: Report) -> Dict[str, object]:
    total = sum(report.conversations)
    return {
        **json_head(report.gemeenten, report.unit, report.periods),
        "conversations": [shown(n) for n in report.conversations],
        "outcomes": {
            kind: {"counts": [shown(n) for n in values], "share": share(sum(values), total)}
            for kind, values in report.outcomes.items()
        },
        "topics": [_topic_json(intent, label, values) for intent, label, values in report.topics],
    }


def _topic_json(intent: str, label: str, values: List[int]) -> Dict[str, object]:
    *counts, total = protect([values])[0]
    return {"intent": intent, "label": label, "counts": counts, "total": total}
