"""Consensus and division between audiences (committee/division.py)."""

from __future__ import annotations

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.committee.analyses_section import analyses_of
from pedt_participation.committee.division import division, division_of, published_tallies
from pedt_participation.committee.opinion_groups import opinion_groups
from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Vote, VoteKind
from tests.helpers import counted_opinions, make_consultation, make_participant

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


def _opinion(person, action, value):
    db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.OPINION, value=value))


def test_division_of_a_summary_compares_its_published_opinions(app):
    consultation = make_consultation(orientations=1, actions_per_orientation=2)
    divisive, shared = consultation.orientations[0].actions
    parents = [make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_40_TO_59) for _ in range(25)]
    youths = [make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_18_TO_25) for _ in range(25)]
    for index, person in enumerate(parents + youths):
        is_parent = index < 25
        _opinion(person, divisive, 1 if is_parent else -1)
        # Five « contre » in each audience: no count under k, so that every one is published.
        _opinion(person, shared, -1 if index % 5 == 0 else 1)
    db.session.commit()
    result = division_of(aggregate(consultation))
    assert result["by_audience"]["most_divisive"] == [divisive.id]
    assert result["by_audience"]["most_consensual"] == [shared.id]
    assert result["by_age_bracket"]["most_divisive"] == [divisive.id]


def assert_derived_from_published_cells(data, analyses):
    """Each share and number of opinions the division section prints is that of a group whose « pour » and total
    the summary's tables publish, and the whole section is what those published counts give."""
    for dimension, groups in (("by_audience", [a.value for a in Audience]), ("by_age_bracket", [b.value for b in AgeBracket])):
        tables = {action["id"]: action["opinions"][dimension] for o in data["orientations"] for action in o["actions"]}
        section = analyses["division"][dimension]
        for row in section["actions"]:
            assert set(row["approval"]) == set(row["opinions"])
            for group, share in row["approval"].items():
                pour, total = tables[row["action_id"]][group]["parts"]["pour"], tables[row["action_id"]][group]["total"]
                assert pour["value"] is not None and total["value"] is not None, (dimension, group)
                assert (share, row["opinions"][group]) == (round(pour["value"] / total["value"], 3), total["value"])
        recomputed = division(published_tallies(data, dimension), groups, data["parameters"]["k_anonymity"])
        titled = [{key: value for key, value in row.items() if key != "title"} for row in section["actions"]]
        assert titled == recomputed["actions"]


def test_a_share_of_a_withheld_pour_is_never_published(app):
    """Eight young people (15–17) gave an opinion, two of them « pour »: the summary withholds that 2, and the
    division printed 0.25 of 8 beside it, which gave it back. Young people and the 15–17 are left out of the
    comparison; everything the division prints comes from published counts. (Sixteen professionals, six « pour »,
    five « mitigé », five « contre »: with the parents alone beside the youths' « < 5 », the figures of the
    action's page would pin the parents' « masqué » narrower than 5, and the action's opinions go undetailed.)"""
    consultation = make_consultation(orientations=1, actions_per_orientation=2, k_anonymity=5)
    action, other = consultation.orientations[0].actions
    # 40 parents: the action's pour, mitigé and contre (on its page) are all 2k − 1 or more, so it is detailed.
    parents = [make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_40_TO_59) for _ in range(40)]
    youths = [make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17) for _ in range(8)]
    professionals = [make_participant(audience=Audience.PROFESSIONAL, age_bracket=AgeBracket.FROM_26_TO_39) for _ in range(16)]
    for index, parent in enumerate(parents):
        _opinion(parent, action, 1 if index < 20 else 0 if index < 30 else -1)
        _opinion(parent, other, 1)
    for index, youth in enumerate(youths):
        _opinion(youth, action, 1 if index < 2 else -1)
        _opinion(youth, other, 1)
    for index, professional in enumerate(professionals):
        _opinion(professional, action, 1 if index < 6 else 0 if index < 11 else -1)
    db.session.commit()

    data = aggregate(consultation)
    analyses = analyses_of(consultation, data, None, opinion_groups(counted_opinions(consultation), consultation.k_anonymity))

    youth_table = next(a for a in data["orientations"][0]["actions"] if a["id"] == action.id)["opinions"]["by_audience"]["youth"]
    assert youth_table["parts"]["pour"]["value"] is None
    compared = {
        dimension: {row["action_id"]: set(row["opinions"]) for row in analyses["division"][dimension]["actions"]}
        for dimension in ("by_audience", "by_age_bracket")
    }
    assert "youth" not in compared["by_audience"].get(action.id, set())
    assert "15-17" not in compared["by_age_bracket"].get(action.id, set())
    # Where every count is published, young people and parents are compared as before.
    assert compared["by_audience"][other.id] == {"parent", "youth"}
    assert compared["by_age_bracket"][other.id] == {"15-17", "40-59"}
    assert_derived_from_published_cells(data, analyses)
