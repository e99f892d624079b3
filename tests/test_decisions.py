"""Decisions: recorded once the vote has closed, public once published, told to the people who took part."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from pedt_participation.committee.services import build_summary, claim_summary, queue_summary
from pedt_participation.decisions.services import DecisionEdit, publish_decisions, record_decision
from pedt_participation.errors import ParticipationRefused
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionOrigin,
    ActionState,
    Comment,
    ConsultationStatus,
    Decision,
    DecisionProgress,
    DecisionVerdict,
    ErasureReason,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    Notification,
    Opinion,
    Participant,
    Role,
    Vote,
    VoteKind,
    WebhookDelivery,
    WebhookEvent,
    utcnow,
)
from pedt_participation.moderation.services import block
from pedt_participation.privacy.services import erase_account
from pedt_participation.webhooks.services import create_endpoint
from tests.helpers import login, make_consultation, make_participant, page_text

RETAINED = DecisionEdit(DecisionVerdict.RETAINED, "Le comité la finance dès la rentrée.", None, "")


def _vote(person, action, kind=VoteKind.SUPPORT, value=1):
    db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=kind, value=value))
    db.session.commit()


@pytest.fixture
def closed():
    """A consultation whose vote closed yesterday."""
    return make_consultation(slug="fermee", voting="past", proposals="past")


@pytest.fixture
def committee():
    return make_participant(role=Role.COMMITTEE, display_name="Comité")


def test_committee_records_a_draft_that_nobody_else_sees_then_publishes_it(client, closed, committee):
    action = closed.orientations[0].actions[0]
    login(client, committee)
    response = client.post(
        f"/decisions/fermee/actions/{action.id}",
        data={f"d{action.id}-verdict": "retained_amended", f"d{action.id}-explanation": "Retenue, mais le soir seulement."},
    )
    assert response.status_code == 303
    assert "Décision enregistrée" in page_text(client.get(response.headers["Location"]))
    client.post("/auth/logout")

    # A draft: neither the action page nor the results page shows it.
    assert "le soir seulement" not in page_text(client.get(f"/actions/{action.id}"))
    results = page_text(client.get("/consultations/fermee/resultats"))
    assert "le soir seulement" not in results and "Décision à venir" in results
    assert "voir les résultats et les décisions" not in page_text(client.get("/consultations/fermee"))

    login(client, committee)
    confirmation = page_text(client.get("/decisions/fermee/publier"))
    assert "Action 1.1 : Retenue avec des modifications" in confirmation
    response = client.post("/decisions/fermee/publier")
    assert response.status_code == 303 and response.headers["Location"].endswith("/consultations/fermee/resultats")
    client.post("/auth/logout")

    action_page = page_text(client.get(f"/actions/{action.id}"))
    assert "Décision : Retenue avec des modifications" in action_page and "le soir seulement" in action_page
    assert "Les résultats et les décisions de toute la consultation" in action_page
    assert "voir les résultats et les décisions" in page_text(client.get("/consultations/fermee"))
    assert "Décision : Retenue avec des modifications" in page_text(client.get("/consultations/fermee/resultats"))
    decided, published, step = db.session.scalars(select(ModerationLogEntry).order_by(ModerationLogEntry.id))
    assert (decided.action, published.action) == (ModerationAction.DECIDE, ModerationAction.PUBLISH_DECISIONS)
    assert (step.action, step.details["step"]) == (ModerationAction.CHANGE_PHASE, "publish_decisions")
    assert set(decided.details["changes"]) == {"verdict", "explanation"}
    assert published.details["decisions"] == [action.id]


def test_no_decision_while_the_vote_is_open(client, committee):
    consultation = make_consultation(slug="ouverte")
    action = consultation.orientations[0].actions[0]
    login(client, committee)
    assert "Le vote n’est pas terminé" in page_text(client.get("/decisions/ouverte/"))
    response = client.post(
        f"/decisions/ouverte/actions/{action.id}",
        data={f"d{action.id}-verdict": "retained", f"d{action.id}-explanation": "Oui, cette action est retenue."},
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "les décisions s’enregistrent et se publient une fois le vote fermé" in text
    assert "Oui, cette action est retenue." in text  # nothing typed is lost
    assert db.session.scalar(select(Decision)) is None
    assert client.get("/consultations/ouverte/resultats").status_code == 404


def test_a_decision_needs_an_explanation_and_a_not_retained_one_has_no_progress(client, closed, committee):
    action = closed.orientations[0].actions[0]
    login(client, committee)
    response = client.post(f"/decisions/fermee/actions/{action.id}", data={f"d{action.id}-verdict": "retained"})
    assert response.status_code == 422 and "Expliquez la décision" in page_text(response)
    response = client.post(
        f"/decisions/fermee/actions/{action.id}",
        data={f"d{action.id}-verdict": "not_retained", f"d{action.id}-explanation": "Trop coûteuse cette année.",
              f"d{action.id}-progress": "in_progress"},
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Une action non retenue n’a pas d’avancement" in text and "Trop coûteuse cette année." in text
    assert db.session.scalar(select(Decision)) is None


def test_progress_told_later_shows_at_once_and_is_logged(client, closed, committee):
    action = closed.orientations[0].actions[0]
    record_decision(committee, action, RETAINED, utcnow())
    publish_decisions(committee, closed, utcnow())
    db.session.commit()
    login(client, committee)
    client.post(
        f"/decisions/fermee/actions/{action.id}",
        data={f"d{action.id}-verdict": "retained", f"d{action.id}-explanation": RETAINED.explanation,
              f"d{action.id}-progress": "in_progress", f"d{action.id}-progress_note": "Premiers ateliers en mars."},
    )
    text = page_text(client.get(f"/actions/{action.id}"))
    assert "Avancement : En cours — Premiers ateliers en mars." in text
    last = db.session.scalars(select(ModerationLogEntry).order_by(ModerationLogEntry.id.desc())).first()
    assert last.action == ModerationAction.DECIDE
    assert last.details["changes"] == {
        "progress": {"before": None, "after": "in_progress"},
        "progress_note": {"before": "", "after": "Premiers ateliers en mars."},
    }
    admin = make_participant(role=Role.ADMIN)
    client.post("/auth/logout")
    login(client, admin)
    log = page_text(client.get("/admin/moderation-log"))
    assert "Décision enregistrée" in log and "Modifié : avancement, note sur l’avancement" in log


def test_publishing_tells_each_person_once_with_their_actions(closed, committee):
    first, second = closed.orientations[0].actions[:2]
    proposal = Action(position=9, title="Un potager", origin=ActionOrigin.PARTICIPANT, state=ActionState.PUBLISHED,
                      author=make_participant(display_name="Autrice"), published_at=utcnow())
    closed.orientations[0].actions.append(proposal)
    voter, commenter, blocked, erased = (make_participant() for _ in range(4))
    commenter.locale = "en"
    _vote(voter, first)
    _vote(voter, second, VoteKind.OPINION, 1)
    db.session.add(Comment(action_id=second.id, author_id=commenter.id, body="Bonne idée pour les plus jeunes"))
    _vote(blocked, first)
    _vote(erased, first)
    admin = make_participant(role=Role.ADMIN)
    block(admin, closed, blocked, "Insultes")
    erase_account(erased, ErasureReason.SELF_SERVICE)
    db.session.commit()
    for action in (first, second, proposal):
        record_decision(committee, action, RETAINED, utcnow())
    record_decision(committee, second, DecisionEdit(DecisionVerdict.NOT_RETAINED, "Déjà fait ailleurs.", None, ""), utcnow())
    publish_decisions(committee, closed, utcnow())
    db.session.commit()

    def messages(person):
        return list(db.session.scalars(select(Notification.message).where(Notification.recipient_id == person.id)))

    [to_voter] = messages(voter)
    assert "« Action 1.1 » : retenue" in to_voter and "« Action 1.2 » : non retenue" in to_voter
    [to_commenter] = messages(commenter)
    # In the language the person chose.
    assert "“Action 1.2”: not accepted" in to_commenter and "Action 1.1" not in to_commenter
    [to_author] = messages(proposal.author)
    assert "« Un potager » : retenue" in to_author
    assert not [m for m in messages(blocked) if "décisions" in m]
    assert messages(erased) == []


def test_publishing_again_publishes_only_new_drafts(closed, committee):
    first, second = closed.orientations[0].actions[:2]
    voter = make_participant()
    _vote(voter, first)
    _vote(voter, second)
    record_decision(committee, first, RETAINED, utcnow())
    assert len(publish_decisions(committee, closed, utcnow())) == 1
    record_decision(committee, second, RETAINED, utcnow())
    assert [d.action_id for d in publish_decisions(committee, closed, utcnow())] == [second.id]
    latest = db.session.scalars(
        select(Notification.message).where(Notification.recipient_id == voter.id).order_by(Notification.id.desc())
    ).first()
    assert "Action 1.2" in latest and "Action 1.1" not in latest


def test_the_results_page_gives_each_action_the_counts_its_own_page_gives(client, closed, committee):
    """Every action's counts are public and exact on its page, in the API and in the open-data file: the results
    page says the same, rather than « < 5 » beside a page that says 2 (the committee summary publishes these counts
    as they are and protects its breakdowns knowing them)."""
    action = closed.orientations[0].actions[0]
    for opinion in (Opinion.POUR, Opinion.POUR, Opinion.POUR, Opinion.CONTRE):
        voter = make_participant()
        _vote(voter, action, VoteKind.OPINION, opinion.value)
        if opinion == Opinion.POUR:
            _vote(voter, action)
    record_decision(committee, action, RETAINED, utcnow())
    publish_decisions(committee, closed, utcnow())
    db.session.commit()
    results = page_text(client.get("/consultations/fermee/resultats"))
    action_page = page_text(client.get(f"/actions/{action.id}"))
    for counts in ("3 soutiens", "Avis : 3 pour, 0 mitigé, 1 contre"):
        assert counts in results and counts in action_page, counts
    assert "< 5" not in results


def test_who_may_decide(client, closed):
    action = closed.orientations[0].actions[0]
    data = {f"d{action.id}-verdict": "retained", f"d{action.id}-explanation": "Retenue."}
    moderator = make_participant(role=Role.MODERATOR)
    login(client, moderator)
    assert client.post(f"/decisions/fermee/actions/{action.id}", data=data).status_code == 403
    db.session.add(ManagerAssignment(participant_id=moderator.id, consultation_id=closed.id))
    db.session.commit()
    assert client.post(f"/decisions/fermee/actions/{action.id}", data=data).status_code == 303
    client.post("/auth/logout")
    login(client, make_participant())
    assert client.get("/decisions/fermee/").status_code == 403


def test_the_vote_closing_date_decides_and_a_hand_closed_consultation_too(committee):
    consultation = make_consultation(slug="bientot")
    action = consultation.orientations[0].actions[0]
    with pytest.raises(ParticipationRefused):
        record_decision(committee, action, RETAINED, consultation.voting_close_at - timedelta(minutes=1))
    later = consultation.voting_close_at + timedelta(minutes=1)
    assert record_decision(committee, action, RETAINED, later)
    closed_by_hand = make_consultation(slug="close-a-la-main", status=ConsultationStatus.CLOSED)
    assert record_decision(committee, closed_by_hand.orientations[0].actions[0], RETAINED, utcnow())


def _published(consultation, committee, edit=RETAINED):
    action = consultation.orientations[0].actions[0]
    record_decision(committee, action, edit, utcnow())
    publish_decisions(committee, consultation, utcnow())
    db.session.commit()
    return action


def test_api_gives_the_decision_once_published_and_never_a_draft(client, closed, committee):
    action, other = closed.orientations[0].actions[:2]
    record_decision(committee, other, RETAINED, utcnow())
    db.session.commit()
    assert client.get(f"/api/v1/actions/{other.id}").get_json()["data"]["decision"] is None
    _published(closed, committee, DecisionEdit(DecisionVerdict.UNDER_WAY, "Le centre social le fait déjà.",
                                                DecisionProgress.IN_PROGRESS, "Depuis septembre."))
    decision = client.get(f"/api/v1/actions/{action.id}").get_json()["data"]["decision"]
    assert decision["verdict"] == "under_way" and decision["progress"] == "in_progress"
    assert decision["explanation"] == "Le centre social le fait déjà." and decision["progress_note"] == "Depuis septembre."
    listed = {a["id"]: a["decision"] for a in client.get("/api/v1/consultations/fermee/actions").get_json()["data"]}
    assert listed[action.id]["verdict"] == "under_way"
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "decision" in schema["Action"]["properties"] and "under_way" in schema["Decision"]["properties"]["verdict"]["enum"]


def test_the_action_embed_shows_the_decision(client, closed, committee):
    action = _published(closed, committee)
    text = page_text(client.get(f"/embed/actions/{action.id}"))
    assert "Décision : Retenue" in text and RETAINED.explanation in text


def test_publishing_sends_one_decision_event_per_action(client, closed, committee):
    admin = make_participant(role=Role.ADMIN)
    create_endpoint(admin, url="https://decidim.ville.fr/hooks", description="", events=["decision.published"], active=True)
    first, second = closed.orientations[0].actions[:2]
    for action in (first, second):
        record_decision(committee, action, RETAINED, utcnow())
    publish_decisions(committee, closed, utcnow())
    db.session.commit()
    deliveries = list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
    assert [d.event for d in deliveries] == [WebhookEvent.DECISION_PUBLISHED] * 2
    assert [d.payload["data"]["action"]["id"] for d in deliveries] == [first.id, second.id]
    decision = deliveries[0].payload["data"]["action"]["decision"]
    assert decision["verdict"] == "retained" and decision["published_at"].startswith(str(utcnow().year))


def test_the_committee_summary_lists_the_decisions(client, closed, committee):
    action = closed.orientations[0].actions[0]
    record_decision(committee, action, RETAINED, utcnow())
    db.session.commit()
    summary = claim_summary(queue_summary(closed).id)
    build_summary(summary, lambda progress: None)
    db.session.commit()
    login(client, committee)
    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    assert "Décisions" in page and "Retenue (brouillon)" in page and RETAINED.explanation in page
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/comite/syntheses/{summary.id}/synthese.csv").get_data().decode("utf-8-sig")), delimiter=";"))
    first = next(row for row in rows if row["Action"] == "Action 1.1")
    assert (first["Décision"], first["Décision publiée"]) == ("Retenue", "non (brouillon)")
    assert first["Explication de la décision"] == RETAINED.explanation
    data = client.get(f"/comite/syntheses/{summary.id}/synthese.json").get_json()
    assert data["orientations"][0]["actions"][0]["decision"]["verdict"] == "retained"
    pdf = client.get(f"/comite/syntheses/{summary.id}/synthese.pdf").get_data()
    assert pdf.startswith(b"%PDF")


def test_decision_emails_are_asked_for_on_the_notifications_page(client, closed, committee):
    person = make_participant()
    login(client, person)
    assert "Recevoir aussi par e-mail les décisions" in page_text(client.get("/notifications/"))
    client.post("/notifications/e-mails-decisions", data={"wanted": "y"})
    assert db.session.get(Participant, person.id).decision_emails
    assert client.get("/mes-donnees/export.json").get_json()["profile"]["decision_emails"] is True
    client.post("/notifications/e-mails-decisions", data={})
    assert not db.session.get(Participant, person.id).decision_emails


def test_publishing_decisions_takes_the_consultation_to_its_decisions_step(client):
    """Publishing is the lifecycle's "decisions published" step, in the moderation log like the others; a vote past
    its date that beat has not closed yet is closed first. An archived consultation takes no decision."""
    consultation = make_consultation(slug="ecoles", voting="past")
    action = consultation.orientations[0].actions[0]
    committee = make_participant(role=Role.COMMITTEE)
    now = utcnow()
    assert consultation.status == ConsultationStatus.PUBLISHED
    record_decision(committee, action, DecisionEdit(DecisionVerdict.RETAINED, "Retenue à l’unanimité.", None, ""), now)
    publish_decisions(committee, consultation, now)
    db.session.commit()
    assert consultation.status == ConsultationStatus.DECISIONS_PUBLISHED
    steps = [e.details.get("step") for e in db.session.scalars(select(ModerationLogEntry)) if e.action == ModerationAction.CHANGE_PHASE]
    assert steps == ["publish_decisions"]

    consultation.status = ConsultationStatus.ARCHIVED
    db.session.commit()
    with pytest.raises(ParticipationRefused, match="archivée"):
        record_decision(committee, action, DecisionEdit(DecisionVerdict.NOT_RETAINED, "Finalement non.", None, ""), utcnow())
    assert client.get("/consultations/ecoles/resultats").status_code == 200
