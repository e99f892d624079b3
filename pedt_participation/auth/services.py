"""Accounts: registration and password check. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_timedelta
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.security import check_password_hash, generate_password_hash

from ..deferred_tasks import send_after_commit
from ..errors import ParticipationRefused
from ..extensions import db, execute_counting_rows
from ..mail import send_email
from ..models import (
    AGE_BRACKETS_OF_AUDIENCE,
    ERASED_ACCOUNT_NAME,
    AgeBracket,
    Audience,
    Participant,
    Role,
    SignInLockout,
    SignInSession,
    comparable_name,
    utcnow,
)
from ..navigation import public_url


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _unused_hash(method: str) -> str:
    """Checked when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password: made with the
    method new passwords get, once per method."""
    return generate_password_hash("unused-password-for-constant-time", method=method)


MINIMUM_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _password_letters(password: str) -> str:
    """What is left of a password once case, spaces and punctuation are set aside: "Mot-de-passe" is
    "motdepasse", as easy to guess."""
    return re.sub(r"[\W_]+", "", password.casefold())


@cache
def _common_passwords() -> frozenset[str]:
    text = files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(_password_letters(line) for line in text.splitlines() if line and not line.startswith("#"))


def age_bracket_problem(audience: Audience, age_bracket: AgeBracket) -> str | None:
    """Why this age bracket does not go with this audience, in words the person can act on; None when it does.
    The summaries' disclosure control counts on every participant keeping to AGE_BRACKETS_OF_AUDIENCE."""
    if age_bracket in AGE_BRACKETS_OF_AUDIENCE[audience]:
        return None
    if audience == Audience.YOUTH:
        return _("Les jeunes qui participent ont entre 11 et 25 ans : choisissez votre tranche d’âge.")
    return _("Avant 18 ans, inscrivez-vous en tant que jeune.")


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, in words the person can act on; None when it will do. Length matters
    most (a few words in a row are long and easy to remember); the list stops the passwords tried first."""
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        return _(
            "Le mot de passe doit contenir au moins %(n)s caractères. Astuce : quelques mots à la suite, "
            "faciles à retenir pour vous, suffisent.",
            n=MINIMUM_PASSWORD_LENGTH,
        )
    letters = _password_letters(password)
    if letters in _common_passwords() or len(set(letters)) < 3 or letters == _password_letters(email):
        return _(
            "Ce mot de passe est trop facile à deviner (il est très courant ou reprend votre e-mail). "
            "Choisissez-en un autre, par exemple quelques mots à la suite."
        )
    return None


# Invisible characters (zero-width spaces and joiners, the marks and overrides that change the direction of
# writing, other control and format characters) and characters no font shows: a name must read as it is stored.
_HIDDEN_CHARACTER_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Parts of a name that would make a participant look like the town's team, compared as `comparable_name` keys
# (so "Équipe de MODÉRATION", "modérateur" or "Ｍａｉｒｉｅ" are caught). Staff accounts, named by the
# administration, may carry them.
RESERVED_NAME_PARTS = (
    "moderat", "admin", "mairie", "comite", "committee", "equipedelaville", comparable_name(ERASED_ACCOUNT_NAME),
)


def display_name_problem(name: str, role: Role = Role.PARTICIPANT) -> str | None:
    """What is wrong with a new display name, in words the person can act on; None when it will do. A name
    must show what it is, must not pass for the town's team, and must not copy someone else's."""
    name = name.strip()
    if any(unicodedata.category(character) in _HIDDEN_CHARACTER_CATEGORIES for character in name):
        return _(
            "Ce nom contient un caractère invisible ou qui change le sens de l’écriture. Tapez-le de nouveau, "
            "avec des lettres, des chiffres et des espaces."
        )
    key = comparable_name(name)
    if not key:
        return _("Le nom affiché doit contenir au moins une lettre ou un chiffre.")
    if role == Role.PARTICIPANT and any(part in key for part in RESERVED_NAME_PARTS):
        return _(
            "Ce nom est réservé à l’équipe de la ville (modération, comité, administration, mairie). "
            "Choisissez un prénom ou un pseudonyme."
        )
    if db.session.scalar(select(Participant.id).where(Participant.display_name_key == key).limit(1)) is not None:
        return _(
            "Une autre personne a déjà ce nom. Ajoutez par exemple l’initiale de votre nom de famille, ou votre "
            "quartier."
        )
    return None


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
    role: Role = Role.PARTICIPANT,
    platform_uid: str | None = None,
    email_confirmed: bool = False,
    registration_network: str | None = None,
) -> Participant:
    """`password` is None for someone who signs in through the host platform only. The host platform vouches
    for its accounts' e-mail; others confirm theirs by a link (`request_email_confirmation`), and an under-15's
    parent consents by another (`request_parental_consent`): until then, votes are held. `registration_network` is the keyed network the account is created from
    (`moderation.duplicates.network_key`)."""
    email = normalise_email(email)
    if db.session.scalar(select(Participant.id).where(Participant.email == email)) is not None:
        raise ParticipationRefused(
            _("Un compte existe déjà avec cette adresse e-mail. Connectez-vous, ou utilisez une autre adresse.")
        )
    problem = display_name_problem(display_name, role)
    if problem is not None:
        raise ParticipationRefused(problem, field="display_name")
    problem = age_bracket_problem(audience, age_bracket)
    if problem is not None:
        raise ParticipationRefused(problem, field="age_bracket")
    if age_bracket.needs_parental_consent and not parent_email:
        raise ParticipationRefused(
            _("Avant 15 ans, il faut l’e-mail d’un parent, qui recevra un lien pour donner son accord.")
        )
    participant = Participant(
        email=email,
        password_hash=hash_password(password) if password else None,
        platform_uid=platform_uid,
        display_name=display_name.strip(),
        audience=audience,
        age_bracket=age_bracket,
        neighbourhood=(neighbourhood or "").strip() or None,
        school=(school or "").strip() or None,
        parent_email=normalise_email(parent_email) if parent_email else None,
        role=role,
        email_confirmed_at=utcnow() if email_confirmed or platform_uid is not None else None,
        registration_network=registration_network,
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def participant_with_email(email: str) -> Participant | None:
    return db.session.scalar(select(Participant).where(Participant.email == normalise_email(email)))


class AccountLocked(Exception):
    """Too many wrong passwords: unlike a refusal, what led to it (the lock) is kept, so the caller commits."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def authenticate(email: str, password: str) -> Participant | None:
    """The account with this e-mail and password, or None. Too many wrong passwords in a row lock the account
    for a while (AccountLocked saying how long; the caller commits the count either way), so that a
    password cannot be found by trying; the count is in the database, so every web process sees it. Sign-in
    through the platform never comes here, so it never locks."""
    participant = participant_with_email(email)
    if participant is None or participant.password_hash is None:
        check_password_hash(_unused_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    lockout = db.session.get(SignInLockout, participant.id)
    now = utcnow()
    if lockout is not None and lockout.locked_until is not None and lockout.locked_until > now:
        raise AccountLocked(_locked_message(lockout.locked_until - now))
    if check_password_hash(participant.password_hash, password):
        if lockout is not None:
            db.session.delete(lockout)
            db.session.flush()
        return participant
    lockout = lockout or SignInLockout(participant_id=participant.id, failed_attempts=0)
    lockout.failed_attempts += 1
    lockout.locked_until = None
    db.session.add(lockout)
    if lockout.failed_attempts >= current_app.config["SIGN_IN_MAX_FAILURES"]:
        lockout.failed_attempts = 0
        lockout.locked_until = now + timedelta(minutes=current_app.config["SIGN_IN_LOCKOUT_MINUTES"])
        db.session.flush()
        raise AccountLocked(_locked_message(lockout.locked_until - now))
    db.session.flush()
    return None


def _locked_message(remaining: timedelta) -> str:
    return _(
        "Trop de mots de passe erronés ont été essayés pour ce compte : pour le protéger, la connexion est "
        "bloquée pendant encore %(wait)s. Réessayez ensuite avec le bon mot de passe. Si vous l’avez oublié, "
        "choisissez « Mot de passe oublié ? » sous le formulaire : le lien reçu par e-mail débloque aussi le compte.",
        wait=format_timedelta(max(remaining, timedelta(minutes=1)), threshold=1.5, add_direction=False),
    )


# --- sign-in sessions -------------------------------------------------------------------------------------

# A session's last activity is written at most this often: enough for an idle limit counted in minutes, without a
# write on every request.
SESSION_ACTIVITY_STEP = timedelta(minutes=1)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_sign_in_session(participant: Participant, remember: bool) -> str:
    """A new sign-in session for one browser; returns the secret key its cookies carry (only its hash is kept)."""
    key = secrets.token_urlsafe(32)
    db.session.add(SignInSession(participant_id=participant.id, key_hash=_key_hash(key), remember=remember))
    db.session.flush()
    return key


def _lifetimes(remember: bool) -> tuple[timedelta, timedelta]:
    """How long a session may stay unused, and how long it may last in all: short for a browser that may be a
    shared one (a school, a social centre), the "stay signed in" lifetime when the person asked for it."""
    config = current_app.config
    if remember:
        remembered = timedelta(days=config["REMEMBER_ME_DAYS"])
        return remembered, remembered
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(hours=config["SESSION_MAX_HOURS"])


def participant_signed_in(participant_id: int, key: str) -> tuple[Participant | None, bool]:
    """The participant whose open sign-in session has this key, and whether this wrote anything (the session's
    activity, or its end once past a lifetime). One query for both rows, as it runs on every signed-in request."""
    found = db.session.execute(
        select(SignInSession, Participant)
        .join(Participant, Participant.id == SignInSession.participant_id)
        .where(SignInSession.key_hash == _key_hash(key), SignInSession.participant_id == participant_id)
    ).first()
    if found is None:
        return None, False
    sign_in, participant = found
    now = utcnow()
    longest_idle, longest = _lifetimes(sign_in.remember)
    if now - sign_in.last_seen_at > longest_idle or now - sign_in.created_at > longest:
        db.session.delete(sign_in)
        db.session.flush()
        return None, True
    if now - sign_in.last_seen_at < SESSION_ACTIVITY_STEP:
        return participant, False
    sign_in.last_seen_at = now
    db.session.flush()
    return participant, True


def end_sign_in_session(key: str) -> None:
    db.session.execute(delete(SignInSession).where(SignInSession.key_hash == _key_hash(key)))
    db.session.flush()


def end_every_sign_in_session(participant: Participant) -> None:
    """Signs the person out on every device: after a new password, a change of role, or at their request."""
    db.session.execute(delete(SignInSession).where(SignInSession.participant_id == participant.id))
    db.session.flush()


def forget_expired_sign_in_sessions() -> int:
    """Deletes the sessions past their lifetimes that nobody came back to end; returns how many."""
    now = utcnow()
    ended = 0
    for remember in (False, True):
        longest_idle, longest = _lifetimes(remember)
        ended += execute_counting_rows(
            delete(SignInSession).where(
                SignInSession.remember.is_(remember),
                (SignInSession.last_seen_at < now - longest_idle) | (SignInSession.created_at < now - longest),
            )
        )
    return ended


# --- forgotten password ----------------------------------------------------------------------------------


def _reset_links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pedt-password-reset")


def request_password_reset(email: str, language: str) -> None:
    """E-mails a link to choose a new password, in the language the person was reading, to the account with
    this address if there is one. The page says the same either way. An account that signs in only through
    the host platform may set a password here too: owning the mailbox is the proof in both cases."""
    participant = participant_with_email(email)
    if participant is not None and participant.is_active:
        send_after_commit("pedt.auth.send_password_reset", participant.id, language)


def email_password_reset(participant_id: int, language: str) -> bool:
    """Run by the worker: the link is made now, from the password as it is now."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or not participant.is_active:
        return False
    link = reset_link(participant)
    minutes = current_app.config["PASSWORD_RESET_LINK_MINUTES"]
    with force_locale(language):
        send_email(
            participant.email,
            _("Consultation éducative : choisir un nouveau mot de passe"),
            "\n\n".join(
                (
                    _("Bonjour %(name)s,", name=participant.display_name),
                    _("Pour choisir un nouveau mot de passe, ouvrez ce lien (il sert une seule fois, pendant %(minutes)s minutes) :", minutes=minutes),
                    link,
                    _("Si vous n’avez rien demandé, ne faites rien : votre mot de passe actuel reste valable."),
                )
            ),
        )
    return True


def reset_link(participant: Participant) -> str:
    return public_url("auth.open_reset_link", token=_reset_links().dumps([participant.id, participant.password_seal]))


def open_reset_link(token: str) -> Participant | None:
    """The account a reset link was made for, while the link is fresh, unused and its password unchanged. A link
    opens once: the opening is recorded, and links made before it are refused from then on."""
    try:
        (participant_id, seal), made_at = _reset_links().loads(
            token, max_age=current_app.config["PASSWORD_RESET_LINK_MINUTES"] * 60, return_timestamp=True
        )
    except (BadData, TypeError, ValueError):
        return None
    participant = _participant_with_seal(participant_id, seal)
    opened_at = participant.password_reset_opened_at if participant is not None else None
    if participant is None or (opened_at is not None and made_at <= opened_at):
        return None
    participant.password_reset_opened_at = utcnow()
    db.session.flush()
    return participant


def participant_for_reset_form(participant_id: Any, seal: Any, opened_at: Any) -> Participant | None:
    """The account whose reset link this browser opened (the session keeps the three values), while the form is
    fresh (PASSWORD_RESET_FORM_MINUTES) and no later opening or new password has replaced it."""
    participant = _participant_with_seal(participant_id, seal)
    if participant is None or participant.password_reset_opened_at is None:
        return None
    opened = participant.password_reset_opened_at
    still_fresh = utcnow() - opened < timedelta(minutes=current_app.config["PASSWORD_RESET_FORM_MINUTES"])
    return participant if opened.isoformat() == opened_at and still_fresh else None


def _participant_with_seal(participant_id: Any, seal: Any) -> Participant | None:
    participant = db.session.get(Participant, participant_id) if isinstance(participant_id, int) else None
    if participant is None or not participant.is_active or participant.password_seal != seal:
        return None
    return participant


def set_new_password(participant: Participant, password: str) -> None:
    """Also lifts a lockout: whoever reads the account's mailbox is its owner. Every device is signed out."""
    participant.password_hash = hash_password(password)
    lockout = db.session.get(SignInLockout, participant.id)
    if lockout is not None:
        db.session.delete(lockout)
    end_every_sign_in_session(participant)


# --- confirming the e-mail, and a parent's consent before 15 ---------------------------------------------
# Both links are signed and expire (itsdangerous, as the reset links); each carries the address it was sent to,
# and works once: once the e-mail is confirmed, or the parent has answered, it is refused.


def _confirmation_links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pedt-email-confirmation")


def _consent_links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pedt-parental-consent")


def confirmation_link(participant: Participant) -> str:
    return public_url("auth.confirm_email", token=_confirmation_links().dumps([participant.id, participant.email]))


def consent_link(participant: Participant) -> str:
    return public_url(
        "auth.parental_consent", token=_consent_links().dumps([participant.id, participant.parent_email])
    )


def awaits_parental_consent(participant: Participant) -> bool:
    return participant.age_bracket.needs_parental_consent and participant.parental_consent_at is None


def request_links(participant: Participant, language: str) -> None:
    """E-mails the links this account still waits for: its own confirmation, its parent's consent. At
    registration, and when the person asks for them again."""
    if participant.email_confirmed_at is None:
        send_after_commit("pedt.auth.send_email_confirmation", participant.id, language)
    if awaits_parental_consent(participant):
        send_after_commit("pedt.auth.send_parental_consent_request", participant.id, language)


def email_confirmation(participant_id: int, language: str) -> bool:
    """Run by the worker; nothing is sent once the address is confirmed."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or not participant.is_active or participant.email_confirmed_at is not None:
        return False
    days = current_app.config["EMAIL_CONFIRMATION_LINK_DAYS"]
    with force_locale(language):
        send_email(
            participant.email,
            _("Consultation éducative : confirmez votre adresse e-mail"),
            "\n\n".join(
                (
                    _("Bonjour %(name)s,", name=participant.display_name),
                    _("Pour que vos votes comptent, confirmez votre adresse en ouvrant ce lien (il sert une seule "
                      "fois, pendant %(days)s jours) :", days=days),
                    confirmation_link(participant),
                    _("Vos votes sont déjà enregistrés : ils compteront dès que le lien sera ouvert."),
                    _("Si vous n’avez pas créé de compte, ne faites rien : sans confirmation, ce compte ne compte pas."),
                )
            ),
        )
    return True


def email_parental_consent_request(participant_id: int, language: str) -> bool:
    """Run by the worker: the parent reads what the account does on the page the link opens."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or not participant.is_active or not awaits_parental_consent(participant):
        return False
    days = current_app.config["PARENTAL_CONSENT_DAYS"]
    with force_locale(language):
        send_email(
            participant.parent_email,
            _("Consultation éducative : votre enfant demande votre accord"),
            "\n\n".join(
                (
                    _("Bonjour,"),
                    _("Une personne de moins de 15 ans a créé un compte sur la consultation éducative de la ville "
                      "sous le nom « %(name)s », et a donné votre adresse comme celle d’un parent ou responsable "
                      "légal.", name=participant.display_name),
                    _("Avant 15 ans, la loi demande votre accord. Ce lien explique ce que fait le compte et vous "
                      "laisse accepter ou refuser (il sert une seule fois, pendant %(days)s jours) :", days=days),
                    consent_link(participant),
                    _("Sans réponse dans %(days)s jours, le compte et tout ce qu’il contient sont supprimés.",
                      days=days),
                )
            ),
        )
    return True


def _participant_for_link(
    serializer: URLSafeTimedSerializer, token: str, max_age: timedelta, address: InstrumentedAttribute[str | None]
) -> Participant:
    """The account a link was made for, while the link is fresh and the address it was sent to unchanged."""
    try:
        participant_id, sent_to = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise ParticipationRefused(
            _("Ce lien a expiré. Connectez-vous, puis choisissez « Renvoyer le lien » pour en recevoir un nouveau.")
        ) from None
    except (BadData, TypeError, ValueError):
        raise ParticipationRefused(
            _("Ce lien n’est pas valable : il a peut-être été coupé ou modifié en le copiant. Copiez-le en entier "
              "depuis l’e-mail, ou demandez-en un nouveau avec « Renvoyer le lien » une fois connecté.")
        ) from None
    participant = db.session.get(Participant, participant_id) if isinstance(participant_id, int) else None
    if participant is None or not participant.is_active or getattr(participant, address.key) != sent_to:
        raise ParticipationRefused(
            _("Ce lien ne correspond plus à aucun compte : le compte a été supprimé, ou son adresse a changé.")
        )
    return participant


def confirm_email(token: str) -> Participant:
    """Releases the person's held votes: they count from now on."""
    participant = _participant_for_link(
        _confirmation_links(), token, timedelta(days=current_app.config["EMAIL_CONFIRMATION_LINK_DAYS"]),
        Participant.email,
    )
    if participant.email_confirmed_at is not None:
        raise ParticipationRefused(_("Ce lien a déjà servi : votre adresse e-mail est confirmée."))
    participant.email_confirmed_at = utcnow()
    db.session.flush()
    return participant


def child_awaiting_consent(token: str) -> Participant:
    """The under-15 whose parent this link asks, until the parent answers."""
    participant = _participant_for_link(
        _consent_links(), token, timedelta(days=current_app.config["PARENTAL_CONSENT_DAYS"]), Participant.parent_email
    )
    if not awaits_parental_consent(participant):
        raise ParticipationRefused(_("Ce lien a déjà servi : vous avez donné votre accord pour ce compte."))
    return participant


def give_parental_consent(participant: Participant) -> None:
    """What the child voted and wrote is counted and shown from now on."""
    participant.parental_consent_at = utcnow()
    db.session.flush()


@dataclass(frozen=True)
class PlatformIdentity:
    """Who the host platform says signed in (Decidim's /oauth/me profile, or OpenID Connect claims), kept in
    the session until the person is linked to a local participant."""

    uid: str
    email: str | None
    name: str | None
    # An e-mail the provider gave without having verified it: offered in the form, never used to find an account.
    unverified_email: str | None = None

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
    # The platform gave this address as verified: it vouches for the mailbox, as the link would.
    participant.email_confirmed_at = participant.email_confirmed_at or utcnow()
    db.session.flush()
