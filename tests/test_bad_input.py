"""Bad input: NUL characters, control characters, very long or strange texts, wrong types and ids from
another consultation, sent to every form and to the API. Never a 500; always a French answer. The NUL
character matters on Postgres, which refuses it in text (CI runs this file on both databases)."""

from __future__ import annotations

import pytest

from pedt_participation.api.services import issue_token
from pedt_participation.extensions import db
from tests.helpers import login, make_consultation, make_participant, page_text

NUL_MESSAGE = "contient un caractère invisible interdit"


@pytest.fixture
def action():
    return make_consultation().orientations[0].actions[0]


def test_nul_character_in_a_form_is_refused_in_french(client, action):
    login(client, make_participant())
    response = client.post(f"/actions/{action.id}/comments", data={"body": "Bonne idée\x00", "alignment": "1"})
    assert response.status_code == 400
    assert NUL_MESSAGE in page_text(response) and "Caractère interdit" in page_text(response)


@pytest.mark.parametrize("address", ["/consultations/consultation-test?tri=\x00", "/consultations/pe%00dt"])
def test_nul_character_in_the_address_is_refused_in_french(client, action, address):
    response = client.get(address)
    assert response.status_code == 400 and NUL_MESSAGE in page_text(response)


def test_nul_character_in_api_json_keeps_the_error_shape(client, action):
    _token, secret = issue_token("Script de test", owner=make_participant())
    db.session.commit()
    response = client.post(
        f"/api/v1/actions/{action.id}/comments",
        json={"body": ["ok", {"texte\x00": "Bonne idée"}]},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "nul_character" and NUL_MESSAGE in error["message"]
