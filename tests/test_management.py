"""A consultation's managers edit its words and dates, which parents then see; out-of-order dates are refused
beside their field; a change of the vote's dates while people vote is announced on the consultation page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pedt_participation.extensions import db
from pedt_participation.models import (
    Consultation,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    Role,
    utcnow,
)
from tests.helpers import login, make_consultation, make_participant, page_text

PARIS = ZoneInfo("Europe/Paris")


def _manager_of(consultation: Consultation, role: Role = Role.COMMITTEE):
    manager = make_participant(role=role)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=consultation.id))
    db.session.commit()
    return manager


def _local(value: datetime | None) -> str:
    return value.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if value else ""


def _form_of(consultation: Consultation, **changes) -> dict:
    """What the editor sends back unchanged, with `changes` typed over it."""
    data = {
        "title": consultation.title,
        "summary": consultation.summary,
        "context": consultation.context,
        **{name: _local(getattr(consultation, name))
           for name in ("proposals_open_at", "proposals_close_at", "voting_open_at", "voting_close_at")},
    }
    return {**data, **changes}


def _edits_logged() -> list[ModerationLogEntry]:
    query = select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.EDIT_CONSULTATION)
    return list(db.session.scalars(query))


def test_a_manager_edits_words_and_dates_and_a_parent_sees_them(client):
    consultation = make_consultation(slug="ecoles", voting="future", proposals="future")
    manager = _manager_of(consultation)
    login(client, manager)
    assert "Gestion" in page_text(client.get("/"))
    assert "Consultation ecoles" in page_text(client.get("/gestion/"))

    response = client.post("/gestion/ecoles/", data=_form_of(
        consultation,
        title="Les temps de l’enfant",
        summary="Une nouvelle introduction.",
        proposals_open_at="2040-01-10T09:00",
        proposals_close_at="2040-02-01T18:00",
        voting_open_at="2040-02-02T09:00",
        voting_close_at="2040-03-01T18:00",
    ))
    assert response.status_code == 303
    assert "Consultation enregistrée." in page_text(client.get(response.headers["Location"]))
    db.session.expire_all()
    saved = db.session.get(Consultation, consultation.id)
    # Typed in the town's time (UTC+1 in winter), stored in UTC.
    assert saved.voting_open_at == datetime(2040, 2, 2, 8, 0, tzinfo=UTC)
    [entry] = _edits_logged()
    assert entry.moderator_id == manager.id and entry.consultation_id == consultation.id
    assert set(entry.details["changes"]) == {"title", "summary", "proposals_open_at", "proposals_close_at",
                                             "voting_open_at", "voting_close_at"}
    assert entry.details["changes"]["title"] == {"before": "Consultation ecoles", "after": "Les temps de l’enfant"}
    assert entry.details["changes"]["voting_open_at"]["after"] == "2040-02-02T08:00:00+00:00"
    client.post("/auth/logout")

    parent = make_participant()
    login(client, parent)
    text = page_text(client.get("/consultations/ecoles"))
    assert "Les temps de l’enfant" in text and "Une nouvelle introduction." in text
    assert "Le vote ouvrira le 2 février 2040." in text
    assert "Gestion" not in page_text(client.get("/"))


def test_the_editor_shows_the_dates_in_the_towns_time(client):
    consultation = make_consultation(slug="ecoles")
    consultation.voting_close_at = datetime(2040, 7, 1, 16, 0, tzinfo=UTC)
    db.session.commit()
    login(client, _manager_of(consultation))
    assert 'value="2040-07-01T18:00"' in client.get("/gestion/ecoles/").get_data(as_text=True)


def test_dates_out_of_order_are_refused_beside_the_field_and_nothing_is_saved(client):
    consultation = make_consultation(slug="ecoles")
    before = (consultation.title, consultation.voting_close_at)
    login(client, _manager_of(consultation))

    response = client.post("/gestion/ecoles/", data=_form_of(
        consultation, title="Un titre tapé", voting_open_at="2040-03-01T09:00", voting_close_at="2040-02-01T09:00"
    ))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="voting_close_at-erreur"' in html
    assert "La fermeture du vote doit venir après son ouverture." in page_text(response)
    assert 'value="Un titre tapé"' in html and 'value="2040-02-01T09:00"' in html
    db.session.expire_all()
    saved = db.session.get(Consultation, consultation.id)
    assert (saved.title, saved.voting_close_at) == before
    assert _edits_logged() == []


def test_each_rule_of_the_dates_and_title_is_refused(client):
    consultation = make_consultation(slug="ecoles")
    login(client, _manager_of(consultation))
    refusals = [
        ({"title": "  "}, "title", "Donnez un titre à la consultation."),
        ({"title": "x" * 201}, "title", "Le titre est trop long : 200 caractères au plus."),
        ({"proposals_open_at": "", "proposals_close_at": "2040-01-01T10:00"}, "proposals_open_at",
         "Indiquez aussi quand les propositions s’ouvrent"),
        ({"voting_open_at": "", "voting_close_at": "2040-01-01T10:00"}, "voting_open_at",
         "Indiquez aussi quand le vote s’ouvre"),
        ({"proposals_open_at": "2040-01-02T10:00", "proposals_close_at": "2040-01-01T10:00"}, "proposals_close_at",
         "La fermeture des propositions doit venir après leur ouverture."),
        ({"proposals_open_at": "2040-01-10T10:00", "proposals_close_at": "2040-02-01T10:00",
          "voting_open_at": "2040-01-05T10:00", "voting_close_at": "2040-03-01T10:00"}, "voting_open_at",
         "Le vote ne peut pas s’ouvrir avant l’ouverture des propositions."),
    ]
    for changes, field, message in refusals:
        response = client.post("/gestion/ecoles/", data=_form_of(consultation, **changes))
        assert response.status_code == 422, changes
        assert f'id="{field}-erreur"' in response.get_data(as_text=True), changes
        assert message in page_text(response), changes
    assert _edits_logged() == []


def test_a_manager_of_another_consultation_is_refused(client):
    make_consultation(slug="ecoles")
    other = make_consultation(slug="autre")
    login(client, _manager_of(other, role=Role.MODERATOR))
    assert client.get("/gestion/ecoles/").status_code == 403
    assert client.post("/gestion/ecoles/", data={"title": "Pris"}).status_code == 403
    assert db.session.scalar(select(Consultation.title).where(Consultation.slug == "ecoles")) == "Consultation ecoles"
    assert "Consultation ecoles" not in page_text(client.get("/gestion/"))
    assert client.get("/gestion/inconnue/").status_code == 404


def test_a_participant_assigned_as_manager_is_still_refused(client):
    consultation = make_consultation(slug="ecoles")
    login(client, _manager_of(consultation, role=Role.PARTICIPANT))
    assert client.get("/gestion/ecoles/").status_code == 403


def test_a_vote_extended_while_open_is_announced_until_it_closes(client):
    consultation = make_consultation(slug="ecoles", voting="open")
    manager = _manager_of(consultation)
    public_page = "/consultations/ecoles"
    assert "prolongé" not in page_text(client.get(public_page))
    login(client, manager)
    later = consultation.voting_close_at + timedelta(days=7)
    client.post("/gestion/ecoles/", data=_form_of(consultation, voting_close_at=_local(later)))
    client.post("/auth/logout")

    login(client, make_participant())
    text = page_text(client.get(public_page))
    assert "Le vote a été prolongé jusqu’au" in text and str(later.astimezone(PARIS).year) in text

    db.session.expire_all()
    closed = db.session.get(Consultation, consultation.id)
    closed.voting_close_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "prolongé" not in page_text(client.get(public_page))


def test_a_vote_shortened_while_open_is_announced_as_a_change(client):
    consultation = make_consultation(slug="ecoles", voting="open")
    login(client, _manager_of(consultation))
    sooner = consultation.voting_close_at - timedelta(days=7)
    client.post("/gestion/ecoles/", data=_form_of(consultation, voting_close_at=_local(sooner)))
    assert "Les dates du vote ont changé : il se termine le" in page_text(client.get("/consultations/ecoles"))


def test_dates_changed_before_the_vote_opens_are_not_announced(client):
    consultation = make_consultation(slug="ecoles", voting="future")
    login(client, _manager_of(consultation))
    later = consultation.voting_close_at + timedelta(days=7)
    client.post("/gestion/ecoles/", data=_form_of(consultation, voting_close_at=_local(later)))
    db.session.expire_all()
    moved = db.session.get(Consultation, consultation.id)
    assert moved.voting_close_at == later.replace(second=0, microsecond=0)
    moved.voting_open_at = utcnow() - timedelta(days=1)
    db.session.commit()
    text = page_text(client.get("/consultations/ecoles"))
    assert "Le vote est ouvert" in text
    assert "prolongé" not in text and "Les dates du vote ont changé" not in text


def test_an_edit_reads_well_in_the_moderation_log(client):
    consultation = make_consultation(slug="ecoles")
    login(client, _manager_of(consultation))
    client.post("/gestion/ecoles/", data=_form_of(consultation, title="Nouveau titre", voting_close_at="2040-01-01T10:00"))
    client.post("/auth/logout")
    login(client, make_participant(role=Role.ADMIN))
    text = page_text(client.get("/admin/moderation-log"))
    assert f"Consultation modifiée Consultation n° {consultation.id}" in text
    assert "Modifié : titre, fermeture du vote" in text


def test_an_admin_assigns_a_manager_and_it_is_logged(client):
    consultation = make_consultation(slug="ecoles")
    admin, person = make_participant(role=Role.ADMIN), make_participant(role=Role.COMMITTEE)
    login(client, admin)
    assert "Consultations gérées" in page_text(client.get("/admin/participants", query_string={"q": person.email}))
    client.post(
        f"/admin/participants/{person.id}/role",
        data={f"p{person.id}-role": "committee", f"p{person.id}-managed": [str(consultation.id)]},
    )
    entry = db.session.scalar(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.ROLE_CHANGE))
    assert entry.details["managed"] == {"before": [], "after": [consultation.id]}
    assert f"Consultations gérées : aucune → n° {consultation.id}" in page_text(client.get("/admin/moderation-log"))
    client.post("/auth/logout")

    login(client, person)
    assert "Consultation ecoles" in page_text(client.get("/gestion/"))
    assert client.get("/gestion/ecoles/").status_code == 200
    client.post("/auth/logout")

    # A participant's account manages nothing: the assignment goes with the staff role.
    login(client, admin)
    client.post(
        f"/admin/participants/{person.id}/role",
        data={f"p{person.id}-role": "participant", f"p{person.id}-managed": [str(consultation.id)]},
    )
    assert db.session.scalars(select(ManagerAssignment)).all() == []


def test_saving_the_editor_unchanged_changes_nothing(client):
    consultation = make_consultation(slug="ecoles")
    before = consultation.voting_close_at
    login(client, _manager_of(consultation))
    response = client.post("/gestion/ecoles/", data=_form_of(consultation), follow_redirects=True)
    assert "Rien n’a changé." in page_text(response)
    assert _edits_logged() == []
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).voting_close_at == before
