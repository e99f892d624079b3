"""Vote and withdraw: validate, call the voting service, commit, go back where the person was."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..consultations.services import get_visible_action
from ..errors import refusal_shown
from ..extensions import db
from ..languages.services import ngettext
from ..messages import flash_beside
from ..models import VoteKind
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


def _back(action_id: int):
    """Back where the vote was pressed (the list's card, an embed), by default to the action page's vote panel:
    the browser lands on the controls, and the answer is beside them."""
    return redirect(safe_next_url(url_for("consultations.action", action_id=action_id, _anchor="vote")), 303)


def _place(action, kind: VoteKind) -> str:
    """The element beside the controls of this kind of vote on this action, where its answer is shown."""
    return f"vote-{action.id}-{kind.value}"


def _remaining_message(action) -> str:
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


@bp.post("/actions/<int:action_id>/votes/<any(support, opinion, grade):kind>")
@login_required
def cast(action_id: int, kind: str):
    action = get_visible_action(action_id, current_user, texts=False)
    vote_kind = VoteKind(kind)
    form = VoteForm()
    value = 1 if vote_kind == VoteKind.SUPPORT else form.value.data
    if not form.validate_on_submit() or value is None:
        flash_beside(_place(action, vote_kind), _("Choisissez une réponse avant d’envoyer."), "error")
        return _back(action.id)
    with refusal_shown(beside=_place(action, vote_kind)):
        services.cast_vote(current_user, action, vote_kind, value)
        message = str(RECORDED_MESSAGES[vote_kind])
        if vote_kind == VoteKind.SUPPORT:
            message = f"{message} {_remaining_message(action)}".strip()
        db.session.commit()
        flash_beside(_place(action, vote_kind), message, "success")
    return _back(action_id)


@bp.post("/actions/<int:action_id>/votes/<any(support, opinion, grade):kind>/withdraw")
@login_required
def withdraw(action_id: int, kind: str):
    action = get_visible_action(action_id, current_user, texts=False)
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
