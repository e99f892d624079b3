"""Who the opinion groups place: the fewest opinions that place a person, and how many people gave each number."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np

# Polis places a participant once they judged 7 statements (or all of them, when there are fewer).
MIN_OPINIONS = 7


def least_opinions_placed(people_by_opinions: Mapping[int, int], actions: int, k: int) -> int:
    """The fewest opinions that place a person in the opinion groups, given how many people gave each number of
    opinions and on how many actions: `MIN_OPINIONS` (or every action, when there are fewer), unless fewer than k
    people would be left out, who are then placed with the others (0: everyone is placed), as their number could
    be worked out from each action's opinions (see opinion_groups)."""
    least = min(MIN_OPINIONS, actions)
    left_out = sum(people for given, people in people_by_opinions.items() if given < least)
    return least if left_out >= k else 0


def people_by_opinions(opinions: np.ndarray) -> tuple[dict[int, int], int]:
    """How many people gave each number of `opinions` (rows of `CountedVotes.opinions`), and on how many actions."""
    _people, given = np.unique(opinions[:, 0], return_counts=True)
    return dict(Counter(given.tolist())), len(np.unique(opinions[:, 1]))
