"""Moderators' pages: their consultations and the proposal queue. Every route needs the right to
moderate that consultation (admins: all; moderators: those they are assigned to)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ..consultations.services import published_actions, similar_actions
from ..errors import ParticipationRefused
from ..extensions import db
from ..models import Action, Comment, Consultation, Orientation, Participant
from ..reports.services import Target
from . import services
from .forms import ApproveForm, MergeForm, RejectForm

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.before_request
@login_required
def _staff_only():
    services.require_staff(current_user)


def _consultation(slug: str) -> Consultation:
    return services.moderated_consultation(current_user, slug)


def _pending(action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    services.require_moderation_rights(current_user, action.orientation.consultation)
    return action


@bp.get("/")
def dashboard():
    consultations = services.moderated_consultations(current_user)
    pending = {c.id: len(services.pending_proposals(c)) for c in consultations}
    reported = {c.id: len(services.report_queue(c)) for c in consultations}
    return render_template("moderation/dashboard.html", consultations=consultations, pending=pending, reported=reported)


def _forms_for(action: Action, consultation: Consultation, targets: list[Action]):
    approve = ApproveForm(prefix=f"a{action.id}", formdata=None, title=action.title, body=action.body, orientation_id=action.orientation_id)
    approve.orientation_id.choices = _orientation_choices(consultation)
    merge = MergeForm(prefix=f"m{action.id}", formdata=None)
    suggested = similar_actions(consultation, f"{action.title} {action.body}", exclude=action.id)
    ordered = suggested + [t for t in targets if t not in suggested]
    merge.target_id.choices = [SelectChoice(t.id, t.title) for t in ordered]
    return approve, RejectForm(prefix=f"r{action.id}", formdata=None), merge, suggested


@bp.get("/<slug>/proposals")
def proposals(slug: str):
    consultation = _consultation(slug)
    targets = published_actions(consultation)
    queue = [(action, *_forms_for(action, consultation, targets)) for action in services.pending_proposals(consultation)]
    return render_template("moderation/proposals.html", consultation=consultation, queue=queue)


def _back_to_queue(action: Action):
    return redirect(url_for("moderation.proposals", slug=action.orientation.consultation.slug), 303)


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _orientation_choices(consultation: Consultation) -> list[SelectChoice]:
    return [SelectChoice(o.id, f"{o.position}. {o.title}") for o in consultation.orientations]


def _refused(action: Action, message: str):
    db.session.rollback()
    flash(message, "error")
    return _back_to_queue(action)


@bp.post("/proposals/<int:action_id>/approve")
def approve(action_id: int):
    action = _pending(action_id)
    consultation = action.orientation.consultation
    form = ApproveForm(prefix=f"a{action.id}")
    form.orientation_id.choices = _orientation_choices(consultation)
    if not form.validate_on_submit():
        return _refused(action, _form_errors(form))
    try:
        services.approve_proposal(
            current_user,
            action,
            title=form.title.data,
            body=form.body.data or "",
            orientation=db.session.get(Orientation, form.orientation_id.data),
        )
    except ParticipationRefused as refusal:
        return _refused(action, refusal.message)
    db.session.commit()
    flash(_("Proposition publiée : « %(title)s ».", title=action.title), "success")
    return _back_to_queue(action)


@bp.post("/proposals/<int:action_id>/reject")
def reject(action_id: int):
    action = _pending(action_id)
    form = RejectForm(prefix=f"r{action.id}")
    if not form.validate_on_submit():
        return _refused(action, _form_errors(form))
    try:
        services.reject_proposal(current_user, action, form.reason.data)
    except ParticipationRefused as refusal:
        return _refused(action, refusal.message)
    db.session.commit()
    flash(_("Proposition refusée ; son auteur en est informé."), "success")
    return _back_to_queue(action)


@bp.post("/proposals/<int:action_id>/merge")
def merge(action_id: int):
    action = _pending(action_id)
    form = MergeForm(prefix=f"m{action.id}")
    form.target_id.choices = [SelectChoice(a.id, a.title) for a in published_actions(action.orientation.consultation)]
    if not form.validate_on_submit():
        return _refused(action, _form_errors(form))
    try:
        services.merge_actions(current_user, action, db.session.get(Action, form.target_id.data))
    except ParticipationRefused as refusal:
        return _refused(action, refusal.message)
    db.session.commit()
    flash(_("Proposition regroupée ; son auteur en est informé."), "success")
    return _back_to_queue(action)


@bp.get("/<slug>/reports")
def reports(slug: str):
    consultation = _consultation(slug)
    hidden_comments, hidden_actions = services.hidden_content(consultation)
    return render_template(
        "moderation/reports.html",
        consultation=consultation,
        queue=services.report_queue(consultation),
        hidden_comments=hidden_comments,
        hidden_actions=hidden_actions,
        blocked=services.blocked_participants(),
    )


def _target_in(consultation: Consultation, kind: str, target_id: int) -> Target:
    """The comment or action, provided it belongs to this consultation (404 otherwise)."""
    model = {"comment": Comment, "action": Action}[kind]
    target = db.session.get(model, target_id)
    action = None if target is None else (target if kind == "action" else db.session.get(Action, target.action_id))
    if action is None or action.orientation.consultation_id != consultation.id:
        abort(404)
    return Target(comment=target) if kind == "comment" else Target(action=target)


MODERATION_STEPS = {
    "hide": (services.hide, _l("Contenu masqué.")),
    "unhide": (services.unhide, _l("Contenu rétabli.")),
    "dismiss": (services.dismiss_reports, _l("Signalements classés sans suite ; le contenu est visible.")),
}


@bp.post("/<slug>/<any(comment, action):kind>/<int:target_id>/<any(hide, unhide, dismiss):step>")
def moderate_content(slug: str, kind: str, target_id: int, step: str):
    consultation = _consultation(slug)
    target = _target_in(consultation, kind, target_id)
    operation, done = MODERATION_STEPS[step]
    try:
        operation(current_user, consultation, target, request.form.get("reason", "").strip())
    except ParticipationRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(str(done), "success")
    return redirect(url_for("moderation.reports", slug=slug), 303)


@bp.post("/<slug>/participants/<int:participant_id>/<any(block, unblock):step>")
def moderate_participant(slug: str, participant_id: int, step: str):
    consultation = _consultation(slug)
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        abort(404)
    try:
        if step == "block":
            services.block(current_user, consultation, participant, request.form.get("reason", ""))
        else:
            services.unblock(current_user, consultation, participant, request.form.get("reason", ""))
    except ParticipationRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("Compte bloqué.") if step == "block" else _("Compte débloqué."), "success")
    return redirect(url_for("moderation.reports", slug=slug), 303)
