"""Report a comment, its author, or an action."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..comments.views import comment_url
from ..consultations.services import get_visible_action
from ..errors import refusal_shown
from ..extensions import db
from ..models import Action, Comment, ReportReason
from . import services
from .forms import ReportForm

bp = Blueprint("reports", __name__)


def _submit(action: Action, target: services.Target, form: ReportForm, back_to: str):
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    else:
        with refusal_shown():
            services.report(
                current_user, action.orientation.consultation, target, ReportReason(form.reason.data), form.details.data or ""
            )
            db.session.commit()
            flash(_("Merci, votre signalement est transmis à l’équipe de modération."), "success")
    return redirect(back_to, 303)


@bp.post("/comments/<int:comment_id>/report")
@login_required
def report_comment(comment_id: int):
    comment = db.session.get(Comment, comment_id)
    if comment is None or not comment.is_visible:
        abort(404)
    action = get_visible_action(comment.action_id, current_user)
    form = ReportForm()
    if form.about.data == "author" and comment.author is not None:
        target = services.Target(participant=comment.author)
    else:
        target = services.Target(comment=comment)
    return _submit(action, target, form, comment_url(comment))


@bp.post("/actions/<int:action_id>/report")
@login_required
def report_action(action_id: int):
    action = get_visible_action(action_id, current_user)
    back_to = url_for("consultations.action", action_id=action.id, _anchor="signaler-action")
    return _submit(action, services.Target(action=action), ReportForm(), back_to)
