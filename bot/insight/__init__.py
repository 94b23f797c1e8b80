"""Insight for the gemeente (#20): what people ask, what the assistant could not answer, gaps in the social map and
whether handoff promises were kept — as counts, never as conversations (docs/insight.md)."""
