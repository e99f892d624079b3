"""Moderators' pages: their consultations and the proposal queue. Every route needs the right to
moderate that consultation (admins: all; moderators: those they are assigned to)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from ..authorization import Permission, blockable, require, require_block, restrict_pages
from ..consultations.services import published_actions, similar_actions
from ..errors import refusal_shown
from ..extensions import db
from ..models import Action, Comment, Consultation, Orientation, Participant, RefusalCategory
from ..navigation import safe_next_url
from . import services
from .duplicates import duplicate_signals
from .forms import ApproveForm, MergeForm, RejectForm

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
restrict_pages(bp, Permission.ENTER_MODERATION)


def _consultation(slug: str) -> Consultation:
    return services.moderated_consultation(current_user, slug)


def _pending(action_id: int) -> Action:
    action = db.get_or_404(Action, action_id)
    require(current_user, Permission.MODERATE, action.orientation.consultation)
    return action


@bp.get("/")
def dashboard():
    consultations = services.moderated_consultations(current_user)
    sizes = services.queue_sizes(consultations)
    return render_template(
        "moderation/dashboard.html", consultations=consultations, pending=sizes.pending, reported=sizes.reported
    )


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


def _back_with_form_errors(action: Action, form):
    flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
    return _back_to_queue(action)


def _orientation_choices(consultation: Consultation) -> list[SelectChoice]:
    return [SelectChoice(o.id, f"{o.position}. {o.title}") for o in consultation.orientations]


@bp.post("/proposals/<int:action_id>/approve")
def approve(action_id: int):
    action = _pending(action_id)
    consultation = action.orientation.consultation
    form = ApproveForm(prefix=f"a{action.id}")
    form.orientation_id.choices = _orientation_choices(consultation)
    if not form.validate_on_submit():
        return _back_with_form_errors(action, form)
    with refusal_shown():
        services.approve_proposal(
            current_user,
            action,
            title=form.title.data,
            body=form.body.data or "",
            orientation=db.session.get(Orientation, form.orientation_id.data),
        )
        db.session.commit()
        flash(_("Proposition publiée : « %(title)s ».", title=action.title), "success")
    return _back_to_queue(action)


@bp.post("/proposals/<int:action_id>/reject")
def reject(action_id: int):
    action = _pending(action_id)
    form = RejectForm(prefix=f"r{action.id}")
    if not form.validate_on_submit():
        return _back_with_form_errors(action, form)
    with refusal_shown():
        services.reject_proposal(current_user, action, RefusalCategory(form.category.data), form.reason.data)
        db.session.commit()
        flash(_("Proposition refusée ; son auteur en est informé."), "success")
    return _back_to_queue(action)


@bp.post("/proposals/<int:action_id>/merge")
def merge(action_id: int):
    action = _pending(action_id)
    form = MergeForm(prefix=f"m{action.id}")
    form.target_id.choices = [SelectChoice(a.id, a.title) for a in published_actions(action.orientation.consultation)]
    if not form.validate_on_submit():
        return _back_with_form_errors(action, form)
    with refusal_shown():
        services.merge_actions(current_user, action, db.session.get(Action, form.target_id.data))
        db.session.commit()
        flash(_("Proposition regroupée ; son auteur en est informé."), "success")
    return _back_to_queue(action)


@bp.get("/<slug>/reports")
def reports(slug: str):
    consultation = _consultation(slug)
    hidden_comments, hidden_actions = services.hidden_content(consultation)
    queue = services.report_queue(consultation)
    reported_people = [item.target.participant or (item.target.comment and item.target.comment.author) for item in queue]
    return render_template(
        "moderation/reports.html",
        consultation=consultation,
        queue=queue,
        blockable=blockable(current_user, consultation, [person for person in reported_people if person]),
        hidden_comments=hidden_comments,
        hidden_actions=hidden_actions,
        blocked=services.blocked_participants(current_user, consultation),
    )


@bp.get("/<slug>/doublons")
def duplicates(slug: str):
    consultation = _consultation(slug)
    signals = duplicate_signals(consultation)
    accounts = {person.id: person for signal in signals for person in signal.accounts}
    return render_template(
        "moderation/duplicates.html",
        consultation=consultation,
        signals=signals,
        blockable=blockable(current_user, consultation, accounts.values()),
    )


MODERATION_STEPS = {
    "hide": (services.hide, _l("Contenu masqué.")),
    "unhide": (services.unhide, _l("Contenu rétabli.")),
    "dismiss": (services.dismiss_reports, _l("Signalements classés sans suite ; le contenu est visible.")),
}


@bp.post("/<slug>/<any(comment, action):kind>/<int:target_id>/<any(hide, unhide, dismiss):step>")
def moderate_content(slug: str, kind: str, target_id: int, step: str):
    consultation = _consultation(slug)
    target = services.target_in(consultation, {"comment": Comment, "action": Action}[kind], target_id)
    operation, done = MODERATION_STEPS[step]
    with refusal_shown():
        operation(current_user, consultation, target, request.form.get("reason", "").strip())
        db.session.commit()
        flash(str(done), "success")
    return redirect(url_for("moderation.reports", slug=slug), 303)


PARTICIPANT_STEPS = {
    "block": (services.block, _l("Compte bloqué.")),
    "unblock": (services.unblock, _l("Compte débloqué.")),
    "hold": (services.hold_votes, _l("Votes retenus : ils ne comptent plus jusqu’à ce que vous les libériez.")),
    "release": (services.release_votes, _l("Votes libérés : ils comptent de nouveau.")),
}


@bp.post("/<slug>/participants/<int:participant_id>/<any(block, unblock, hold, release):step>")
def moderate_participant(slug: str, participant_id: int, step: str):
    """Back where the moderator was: the reports, or the duplicate signals (`next`)."""
    consultation = _consultation(slug)
    participant = db.get_or_404(Participant, participant_id)
    back = redirect(safe_next_url(url_for("moderation.reports", slug=slug)), 303)
    require_block(current_user, participant, consultation)
    if step == "block" and request.form.get("confirmed") != "oui":
        flash(_("Le compte n’est pas bloqué : confirmez avec le bouton « Oui, bloquer »."), "error")
        return back
    operation, done = PARTICIPANT_STEPS[step]
    with refusal_shown():
        operation(current_user, consultation, participant, request.form.get("reason", ""))
        db.session.commit()
        flash(str(done), "success")
    return back
