"""The proposal queue end to end through the pages: approve, reject, merge; the log; notifications."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionState,
    Comment,
    ModerationAction,
    ModerationLogEntry,
    Notification,
    RefusalCategory,
    Role,
    Vote,
    VoteKind,
)
from pedt_participation.voting.services import cast_vote, count_votes, supports_used_by_orientation
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text


@pytest.fixture
def consultation():
    return make_consultation(slug="demo", orientations=2, actions_per_orientation=2)


@pytest.fixture
def moderator(consultation):
    return make_moderator(consultation, display_name="Modératrice")


@pytest.fixture
def author():
    return make_participant(display_name="Auteur")


@pytest.fixture
def proposal(consultation, author, moderator):
    action = propose_action(author, consultation.orientations[0], "Créer un club de lecture au collège", "Le mercredi.")
    db.session.commit()
    return action


def _log(action: ModerationAction) -> list[ModerationLogEntry]:
    return list(db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == action)))


def _notifications(person) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(Notification.recipient_id == person.id)))


def test_moderators_are_notified_of_new_proposals(client, proposal, moderator):
    assert _notifications(moderator) == ["Nouvelle proposition à relire : « Créer un club de lecture au collège »."]
    login(client, moderator)
    assert "Notifications 1 non lues" in page_text(client.get("/"))
    assert "Créer un club de lecture" in page_text(client.get("/notifications/"))
    client.post("/notifications/read")
    assert "non lues" not in page_text(client.get("/"))


def test_queue_lists_pending_proposals(client, proposal, moderator):
    login(client, moderator)
    assert "1 proposition en attente" in page_text(client.get("/moderation/"))
    text_ = page_text(client.get("/moderation/demo/proposals"))
    assert "Créer un club de lecture au collège" in text_ and "Proposée par Auteur" in text_


def test_approve_with_edits_and_another_orientation(client, consultation, proposal, moderator, author):
    login(client, moderator)
    target = consultation.orientations[1]
    response = client.post(
        f"/moderation/proposals/{proposal.id}/approve",
        data={f"a{proposal.id}-title": "Un club de lecture au collège", f"a{proposal.id}-body": "Le mercredi après-midi.", f"a{proposal.id}-orientation_id": target.id},
        follow_redirects=True,
    )
    assert "Proposition publiée : « Un club de lecture au collège »." in page_text(response)
    action = db.session.get(Action, proposal.id)
    assert action.state == ActionState.PUBLISHED and action.orientation_id == target.id and action.published_at
    [entry] = _log(ModerationAction.APPROVE)
    assert entry.moderator_id == moderator.id and entry.target_type == "action" and entry.target_id == action.id
    assert entry.details["changes"]["title"] == {"before": "Créer un club de lecture au collège", "after": "Un club de lecture au collège"}
    assert any("est publiée" in message for message in _notifications(author))
    assert "Un club de lecture au collège" in page_text(client.get("/consultations/demo"))


def test_the_refusal_form_offers_the_kinds_of_reason_in_each_language(client, proposal, moderator):
    login(client, moderator)
    for locale, categories in (
        ("fr", ["Hors du champ du projet éducatif", "Déjà prévu ou existant", "Ne respecte pas la charte de participation",
                "Pas réalisable par la commune", "Autre raison"]),
        ("en", ["Outside the scope of the educational plan", "Already planned or existing", "Not feasible by the town"]),
        ("ar", ["خارج نطاق المشروع التربوي", "مخطط له أو موجود مسبقًا", "غير قابل للتنفيذ من طرف البلدية"]),
    ):
        client.post("/langue", data={"locale": locale})
        page = client.get("/moderation/demo/proposals").get_data(as_text=True)
        assert f'name="r{proposal.id}-category"' in page
        for category in categories:
            assert category in page, (locale, category)


def test_refusing_needs_a_kind_of_reason_and_words_both_shown_to_the_author(client, proposal, moderator, author):
    login(client, moderator)
    url = f"/moderation/proposals/{proposal.id}/reject"
    no_reason = page_text(client.post(url, data={f"r{proposal.id}-category": "already_planned", f"r{proposal.id}-reason": ""}, follow_redirects=True))
    assert "Expliquez à l’auteur pourquoi" in no_reason
    no_category = page_text(client.post(url, data={f"r{proposal.id}-reason": "Il existe déjà."}, follow_redirects=True))
    assert "Choisissez le motif du refus." in no_category
    assert db.session.get(Action, proposal.id).state == ActionState.PENDING

    client.post(url, data={f"r{proposal.id}-category": "already_planned", f"r{proposal.id}-reason": "Cette action existe déjà au collège."})
    refused = db.session.get(Action, proposal.id)
    assert refused.state == ActionState.REJECTED and refused.refusal_category == RefusalCategory.ALREADY_PLANNED
    [entry] = _log(ModerationAction.REJECT)
    assert entry.reason == "Cette action existe déjà au collège." and entry.details == {"category": "already_planned"}
    client.post("/auth/logout")

    login(client, author)
    page = page_text(client.get(f"/actions/{proposal.id}"))
    assert "Refusée. Motif : Déjà prévu ou existant. Raison donnée par l’équipe de modération : Cette action existe déjà au collège." in page
    assert _notifications(author)[-1] == (
        "Votre proposition « Créer un club de lecture au collège » n’a pas été publiée. "
        "Motif : Déjà prévu ou existant. Raison : Cette action existe déjà au collège."
    )
    client.post("/langue", data={"locale": "ar"})
    assert "مخطط له أو موجود مسبقًا" in page_text(client.get(f"/actions/{proposal.id}"))


def test_the_moderation_log_names_the_kind_of_reason(client, proposal, moderator):
    login(client, moderator)
    client.post(f"/moderation/proposals/{proposal.id}/reject",
                data={f"r{proposal.id}-category": "against_charter", f"r{proposal.id}-reason": "Propos injurieux."})
    client.post("/auth/logout")
    login(client, make_participant(role=Role.ADMIN))
    log = page_text(client.get("/admin/moderation-log"))
    assert "Propos injurieux." in log and "Motif : Ne respecte pas la charte de participation" in log


def test_a_proposal_is_handled_once(client, proposal, moderator):
    login(client, moderator)
    url = f"/moderation/proposals/{proposal.id}/reject"
    client.post(url, data={f"r{proposal.id}-category": "duplicate", f"r{proposal.id}-reason": "Doublon."})
    text_ = page_text(client.post(url, data={f"r{proposal.id}-category": "other", f"r{proposal.id}-reason": "Encore"}, follow_redirects=True))
    assert "déjà été traitée" in text_
    assert len(_log(ModerationAction.REJECT)) == 1


def test_merge_moves_votes_without_double_counting_and_comments_follow(client, consultation, moderator, author):
    target = consultation.orientations[0].actions[0]
    source = consultation.orientations[0].actions[1]
    both, only_source = make_participant(), make_participant()
    for voter in (both, only_source):
        cast_vote(voter, source, VoteKind.SUPPORT, 1)
    cast_vote(both, target, VoteKind.SUPPORT, 1)
    source.author_id = author.id
    comment = add_comment(author, source, "Mon argument")
    add_comment(both, source, "Une réponse", parent_id=comment.id)
    db.session.commit()

    login(client, moderator)
    client.post(f"/moderation/proposals/{source.id}/merge", data={f"m{source.id}-target_id": target.id})

    assert db.session.get(Action, source.id).state == ActionState.MERGED
    assert count_votes([target.id])[target.id].supports == 2  # `both` is counted once
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 3  # nothing deleted
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.action_id == target.id)) == 2
    [entry] = _log(ModerationAction.MERGE)
    assert entry.details == {"into": target.id, "moved_votes": 1, "moved_comments": 2}
    assert any("rejoint l’action" in m for m in _notifications(author))
    redirect = client.get(f"/actions/{source.id}")
    assert redirect.status_code == 301 and redirect.headers["Location"].endswith(f"/actions/{target.id}")
    assert "Mon argument" in page_text(client.get(f"/actions/{target.id}"))


def test_a_merge_into_another_orientation_keeps_each_person_within_its_support_limit(client, consultation, moderator):
    """A support moves only where the person has room left; otherwise it stays on the merged action (not lost,
    not counted), and the person's other supports are untouched."""
    consultation.vote_limit_per_orientation = 1
    source = consultation.orientations[0].actions[0]
    target, chosen_there = consultation.orientations[1].actions
    full, with_room = make_participant(), make_participant()
    for voter in (full, with_room):
        cast_vote(voter, source, VoteKind.SUPPORT, 1)
        cast_vote(voter, source, VoteKind.OPINION, 1)
    cast_vote(full, chosen_there, VoteKind.SUPPORT, 1)
    db.session.commit()

    login(client, moderator)
    client.post(f"/moderation/proposals/{source.id}/merge", data={f"m{source.id}-target_id": target.id})

    on_target = count_votes([target.id])[target.id]
    assert on_target.supports == 1 and on_target.opinion_total == 2  # opinions have no limit
    assert supports_used_by_orientation(full, [target.orientation_id]) == {target.orientation_id: 1}
    assert count_votes([chosen_there.id])[chosen_there.id].supports == 1
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 5  # nothing deleted
    [entry] = _log(ModerationAction.MERGE)
    assert entry.details["moved_votes"] == 3


def test_similar_actions_are_shown_before_a_proposal_is_sent(client, consultation):
    official = consultation.orientations[0].actions[0]
    official.title = "Ouvrir la bibliothèque municipale le samedi matin"
    db.session.commit()
    login(client, make_participant())
    data = {"orientation_id": consultation.orientations[0].id, "title": "Bibliothèque ouverte le samedi", "body": ""}

    first = client.post("/consultations/demo/propose", data=data)
    assert first.status_code == 200
    assert "Des actions proches existent déjà" in page_text(first)
    assert "Ouvrir la bibliothèque municipale le samedi matin" in page_text(first)
    assert 'value="Bibliothèque ouverte le samedi"' in first.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Action).where(Action.state == ActionState.PENDING)) == 0

    sent = client.post("/consultations/demo/propose", data={**data, "confirmed": "y"})
    assert sent.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Action).where(Action.state == ActionState.PENDING)) == 1


def test_different_proposal_goes_straight_through(client, consultation):
    login(client, make_participant())
    response = client.post(
        "/consultations/demo/propose",
        data={"orientation_id": consultation.orientations[0].id, "title": "Installer des fontaines à eau dans la cour"},
    )
    assert response.status_code == 303


def test_log_entries_cannot_be_changed_or_deleted(app, proposal, moderator):
    from pedt_participation.moderation.services import reject_proposal

    reject_proposal(moderator, proposal, RefusalCategory.OUT_OF_SCOPE, "Hors sujet")
    db.session.commit()
    [entry] = _log(ModerationAction.REJECT)

    entry.reason = "Réécrit"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ModerationLogEntry, entry.id))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(ModerationLogEntry, entry.id).reason == "Hors sujet"

    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.exc import DBAPIError

        for statement in ("UPDATE moderation_log SET reason = 'x'", "DELETE FROM moderation_log"):
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as connection:
                    connection.execute(text(statement))


def test_the_moderation_log_reads_as_sentences_in_the_readers_language(client, consultation, proposal, moderator, author):
    """What each step did is written out (what it was on, what changed), never as the code's own words: no
    English type name, no raw JSON."""
    from pedt_participation.admin.services import set_role
    from pedt_participation.models import ReportReason, Role
    from pedt_participation.moderation.services import approve_proposal, dismiss_reports
    from pedt_participation.reports.services import Target, report

    comment = add_comment(author, consultation.orientations[0].actions[0], "Un commentaire signalé")
    for reporter in (make_participant(), make_participant()):
        report(reporter, consultation, Target(comment=comment), ReportReason.SPAM)
    dismiss_reports(moderator, consultation, Target(comment=comment), reason="Rien d’anormal")
    approve_proposal(moderator, proposal, title="Un club de lecture au collège", body=proposal.body,
                     orientation=consultation.orientations[1])
    admin = make_participant(display_name="Admin", role=Role.ADMIN)
    set_role(admin, author, Role.MODERATOR, {consultation.id})
    db.session.commit()

    login(client, admin)
    text = page_text(client.get("/admin/moderation-log"))
    assert f"Commentaire n° {comment.id}" in text and f"Action n° {proposal.id}" in text
    assert "2 signalements" in text
    assert "Modifié : titre, orientation" in text
    assert "Rôle : Participant → Modération" in text and f"Consultations modérées : aucune → n° {consultation.id}" in text
    assert "{" not in text and "comment n°" not in text and "action n°" not in text

    client.post("/langue", data={"locale": "en", "next": "/admin/moderation-log"})
    english = page_text(client.get("/admin/moderation-log"))
    assert f"Comment no. {comment.id}" in english and "2 reports" in english and "Changed: title, orientation" in english


def test_each_person_is_notified_in_their_own_language_not_the_writers(client, consultation, moderator, author):
    """An author who reads the site in Arabic is told in Arabic that a French-speaking moderator published,
    refused or merged their proposals; a moderator who reads it in English hears of a new proposal in English."""
    author.locale, moderator.locale = "ar", "en"
    db.session.commit()
    published, refused, merged = (
        propose_action(author, consultation.orientations[0], title, "") for title in ("Un potager", "Un stade", "Une ludothèque")
    )
    db.session.commit()
    assert _notifications(moderator)[-1] == "New proposal to review: “Une ludothèque”."

    login(client, moderator)
    client.post("/langue", data={"locale": "fr"})
    client.post(f"/moderation/proposals/{published.id}/approve", data={
        f"a{published.id}-title": "Un potager", f"a{published.id}-orientation_id": published.orientation_id})
    client.post(f"/moderation/proposals/{refused.id}/reject",
                data={f"r{refused.id}-category": "not_feasible", f"r{refused.id}-reason": "Le budget ne suffit pas."})
    client.post(f"/moderation/proposals/{merged.id}/merge",
                data={f"m{merged.id}-target_id": consultation.orientations[0].actions[0].id})

    told = _notifications(author)
    assert len(told) == 3 and not [message for message in told if "Votre proposition" in message]
    assert told[0] == "تم نشر اقتراحك «Un potager»: يمكن للجميع الآن دعمه."
    assert all(re.search("[\u0600-\u06ff]", message) for message in told)
