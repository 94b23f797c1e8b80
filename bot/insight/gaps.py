"""Social-map gaps (#20, part 3): per theme, the searches that found nothing nearby, per month (`unmet_need`,
counted by bot/socialmap/search.py), beside what the map holds for the gemeenten asked about (services in the
gemeente, in its arbeidsmarktregio, national: bot/socialmap/reports.py). Months only: the social map counts per
month, so a week asked for is answered per month.

A theme that people searched for and that has no service nearby stands out, in words. Counts below 5 are shown as
"< 5" (bot/insight/report.py); the number of services is a fact about the map, not about people, and is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.common import regions, settings
from bot.common.clock import today
from bot.insight.report import MONTH, PERIOD_COUNT, SMALL, Period, Shown, json_head, periods, protect
from bot.socialmap.models import UnmetNeed
from bot.socialmap.reports import Reach, services_per_theme
from bot.socialmap.taxonomy import THEME, load_taxonomy

GAP = "Gezocht, geen dienst dichtbij"  # the words that make a theme stand out (the page, the CSV)


@dataclass(frozen=True)
class ThemeGap:
    code: str
    label: str
    unmet: List[int]  # searches that found nothing nearby, per month
    reach: Optional[Reach]  # what reaches the gemeente, when the answer is about one
    without_nearby: int  # of the gemeenten asked about, how many have no service nearby for this theme
    national: int  # national services for this theme (the same for every gemeente)

    @cached_property
    def shown_unmet(self) -> List[Shown]:
        """The months and their total as they may be shown (report.protect: no small month by subtraction)."""
        return protect([self.unmet])[0]

    @property
    def gap(self) -> bool:
        """Searched for, and nothing nearby (for one gemeente: none; for several: not in at least one)."""
        return sum(self.unmet) > 0 and self.without_nearby > 0


@dataclass(frozen=True)
class Gaps:
    gemeenten: Tuple[str, ...]
    unit: str  # always MONTH
    periods: List[Period]
    themes: List[ThemeGap]  # the gaps first, then by the searches that found nothing (from SMALL up), then by name
    on_the_map: int  # how many of the gemeenten are real ones (not "onbekend"): the map's columns are about them


def gaps(
    session: Session, gemeenten: Sequence[str], until: Optional[date] = None, count: int = PERIOD_COUNT[MONTH]
) -> Gaps:
    spans = periods(MONTH, until or today(), count)
    index = {span.start: i for i, span in enumerate(spans)}
    unmet: Dict[str, List[int]] = {}
    for theme, month, total in session.execute(
        select(UnmetNeed.theme, UnmetNeed.month, func.sum(UnmetNeed.count))
        .where(UnmetNeed.gemeente_code.in_(list(gemeenten)), UnmetNeed.month.between(spans[0].start, spans[-1].start))
        .group_by(UnmetNeed.theme, UnmetNeed.month)
    ):
        unmet.setdefault(theme, [0] * len(spans))[index[month]] += int(total or 0)
    real = [code for code in gemeenten if regions.get_gemeente(code) is not None]
    reach = services_per_theme(session, real, include_demo=settings.EXAMPLE_CONTENT)
    labels = {term.code: term.label for term in load_taxonomy().of(THEME)}
    themes = []
    for code in [*labels, *sorted(set(unmet) - set(labels))]:  # a theme the search could not place: "onbekend"
        per = [reach[g].get(code, Reach()) for g in real]
        themes.append(
            ThemeGap(
                code=code,
                label=labels.get(code, "Thema niet herkend" if code == "onbekend" else code),
                unmet=unmet.get(code, [0] * len(spans)),
                reach=per[0] if len(real) == 1 else None,
                without_nearby=sum(1 for r in per if r.nearby == 0),
                national=max((r.landelijk for r in per), default=0),
            )
        )
    # Small totals all sort as one, so the order does not tell 1 from 4.
    themes.sort(key=lambda t: (not t.gap, -_sortable(sum(t.unmet)), t.label))
    return Gaps(tuple(gemeenten), MONTH, spans, themes, len(real))


def _sortable(total: int) -> int:
    return total if total >= SMALL else 0


def map_header(found: Gaps) -> List[Shown]:
    """The columns about the map: for one gemeente its services per level; for several, how many have none nearby."""
    if found.on_the_map == 1:
        return ["Diensten in de gemeente", "In de arbeidsmarktregio", "Landelijk"]
    return [f"Gemeenten zonder dienst dichtbij (van {found.on_the_map})", "Landelijk"]


def map_cells(theme: ThemeGap) -> List[Shown]:
    if theme.reach is not None:
        return [theme.reach.gemeente, theme.reach.regio, theme.reach.landelijk]
    return [theme.without_nearby, theme.national]


def as_rows(found: Gaps) -> List[List[Shown]]:
    """The table (the page and the CSV): per theme the total, the map's columns and the marker side by side, then the
    months (a wide table scrolls: what matters most is seen first)."""
    header: List[Shown] = ["Thema", f"totaal ({len(found.periods)} maanden)", *map_header(found), "Let op"]
    rows: List[List[Shown]] = [[*header, *[p.label for p in found.periods]]]
    for theme in found.themes:
        *months, total = theme.shown_unmet
        rows.append([theme.label, total, *map_cells(theme), GAP if theme.gap else "", *months])
    return rows


def as_json(found: Gaps) -> Dict[str, object]:
    return {
        **json_head(found.gemeenten, found.unit, found.periods),
        "gemeenten_on_the_map": found.on_the_map,
        "themes": [
            {
                "theme": theme.code,
                "label": theme.label,
                "unmet": theme.shown_unmet[:-1],
                "total": theme.shown_unmet[-1],
                "services": (
                    {"gemeente": theme.reach.gemeente, "regio": theme.reach.regio, "landelijk": theme.reach.landelijk}
                    if theme.reach is not None
                    else None
                ),
                "gemeenten_without_nearby": theme.without_nearby,
                "national_services": theme.national,
                "gap": theme.gap,
            }
            for theme in found.themes
        ],
    }
