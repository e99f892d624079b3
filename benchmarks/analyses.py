"""The committee's analyses (opinion groups, division between audiences, representativeness and weighting) timed on
data of the 1 M-vote bench's shape, made in memory: no database, no server.

`make bench`'s largest data holds 1 000 000 votes on the measured consultation, about 39 votes per participant of
which 69 % are opinions, over 54 actions: some 25 600 participants and 690 000 opinions, half of the
participants × actions matrix filled. This script plants that many people in two opinion groups, three audiences,
six age brackets and five neighbourhoods, then times each analysis on the plain data it takes (reading the votes
from the database is a GROUP BY of the kind `make bench` already measures, except for the opinion groups, which read
one row per opinion).

    .venv/bin/python benchmarks/analyses.py [--participants 25600] [--actions 54]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pedt_participation.committee.division import division  # noqa: E402
from pedt_participation.committee.opinion_groups import opinion_groups  # noqa: E402
from pedt_participation.committee.representativeness import representativeness  # noqa: E402
from pedt_participation.models import AgeBracket, Audience  # noqa: E402

K = 5
NEIGHBOURHOODS = ("Quartiers sud", "Centre-ville", "Les Hauts", "Quartier de la gare", "Bords de Seine")


def planted_data(participants: int, actions: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, participants)
    audience = rng.choice([a.value for a in Audience], participants, p=(0.55, 0.35, 0.10))
    bracket = rng.choice([b.value for b in AgeBracket], participants)
    place = rng.choice(NEIGHBOURHOODS, participants)
    leaning = np.where(rng.random((2, actions)) < 0.5, 1, -1)
    answered = rng.random((participants, actions)) < 0.5
    noisy = rng.random((participants, actions)) < 0.2
    values = np.where(noisy, rng.integers(-1, 2, (participants, actions)), leaning[group])
    people, columns = np.nonzero(answered)
    return {
        "votes": np.column_stack([people + 1, columns + 1, values[people, columns]]),
        "audience": audience, "bracket": bracket, "place": place,
    }


def timed(name: str, work) -> object:  # noqa: ANN001 — any callable
    start = time.perf_counter()
    result = work()
    print(f"{name:<46} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=25_600)
    parser.add_argument("--actions", type=int, default=54)
    arguments = parser.parse_args()
    data = planted_data(arguments.participants, arguments.actions)
    votes = data["votes"]
    print(f"{arguments.participants} participants, {arguments.actions} actions, {len(votes)} opinions")

    groups = timed("opinion groups (PCA, k-means k = 2…5)", lambda: opinion_groups(votes, K))
    print(f"  {len(groups['groups'])} groups of {[group['size'] for group in groups['groups']]}")

    def tallies(of: np.ndarray) -> dict:
        counts: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for (person, action, value) in votes.tolist():
            entry = counts[action][of[person - 1]]
            entry[0] += value == 1
            entry[1] += 1
        return {action: {key: tuple(pair) for key, pair in groups.items()} for action, groups in counts.items()}

    by_audience, by_age = tallies(data["audience"]), tallies(data["bracket"])
    timed("division between audiences and age brackets", lambda: (
        division(by_audience, [a.value for a in Audience], K), division(by_age, [b.value for b in AgeBracket], K)
    ))

    cells = np.char.add(np.char.add(data["bracket"], "|"), data["place"])
    keys, counts = np.unique(cells, return_counts=True)
    participants = {tuple(key.split("|")): int(count) for key, count in zip(keys.tolist(), counts.tolist(), strict=True)}
    population = {key: 40.0 * count * (2 if key[0] == "60+" else 1) for key, count in participants.items()}
    opinions = tallies(cells)
    opinions = {action: {tuple(key.split("|")): pair for key, pair in by_cell.items()} for action, by_cell in opinions.items()}
    timed("representativeness and raking", lambda: representativeness(participants, population, opinions, K))


if __name__ == "__main__":
    main()
