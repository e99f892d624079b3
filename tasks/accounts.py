"""E-mails about a person's own account."""

from celery import shared_task

from pedt_participation.auth.services import (
    email_confirmation,
    email_parental_consent_request,
    email_password_reset,
    forget_expired_sign_in_sessions,
)
from pedt_participation.extensions import db
from tasks.notifications import SMTP_RETRIES


@shared_task(name="pedt.auth.send_password_reset", **SMTP_RETRIES)
def send_password_reset(participant_id: int, language: str) -> bool:
    return email_password_reset(participant_id, language)


@shared_task(name="pedt.auth.send_email_confirmation", **SMTP_RETRIES)
def send_email_confirmation(participant_id: int, language: str) -> bool:
    return email_confirmation(participant_id, language)


@shared_task(name="pedt.auth.send_parental_consent_request", **SMTP_RETRIES)
def send_parental_consent_request(participant_id: int, language: str) -> bool:
    return email_parental_consent_request(participant_id, language)


@shared_task(name="pedt.auth.forget_expired_sign_ins")
def forget_expired_sign_ins() -> int:
    ended = forget_expired_sign_in_sessions()
    db.session.commit()
    return ended
