"""No small count can be worked out from what the insight pages show (#20): a row's total or the whole the rows add up
to would otherwise give a hidden count away by subtraction. Checked against an attacker who knows every shown figure,
that hidden ones are below 5 (or, left out for protection, 5 or more) and solves for each with integer programming."""

from __future__ import annotations

import random
from typing import List, Optional, Sequence

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from bot.insight.report import HIDDEN, SMALL, protect


def test_a_total_that_would_give_a_small_count_away_is_left_out() -> None:
    assert protect([[12, 8, 3, 9]]) == [[12, 8, "< 5", 9, HIDDEN]]  # 32 - 29 would be 3
    assert protect([[12, 8, 0, 9]]) == [[12, 8, "< 5", 9, 29]]  # that nobody did something is no secret
    assert protect([[5, 6, 7]]) == [[5, 6, 7, 18]]
    assert protect([[1, 2]]) == [["< 5", "< 5", "< 5"]]
    assert protect([[4, 4]]) == [["< 5", "< 5", HIDDEN]]  # 8 would pin both to 4


def test_parts_of_a_whole_leave_out_the_smallest_part_not_the_whole() -> None:
    # Outcomes of 73 handoffs: 3 and 70; showing 70 would give the 3 away.
    assert protect([[3], [70]], [73]) == [["< 5", "< 5"], [HIDDEN, HIDDEN], [73, 73]]


def attacker_range(shown: List[List[object]], values: List[List[int]], has_whole: bool, cell: tuple) -> tuple:
    """The least and most an integer solution allows for `cell`, from what is shown and how the table adds up."""
    rows, width = len(values), len(values[0])
    unknown = [(r, c) for r in range(rows) for c in range(width) if not isinstance(shown[r][c], int)]
    index = {u: i for i, u in enumerate(unknown)}
    equations, right = [], []
    lines = [[((r, c), -1 if c == width - 1 else 1) for c in range(width)] for r in range(rows)]
    if has_whole:
        lines += [[((r, c), -1 if r == rows - 1 else 1) for r in range(rows)] for c in range(width)]
    for line in lines:
        row, known = np.zeros(len(unknown)), 0
        for (r, c), sign in line:
            if (r, c) in index:
                row[index[(r, c)]] = sign
            else:
                known += sign * values[r][c]
        equations.append(row)
        right.append(-known)
    low = [0 if shown[r][c] == f"< {SMALL}" else SMALL for r, c in unknown]
    high = [SMALL - 1 if shown[r][c] == f"< {SMALL}" else np.inf for r, c in unknown]
    found = []
    for sign in (1, -1):
        objective = np.zeros(len(unknown))
        objective[index[cell]] = sign
        result = milp(
            objective,
            constraints=LinearConstraint(np.array(equations), right, right),
            integrality=np.ones(len(unknown)),
            bounds=Bounds(low, high),
        )
        assert result.success
        found.append(round(sign * result.fun))
    return found[0], found[1]


def random_table(rng: random.Random) -> tuple:
    rows = [[rng.choice([0, 1, 2, 3, 4, 4, 6, 9, 12, 30]) for _ in range(rng.randint(2, 5))]]
    rows += [[rng.choice([0, 1, 2, 3, 4, 6, 9, 12, 30]) for _ in rows[0]] for _ in range(rng.randint(0, 4))]
    whole: Optional[Sequence[int]] = [sum(col) for col in zip(*rows)] if len(rows) > 1 and rng.random() < 0.7 else None
    return rows, whole


@pytest.mark.parametrize("seed", range(6))
def test_no_small_count_can_be_worked_out(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        rows, whole = random_table(rng)
        shown = protect(rows, whole)
        values = [[*row, sum(row)] for row in [*rows, *([list(whole)] if whole else [])]]
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                if shown[r][c] == f"< {SMALL}" and value > 0:
                    least, most = attacker_range(shown, values, whole is not None, (r, c))
                    assert most - least >= 2, (rows, whole, shown, (r, c), (least, most))
