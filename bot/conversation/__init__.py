"""What the assistant says: the knowledge library, answers, conversation care, its own messages, and the
conversation store (forgetting one conversation, purging idle ones)."""
