"""Majority judgment (Balinski–Laraki) computed from merit profiles.

A profile is the number of judges per grade, worst to best (0 = "À rejeter" … 6 = "Excellent"): working on
these 7 counts only lets callers aggregate ballots in SQL (GROUP BY grade) and never load them into Python.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from functools import cmp_to_key
from typing import TypeVar

GRADE_COUNT = 7

K = TypeVar("K", bound=Hashable)


def _counts(profile: Sequence[int]) -> list[int]:
    """A mutable copy of the counts; a malformed profile would otherwise silently give a wrong grade."""
    if len(profile) != GRADE_COUNT or any(count < 0 for count in profile):
        raise ValueError(f"expected {GRADE_COUNT} non-negative counts, got {list(profile)!r}")
    return list(profile)


def _lower_middle(counts: Sequence[int], judges: int) -> int:
    """The grade at index (judges - 1) // 2 of the sorted grades, found by walking the counts, not the judges."""
    position = (judges - 1) // 2
    for grade, count in enumerate(counts[:-1]):
        if position < count:
            return grade
        position -= count
    return GRADE_COUNT - 1


def majority_grade(profile: Sequence[int]) -> int | None:
    """The lower middle grade: with an even number of judges, the worse of the two middle grades, as
    Balinski–Laraki do so that a majority of judges grants *at least* this grade. None without judges."""
    counts = _counts(profile)
    judges = sum(counts)
    return _lower_middle(counts, judges) if judges else None


def median_sequence(profile: Sequence[int]) -> Iterator[int]:
    """The majority value, lazily: the majority grade, then the majority grade once one judge of that grade is
    removed, and so on until no judge is left. O(7) per step, on the counts, so a comparison that stops early
    costs almost nothing even with many judges."""
    counts = _counts(profile)
    for judges in range(sum(counts), 0, -1):
        grade = _lower_middle(counts, judges)
        yield grade
        counts[grade] -= 1


def compare_majority_values(a: Sequence[int], b: Sequence[int]) -> int:
    """-1, 0 or 1 as the majority value of `a` is worse than, equal to or better than that of `b`.

    The median sequences are compared lexicographically, stopping at the first difference. When the profiles
    have different numbers of judges (missing grades not counted) and one sequence is a prefix of the other,
    the longer one wins: equal as far as both go, and granted by more judges. This keeps the comparison a
    total order, so the ranking does not depend on the order actions are listed in.
    """
    sequence_a, sequence_b = median_sequence(a), median_sequence(b)
    while True:
        grade_a, grade_b = next(sequence_a, None), next(sequence_b, None)
        if grade_a == grade_b:
            if grade_a is None:
                return 0
            continue
        if grade_a is None or grade_b is None:
            return -1 if grade_a is None else 1
        return 1 if grade_a > grade_b else -1


def rank_by_majority_value(profiles: Mapping[K, Sequence[int]]) -> dict[K, int]:
    """Competition ranks, 1 = best, equal majority values sharing a rank and the next rank skipped (1, 2, 2, 4).

    Profiles without judges have no majority value and get no rank. The sort is stable, so equal profiles keep
    the mapping's order and the result is deterministic; the lazy comparison only walks tied profiles deeply.
    """
    graded = [key for key, profile in profiles.items() if majority_grade(profile) is not None]

    def better_first(a: K, b: K) -> int:
        return compare_majority_values(profiles[b], profiles[a])

    best_first = sorted(graded, key=cmp_to_key(better_first))
    ranks: dict[K, int] = {}
    for position, key in enumerate(best_first):
        previous = best_first[position - 1]  # only read when position > 0
        tied = position > 0 and compare_majority_values(profiles[previous], profiles[key]) == 0
        ranks[key] = ranks[previous] if tied else position + 1
    return ranks
