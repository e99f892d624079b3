"""Children protected beyond the counts: what the committee's summary, the pages, the API and the open-data
exports say of a person, and of a child under 15 above all."""

from __future__ import annotations

from pedt_participation.committee.aggregation import aggregate
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
    utcnow,
)
from tests.helpers import make_consultation, make_participant

CHILD_NAME = "Lina 12 ans"


def _comment(author, action, body, alignment=Alignment.POUR, raters=()):
    comment = Comment(action_id=action.id, author_id=author.id, alignment=alignment, body=body)
    db.session.add(comment)
    db.session.flush()
    for rater in raters:
        db.session.add(CommentRating(comment_id=comment.id, participant_id=rater.id, value=1))
    db.session.commit()
    return comment


def _themes(data, action):
    return [
        theme["phrase"] for o in data["orientations"] for a in o["actions"] if a["id"] == action.id for theme in a["themes"]
    ]


def test_a_theme_needs_k_different_authors_and_never_names_a_person(app):
    consultation = make_consultation(slug="themes", orientations=1, actions_per_orientation=1, k_anonymity=3)
    action = consultation.orientations[0].actions[0]
    parents = [make_participant() for _ in range(3)]
    for parent in parents:
        _comment(parent, action, "Il faut une navette scolaire le mercredi.")
    # One insistent voice, four times: one person, not a theme.
    for _ in range(4):
        _comment(parents[0], action, "La cour de récréation est trop petite.")
    # Three adults name a child: the name is no theme, however many say it.
    for parent in parents:
        _comment(parent, action, "Kevin Durand se fait embêter, il faut le protéger.")

    data = aggregate(consultation)
    themes = _themes(data, action)
    assert "navette scolaire" in themes
    assert not any("cour" in phrase or "récréation" in phrase for phrase in themes)
    assert not any("kevin" in phrase or "durand" in phrase for phrase in themes)
    orientation_themes = [theme["phrase"] for theme in data["orientations"][0]["themes"]]
    assert "navette scolaire" in orientation_themes
    assert not any("kevin" in phrase or "durand" in phrase for phrase in orientation_themes)


def test_the_summary_quotes_no_child_under_15(app):
    consultation = make_consultation(slug="citations", orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    raters = [make_participant() for _ in range(4)]
    child = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, display_name=CHILD_NAME)
    teenager = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17)
    _comment(child, action, "Moi je veux un atelier robotique au collège.", raters=raters)
    _comment(teenager, action, "Un atelier robotique serait top.", raters=raters[:2])
    _comment(raters[0], action, "Bonne idée pour les ados.", raters=raters[1:2])

    quotes = aggregate(consultation)["orientations"][0]["actions"][0]["top_comments"]["pour"]
    assert [quote["text"] for quote in quotes] == ["Un atelier robotique serait top.", "Bonne idée pour les ados."]


def test_a_blocked_authors_published_proposal_leaves_the_summary(app):
    consultation = make_consultation(slug="bloque", orientations=1, actions_per_orientation=1)
    orientation = consultation.orientations[0]
    author = make_participant(display_name="Auteur bloqué")
    proposal = Action(
        orientation_id=orientation.id, position=2, title="Une proposition d’une personne bloquée", body="…",
        origin=ActionOrigin.PARTICIPANT, state=ActionState.PUBLISHED, published_at=utcnow(), author_id=author.id,
    )
    db.session.add(proposal)
    author.blocked_at = utcnow()
    db.session.commit()

    actions = aggregate(consultation)["orientations"][0]["actions"]
    assert [action["title"] for action in actions] == ["Action 1.1"]
