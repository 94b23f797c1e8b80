"""Wegwijzer Werk: the code behind the assistant, one folder per job (layout map: README, "Where things are")."""
