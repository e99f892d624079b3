"""Privacy: a person's copy of their data, erasure that keeps every result true, the erasure log, the
retention rule run by the worker's task, consent before 15, and the privacy notice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pedt_participation.api.services import issue_token
from pedt_participation.comments.services import add_comment
from pedt_participation.committee.aggregation import aggregate
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    AccountErasure,
    AgeBracket,
    Alignment,
    ApiToken,
    Audience,
    Comment,
    Consultation,
    ConsultationStatus,
    ErasureReason,
    Notification,
    Participant,
    RefusalCategory,
    Vote,
    VoteKind,
    utcnow,
)
from pedt_participation.moderation.services import reject_proposal
from pedt_participation.privacy.services import erase_account, erase_accounts_past_retention
from pedt_participation.voting.services import cast_vote
from tests.helpers import (
    TEST_PASSWORD,
    login,
    make_consultation,
    make_moderator,
    make_participant,
    page_text,
    wait_until,
)
from tests.test_committee_aggregation import crafted  # noqa: F401  (the hand-checked data set)


@pytest.fixture
def voter():
    consultation = make_consultation(slug="ecoles")
    other = make_consultation(slug="autre")
    person = make_participant(email="amina@exemple.fr", display_name="Amina Benali", neighbourhood="Nord")
    neighbour = make_participant(email="voisin@exemple.fr", display_name="Voisin Secret")
    first, second = consultation.orientations[0].actions[:2]
    cast_vote(person, first, VoteKind.SUPPORT, 1)
    cast_vote(person, second, VoteKind.OPINION, -1)
    cast_vote(neighbour, first, VoteKind.SUPPORT, 1)
    mine = add_comment(person, first, "Mon fils Yanis a besoin d’aide aux devoirs.", Alignment.POUR)
    add_comment(neighbour, first, "Je réponds à Amina.", parent_id=mine.id)
    cast_vote(person, other.orientations[0].actions[0], VoteKind.SUPPORT, 1)
    db.session.add(Notification(recipient_id=person.id, message="Votre proposition est publiée."))
    db.session.commit()
    return person


def test_my_data_downloads_everything_about_me_and_nothing_about_others(client, voter):
    login(client, voter)
    page = page_text(client.get("/mes-donnees"))
    assert "Télécharger mes données" in page and "Supprimer mon compte" in page

    response = client.get("/mes-donnees/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == "amina@exemple.fr" and data["profile"]["neighbourhood"] == "Nord"
    assert sorted((v["action_title"], v["kind"], v["value"]) for v in data["votes"]) == [
        ("Action 1.1", "support", 1), ("Action 1.1", "support", 1), ("Action 1.2", "opinion", -1),
    ]
    assert [c["body"] for c in data["comments"]] == ["Mon fils Yanis a besoin d’aide aux devoirs."]
    assert [n["message"] for n in data["notifications"]] == ["Votre proposition est publiée."]
    everything = response.get_data(as_text=True)
    assert "voisin@exemple.fr" not in everything and "Voisin Secret" not in everything
    assert "Je réponds à Amina" not in everything


def test_my_data_tells_why_my_proposal_was_refused(client, voter):
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == "ecoles"))
    refused = propose_action(voter, consultation.orientations[0], "Un stade couvert", "")
    reject_proposal(make_moderator(consultation), refused, RefusalCategory.NOT_FEASIBLE, "Le budget ne le permet pas.")
    db.session.commit()
    login(client, voter)
    [proposal] = json.loads(client.get("/mes-donnees/export.json").get_data(as_text=True))["proposals"]
    assert (proposal["state"], proposal["refusal_category"], proposal["refusal_reason"]) == (
        "rejected", "not_feasible", "Le budget ne le permet pas."
    )


def test_erasure_asks_for_confirmation_then_anonymises_logs_and_signs_out(client, voter):
    login(client, voter)
    token_secret = issue_token("Mes scripts", owner=voter)[1]
    db.session.commit()
    votes_before = db.session.scalar(select(func.count()).select_from(Vote))

    page = page_text(client.get("/mes-donnees/supprimer"))
    assert "Ce qui est supprimé" in page and "Vos votes : ils comptent toujours" in page
    refused = client.post("/mes-donnees/supprimer", data={})
    assert refused.status_code == 422 and "Cochez la case" in page_text(refused)
    assert db.session.get(Participant, voter.id).erased_at is None

    done = client.post("/mes-donnees/supprimer", data={"understood": "y"})
    assert done.status_code == 303
    assert "Votre compte est supprimé" in page_text(client.get(done.headers["Location"]))
    assert client.get("/mes-donnees").status_code == 302  # signed out

    tombstone = db.session.get(Participant, voter.id)
    assert tombstone.display_name == "Compte supprimé" and "amina" not in tombstone.email
    assert tombstone.password_hash is None and tombstone.platform_uid is None and tombstone.erased_at
    assert (tombstone.audience, tombstone.neighbourhood) == (Audience.PARENT, "Nord")
    assert db.session.scalar(select(func.count()).select_from(Vote)) == votes_before
    assert db.session.scalar(select(Comment).where(Comment.author_id == voter.id)).body == ""
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(ApiToken)).revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token_secret}"}).status_code == 401
    erasure = db.session.scalar(select(AccountErasure))
    assert (erasure.participant_id, erasure.reason) == (voter.id, ErasureReason.SELF_SERVICE)
    # Nobody can sign in as the person any more, nor reuse the e-mail's old password.
    assert client.post("/auth/login", data={"email": "amina@exemple.fr", "password": TEST_PASSWORD}).status_code == 422

    # The thread keeps its place; the neighbour's reply stays.
    action_page = page_text(client.get(f"/actions/{tombstone_first_action(voter)}"))
    assert "Yanis" not in action_page and "Je réponds à Amina." in action_page


def tombstone_first_action(voter) -> int:
    return db.session.scalar(select(Comment.action_id).where(Comment.author_id == voter.id))


def test_erasure_log_is_append_only(voter):
    erase_account(voter, ErasureReason.WRITTEN_REQUEST)
    db.session.commit()
    entry = db.session.scalar(select(AccountErasure))
    db.session.delete(entry)
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_committee_figures_are_identical_after_voters_erase_their_accounts(crafted):  # noqa: F811
    now = utcnow()
    before = aggregate(crafted["consultation"], now=now)
    parents = crafted["parents"]
    # A judge who also rated comments and authored a hidden one, and the author of two proposals.
    for person in (parents[4], parents[11]):
        erase_account(person, ErasureReason.SELF_SERVICE, now)
    db.session.commit()
    assert aggregate(crafted["consultation"], now=now) == before


def test_an_erased_comment_is_no_longer_quoted_but_votes_still_count(crafted):  # noqa: F811
    now = utcnow()
    before = aggregate(crafted["consultation"], now=now)
    erase_account(crafted["parents"][0], ErasureReason.SELF_SERVICE, now)
    db.session.commit()
    after = aggregate(crafted["consultation"], now=now)
    assert "L’aide aux devoirs du soir" in json.dumps(before, ensure_ascii=False)
    assert "L’aide aux devoirs du soir" not in json.dumps(after, ensure_ascii=False)
    assert after["participation"] == before["participation"]
    for orientation_before, orientation_after in zip(before["orientations"], after["orientations"], strict=True):
        for action_before, action_after in zip(orientation_before["actions"], orientation_after["actions"], strict=True):
            for figures in ("supports", "opinions", "majority_judgment"):
                assert action_after.get(figures) == action_before.get(figures)


def test_cli_exports_and_erases_on_a_written_request(runner, voter, tmp_path):
    out = tmp_path / "amina.json"
    result = runner.invoke(args=["privacy", "export", "Amina@Exemple.fr", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["profile"]["display_name"] == "Amina Benali"

    result = runner.invoke(args=["privacy", "erase", "amina@exemple.fr", "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(AccountErasure.reason)) == ErasureReason.WRITTEN_REQUEST
    again = runner.invoke(args=["privacy", "erase", "amina@exemple.fr", "--yes"])
    assert again.exit_code != 0 and "Aucun compte actif" in again.output


def test_retention_erases_only_people_whose_consultations_all_closed_long_ago(app, voter):
    ecoles, autre = (db.session.scalar(select(Consultation).filter_by(slug=slug)) for slug in ("ecoles", "autre"))
    only_in_ecoles = make_participant(email="lea@exemple.fr")
    cast_vote(only_in_ecoles, ecoles.orientations[1].actions[0], VoteKind.SUPPORT, 1)
    never_took_part = make_participant(email="nouveau@exemple.fr")
    closed_on = utcnow()
    for consultation in (ecoles, autre):
        consultation.voting_close_at = closed_on
    ecoles.status = ConsultationStatus.CLOSED
    db.session.commit()
    days = app.config["RETENTION_DAYS_AFTER_CLOSING"]

    assert erase_accounts_past_retention(closed_on + timedelta(days=days - 1), days) == []
    # "autre" is still published: Amina, who voted there too, is kept; her neighbour and Léa are anonymised.
    neighbour = db.session.scalar(select(Participant.id).filter_by(email="voisin@exemple.fr"))
    assert erase_accounts_past_retention(closed_on + timedelta(days=days + 1), days) == [neighbour, only_in_ecoles.id]
    autre.status = ConsultationStatus.CLOSED
    db.session.commit()
    assert erase_accounts_past_retention(closed_on + timedelta(days=days + 1), days) == [voter.id]
    db.session.commit()
    assert db.session.get(Participant, never_took_part.id).erased_at is None
    assert {e.reason for e in db.session.scalars(select(AccountErasure))} == {ErasureReason.RETENTION}


def test_retention_task_runs_in_the_worker(app, start_worker, voter):
    for consultation in db.session.scalars(select(Consultation)):
        consultation.status = ConsultationStatus.CLOSED
        consultation.voting_close_at = utcnow() - timedelta(days=app.config["RETENTION_DAYS_AFTER_CLOSING"] + 1)
    db.session.commit()
    start_worker()
    app.extensions["celery"].send_task("pedt.privacy.erase_past_retention")
    wait_until(lambda: db.session.get(Participant, voter.id).erased_at, message="the worker did not erase")


def test_under_15_without_a_parents_email_is_refused_and_the_database_refuses_it_too(client):
    youth = {
        "email": "lina@exemple.fr", "password": "un-bon-mot-de-passe", "password_confirmation": "un-bon-mot-de-passe",
        "display_name": "Lina", "audience": "youth", "age_bracket": "11-14",
    }
    refused = client.post("/auth/register", data=youth)
    assert refused.status_code == 422 and "Avant 15 ans, indiquez l’e-mail d’un parent" in page_text(refused)
    assert db.session.scalar(select(Participant)) is None

    db.session.add(Participant(email="x@exemple.fr", display_name="X", audience=Audience.YOUTH,
                               age_bracket=AgeBracket.FROM_11_TO_14))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_privacy_notice_is_linked_from_every_footer_and_says_who_and_how(client):
    home = client.get("/")
    assert 'href="/confidentialite"' in home.get_data(as_text=True)
    page = page_text(client.get("/confidentialite"))
    for expected in ("Qui est responsable", "Sur quelle base", "moins de 15 ans", "Combien de temps",
                     "Mes données", "CNIL"):
        assert expected in page
