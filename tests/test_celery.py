"""A task makes the round trip through a real worker process and the run's real broker."""

from __future__ import annotations

from datetime import timedelta

from pedt_participation.consultations.services import close_ended_consultations
from pedt_participation.extensions import db
from pedt_participation.models import Consultation, ConsultationStatus, utcnow
from tasks.consultations import close_ended
from tests.helpers import make_consultation


def test_close_ended_runs_in_a_real_worker(start_worker):
    start_worker()
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
