"""Opinion groups, found as Polis finds them: who tends to answer the actions alike, and on what each group
differs from the others.

The opinions (pour +1, mitigé 0, contre −1) form a participants × actions matrix where an action a person did not
judge stays missing. As in Polis (compdemocracy/polis, math/): only people who judged at least
`MIN_OPINIONS` actions (or all of them, when there are fewer) are placed, unless fewer than k people (the
consultation's `k_anonymity`) would be left out, who are then placed with the others; the principal components
are fitted with each missing answer replaced by the action's mean, and each person is projected on them from their own
answers only, the projection stretched by √(actions / answers) so that someone who judged few actions is not
pulled towards the centre. K-means (fixed seed) then groups the projected people as Polis does, in two steps: up
to 100 base clusters, then 2 to 5 groups of base clusters; the number of groups with the best silhouette (over the
people) is kept.

A group of fewer than k people (the consultation's `k_anonymity`) is never shown: it is merged into the nearest
group before the number of groups is chosen. Each group is described by the actions where it differs most from
everyone else, by Polis' test: a one-proportion z-test (the group leans one way) and a two-proportion z-test
(it leans that way more than the others), both at 90 % one-sided (z > 1.2816), with Polis' add-one smoothing.
Consensus actions are those that every group approves, significantly (same test), ranked by the product of the
groups' approval (Polis' group-aware consensus). Only actions that k people of the group, and k of the others,
judged are tested.

**What is published, and why no more.** The sizes of the groups (k people or more each, merged otherwise), the
numbers of people placed and left out (exact: 2·k or more placed, none or k or more left out; neither number when
fewer than 2·k are placed), for each group the actions that set it
apart with their direction, and the consensus actions: no share, count of opinions or test statistic per group
and action. Those counts are a table that the summary's own tables bind: over the groups, with the people left
out, they add up to each action's opinions. With everyone placed (0 left out), group A's 10 « pour » of 12 and the
others' share of 0 give the action's « pour » = 10 exactly, whatever the summary withheld, then its « mitigé » by
subtraction; and a group's share gives the count of its members who answered otherwise, often under k.
Registering the group × action counts in the summary's disclosure control would multiply its audited cells by the
number of groups, and withhold many of them; what a committee reads from the groups (who they are, what sets them
apart, what unites them) needs none. The sizes add up to the people placed, which no table of the summary
publishes; the people placed and those left out add up to everyone who gave an opinion, at most the summary's
participants, which its audit knows (aggregation.register_people_grouped).

The people placed and those left out are bound to each action's opinions, which the site shows anyone: everyone
placed judged every action when there are `MIN_OPINIONS` or fewer, everyone left out fewer. With two actions,
« 12 placed » beside 14 and 12 opinions gives 14 + 12 − 2 × 12 = 2 left out, so a number left out from 1 to k − 1
could not be hidden: such people are placed. Under 2·k people placed, the few placed are bound the same way (at
most the fewest opinions an action has), and neither number is printed: no group is formed.

`opinion_groups` takes plain votes (triples, or an n × 3 array, as `CountedVotes.opinions` holds them for a
consultation). The result is a `OpinionGroups` dict, ready for JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

import numpy as np
from threadpoolctl import threadpool_limits

from .aggregation import cell
from .clustering import kmeans, nearest, principal_components, silhouettes
from .counted_opinions import MIN_OPINIONS, least_opinions_placed

GROUP_COUNTS = range(2, 6)
# Polis groups people in two steps: 100 base clusters, then the groups, made of whole base clusters.
BASE_CLUSTERS = 100
# One-sided 90 %: Polis' threshold for a representative statement (stats/z-sig-90?).
Z_90 = 1.2816
ACTIONS_PER_GROUP = 5
CONSENSUS_ACTIONS = 5
# The silhouette is computed on a sample past this many people: its cost grows with the square of their number.
SILHOUETTE_SAMPLE = 3_000
# The base clusters' centres are fitted on a sample (fixed seed) past this many people, then everyone is assigned
# to the nearest one: a hundred centres in a plane are placed as well from 5 000 people as from 100 000.
BASE_CLUSTERS_FIT_SAMPLE = 5_000
GROUP_NAMES = "ABCDE"

# (participant id, action id, opinion −1/0/1) triples, or an array of them.
Votes = Sequence[tuple[int, int, int]] | np.ndarray


class RepresentativeAction(TypedDict):
    action_id: int
    # "pour": the group approves it more than the others; "contre": it rejects it more.
    direction: Literal["pour", "contre"]


class OpinionGroup(TypedDict):
    name: str  # "A", "B"…
    size: int
    representative_actions: list[RepresentativeAction]


class ConsensusAction(TypedDict):
    action_id: int


class OpinionGroups(TypedDict):
    # "found": two groups or more; "too_few_people": fewer than 2·k people placed; "one_group": no split into
    # groups of k people or more.
    status: Literal["found", "too_few_people", "one_group"]
    k: int
    min_opinions: int
    # Lone cells (aggregation.cell), None with "too_few_people".
    people_placed: dict[str, Any] | None
    people_left_out: dict[str, Any] | None  # judged fewer than `min_opinions` actions
    silhouette: float | None
    groups: list[OpinionGroup]
    consensus_actions: list[ConsensusAction]


@dataclass(frozen=True)
class Grouping:
    """Who is in which group (never published: the result only gives sizes), with the matrix it came from."""

    participant_ids: np.ndarray  # of the people placed
    labels: np.ndarray  # group index 0… per person placed; empty when there are no groups
    action_ids: np.ndarray
    matrix: np.ndarray  # people placed × actions, opinions −1/0/1, NaN when missing
    people_left_out: int
    silhouette: float | None


def group_participants(votes: Votes, k: int, *, seed: int = 0) -> Grouping:
    """Places the people who judged enough actions and groups them (see the module's docstring).

    On one thread: the matrices are a few megabytes, and OpenMP and BLAS threads, which wait for each other at
    every step, spent more CPU than they saved on a machine whose cores the web processes share (2.0 against
    1.1 s of CPU at the 1 M-vote bench's shape, issue 21)."""
    with threadpool_limits(limits=1):
        return _group_participants(votes, k, seed)


def _group_participants(votes: Votes, k: int, seed: int) -> Grouping:
    rows = np.asarray(votes).reshape(-1, 3)
    participant_ids, action_ids = np.unique(rows[:, 0]), np.unique(rows[:, 1])
    matrix = np.full((len(participant_ids), len(action_ids)), np.nan)
    # Each opinion's row and column found by bisection: `np.unique`'s inverse would hold twice as many temporary
    # arrays of one number per opinion (28 MB against 22 at the 1 M-vote bench's size).
    matrix[np.searchsorted(participant_ids, rows[:, 0]), np.searchsorted(action_ids, rows[:, 1])] = rows[:, 2]
    answered = (~np.isnan(matrix)).sum(axis=1)
    given, people_by_opinions = np.unique(answered, return_counts=True)
    placed = answered >= least_opinions_placed(dict(zip(given.tolist(), people_by_opinions.tolist(), strict=True)),
                                               len(action_ids), k)
    matrix, participant_ids = matrix[placed], participant_ids[placed]
    no_groups = np.empty(0, dtype=np.int64)
    if len(participant_ids) < 2 * k or len(action_ids) < 2:
        return Grouping(participant_ids, no_groups, action_ids, matrix, int((~placed).sum()), None)
    projection = _project(matrix)
    base_labels, centres, weights = _base_clusters(projection, seed)
    candidates: list[np.ndarray] = []
    distinct_places = len(np.unique(centres.round(9), axis=0))
    for count in GROUP_COUNTS:
        if count > distinct_places or count >= len(participant_ids):
            break
        groups, _centres = kmeans(centres, count, weights=weights, seed=seed, attempts=10)
        labels = _merge_small_groups(projection, groups[base_labels], k)
        if len(np.unique(labels)) >= 2:
            candidates.append(labels)
    # Every count of groups is scored on the same people.
    scored = np.random.RandomState(seed).permutation(len(projection))[:SILHOUETTE_SAMPLE]
    best: tuple[float, np.ndarray] | None = None
    for score, labels in zip(silhouettes(projection[scored], [labels[scored] for labels in candidates]), candidates,
                             strict=True):
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None:
        return Grouping(participant_ids, no_groups, action_ids, matrix, int((~placed).sum()), None)
    return Grouping(participant_ids, best[1], action_ids, matrix, int((~placed).sum()), round(best[0], 3))


def _base_clusters(projection: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Polis' first step: people gathered in at most `BASE_CLUSTERS` small clusters, whose centres (weighted by
    their sizes) are then grouped, so that grouping costs the same for a hundred people or a hundred thousand.
    Returns each person's base cluster, the centres and their sizes."""
    if len(projection) <= BASE_CLUSTERS:
        return np.arange(len(projection)), projection, np.ones(len(projection))
    fitted_on = projection
    if len(projection) > BASE_CLUSTERS_FIT_SAMPLE:
        sample = np.random.default_rng(seed).choice(len(projection), BASE_CLUSTERS_FIT_SAMPLE, replace=False)
        fitted_on = projection[np.sort(sample)]
    _labels, centres = kmeans(fitted_on, BASE_CLUSTERS, seed=seed, attempts=1)
    labels = nearest(projection, centres)
    return labels, centres, np.bincount(labels, minlength=BASE_CLUSTERS).astype(float)


def _project(matrix: np.ndarray) -> np.ndarray:
    """Two principal components fitted on the mean-filled matrix; each person projected from their own answers,
    stretched by √(actions / answers) (Polis' sparsity-aware projection). The components come from the actions'
    covariance (actions × actions), not from an SVD of the people × actions matrix: the same components, at a
    cost that no longer grows with the people beyond one matrix product."""
    means = np.nan_to_num(np.nanmean(matrix, axis=0)) if matrix.size else np.zeros(matrix.shape[1])
    filled = np.where(np.isnan(matrix), means, matrix)
    components = min(2, matrix.shape[1], matrix.shape[0])
    # Fitted in place: `filled` is this function's own copy.
    mean, axes = principal_components(filled, components)
    del filled
    answered = ~np.isnan(matrix)
    centred = matrix - mean
    centred[~answered] = 0.0
    stretch = np.sqrt(matrix.shape[1] / np.maximum(answered.sum(axis=1), 1))
    return (centred @ axes.T) * stretch[:, None]


def _merge_small_groups(projection: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Merges each group of fewer than k people, smallest first, into the group whose centre is nearest, and
    numbers the groups that remain 0, 1… by decreasing size."""
    labels = labels.copy()
    while True:
        names, sizes = np.unique(labels, return_counts=True)
        if len(names) < 2 or sizes.min() >= k:
            break
        smallest = names[sizes.argmin()]
        centres = {name: projection[labels == name].mean(axis=0) for name in names}
        nearest = min(
            (name for name in names if name != smallest),
            key=lambda name: float(np.linalg.norm(centres[name] - centres[smallest])),
        )
        labels[labels == smallest] = nearest
    names, sizes = np.unique(labels, return_counts=True)
    order = names[np.argsort(-sizes, kind="stable")]
    renumbered = np.empty_like(labels)
    for new, old in enumerate(order):
        renumbered[labels == old] = new
    return renumbered


def _one_proportion_z(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Polis' prop-test: whether the share, smoothed by one, is above one half."""
    successes, trials = successes + 1, trials + 1
    return 2 * np.sqrt(trials) * (successes / trials - 0.5)


def _two_proportion_z(in_successes: np.ndarray, out_successes: np.ndarray, in_trials: np.ndarray,
                      out_trials: np.ndarray) -> np.ndarray:
    """Polis' two-prop-test: whether the group's share (smoothed by one) is above everyone else's."""
    s1, s2, n1, n2 = in_successes + 1, out_successes + 1, in_trials + 1, out_trials + 1
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread > 0, (s1 / n1 - s2 / n2) / np.where(spread > 0, spread, 1), 0.0)


def describe_groups(grouping: Grouping, k: int) -> OpinionGroups:
    """The published description of a grouping: sizes, representative and consensus actions, nothing below k."""
    result: OpinionGroups = {
        "status": "found",
        "k": k,
        "min_opinions": MIN_OPINIONS,
        "people_placed": None,
        "people_left_out": None,
        "silhouette": grouping.silhouette,
        "groups": [],
        "consensus_actions": [],
    }
    if len(grouping.participant_ids) < 2 * k:
        result["status"] = "too_few_people"
        return result
    # 2·k or more placed, none or k or more left out (`group_participants`): both printed exact.
    result["people_placed"] = cell(len(grouping.participant_ids), k)
    result["people_left_out"] = cell(grouping.people_left_out, k)
    if len(grouping.labels) == 0:
        result["status"] = "one_group"
        return result
    answered = ~np.isnan(grouping.matrix)
    pour = grouping.matrix == 1  # a missing answer, NaN, is neither
    contre = grouping.matrix == -1
    total_seen, total_pour, total_contre = answered.sum(0), pour.sum(0), contre.sum(0)
    group_count = int(grouping.labels.max()) + 1
    approval: list[np.ndarray] = []
    approval_z: list[np.ndarray] = []
    seen_by_group: list[np.ndarray] = []
    for group in range(group_count):
        members = grouping.labels == group
        seen, agree, disagree = answered[members].sum(0), pour[members].sum(0), contre[members].sum(0)
        out_seen = total_seen - seen
        shown = (seen >= k) & (out_seen >= k)
        sides = {
            "pour": (agree, total_pour - agree),
            "contre": (disagree, total_contre - disagree),
        }
        candidates: list[tuple[float, RepresentativeAction]] = []
        for direction, (inside, outside) in sides.items():
            z_group = _one_proportion_z(inside, seen)
            z_versus = _two_proportion_z(inside, outside, seen, out_seen)
            share_in = (inside + 1) / (seen + 2)
            share_out = (outside + 1) / (out_seen + 2)
            for column in np.flatnonzero(shown & (z_group > Z_90) & (z_versus > Z_90)):
                metric = (share_in[column] / share_out[column]) * z_versus[column] * share_in[column] * z_group[column]
                candidates.append((float(metric), {
                    "action_id": int(grouping.action_ids[column]),
                    "direction": "pour" if direction == "pour" else "contre",
                }))
        candidates.sort(key=lambda candidate: -candidate[0])
        chosen: list[RepresentativeAction] = []
        for _metric, action in candidates:
            if all(action["action_id"] != other["action_id"] for other in chosen):
                chosen.append(action)
        result["groups"].append({
            "name": GROUP_NAMES[group],
            "size": int(members.sum()),
            "representative_actions": chosen[:ACTIONS_PER_GROUP],
        })
        approval.append((agree + 1) / (seen + 2))
        approval_z.append(_one_proportion_z(agree, seen))
        seen_by_group.append(seen)
    result["consensus_actions"] = _consensus(grouping, k, approval, approval_z, seen_by_group)
    return result


def _consensus(grouping: Grouping, k: int, approval: Sequence[np.ndarray], approval_z: Sequence[np.ndarray],
               seen_by_group: Sequence[np.ndarray]) -> list[ConsensusAction]:
    everyone_approves = np.ones(len(grouping.action_ids), dtype=bool)
    for share, z, seen in zip(approval, approval_z, seen_by_group, strict=True):
        everyone_approves &= (seen >= k) & (share > 0.5) & (z > Z_90)
    strength = np.prod(np.vstack(approval), axis=0)
    columns = sorted(np.flatnonzero(everyone_approves), key=lambda column: -strength[column])
    return [{"action_id": int(grouping.action_ids[column])} for column in columns[:CONSENSUS_ACTIONS]]


def opinion_groups(votes: Votes, k: int, *, seed: int = 0) -> OpinionGroups:
    """Opinion groups from `(participant id, action id, opinion −1/0/1)` triples, through the threshold k."""
    return describe_groups(group_participants(votes, k, seed=seed), k)
