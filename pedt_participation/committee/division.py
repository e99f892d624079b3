"""Consensus and division between audiences: on which actions parents, young people and professionals (or the age
brackets) agree, and on which their approval differs by more than chance would explain.

An action's *approval* among a group is the share of "pour" among the group's opinions (pour, mitigé, contre).
Two groups are compared only when each gave at least k opinions on the action (the consultation's
`k_anonymity`): a smaller group is neither shown nor compared. The gap between two groups comes with its 95 %
confidence interval (Newcombe's hybrid score interval, which stays honest for small groups and shares near 0 or 1)
and the p-value of the score test of equal approval; as a consultation has many actions, hence many comparisons,
the p-values are corrected for their number (Benjamini–Hochberg, false discovery rate 5 %, over every pair of
groups of every action of a dimension). An action is *divisive* when its widest gap survives that correction;
the most divisive come first by the end of the interval nearest zero (the gap one can be sure of). An action is
*consensual* when every group compared approves it (the lower end of each Wilson interval above one half) and no
gap is significant; the most consensual come first by the lowest of those lower ends.

The counts compared are the summary's own, as published: each action's opinions per audience (pour, mitigé,
contre) and per age bracket (pour, others), tables protected with all its figures (aggregation.py, disclosure.py).
A group is compared only when its « pour » and its total are both published, so that every share, interval and
test of this section is worked out from published counts and tells nothing the tables hide (a share of 0.25 of
8 opinions would give a withheld « pour » of 2).

`division` takes plain counts; `division_of` takes them from a summary's protected figures, for audiences and for
age brackets. The result is a `Division` dict, ready for JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any, TypedDict

import numpy as np

from ..models import AgeBracket, Audience
from .proportions import benjamini_hochberg, newcombe_interval, score_test_p_values, wilson_interval

ALPHA = 0.05
NAMED_ACTIONS = 5

# action id → group → (opinions "pour", all opinions) on that action from that group
Tallies = Mapping[int, Mapping[str, tuple[int, int]]]


class Gap(TypedDict):
    groups: tuple[str, str]
    difference: float  # approval of the first minus the second, −1…1
    low: float  # 95 % Newcombe interval of the difference
    high: float
    p_value: float  # corrected for the number of comparisons (Benjamini–Hochberg)
    significant: bool


class ActionDivision(TypedDict):
    action_id: int
    approval: dict[str, float]  # group → share of "pour", for the groups of k opinions or more
    opinions: dict[str, int]  # group → number of opinions, same groups
    widest_gap: Gap | None  # the widest significant gap, else the widest; None when fewer than two groups compare
    divisive: bool
    consensual: bool
    lowest_approval_bound: float | None  # the lowest lower end of the groups' Wilson intervals


class Division(TypedDict):
    k: int
    groups: list[str]
    actions: list[ActionDivision]
    most_divisive: list[int]  # action ids, most divisive first
    most_consensual: list[int]  # action ids, most consensual first


def division(tallies: Tallies, groups: list[str], k: int, *, alpha: float = ALPHA) -> Division:
    """Compares the approval of `groups` on each action of `tallies` (see the module's docstring)."""
    rows: list[ActionDivision] = []
    compared: list[tuple[int, list[tuple[int, int]]]] = []  # row, the (pour, total) of each group it compares
    pairs: list[tuple[int, tuple[str, str], int, int, int, int]] = []  # row, pair, pour1, total1, pour2, total2
    for action_id in sorted(tallies):
        counts = {group: tallies[action_id][group] for group in groups if tallies[action_id].get(group, (0, 0))[1] >= k}
        rows.append({
            "action_id": action_id,
            "approval": {group: round(pour / total, 3) for group, (pour, total) in counts.items()},
            "opinions": {group: total for group, (_pour, total) in counts.items()},
            "widest_gap": None,
            "divisive": False,
            "consensual": False,
            "lowest_approval_bound": None,
        })
        if len(counts) < 2:
            continue
        compared.append((len(rows) - 1, list(counts.values())))
        pairs.extend((len(rows) - 1, (first, second), *counts[first], *counts[second])
                     for first, second in combinations(counts, 2))
    gaps = _gaps(pairs, alpha)
    if compared:
        # Every group's Wilson interval in one call.
        pour, total = np.array([counts for _row, groups_counts in compared for counts in groups_counts]).T
        lows = wilson_interval(pour, total, alpha)[0]
        start = 0
        for row, groups_counts in compared:
            rows[row]["lowest_approval_bound"] = round(float(min(lows[start : start + len(groups_counts)])), 3)
            start += len(groups_counts)
    if gaps:
        corrected = benjamini_hochberg(np.array([gap[5] for gap in gaps]))
        for (row, pair, difference, low, high, _p), p_value in zip(gaps, corrected, strict=True):
            if p_value < alpha:
                rows[row]["divisive"] = True
            gap: Gap = {
                "groups": pair, "difference": round(difference, 3), "low": round(low, 3), "high": round(high, 3),
                "p_value": round(float(p_value), 4), "significant": bool(p_value < alpha),
            }
            current = rows[row]["widest_gap"]
            # The widest of the significant gaps, or the widest of all when none is.
            if current is None or (gap["significant"], abs(difference)) > (current["significant"], abs(current["difference"])):
                rows[row]["widest_gap"] = gap
    for action in rows:
        bound = action["lowest_approval_bound"]
        action["consensual"] = not action["divisive"] and bound is not None and bound > 0.5
    divisive = sorted((a for a in rows if a["divisive"]), key=lambda a: -_sure_gap(a["widest_gap"]))
    consensual = sorted((a for a in rows if a["consensual"]), key=lambda a: -(a["lowest_approval_bound"] or 0))
    return {
        "k": k,
        "groups": groups,
        "actions": rows,
        "most_divisive": [action["action_id"] for action in divisive[:NAMED_ACTIONS]],
        "most_consensual": [action["action_id"] for action in consensual[:NAMED_ACTIONS]],
    }


def _gaps(
    pairs: list[tuple[int, tuple[str, str], int, int, int, int]], alpha: float
) -> list[tuple[int, tuple[str, str], float, float, float, float]]:
    """(row, pair, difference, low, high, p-value) of each pair of groups compared, their Newcombe intervals and
    score tests computed in one call each."""
    if not pairs:
        return []
    pour1, total1, pour2, total2 = np.array([pair[2:] for pair in pairs]).T
    lows, highs = newcombe_interval(pour1, total1, pour2, total2, alpha)
    p_values = score_test_p_values(pour1, total1, pour2, total2)
    return [
        # The p-value is NaN when both shares are 0 or 1.
        (row, pair, first / of_first - second / of_second, float(low), float(high), 1.0 if p != p else float(p))
        for (row, pair, first, of_first, second, of_second), low, high, p in zip(pairs, lows, highs, p_values, strict=True)
    ]


def _sure_gap(gap: Gap | None) -> float:
    """The end of the gap's interval nearest zero: how large the gap is at least."""
    if gap is None:
        return 0.0
    return max(gap["low"], 0.0) if gap["difference"] > 0 else max(-gap["high"], 0.0)


def published_tallies(data: dict[str, Any], dimension: str) -> dict[int, dict[str, tuple[int, int]]]:
    """Per action of the summary `data`, (« pour », all opinions) of each group of its tables `opinions.<dimension>`
    whose two counts are published: a group whose « pour » or total is withheld is left out, so that no share
    or gap tells what the tables hide."""
    tallies = {}
    for orientation in data["orientations"]:
        for action in orientation["actions"]:
            groups = {
                group: (table["parts"]["pour"]["value"], table["total"]["value"])
                for group, table in action["opinions"][dimension].items()
                if table["parts"]["pour"]["value"] is not None and table["total"]["value"] is not None
            }
            if groups:
                tallies[action["id"]] = groups
    return tallies


class ConsultationDivision(TypedDict):
    by_audience: Division
    by_age_bracket: Division


def division_of(data: dict[str, Any]) -> ConsultationDivision:
    """Consensus and division between the audiences and between the age brackets of the summary `data` (the
    protected figures of `aggregate`), from its published counts only."""
    k = data["parameters"]["k_anonymity"]
    return {
        "by_audience": division(published_tallies(data, "by_audience"), [audience.value for audience in Audience], k),
        "by_age_bracket": division(published_tallies(data, "by_age_bracket"), [bracket.value for bracket in AgeBracket], k),
    }
