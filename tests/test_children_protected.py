"""Children protected beyond the counts: what the committee's summary, the pages, the API and the open-data
exports say of a person, and of a child under 15 above all."""

from __future__ import annotations

import csv
import io

import pytest

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
    Role,
    Vote,
    VoteKind,
    utcnow,
)
from pedt_participation.opendata.services import comments_rows, proposals_rows
from pedt_participation.public_names import public_name
from tests.helpers import counted_opinions, login, make_consultation, make_participant, page_text

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

    voter = make_participant()
    db.session.add(Vote(participant_id=voter.id, action_id=proposal.id, kind=VoteKind.OPINION, value=1))
    db.session.commit()

    orientation_figures = aggregate(consultation)["orientations"][0]
    assert [action["title"] for action in orientation_figures["actions"]] == ["Action 1.1"]
    assert orientation_figures["proposals"]["received"] == 0
    # Nor do the analyses (opinion groups, weighting) count the opinions given on it.
    assert proposal.id not in counted_opinions(consultation)[:, 1]


@pytest.fixture
def child_in_public(app):
    """A child under 15 who commented and whose proposal was published, and an adult who commented."""
    consultation = make_consultation(slug="enfant", orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    child = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, display_name=CHILD_NAME)
    adult = make_participant(display_name="Nadia Parent")
    proposal = Action(
        orientation_id=action.orientation_id, position=2, title="Un club d’échecs", body="Le mercredi.",
        origin=ActionOrigin.PARTICIPANT, state=ActionState.PUBLISHED, published_at=utcnow(), author_id=child.id,
    )
    db.session.add(proposal)
    db.session.commit()
    _comment(child, action, "J’aimerais plus de sorties.")
    _comment(adult, action, "Les sorties coûtent cher.", alignment=Alignment.CONTRE)
    return {"consultation": consultation, "action": action, "proposal": proposal, "child": child, "adult": adult}


def test_a_child_under_15_is_shown_under_a_stable_pseudonym_on_the_page_and_in_the_api(client, child_in_public):
    action = child_in_public["action"]
    page = page_text(client.get(f"/actions/{action.id}"))
    assert CHILD_NAME not in page
    assert "Nadia Parent" in page
    pseudonym = next(word for word in page.split("Jeune participant·e n° ")[1:2])[:4]
    assert pseudonym.isdigit()

    comments = client.get(f"/api/v1/actions/{action.id}/comments").get_json()["data"]
    names = {comment["body"]: comment["author"]["display_name"] for comment in comments}
    assert names["Les sorties coûtent cher."] == "Nadia Parent"
    assert names["J’aimerais plus de sorties."] == f"Jeune participant·e n° {pseudonym}"
    assert CHILD_NAME not in client.get(f"/api/v1/actions/{action.id}/comments").get_data(as_text=True)
    # The same pseudonym on every visit, and not the account's id.
    assert f"Jeune participant·e n° {pseudonym}" in page_text(client.get(f"/actions/{action.id}"))
    assert pseudonym != str(child_in_public["child"].id)


def test_the_author_of_a_comment_reads_you_beside_it_a_child_beside_their_pseudonym(client, child_in_public):
    page_of_action = f"/actions/{child_in_public['action'].id}"
    login(client, child_in_public["child"])
    seen_by_the_child = page_text(client.get(page_of_action))
    client.post("/auth/logout")
    login(client, child_in_public["adult"])
    seen_by_the_adult = page_text(client.get(page_of_action))

    pseudonym = public_name(child_in_public["child"])
    assert f"{pseudonym} (vous)" in seen_by_the_child and "Nadia Parent (vous)" not in seen_by_the_child
    assert "Nadia Parent (vous)" in seen_by_the_adult and f"{pseudonym} (vous)" not in seen_by_the_adult


def test_moderation_still_sees_the_childs_chosen_name(client, child_in_public):
    moderator = make_participant(role=Role.ADMIN)
    child = child_in_public["child"]
    proposal = Action(
        orientation_id=child_in_public["action"].orientation_id, position=3, title="Une bibliothèque ouverte",
        body="Le samedi.", origin=ActionOrigin.PARTICIPANT, state=ActionState.PENDING, author_id=child.id,
    )
    db.session.add(proposal)
    db.session.commit()
    login(client, moderator)
    assert CHILD_NAME in page_text(client.get("/moderation/enfant/proposals"))


def test_no_open_data_export_links_a_childs_items_together(app, child_in_public):
    with app.test_request_context():
        comments = list(csv.DictReader(io.StringIO(_csv(comments_rows(child_in_public["consultation"].id)))))
        proposals = list(csv.DictReader(io.StringIO(_csv(proposals_rows(child_in_public["consultation"].id)))))
    child_comment = next(row for row in comments if row["body"] == "J’aimerais plus de sorties.")
    adult_comment = next(row for row in comments if row["body"] == "Les sorties coûtent cher.")
    child_proposal = next(row for row in proposals if row["title/fr"] == "Un club d’échecs")
    assert child_comment["author/id"] == "" and child_proposal["author/id"] == ""
    assert adult_comment["author/id"] != ""


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()
