"""E-mail copies of notifications."""

import smtplib

from celery import shared_task

from pedt_participation.extensions import db
from pedt_participation.notifications.services import email_notification

# Every task that sends e-mail: an SMTP server that is down or refuses is tried again, later and later.
SMTP_RETRIES = {
    "acks_late": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": True,
    "max_retries": 6,
}


@shared_task(name="pedt.notifications.send_email", **SMTP_RETRIES)
def send_email(notification_id: int) -> bool:
    """Idempotent: a notification already e-mailed is not sent again."""
    sent = email_notification(notification_id)
    db.session.commit()
    return sent
