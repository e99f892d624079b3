"""Moderators write and publish the town's official answers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, restrict_pages
from ..consultations.services import published_actions
from ..errors import refusal_shown
from ..extensions import db
from ..languages.services import ngettext
from ..models import Action, AnswerState
from ..moderation.services import action_in, moderated_consultation
from . import services
from .forms import AnswerForm

bp = Blueprint("answers", __name__, url_prefix="/moderation")
restrict_pages(bp, Permission.ENTER_MODERATION)


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
    action = action_in(consultation, action_id)
    form = AnswerForm(prefix=f"r{action.id}")
    if not form.validate_on_submit():
        flash(_("Choisissez une décision dans la liste."), "error")
    else:
        with refusal_shown():
            services.save_draft(current_user, action, AnswerState(form.state.data), form.text.data or "")
            db.session.commit()
            flash(_("Brouillon enregistré pour « %(title)s ». Il n’est pas encore visible.", title=action.title), "success")
    return redirect(url_for("answers.index", slug=slug, _anchor=f"action-{action_id}"), 303)


@bp.post("/<slug>/answers/publish")
def publish(slug: str):
    consultation = moderated_consultation(current_user, slug)
    chosen = [int(value) for value in request.form.getlist("action_ids") if value.isdecimal()]
    with refusal_shown():
        published = services.publish_answers(current_user, consultation, chosen)
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
