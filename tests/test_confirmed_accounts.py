"""Votes that count only from confirmed accounts, and an under-15's participation only once a parent consents:
the links are read from the real e-mails the worker sends to a real SMTP server; until then votes are kept but
counted nowhere (pages, API, the committee's summary) and a child's writings are shown nowhere."""

from __future__ import annotations

import re
from datetime import timedelta
from email.header import decode_header, make_header

from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from pedt_participation.auth.services import (
    confirmation_link,
    consent_link,
    email_confirmation,
    email_parental_consent_request,
)
from pedt_participation.committee.aggregation import aggregate
from pedt_participation.extensions import db
from pedt_participation.models import (
    AccountErasure,
    AgeBracket,
    Audience,
    ErasureReason,
    Participant,
    Vote,
    VoteKind,
    utcnow,
)
from pedt_participation.voting.services import cast_vote
from tests.conftest import WORKER_PUBLIC_URL
from tests.helpers import login, make_consultation, make_participant, page_text, task_result, wait_for_messages

ADULT = {
    "email": "amina@exemple.fr",
    "password": "un-bon-mot-de-passe",
    "password_confirmation": "un-bon-mot-de-passe",
    "display_name": "Amina",
    "audience": "parent",
    "age_bracket": "26-39",
}
CHILD = {**ADULT, "email": "lina@exemple.fr", "display_name": "Lina", "audience": "youth", "age_bracket": "11-14",
         "parent_email": "maman@exemple.fr"}
HELD = "Vos votes sont enregistrés, mais ils ne comptent pas encore."


def _message_to(inbox, address: str):
    return next(message for recipients, message in inbox.messages if recipients == [address])


def _link_in(message) -> str:
    body = message.get_payload(decode=True).decode("utf-8")
    return re.search(re.escape(WORKER_PUBLIC_URL) + r"(/auth/\S+)", body).group(1)


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _supports(client, action) -> int:
    return client.get(f"/api/v1/actions/{action.id}").get_json()["data"]["counts"]["supports"]


def _summary_supports(consultation, action) -> str:
    data = aggregate(consultation)
    summarised = next(a for o in data["orientations"] for a in o["actions"] if a["id"] == action.id)
    return summarised["supports"]["by_channel"]["total"]["display"]


def _me(client) -> dict:
    return client.get("/api/v1/me").get_json()["data"]


def test_an_unconfirmed_accounts_vote_is_held_until_the_emailed_link_is_opened(app, client, mail):
    consultation = make_consultation()
    action = consultation.orientations[0].actions[0]
    for _ in range(5):  # enough voices for the summary to show its total exactly
        cast_vote(make_participant(), action, VoteKind.SUPPORT, 1)
    db.session.commit()

    welcome = page_text(client.post("/auth/register", data=ADULT, follow_redirects=True))
    assert "Pour que vos votes comptent, ouvrez le lien que nous venons d’envoyer à amina@exemple.fr" in welcome
    assert client.post(f"/actions/{action.id}/votes/support").status_code == 303

    action_page = page_text(client.get(f"/actions/{action.id}"))
    assert HELD in action_page and "Renvoyer le lien" in action_page
    assert "5 soutiens" in action_page and "6 soutiens" not in action_page
    assert _supports(client, action) == 5
    assert _summary_supports(consultation, action) == "5"
    assert _me(client)["votes_count"] is False and _me(client)["votes_held_because"] == ["email_unconfirmed"]
    assert HELD in page_text(client.get("/mes-donnees"))

    [(recipients, message)] = wait_for_messages(mail, 1)
    assert recipients == ["amina@exemple.fr"] and _subject(message) == "Consultation éducative : confirmez votre adresse e-mail"
    confirmed = client.get(_link_in(message), follow_redirects=True)
    assert "Votre adresse e-mail amina@exemple.fr est confirmée : vos votes comptent maintenant." in page_text(confirmed)

    action_page = page_text(client.get(f"/actions/{action.id}"))
    assert "6 soutiens" in action_page and HELD not in action_page
    assert _supports(client, action) == 6
    assert _summary_supports(consultation, action) == "6"
    assert _me(client)["votes_count"] is True and _me(client)["votes_held_because"] == []

    used_again = client.get(_link_in(message))
    assert used_again.status_code == 410 and "Ce lien a déjà servi" in page_text(used_again)


def test_an_altered_or_expired_confirmation_link_is_refused_in_plain_french(app, client, monkeypatch):
    amina = make_participant(confirmed=False)
    with app.test_request_context():
        link = confirmation_link(amina).removeprefix(app.config["PUBLIC_URL"].rstrip("/"))
    altered = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert altered.status_code == 410
    assert "Ce lien n’est pas valable : il a peut-être été coupé ou modifié en le copiant." in page_text(altered)

    # The signer's clock, a minute past the link's lifetime.
    later = TimestampSigner.get_timestamp(None) + app.config["EMAIL_CONFIRMATION_LINK_DAYS"] * 86400 + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    expired = client.get(link)
    assert expired.status_code == 410
    assert "Ce lien a expiré. Connectez-vous, puis choisissez « Renvoyer le lien »" in page_text(expired)
    assert db.session.get(Participant, amina.id).email_confirmed_at is None


def test_the_resend_button_sends_a_new_link_that_works(app, client, mail):
    amina = make_participant(email="amina@exemple.fr", confirmed=False)
    login(client, amina)
    resent = client.post("/auth/renvoyer-le-lien?next=/mes-donnees", follow_redirects=True)
    assert "C’est envoyé." in page_text(resent)
    [(_recipients, message)] = wait_for_messages(mail, 1)
    client.get(_link_in(message))
    assert _me(client)["votes_count"] is True
    # Nothing left to wait for: the button is gone from the profile.
    assert HELD not in page_text(client.get("/mes-donnees"))


def test_a_childs_votes_and_comments_count_only_once_the_parent_consents_by_the_emailed_link(app, client, mail):
    consultation = make_consultation()
    action = consultation.orientations[0].actions[0]
    client.post("/auth/register", data=CHILD)
    wait_for_messages(mail, 2)
    client.get(_link_in(_message_to(mail, "lina@exemple.fr")))  # the child's own address is confirmed
    client.post(f"/actions/{action.id}/votes/support")
    written = client.post(f"/actions/{action.id}/comments", data={"body": "Un club de théâtre au collège.", "alignment": "1"})
    assert written.status_code == 303

    held = page_text(client.get(f"/actions/{action.id}"))
    assert "Votre parent doit donner son accord avec le lien envoyé à maman@exemple.fr" in held
    assert _me(client)["votes_held_because"] == ["parental_consent_pending"]
    neighbour = app.test_client()
    assert "Un club de théâtre au collège." not in page_text(neighbour.get(f"/actions/{action.id}"))
    assert _supports(neighbour, action) == 0

    request = _message_to(mail, "maman@exemple.fr")
    assert _subject(request) == "Consultation éducative : votre enfant demande votre accord"
    parent = app.test_client()
    consent_page = page_text(parent.get(_link_in(request)))
    assert "sous le nom « Lina »" in consent_page and "Ce que fait ce compte" in consent_page
    assert "Si vous refusez : le compte est supprimé tout de suite" in consent_page
    given = parent.post(_link_in(request), data={"consent": "J’accepte que mon enfant participe"})
    assert "Merci : votre accord est enregistré" in page_text(given)

    assert "Un club de théâtre au collège." in page_text(neighbour.get(f"/actions/{action.id}"))
    assert _supports(neighbour, action) == 1
    assert _me(client)["votes_count"] is True
    assert parent.get(_link_in(request)).status_code == 410  # answered once


def test_a_parent_who_refuses_erases_the_childs_account_and_its_held_votes(app, client):
    consultation = make_consultation()
    lina = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    cast_vote(lina, consultation.orientations[0].actions[0], VoteKind.SUPPORT, 1)
    db.session.commit()
    with app.test_request_context():
        link = consent_link(lina).removeprefix(app.config["PUBLIC_URL"].rstrip("/"))

    undecided = client.post(link, data={})
    assert undecided.status_code == 200 and db.session.get(Participant, lina.id).erased_at is None
    refused = client.post(link, data={"refuse": "Je refuse : supprimer ce compte"})
    assert "le compte de votre enfant est supprimé, avec ses votes" in page_text(refused)
    lina = db.session.get(Participant, lina.id)
    assert lina.erased_at is not None and lina.parent_email is None
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.participant_id == lina.id)) == 0
    assert db.session.scalar(select(AccountErasure.reason).where(AccountErasure.participant_id == lina.id)) == (
        ErasureReason.PARENT_REFUSED
    )


def test_the_beat_task_erases_a_child_whose_parent_did_not_answer_in_time(app, start_worker):
    days = app.config["PARENTAL_CONSENT_DAYS"]
    late = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    recent = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    consented = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14)
    late.created_at = consented.created_at = utcnow() - timedelta(days=days, hours=1)
    recent.created_at = utcnow() - timedelta(days=days - 1)
    db.session.commit()

    start_worker()
    erased = task_result(app.extensions["celery"].send_task("pedt.privacy.erase_without_parental_consent"))
    assert erased == [late.id]
    db.session.expire_all()
    assert db.session.get(Participant, late.id).erased_at is not None
    assert db.session.get(Participant, recent.id).erased_at is None
    assert db.session.get(Participant, consented.id).erased_at is None
    assert db.session.scalar(select(AccountErasure.reason).where(AccountErasure.participant_id == late.id)) == (
        ErasureReason.NO_PARENTAL_CONSENT
    )


def test_without_a_mail_server_the_links_are_written_to_the_mail_folder(app, client, tmp_path, monkeypatch):
    """The embedded default (`make run`): what the worker would e-mail is a text file a person can open."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(tmp_path / "mail"))
    lina = make_participant(email="lina@exemple.fr", audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14,
                            confirmed=False, parental_consent=False)
    assert email_confirmation(lina.id, "fr") and email_parental_consent_request(lina.id, "fr")

    written = {path.read_text(encoding="utf-8").split("\n", 1)[0]: path.read_text(encoding="utf-8")
               for path in (tmp_path / "mail").glob("*.txt")}
    assert set(written) == {"To: lina@exemple.fr", "To: parent@exemple.fr"}
    confirm = re.search(r"https?://\S+(/auth/confirmer/\S+)", written["To: lina@exemple.fr"]).group(1)
    consent = re.search(r"https?://\S+(/auth/accord-parental/\S+)", written["To: parent@exemple.fr"]).group(1)
    assert client.get(confirm).status_code == 303
    assert "Merci : votre accord est enregistré" in page_text(client.post(consent, data={"consent": "1"}))
    assert db.session.get(Participant, lina.id).votes_count


def test_who_counts_is_the_same_question_in_python_and_in_sql(app):
    """Pages ask the Python side, queries the SQL side: both give the same people."""
    confirmed = make_participant()
    unconfirmed = make_participant(confirmed=False)
    blocked = make_participant()
    blocked.blocked_at = utcnow()
    waiting_child = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    consented_child = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14)
    db.session.commit()
    everyone = [confirmed, unconfirmed, blocked, waiting_child, consented_child]
    for question in ("votes_count", "writings_shown"):
        in_sql = set(db.session.scalars(select(Participant.id).where(getattr(Participant, question))))
        assert in_sql == {person.id for person in everyone if getattr(person, question)}
    assert {p.id for p in everyone if p.votes_count} == {confirmed.id, consented_child.id}
    assert {p.id for p in everyone if p.writings_shown} == {confirmed.id, unconfirmed.id, consented_child.id}
