"""Command line for the social map: `python -m bot socialmap <command> …` (see `--help`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable, Dict, List

from bot.common import regions, settings
from bot.common.db import session_scope
from bot.ops.migrate import require_up_to_date, upgrade
from bot.socialmap import front_doors, generator, hsds_io, reports
from bot.socialmap.search import record_unmet_need, search

OK, PROBLEM, USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot socialmap", description="De sociale kaart beheren.")
    parser.add_argument("--db", help="database-URL (standaard DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="HSDS-gegevens importeren (alles of niets)")
    imp.add_argument("path", type=Path, help="map met CSV-bestanden (en datapackage.json), of één HSDS-JSON-bestand")
    imp.add_argument("--replace-source", metavar="BRON", help="eerst alle records van deze bron verwijderen")
    exp = sub.add_parser("export", help="de sociale kaart als HSDS-gegevens wegschrijven")
    exp.add_argument("path", type=Path)
    exp.add_argument("--source", metavar="BRON", help="alleen records van deze bron")
    exp.add_argument(
        "--public-ids",
        action="store_true",
        help="ids als UUID, zoals de HSDS-API ze laat zien (voor andere systemen; niet om terug te importeren)",
    )
    stale = sub.add_parser("stale", help="records die lang niet zijn gecontroleerd")
    stale.add_argument(
        "--days",
        type=int,
        default=None,
        help=f"ouder dan zoveel dagen (standaard WW_STALE_DAYS, nu {settings.STALE_DAYS})",
    )
    gen = sub.add_parser("generate", help="een synthetische sociale kaart maken (voorbeeldgegevens)")
    gen.add_argument("--services", type=int, required=True)
    gen.add_argument("--seed", type=int, required=True)
    gen.add_argument("path", type=Path)
    rem = sub.add_parser("remove-source", help="alle records van één bron verwijderen")
    rem.add_argument("source", metavar="BRON")
    sub.add_parser("load-shipped", help="de meegeleverde gegevens (knowledge/socialmap) laden; veilig om te herhalen")
    sub.add_parser("regions-report", help="de gemeenten en arbeidsmarktregio's van 2026 en fouten in de regiobestanden")
    doors = sub.add_parser(
        "front-doors",
        help="de voordeur van elke gemeente (werk en inkomen) als HSDS-gegevens "
        "schrijven, uit het Register van Overheidsorganisaties",
    )
    doors.add_argument("path", type=Path, help="map, bijvoorbeeld knowledge/socialmap/gemeenten")
    find = sub.add_parser("search", help="zoeken zoals de assistent dat doet")
    find.add_argument("theme")
    find.add_argument("gemeente", nargs="?", default=None)
    find.add_argument("--audience", default=None)
    find.add_argument("--limit", type=int, default=3)
    find.add_argument("--offset", type=int, default=0)
    find.add_argument("--record-unmet", action="store_true", help="niets in de buurt? tel het als onvervulde vraag")
    sub.add_parser("unmet-needs", help="vragen waarvoor in de buurt niets gevonden werd")
    return parser


def _import(args: argparse.Namespace) -> int:
    try:
        with session_scope(args.db) as session:
            report = hsds_io.import_package(session, args.path, args.replace_source)
    except hsds_io.ImportRejected as rejected:
        print("\n".join(rejected.report.lines()))
        return PROBLEM
    print("\n".join(report.lines()))
    return OK


def _export(args: argparse.Namespace) -> int:
    with session_scope(args.db) as session:
        counts = hsds_io.export_package(session, args.path, args.source, public_ids=args.public_ids)
    print(f"Geëxporteerd naar {args.path}: " + ", ".join(f"{n} in {f}" for f, n in counts.items() if n) + ".")
    return OK


def _stale(args: argparse.Namespace) -> int:
    days = settings.STALE_DAYS if args.days is None else args.days
    with session_scope(args.db) as session:
        found = reports.stale_records(session, days)
    print(f"{len(found)} record(s) niet gecontroleerd in de laatste {days} dagen.")
    for r in found:
        print(f"- {r.assured_date} {r.table} {r.id} ({r.label}) bron {r.source}{' [voorbeeld]' if r.demo else ''}")
    return OK


def _generate(args: argparse.Namespace) -> int:
    records = generator.write_generated(args.path, args.services, args.seed)
    print(f"{len(records['service'])} diensten gemaakt in {args.path} (seed {args.seed}, voorbeeldgegevens).")
    return OK


def _remove_source(args: argparse.Namespace) -> int:
    try:
        with session_scope(args.db) as session:
            removed = hsds_io.remove_source(session, args.source)
    except hsds_io.ImportRejected as rejected:
        print(f"Niets verwijderd: andere gegevens verwijzen nog naar bron '{args.source}'.")
        print("\n".join(f"- {p}" for p in rejected.report.problems))
        return PROBLEM
    print(f"{removed} records van bron '{args.source}' verwijderd.")
    return OK


def _load_shipped(args: argparse.Namespace) -> int:
    upgrade(args.db)
    try:
        with session_scope(args.db) as session:
            loaded = hsds_io.load_shipped(session)
    except hsds_io.ImportRejected as rejected:
        print("\n".join(rejected.report.lines()))
        return PROBLEM
    for report in loaded:
        print("\n".join(report.lines()))
    return OK


def _regions_report(args: argparse.Namespace) -> int:
    return regions.main([])


def _front_doors(args: argparse.Namespace) -> int:
    written = front_doors.write(args.path)
    print(f"{written} voordeuren van gemeenten geschreven naar {args.path} (bron {front_doors.SOURCE}).")
    return OK


def _search(args: argparse.Namespace) -> int:
    with session_scope(args.db) as session:
        try:
            result = search(session, args.theme, args.gemeente, args.audience, args.limit, args.offset)
        except ValueError as exc:
            print(exc)
            return PROBLEM
        if args.record_unmet and not result.found_nearby:
            record_unmet_need(session, result.theme, args.gemeente)
    where = result.gemeente.name if result.gemeente else "onbekende gemeente"
    found = ", ".join(f"{level} {n}" for level, n in result.counts.items())
    print(f"Thema {result.theme}, {where} ({found}){', er is meer' if result.has_more else ''}:")
    for hit in result.hits:
        extra = ", ".join(x for x in (hit.website, hit.phone, hit.email, hit.address, hit.opening_text) if x)
        print(f"- [{hit.level}] {hit.name} ({hit.organization}){' [voorbeeldgegevens]' if hit.demo else ''}: {extra}")
    return OK


def _unmet_needs(args: argparse.Namespace) -> int:
    with session_scope(args.db) as session:
        for need in reports.unmet_needs(session):
            print(f"- {need.theme} in {need.gemeente_code}: {need.count}x ({need.first_seen} tot {need.last_seen})")
    return OK


COMMANDS: Dict[str, Callable[[argparse.Namespace], int]] = {
    "import": _import,
    "export": _export,
    "stale": _stale,
    "generate": _generate,
    "remove-source": _remove_source,
    "load-shipped": _load_shipped,
    "regions-report": _regions_report,
    "search": _search,
    "unmet-needs": _unmet_needs,
    "front-doors": _front_doors,
}
# These only read or write files, or make their own databases.
WITHOUT_DATABASE = ("generate", "load-shipped", "regions-report", "front-doors")


def main(argv: List[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command not in WITHOUT_DATABASE and not require_up_to_date(args.db):
        return USAGE
    return COMMANDS[args.command](args)
