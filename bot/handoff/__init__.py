"""Warm handoff: with the person's consent, their question, a summary and the conversation go to a consulent."""
