"""The request's database session: opened on first use through bot.common.db, closed (rolled back if uncommitted)
at the end."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from bot.common.db import get_engine


def get_db() -> Session:
    if "db" not in g:
        g.db = sessionmaker(bind=get_engine(current_app.config["DATABASE_URL"]), future=True)()
    return g.db


def _close(_error: object = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)
