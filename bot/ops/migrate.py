"""Database migrations (Alembic, configured here instead of alembic.ini): `python -m bot db upgrade`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.common import settings
from bot.common.db import get_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: Optional[str] = None) -> Config:
    """An Alembic configuration for `url` (default: settings.DATABASE_URL), without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; a password may contain it.
    config.set_main_option("sqlalchemy.url", (url or settings.DATABASE_URL).replace("%", "%%"))
    return config


def _run(url: Optional[str], action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    # Reuse the application's engine so SQLite gets the same pragmas (foreign keys on) as at run time.
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        action(config, *args, **kwargs)


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the newest)."""
    _run(url, command.upgrade, revision)


def downgrade(url: Optional[str], revision: str) -> None:
    _run(url, command.downgrade, revision)


def current_revision(url: Optional[str] = None) -> Optional[str]:
    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> Optional[str]:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(url: Optional[str] = None) -> bool:
    return current_revision(url) == head_revision()


def require_up_to_date(url: Optional[str] = None) -> bool:
    """True when the database is at the newest migration; otherwise say what to run."""
    if is_up_to_date(url):
        return True
    print("De database is niet bijgewerkt. Voer eerst uit: python -m bot db upgrade")
    return False


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot db", description="Migraties van de applicatiedatabase.")
    parser.add_argument("--url", help="database-URL (standaard DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upgrade", help="database bijwerken (standaard naar de nieuwste versie)")
    up.add_argument("revision", nargs="?", default="head")
    down = sub.add_parser("downgrade", help="database terugzetten naar een eerdere versie")
    down.add_argument("revision")
    sub.add_parser("current", help="versie van de database tonen")
    sub.add_parser("heads", help="nieuwste versie van de migraties tonen")
    rev = sub.add_parser("revision", help="nieuwe migratie maken (voor ontwikkelaars)")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        upgrade(args.url, args.revision)
        print(f"Database bijgewerkt tot {current_revision(args.url)}.")
    elif args.command == "downgrade":
        downgrade(args.url, args.revision)
        print(f"Database teruggezet tot {current_revision(args.url)}.")
    elif args.command == "current":
        print(current_revision(args.url) or "(leeg)")
    elif args.command == "heads":
        print(head_revision())
    else:
        _run(args.url, command.revision, message=args.message, autogenerate=args.autogenerate)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
