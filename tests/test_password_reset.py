"""A forgotten password: a link by e-mail (real worker, real SMTP server), opened once for a form that lasts a
few minutes, that also ends other sessions and lifts a lockout; the page never tells whether an address has an
account."""

from __future__ import annotations

import io
import logging
import re
import time
from datetime import timedelta
from email.header import decode_header, make_header

from itsdangerous import TimestampSigner

from pedt_participation.auth.services import reset_link
from pedt_participation.extensions import db
from pedt_participation.models import Participant, SignInLockout, utcnow
from pedt_participation.operations.logs import JsonFormatter, TextFormatter
from tests.conftest import WORKER_PUBLIC_URL
from tests.helpers import TEST_PASSWORD, login, make_participant, page_text, wait_for_messages

NEW_PASSWORD = "trois mots sans rapport"
PUBLIC_URL = WORKER_PUBLIC_URL


def _ask_for_link(client, email: str, **headers):
    return client.post("/auth/mot-de-passe-oublie", data={"email": email}, headers=headers, follow_redirects=True)


def _link_in(message) -> str:
    body = message.get_payload(decode=True).decode("utf-8")
    return re.search(re.escape(PUBLIC_URL) + r"(/auth/nouveau-mot-de-passe/\S+)", body).group(1)


def test_a_forgotten_password_is_replaced_through_a_link_sent_by_email(app, client, mail, start_worker):
    stranger_answer = page_text(_ask_for_link(client, "personne@exemple.fr"))
    parent = make_participant(email="amina@exemple.fr", display_name="Amina")
    answer = page_text(_ask_for_link(client, "Amina@exemple.fr "))
    # Same words whether or not the address has an account (only the address differs).
    assert answer.replace("Amina@exemple.fr", "X") == stranger_answer.replace("personne@exemple.fr", "X")
    assert "Si un compte existe avec l’adresse Amina@exemple.fr, un e-mail vient de lui être envoyé" in answer

    # The worker handles requests in order: once Amina's message is there, the stranger's would be too.
    [(recipients, message)] = wait_for_messages(mail, 1)
    start_worker.wait_for_sent_tasks()
    assert len(mail.messages) == 1 and recipients == ["amina@exemple.fr"]
    assert "choisir un nouveau mot de passe" in str(make_header(decode_header(message["Subject"])))
    assert "Bonjour Amina" in message.get_payload(decode=True).decode("utf-8")
    link = _link_in(message)

    form = _open(client, link)
    weak = client.post(form, data={"password": "amina", "password_confirmation": "amina"})
    assert weak.status_code == 422 and "au moins 10 caractères" in page_text(weak)
    chosen = client.post(form, data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert chosen.status_code == 303
    assert "Votre nouveau mot de passe est enregistré" in page_text(client.get(chosen.headers["Location"]))

    client.post("/auth/logout")
    assert client.post("/auth/login", data={"email": parent.email, "password": TEST_PASSWORD}).status_code == 422
    assert client.post("/auth/login", data={"email": parent.email, "password": NEW_PASSWORD}).status_code == 303
    used_again = client.get(link)
    assert used_again.status_code == 410 and "Demander un nouveau lien" in page_text(used_again)


def test_the_email_is_in_the_language_the_person_was_reading(client, mail):
    make_participant(email="sam@exemple.fr", display_name="Sam")
    assert "If an account exists" in page_text(_ask_for_link(client, "sam@exemple.fr", **{"Accept-Language": "en"}))
    [(_recipients, message)] = wait_for_messages(mail, 1)
    assert "Education consultation: choose a new password" == str(make_header(decode_header(message["Subject"])))
    assert "Hello Sam" in message.get_payload(decode=True).decode("utf-8")


def _open(client, link: str) -> str:
    """Opens the e-mail's link as a browser would: it leads to the form, at an address without the token."""
    opened = client.get(link)
    assert opened.status_code == 303, page_text(opened)
    assert opened.headers["Location"] == "/auth/nouveau-mot-de-passe"
    return opened.headers["Location"]


def _fresh_link(app, participant: Participant) -> str:
    """The link as the worker makes it (the e-mail's delivery is tested above)."""
    return reset_link(participant).removeprefix(app.config["PUBLIC_URL"].rstrip("/"))


def test_a_new_password_signs_out_other_devices_and_lifts_a_lockout(app, client):
    parent = make_participant()
    phone = app.test_client()
    login(phone, parent)
    assert phone.get("/notifications/").status_code == 200
    db.session.add(SignInLockout(participant_id=parent.id, failed_attempts=0, locked_until=utcnow().replace(year=2999)))
    db.session.commit()

    form = _open(client, _fresh_link(app, parent))
    assert client.post(form, data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}).status_code == 303

    signed_out = phone.get("/notifications/")
    assert signed_out.status_code == 302 and "/auth/login" in signed_out.headers["Location"]
    assert db.session.get(SignInLockout, parent.id) is None
    client.post("/auth/logout")
    assert client.post("/auth/login", data={"email": parent.email, "password": NEW_PASSWORD}).status_code == 303


def test_an_old_or_altered_link_is_refused_with_what_to_do(app, client, monkeypatch):
    parent = make_participant()
    link = _fresh_link(app, parent)
    altered = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert altered.status_code == 410 and "Ce lien ne marche plus" in page_text(altered)

    # The signer's clock, a minute after the link's last valid one.
    later = int(time.time()) + (app.config["PASSWORD_RESET_LINK_MINUTES"] + 1) * 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: later)
    expired = client.get(link)
    assert expired.status_code == 410
    assert "Demander un nouveau lien" in page_text(expired)
    client.post("/auth/logout")
    assert client.post("/auth/login", data={"email": parent.email, "password": TEST_PASSWORD}).status_code == 303


def test_without_a_mail_server_the_page_says_whom_to_ask(client):
    make_participant(email="amina@exemple.fr")
    text = page_text(_ask_for_link(client, "amina@exemple.fr"))
    assert "Ce site n’envoie pas d’e-mails" in text and "écrivez à l’équipe de la consultation" in text


def test_the_sign_in_page_offers_the_link(client):
    sign_in = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/mot-de-passe-oublie"' in sign_in


def test_an_opened_link_opens_once_and_its_form_expires_within_minutes(app, client, monkeypatch):
    """A link left open on a shared computer: reopening it (from the history) fails, and the form it led to
    stops working after PASSWORD_RESET_FORM_MINUTES."""
    parent = make_participant()
    link = _fresh_link(app, parent)
    form = _open(client, link)
    assert client.get(form).status_code == 200
    reopened = app.test_client().get(link)
    assert reopened.status_code == 410 and "Demander un nouveau lien" in page_text(reopened)

    db.session.refresh(parent)
    parent.password_reset_opened_at -= timedelta(minutes=app.config["PASSWORD_RESET_FORM_MINUTES"])
    opened_at = parent.password_reset_opened_at
    db.session.commit()
    with client.session_transaction() as session:
        session["password_reset"][2] = opened_at.isoformat()
    late = client.post(form, data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert late.status_code == 410
    assert client.post("/auth/login", data={"email": parent.email, "password": TEST_PASSWORD}).status_code == 303


def test_a_new_link_replaces_the_form_of_an_earlier_one(app, client):
    parent = make_participant()
    form = _open(client, _fresh_link(app, parent))
    time.sleep(1)  # links are dated to the second
    _open(app.test_client(), _fresh_link(app, parent))
    assert client.post(form, data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}).status_code == 410


def test_the_link_is_never_written_in_a_log_line(app, client):
    """The request log, and an error's log line, name the address with the token redacted."""
    parent = make_participant()
    link = _fresh_link(app, parent)
    token = link.rsplit("/", 1)[1]
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter | TextFormatter))
    written = io.StringIO()
    stream = handler.setStream(written)
    try:
        _open(client, link)
        logging.getLogger("pedt_participation").error("Exception on %s [GET]", link)
    finally:
        handler.setStream(stream)
    lines = written.getvalue().splitlines()
    assert len(lines) == 2
    assert token not in written.getvalue()
    assert all("/auth/nouveau-mot-de-passe/[redacted]" in line for line in lines)
