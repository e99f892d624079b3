"""Vote and withdraw: validate, call the voting service, commit, go back where the person was. A vote pressed
before signing in is held in the session and cast once the person has signed in or registered."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Blueprint, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..consultations.services import get_visible_action, get_vote_target
from ..errors import NotFound, refusal_shown
from ..extensions import db
from ..languages.services import ngettext
from ..messages import flash_beside
from ..models import Action, Participant, VoteKind
from ..navigation import safe_next_url
from . import services
from .forms import VoteForm

bp = Blueprint("voting", __name__)

RECORDED_MESSAGES = {
    VoteKind.SUPPORT: _l("Votre soutien est enregistré."),
    VoteKind.OPINION: _l("Votre avis est enregistré."),
    VoteKind.GRADE: _l("Votre mention est enregistrée."),
}
WITHDRAWN_MESSAGES = {
    VoteKind.SUPPORT: _l("Votre soutien est retiré."),
    VoteKind.OPINION: _l("Votre avis est retiré."),
    VoteKind.GRADE: _l("Votre mention est retirée."),
}


# The session's key holding a vote pressed before signing in, and how long it waits for the sign-in: long enough
# to create an account, short enough that the next person on a shared computer does not inherit it.
HELD_VOTE = "held_vote"
HELD_VOTE_SECONDS = 15 * 60


def _back_address(action_id: int) -> str:
    """Where the vote was pressed (the list's card, an embed), by default the action page's vote panel: the browser
    lands on the controls, and the answer is beside them."""
    return safe_next_url(url_for("consultations.action", action_id=action_id, _anchor="vote"))


def _back(action_id: int):
    return redirect(_back_address(action_id), 303)


def _place(action: services.Votable, kind: VoteKind) -> str:
    """The element beside the controls of this kind of vote on this action, where its answer is shown."""
    return f"vote-{action.id}-{kind.value}"


def _remaining_message(action: services.Votable) -> str:
    """Asked before the commit, which would expire the action and the person and make them load again."""
    remaining = services.supports_remaining(current_user, [action.orientation])[action.orientation_id]
    if remaining is None:
        return ""
    if remaining == 0:
        return _("Vous avez utilisé tous vos soutiens pour cette orientation.")
    return ngettext(
        "Il vous reste %(num)s soutien pour cette orientation.",
        "Il vous reste %(num)s soutiens pour cette orientation.",
        remaining,
    )


def _record(participant: Participant, action: services.Votable, vote_kind: VoteKind, value: int) -> None:
    """Casts the vote and commits; its confirmation, or the refusal saying why, goes beside the action's controls."""
    with refusal_shown(beside=_place(action, vote_kind)):
        services.cast_vote(participant, action, vote_kind, value)
        message = str(RECORDED_MESSAGES[vote_kind])
        if vote_kind == VoteKind.SUPPORT:
            message = f"{message} {_remaining_message(action)}".strip()
        db.session.commit()
        flash_beside(_place(action, vote_kind), message, "success")


@bp.post("/actions/<int:action_id>/votes/<any(support, opinion, grade):kind>")
def cast(action_id: int, kind: str):
    """A visitor's vote is held until they sign in (see `cast_held_vote`): the sign-in page is one step, not a
    detour that makes them find the action and press again."""
    action = get_vote_target(action_id, current_user if current_user.is_authenticated else None)
    vote_kind = VoteKind(kind)
    form = VoteForm()
    value = 1 if vote_kind == VoteKind.SUPPORT else form.value.data
    if not form.validate_on_submit() or value is None:
        flash_beside(_place(action, vote_kind), _("Choisissez une réponse avant d’envoyer."), "error")
        return _back(action.id)
    if not current_user.is_authenticated:
        back = _back_address(action.id)
        session[HELD_VOTE] = {"action_id": action.id, "kind": vote_kind.value, "value": value, "back": back,
                              "pressed_at": time.time()}
        # 302, as for any page that needs a signed-in person.
        return redirect(url_for("auth.login", next=back))
    _record(current_user, action, vote_kind, value)
    return _back(action_id)


@dataclass(frozen=True)
class HeldVote:
    """A vote a visitor pressed, waiting for them to sign in."""

    action: Action
    kind: VoteKind
    value: int
    back: str


def held_vote(take: bool = False) -> HeldVote | None:
    """The vote this browser pressed before signing in, if still fresh and its action still shown to all;
    `take` removes it from the session (to cast it, before signing in clears the session)."""
    held = session.pop(HELD_VOTE, None) if take else session.get(HELD_VOTE)
    if not isinstance(held, dict) or time.time() - held["pressed_at"] > HELD_VOTE_SECONDS:
        return None
    kind = VoteKind(held["kind"])
    if held["value"] not in services.VALID_VALUES[kind]:
        return None
    try:
        action = get_visible_action(held["action_id"], None)
    except NotFound:
        return None
    return HeldVote(action, kind, held["value"], held["back"])


def cast_held_vote(participant: Participant, held: HeldVote | None, default: str) -> str:
    """After signing in or registering: casts the vote pressed before, with every usual rule (its answer beside
    the action), and gives the address to land on: the action where it was pressed, else `default`."""
    if held is None:
        return default
    _record(participant, held.action, held.kind, held.value)
    return safe_next_url(default, held.back)


@bp.post("/votes/en-attente/annuler")
def forget_held_vote():
    """The visitor changed their mind on the sign-in page: nothing will be cast."""
    session.pop(HELD_VOTE, None)
    return redirect(safe_next_url(url_for("consultations.home")), 303)


@bp.post("/actions/<int:action_id>/votes/<any(support, opinion, grade):kind>/withdraw")
@login_required
def withdraw(action_id: int, kind: str):
    action = get_vote_target(action_id, current_user)
    vote_kind = VoteKind(kind)
    with refusal_shown(beside=_place(action, vote_kind)):
        withdrawn = services.withdraw_vote(current_user, action, vote_kind)
        message = str(WITHDRAWN_MESSAGES[vote_kind]) if withdrawn else ""
        if withdrawn and vote_kind == VoteKind.SUPPORT:
            message = f"{message} {_remaining_message(action)}".strip()
        db.session.commit()
        if message:
            flash_beside(_place(action, vote_kind), message, "success")
    return _back(action_id)
