"""What the summary's tables and the sections built beside them (results by neighbourhood, representativeness)
count with: counts summed over some of their keys, and whether a breakdown can be given."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping


def sums(counts: Mapping[tuple, int], *positions: int) -> dict[tuple, int]:
    """`counts` summed over every key item but those at `positions`: {(a, b, c): n} → {(a,): Σ n} for (0,)."""
    summed: dict = defaultdict(int)
    for key, number in counts.items():
        summed[tuple(key[position] for position in positions)] += number
    return summed


def detailable(k: int, *shown: int) -> bool:
    """Whether an action's breakdowns of figures the site shows exact (`shown`) can be given: each is 0 or 2k − 1
    or more, the least total in which a group of k or more can hide a small group (k − 1 and k of 2k − 1: either
    may be the small one). Below, a breakdown cannot keep its small group's promise: with k = 5, a total of 7 and a
    group of 5 published leave 2 at most to the rest, which « < 5 » says may be 4."""
    return all(count == 0 or count >= 2 * k - 1 for count in shown)
