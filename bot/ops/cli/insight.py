"""Command line for insight (#20): `python -m bot insight samenvatting --gemeente GM0363 [--maand 2026-11]
[--uit FILE]`, the monthly summary in Markdown for the wethouder (made by bot/insight/summary.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List

from bot.common.clock import today
from bot.common.db import session_scope
from bot.insight import summary
from bot.ops.migrate import require_up_to_date

OK, PROBLEM, WRONG_INPUT = 0, 1, 2  # 2 as argparse's own for a wrong argument


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot insight", description="Inzicht voor de gemeente.")
    parser.add_argument("--db", help="database-URL (standaard DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    made = sub.add_parser("samenvatting", help="een maandsamenvatting in Markdown voor de wethouder")
    made.add_argument("--gemeente", required=True, action="append", help="CBS-code, bijvoorbeeld GM0363 (mag vaker)")
    made.add_argument("--maand", help="jaar en maand, bijvoorbeeld 2026-11 (standaard de vorige hele maand)")
    made.add_argument("--uit", type=Path, help="het bestand voor de samenvatting (standaard het scherm)")
    return parser


def _summary(args: argparse.Namespace) -> int:
    day = today()
    try:  # before the database, so that a typo gets its answer at once
        codes, month = summary.choose(args.gemeente, args.maand, day)
    except summary.SummaryError as problem:
        print(problem, file=sys.stderr)
        return WRONG_INPUT
    if not require_up_to_date(args.db):
        return PROBLEM
    with session_scope(args.db) as session:
        text = summary.monthly_summary(session, codes, month.key, day)
    if not args.uit:
        sys.stdout.write(text)
        return OK
    try:
        args.uit.write_text(text, encoding="utf-8")
    except OSError as problem:
        print(
            f"Kon de samenvatting niet schrijven naar {args.uit}: bestaat de map, en mag er geschreven worden? "
            f"({problem.strerror or problem})",
            file=sys.stderr,
        )
        return PROBLEM
    print(f"Samenvatting van {month.label} geschreven naar {args.uit}.")
    return OK


COMMANDS = {"samenvatting": _summary}


def main(argv: List[str]) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)
