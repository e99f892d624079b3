"""Test fixtures. The suite runs on SQLite by default and on Postgres (+ Redis broker) when
TEST_DATABASE_URL / CELERY_BROKER_URL are set — always against a real database, never a mock."""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from flask.globals import _cv_app
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from pedt_participation import create_app
from pedt_participation.api.openapi import OPENAPI_PATH
from pedt_participation.extensions import db
from tests.processes import free_port


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def celery_settings(tmp_path_factory) -> dict:
    """The real broker of the run: Redis (or RabbitMQ) when CELERY_BROKER_URL is set, else the embedded
    SQLite broker, exactly as `make run` uses it."""
    folder = tmp_path_factory.mktemp("celery")
    return {
        "broker_url": os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{folder / 'broker.sqlite3'}",
        "result_backend": os.environ.get("CELERY_RESULT_BACKEND") or f"db+sqlite:///{folder / 'results.sqlite3'}",
    }


API_PREFIX = "/api/v1/"
DOCS_PREFIX = "/api/v1/docs/"


class IsolatedRequestsClient(FlaskClient):
    """Each request runs in its own application context — its own `g`, current user and database
    session, as in production — even though the test itself holds one open. Afterwards the test's
    session is expired, so assertions read what the request stored."""

    def open(self, *args, **kwargs):
        # A streamed body is read inside the request's context too, as a WSGI server would.
        kwargs.setdefault("buffered", True)
        response = contextvars.copy_context().run(self._open_in_fresh_context, *args, **kwargs)
        db.session.expire_all()
        if response.request.path.startswith(API_PREFIX) and response.request.path != OPENAPI_PATH:
            self._assert_follows_openapi(response)
        return response

    def _assert_follows_openapi(self, response) -> None:
        """Every API answer in every test is checked against the OpenAPI document the API serves."""
        openapi = self.application.extensions.get("test_openapi")
        if openapi is None:
            document = contextvars.copy_context().run(self._open_in_fresh_context, OPENAPI_PATH).get_json()
            openapi = self.application.extensions["test_openapi"] = OpenAPI.from_dict(document)
        if response.request.path.startswith(DOCS_PREFIX):
            return
        sent = response.request  # its body was read by the app: validate against a copy without one
        request = EnvironBuilder(
            path=sent.path, base_url=sent.host_url, method=sent.method, query_string=sent.query_string.decode(),
            headers={"Content-Type": "application/json"} if sent.content_type else None,
        ).get_request()
        openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))

    def _open_in_fresh_context(self, *args, **kwargs):
        _cv_app.set(None)
        return super().open(*args, **kwargs)


def make_test_app(database_url: str, celery_settings: dict, **settings):
    """An app on the test database and broker; `settings` add to (or override) the test configuration."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            # Many tests post the same form fast from one address; the rate-limit tests turn the limits on.
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "pedt.test",
            "CELERY": celery_settings,
            **settings,
        }
    )
    app.test_client_class = IsolatedRequestsClient
    return app


@pytest.fixture(scope="session")
def app(database_url, celery_settings):
    app = make_test_app(database_url, celery_settings)
    with app.app_context():
        _reset_schema()
        upgrade()
    yield app


def _reset_schema() -> None:
    """Start from an empty database even if an earlier run was interrupted."""
    inspector = inspect(db.engine)
    if "alembic_version" in inspector.get_table_names():
        downgrade(revision="base")
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Each test starts with empty tables; the schema (from the migrations) is kept."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def start_worker(app, database_url, celery_settings, tmp_path):
    """Starts `celery worker` as `make run` does, pointed at the test database and broker, with
    extra environment (e.g. the SMTP server); stops it at the end of the test and prints its log."""
    processes = []
    # Messages left by earlier tests that queued work without a worker would be taken first, and ids are
    # reused once tables are emptied: the worker must see only what this test sends.
    app.extensions["celery"].control.purge()

    def start(**extra_env: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": celery_settings["broker_url"],
            "CELERY_RESULT_BACKEND": celery_settings["result_backend"],
            "SECRET_KEY": "test-secret-key",
            **extra_env,
        }
        log = tmp_path / f"worker-{len(processes)}.log"
        with open(log, "w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tasks.celery_app:celery_app", "worker",
                 "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        processes.append((process, log))
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker did not start:\n" + log.read_text()
            time.sleep(0.2)
        return process

    yield start
    for process, log in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        print(log.read_text())


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback, keeping what it receives: (port, inbox)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()
