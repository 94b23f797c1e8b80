"""Example insight counts (#20), reproducible from a seed: for the demo's screenshots and for measuring the pages
with a year of data for many gemeenten (`make bench`). Never mixed with real counts: use a database of its own."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Sequence

from sqlalchemy.orm import Session

from bot.insight import handoffs
from bot.insight.fold import SERVICE_TOPICS
from bot.insight.models import CONVERSATION, HANDOFF, QUESTION, SOCIALMAP, UNANSWERED, InsightCount, UnansweredQuestion
from bot.socialmap.models import UnmetNeed
from bot.socialmap.taxonomy import THEME, load_taxonomy


def generate(
    session: Session, gemeenten: Sequence[str], topics: Sequence[str], until: date, days: int, seed: int
) -> int:
    """Counts for every day of `days` up to `until`, every gemeente and topic; how many rows were written."""
    rng = random.Random(seed)  # noqa: S311 (example data, not a secret)
    rows = 0
    every = [*topics, *SERVICE_TOPICS]
    weights = {topic: rng.random() ** 2 for topic in every}  # a few topics asked much more than the rest
    for code in gemeenten:
        size = rng.uniform(0.3, 3.0)  # bigger and smaller gemeenten
        for offset in range(days):
            day = until - timedelta(days=offset)
            weekday = 0.35 if day.weekday() >= 5 else 1.0
            conversations = int(rng.gauss(12, 3) * size * weekday)
            if conversations <= 0:
                continue
            counts = {
                (CONVERSATION, ""): conversations,
                (HANDOFF, ""): int(conversations * rng.uniform(0.05, 0.15)),
                (SOCIALMAP, ""): int(conversations * rng.uniform(0.1, 0.3)),
                (UNANSWERED, ""): int(conversations * rng.uniform(0.02, 0.1)),
            }
            for topic in every:
                asked = int(conversations * 1.6 * weights[topic] / len(every) * rng.uniform(0.5, 1.5) * 4)
                if asked:
                    counts[(QUESTION, topic)] = asked
            handed = counts[(HANDOFF, "")]
            if handed:  # what became of them, as the handoff purge folds it (bot/insight/handoffs.py)
                contacted = round(handed * rng.uniform(0.8, 1.0))
                counts[(handoffs.CREATED, "")] = counts[(handoffs.DUE, "")] = handed
                counts[(handoffs.CONTACTED, "")] = contacted
                counts[(handoffs.IN_TIME, "")] = round(contacted * rng.uniform(0.75, 1.0))
                counts[(handoffs.MINUTES, "")] = int(contacted * rng.uniform(240, 2400))
                helped = round(contacted * 0.7)
                counts[(handoffs.OUTCOME, "geholpen")] = helped
                counts[(handoffs.OUTCOME, "doorverwezen")] = contacted - helped
                counts[(handoffs.OUTCOME, "geen_contact")] = handed - contacted
            for (kind, topic), count in counts.items():
                if count > 0:
                    session.add(InsightCount(day=day, gemeente_code=code, kind=kind, topic=topic, count=count))
                    rows += 1
        session.flush()
    return rows


def generate_unmet_needs(session: Session, gemeenten: Sequence[str], until: date, months: int, seed: int) -> int:
    """Searches that found nothing nearby, per month (`months` up to the one of `until`), gemeente and theme, as
    bot/socialmap/search.py counts them; how many rows were written."""
    rng = random.Random(seed)  # noqa: S311 (example data, not a secret)
    themes = [term.code for term in load_taxonomy().of(THEME)]
    weights = {theme: rng.random() ** 3 for theme in themes}  # a few themes the map often has nothing for
    rows = 0
    for code in gemeenten:
        size = rng.uniform(0.3, 3.0)
        year, month = until.year, until.month
        for _ in range(months):
            first = date(year, month, 1)
            for theme in themes:
                count = int(rng.gauss(8, 3) * size * weights[theme])
                if count > 0:
                    session.add(
                        UnmetNeed(
                            theme=theme,
                            gemeente_code=code,
                            month=first,
                            count=count,
                            first_seen=first,
                            last_seen=min(until, first + timedelta(days=27)),
                        )
                    )
                    rows += 1
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        session.flush()
    return rows


# Questions the assistant might not answer, for the example data: each is varied with a lead and a tail.
UNANSWERED_EXAMPLES = (
    "kan ik een fiets krijgen voor mijn werk",
    "hoe regel ik een taxi naar mijn werk",
    "mag ik mijn hond meenemen naar de werkplek",
    "wat kost een cursus excel bij de bibliotheek",
    "hoe lang moet ik wachten op een gesprek",
    "kan mijn moeder mee naar het gesprek",
    "wie betaalt mijn reiskosten naar de proefplaats",
    "moet ik mijn diagnose vertellen aan mijn baas",
    "krijg ik vakantiegeld als ik met loonkostensubsidie werk",
    "kan ik thuis werken met een beperking",
    "wat doet de wethouder voor mensen zoals ik",
    "kan ik vrijwilligerswerk doen en toch hulp krijgen",
)
LEADS = ("", "hoi, ", "vraagje: ", "ik wil weten ", "weet jij ")
TAILS = ("", "?", " eigenlijk", " precies", " in mijn gemeente")


def generate_unanswered(
    session: Session, gemeenten: Sequence[str], topics: Sequence[str], until: date, days: int, seed: int
) -> int:
    """Questions without an answer, about one a day per gemeente (more for bigger ones), anonymous already; how many
    rows were written."""
    rng = random.Random(seed)  # noqa: S311 (example data, not a secret)
    rows = 0
    for code in gemeenten:
        size = rng.uniform(0.3, 3.0)
        for offset in range(days):
            for _ in range(int(rng.random() * 2 * size)):
                text = rng.choice(LEADS) + rng.choice(UNANSWERED_EXAMPLES) + rng.choice(TAILS)
                session.add(
                    UnansweredQuestion(
                        conversation_key=f"{rng.getrandbits(128):032x}",
                        day=until - timedelta(days=offset),
                        gemeente_code=code,
                        text=text,
                        guessed_topic=rng.choice(list(topics)),
                        confidence=round(rng.uniform(0.1, 0.5), 3),
                    )
                )
                rows += 1
        session.flush()
    return rows
