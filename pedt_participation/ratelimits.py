"""Rate limits (Flask-Limiter), all in one place: how often one person may sign in, register, vote, comment,
report and propose, and how often one API token may call.

Keyed by the person acting when there is one (whatever the door: page, session, personal or platform token), by
network address otherwise. At a workshop many parents share one school network (one address), so the only limits
keyed by address are on the forms used before signing in (sign-in, registration), and they are generous; an
account's own guesses are stopped by the lockout in `auth.services`, not here."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, g
from flask_babel import format_timedelta
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

# Forms used before signing in, limited per endpoint: (limits, methods limited). Reading a page is never
# limited, only sending its form.
FORM_LIMITS: dict[str, tuple[str, tuple[str, ...]]] = {
    # A class of parents signing in at once on one network, with typos: 60 tries in 5 minutes.
    "auth.login": ("60 per 5 minutes", ("POST",)),
    "auth.register": ("60 per hour", ("POST",)),
    # Each request sends an e-mail: enough for a workshop's forgetful parents, not for flooding a mailbox.
    "auth.forgotten_password": ("20 per hour", ("POST",)),
}
# What one person may do, whatever the door (a page, the API with their session, their personal token, or the
# platform's token acting for them): budget name: (limits, the endpoints that spend it). Every endpoint of a
# budget draws on one count per person.
PERSON_BUDGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    # Changing one's mind is normal: a person rarely votes on more than a few actions a minute.
    "votes": (
        "60 per minute; 1000 per day",
        (
            "voting.cast",
            "voting.withdraw",
            "api_participation.support",
            "api_participation.give_opinion",
            "api_participation.give_grade",
            "api_participation.withdraw_vote",
        ),
    ),
    "comments": ("10 per minute; 100 per day", ("comments.create", "api_participation.add_comment")),
    "reports": ("10 per minute; 50 per day", ("reports.report_action", "reports.report_comment")),
    "proposals": ("5 per minute; 30 per day", ("consultations.propose", "api_participation.propose_action")),
    # Each request e-mails the links the account waits for (to the person, and to a parent before 15).
    "links": ("3 per 10 minutes; 10 per day", ("auth.resend_links",)),
    # A person types the code on their slip, with a typo or two: not enough tries to guess someone else's.
    "participation codes": ("10 per minute; 30 per day", ("codes.enter",)),
}
API_BLUEPRINTS = ("api", "api_participation", "api_moderation", "api_committee")
# Calls to the API, all endpoints together: a platform token speaks for all the platform's users at once, hence
# a high limit per token; a personal token or a session counts as its person.
API_CALLS_PER_TOKEN = "600 per minute"
# Writes through the API, all endpoints together, per person acted for (the platform user, the token's owner or
# the session).
API_WRITES = "60 per minute; 2000 per day"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def person_or_address() -> str:
    """The person acting: the API's actor (resolved before the view: a token's owner, the platform user named,
    or the session), else the person signed in on the page; the network address of anyone else."""
    person = g.get("api_actor") or (current_user if current_user.is_authenticated else None)
    if person is not None:
        return f"participant:{person.id}"
    return f"address:{get_remote_address()}"


def api_caller() -> str:
    """The platform's token is counted as one caller; a personal token or a session is its person."""
    token = g.get("api_token")
    if token is not None and token.acts_for_platform_users:
        return f"token:{token.id}"
    return person_or_address()


def init_rate_limits(app: Flask) -> None:
    """One limiter per app (its on/off and storage are the app's), wrapping the registered views so that the
    views themselves stay unaware of the limits."""
    limiter = Limiter(key_func=person_or_address, app=app)
    app.extensions["rate_limiter"] = limiter
    for endpoint, (limits, methods) in FORM_LIMITS.items():
        limited = limiter.limit(limits, methods=list(methods))
        app.view_functions[endpoint] = limited(app.view_functions[endpoint])
    for budget, (limits, endpoints) in PERSON_BUDGETS.items():
        shared = limiter.shared_limit(limits, scope=budget, methods=list(WRITE_METHODS))
        for endpoint in endpoints:
            app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.partition(".")[0] in API_BLUEPRINTS:
            view = limiter.shared_limit(API_CALLS_PER_TOKEN, scope="api_calls", key_func=api_caller)(view)
            view = limiter.shared_limit(API_WRITES, scope="api_writes", methods=list(WRITE_METHODS))(view)
            app.view_functions[endpoint] = view


def wait_before_retrying() -> str:
    """How long until the limit that was hit lets the person in again, in words of their language."""
    limit = current_app.extensions["rate_limiter"].current_limit
    seconds = max(1, round(limit.reset_at - time.time())) if limit is not None else 60
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5, add_direction=False)
