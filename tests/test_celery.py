"""A task makes the round trip through a real worker process and the run's real broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from pedt_participation.consultations.services import close_ended_consultations
from pedt_participation.extensions import db
from pedt_participation.models import Consultation, ConsultationStatus, utcnow
from tasks.consultations import close_ended
from tests.helpers import make_consultation


@pytest.fixture
def worker(app, database_url, celery_settings, tmp_path):
    """`celery worker` as `make run` starts it, pointed at the test database and broker."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": celery_settings["broker_url"],
        "CELERY_RESULT_BACKEND": celery_settings["result_backend"],
        "SECRET_KEY": "test-secret-key",
    }
    log = tmp_path / "worker.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tasks.celery_app:celery_app", "worker",
             "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker did not start:\n" + log.read_text()
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        print(log.read_text())


def test_close_ended_runs_in_a_real_worker(worker):
    ended = make_consultation(slug="terminee", voting="past", proposals="past")
    still_open = make_consultation(slug="ouverte")

    result = close_ended.delay()

    assert result.get(timeout=90) == [ended.id]
    db.session.expire_all()
    assert db.session.get(Consultation, ended.id).status == ConsultationStatus.CLOSED
    assert db.session.get(Consultation, still_open.id).status == ConsultationStatus.PUBLISHED
    # Idempotent: a second run finds nothing more to close.
    assert close_ended.delay().get(timeout=90) == []


def test_close_ended_waits_for_the_proposal_phase_too(app):
    consultation = make_consultation(voting="past")
    assert close_ended_consultations() == []
    consultation.proposals_close_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert close_ended_consultations() == [consultation.id]
