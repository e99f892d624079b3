"""Retention of personal data after consultations close."""

from celery import shared_task
from flask import current_app

from pedt_participation.extensions import db
from pedt_participation.models import utcnow
from pedt_participation.privacy.services import (
    erase_accounts_past_retention,
    erase_accounts_without_parental_consent,
    forget_registration_networks,
)


@shared_task(name="pedt.privacy.erase_past_retention", acks_late=True)
def erase_past_retention() -> list[int]:
    """Run by beat every day: accounts whose consultations all closed more than
    RETENTION_DAYS_AFTER_CLOSING days ago are anonymised, and the networks accounts were created from are
    forgotten after REGISTRATION_NETWORK_DAYS. Idempotent."""
    now = utcnow()
    forget_registration_networks(now)
    erased = erase_accounts_past_retention(now, current_app.config["RETENTION_DAYS_AFTER_CLOSING"])
    db.session.commit()
    return erased


@shared_task(name="pedt.privacy.erase_without_parental_consent", acks_late=True)
def erase_without_parental_consent() -> list[int]:
    """Run by beat every hour: under-15s' accounts no parent consented to within PARENTAL_CONSENT_DAYS are erased
    with what they held. Idempotent."""
    erased = erase_accounts_without_parental_consent(utcnow(), current_app.config["PARENTAL_CONSENT_DAYS"])
    db.session.commit()
    return erased
