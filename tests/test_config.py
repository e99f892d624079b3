"""Settings: the embedded default needs nothing; production refuses an unsafe secret key and hashes passwords
with scrypt (the tests choose a cheap method)."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from pedt_participation import create_app
from pedt_participation.auth.services import hash_password


def test_embedded_default_is_sqlite_and_the_sqlalchemy_broker(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/pedt.sqlite3")
    assert app.config["CELERY"]["broker_url"].startswith("sqla+sqlite:///")
    assert app.extensions["celery"].conf.broker_url == app.config["CELERY"]["broker_url"]
    assert app.config["EMBEDDED_BROKER_POLLING_SECONDS"] == 1  # kombu's interval (the tests' worker looks more often)
    assert app.config["DEMO_MODE"]  # `make run` on a fresh machine creates the demo accounts


def test_environment_switches_to_production_services(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app@db.example/pedt")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://cache.example:6379/0")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-key")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.example/pedt"
    assert app.extensions["celery"].conf.broker_url == "redis://cache.example:6379/0"
    assert not app.config["DEMO_MODE"]
    monkeypatch.setenv("DEMO_MODE", "1")  # a public demo site on a server database
    assert create_app().config["DEMO_MODE"]


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("pedt_participation.config._instance_secret_key", lambda _path: None)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()
    assert create_app({"DEBUG": True}).config["SECRET_KEY"]


def test_production_hashes_passwords_with_scrypt(monkeypatch):
    """The tests' cheap method must never be what a deployment gets, by the environment or by create_app."""
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-key")
    for app in (create_app(), create_app({"TESTING": True})):
        with app.app_context():
            stored = hash_password("trois mots sans rapport")
        assert stored.startswith("scrypt:") and check_password_hash(stored, "trois mots sans rapport")


def test_the_hashing_method_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-key")
    with create_app().app_context():
        assert hash_password("trois mots sans rapport").startswith("pbkdf2:sha256:600000$")
