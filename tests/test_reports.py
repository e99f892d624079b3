"""Reports and what follows: automatic hiding at the threshold, the moderators' decisions, blocking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionState,
    AgeBracket,
    Audience,
    Comment,
    ModerationAction,
    ModerationLogEntry,
    Notification,
    Participant,
    Report,
    Role,
    VoteKind,
    utcnow,
)
from pedt_participation.voting.services import cast_vote, count_votes
from tests.helpers import TEST_PASSWORD, login, make_consultation, make_moderator, make_participant, page_text


@pytest.fixture
def consultation():
    return make_consultation(slug="demo")


@pytest.fixture
def action(consultation):
    return consultation.orientations[0].actions[0]


@pytest.fixture
def moderator(consultation):
    return make_moderator(consultation)


@pytest.fixture
def troll():
    return make_participant(display_name="Troll")


@pytest.fixture
def rude_comment(action, troll):
    comment = add_comment(troll, action, "Texte grossier de test")
    db.session.commit()
    return comment


def _regular(action):
    """Someone whose reports count towards hiding: their account is two days old and they voted in the
    consultation."""
    person = make_participant()
    cast_vote(person, action, VoteKind.SUPPORT, 1)
    person.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    return person


def _report(client, person, url, **data):
    login(client, person)
    response = client.post(url, data={"reason": "offensive", **data}, follow_redirects=True)
    client.post("/auth/logout")
    return page_text(response)


def _log(kind):
    return list(db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == kind)))


def test_three_reports_hide_a_comment_and_tell_the_moderators(client, action, rude_comment, moderator):
    reporters = [_regular(action) for _ in range(3)]
    assert "Merci, votre signalement est transmis" in _report(client, reporters[0], f"/comments/{rude_comment.id}/report", details="Insulte")
    assert "déjà signalé" in _report(client, reporters[0], f"/comments/{rude_comment.id}/report")
    _report(client, reporters[1], f"/comments/{rude_comment.id}/report")
    assert db.session.get(Comment, rude_comment.id).hidden_at is None
    _report(client, reporters[2], f"/comments/{rude_comment.id}/report")

    assert db.session.get(Comment, rude_comment.id).hidden_at is not None
    page = page_text(client.get(f"/actions/{action.id}"))
    assert "Texte grossier de test" not in page and "Commentaire masqué par l’équipe de modération." in page
    assert "0 commentaire" in page
    assert db.session.scalar(select(Comment.body).where(Comment.id == rude_comment.id)) == "Texte grossier de test"
    messages = list(db.session.scalars(select(Notification.message).where(Notification.recipient_id == moderator.id)))
    assert "3 signalements pour un commentaire : à examiner." in messages


def test_own_content_cannot_be_reported(client, rude_comment, troll):
    assert "Vous ne pouvez pas signaler ce que vous avez écrit" in _report(client, troll, f"/comments/{rude_comment.id}/report")


def test_report_needs_a_reason(client, rude_comment):
    login(client, make_participant())
    page = page_text(client.post(f"/comments/{rude_comment.id}/report", data={}, follow_redirects=True))
    assert "Choisissez la raison du signalement." in page
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_a_reported_proposal_is_hidden_everywhere_at_the_threshold(client, consultation, action):
    proposal = propose_action(make_participant(), consultation.orientations[0], "Une proposition douteuse", "")
    proposal.state, proposal.published_at = ActionState.PUBLISHED, utcnow()
    db.session.commit()
    for _ in range(3):
        _report(client, _regular(action), f"/actions/{proposal.id}/report", reason="spam")
    assert db.session.get(Action, proposal.id).state == ActionState.HIDDEN
    assert client.get(f"/actions/{proposal.id}").status_code == 404
    assert proposal.title not in page_text(client.get("/consultations/demo"))
    api = client.get("/api/v1/consultations/demo").get_json()["data"]
    assert proposal.id not in [a["id"] for o in api["orientations"] for a in o["actions"]]


def test_reports_never_hide_an_official_action_and_go_to_the_moderators(client, consultation, action, moderator):
    for _ in range(3):
        _report(client, _regular(action), f"/actions/{action.id}/report", reason="spam")

    assert db.session.get(Action, action.id).state == ActionState.PUBLISHED
    assert client.get(f"/actions/{action.id}").status_code == 200
    api = client.get("/api/v1/consultations/demo").get_json()["data"]
    assert action.id in [a["id"] for o in api["orientations"] for a in o["actions"]]
    messages = list(db.session.scalars(select(Notification.message).where(Notification.recipient_id == moderator.id)))
    assert f"3 signalements pour l’action « {action.title} » : à examiner." in messages
    login(client, moderator)
    assert "3 signalements" in page_text(client.get("/moderation/demo/reports"))


def test_reports_from_new_or_idle_accounts_reach_the_queue_but_hide_nothing(client, action, rude_comment, moderator):
    """Three accounts made a minute ago, or old ones that never took part in the consultation, cannot hide a
    comment by themselves: a moderator decides."""
    idle = make_participant()
    idle.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    new = make_participant()
    cast_vote(new, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    for reporter in (idle, new, make_participant()):
        _report(client, reporter, f"/comments/{rude_comment.id}/report")
    assert db.session.get(Comment, rude_comment.id).hidden_at is None

    for reporter in (_regular(action), _regular(action)):
        _report(client, reporter, f"/comments/{rude_comment.id}/report")
    assert db.session.get(Comment, rude_comment.id).hidden_at is None
    _report(client, _regular(action), f"/comments/{rude_comment.id}/report")
    assert db.session.get(Comment, rude_comment.id).hidden_at is not None
    login(client, moderator)
    assert "6 signalements" in page_text(client.get("/moderation/demo/reports"))


def test_queue_sorted_by_report_count_and_decisions_are_logged(client, action, rude_comment, moderator, troll):
    other = add_comment(make_participant(), action, "Hors sujet total")
    db.session.commit()
    _report(client, make_participant(), f"/comments/{other.id}/report", reason="off_topic")
    for _ in range(2):
        _report(client, make_participant(), f"/comments/{rude_comment.id}/report")

    login(client, moderator)
    queue = page_text(client.get("/moderation/demo/reports"))
    assert queue.index("Texte grossier de test") < queue.index("Hors sujet total")
    assert "2 signalements" in queue and "1 signalement" in queue

    client.post(f"/moderation/demo/comment/{rude_comment.id}/hide", data={"reason": "Insulte"})
    assert db.session.get(Comment, rude_comment.id).hidden_at is not None
    client.post(f"/moderation/demo/comment/{other.id}/dismiss")
    queue = page_text(client.get("/moderation/demo/reports"))
    assert "Aucun signalement en attente." in queue
    assert "Rétablir ce commentaire" in queue

    client.post(f"/moderation/demo/comment/{rude_comment.id}/unhide")
    assert db.session.get(Comment, rude_comment.id).hidden_at is None
    assert [e.reason for e in _log(ModerationAction.HIDE)] == ["Insulte"]
    assert _log(ModerationAction.DISMISS_REPORTS)[0].details == {"reports": 1}
    assert len(_log(ModerationAction.UNHIDE)) == 1


def test_content_of_another_consultation_is_refused(client, moderator):
    elsewhere = make_consultation(slug="ailleurs")
    login(client, moderator)
    assert client.post(f"/moderation/demo/action/{elsewhere.orientations[0].actions[0].id}/hide").status_code == 404
    assert client.post(f"/moderation/ailleurs/action/{elsewhere.orientations[0].actions[0].id}/hide").status_code == 403


def test_blocking_hides_content_removes_votes_and_sign_in_until_unblocked(client, action, rude_comment, moderator, troll):
    cast_vote(troll, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    troll_client = client.application.test_client()
    login(troll_client, troll)

    login(client, moderator)
    refused = page_text(client.post(f"/moderation/demo/participants/{troll.id}/block", data={"confirmed": "oui", "reason": ""}, follow_redirects=True))
    assert "Indiquez pourquoi ce compte est bloqué" in refused
    client.post(f"/moderation/demo/participants/{troll.id}/block", data={"confirmed": "oui", "reason": "Insultes répétées"})

    assert db.session.get(Participant, troll.id).blocked_at is not None
    assert count_votes([action.id])[action.id].supports == 0
    assert "Texte grossier de test" not in page_text(client.get(f"/actions/{action.id}"))
    # The open session is dropped and signing in again is refused with the reason.
    assert "Connecté : Troll" not in page_text(troll_client.get("/"))
    assert troll_client.post(f"/actions/{action.id}/votes/opinion", data={"value": "1"}).status_code == 302
    refused_login = troll_client.post("/auth/login", data={"email": troll.email, "password": TEST_PASSWORD})
    assert "Ce compte est bloqué par l’équipe de modération (raison : Insultes répétées)" in page_text(refused_login)

    client.post(f"/moderation/demo/participants/{troll.id}/unblock")
    assert count_votes([action.id])[action.id].supports == 1
    assert "Texte grossier de test" in page_text(client.get(f"/actions/{action.id}"))
    assert "Connecté : Troll" in page_text(troll_client.get("/"))
    assert [e.reason for e in _log(ModerationAction.BLOCK)] == ["Insultes répétées"]
    assert len(_log(ModerationAction.UNBLOCK)) == 1


def test_reporting_an_author_puts_the_person_in_the_queue(client, rude_comment, moderator, troll):
    _report(client, make_participant(), f"/comments/{rude_comment.id}/report", about="author", reason="spam")
    report = db.session.scalar(select(Report))
    assert report.reported_participant_id == troll.id and report.comment_id is None
    login(client, moderator)
    assert "Bloquer le compte de Troll" in page_text(client.get("/moderation/demo/reports"))


def test_a_moderator_blocks_only_people_who_took_part_in_their_consultation_and_never_the_team(
    client, action, moderator, troll, rude_comment
):
    elsewhere = make_consultation(slug="ailleurs")
    young = make_participant(display_name="Inès", audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14)
    add_comment(young, elsewhere.orientations[0].actions[0], "Mon avis sur l’autre consultation")
    voter = make_participant(display_name="Votant")
    cast_vote(voter, action, VoteKind.SUPPORT, 1)
    team = [make_participant(role=role) for role in (Role.COMMITTEE, Role.MODERATOR, Role.ADMIN)]
    db.session.commit()
    login(client, moderator)

    for person in (young, *team):
        refused = client.post(f"/moderation/demo/participants/{person.id}/block", data={"confirmed": "oui", "reason": "Pour voir"})
        assert refused.status_code == 403 and "Accès refusé" in page_text(refused)
        assert db.session.get(Participant, person.id).blocked_at is None
    for person in (voter, troll):
        assert client.post(f"/moderation/demo/participants/{person.id}/block", data={"confirmed": "oui", "reason": "Spam"}).status_code == 303
        assert db.session.get(Participant, person.id).blocked_at is not None


def test_only_an_admin_sees_and_lifts_every_blocked_account(client, action, moderator, troll, rude_comment):
    elsewhere = make_consultation(slug="ailleurs")
    stranger = make_participant(display_name="Inconnu")
    add_comment(stranger, elsewhere.orientations[0].actions[0], "Ailleurs")
    admin = make_participant(role=Role.ADMIN, display_name="Admin")
    db.session.commit()
    login(client, admin)
    for person, reason in ((troll, "Insultes"), (stranger, "Raison confidentielle")):
        assert client.post(f"/moderation/demo/participants/{person.id}/block", data={"confirmed": "oui", "reason": reason}).status_code == 303
    assert "Raison confidentielle" in page_text(client.get("/moderation/demo/reports"))
    client.post("/auth/logout")

    login(client, moderator)
    page = page_text(client.get("/moderation/demo/reports"))
    assert "Troll — Insultes" in page
    assert "Inconnu" not in page and "Raison confidentielle" not in page
    assert client.post(f"/moderation/demo/participants/{stranger.id}/unblock").status_code == 403
    assert db.session.get(Participant, stranger.id).blocked_at is not None
    assert client.post(f"/moderation/demo/participants/{troll.id}/unblock").status_code == 303
    assert db.session.get(Participant, troll.id).blocked_at is None
