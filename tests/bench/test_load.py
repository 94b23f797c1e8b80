"""The load generator against the real running stack, and how it counts answers, losses and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.conversation.messages import text as system_text
from bot.ops.stack import Stack
from bot.tools.bench import __main__ as cli
from bot.tools.bench.load import Tally, judge, percentile, warm_up
from bot.tools.bench.runner import Options, measure_level
from bot.tools.bench.scripts import Script, Turn, moodbot, wegwijzer
from bot.tools.bench.servers import Target, rest_url

SCRIPT = Script("test", ((Turn("hallo", "Welkom"),),), failure_texts=("Sorry, stuk",))


@pytest.mark.parametrize(
    "status, body, counted",
    [
        (200, [{"text": "Welkom terug"}], "answered"),
        (200, [], "lost"),
        (500, None, "errors"),
        (200, {"oops": 1}, "errors"),
        (200, [{"text": "Sorry, stuk"}], "errors"),
    ],
)
def test_every_response_is_counted_once(status, body, counted):
    tally = Tally()
    judge(SCRIPT.conversations[0][0], status, body, SCRIPT, tally)
    figures = {"answered": tally.answered, "lost": tally.lost, "errors": tally.errors}
    assert figures == {name: int(name == counted) for name in figures}


def test_an_answer_without_the_expected_words_is_unexpected_not_an_error():
    tally = Tally()
    judge(SCRIPT.conversations[0][0], 200, [{"text": "Iets anders"}], SCRIPT, tally)
    assert (tally.answered, tally.unexpected, tally.errors) == (1, 1, 0)


def test_our_failure_message_counts_as_an_error():
    assert system_text("technical_problem") in wegwijzer().failure_texts


def test_scripts_send_the_same_number_of_messages_per_conversation():
    lengths = {len(c) for script in (wegwijzer(), moodbot()) for c in script.conversations}
    assert lengths == {4}


def test_percentiles():
    assert percentile([], 95) is None
    assert percentile([10.0, 20.0, 30.0], 50) == 20.0


def test_rest_url_accepts_a_base_or_the_webhook():
    assert rest_url("http://h:8000/") == "http://h:8000/webhooks/rest/webhook"
    assert rest_url("http://h:8000/webhooks/rest/webhook") == "http://h:8000/webhooks/rest/webhook"


@pytest.mark.stack
def test_every_conversation_is_understood_by_the_running_stack(stack: Stack):
    """The bench's conversations hold: the gemeente of the search is remembered for the follow-up."""
    tally = warm_up(stack.rest_url, wegwijzer())
    assert tally.answered == tally.sent == 16
    assert tally.unexpected == 0, tally.unexpected_samples


@pytest.mark.stack
def test_two_users_get_every_answer_from_the_running_stack(stack: Stack):
    target = Target("wegwijzer", stack.rest_url, [s.process.pid for s in stack.services if s.process])
    level = measure_level(target, wegwijzer(), 2, Options(duration=8, think=(0.2, 0.6)))
    assert level["sent"] >= 6 and level["answered"] == level["sent"]
    assert (level["errors"], level["lost"], level["unexpected"]) == (0, 0, 0), level["error_samples"]
    assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"] <= level["max_ms"]
    assert level["msgs_per_s"] > 0
    assert level["step_p50_ms"][0] and level["step_p50_ms"][1], "the knowledge question and the search are timed"
    # Rasa alone holds a model in memory: far more than 100 MB for the whole tree.
    assert level["peak_rss_mb"] > 100
    # Every answer costs the servers some CPU time, and no message takes a whole CPU second on this small load.
    assert 0 < level["cpu_ms_per_msg"] < 1000


@pytest.mark.stack
def test_the_command_line_drives_a_deployment_by_its_url(stack: Stack, tmp_path: Path):
    base = stack.rest_url.rsplit("/webhooks", 1)[0]
    code = cli.main(
        [
            "--target-url",
            base,
            "--users",
            "1",
            "--duration",
            "3",
            "--think",
            "0.2,0.4",
            "--no-reference",
            "--no-training",
            "--socialmap-sizes",
            "",
            "--no-insight",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    result = json.loads((tmp_path / "bench.json").read_text())
    (level,) = result["ours"]
    assert level["bot"] == "target" and level["answered"] >= 1 and level["peak_rss_mb"] is None
    assert level["cpu_ms_per_msg"] is None, "another deployment's processes are not ours to measure"
    assert result["reference"] == [] and all(t["met"] is None for t in result["targets"])
    assert (tmp_path / "bench.png").stat().st_size > 0
