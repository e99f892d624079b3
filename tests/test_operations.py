"""Probes: /healthz says the process answers; /readyz checks the database and the broker, and says which failed."""

from __future__ import annotations

import time

from tests.conftest import make_test_app
from tests.processes import free_port


def test_healthz_answers_without_sign_in_or_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": True, "broker": True}


def test_readyz_names_the_broker_when_it_is_down(app, database_url, monkeypatch):
    # Celery lets CELERY_BROKER_URL (set by the Postgres + Redis run) win over the app's settings.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    closed_port = free_port()
    broken = make_test_app(database_url, {"broker_url": f"amqp://guest:guest@127.0.0.1:{closed_port}//"})
    started = time.monotonic()
    response = broken.test_client().get("/readyz")
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["broker"] and body["checks"]["database"] is True


def test_readyz_names_the_database_when_it_is_down(app, celery_settings, tmp_path):
    broken = make_test_app(f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}", celery_settings)
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["failed"] == ["database"]
