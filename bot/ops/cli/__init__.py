"""The command line of each area, dispatched by `python -m bot` (bot/__main__.py)."""
