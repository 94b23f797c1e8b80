"""Reference codes: readable alphabet, a check character that catches typos, forgiving input, unique."""

from __future__ import annotations

import re

import pytest

from bot.handoff.codes import (
    ALPHABET,
    check_character,
    is_valid_code,
    new_code,
    normalise_code,
    unique_code,
)

EXAMPLE = "WW-7K3M-QN"


def test_alphabet_has_no_lookalikes() -> None:
    assert not set("0O1IL5S8B") & set(ALPHABET)
    assert len(ALPHABET) == len(set(ALPHABET)) == 23


def test_new_codes_have_the_shape_and_pass_their_check() -> None:
    made = {new_code() for _ in range(500)}
    assert len(made) > 490
    for code in made:
        assert re.fullmatch(rf"WW-[{ALPHABET}]{{4}}-[{ALPHABET}]{{2}}", code)
        assert is_valid_code(code)


@pytest.mark.parametrize(
    "typed", ["WW-7K3M-QN", "ww-7k3m-qn", "ww 7k3m qn", "WW7K3MQN", "7K3MQN", " 7k3m-qn ", "WW 7 K 3 M Q N"]
)
def test_normalise_accepts_what_people_type(typed: str) -> None:
    assert normalise_code(typed) == EXAMPLE
    assert is_valid_code(typed)


@pytest.mark.parametrize(
    "typed", ["", "hallo", "WW-7K3M-Q", "WW-7K3M-QNN", "WW-0K3M-QN", "WW-7K3M-Q9", "XX-7K3M-QN", "WW-7K3M-QN-7K3M-QN"]
)
def test_malformed_or_wrong_check(typed: str) -> None:
    assert not is_valid_code(typed)


def test_every_single_typo_and_neighbour_swap_is_caught() -> None:
    body = "7K3MQN"
    for i in range(6):
        for other in ALPHABET.replace(body[i], ""):
            assert not is_valid_code(body[:i] + other + body[i + 1 :])
    for i in range(5):
        if body[i] != body[i + 1]:
            assert not is_valid_code(body[:i] + body[i + 1] + body[i] + body[i + 2 :])
    assert check_character("7K3MQ") == "N"


def test_unique_code_retries_on_collision() -> None:
    calls = []

    def exists(code: str) -> bool:
        calls.append(code)
        return len(calls) < 3  # the first two are "taken"

    code = unique_code(exists)
    assert len(calls) == 3 and code == calls[-1]
    with pytest.raises(RuntimeError):
        unique_code(lambda code: True, attempts=5)
