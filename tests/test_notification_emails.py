"""Moderators get an e-mail copy of what needs them, through a real worker and a real SMTP server."""

from __future__ import annotations

from email.header import decode_header, make_header

from sqlalchemy import func, select

from pedt_participation.extensions import db
from pedt_participation.models import ModeratorAssignment, Notification, Role
from tests.conftest import WORKER_PUBLIC_URL
from tests.helpers import login, make_consultation, make_participant, wait_for_messages, wait_until


def test_new_proposal_reaches_the_moderator_by_email(app, client, smtp_server, start_worker, monkeypatch):
    _port, inbox = smtp_server
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    start_worker()
    consultation = make_consultation(slug="demo")
    moderator = make_participant(role=Role.MODERATOR, email="moderatrice@exemple.fr", display_name="Inès")
    db.session.add(ModeratorAssignment(participant_id=moderator.id, consultation_id=consultation.id))
    db.session.commit()

    login(client, make_participant())
    client.post(
        "/consultations/demo/propose",
        data={"orientation_id": consultation.orientations[0].id, "title": "Des jardins partagés à l’école"},
    )

    [(recipients, message)] = wait_for_messages(inbox, 1)
    assert recipients == ["moderatrice@exemple.fr"]
    subject = str(make_header(decode_header(message["Subject"])))
    assert "Nouvelle proposition à relire" in subject
    body = message.get_payload(decode=True).decode("utf-8")
    assert "Bonjour Inès" in body and "« Des jardins partagés à l’école »" in body
    assert f"{WORKER_PUBLIC_URL}/moderation/demo/proposals" in body
    # The worker records the sending once the message has left: a moment after it reaches the inbox.
    wait_until(
        lambda: db.session.scalar(select(Notification.emailed_at).where(Notification.recipient_id == moderator.id)),
        seconds=30,
        message="the notification was e-mailed but never marked as sent",
    )


def test_no_mail_server_means_in_app_only(app, client):
    consultation = make_consultation(slug="demo")
    moderator = make_participant(role=Role.MODERATOR)
    db.session.add(ModeratorAssignment(participant_id=moderator.id, consultation_id=consultation.id))
    db.session.commit()
    login(client, make_participant())
    client.post("/consultations/demo/propose", data={"orientation_id": consultation.orientations[0].id, "title": "Une idée toute neuve"})
    notification = db.session.scalar(select(Notification).where(Notification.recipient_id == moderator.id))
    assert notification is not None and notification.emailed_at is None


def test_a_published_decision_reaches_by_email_only_those_who_asked(app, client, smtp_server, start_worker, monkeypatch):
    from pedt_participation.decisions.services import DecisionEdit, publish_decisions, record_decision
    from pedt_participation.models import DecisionVerdict, Vote, VoteKind, utcnow

    _port, inbox = smtp_server
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    start_worker()
    consultation = make_consultation(slug="fermee", voting="past", proposals="past")
    action = consultation.orientations[0].actions[0]
    wants = make_participant(email="veut@exemple.fr", display_name="Nadia")
    wants.decision_emails = True
    wants.locale = "en"  # the whole message in the language she chose
    silent = make_participant(email="silence@exemple.fr")
    for person in (wants, silent):
        db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))
    committee = make_participant(role=Role.COMMITTEE)
    record_decision(committee, action, DecisionEdit(DecisionVerdict.RETAINED, "Financée dès la rentrée.", None, ""), utcnow())
    publish_decisions(committee, consultation, utcnow())
    db.session.commit()

    [(recipients, message)] = wait_for_messages(inbox, 1)
    assert recipients == ["veut@exemple.fr"]
    body = message.get_payload(decode=True).decode("utf-8")
    assert "Hello Nadia" in body and "“Action 1.1”: accepted" in body
    assert f"{WORKER_PUBLIC_URL}/consultations/fermee/resultats" in body
    assert f"you asked for decisions by e-mail. To stop receiving them: {WORKER_PUBLIC_URL}/notifications/" in body
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.recipient_id == silent.id)) == 1
