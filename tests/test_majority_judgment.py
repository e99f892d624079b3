"""Majority judgment over merit profiles: profile[g] = judges giving grade g, 0 = "À rejeter" … 6 = "Excellent"."""

from __future__ import annotations

import random

import pytest

from pedt_participation.committee.majority_judgment import (
    compare_majority_values,
    majority_grade,
    median_sequence,
    rank_by_majority_value,
)


def brute_force_median_sequence(profile: list[int]) -> list[int]:
    """The definition applied to individual ballots, to check the count-based version against."""
    ballots = sorted(grade for grade, count in enumerate(profile) for _ in range(count))
    sequence = []
    while ballots:
        sequence.append(ballots.pop((len(ballots) - 1) // 2))
    return sequence


def test_majority_grade_with_an_odd_number_of_judges_is_the_middle_grade():
    # Grades 1, 3, 3, 5, 6: the middle one (index 2) is 3.
    assert majority_grade([0, 1, 0, 2, 0, 1, 1]) == 3


def test_majority_grade_with_an_even_number_of_judges_is_the_lower_middle_grade():
    # Grades 2, 2, 5, 5: the two middle grades are 2 and 5; the lower one wins.
    assert majority_grade([0, 0, 2, 0, 0, 2, 0]) == 2


def test_majority_grade_without_judges_is_none():
    assert majority_grade([0] * 7) is None


def test_malformed_profiles_are_rejected():
    with pytest.raises(ValueError):
        majority_grade([1, 2, 3])
    with pytest.raises(ValueError):
        majority_grade([1, 0, 0, -1, 0, 0, 0])


def test_median_sequence_matches_the_definition_on_ballots():
    generator = random.Random(2026)
    for _ in range(200):
        profile = [generator.randint(0, 4) for _ in range(7)]
        assert list(median_sequence(profile)) == brute_force_median_sequence(profile)


def test_the_tie_break_decides_between_actions_with_the_same_majority_grade():
    # A: grades 2, 3, 3, 3, 4 -> 3; without one 3: 2, 3, 3, 4 -> 3; then 2, 3, 4 -> 3; then 2, 4 -> 2; then 4.
    # B: grades 1, 3, 3, 3, 5 -> 3; without one 3: 1, 3, 3, 5 -> 3; then 1, 3, 5 -> 3; then 1, 5 -> 1; then 5.
    # Majority values 3, 3, 3, 2, 4 and 3, 3, 3, 1, 5: equal until the fourth grade, where A's 2 beats B's 1.
    a = [0, 0, 1, 3, 1, 0, 0]
    b = [0, 1, 0, 3, 0, 1, 0]
    assert majority_grade(a) == majority_grade(b) == 3
    assert list(median_sequence(a)) == [3, 3, 3, 2, 4]
    assert list(median_sequence(b)) == [3, 3, 3, 1, 5]
    assert compare_majority_values(a, b) == 1
    assert compare_majority_values(b, a) == -1
    assert rank_by_majority_value({"B": b, "A": a}) == {"A": 1, "B": 2}


def test_a_true_tie_shares_the_rank_and_skips_the_next_one():
    best = [0, 0, 0, 1, 3, 1, 0]  # majority grade 4
    tied = [0, 1, 1, 2, 1, 0, 0]  # majority grade 3, twice the same profile
    worst = [2, 2, 1, 0, 0, 0, 0]  # majority grade 1
    ranks = rank_by_majority_value({"worst": worst, "tied 1": tied, "best": best, "tied 2": list(tied)})
    assert ranks == {"best": 1, "tied 1": 2, "tied 2": 2, "worst": 4}


def test_more_excellent_grades_do_not_beat_a_better_majority_grade():
    many_excellent = [0, 0, 0, 0, 3, 0, 2]  # grades 4, 4, 4, 6, 6: majority grade 4
    all_very_good = [0, 0, 0, 0, 0, 5, 0]  # majority grade 5
    assert rank_by_majority_value({"excellent": many_excellent, "very good": all_very_good}) == {
        "very good": 1,
        "excellent": 2,
    }


def test_with_different_numbers_of_judges_the_longer_equal_sequence_wins_whatever_the_order():
    # One judge (3) against two (3, 3): equal on every judge both have, and the second has one more.
    assert compare_majority_values([0, 0, 0, 1, 0, 0, 0], [0, 0, 0, 2, 0, 0, 0]) == -1
    # A = (3), B = (3, 2, 3), C = (3, 3, 4): a total order, the same ranks in any listing order.
    profiles = {"A": [0, 0, 0, 1, 0, 0, 0], "B": [0, 0, 1, 2, 0, 0, 0], "C": [0, 0, 0, 2, 1, 0, 0]}
    for order in (["A", "B", "C"], ["C", "B", "A"], ["B", "A", "C"]):
        assert rank_by_majority_value({key: profiles[key] for key in order}) == {"C": 1, "B": 2, "A": 3}


def test_large_profiles_work_on_counts_not_ballots():
    large = [10_000, 20_000, 15_000, 5_000, 20_000, 20_000, 10_000]  # 100,000 judges
    # Index 49,999 of the sorted grades falls among the 5,000 grades 3 (indexes 45,000 to 49,999).
    assert majority_grade(large) == 3
    sequence = list(median_sequence(large))
    assert len(sequence) == 100_000
    assert [sequence.count(grade) for grade in range(7)] == large  # each judge's grade comes out once
    # One judge moved from 4 to 5: equal majority values for a long while, then the second profile wins.
    better = [10_000, 20_000, 15_000, 5_000, 19_999, 20_001, 10_000]
    assert rank_by_majority_value({"large": large, "better": better}) == {"better": 1, "large": 2}


def test_profiles_without_judges_get_no_rank():
    assert rank_by_majority_value({"graded": [0, 0, 1, 0, 0, 0, 0], "ungraded": [0] * 7}) == {"graded": 1}
    assert rank_by_majority_value({}) == {}
