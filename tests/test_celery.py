"""A task makes the round trip through a real worker process and the run's real broker."""

from __future__ import annotations

from datetime import timedelta

from pedt_participation.extensions import db
from pedt_participation.management.lifecycle import advance_phases
from pedt_participation.models import Consultation, ConsultationStatus, utcnow
from tasks import consultations as consultation_tasks
from tests.helpers import make_consultation, task_result


def test_phases_advance_in_a_real_worker(start_worker):
    start_worker()
    ended = make_consultation(slug="terminee", voting="past", proposals="past")
    still_open = make_consultation(slug="ouverte")
    due = make_consultation(slug="prevue", status=ConsultationStatus.DRAFT, voting="future", proposals="future",
                            published_at=utcnow() - timedelta(minutes=1))
    later = make_consultation(slug="plus-tard", status=ConsultationStatus.DRAFT, voting="future", proposals="future",
                              published_at=utcnow() + timedelta(days=1))

    result = consultation_tasks.advance_phases.delay()

    assert task_result(result) == {"published": [due.id], "closed": [ended.id]}
    db.session.expire_all()
    assert db.session.get(Consultation, ended.id).status == ConsultationStatus.CLOSED
    assert db.session.get(Consultation, still_open.id).status == ConsultationStatus.PUBLISHED
    assert db.session.get(Consultation, due.id).status == ConsultationStatus.PUBLISHED
    assert db.session.get(Consultation, later.id).status == ConsultationStatus.DRAFT
    # Idempotent: a second run finds nothing more to move.
    assert task_result(consultation_tasks.advance_phases.delay()) == {"published": [], "closed": []}


def test_closing_waits_for_the_proposal_phase_too(app):
    consultation = make_consultation(voting="past")
    assert advance_phases()["closed"] == []
    consultation.proposals_close_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert advance_phases()["closed"] == [consultation.id]
