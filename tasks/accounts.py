"""E-mails about a person's own account."""

from celery import shared_task

from pedt_participation.auth.services import email_password_reset
from tasks.notifications import SMTP_RETRIES


@shared_task(name="pedt.auth.send_password_reset", **SMTP_RETRIES)
def send_password_reset(participant_id: int, language: str) -> bool:
    return email_password_reset(participant_id, language)
