"""Webhooks: each delivery POSTed by the worker, tried again with a growing delay."""

from celery import shared_task

from pedt_participation.extensions import db
from pedt_participation.webhooks import services


@shared_task(bind=True, name="pedt.webhooks.deliver", acks_late=True, max_retries=None)
def deliver(self, delivery_id: int) -> str:
    """Idempotent: a delivery not due (settled, or held by another attempt) is left alone. The
    number of tries is counted on the row (WEBHOOK_MAX_ATTEMPTS), not by Celery."""
    delivery = services.claim_delivery(delivery_id)
    db.session.commit()
    if delivery is None:
        return "nothing to do"
    retry_in = services.attempt_delivery(delivery)
    status = delivery.status.value
    db.session.commit()
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    return status


@shared_task(name="pedt.webhooks.resend_due", acks_late=True)
def resend_due() -> list[int]:
    """Run by beat every minute."""
    due = services.resend_due()
    db.session.commit()
    return due
