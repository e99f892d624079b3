"""Accounts: registration and password check. Services flush; the caller commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import ParticipationRefused
from ..extensions import db
from ..models import AgeBracket, Audience, Participant, Role, utcnow

# Checked when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_UNUSED_HASH = generate_password_hash("unused-password-for-constant-time")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register_participant(
    *,
    email: str,
    password: str,
    display_name: str,
    audience: Audience,
    age_bracket: AgeBracket,
    neighbourhood: str | None = None,
    school: str | None = None,
    parent_email: str | None = None,
    parental_consent: bool = False,
    role: Role = Role.PARTICIPANT,
) -> Participant:
    email = normalise_email(email)
    if db.session.scalar(select(Participant.id).where(Participant.email == email)) is not None:
        raise ParticipationRefused(
            _("Un compte existe déjà avec cette adresse e-mail. Connectez-vous, ou utilisez une autre adresse.")
        )
    needs_consent = age_bracket.needs_parental_consent
    if needs_consent and not (parent_email and parental_consent):
        raise ParticipationRefused(_("Avant 15 ans, il faut l’e-mail d’un parent et son accord."))
    participant = Participant(
        email=email,
        password_hash=generate_password_hash(password),
        display_name=display_name.strip(),
        audience=audience,
        age_bracket=age_bracket,
        neighbourhood=(neighbourhood or "").strip() or None,
        school=(school or "").strip() or None,
        parent_email=normalise_email(parent_email) if parent_email else None,
        parental_consent_at=utcnow() if needs_consent else None,
        role=role,
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def authenticate(email: str, password: str) -> Participant | None:
    participant = db.session.scalar(select(Participant).where(Participant.email == normalise_email(email)))
    if participant is None or participant.password_hash is None:
        check_password_hash(_UNUSED_HASH, password)
        return None
    return participant if check_password_hash(participant.password_hash, password) else None
