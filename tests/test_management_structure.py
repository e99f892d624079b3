"""Managers edit a consultation's orientations and official actions: add, edit (with the easy-to-read version and
translations), remove (refused once people voted or wrote), put in order with "Monter" / "Descendre"; all logged."""

from __future__ import annotations

from sqlalchemy import select

from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    Consultation,
    ConsultationStatus,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    Orientation,
    Role,
    VoteKind,
)
from pedt_participation.voting.services import cast_vote
from tests.helpers import login, make_consultation, make_participant, page_text


def _signed_in_manager(client, consultation: Consultation):
    manager = make_participant(role=Role.COMMITTEE)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=consultation.id))
    db.session.commit()
    login(client, manager)
    return manager


def _logged(action: ModerationAction) -> list[ModerationLogEntry]:
    query = select(ModerationLogEntry).where(ModerationLogEntry.action == action).order_by(ModerationLogEntry.id)
    return list(db.session.scalars(query))


def _titles(orientation_id: int) -> list[str]:
    db.session.expire_all()
    return [a.title for a in db.session.get(Orientation, orientation_id).actions]


def test_a_manager_adds_an_orientation_and_an_action_that_parents_then_read(client):
    consultation = make_consultation(slug="ecoles", orientations=1)
    manager = _signed_in_manager(client, consultation)
    assert "Orientation numéro 1" in page_text(client.get("/gestion/ecoles/structure"))

    response = client.post("/gestion/ecoles/structure/orientation/nouvelle", data={
        "theme": "Grandir ensemble", "title": "Les temps du soir", "text": "Après l’école.",
        "easy_read": "Le soir, après l’école.", "en_title": "Evenings",
    })
    assert response.status_code == 303
    orientation = db.session.scalar(select(Orientation).where(Orientation.title == "Les temps du soir"))
    assert (orientation.position, orientation.theme, orientation.easy_read) == (2, "Grandir ensemble", "Le soir, après l’école.")
    assert orientation.translations == {"en": {"title": "Evenings"}}

    response = client.post(f"/gestion/ecoles/structure/orientation/{orientation.id}/action/nouvelle", data={
        "title": "Un accueil jusqu’à 19 h", "text": "Pour les parents qui finissent tard.",
        "easy_read": "L’école garde les enfants jusqu’à 19 heures.", "ar_easy_read": "المدرسة تستقبل الأطفال حتى الساعة 7",
    })
    assert response.status_code == 303
    action = db.session.scalar(select(Action).where(Action.title == "Un accueil jusqu’à 19 h"))
    assert action.state == "published" and action.origin == "official"
    assert [entry.target_type for entry in _logged(ModerationAction.ADD_ITEM)] == ["orientation", "action"]
    assert _logged(ModerationAction.ADD_ITEM)[0].moderator_id == manager.id
    client.post("/auth/logout")

    page = page_text(client.get("/consultations/ecoles"))
    assert "Grandir ensemble" in page and "Les temps du soir" in page and "Le soir, après l’école." in page
    text = page_text(client.get(f"/actions/{action.id}"))
    assert "Version facile à lire" in text and "L’école garde les enfants jusqu’à 19 heures." in text
    client.post("/langue", data={"locale": "ar"})
    assert "المدرسة تستقبل الأطفال حتى الساعة 7" in page_text(client.get(f"/actions/{action.id}"))
    client.post("/langue", data={"locale": "en"})
    assert "Evenings" in page_text(client.get("/consultations/ecoles"))


def test_a_manager_edits_an_action_and_the_change_is_logged(client):
    consultation = make_consultation(slug="ecoles")
    action = consultation.orientations[0].actions[0]
    _signed_in_manager(client, consultation)
    page = client.get(f"/gestion/ecoles/structure/action/{action.id}").get_data(as_text=True)
    assert 'value="Action 1.1"' in page
    response = client.post(f"/gestion/ecoles/structure/action/{action.id}", data={
        "title": "Action 1.1 corrigée", "text": action.body, "easy_read": "", "en_title": "Fixed action",
    })
    assert response.status_code == 303
    db.session.expire_all()
    edited = db.session.get(Action, action.id)
    assert edited.title == "Action 1.1 corrigée" and edited.translations == {"en": {"title": "Fixed action"}}
    [entry] = _logged(ModerationAction.EDIT_ITEM)
    assert set(entry.details["changes"]) == {"title", "translations"}
    assert entry.details["changes"]["title"] == {"before": "Action 1.1", "after": "Action 1.1 corrigée"}

    empty = client.post(f"/gestion/ecoles/structure/action/{action.id}", data={"title": "  ", "text": ""})
    assert empty.status_code == 422 and 'id="title-erreur"' in empty.get_data(as_text=True)
    assert "Donnez un titre." in page_text(empty)


def test_monter_and_descendre_put_orientations_and_actions_in_order(client):
    consultation = make_consultation(slug="ecoles", orientations=3)
    first, second, third = (o.id for o in consultation.orientations)
    orientation_id = first
    actions = [a.id for a in consultation.orientations[0].actions]
    _signed_in_manager(client, consultation)

    page = page_text(client.get("/gestion/ecoles/structure"))
    assert "Monter : Action 1.2" in page and "Descendre : Action 1.2" in page
    assert "Monter : Action 1.1" not in page  # already first

    response = client.post(f"/gestion/ecoles/structure/action/{actions[2]}/deplacer", data={"direction": "up"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#action-{actions[2]}")
    assert _titles(orientation_id) == ["Action 1.1", "Action 1.3", "Action 1.2"]
    client.post(f"/gestion/ecoles/structure/action/{actions[0]}/deplacer", data={"direction": "down"})
    assert _titles(orientation_id) == ["Action 1.3", "Action 1.1", "Action 1.2"]

    client.post(f"/gestion/ecoles/structure/orientation/{third}/deplacer", data={"direction": "up"})
    db.session.expire_all()
    assert [o.id for o in db.session.get(Consultation, consultation.id).orientations] == [first, third, second]
    assert [o.position for o in db.session.get(Consultation, consultation.id).orientations] == [1, 2, 3]

    # First cannot go up: nothing changes, nothing is logged.
    before = len(_logged(ModerationAction.MOVE_ITEM))
    client.post(f"/gestion/ecoles/structure/orientation/{first}/deplacer", data={"direction": "up"})
    assert len(_logged(ModerationAction.MOVE_ITEM)) == before == 3
    assert _logged(ModerationAction.MOVE_ITEM)[0].details["position"] == {"before": 3, "after": 2}
    assert client.post(f"/gestion/ecoles/structure/orientation/{first}/deplacer", data={}).status_code == 422


def test_an_action_moves_past_participants_proposals_which_keep_their_place(client):
    consultation = make_consultation(slug="ecoles", actions_per_orientation=2)
    orientation = consultation.orientations[0]
    official = [a.id for a in orientation.actions]
    proposal = propose_action(make_participant(), orientation, "Une idée de parent", "")
    db.session.commit()
    _signed_in_manager(client, consultation)
    client.post(f"/gestion/ecoles/structure/action/{official[1]}/deplacer", data={"direction": "up"})
    assert _titles(orientation.id) == ["Action 1.2", "Action 1.1", "Une idée de parent"]
    assert db.session.get(Action, proposal.id).position == 3


def test_removing_is_confirmed_and_refused_once_people_voted_or_wrote(client):
    consultation = make_consultation(slug="ecoles", orientations=3)
    voted, commented, untouched = (o.actions[0] for o in consultation.orientations)
    cast_vote(make_participant(), voted, VoteKind.SUPPORT, 1)
    add_comment(make_participant(), commented, "J’aime bien cette idée")
    db.session.commit()
    _signed_in_manager(client, consultation)

    for item, kind, message in [
        (voted, "action", "Des personnes ont déjà voté pour cette action : elle ne peut plus être supprimée."),
        (voted.orientation, "orientation", "Des personnes ont déjà voté pour cette orientation : elle ne peut plus être supprimée."),
        (commented, "action", "Des personnes ont déjà commenté cette action : elle ne peut plus être supprimée."),
    ]:
        response = client.post(f"/gestion/ecoles/structure/{kind}/{item.id}/supprimer", data={"confirmed": "oui"})
        assert response.status_code == 422, message
        assert message in page_text(response)
    assert _logged(ModerationAction.REMOVE_ITEM) == []

    orientation_id, untouched_id = untouched.orientation_id, untouched.id
    assert "Cela ne peut pas être annulé." in page_text(client.get(f"/gestion/ecoles/structure/action/{untouched_id}/supprimer"))
    assert client.post(f"/gestion/ecoles/structure/action/{untouched_id}/supprimer").status_code == 422
    response = client.post(f"/gestion/ecoles/structure/action/{untouched_id}/supprimer", data={"confirmed": "oui"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Action, untouched_id) is None
    [entry] = _logged(ModerationAction.REMOVE_ITEM)
    assert entry.details["title"] == "Action 3.1" and entry.target_type == "action"
    assert [a.position for a in db.session.get(Orientation, orientation_id).actions] == [1, 2]

    client.post(f"/gestion/ecoles/structure/orientation/{orientation_id}/supprimer", data={"confirmed": "oui"})
    db.session.expire_all()
    assert [o.position for o in db.session.get(Consultation, consultation.id).orientations] == [1, 2]


def test_an_orientation_with_participants_proposals_is_kept(client):
    consultation = make_consultation(slug="ecoles")
    orientation = consultation.orientations[0]
    propose_action(make_participant(), orientation, "Une idée de parent", "")
    db.session.commit()
    _signed_in_manager(client, consultation)
    response = client.post(f"/gestion/ecoles/structure/orientation/{orientation.id}/supprimer", data={"confirmed": "oui"})
    assert response.status_code == 422
    assert "Des participants ont proposé des actions dans cette orientation" in page_text(response)


def test_participants_proposals_and_other_consultations_items_are_not_edited_here(client):
    consultation = make_consultation(slug="ecoles")
    other = make_consultation(slug="autre")
    proposal = propose_action(make_participant(), consultation.orientations[0], "Une idée de parent", "")
    db.session.commit()
    _signed_in_manager(client, consultation)
    assert client.get(f"/gestion/ecoles/structure/action/{proposal.id}").status_code == 404
    assert client.get(f"/gestion/ecoles/structure/action/{other.orientations[0].actions[0].id}").status_code == 404
    assert client.get(f"/gestion/ecoles/structure/orientation/{other.orientations[0].id}").status_code == 404
    assert client.get(f"/gestion/autre/structure/orientation/{other.orientations[0].id}").status_code == 403


def test_an_archived_consultation_keeps_its_structure(client):
    consultation = make_consultation(slug="ecoles", status=ConsultationStatus.ARCHIVED)
    action = consultation.orientations[0].actions[0]
    _signed_in_manager(client, consultation)
    assert "Modifier : Action 1.1" not in page_text(client.get("/gestion/ecoles/structure"))
    response = client.post(f"/gestion/ecoles/structure/action/{action.id}", data={"title": "Changée"})
    assert response.status_code == 422 and "Cette consultation est archivée" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Action, action.id).title == "Action 1.1"


def test_a_theme_is_renamed_on_every_orientation_under_it(client):
    consultation = make_consultation(slug="ecoles", orientations=3)
    for orientation, theme in zip(consultation.orientations, ("Grandir", "Grandir", "Apprendre"), strict=True):
        orientation.theme = theme
    db.session.commit()
    _signed_in_manager(client, consultation)
    assert "Renommer ce thème : Grandir" in page_text(client.get("/gestion/ecoles/structure"))
    response = client.post("/gestion/ecoles/structure/theme", data={"theme": "Grandir", "name": "Grandir ensemble"})
    assert response.status_code == 303
    db.session.expire_all()
    assert [o.theme for o in db.session.get(Consultation, consultation.id).orientations] == [
        "Grandir ensemble", "Grandir ensemble", "Apprendre"]
    [entry] = _logged(ModerationAction.EDIT_ITEM)
    assert entry.details["changes"]["theme"] == {"before": "Grandir", "after": "Grandir ensemble"}
    assert "Grandir ensemble" in page_text(client.get("/consultations/ecoles"))
    # Emptied, its orientations have no theme any more; an unknown theme is not found.
    client.post("/gestion/ecoles/structure/theme", data={"theme": "Apprendre", "name": ""})
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).orientations[2].theme is None
    assert client.post("/gestion/ecoles/structure/theme", data={"theme": "Inconnu", "name": "X"}).status_code == 404
    assert client.post("/gestion/ecoles/structure/theme", data={}).status_code == 422
