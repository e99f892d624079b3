"""Signing in and out of this browser: the glue between Flask-Login's cookies and the sign-in sessions kept in the
database (`SignInSession`), which is what lets a sign-out end a session for good."""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user

from ..extensions import db, login_manager
from ..models import Participant
from . import services

# Where Flask-Login keeps what `Participant.get_id` gave (the participant and the key of their sign-in session),
# also restored there from the "stay signed in" cookie.
FLASK_LOGIN_USER_ID = "_user_id"
# The session's key holding the seed of the random order a visitor sees the actions in (consultations.views).
RANDOM_ORDER_SEED = "random_order_seed"


@login_manager.user_loader
def load_participant(user_id: str) -> Participant | None:
    """The person the cookie names, while their sign-in session is open (not ended by a sign-out, here or
    everywhere, a new password or a change of role, nor past its idle or absolute lifetime) and their account is
    not blocked."""
    participant_id, _colon, key = user_id.partition(":")
    if not participant_id.isdigit() or len(participant_id) > 18 or not key:
        return None
    participant, changed = services.participant_signed_in(int(participant_id), key)
    if changed:
        # The session's last activity, or the end of an expired one: small, and needed whatever the view does.
        db.session.commit()
    if participant is None or not participant.is_active:
        return None
    participant.sign_in_key = key
    return participant


def sign_in(participant: Participant, remember: bool = False) -> None:
    """Opens a sign-in session for this browser in a new Flask session: nothing set before signing in is kept, so
    a CSRF token (or anything else) planted or read before it is worth nothing after, except the seed of the
    order the visitor saw the actions in, which grants nothing. The caller commits."""
    participant.sign_in_key = services.open_sign_in_session(participant, remember)
    seed = session.get(RANDOM_ORDER_SEED)
    session.clear()
    if seed is not None:
        session[RANDOM_ORDER_SEED] = seed
    login_user(participant, remember=remember)


def sign_out() -> None:
    """Ends this browser's sign-in session on the server (its cookies, copied or not, open nothing any more) and
    clears the Flask session. The caller commits."""
    _participant_id, _colon, key = session.get(FLASK_LOGIN_USER_ID, "").partition(":")
    if key:
        services.end_sign_in_session(key)
    session.clear()
    # After clearing: it marks the "stay signed in" cookie to be deleted.
    logout_user()
