"""Who an API request acts for: a token's owner, the platform user a platform token names, or the person
signed in on this site. Resolved once per request: a token's owner as the facts the rules read (`ActorFacts`),
the account itself only for the views that show or change it (`require_participant`)."""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort

from ..auth.services import participant_for_platform
from ..authorization import require_platform_may_act_for
from ..extensions import csrf, db
from ..models import Participant, Person
from . import services

PLATFORM_USER_HEADER = "X-Platform-User"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What the OpenAPI document says each kind of endpoint accepts.
PARTICIPANT_SECURITY = [{"token": []}, {"token": [], "platformUser": []}, {"session": []}]


def check_actor() -> None:
    """Before every API view: a token sent is checked even where reading is public (a revoked or blocked
    one is refused everywhere), and a write says who must sign in before its body is looked at."""
    current_actor()
    if request.method not in SAFE_METHODS:
        require_actor()


def current_actor() -> Person | None:
    if "api_actor" not in g:
        g.api_actor = _resolve_actor()
    return g.api_actor


def require_actor() -> Person:
    """Who acts, as the rules read them: enough to vote, or to be checked by `authorization.can`."""
    actor = current_actor()
    if actor is None:
        abort(
            401,
            code="authentication_required",
            message=_(
                "Il faut être connecté pour cela : connectez-vous sur le site, ou envoyez un jeton d’API "
                "(en-tête Authorization: Bearer …)."
            ),
        )
    return actor


def require_participant() -> Participant:
    """The account that acts, for the views that show it or write it down (as an author, a moderator…)."""
    actor = require_actor()
    if isinstance(actor, Participant):
        return actor
    return db.session.get_one(Participant, actor.id)


def _resolve_actor() -> Person | None:
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return _token_actor(authorization)
    if current_user.is_authenticated:
        # A session is a browser's: its writes must prove they come from one of our pages.
        if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        return current_user._get_current_object()
    return None


def _token_actor(authorization: str) -> Person | None:
    scheme, _separator, secret = authorization.partition(" ")
    token = services.authenticate_token(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else None
    if token is None:
        abort(
            401,
            code="invalid_token",
            message=_("Ce jeton d’API n’est pas valable (inconnu ou révoqué). Demandez-en un nouveau à l’administration."),
        )
    # The rate limits count a personal token as its owner, the platform's token as one caller.
    g.api_token = token
    if token.owner is not None:
        return _active(token.owner)
    platform_uid = request.headers.get(PLATFORM_USER_HEADER, "").strip()
    if not platform_uid:
        return None
    participant = participant_for_platform(platform_uid)
    if participant is None:
        abort(
            403,
            code="platform_user_unknown",
            message=_(
                "Cette personne ne s’est encore jamais connectée à la consultation. Elle doit s’y connecter une "
                "première fois avec son compte de la plateforme, pour indiquer son profil."
            ),
        )
    return _active(require_platform_may_act_for(participant))


def _active(participant: Person) -> Person:
    if not participant.is_active:
        abort(403, code="account_blocked", message=_("Ce compte est bloqué par la modération."))
    return participant
