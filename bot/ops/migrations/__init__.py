"""Alembic migrations for the whole application database, driven by bot/ops/migrate.py."""
