"""Understanding what people write: long stories, several questions at once, follow-ups and reference codes."""
