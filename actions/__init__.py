"""Custom Rasa actions: thin adapters that read the tracker, call the domain code in `bot/`, and reply."""
