"""The database itself refuses what the rules forbid, whatever code writes to it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Comment, Participant, Vote, VoteKind
from tests.helpers import make_consultation, make_participant


@pytest.fixture
def action():
    return make_consultation().orientations[0].actions[0]


def _insert(obj):
    db.session.add(obj)
    try:
        db.session.flush()
    finally:
        db.session.rollback()


def test_one_vote_per_participant_action_and_kind(action):
    participant = make_participant()
    db.session.add(Vote(participant_id=participant.id, action_id=action.id, kind=VoteKind.OPINION, value=1))
    db.session.commit()
    with pytest.raises(IntegrityError):
        _insert(Vote(participant_id=participant.id, action_id=action.id, kind=VoteKind.OPINION, value=-1))
    # Another kind on the same action is a different vote.
    db.session.add(Vote(participant_id=participant.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))
    db.session.commit()


@pytest.mark.parametrize(("kind", "value"), [(VoteKind.SUPPORT, 0), (VoteKind.OPINION, 2), (VoteKind.GRADE, 7), (VoteKind.GRADE, -1)])
def test_vote_value_must_fit_its_kind(action, kind, value):
    participant = make_participant()
    with pytest.raises(IntegrityError):
        _insert(Vote(participant_id=participant.id, action_id=action.id, kind=kind, value=value))


def test_under_15_without_a_parents_email_is_refused_by_the_database():
    """The parent who is asked for consent must be known, while their answer is awaited too."""
    with pytest.raises(IntegrityError):
        _insert(
            Participant(
                email="enfant@exemple.fr",
                display_name="Enfant",
                audience=Audience.YOUTH,
                age_bracket=AgeBracket.FROM_11_TO_14,
            )
        )


@pytest.mark.parametrize(("audience", "bracket"), [(Audience.PARENT, AgeBracket.FROM_15_TO_17),
                                                    (Audience.PROFESSIONAL, AgeBracket.FROM_11_TO_14),
                                                    (Audience.YOUTH, AgeBracket.FROM_26_TO_39)])
def test_an_age_bracket_its_audience_does_not_admit_is_refused_by_the_database(audience, bracket):
    """The summaries' audit counts on it (nobody under 18 is a parent): whatever writes the account, the host
    platform's sign-in or a script, the database refuses it."""
    with pytest.raises(IntegrityError):
        _insert(Participant(email="x@exemple.fr", display_name="X", audience=audience, age_bracket=bracket,
                            parent_email="parent@exemple.fr"))
    # Changed afterwards, too.
    person = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_18_TO_25)
    person.age_bracket, person.audience = bracket, audience
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_comment_depth_is_bounded(action):
    author = make_participant()
    root = Comment(action_id=action.id, author=author, body="Racine", depth=0)
    db.session.add(root)
    db.session.commit()
    with pytest.raises(IntegrityError):
        _insert(Comment(action_id=action.id, author=author, body="Trop loin", depth=4, parent_id=root.id))
    with pytest.raises(IntegrityError):
        _insert(Comment(action_id=action.id, author=author, body="Réponse sans parent", depth=1))


def test_unknown_enum_value_is_refused(action):
    from sqlalchemy import text

    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE actions SET state = 'n-importe-quoi' WHERE id = :id"), {"id": action.id}
            )
