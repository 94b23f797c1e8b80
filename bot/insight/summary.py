"""The monthly summary a teamleider sends to the wethouder (#20, part 6): about one page of Markdown in plain Dutch,
from the same figures as the insight pages (report.py, handoffs.py). Every count below 5 is written as "< 5" (in a
sentence: "minder dan 5") and a share only when both of its counts are 5 or more — in the tables and the sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import List, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from bot.common import regions
from bot.common.clock import MONTHS, today
from bot.insight import handoffs
from bot.insight.models import HANDOFF
from bot.insight.report import (
    MONTH,
    OUTCOME_LABELS,
    SMALL,
    Period,
    percent,
    periods,
    protect,
    share,
    shown,
    what_people_ask,
)

TOP = 5  # topics in the table
MONTH_KEY = re.compile(r"(\d{4})-(\d{2})")


class SummaryError(ValueError):
    """A gemeente or month that cannot be summarised; the message is for the person who asked (Dutch)."""


def last_whole_month(day: date) -> str:
    """The month before the one `day` is in, as "2026-11"."""
    return f"{day.year - 1}-12" if day.month == 1 else f"{day.year}-{day.month - 1:02d}"


def choose(gemeenten: Sequence[str], month: Optional[str], day: date) -> Tuple[Tuple[str, ...], Period]:
    """The CBS codes (known gemeenten of 2026, each once) and the month (default: the last whole month before `day`);
    SummaryError for an unknown code, a month written otherwise than 2026-11, or a month not yet over."""
    codes: List[str] = []
    for asked in gemeenten:
        found = regions.get_gemeente(asked)
        if found is None:
            raise SummaryError(
                f"Onbekende gemeentecode '{asked}': gebruik de CBS-code van een gemeente van 2026, "
                "bijvoorbeeld GM0363 voor Amsterdam."
            )
        if found.code not in codes:
            codes.append(found.code)
    if not codes:
        raise SummaryError("Geef minstens één gemeente op, bijvoorbeeld --gemeente GM0363.")
    key = (month or last_whole_month(day)).strip()
    matched = MONTH_KEY.fullmatch(key)
    if not matched or not 1 <= int(matched.group(2)) <= 12:
        raise SummaryError(f"Onbekende maand '{key}': schrijf het jaar en de maand zo: 2026-11.")
    span = periods(MONTH, date(int(matched.group(1)), int(matched.group(2)), 1), 1)[0]
    if span.end >= day:
        raise SummaryError(
            f"De maand {span.label} is nog niet voorbij: kies {last_whole_month(day)} of een eerdere maand."
        )
    return tuple(codes), span


@dataclass(frozen=True)
class Figures:
    """The month's figures, not yet suppressed."""

    names: List[str]
    month: Period
    earlier: List[Tuple[str, int]]  # (label, conversations) of the month before and a year before, if there are any
    conversations: int
    outcomes: List[Tuple[str, int]]  # (kind, conversations)
    topics: List[Tuple[str, int]]  # (label, questions), most asked first
    quality: handoffs.Quality


def figures(session: Session, gemeenten: Sequence[str], month: Period) -> Figures:
    asked = what_people_ask(session, gemeenten, MONTH, until=month.end, count=13)  # a year back, and this month
    counts = asked.conversations
    earlier = [(asked.periods[i].label, counts[i]) for i in (-2, 0) if counts[i] > 0]
    topics = sorted(((label, values[-1]) for _i, label, values in asked.topics if values[-1]), key=lambda t: -t[1])
    names = [g.roo_name for g in (regions.get_gemeente(code) for code in gemeenten) if g is not None]
    return Figures(
        names=names,
        month=month,
        earlier=earlier,
        conversations=counts[-1],
        outcomes=[(kind, values[-1]) for kind, values in asked.outcomes.items()],
        topics=topics[:TOP],
        quality=handoffs.quality(session, gemeenten, MONTH, until=month.end, count=1),
    )


def monthly_summary(
    session: Session, gemeenten: Sequence[str], month: Optional[str] = None, day: Optional[date] = None
) -> str:
    """The summary in Markdown for the gemeenten (CBS codes) and month ("2026-11"; default the last whole month
    before `day`, which defaults to today in the Netherlands). SummaryError as `choose`."""
    day = day or today()
    codes, span = choose(gemeenten, month, day)
    return as_markdown(figures(session, codes, span), day)


def as_markdown(found: Figures, day: date) -> str:
    parts = [
        f"# Wegwijzer Werk in {_text(_and(found.names))}: {found.month.label}",
        " ".join(_opening(found)),
        "## Gesprekken",
        _conversations(found),
        "## Hoe gesprekken eindigden",
        _outcomes(found),
        "## Waar mensen het vaakst naar vroegen",
        _topics(found),
        "## Warme overdrachten",
        " ".join(_handoff_sentences(found.quality, day)),
        _handoffs(found.quality),
        "## Over deze cijfers",
        _about(day),
    ]
    return "\n\n".join(parts) + "\n"


def _opening(found: Figures) -> List[str]:
    month = found.month.label
    sentences = [f"In {month} hadden mensen {_words(found.conversations)} gesprekken met de Wegwijzer Werk."]
    if found.earlier and found.conversations >= SMALL and found.earlier[0][1] >= SMALL:
        label, before = found.earlier[0]
        sentences.append(f"Dat zijn er {_compared(found.conversations, before)} in {label} ({before}).")
    sentences.append(
        "De Wegwijzer Werk is de digitale hulp voor mensen met een beperking die werk zoeken, ook zonder uitkering."
    )
    if found.topics:
        asked = _and([f"„{_text(label)}”" for label, _n in found.topics[:3]])
        sentences.append(f"Mensen vroegen het vaakst naar {asked}.")
    outcomes = dict(found.outcomes)
    handed = share(outcomes[HANDOFF], found.conversations)
    if handed is not None:
        sentences.append(f"In {percent(handed)} van de gesprekken gaf de Wegwijzer de vraag door aan de gemeente.")
    return sentences


def _compared(now: int, before: int) -> str:
    if now == before:
        return "evenveel als"
    return "meer dan" if now > before else "minder dan"


def _conversations(found: Figures) -> str:
    header = ["", found.month.label, *[label for label, _n in found.earlier]]
    row = ["Gesprekken", _cell(found.conversations), *[_cell(n) for _l, n in found.earlier]]
    return _table(header, [row])


def _outcomes(found: Figures) -> str:
    rows = [[OUTCOME_LABELS[kind], _cell(n), percent(share(n, found.conversations))] for kind, n in found.outcomes]
    return _table(["", "gesprekken", "deel"], rows) + "\n\n" + _note_shares()


def _topics(found: Figures) -> str:
    if not found.topics:
        return f"In {found.month.label} zijn geen vragen over een onderwerp geteld."
    return _table(["Onderwerp", "vragen"], [[label, _cell(n)] for label, n in found.topics])


def _handoff_sentences(found: handoffs.Quality, day: date) -> List[str]:
    made, due, on_time = sum(found.handoffs), sum(found.due), sum(found.in_time)
    sentences = [
        "Soms is meer nodig dan informatie. Dan geeft de Wegwijzer de vraag door aan een consulent van de gemeente. "
        "De persoon hoort dan ook op welke datum de gemeente uiterlijk contact opneemt. "
        f"Dat gebeurde {_words(made)} keer."
    ]
    kept = share(on_time, due)
    if kept is not None:
        nearly = ": bijna iedereen" if kept >= 0.9 else ""
        sentences.append(
            f"Van hen had {percent(kept)} al contact met de gemeente vóór de datum die hun was beloofd{nearly}. "
            "We tellen daarvoor wie contact had of bij wie de datum voorbij is."
        )
    else:
        sentences.append("Dat zijn te weinig overdrachten om te zeggen welk deel op tijd contact had.")
    hours = handoffs.average_hours(sum(found.minutes), sum(found.contacted))
    if hours is not None:
        sentences.append(f"Gemiddeld zat er {_duration(hours)} tussen het doorgeven en het eerste contact.")
    sentences.append(
        f"Op {day.day} {MONTHS[day.month - 1]} {day.year} wachtten {_words(found.overdue_now)} mensen "
        "langer dan beloofd op contact (van alle maanden samen)."
    )
    return sentences


def _handoffs(found: handoffs.Quality) -> str:
    made, due, on_time = sum(found.handoffs), sum(found.due), sum(found.in_time)
    hours = handoffs.average_hours(sum(found.minutes), sum(found.contacted))
    *outcomes, handed_off = protect([[sum(found.outcomes[key])] for key in handoffs.OUTCOME_LABELS], [made])
    rows = [
        ["Overdrachten", str(handed_off[0])],
        ["Contact gehad", _cell(sum(found.contacted))],
        ["Contact vóór de beloofde datum", _cell(on_time)],
        ["Deel op tijd", percent(share(on_time, due))],
        ["Gemiddelde tijd tot eerste contact", _duration(hours) if hours is not None else "–"],
        *[[f"Uitkomst: {label}", str(cells[0])] for label, cells in zip(handoffs.OUTCOME_LABELS.values(), outcomes)],
    ]
    return _table(["", found.periods[0].label], rows)


def _about(day: date) -> str:
    return (
        "Dit zijn alleen aantallen: geen gesprekken, geen namen, niets waarmee iemand te herkennen is. "
        f'Een aantal onder de {SMALL} staat er als "< {SMALL}", zodat niemand opvalt. Een gesprek telt één keer; '
        "wie later terugkomt, kan twee keer meetellen. "
        f"Bron: Wegwijzer Werk. Gemaakt op {day.day} {MONTHS[day.month - 1]} {day.year}."
    )


def _note_shares() -> str:
    return f"Een deel staat er alleen als beide aantallen {SMALL} of meer zijn; anders staat er –."


def _cell(count: int) -> str:
    return str(shown(count))


def _words(count: int) -> str:
    """A count in a sentence: itself from SMALL on, else "minder dan 5"."""
    return str(count) if count >= SMALL else f"minder dan {SMALL}"


def _duration(hours: float) -> str:
    if hours < 48:
        return f"{hours:.1f} uur".replace(".", ",")
    return f"{hours / 24:.1f} dagen".replace(".", ",")


def _and(items: Sequence[str]) -> str:
    """ "a", "a en b", "a, b en c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A pipe table (GitHub Flavored Markdown): the first column left, the figures right."""
    lines = [_row(header), "|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1)) + "|"]
    lines += [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    # "< 5" is a figure, not Markdown; labels (article titles) are escaped so that they stay text.
    return "| " + " | ".join(c if c == f"< {SMALL}" else _text(c) for c in cells) + " |"


def _text(text: str) -> str:
    """Text that stays text in Markdown: its special characters escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)
