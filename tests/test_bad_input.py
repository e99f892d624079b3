"""Bad input: NUL characters, control characters, very long or strange texts, wrong types and ids from
another consultation, sent to every form and to the API. Never a 500; always a French answer. The NUL
character matters on Postgres, which refuses it in text (CI runs this file on both databases)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# Any text (unicode, control characters, NUL, very long) or a wrong type written as text.
ANY_VALUE = st.one_of(st.text(max_size=5000), st.integers().map(str), st.just(""), st.just("9" * 40))
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def signed_in(client):
    login(client, make_participant())


@FAST
@given(body=ANY_VALUE, alignment=ANY_VALUE, parent_id=ANY_VALUE)
@pytest.mark.usefixtures("signed_in")
def test_the_comment_form_never_fails_on_strange_input(client, action, body, alignment, parent_id):
    response = client.post(
        f"/actions/{action.id}/comments", data={"body": body, "alignment": alignment, "parent_id": parent_id}
    )
    assert response.status_code < 500
    assert 'lang="fr"' in response.get_data(as_text=True) or response.status_code in (302, 303)


@FAST
@given(body=st.one_of(ANY_VALUE, st.integers(), st.none(), st.lists(st.text(max_size=5))), alignment=ANY_VALUE)
def test_the_api_comment_endpoint_never_fails_on_strange_input(client, action, body, alignment):
    _token, secret = issue_token("Script de test", owner=make_participant())
    db.session.commit()
    response = client.post(
        f"/api/v1/actions/{action.id}/comments",
        json={"body": body, "alignment": alignment},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.get_json()["error"]["message"]
