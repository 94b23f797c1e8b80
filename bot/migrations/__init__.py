"""Alembic migrations for the whole application database, driven by bot/migrate.py."""
