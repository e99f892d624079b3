"""The committee's figures on a crafted data set whose every number is worked out by hand below:
supports with paper votes, opinions, majority judgment with ties, comments, proposals, participation,
and groups under the privacy threshold (k = 5)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.committee.disclosure import Disclosure
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionOrigin,
    ActionState,
    AgeBracket,
    Alignment,
    Audience,
    Comment,
    CommentRating,
    Grade,
    PaperVoteCount,
    RefusalCategory,
    Vote,
    VoteKind,
    Workshop,
    utcnow,
)
from tests.conftest import rows_built_once
from tests.helpers import make_consultation, make_participant

G = Grade


def _vote(person, action, kind, value=1, at=None):
    db.session.add(
        Vote(participant_id=person.id, action_id=action.id, kind=kind, value=value, created_at=at or utcnow())
    )


def _grades(people, action, grades):
    for person, grade in zip(people, grades, strict=True):
        _vote(person, action, VoteKind.GRADE, grade)


def _crafted():
    consultation = make_consultation(
        slug="comite", orientations=2, actions_per_orientation=3, majority_judgment_enabled=True,
        vote_limit_per_orientation=None,
    )
    a1, a2, a3 = consultation.orientations[0].actions
    b1, b2, b3 = consultation.orientations[1].actions
    a3.origin, a3.title = ActionOrigin.PARTICIPANT, "Des jardins partagés"
    parents = [make_participant(display_name=f"Parent {i}") for i in range(12)]
    youths = [
        make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17, display_name=f"Yasmine {i}")
        for i in range(6)
    ]
    pros = [make_participant(audience=Audience.PROFESSIONAL, display_name=f"Pro {i}") for i in range(2)]
    blocked = make_participant(display_name="Bloqué")
    blocked.blocked_at = utcnow()
    two_weeks_ago = utcnow() - timedelta(days=14)

    # Supports. A1: 8 parents + 3 youths online, 4 parents on paper → 15. A2: 6 + 6 + 2 online → 14.
    # A3: 2. Every parent, youth and professional supports something, so all 20 took part.
    for person in parents[:8] + youths[:3]:
        _vote(person, a1, VoteKind.SUPPORT, at=two_weeks_ago if person in parents[:6] else None)
    for person in parents[6:12] + youths + pros:
        _vote(person, a2, VoteKind.SUPPORT)
    for person in parents[8:10]:
        _vote(person, a3, VoteKind.SUPPORT)
    _vote(blocked, a1, VoteKind.SUPPORT)
    workshop = Workshop(consultation_id=consultation.id, held_on=date(2026, 11, 10), place="Centre social")
    db.session.add(workshop)
    db.session.flush()
    db.session.add(PaperVoteCount(workshop_id=workshop.id, action_id=a1.id, audience=Audience.PARENT, supports=4))

    # Opinions. A1: 7 pour, 2 mitigé, 3 contre. A2: 10 pour, 5 mitigé, 5 contre.
    for person, value in zip(parents, [1] * 7 + [0] * 2 + [-1] * 3, strict=True):
        _vote(person, a1, VoteKind.OPINION, value)
    for person, value in zip(parents + youths[:3] + pros, [1] * 10 + [0] * 5 + [-1] * 2, strict=False):
        _vote(person, a2, VoteKind.OPINION, value)
    for person in youths[3:6]:
        _vote(person, a2, VoteKind.OPINION, -1)
    _vote(blocked, a2, VoteKind.OPINION, -1)

    # Majority judgment in orientation A: 7 judges.
    # A1 = P P AB AB B B B → majority AB, then AB, then B.  A2 = I I AB AB AB TB TB → AB, AB, AB.
    # Same majority grade; the third median decides: A1 first. A3: graded Excellent by 2 judges only,
    # the 5 others count as "À rejeter" → majority grade À rejeter, third.
    judges = parents[:7]
    _grades(judges, a1, [G.PASSABLE, G.PASSABLE, G.ASSEZ_BIEN, G.ASSEZ_BIEN, G.BIEN, G.BIEN, G.BIEN])
    _grades(judges, a2, [G.INSUFFISANT, G.INSUFFISANT, G.ASSEZ_BIEN, G.ASSEZ_BIEN, G.ASSEZ_BIEN,
                         G.TRES_BIEN, G.TRES_BIEN])
    _grades(judges[:2], a3, [G.EXCELLENT, G.EXCELLENT])
    # Orientation B: B1 and B2 graded alike by 5 judges (a true tie); nobody grades B3.
    _grades(youths[:5], b1, [G.BIEN] * 5)
    _grades(youths[:5], b2, [G.BIEN] * 5)

    # Comments on A1: three for (scores 2, 5, 0), one neutral, one against; a hidden one and one by the
    # blocked person do not count.
    def comment(author, alignment, body, score=0, **extra):
        row = Comment(action_id=a1.id, author_id=author.id, alignment=alignment, body=body, **extra)
        db.session.add(row)
        db.session.flush()
        for rater in (parents + youths)[: abs(score)]:
            db.session.add(CommentRating(comment_id=row.id, participant_id=rater.id, value=1 if score > 0 else -1))

    comment(parents[0], Alignment.POUR, "L’aide aux devoirs du soir aiderait les familles.", score=2)
    comment(youths[0], Alignment.POUR, "Avec l’aide aux devoirs je comprendrais mieux les maths.", score=5)
    comment(parents[1], Alignment.POUR, "Bonne idée.")
    comment(parents[2], Alignment.NEUTRE, "Il faudrait des horaires adaptés.")
    comment(parents[3], Alignment.CONTRE, "Les locaux sont trop petits.", score=-1)
    comment(parents[4], Alignment.POUR, "Texte masqué par la modération", hidden_at=utcnow())
    comment(blocked, Alignment.CONTRE, "Message d’une personne bloquée")

    # Proposals in orientation A: A3 was published; one more waits, one was refused.
    orientation_a = consultation.orientations[0]
    for state, title, category in ((ActionState.PENDING, "Un city-stade", None),
                                   (ActionState.REJECTED, "Hors sujet", RefusalCategory.OUT_OF_SCOPE)):
        db.session.add(Action(orientation_id=orientation_a.id, position=10, title=title, origin=ActionOrigin.PARTICIPANT,
                              state=state, author_id=parents[11].id, refusal_category=category))
    db.session.commit()
    return {"consultation": consultation, "actions": (a1, a2, a3, b1, b2, b3), "youths": youths, "parents": parents}


# Built once for the module: its tests only read it.
crafted = rows_built_once(_crafted)


def _action(data, action):
    return next(a for o in data["orientations"] for a in o["actions"] if a["id"] == action.id)


def test_supports_with_paper_votes_and_ranks(crafted):
    data = aggregate(crafted["consultation"])
    a1, a2, a3, b1, b2, b3 = crafted["actions"]
    first = _action(data, a1)["supports"]
    # The action's page shows its supports online and on paper to anyone: the summary prints them as it does, and
    # the orientation's total, their sum with the other actions'.
    channel = first["by_channel"]["parts"]
    assert (channel["online"]["display"], channel["paper"]["display"]) == ("11", "4")
    assert first["by_channel"]["total"]["display"] == "15"
    assert data["orientations"][0]["supports"]["total"]["display"] == "31"
    # 3 youths is under 5; the 12 parents are masked with them (15 − 12 would give them away), and the 0
    # professionals « < 5 » (shown, they would pin the parents to 11 to 15, narrower than 5).
    audience = first["by_audience"]["parts"]
    assert audience["youth"]["display"] == "< 5" and audience["youth"]["share"] is None
    assert audience["professional"]["display"] == "< 5" and audience["parent"]["display"] == "masqué"
    # The ranks order the totals the pages show.
    assert [_action(data, action)["supports"]["rank"] for action in (a1, a2, a3)] == [1, 2, 3]
    assert [_action(data, action)["supports"]["rank"] for action in (b1, b2, b3)] == [1, 1, 1]
    # A3 has 2 supports, too few to detail without showing a small group: no breakdown, not a row of « < 5 ».
    third = _action(data, a3)["supports"]
    assert third["by_channel"]["total"]["display"] == "2"
    assert (third["detailed"], third["by_audience"], third["online_by_age_bracket"]) == (False, None, None)
    assert _action(data, b1)["supports"]["by_channel"]["total"]["display"] == "0"


def test_opinions_and_balance(crafted):
    data = aggregate(crafted["consultation"])
    a1, a2, *_ = crafted["actions"]
    first = _action(data, a1)["opinions"]
    # The action's page shows its opinions to anyone: the summary prints them as it does, with their balance.
    assert first["total"]["display"] == "12"
    assert first["parts"]["pour"] == {"value": 7, "display": "7", "share": 0.5833}
    assert (first["parts"]["mitige"]["display"], first["parts"]["contre"]["display"], first["balance"]) == ("2", "3", 4)
    second = _action(data, a2)["opinions"]
    assert second["total"]["value"] == 20  # the blocked person's vote is left out
    assert second["balance"] == second["parts"]["pour"]["value"] - second["parts"]["contre"]["value"]
    # 5 « mitigé » (under 2k − 1 = 9) cannot hide the one audience they might all come from: no breakdown.
    assert (first["detailed"], second["detailed"], second["by_audience"], second["by_age_bracket"]) == (False, False, {}, {})


def test_majority_judgment_tie_break_and_missing_grades(crafted):
    data = aggregate(crafted["consultation"])
    a1, a2, a3, b1, b2, b3 = (_action(data, action)["majority_judgment"] for action in crafted["actions"])
    # Orientation A's grades are on the actions' pages, exact even under 5: the profiles are whole, graded and
    # ranked; the third median puts A1 first, and A3's 5 missing grades count as À rejeter.
    assert a1["parts"][str(G.BIEN.value)]["display"] == "3"
    assert (a1["majority_grade"], a1["rank"], a2["majority_grade"], a2["rank"]) == (G.ASSEZ_BIEN, 1, G.ASSEZ_BIEN, 2)
    assert (a3["majority_grade"], a3["rank"]) == (G.A_REJETER, 3)
    # A true tie shares the rank, and the next rank is skipped; B3's 5 missing grades count as À rejeter.
    assert (b1["rank"], b2["rank"], b3["rank"]) == (1, 1, 3)
    assert b1["majority_grade"] == G.BIEN and b3["majority_grade"] == G.A_REJETER
    assert b3["parts"][str(G.A_REJETER.value)]["value"] == 5
    assert data["parameters"]["missing_grades_as_reject"] is True


def test_without_missing_grades_as_reject_few_grades_give_no_rank(crafted):
    crafted["consultation"].missing_grades_as_reject = False
    db.session.commit()
    data = aggregate(crafted["consultation"])
    a3 = _action(data, crafted["actions"][2])["majority_judgment"]
    assert a3["total"]["display"] == "2" and a3["majority_grade"] is None and a3["rank"] is None


def test_what_people_said(crafted):
    data = aggregate(crafted["consultation"])
    first = _action(data, crafted["actions"][0])
    assert first["comments"] == {"pour": 3, "neutre": 1, "contre": 1}
    pour = first["top_comments"]["pour"]
    assert [quote["score"] for quote in pour] == [5, 2]
    assert pour[0]["author"] == "Un ou une jeune" and pour[1]["author"] == "Parent 0"
    assert [quote["text"] for quote in first["top_comments"]["contre"]] == ["Les locaux sont trop petits."]
    # "aide aux devoirs" is in two comments by two people: fewer than k = 5, no theme.
    assert first["themes"] == []


def test_proposals_and_their_fate(crafted):
    data = aggregate(crafted["consultation"])
    proposals = data["orientations"][0]["proposals"]
    assert proposals["received"] == 3
    assert (proposals["by_state"]["published"], proposals["by_state"]["pending"], proposals["by_state"]["rejected"]) == (
        1, 1, 1)
    assert data["orientations"][1]["proposals"]["received"] == 0


def test_participation(crafted):
    data = aggregate(crafted["consultation"])
    participation = data["participation"]
    assert participation["participants"]["value"] == 20  # the blocked person is not counted
    by_audience = participation["by_audience"]["parts"]
    assert by_audience["professional"]["display"] == "< 5"
    # 12 parents masked (5 or more) beside the 2 professionals, and the 6 youths too: with 6 shown, the parents
    # would be 10 to 14, narrower than 5; masked, they leave the 2 anything from 0 to 4.
    assert by_audience["parent"]["display"] == "masqué" and by_audience["youth"]["display"] == "masqué"
    weeks = list(participation["new_participants_by_week"]["parts"].values())
    assert [week["display"] for week in weeks] == ["6", "0", "14"]
    assert participation["supports"]["parts"]["paper"]["display"] == "4"  # the sum of the action pages' paper supports
    assert participation["workshops"] == 1
    orientation_b = data["orientations"][1]
    assert orientation_b["participants"]["value"] == 5


def test_no_output_says_who_voted_what(crafted):
    text = json.dumps(aggregate(crafted["consultation"]), ensure_ascii=False)
    for person in crafted["youths"] + crafted["parents"]:
        assert person.email not in text
    assert "Yasmine" not in text  # youths are quoted without their name
    assert "participant_id" not in text and "Bloqué" not in text


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"a": 10, "b": 7}, ["10", "7"]),
        # A « masqué » beside a single « < 5 » would be pinned to 5 values (8 to 12 with 10 shown): 10 is too.
        ({"a": 10, "b": 3, "c": 8}, ["masqué", "< 5", "masqué"]),
        ({"a": 10, "b": 3, "c": 2}, ["10", "< 5", "< 5"]),
        # A zero is never "masqué" (which means 5 or more): the other part is, and the zero « < 5 » (shown, it
        # would pin the « masqué » to 8 to 12).
        ({"a": 10, "b": 0, "c": 2}, ["masqué", "< 5", "< 5"]),
        ({"a": 3, "b": 0}, ["< 5", "< 5"]),
        ({"a": 0, "b": 0}, ["0", "0"]),
    ],
)
def test_threshold_rules_on_one_table(counts, expected):
    figures = Disclosure(5)
    result = figures.table(("total",), {key: ((key,), count) for key, count in counts.items()})
    figures.protect(max_rounds=10)
    assert [part["display"] for part in result["parts"].values()] == expected
    shown_total = result["total"]["value"]
    for key, part in result["parts"].items():
        assert (part["share"] is not None) == (part["value"] is not None and bool(shown_total))
        if part["share"] is not None:
            assert part["share"] == round(counts[key] / shown_total, 4)


def test_with_missing_grades_as_rejections_each_actions_rejections_are_given_exact():
    """Every grade but « À rejeter » is the one the action's page shows, so each action's « À rejeter » is the
    orientation's judges less figures the site shows: two actions' differ by a known number, and hiding them
    protected nothing (the summary was refused). With 8 judges, they are printed as they are."""
    consultation = make_consultation(orientations=1, actions_per_orientation=2, majority_judgment_enabled=True,
                                     missing_grades_as_reject=True)
    first, second = consultation.orientations[0].actions
    judges = [make_participant() for _ in range(8)]
    for person in judges[:7]:
        _vote(person, first, VoteKind.GRADE, Grade.BIEN.value)
    for person in judges[2:]:
        _vote(person, second, VoteKind.GRADE, Grade.BIEN.value)
    db.session.commit()

    data = aggregate(consultation, with_comments=False)

    rejections = [action["majority_judgment"]["parts"][str(Grade.A_REJETER.value)]["display"]
                  for action in data["orientations"][0]["actions"]]
    assert rejections == ["1", "2"]


def test_a_newest_week_under_k_is_counted_with_the_week_before_and_the_participants_stay_printed():
    """Two people in the week under way beside twelve the week before: printed « < 5 » beside a single other week,
    they would pin that week, « masqué », to an interval narrower than k, and hiding more would take the
    participants' total that every reader looks for first."""
    consultation = make_consultation(slug="semaines", orientations=1, actions_per_orientation=1)
    (action,) = consultation.orientations[0].actions
    last_monday = date(2026, 11, 30)
    for i, people in enumerate((12, 2)):
        for _ in range(people):
            person = make_participant()
            _vote(person, action, VoteKind.SUPPORT, at=datetime(2026, 11, 24, 10, tzinfo=UTC) + timedelta(days=7 * i))
    db.session.flush()
    participation = aggregate(consultation)["participation"]
    assert participation["participants"]["display"] == "14"
    weeks = participation["new_participants_by_week"]["parts"]
    assert {week: cell["display"] for week, cell in weeks.items()} == {(last_monday - timedelta(days=7)).isoformat(): "14"}
