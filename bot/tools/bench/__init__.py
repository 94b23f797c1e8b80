"""`make bench`: speed, cost and scale of the running assistant, beside a reference Rasa bot on the same machine.

`python -m bot.tools.bench --help` lists the options; docs/measures/README.md explains the figures.
"""
