"""Write, reply, rate and delete comments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..consultations.services import get_visible_action
from ..consultations.views import render_action_page
from ..errors import refusal_shown
from ..extensions import db
from ..models import Alignment, Comment
from . import services
from .forms import CommentForm, DeletionForm, RatingForm

bp = Blueprint("comments", __name__)


def comment_url(comment: Comment) -> str:
    """The page of the action's comments that shows this one, in the order the reader chose, anchored on it."""
    order = request.args.get("order", services.CommentOrder.OLDEST, type=services.CommentOrder)
    return url_for(
        "consultations.action",
        action_id=comment.action_id,
        order=order,
        page=services.page_of_comment(comment, order),
        _anchor=f"commentaire-{comment.id}",
    )


@bp.get("/comments/<int:comment_id>")
def show(comment_id: int):
    """A lasting link to one comment (moderation pages, messages): it moves from page to page as others come."""
    comment = db.get_or_404(Comment, comment_id)
    get_visible_action(comment.action_id, current_user if current_user.is_authenticated else None)
    return redirect(comment_url(comment))


@bp.post("/actions/<int:action_id>/comments")
@login_required
def create(action_id: int):
    action = get_visible_action(action_id, current_user)
    form = CommentForm()
    if form.validate_on_submit():
        with refusal_shown(form.body.errors):
            comment = services.add_comment(
                current_user,
                action,
                form.body.data,
                Alignment(form.alignment.data),
                form.parent_id.data,
                idempotency_key=form.idempotency_key.data,
            )
            db.session.commit()
            flash(_("Votre commentaire est publié. Merci !"), "success")
            return redirect(comment_url(comment), 303)
    if form.parent_id.data:
        return render_action_page(action, reply_form=form, status=422)
    return render_action_page(action, comment_form=form, status=422)


def _visible_comment(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    get_visible_action(comment.action_id, current_user)
    return comment


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    comment = _visible_comment(comment_id)
    form = DeletionForm()
    if not form.validate_on_submit() or form.confirmed.data != "oui":
        flash(_("Votre commentaire n’est pas supprimé : confirmez avec le bouton « Oui, supprimer »."), "error")
        return redirect(comment_url(comment), 303)
    with refusal_shown():
        services.delete_comment(current_user, comment)
        db.session.commit()
        flash(_("Votre commentaire est supprimé. Les réponses restent visibles."), "success")
    return redirect(comment_url(comment), 303)


@bp.post("/comments/<int:comment_id>/rate")
@login_required
def rate(comment_id: int):
    comment = _visible_comment(comment_id)
    form = RatingForm()
    if not form.validate_on_submit() or form.value.data not in (-1, 1):
        abort(400)
    with refusal_shown():
        services.rate_comment(current_user, comment, form.value.data)
        db.session.commit()
    return redirect(comment_url(comment), 303)
