"""A consultation's life: a draft only its managers see (as a preview, bannered), published, its vote opened and
closed by hand, its decisions published, archived (read-only, listed apart); each step confirmed and logged; what
people may do follows one function of the lifecycle; figures hidden during the vote when the consultation says so."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from pedt_participation.comments.services import add_comment
from pedt_participation.errors import ParticipationRefused
from pedt_participation.extensions import db
from pedt_participation.management.lifecycle import advance_phases, mark_decisions_published
from pedt_participation.models import (
    Consultation,
    ConsultationStatus,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    Role,
    VoteKind,
    utcnow,
)
from pedt_participation.voting.services import cast_vote
from tests.helpers import login, make_consultation, make_participant, page_text

PARIS = ZoneInfo("Europe/Paris")


def _manager_of(consultation: Consultation):
    manager = make_participant(role=Role.COMMITTEE)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=consultation.id))
    db.session.commit()
    return manager


def _reloaded(consultation: Consultation) -> Consultation:
    db.session.expire_all()
    return db.session.get(Consultation, consultation.id)


def _steps_logged() -> list[ModerationLogEntry]:
    query = select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.CHANGE_PHASE)
    return list(db.session.scalars(query.order_by(ModerationLogEntry.id)))


def _draft(**settings) -> Consultation:
    return make_consultation(slug="ecoles", status=ConsultationStatus.DRAFT, voting="future", proposals="future", **settings)


def test_a_draft_is_previewed_by_its_managers_only_then_published_by_hand(client):
    consultation = _draft()
    action = consultation.orientations[0].actions[0]
    manager = _manager_of(consultation)
    for path in ("/consultations/ecoles", f"/actions/{action.id}"):
        assert client.get(path).status_code == 404
    login(client, make_participant())
    assert client.get("/consultations/ecoles").status_code == 404
    client.post("/auth/logout")
    other_manager = _manager_of(make_consultation(slug="autre"))
    login(client, other_manager)
    assert client.get("/consultations/ecoles").status_code == 404
    client.post("/auth/logout")

    login(client, manager)
    text = page_text(client.get("/gestion/ecoles/"))
    assert "Étape : Brouillon" in text and "Voir l’aperçu, comme un parent la verra" in text
    preview = page_text(client.get("/consultations/ecoles"))
    assert "Aperçu : cette consultation n’est pas publiée." in preview and "Action 1.1" in preview
    assert "Aperçu : cette consultation n’est pas publiée." in page_text(client.get(f"/actions/{action.id}"))
    assert "Consultation ecoles" not in page_text(client.get("/"))

    # Confirmed on its own page, which says what happens; nothing changes without the confirmation.
    confirm = page_text(client.get("/gestion/ecoles/etape/publish"))
    assert "La consultation devient visible de tous." in confirm and "Confirmer : Publier" in confirm
    assert client.post("/gestion/ecoles/etape/publish").status_code == 422
    assert _reloaded(consultation).status == ConsultationStatus.DRAFT
    response = client.post("/gestion/ecoles/etape/publish", data={"confirmed": "oui"})
    assert response.status_code == 303
    assert "C’est fait : Publier." in page_text(client.get(response.headers["Location"]))
    published = _reloaded(consultation)
    assert published.status == ConsultationStatus.PUBLISHED and published.published_at is not None
    [entry] = _steps_logged()
    assert entry.moderator_id == manager.id and entry.details["step"] == "publish"
    assert entry.details["status"] == {"before": "draft", "after": "published"}
    client.post("/auth/logout")

    text = page_text(client.get("/consultations/ecoles"))
    assert "Aperçu" not in text and "Action 1.1" in text
    assert "Consultation ecoles" in page_text(client.get("/"))
    login(client, make_participant(role=Role.ADMIN))
    log = page_text(client.get("/admin/moderation-log"))
    assert "Étape de la consultation" in log and "Étape : Publier" in log and "Brouillon → Ouverte" in log


def test_publishing_is_refused_when_the_vote_was_due_before_it(client):
    consultation = _draft()
    consultation.voting_open_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(client, _manager_of(consultation))
    response = client.post("/gestion/ecoles/etape/publish", data={"confirmed": "oui"})
    assert response.status_code == 422
    assert "avant la publication : choisissez une nouvelle date d’ouverture du vote" in page_text(response)
    assert _reloaded(consultation).status == ConsultationStatus.DRAFT
    assert _steps_logged() == []


def test_a_publication_date_after_the_vote_is_refused_beside_the_vote(client):
    consultation = _draft()
    login(client, _manager_of(consultation))
    local = consultation.voting_open_at.astimezone(PARIS)
    response = client.post("/gestion/ecoles/", data={
        "title": consultation.title,
        "published_at": (local + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "proposals_open_at": "",
        "proposals_close_at": "",
        "voting_open_at": local.strftime("%Y-%m-%dT%H:%M"),
        "voting_close_at": consultation.voting_close_at.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 422
    assert 'id="voting_open_at-erreur"' in response.get_data(as_text=True)
    assert "Le vote ne peut pas s’ouvrir avant la publication de la consultation." in page_text(response)
    assert _reloaded(consultation).published_at is None


def test_beat_publishes_a_draft_on_its_date(app):
    consultation = _draft(published_at=utcnow() + timedelta(hours=1))
    assert advance_phases()["published"] == []
    assert advance_phases(utcnow() + timedelta(hours=2))["published"] == [consultation.id]
    assert _reloaded(consultation).status == ConsultationStatus.PUBLISHED


def test_the_vote_is_opened_then_closed_by_hand(client):
    consultation = make_consultation(slug="ecoles", voting="future")
    action = consultation.orientations[0].actions[0]
    parent = make_participant()
    manager = _manager_of(consultation)
    with pytest.raises(ParticipationRefused, match="Le vote n’est pas encore ouvert"):
        cast_vote(parent, action, VoteKind.SUPPORT, 1)
    db.session.rollback()

    login(client, manager)
    assert "Ouvrir le vote maintenant" in page_text(client.get("/gestion/ecoles/"))
    client.post("/gestion/ecoles/etape/open_voting", data={"confirmed": "oui"})
    assert _reloaded(consultation).is_open_for("vote", utcnow())
    cast_vote(parent, db.session.get(type(action), action.id), VoteKind.SUPPORT, 1)
    db.session.commit()

    html = client.get("/gestion/ecoles/").get_data(as_text=True)
    assert "/gestion/ecoles/etape/close_voting" in html and "/gestion/ecoles/etape/open_voting" not in html
    assert "Cela ne peut pas être annulé." in page_text(client.get("/gestion/ecoles/etape/close_voting"))
    client.post("/gestion/ecoles/etape/close_voting", data={"confirmed": "oui"})
    closed = _reloaded(consultation)
    assert closed.status == ConsultationStatus.CLOSED and closed.voting_close_at <= utcnow()
    assert not closed.is_open_for("propose", utcnow()) and not closed.is_open_for("comment", utcnow())
    with pytest.raises(ParticipationRefused, match="Le vote est terminé"):
        cast_vote(parent, closed.orientations[0].actions[0], VoteKind.SUPPORT, 1)
    db.session.rollback()
    assert [entry.details["step"] for entry in _steps_logged()] == ["open_voting", "close_voting"]
    assert "voting_close_at" in _steps_logged()[1].details["changes"]
    # A step that is not possible now is refused, and says so, on its page already.
    page = page_text(client.get("/gestion/ecoles/etape/open_voting"))
    assert "n’est pas possible à cette étape de la consultation" in page and "Confirmer" not in page
    response = client.post("/gestion/ecoles/etape/open_voting", data={"confirmed": "oui"})
    assert response.status_code == 422
    assert "n’est pas possible à cette étape de la consultation" in page_text(response)


def test_the_vote_is_not_opened_by_hand_before_the_proposals(client):
    consultation = make_consultation(slug="ecoles", voting="future", proposals="future")
    login(client, _manager_of(consultation))
    response = client.post("/gestion/ecoles/etape/open_voting", data={"confirmed": "oui"})
    assert response.status_code == 422
    assert "Le vote ne peut pas s’ouvrir avant les propositions, prévues le" in page_text(response)
    assert not _reloaded(consultation).is_open_for("vote", utcnow())


def test_decisions_published_then_archived_read_only_and_listed_apart(client):
    consultation = make_consultation(slug="ecoles", voting="open")
    manager = _manager_of(consultation)
    with pytest.raises(ParticipationRefused, match="une fois le vote clos"):
        mark_decisions_published(consultation, manager, utcnow())
    db.session.rollback()
    consultation = _reloaded(consultation)
    consultation.status = ConsultationStatus.CLOSED
    db.session.commit()

    mark_decisions_published(consultation, manager, utcnow())
    mark_decisions_published(consultation, manager, utcnow())  # more decisions published later: nothing more to do
    db.session.commit()
    assert _reloaded(consultation).status == ConsultationStatus.DECISIONS_PUBLISHED
    assert [entry.details["step"] for entry in _steps_logged()] == ["publish_decisions"]

    login(client, manager)
    client.post("/gestion/ecoles/etape/archive", data={"confirmed": "oui"})
    assert _reloaded(consultation).status == ConsultationStatus.ARCHIVED
    edit_page = page_text(client.get("/gestion/ecoles/"))
    assert "Cette consultation est archivée : elle ne peut plus être modifiée." in edit_page
    response = client.post("/gestion/ecoles/", data={"title": "Changé après coup"})
    assert response.status_code == 422
    assert _reloaded(consultation).title == "Consultation ecoles"
    index = page_text(client.get("/gestion/"))
    assert index.index("Archives") < index.index("Consultation ecoles")
    client.post("/auth/logout")

    home = page_text(client.get("/"))
    assert "Archives" in home and home.index("Archives") < home.index("Consultation ecoles")
    assert client.get("/consultations/ecoles").status_code == 200


def test_figures_hidden_during_the_vote_on_every_page_api_and_embed_until_it_closes(client):
    consultation = make_consultation(slug="ecoles", figures_during_vote=False)
    action = consultation.orientations[0].actions[0]
    cast_vote(make_participant(), action, VoteKind.SUPPORT, 1)
    db.session.commit()
    hidden = "Les résultats seront affichés à la fermeture du vote."
    for path in ("/consultations/ecoles", f"/actions/{action.id}", "/embed/consultations/ecoles", f"/embed/actions/{action.id}"):
        text = page_text(client.get(path))
        assert hidden in text and "1 soutien" not in text, path
    counts = client.get(f"/api/v1/actions/{action.id}").get_json()["data"]["counts"]
    assert counts["supports"] is None and counts["opinions"] is None and counts["comments"] == 0

    closed = _reloaded(consultation)
    closed.status = ConsultationStatus.CLOSED
    db.session.commit()
    text = page_text(client.get(f"/actions/{action.id}"))
    assert hidden not in text and "1 soutien" in text
    assert client.get(f"/api/v1/actions/{action.id}").get_json()["data"]["counts"]["supports"] == 1


def test_figures_shown_during_the_vote_by_default(client):
    consultation = make_consultation(slug="ecoles")
    action = consultation.orientations[0].actions[0]
    cast_vote(make_participant(), action, VoteKind.SUPPORT, 1)
    db.session.commit()
    assert "1 soutien" in page_text(client.get(f"/actions/{action.id}"))
    assert client.get(f"/api/v1/actions/{action.id}").get_json()["data"]["counts"]["supports"] == 1


def test_comments_turned_off_keep_those_written_and_refuse_new_ones(client):
    consultation = make_consultation(slug="ecoles")
    action = consultation.orientations[0].actions[0]
    add_comment(make_participant(), action, "Un avis écrit avant")
    consultation.comments_enabled = False
    db.session.commit()
    with pytest.raises(ParticipationRefused, match="ne recueille pas de commentaires"):
        add_comment(make_participant(), action, "Un avis de trop")
    db.session.rollback()
    assert "Un avis écrit avant" in page_text(client.get(f"/actions/{action.id}"))
