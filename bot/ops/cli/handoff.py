"""Command line for handoffs: `python -m bot handoff {notify,status,purge,check-config,requeue}` (see `--help`)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from functools import partial
from pathlib import Path
from typing import List

from bot.common import settings
from bot.common.db import session_scope
from bot.handoff import codes, notifier, service
from bot.handoff.config import ConfigError, load_config
from bot.ops.migrate import require_up_to_date
from bot.ops.retention import purge_handoffs

OK, PROBLEM = 0, 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot handoff", description="Overdrachten naar consulenten.")
    parser.add_argument("--db", help="database-URL (standaard DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    notify = sub.add_parser("notify", help="klaarstaande overdrachten naar de gemeenten sturen")
    notify.add_argument("--once", action="store_true", help="één ronde en dan stoppen")
    notify.add_argument(
        "--interval",
        type=float,
        default=None,
        help=f"seconden tussen rondes (standaard {settings.HANDOFF_NOTIFY_INTERVAL_SECONDS})",
    )
    status = sub.add_parser("status", help="de stand van een overdracht opzoeken")
    status.add_argument("code")
    sub.add_parser("purge", help="afgesloten overdrachten na de bewaartermijn verwijderen (tellingen blijven)")
    check = sub.add_parser("check-config", help="knowledge/handoff/gemeenten.yml controleren")
    check.add_argument("--path", type=Path, default=None)
    requeue = sub.add_parser("requeue", help="een gemarkeerde overdracht opnieuw laten versturen")
    requeue.add_argument("code")
    return parser


def _notify(args: argparse.Namespace) -> int:
    factory = partial(session_scope, args.db)
    if args.once:
        print(notifier.deliver_pending(factory))
        return OK
    stop = threading.Event()
    # Stop between rounds on Ctrl-C or SIGTERM: a message being sent is finished or safely retried later.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print("Notifier draait; Ctrl-C stopt.")
    notifier.run_forever(args.interval, factory, stop)
    return OK


def _status(args: argparse.Namespace) -> int:
    with session_scope(args.db) as session:
        print(service.status_message(session, args.code))
        return OK if service.status_of(session, args.code) else PROBLEM


def _purge(args: argparse.Namespace) -> int:
    deleted = purge_handoffs(args.db)  # the retention job's handoff part (bot/ops/retention.py)
    print(f"{deleted} afgesloten overdracht(en) verwijderd; alleen de aantallen per gemeente en maand blijven.")
    return OK


def _check_config(args: argparse.Namespace) -> int:
    path = args.path or settings.HANDOFF_CONFIG
    try:
        config = load_config(path)
    except ConfigError as error:
        print(f"{error.path}: {len(error.problems)} probleem/problemen")
        for problem in error.problems:
            print(f"- {problem}")
        return PROBLEM
    examples = sum(1 for e in config.entries.values() if e.example)
    print(
        f"{path}: in orde. {len(config.entries)} gemeenten met een eigen vermelding ({examples} voorbeeld), "
        f"plus 'default' ({'webhook' if config.default.endpoint else 'alleen portaal'})."
    )
    for warning in config.warnings:
        print(f"- let op: {warning}")
    return OK


def _requeue(args: argparse.Namespace) -> int:
    if not codes.is_valid_code(args.code):
        print("Dit is geen geldige code.")
        return PROBLEM
    with session_scope(args.db) as session:
        try:
            count = service.requeue(session, args.code)
        except LookupError:
            print(f"Geen overdracht met code {codes.normalise_code(args.code)}.")
            return PROBLEM
    print(f"{count} bericht(en) opnieuw klaargezet.")
    return OK


COMMANDS = {"notify": _notify, "status": _status, "purge": _purge, "check-config": _check_config, "requeue": _requeue}


def main(argv: List[str]) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command != "check-config" and not require_up_to_date(args.db):
        return PROBLEM
    try:
        return COMMANDS[args.command](args)
    except ConfigError as error:
        print(f"De configuratie van de overdracht klopt niet ({error.path}):")
        for problem in error.problems:
            print(f"- {problem}")
        return PROBLEM
