"""The report queue as a moderator reads it: the reported comment and the reporters' notes labelled and dated, one
reason field that serves both « Masquer » and « Classer sans suite », and blocking confirmed before it happens."""

from __future__ import annotations

import re

from sqlalchemy import select

from pedt_participation.comments.services import add_comment
from pedt_participation.extensions import db
from pedt_participation.models import ModerationAction, ModerationLogEntry, Participant, ReportReason
from pedt_participation.reports.services import Target, report
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text


def _reported_comment():
    consultation = make_consultation(slug="demo")
    action = consultation.orientations[0].actions[0]
    author, reporter = make_participant(display_name="Troll"), make_participant()
    comment = add_comment(author, action, "Texte signalé de test")
    report(reporter, consultation, Target(comment=comment), ReportReason.OFFENSIVE, "Il insulte les parents")
    db.session.commit()
    return consultation, comment, author


def _form_with_button(html: str, label: str) -> str:
    forms = re.findall(r"<form\b.*?</form>", html, re.S)
    return next(form for form in forms if f">{label}</button>" in form)


def test_the_reported_comment_and_the_reporters_notes_are_labelled_and_dated(client):
    consultation, comment, _author = _reported_comment()
    login(client, make_moderator(consultation))

    text = page_text(client.get("/moderation/demo/reports"))

    assert "Commentaire signalé" in text
    assert re.search(r"Écrit par Troll le \d+ \w+ \d{4}", text), text
    notes = text[text.index("Notes des personnes qui ont signalé"):]
    assert re.match(r"Notes des personnes qui ont signalé \d+ \w+ \d{4}, \d+:\d+ : Il insulte les parents", notes), notes[:120]


def test_dismissing_keeps_its_reason_in_the_log(client):
    consultation, comment, _author = _reported_comment()
    login(client, make_moderator(consultation))
    html = client.get("/moderation/demo/reports").get_data(as_text=True)

    dismissal = _form_with_button(html, "Classer sans suite")
    assert 'name="reason"' in dismissal and ">Masquer</button>" in dismissal  # one reason, for either choice
    action = re.search(r'<form method="post" action="([^"]+)"', dismissal).group(1)
    client.post(action, data={"reason": "Critique vive mais pas insultante"})

    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.DISMISS_REPORTS))
    assert entry.reason == "Critique vive mais pas insultante"


def test_blocking_asks_for_confirmation_first(client):
    consultation, _comment, author = _reported_comment()
    login(client, make_moderator(consultation))
    html = client.get("/moderation/demo/reports").get_data(as_text=True)
    blocking = _form_with_button(html, "Oui, bloquer le compte de Troll")
    assert 'name="confirmed" value="oui"' in blocking and 'class="button-small danger"' in blocking

    refused = page_text(client.post(f"/moderation/demo/participants/{author.id}/block", data={"reason": "Insultes"}, follow_redirects=True))

    assert "Le compte n’est pas bloqué : confirmez avec le bouton « Oui, bloquer »." in refused
    assert db.session.get(Participant, author.id).blocked_at is None
