"""Accounts: registration and password check. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

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
    password: str | None,
    display_name: str,
    audience: Audience,
    age_bracket: AgeBracket,
    neighbourhood: str | None = None,
    school: str | None = None,
    parent_email: str | None = None,
    parental_consent: bool = False,
    role: Role = Role.PARTICIPANT,
    platform_uid: str | None = None,
) -> Participant:
    """`password` is None for someone who signs in through the host platform only."""
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
        password_hash=generate_password_hash(password) if password else None,
        platform_uid=platform_uid,
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


@dataclass(frozen=True)
class PlatformIdentity:
    """Who the host platform says signed in (its /oauth/me profile), kept in the session until the
    person is linked to a local participant."""

    uid: str
    email: str | None
    name: str | None

    @classmethod
    def from_profile(cls, profile: dict[str, Any]) -> PlatformIdentity:
        if not profile.get("id"):
            raise ValueError("the platform profile has no id")
        email = profile.get("email")
        name = (profile.get("name") or profile.get("nickname") or "").strip()
        return cls(uid=str(profile["id"]), email=normalise_email(email) if email else None, name=name[:80] or None)

    def as_session(self) -> dict[str, Any]:
        return asdict(self)


def participant_for_platform(platform_uid: str) -> Participant | None:
    return db.session.scalar(select(Participant).where(Participant.platform_uid == platform_uid))


def local_account_for(identity: PlatformIdentity) -> Participant | None:
    """A local account with the platform's e-mail, not yet linked: it must be claimed with its password,
    never linked on the e-mail alone."""
    if identity.email is None:
        return None
    return db.session.scalar(
        select(Participant).where(Participant.email == identity.email, Participant.platform_uid.is_(None))
    )


def link_platform_identity(participant: Participant, identity: PlatformIdentity, password: str) -> None:
    if participant.password_hash is None or not check_password_hash(participant.password_hash, password):
        raise ParticipationRefused(_("Ce mot de passe n’est pas celui de ce compte. Vérifiez-le et réessayez."))
    participant.platform_uid = identity.uid
    db.session.flush()
