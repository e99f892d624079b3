"""Opinion groups (committee/opinion_groups.py): planted groups are found, no group under k is ever shown."""

from __future__ import annotations

import random

import numpy as np
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import update

from pedt_participation.committee.opinion_groups import group_participants, opinion_groups
from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Participant, Vote, VoteKind
from tests.helpers import counted_opinions, make_consultation, make_participant

ACTIONS = list(range(100, 112))


def _planted(sizes: dict[str, int], *, seed: int = 1, answered: float = 0.7, noise: float = 0.15):
    """Votes of planted groups: "a" approves the first half of the actions and rejects the second, "b" the
    opposite, "c" approves everything; each person judges `answered` of the actions, a `noise` share at random."""
    rng = random.Random(seed)
    leaning = {
        "a": [1 if i < 6 else -1 for i in range(12)],
        "b": [-1 if i < 6 else 1 for i in range(12)],
        "c": [1] * 12,
    }
    votes, planted = [], {}
    person = 0
    for group, size in sizes.items():
        for _ in range(size):
            person += 1
            planted[person] = group
            for column, action in enumerate(ACTIONS):
                if rng.random() > answered:
                    continue
                value = rng.choice((-1, 0, 1)) if rng.random() < noise else leaning[group][column]
                votes.append((person, action, value))
    return votes, planted


def test_two_planted_opinion_groups_are_found():
    votes, planted = _planted({"a": 60, "b": 45})
    grouping = group_participants(votes, k=5)
    truth = [planted[int(person)] for person in grouping.participant_ids]
    assert adjusted_rand_score(truth, grouping.labels) >= 0.8

    result = opinion_groups(votes, k=5)
    assert result["status"] == "found"
    assert sorted(group["size"] for group in result["groups"]) == sorted(np.bincount(grouping.labels).tolist())
    first, second = result["groups"]
    # Each group is described by what sets it apart: the larger one ("a") approves the first six actions.
    approved_by_a = {a["action_id"] for a in first["representative_actions"] if a["direction"] == "pour"}
    assert approved_by_a and approved_by_a <= set(ACTIONS[:6])
    rejected_by_a = {a["action_id"] for a in first["representative_actions"] if a["direction"] == "contre"}
    assert rejected_by_a <= set(ACTIONS[6:])
    # Nobody's group is published: only sizes.
    assert "labels" not in result and "participant_ids" not in str(result)


def test_consensus_is_what_every_group_approves():
    votes, _planted_groups = _planted({"a": 50, "b": 50}, seed=3)
    everyone_approves = 999
    rng = random.Random(2)
    people = {person for person, _action, _value in votes}
    votes += [(person, everyone_approves, 1 if rng.random() < 0.9 else 0) for person in people]
    result = opinion_groups(votes, k=5)
    assert result["status"] == "found"
    assert [action["action_id"] for action in result["consensus_actions"]][:1] == [everyone_approves]
    # The divisive actions are approved by one group only: never consensus.
    assert not {action["action_id"] for action in result["consensus_actions"]} & set(ACTIONS)


def test_a_group_smaller_than_k_is_merged_never_shown():
    # A third opinion group ("c" approves everything) of eight or nine people: shown under k = 3…
    votes, _planted_groups = _planted({"a": 30, "b": 30, "c": 8}, seed=5, answered=0.9, noise=0.05)
    small_k = opinion_groups(votes, k=3)
    assert len(small_k["groups"]) == 3 and min(group["size"] for group in small_k["groups"]) < 10

    # …merged into its nearest group under k = 10: every group shown has at least k people.
    result = opinion_groups(votes, k=10)
    assert result["status"] == "found" and len(result["groups"]) == 2
    assert all(group["size"] >= 10 for group in result["groups"])
    assert sum(group["size"] for group in result["groups"]) == result["people_placed"]["value"]


def test_too_few_people_or_too_few_answers_give_no_groups():
    votes, _planted_groups = _planted({"a": 4, "b": 4})
    assert opinion_groups(votes, k=5)["status"] == "too_few_people"
    # Someone who judged fewer than seven of twelve actions is left out, as in Polis.
    sparse, _ = _planted({"a": 30, "b": 30}, answered=0.5, seed=9)
    result = opinion_groups(sparse, k=5)
    placed, left_out = result["people_placed"]["value"], result["people_left_out"]["value"]
    assert left_out >= 5
    assert placed + left_out == len({person for person, *_ in sparse})


def test_the_groups_print_no_count_or_share_of_what_they_answered():
    """Everyone placed (0 left out), two groups. On the first action, group a gave 10 « pour » and 2 « mitigé » of
    its 12 opinions, group b 16 « contre ». Group a's share of 0.83 of 12 and the others' 0 gave the action's
    « pour » (10) and « mitigé » (2) exactly, whatever its tables withheld. The groups are described by their sizes
    and by what sets them apart or unites them, with no figure per action."""
    votes, planted = _planted({"a": 30, "b": 30}, answered=1.0, noise=0.0, seed=4)
    first = ACTIONS[0]
    votes = [(person, action, value) for person, action, value in votes if action != first]
    a_people = sorted(person for person, group in planted.items() if group == "a")
    b_people = sorted(person for person, group in planted.items() if group == "b")
    votes += [(person, first, 1 if index < 10 else 0) for index, person in enumerate(a_people[:12])]
    votes += [(person, first, -1) for person in b_people[:16]]
    result = opinion_groups(votes, k=5)
    assert result["status"] == "found" and result["people_left_out"] == {"value": 0, "display": "0", "share": None}
    assert first in {action["action_id"] for group in result["groups"] for action in group["representative_actions"]}
    for group in result["groups"]:
        assert all(set(action) == {"action_id", "direction"} for action in group["representative_actions"])
    assert all(set(action) == {"action_id"} for action in result["consensus_actions"])


def test_a_few_people_who_would_be_left_out_are_placed():
    votes, _planted_groups = _planted({"a": 30, "b": 30}, answered=1.0, noise=0.0, seed=6)
    # Two people judged one action each: fewer than seven, but fewer than k too, they are placed with the others.
    votes += [(1001, ACTIONS[0], 1), (1002, ACTIONS[1], -1)]
    result = opinion_groups(votes, k=5)
    assert result["people_left_out"] == {"value": 0, "display": "0", "share": None}
    assert result["people_placed"]["value"] == 62
    assert sum(group["size"] for group in result["groups"]) == 62


def _opinions_per_action(votes) -> dict[int, int]:
    """What each action's page shows anyone: its number of opinions."""
    counted: dict[int, int] = {}
    for _person, action, _value in votes:
        counted[action] = counted.get(action, 0) + 1
    return counted


def test_the_people_left_out_are_not_worked_out_from_the_actions_opinions():
    """Two actions, so that everyone placed judged both: 12 did, two people judged only the first. « 12 placed,
    < 5 left out » beside the 14 and 12 opinions the actions' pages show gave the people left out exactly:
    14 + 12 − 2 × 12 = 2."""
    votes = [(person, action, 1 if person <= 6 else -1) for person in range(1, 13) for action in (1, 2)]
    votes += [(13, 1, 1), (14, 1, -1)]
    result = opinion_groups(votes, k=5)
    assert result["status"] == "found"
    placed, left_out = result["people_placed"], result["people_left_out"]
    opinions = _opinions_per_action(votes)
    # Nothing withheld that the arithmetic above would give back: every person is counted, in plain figures.
    assert left_out["value"] is not None and placed["value"] is not None
    assert placed["value"] + left_out["value"] == 14 == max(opinions.values())


def test_a_few_people_placed_are_not_worked_out_from_the_actions_opinions():
    """Three people judged both actions, seventeen only the first: « < 5 placed, 17 left out » beside the 20 and 3
    opinions the pages show gave the three: (20 + 3 − 17) / 2. Under 2·k people placed no group is formed and
    neither number is printed."""
    votes = [(person, 1, 1) for person in range(1, 21)] + [(person, 2, -1) for person in range(1, 4)]
    result = opinion_groups(votes, k=5)
    assert result["status"] == "too_few_people"
    assert result["people_placed"] is None and result["people_left_out"] is None


def test_groups_of_a_consultation_from_its_votes(app):
    consultation = make_consultation(orientations=2, actions_per_orientation=4)
    actions = [action for orientation in consultation.orientations for action in orientation.actions]
    votes, planted = _planted({"a": 12, "b": 12}, answered=1.0, noise=0.0)
    people = {person: make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_26_TO_39)
              for person in planted}
    column = {action: index for index, action in enumerate(ACTIONS)}
    for person, action, value in votes:
        if column[action] < len(actions):
            db.session.add(Vote(participant_id=people[person].id, action_id=actions[column[action]].id,
                                kind=VoteKind.OPINION, value=value))
    db.session.commit()
    result = opinion_groups(counted_opinions(consultation), consultation.k_anonymity)
    assert result["status"] == "found"
    assert sorted(group["size"] for group in result["groups"]) == [12, 12]
    assert len(counted_opinions(consultation)) == len(people) * len(actions)
    # The opinions are read from the driver's cursor: none is lost, and the statements after them in the same
    # transaction (the worker then records the summary's progress) run as usual.
    voter = next(iter(people.values()))
    db.session.execute(update(Participant).where(Participant.id == voter.id).values(neighbourhood="Centre"))
    db.session.commit()
    assert db.session.get(Participant, voter.id).neighbourhood == "Centre"



def test_the_people_grouped_give_back_no_withheld_count_of_participants():
    """The attack: 36 participants aged 40 to 59 the reader knows, 4 aged 11 to 14 withheld as « < 5 », the total
    « masqué »: at most 40. The opinion groups print 34 people placed and 6 left out: 40 people gave an opinion,
    so the participants are 40 or more, hence 40, and the under-15s exactly 4. With that sum registered, the audit
    sees it and the figures are refused."""
    from pedt_participation.committee.aggregation import register_people_grouped
    from pedt_participation.committee.disclosure import Disclosure, DisclosureRefused

    figures = Disclosure(5)
    young, adults = ("participants", "age_bracket", "11-14"), ("participants", "age_bracket", "40-59")
    printed = figures.table(("participants",), {"11-14": (young, 4), "40-59": (adults, 36)})
    figures.known(adults, 36)
    register_people_grouped(figures, 40)
    try:
        figures.protect(max_rounds=100)
    except DisclosureRefused:
        return
    total = printed["total"]
    assert printed["parts"]["11-14"]["value"] is None
    possible = {
        under_15 for under_15 in range(5)
        if (total["value"] == under_15 + 36 if total["value"] is not None else under_15 + 36 >= 5) and under_15 + 36 >= 40
    }
    assert set(range(1, 5)) <= possible


def test_the_summary_counts_the_people_grouped_as_the_groups_print_them(app):
    """The sum the audit is given is the groups' people placed plus left out, and nothing when they print
    neither (k = 4): six people who judged both actions are too few to place; with two who judged one, placed
    with them, eight are enough; with two more judging both and four more one, six are left out."""
    from pedt_participation.committee.aggregation import _people_grouped

    consultation = make_consultation(orientations=1, actions_per_orientation=2, k_anonymity=4)
    actions = consultation.orientations[0].actions
    for judging_both, judging_one in ((6, 0), (0, 2), (2, 4)):
        for index in range(judging_both + judging_one):
            person = make_participant()
            db.session.add_all(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.OPINION, value=1)
                               for action in actions[: 2 if index < judging_both else 1])
        db.session.commit()
        opinions = counted_opinions(consultation)
        result = opinion_groups(opinions, consultation.k_anonymity)
        grouped = _people_grouped(opinions, consultation.k_anonymity)
        if result["people_placed"] is None:
            assert grouped is None
        else:
            assert grouped == result["people_placed"]["value"] + result["people_left_out"]["value"]
    assert result["people_left_out"]["value"] == 6
