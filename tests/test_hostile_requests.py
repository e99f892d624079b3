"""Requests no person sends, but a script or an attacker may: too big, nested too deep, half characters. Each is
answered in French (a page, or the API's JSON), never by a server error."""

from __future__ import annotations

import os

import pytest
import requests
from werkzeug.test import Client

from pedt_participation.api.services import issue_token
from pedt_participation.config import _trusted_hosts
from pedt_participation.extensions import db
from tests.conftest import make_test_app
from tests.helpers import login, make_consultation, make_participant, page_text
from tests.processes import start_gunicorn, stop


@pytest.fixture
def action():
    return make_consultation(slug="demo").orientations[0].actions[0]


@pytest.fixture
def bearer():
    _token, secret = issue_token("Script de test", owner=make_participant())
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


# --- size ----------------------------------------------------------------------------------------------------


def test_an_oversized_api_body_is_refused_in_french_json_before_being_read(app, client, action):
    body = b'{"body": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = client.post(f"/api/v1/actions/{action.id}/comments", data=body, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_entity_too_large"
    assert "dépasse la taille acceptée (1 Mo)" in error["message"]


def test_an_oversized_form_is_refused_with_a_french_page(app, client, action):
    login(client, make_participant())
    text = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/actions/{action.id}/comments", data={"body": text, "alignment": "1"})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in page_text(response)
    assert "Raccourcissez le texte ou choisissez un fichier plus petit" in page_text(response)


# --- nesting and characters ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 900, 100_000])
@pytest.mark.parametrize("where", ["api_comment", "api_vote", "page"])
def test_json_nested_too_deep_is_refused_anywhere(client, action, bearer, depth, where):
    paths = {
        "api_comment": f"/api/v1/actions/{action.id}/comments",
        "api_vote": f"/api/v1/actions/{action.id}/votes/support",
        "page": f"/actions/{action.id}/comments",
    }
    response = client.open(
        paths[where], method="PUT" if where == "api_vote" else "POST", data="[" * depth + "]" * depth,
        content_type="application/json", headers=bearer,
    )
    assert response.status_code == 400
    if where == "page":
        assert "imbriquées trop profondément" in page_text(response)
    else:
        error = response.get_json()["error"]
        assert error["code"] == "json_too_deep" and "imbriquées trop profondément" in error["message"]


def test_json_nested_within_the_limit_is_read_as_usual(client, action, bearer):
    response = client.post(
        f"/api/v1/actions/{action.id}/comments", data='{"body": ' + "[" * 30 + "]" * 30 + "}",
        content_type="application/json", headers=bearer,
    )
    assert response.status_code == 422  # the body is not a text: webargs says so, as before


def test_a_lone_surrogate_in_an_api_comment_is_refused_in_french(client, action, bearer):
    response = client.post(
        f"/api/v1/actions/{action.id}/comments", data='{"body": "Bonne idée \\ud800", "alignment": 1}',
        content_type="application/json", headers=bearer,
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "broken_character" and "caractère mal codé" in error["message"]
    assert client.get(f"/api/v1/actions/{action.id}/comments").get_json()["data"] == []


# --- Host ----------------------------------------------------------------------------------------------------

FORGED_HOST = {"Host": "piege.example"}


@pytest.fixture
def production_client(database_url, celery_settings):
    """The app as deployed: no SERVER_NAME, so that links are built from the request's Host."""
    app = make_test_app(database_url, celery_settings, SERVER_NAME=None)
    with app.app_context():
        yield app.test_client()


@pytest.mark.parametrize(
    "path", ["/api/v1/consultations", "/oembed?url=http://localhost/consultations/demo", "/consultations/demo"]
)
def test_a_forged_host_is_never_written_in_a_link(production_client, action, path):
    trusted = production_client.get(path)
    assert trusted.status_code == 200 and "http://localhost/" in trusted.get_data(as_text=True)

    forged = production_client.get(path, headers=FORGED_HOST)

    assert "piege.example" not in forged.get_data(as_text=True)
    assert forged.status_code == 400
    if path.startswith("/api/"):
        assert forged.get_json()["error"]["code"] == "untrusted_host"
    else:
        assert "Adresse du site inconnue" in forged.get_data(as_text=True)


def test_the_trusted_hosts_are_public_urls_unless_listed():
    env = {"PUBLIC_URL": "https://participer.ville.fr"}
    assert _trusted_hosts(env, env["PUBLIC_URL"]) == ["participer.ville.fr", "localhost", "127.0.0.1"]
    listed = {"TRUSTED_HOSTS": "participer.ville.fr, .ville.fr"}
    assert _trusted_hosts(listed, env["PUBLIC_URL"]) == ["participer.ville.fr", ".ville.fr"]


# --- what the API document says ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/consultations", "/consultations/demo"])
def test_a_method_not_allowed_says_which_are(app, action, path):
    # A plain client: the tests' own checks each API answer against an operation of the document, which has none.
    response = Client(app).delete(path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_support_needs_no_body_and_an_opinion_needs_its_value_as_documented(client, action, bearer):
    document = client.get("/api/v1/openapi.json").get_json()["paths"]
    support = document["/api/v1/actions/{action_id}/votes/support"]["put"]
    opinion = document["/api/v1/actions/{action_id}/votes/opinion"]["put"]
    assert support["requestBody"]["required"] is False
    assert opinion["requestBody"]["required"] is True

    assert client.put(f"/api/v1/actions/{action.id}/votes/support", headers=bearer).status_code == 200
    empty = client.put(f"/api/v1/actions/{action.id}/votes/opinion", json={}, headers=bearer)
    assert empty.status_code == 422 and "value" in empty.get_json()["error"]["fields"]["json"]


def _gunicorn(database_url, tmp_path):
    # One worker: the limits are gunicorn's, whatever the number of workers, and each one loads the app.
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "une-clé-de-test-assez-longue", "LOG_FORMAT": "text",
           "WEB_CONCURRENCY": "1"}
    return start_gunicorn(tmp_path / "gunicorn.log", env)


def test_a_long_address_gets_the_sites_414_through_gunicorn(app, database_url, tmp_path):
    """gunicorn.conf.py lets long request lines through, so that the app answers them in its own words."""
    process, base_url = _gunicorn(database_url, tmp_path)
    try:
        too_long = "?tri=" + "a" * app.config["MAX_URL_LENGTH"]
        api = requests.get(f"{base_url}/api/v1/consultations{too_long}", timeout=30)
        assert api.status_code == 414 and api.json()["error"]["code"] == "request_uri_too_long"
        assert "L’adresse demandée est trop longue" in api.json()["error"]["message"]
        page = requests.get(f"{base_url}/consultations/demo{too_long}", timeout=30)
        assert page.status_code == 414 and "Adresse trop longue" in page.text
        # Past gunicorn's own limit (8190 bytes), gunicorn answers alone, in its HTML, as the README says.
        beyond = requests.get(f"{base_url}/api/v1/consultations?tri={'a' * 8200}", timeout=30)
        assert beyond.status_code == 414 and beyond.headers["Content-Type"] == "text/html"
    finally:
        stop(process)
