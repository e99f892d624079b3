"""What the route × role matrix (test_authorization_matrix.py) does not see: the menu offers each person the
areas the same permissions let them into, and nothing else."""

from __future__ import annotations

import pytest

from pedt_participation.models import Role
from tests.helpers import login, make_participant, page_text

AREAS = ("Modération", "Comité de pilotage", "Administration")

MENU = {
    None: (),
    Role.PARTICIPANT: (),
    Role.MODERATOR: ("Modération",),
    Role.COMMITTEE: ("Comité de pilotage",),
    Role.ADMIN: AREAS,
}


@pytest.mark.parametrize("role", MENU, ids=lambda role: role.value if role else "anonymous")
def test_the_menu_offers_the_areas_one_may_enter(client, role):
    if role is not None:
        login(client, make_participant(role=role))
    menu = client.get("/").get_data(as_text=True).split('class="nav-list"')[1].split("</ul>")[0]
    offered = tuple(area for area in AREAS if f">{area}</a>" in menu)
    assert offered == MENU[role]
    for area, path in zip(AREAS, ("/moderation/", "/comite/", "/admin/participants"), strict=True):
        if area in offered:
            assert client.get(path).status_code == 200, page_text(client.get(path))
