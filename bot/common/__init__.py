"""Shared by every part: settings, the database session, gemeenten and regions, privacy checks, content files."""
