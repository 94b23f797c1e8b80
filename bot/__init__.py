"""Wegwijzer Werk: the domain code behind the assistant (knowledge, social map, handoff, privacy, portal)."""
