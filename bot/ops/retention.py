"""The retention job, the one place that deletes what has been kept long enough (the privacy text's promises):

- conversations idle for longer than WW_CONVERSATION_RETENTION_DAYS (Rasa's store, bot/conversation/store.py),
  after they were counted, and with the questions they left unanswered (bot/insight/unanswered.py), unless the
  gemeente's editor adopted one as an example: that one stays, no longer linked to the conversation;
- closed handoffs past their retention date, with the portal's notes; only counts per gemeente and month remain
  (bot/handoff/retention.py), and SQLite's write-ahead log is emptied after;
- phone numbers and e-mail addresses in the contact vault past their half hour (bot/handoff/contact_vault.py).

`make run` and `make run-production` run it in their own loop (bot/ops/stack.py: contacts every minute, all of it
every hour); a cluster runs `python -m bot retention purge` from a CronJob (deploy/kubernetes/jobs.yaml).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import List, Optional

from bot.common import settings
from bot.common.clock import utc_now
from bot.common.db import session_scope
from bot.conversation.store import purge_conversations, tracker_url
from bot.handoff import contact_vault
from bot.handoff import retention as handoffs
from bot.insight import unanswered
from bot.insight.fold import fold as insight_fold
from bot.insight.handoffs import fold_expiring as fold_expiring_handoffs

PARTS = ("conversations", "handoffs", "contacts")


@dataclass(frozen=True)
class Purged:
    conversations: int = 0
    handoffs: int = 0
    contacts: int = 0

    def report(self) -> str:
        return (
            f"{self.conversations} gesprek(ken), {self.handoffs} afgesloten overdracht(en) met hun notities en "
            f"{self.contacts} contactgegeven(s) verwijderd; van overdrachten blijven alleen de aantallen per "
            "gemeente en maand."
        )


def purge_handoffs(database_url: Optional[str] = None) -> int:
    """Closed handoffs past their retention date deleted (notes and portal state go with them), after they were
    counted for the gemeente's insight (bot/insight/handoffs.py), in the same transaction."""
    now = utc_now()
    with session_scope(database_url) as session:
        fold_expiring_handoffs(session, now)
        deleted = handoffs.purge(session, now)
    with session_scope(database_url) as session:
        handoffs.checkpoint_sqlite(session)
    return deleted


def purge_contacts(database_url: Optional[str] = None) -> int:
    """Expired phone numbers and e-mail addresses out of the contact vault (read only before they expire; this
    deletes them, so "na een half uur" holds to the minute)."""
    with session_scope(database_url) as session:
        return contact_vault.purge_expired(session)


def purge(
    database_url: Optional[str] = None, tracker: Optional[str] = None, days: Optional[int] = None, parts: tuple = PARTS
) -> Purged:
    """Run the chosen parts of the retention job; what each deleted."""
    days = settings.CONVERSATION_RETENTION_DAYS if days is None else days
    if "conversations" in parts:  # counted for the gemeente's insight first; only the counts outlive them
        with session_scope(database_url) as session:
            insight_fold(session, tracker_url(tracker))
        with session_scope(database_url) as session:
            unanswered.purge(session, days)
    return Purged(
        conversations=purge_conversations(tracker_url(tracker), days) if "conversations" in parts else 0,
        handoffs=purge_handoffs(database_url) if "handoffs" in parts else 0,
        contacts=purge_contacts(database_url) if "contacts" in parts else 0,
    )


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot retention", description="De bewaartermijnen uitvoeren.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("purge", help="verwijderen wat langer dan de bewaartermijn bewaard is")
    run.add_argument("--only", choices=PARTS, action="append", help="alleen dit deel (mag vaker); standaard alles")
    run.add_argument(
        "--days", type=int, default=settings.CONVERSATION_RETENTION_DAYS, help="bewaartermijn van gesprekken in dagen"
    )
    run.add_argument("--tracker-db", help="SQLite-bestand of database-URL van de gespreksopslag")
    run.add_argument("--db", help="database-URL van overdrachten en contactgegevens (standaard DATABASE_URL)")
    args = parser.parse_args(argv)
    print(purge(args.db, args.tracker_db, args.days, tuple(args.only or PARTS)).report())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
