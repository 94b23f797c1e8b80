"""Tests of the social map (bot/socialmap) on real SQLite files and, when reachable, PostgreSQL."""
