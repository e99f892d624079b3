"""Rate limits (Flask-Limiter), all in one place: how often one person may sign in, register, vote, comment,
report and propose, and how often one API token may call.

Keyed by account when the person is signed in, by network address otherwise. At a workshop many parents share
one school network (one address), so the only limits keyed by address are on the forms used before signing in
(sign-in, registration), and they are generous; an account's own guesses are stopped by the lockout in
`auth.services`, not here."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import Flask, current_app, request
from flask_babel import format_timedelta
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

# endpoint: (limits, methods limited). Reading a page is never limited, only sending its form.
FORM_LIMITS: dict[str, tuple[str, tuple[str, ...]]] = {
    # A class of parents signing in at once on one network, with typos: 60 tries in 5 minutes.
    "auth.login": ("60 per 5 minutes", ("POST",)),
    "auth.register": ("60 per hour", ("POST",)),
    # Each request sends an e-mail: enough for a workshop's forgetful parents, not for flooding a mailbox.
    "auth.forgotten_password": ("20 per hour", ("POST",)),
    # Changing one's mind is normal: a person rarely votes on more than a few actions a minute.
    "voting.cast": ("60 per minute; 1000 per day", ("POST",)),
    "voting.withdraw": ("60 per minute; 1000 per day", ("POST",)),
    "comments.create": ("10 per minute; 100 per day", ("POST",)),
    "reports.report_action": ("10 per minute; 50 per day", ("POST",)),
    "reports.report_comment": ("10 per minute; 50 per day", ("POST",)),
    "consultations.propose": ("5 per minute; 30 per day", ("POST",)),
}
API_BLUEPRINTS = ("api", "api_participation", "api_moderation", "api_committee")
# A platform token speaks for all the platform's users at once, hence a high limit per token.
API_CALLS_PER_TOKEN = "600 per minute"
# Writes through the API, per person acted for (the platform user, the token's owner or the session).
API_WRITES = "60 per minute; 2000 per day"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def participant_or_address() -> str:
    if current_user.is_authenticated:
        return f"participant:{current_user.id}"
    return f"address:{get_remote_address()}"


def _bearer_token() -> str | None:
    scheme, _separator, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _token_key(secret: str) -> str:
    """The token's hash, never the secret itself, goes to the limits' storage (Redis in production)."""
    return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def api_caller() -> str:
    secret = _bearer_token()
    return _token_key(secret) if secret else participant_or_address()


def api_writer() -> str:
    """A platform token acts for the user in X-Platform-User: each of them has their own allowance."""
    secret = _bearer_token()
    if secret is None:
        return participant_or_address()
    return f"{_token_key(secret)}:user:{request.headers.get('X-Platform-User', '').strip()}"


def init_rate_limits(app: Flask) -> None:
    """One limiter per app (its on/off and storage are the app's), wrapping the registered views so that the
    views themselves stay unaware of the limits."""
    limiter = Limiter(key_func=participant_or_address, app=app)
    app.extensions["rate_limiter"] = limiter
    for endpoint, (limits, methods) in FORM_LIMITS.items():
        limited = limiter.limit(limits, methods=list(methods))
        app.view_functions[endpoint] = limited(app.view_functions[endpoint])
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.partition(".")[0] in API_BLUEPRINTS:
            view = limiter.limit(API_CALLS_PER_TOKEN, key_func=api_caller)(view)
            view = limiter.limit(API_WRITES, key_func=api_writer, methods=list(WRITE_METHODS))(view)
            app.view_functions[endpoint] = view


def wait_before_retrying() -> str:
    """How long until the limit that was hit lets the person in again, in words of their language."""
    limit = current_app.extensions["rate_limiter"].current_limit
    seconds = max(1, round(limit.reset_at - time.time())) if limit is not None else 60
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5, add_direction=False)
