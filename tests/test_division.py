"""Consensus and division between audiences (committee/division.py)."""

from __future__ import annotations

from pedt_participation.committee.division import division, division_of
from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Vote, VoteKind
from tests.helpers import make_consultation, make_participant

GROUPS = ["parent", "youth", "professional"]
DIVISIVE, CONSENSUAL, FEW_VOTES, SPLIT_SMALL, MIDDLING = 1, 2, 3, 4, 5


def _tallies():
    return {
        # Parents approve, young people do not: 80 % against 25 %, with 60 opinions each.
        DIVISIVE: {"parent": (48, 60), "youth": (15, 60), "professional": (12, 20)},
        # Everyone approves, alike.
        CONSENSUAL: {"parent": (54, 60), "youth": (53, 60), "professional": (18, 20)},
        # The same gap as DIVISIVE, but four opinions a side: under k, not compared.
        FEW_VOTES: {"parent": (4, 4), "youth": (0, 4)},
        # A wide gap on few opinions (6 and 6): not enough, after correction, to call it divisive.
        SPLIT_SMALL: {"parent": (4, 6), "youth": (2, 6)},
        # Half approve everywhere: neither divisive nor consensual.
        MIDDLING: {"parent": (30, 60), "youth": (29, 60), "professional": (10, 20)},
    }


def test_a_planted_divisive_action_and_a_planted_consensus_action_are_named():
    result = division(_tallies(), GROUPS, k=5)
    assert result["most_divisive"] == [DIVISIVE]
    assert result["most_consensual"][0] == CONSENSUAL
    rows = {row["action_id"]: row for row in result["actions"]}
    gap = rows[DIVISIVE]["widest_gap"]
    assert gap["groups"] == ("parent", "youth") and gap["difference"] == 0.55
    assert 0 < gap["low"] < 0.55 < gap["high"] < 1 and gap["significant"]
    assert rows[CONSENSUAL]["consensual"] and not rows[CONSENSUAL]["divisive"]
    assert rows[CONSENSUAL]["lowest_approval_bound"] > 0.5
    assert not rows[MIDDLING]["divisive"] and not rows[MIDDLING]["consensual"]


def test_an_action_with_too_few_votes_is_not_called_divisive():
    rows = {row["action_id"]: row for row in division(_tallies(), GROUPS, k=5)["actions"]}
    # Groups under k are neither shown nor compared.
    assert rows[FEW_VOTES]["approval"] == {} and rows[FEW_VOTES]["widest_gap"] is None
    assert not rows[FEW_VOTES]["divisive"]
    # Groups of k or more, but too few opinions for the gap to stand out from chance.
    assert rows[SPLIT_SMALL]["widest_gap"]["difference"] > 0.3
    assert not rows[SPLIT_SMALL]["divisive"] and not rows[SPLIT_SMALL]["widest_gap"]["significant"]
    assert rows[SPLIT_SMALL]["widest_gap"]["low"] < 0


def test_professionals_under_k_are_left_out_of_the_comparison():
    result = division({DIVISIVE: {"parent": (48, 60), "youth": (15, 60), "professional": (3, 4)}}, GROUPS, k=5)
    [row] = result["actions"]
    assert set(row["approval"]) == {"parent", "youth"} and "professional" not in row["opinions"]


def test_division_of_a_consultation_reads_its_opinions(app):
    consultation = make_consultation(orientations=1, actions_per_orientation=2)
    divisive, shared = consultation.orientations[0].actions
    parents = [make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_40_TO_59) for _ in range(25)]
    youths = [make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_18_TO_25) for _ in range(25)]
    for index, person in enumerate(parents + youths):
        is_parent = index < 25
        db.session.add(Vote(participant_id=person.id, action_id=divisive.id, kind=VoteKind.OPINION,
                            value=1 if is_parent else -1))
        db.session.add(Vote(participant_id=person.id, action_id=shared.id, kind=VoteKind.OPINION,
                            value=1 if index % 10 else 0))
    db.session.commit()
    result = division_of(consultation)
    assert result["by_audience"]["most_divisive"] == [divisive.id]
    assert result["by_audience"]["most_consensual"] == [shared.id]
    assert result["by_age_bracket"]["most_divisive"] == [divisive.id]
