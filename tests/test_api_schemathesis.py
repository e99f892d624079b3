"""Schemathesis generates requests from the OpenAPI document, valid and invalid, for every operation,
as a signed-in moderator and committee member: no answer may be a server error, and every answer must
match the document (status, content type, body)."""

from __future__ import annotations

import contextvars

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pedt_participation import create_app
from pedt_participation.api.openapi import OPENAPI_PATH
from pedt_participation.api.services import issue_token
from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import Role
from tests.helpers import make_consultation, make_moderator, make_participant


def _in_own_context(app):
    """Each generated request runs in an application context of its own, as in production (the test
    holds one open), and its body is read there."""

    def wsgi(environ, start_response):
        def call():
            _cv_app.set(None)
            result = app(environ, start_response)
            try:
                return list(result)
            finally:
                getattr(result, "close", lambda: None)()

        return contextvars.copy_context().run(call)

    return wsgi


def _served_document() -> dict:
    """The document as the API serves it; reading it needs no database."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret-key", "SERVER_NAME": "pedt.test", "TRUSTED_HOSTS": ["pedt.test"]}
    )
    return app.test_client().get(OPENAPI_PATH).get_json()


schema = schemathesis.openapi.from_dict(_served_document())


@pytest.fixture
def staff_headers():
    """A consultation with a pending proposal and a comment; a token for an admin, who may do everything
    (moderation and committee), so that generated requests reach the code behind each check."""
    consultation = make_consultation(slug="ecole")
    author = make_participant(platform_uid="1")
    propose_action(author, consultation.orientations[0], "Une ludothèque", "Le samedi")
    add_comment(author, consultation.orientations[0].actions[0], "Bonne idée")
    make_moderator(consultation)
    _token, secret = issue_token("Schemathesis", owner=make_participant(role=Role.ADMIN))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_and_every_answer_follows_the_document(app, case, staff_headers):
    if case.path.endswith("/summaries") and case.method == "POST":
        pytest.skip("queues a build for the worker; covered with a real worker in test_api_writes")
    case.call_and_validate(
        app=_in_own_context(app),
        headers=staff_headers,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
