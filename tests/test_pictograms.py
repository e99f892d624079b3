"""A pictogram per orientation: staff choose it from the built-in set, readers see it beside the orientation's
title wherever the orientation is named (its heading, the jump list, its action cards, the action page, the home
page's card), as a decorative image served by the site."""

from __future__ import annotations

import re

from sqlalchemy import select

from pedt_participation.extensions import db
from pedt_participation.models import (
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    Orientation,
    Pictogram,
    Role,
)
from tests.helpers import login, make_consultation, make_participant, page_text

SCHOOL = '<img class="pictogram" src="/static/pictograms/school.svg" alt=""'


def _pictured_consultation():
    consultation = make_consultation(slug="ecoles")
    consultation.orientations[0].pictogram = Pictogram.SCHOOL
    db.session.commit()
    return consultation


def test_readers_see_the_orientation_s_pictogram_beside_its_title_everywhere_it_is_named(client):
    consultation = _pictured_consultation()
    first = consultation.orientations[0]
    action = first.actions[0]

    page = client.get("/consultations/ecoles").get_data(as_text=True)
    heading = re.search(rf'<h2 id="orientation-{first.id}">(.*?)</h2>', page, re.S).group(1)
    assert SCHOOL in heading and "Orientation 1" in heading
    jump_list = page[page.index('class="orientation-nav"'):page.index("</nav>", page.index('class="orientation-nav"'))]
    assert jump_list.count("/static/pictograms/school.svg") == 1
    card = page[page.index(f'id="action-{action.id}"'):]
    assert SCHOOL in card[:card.index("</li>")]
    # The second orientation has none: no picture stands for it.
    second_card = page[page.index(f'id="action-{consultation.orientations[1].actions[0].id}"'):]
    assert "pictogram" not in second_card[:second_card.index("</li>")]

    assert SCHOOL in client.get(f"/actions/{action.id}").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert '<p class="card-pictograms">' in home and SCHOOL in home


def test_every_pictogram_is_an_svg_served_by_the_site(client):
    for pictogram in Pictogram:
        response = client.get(f"/static/pictograms/{pictogram.value}.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml", pictogram
        assert b"<script" not in response.data


def _manager(client, consultation):
    manager = make_participant(role=Role.COMMITTEE)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=consultation.id))
    db.session.commit()
    login(client, manager)


def test_a_manager_chooses_and_changes_an_orientation_s_pictogram_and_the_change_is_logged(client):
    consultation = make_consultation(slug="ecoles", orientations=1)
    _manager(client, consultation)
    form = page_text(client.get("/gestion/ecoles/structure/orientation/nouvelle"))
    assert "Pictogramme" in form and "Aucun" in form and "Sport" in form and "Citoyenneté" in form

    client.post("/gestion/ecoles/structure/orientation/nouvelle", data={"title": "Bouger", "pictogram": "sport"})
    orientation = db.session.scalar(select(Orientation).where(Orientation.title == "Bouger"))
    assert orientation.pictogram == Pictogram.SPORT

    edit_page = client.get(f"/gestion/ecoles/structure/orientation/{orientation.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="sport"|<input[^>]*value="sport"[^>]*checked', edit_page)
    client.post(f"/gestion/ecoles/structure/orientation/{orientation.id}", data={"title": "Bouger", "pictogram": "health"})
    db.session.refresh(orientation)
    assert orientation.pictogram == Pictogram.HEALTH
    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.EDIT_ITEM))
    assert entry.details["changes"] == {"pictogram": {"before": "sport", "after": "health"}}

    client.post(f"/gestion/ecoles/structure/orientation/{orientation.id}", data={"title": "Bouger", "pictogram": ""})
    db.session.refresh(orientation)
    assert orientation.pictogram is None


def test_a_pictogram_outside_the_set_is_refused(client):
    consultation = make_consultation(slug="ecoles", orientations=1)
    _manager(client, consultation)
    orientation = consultation.orientations[0]

    response = client.post(f"/gestion/ecoles/structure/orientation/{orientation.id}",
                           data={"title": orientation.title, "pictogram": "../../secret"})

    assert response.status_code == 422
    db.session.refresh(orientation)
    assert orientation.pictogram is None


def test_a_participant_cannot_change_a_pictogram(client):
    consultation = make_consultation(slug="ecoles", orientations=1)
    orientation = consultation.orientations[0]
    login(client, make_participant())
    response = client.post(f"/gestion/ecoles/structure/orientation/{orientation.id}",
                           data={"title": orientation.title, "pictogram": "sport"})
    assert response.status_code == 403
    db.session.refresh(orientation)
    assert orientation.pictogram is None
