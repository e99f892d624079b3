"""Official answers (draft, bulk publish, who is told) and paper votes from workshops (in the totals)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    AnswerState,
    ModerationAction,
    ModerationLogEntry,
    Notification,
    PaperVoteCount,
    VoteKind,
    Workshop,
)
from pedt_participation.moderation.services import approve_proposal
from pedt_participation.templating import local_today
from pedt_participation.voting.services import cast_vote, count_votes
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text


@pytest.fixture
def consultation():
    return make_consultation(slug="demo", orientations=1, actions_per_orientation=2)


@pytest.fixture
def moderator(consultation):
    return make_moderator(consultation)


def _messages(person):
    return list(db.session.scalars(select(Notification.message).where(Notification.recipient_id == person.id)))


def test_answer_draft_is_invisible_until_published_then_followers_are_told(client, consultation, moderator):
    action = consultation.orientations[0].actions[0]
    voter, commenter, bystander = make_participant(), make_participant(), make_participant()
    cast_vote(voter, action, VoteKind.SUPPORT, 1)
    add_comment(commenter, action, "J’espère que ce sera retenu")
    db.session.commit()

    login(client, moderator)
    client.post(f"/moderation/demo/answers/{action.id}", data={f"r{action.id}-state": "accepted", f"r{action.id}-text": "La ville financera cette action dès la rentrée."})
    assert db.session.get(Action, action.id).answer_draft_state == AnswerState.ACCEPTED
    assert "Réponse de la ville" not in page_text(client.get(f"/actions/{action.id}"))
    assert _messages(voter) == []

    text = page_text(client.post("/moderation/demo/answers/publish", data={"action_ids": [str(action.id)]}, follow_redirects=True))
    assert "1 réponse publiée" in text
    page = page_text(client.get(f"/actions/{action.id}"))
    assert "Réponse de la ville : Retenue" in page and "La ville financera cette action dès la rentrée." in page
    assert _messages(voter) == [f"La ville a répondu à l’action « {action.title} » : retenue."]
    assert len(_messages(commenter)) == 1 and _messages(bystander) == []
    assert [e.action for e in db.session.scalars(select(ModerationLogEntry).order_by(ModerationLogEntry.id))] == [
        ModerationAction.ANSWER,
        ModerationAction.PUBLISH_ANSWERS,
    ]
    api = client.get(f"/api/v1/actions/{action.id}").get_json()["data"]
    assert api["answer"] == {"state": "accepted", "text": "La ville financera cette action dès la rentrée.", "published_at": api["answer"]["published_at"]}


def test_published_answer_stays_while_the_next_version_is_drafted(client, consultation, moderator):
    action = consultation.orientations[0].actions[0]
    login(client, moderator)
    client.post(f"/moderation/demo/answers/{action.id}", data={f"r{action.id}-state": "evaluating", f"r{action.id}-text": "Nous étudions."})
    client.post("/moderation/demo/answers/publish", data={"action_ids": [str(action.id)]})
    client.post(f"/moderation/demo/answers/{action.id}", data={f"r{action.id}-state": "not_retained", f"r{action.id}-text": "Pas de budget."})

    page = page_text(client.get(f"/actions/{action.id}"))
    assert "À l’étude" in page and "Pas de budget." not in page


def test_decision_without_explanation_is_refused(client, consultation, moderator):
    action = consultation.orientations[0].actions[0]
    login(client, moderator)
    text = page_text(client.post(f"/moderation/demo/answers/{action.id}", data={f"r{action.id}-state": "not_retained", f"r{action.id}-text": ""}, follow_redirects=True))
    assert "Expliquez la décision en quelques phrases" in text
    text = page_text(client.post("/moderation/demo/answers/publish", data={}, follow_redirects=True))
    assert "Aucune réponse à publier" in text


def test_paper_votes_are_added_to_the_totals_and_shown_apart(client, consultation, moderator):
    first, second = consultation.orientations[0].actions
    cast_vote(make_participant(), first, VoteKind.SUPPORT, 1)
    db.session.commit()
    login(client, moderator)
    day = (local_today() - timedelta(days=2)).isoformat()
    response = client.post(
        "/moderation/demo/workshops",
        data={"held_on": day, "place": "Centre social", f"c-{first.id}-parent": "7", f"c-{first.id}-youth": "3", f"c-{second.id}-parent": ""},
    )
    assert response.status_code == 303

    counts = count_votes([first.id, second.id])
    assert (counts[first.id].supports, counts[first.id].paper_supports, counts[first.id].online_supports) == (11, 10, 1)
    assert counts[second.id].supports == 0
    assert "11 soutiens (dont 10 recueillis en atelier)" in page_text(client.get(f"/actions/{first.id}"))
    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.PAPER_VOTES))
    assert entry.details == {"held_on": day, "place": "Centre social", "supports": 10}

    # A correction replaces the workshop's counts instead of adding to them.
    workshop = db.session.scalar(select(Workshop))
    assert 'value="7"' in client.get(f"/moderation/demo/workshops/{workshop.id}").get_data(as_text=True)
    client.post(f"/moderation/demo/workshops/{workshop.id}", data={"held_on": day, "place": "Centre social", f"c-{first.id}-parent": "5"})
    assert count_votes([first.id])[first.id].paper_supports == 5
    assert db.session.scalar(select(PaperVoteCount.audience)) == "parent"


def test_paper_vote_errors_keep_every_number_typed(client, consultation, moderator):
    first, second = consultation.orientations[0].actions
    login(client, moderator)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = client.post(
        "/moderation/demo/workshops",
        data={"held_on": tomorrow, "place": "Collège", f"c-{first.id}-parent": "12", f"c-{second.id}-youth": "douze"},
    )
    assert response.status_code == 422
    assert "« douze » n’est pas un nombre" in page_text(response)
    html = response.get_data(as_text=True)
    assert 'value="12"' in html and 'value="douze"' in html
    response = client.post("/moderation/demo/workshops", data={"held_on": tomorrow, "place": "Collège", f"c-{first.id}-parent": "12"})
    assert "La date de l’atelier est dans le futur" in page_text(response)
    assert db.session.scalar(select(Workshop)) is None


def test_the_author_of_a_proposal_is_told_of_the_answer_as_its_author(client, consultation, moderator):
    """Someone who proposed an action and never voted on it used to hear nothing when the city answered it."""
    author = make_participant(display_name="Nadia Auteure")
    proposal = propose_action(author, consultation.orientations[0], "Un atelier devoirs au centre social", "Le mardi soir.")
    approve_proposal(moderator, proposal, title=proposal.title, body=proposal.body, orientation=proposal.orientation)
    voter = make_participant()
    cast_vote(voter, proposal, VoteKind.SUPPORT, 1)
    db.session.commit()
    already = len(_messages(author))

    login(client, moderator)
    client.post(f"/moderation/demo/answers/{proposal.id}", data={f"r{proposal.id}-state": "accepted", f"r{proposal.id}-text": "Le centre social l’accueillera."})
    client.post("/moderation/demo/answers/publish", data={"action_ids": [str(proposal.id)]})

    assert _messages(author)[already:] == [f"La ville a répondu à votre proposition « {proposal.title} » : retenue."]
    assert _messages(voter) == [f"La ville a répondu à l’action « {proposal.title} » : retenue."]
