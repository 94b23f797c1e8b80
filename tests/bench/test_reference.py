"""The reference bot: `rasa init` creates and trains the moodbot, and it answers the moodbot's conversation.

The slowest test of the benchmark (about a minute on 2 cores: rasa init trains a model), kept because the
reference bot is what every latency figure is divided by.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tools.bench.load import warm_up
from bot.tools.bench.scripts import moodbot
from bot.tools.bench.servers import reference_bot


@pytest.mark.stack
def test_the_reference_bot_is_created_trained_and_answers(tmp_path: Path):
    with reference_bot(tmp_path) as target:
        assert target.facts["init_and_train_s"] > 0 and target.pids
        tally = warm_up(target.url, moodbot())
    assert tally.sent == 12 and tally.answered == 12 and (tally.errors, tally.lost, tally.unexpected) == (0, 0, 0)
