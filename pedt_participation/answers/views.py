"""Moderators write and publish the town's official answers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..consultations.services import published_actions
from ..errors import ParticipationRefused
from ..extensions import db
from ..languages.services import ngettext
from ..models import Action, AnswerState
from ..moderation.services import moderated_consultation, require_staff
from . import services
from .forms import AnswerForm

bp = Blueprint("answers", __name__, url_prefix="/moderation")


@bp.before_request
@login_required
def _staff_only():
    require_staff(current_user)


def _form(action: Action) -> AnswerForm:
    return AnswerForm(
        prefix=f"r{action.id}",
        formdata=None,
        state=(action.answer_draft_state or AnswerState.EVALUATING).value,
        text=action.answer_draft_text,
    )


@bp.get("/<slug>/answers")
def index(slug: str):
    consultation = moderated_consultation(current_user, slug)
    rows = [(action, _form(action)) for action in published_actions(consultation)]
    return render_template("answers/index.html", consultation=consultation, rows=rows)


@bp.post("/<slug>/answers/<int:action_id>")
def save(slug: str, action_id: int):
    consultation = moderated_consultation(current_user, slug)
    action = db.session.get(Action, action_id)
    if action is None or action.orientation.consultation_id != consultation.id:
        abort(404)
    form = AnswerForm(prefix=f"r{action.id}")
    if not form.validate_on_submit():
        flash(_("Choisissez une décision dans la liste."), "error")
    else:
        try:
            services.save_draft(current_user, action, AnswerState(form.state.data), form.text.data or "")
        except ParticipationRefused as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
        else:
            db.session.commit()
            flash(_("Brouillon enregistré pour « %(title)s ». Il n’est pas encore visible.", title=action.title), "success")
    return redirect(url_for("answers.index", slug=slug, _anchor=f"action-{action.id}"), 303)


@bp.post("/<slug>/answers/publish")
def publish(slug: str):
    consultation = moderated_consultation(current_user, slug)
    chosen = [int(value) for value in request.form.getlist("action_ids") if value.isdecimal()]
    try:
        published = services.publish_answers(current_user, consultation, chosen)
    except ParticipationRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "%(num)s réponse publiée ; les participants concernés sont prévenus.",
                "%(num)s réponses publiées ; les participants concernés sont prévenus.",
                len(published),
            ),
            "success",
        )
    return redirect(url_for("answers.index", slug=slug), 303)
