"""A consultation's settings, edited by its managers: once votes exist, a change that would alter a vote already
cast is refused beside its field and nothing is saved; the other changes apply, with the stated consequence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pedt_participation.extensions import db
from pedt_participation.models import (
    AgeBracket,
    Audience,
    Consultation,
    ConsultationStatus,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    PaperVoteCount,
    Role,
    VoteKind,
    Workshop,
)
from pedt_participation.voting.services import cast_vote
from tests.helpers import login, make_consultation, make_participant, page_text


def _signed_in_manager(client, consultation: Consultation):
    manager = make_participant(role=Role.COMMITTEE)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=consultation.id))
    db.session.commit()
    login(client, manager)
    return manager


def _form_of(consultation: Consultation, **changes) -> dict:
    """What the settings page sends back unchanged (an unticked box is not sent), with `changes` over it."""
    data = {
        "supports_enabled": "y" if consultation.supports_enabled else None,
        "vote_limit_per_orientation": consultation.vote_limit_per_orientation or "",
        "opinion_enabled": "y" if consultation.opinion_enabled else None,
        "majority_judgment_enabled": "y" if consultation.majority_judgment_enabled else None,
        "allowed_audiences": list(consultation.allowed_audiences),
        "minimum_age": consultation.minimum_age,
        "k_anonymity": consultation.k_anonymity,
        "missing_grades_as_reject": "oui" if consultation.missing_grades_as_reject else "non",
        "comments_enabled": "y" if consultation.comments_enabled else None,
        "figures_during_vote": "oui" if consultation.figures_during_vote else "non",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


def _settings_logged() -> list[ModerationLogEntry]:
    query = select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.EDIT_CONSULTATION)
    return list(db.session.scalars(query))


def _reloaded(consultation: Consultation) -> Consultation:
    db.session.expire_all()
    return db.session.get(Consultation, consultation.id)


def _assert_refused(client, consultation, field: str, message: str, **changes) -> None:
    before = {name: getattr(consultation, name) for name in _form_of(consultation)}
    response = client.post("/gestion/ecoles/reglages", data=_form_of(consultation, **changes))
    assert response.status_code == 422, changes
    assert f'id="{field}-erreur"' in response.get_data(as_text=True), changes
    assert message in page_text(response), changes
    saved = _reloaded(consultation)
    assert {name: getattr(saved, name) for name in before} == before
    assert _settings_logged() == []


def test_a_manager_changes_the_settings_before_any_vote_and_it_is_logged(client):
    consultation = make_consultation(slug="ecoles")
    manager = _signed_in_manager(client, consultation)
    assert "Soutiens par orientation" in page_text(client.get("/gestion/ecoles/reglages"))
    response = client.post("/gestion/ecoles/reglages", data=_form_of(
        consultation, supports_enabled=None, vote_limit_per_orientation="", majority_judgment_enabled="y",
        allowed_audiences=["parent"], minimum_age="18", k_anonymity="10", missing_grades_as_reject="non",
    ))
    assert response.status_code == 303
    assert "Réglages enregistrés." in page_text(client.get(response.headers["Location"]))
    saved = _reloaded(consultation)
    assert not saved.supports_enabled and saved.vote_limit_per_orientation is None
    assert saved.majority_judgment_enabled and saved.allowed_audiences == ["parent"]
    assert (saved.minimum_age, saved.k_anonymity, saved.missing_grades_as_reject) == (18, 10, False)
    [entry] = _settings_logged()
    assert entry.moderator_id == manager.id
    assert entry.details["changes"]["minimum_age"] == {"before": 11, "after": 18}
    assert client.post("/gestion/ecoles/reglages", data=_form_of(saved)).status_code == 303
    assert len(_settings_logged()) == 1  # saved unchanged: nothing logged


def test_removing_a_vote_kind_that_has_votes_is_refused(client):
    consultation = make_consultation(slug="ecoles", majority_judgment_enabled=True)
    action = consultation.orientations[0].actions[0]
    cast_vote(make_participant(), action, VoteKind.OPINION, 1)
    db.session.commit()
    _signed_in_manager(client, consultation)
    _assert_refused(client, consultation, "opinion_enabled",
                    "Des votes « avis » ont déjà été donnés : ce type de vote ne peut plus être retiré.",
                    opinion_enabled=None)
    # A kind nobody used may go, and another may be added.
    response = client.post("/gestion/ecoles/reglages", data=_form_of(consultation, majority_judgment_enabled=None))
    assert response.status_code == 303
    assert not _reloaded(consultation).majority_judgment_enabled


def test_removing_supports_counted_on_paper_is_refused(client):
    consultation = make_consultation(slug="ecoles")
    workshop = Workshop(consultation_id=consultation.id, held_on=date(2026, 1, 10), place="Centre social")
    db.session.add(workshop)
    db.session.flush()
    db.session.add(PaperVoteCount(workshop_id=workshop.id, action_id=consultation.orientations[0].actions[0].id,
                                  audience=Audience.PARENT, supports=4))
    db.session.commit()
    _signed_in_manager(client, consultation)
    _assert_refused(client, consultation, "supports_enabled", "Des votes « soutien » ont déjà été donnés",
                    supports_enabled=None)


def test_lowering_the_support_limit_below_what_someone_used_is_refused(client):
    consultation = make_consultation(slug="ecoles", vote_limit_per_orientation=3)
    parent = make_participant()
    for action in consultation.orientations[0].actions[:2]:
        cast_vote(parent, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    _signed_in_manager(client, consultation)
    _assert_refused(client, consultation, "vote_limit_per_orientation",
                    "Une personne a déjà donné 2 soutiens dans une même orientation : la limite ne peut pas descendre "
                    "en dessous.", vote_limit_per_orientation="1")
    # Down to what is used, or no limit at all, keeps every support.
    assert client.post("/gestion/ecoles/reglages", data=_form_of(consultation, vote_limit_per_orientation="2")).status_code == 303
    assert _reloaded(consultation).vote_limit_per_orientation == 2


def test_excluding_an_audience_that_voted_is_refused(client):
    consultation = make_consultation(slug="ecoles")
    cast_vote(make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_18_TO_25),
              consultation.orientations[0].actions[0], VoteKind.SUPPORT, 1)
    db.session.commit()
    _signed_in_manager(client, consultation)
    _assert_refused(client, consultation, "allowed_audiences",
                    "Des personnes de ces publics ont déjà voté : jeune (11 à 25 ans). Gardez-les dans la consultation.",
                    allowed_audiences=["parent", "professional"])
    # An audience nobody from voted may be excluded.
    response = client.post("/gestion/ecoles/reglages", data=_form_of(consultation, allowed_audiences=["parent", "youth"]))
    assert response.status_code == 303
    assert _reloaded(consultation).allowed_audiences == ["parent", "youth"]


def test_raising_the_minimum_age_above_a_voters_is_refused(client):
    consultation = make_consultation(slug="ecoles")
    cast_vote(make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17),
              consultation.orientations[0].actions[0], VoteKind.SUPPORT, 1)
    db.session.commit()
    _signed_in_manager(client, consultation)
    _assert_refused(client, consultation, "minimum_age",
                    "Des personnes de 15 ans ont déjà voté : l’âge minimum ne peut pas dépasser 15 ans.",
                    minimum_age="16")
    assert client.post("/gestion/ecoles/reglages", data=_form_of(consultation, minimum_age="15")).status_code == 303
    assert _reloaded(consultation).minimum_age == 15


def test_values_out_of_range_are_refused_beside_their_field(client):
    consultation = make_consultation(slug="ecoles")
    _signed_in_manager(client, consultation)
    for changes, field, message in [
        ({"vote_limit_per_orientation": "0"}, "vote_limit_per_orientation", "La limite de soutiens est d’au moins 1."),
        ({"allowed_audiences": []}, "allowed_audiences", "Choisissez au moins un public."),
        ({"minimum_age": "8"}, "minimum_age", "L’âge minimum va de 11 à 26 ans."),
        ({"k_anonymity": "0"}, "k_anonymity", "Le seuil de confidentialité va de 1 à 100 personnes."),
        ({"k_anonymity": "cinq"}, "k_anonymity", "N'est pas un entier valide."),
        ({"k_anonymity": ""}, "k_anonymity", "Écrivez un nombre entier, par exemple 3."),
    ]:
        _assert_refused(client, consultation, field, message, **changes)


def test_changes_that_keep_every_vote_apply_with_their_stated_consequence(client):
    """Figures hidden, comments off, another missing-grade rule, another k: applied while people vote, each saying
    what it does beside its field."""
    consultation = make_consultation(slug="ecoles", majority_judgment_enabled=True)
    action = consultation.orientations[0].actions[0]
    cast_vote(make_participant(), action, VoteKind.GRADE, 5)
    cast_vote(make_participant(), action, VoteKind.SUPPORT, 1)
    db.session.commit()
    _signed_in_manager(client, consultation)
    page = page_text(client.get("/gestion/ecoles/reglages"))
    assert "jusqu’à la fermeture du vote ; les votes ne changent pas." in page
    assert "les commentaires déjà écrits restent lisibles" in page
    response = client.post("/gestion/ecoles/reglages", data=_form_of(
        consultation, figures_during_vote="non", comments_enabled=None, missing_grades_as_reject="non", k_anonymity="3",
    ))
    assert response.status_code == 303
    saved = _reloaded(consultation)
    assert not saved.figures_during_vote and not saved.comments_enabled and not saved.missing_grades_as_reject
    assert "Les résultats seront affichés à la fermeture du vote." in page_text(client.get(f"/actions/{action.id}"))


def test_an_archived_consultation_keeps_its_settings(client):
    consultation = make_consultation(slug="ecoles", status=ConsultationStatus.ARCHIVED)
    _signed_in_manager(client, consultation)
    response = client.post("/gestion/ecoles/reglages", data=_form_of(consultation, k_anonymity="9"))
    assert response.status_code == 422
    assert "Cette consultation est archivée" in page_text(response)
    assert _reloaded(consultation).k_anonymity == 5
