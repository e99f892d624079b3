"""Periodic housekeeping of consultations."""

from celery import shared_task

from pedt_participation.consultations.services import close_ended_consultations
from pedt_participation.extensions import db


@shared_task(name="pedt.consultations.close_ended", acks_late=True)
def close_ended() -> list[int]:
    """Run by beat every minute: consultations whose voting has ended become *closed*. Idempotent."""
    closed = close_ended_consultations()
    db.session.commit()
    return closed
