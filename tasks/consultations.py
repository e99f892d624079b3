"""Periodic housekeeping of consultations."""

from celery import shared_task

from pedt_participation.extensions import db
from pedt_participation.management import lifecycle


@shared_task(name="pedt.consultations.advance_phases", acks_late=True)
def advance_phases() -> dict[str, list[int]]:
    """Run by beat every minute: drafts are published and ended consultations closed on their dates. Idempotent."""
    moved = lifecycle.advance_phases()
    db.session.commit()
    return moved
