"""The decisions page (committee, managers, admins), its publication, the public "Résultats et décisions" page,
and the person's choice of e-mails about decisions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..authorization import Permission, require
from ..consultations.services import get_consultation, get_public_consultation, published_actions
from ..errors import NotFound, refusal_shown
from ..extensions import db
from ..languages.services import ngettext
from ..models import Consultation, utcnow
from . import services
from .forms import DecisionEmailsForm, DecisionForm

bp = Blueprint("decisions", __name__)


def _decided_consultation(slug: str) -> Consultation:
    consultation = get_consultation(slug)
    require(current_user, Permission.DECIDE, consultation)
    return consultation


def _editor(consultation: Consultation, posted: tuple[int, DecisionForm] | None = None, status: int = 200):
    """Every published action with its decision form; `posted` is a form sent back with its errors, as typed."""
    actions = published_actions(consultation)
    decisions = services.decisions_of([a.id for a in actions])
    rows = []
    for action in actions:
        if posted is not None and posted[0] == action.id:
            form = posted[1]
        else:
            form = DecisionForm.for_action(action.id, decisions.get(action.id))
        rows.append((action, decisions.get(action.id), form))
    return (
        render_template(
            "decisions/index.html",
            consultation=consultation,
            rows=rows,
            blocked=services.why_decisions_cannot_change(consultation, utcnow()),
            drafts=len(services.drafts_to_publish(consultation)),
        ),
        status,
    )


@bp.get("/decisions/<slug>/")
@login_required
def index(slug: str):
    return _editor(_decided_consultation(slug))


@bp.post("/decisions/<slug>/actions/<int:action_id>")
@login_required
def save(slug: str, action_id: int):
    consultation = _decided_consultation(slug)
    action = next((a for a in published_actions(consultation) if a.id == action_id), None)
    if action is None:
        raise NotFound()
    form = DecisionForm.for_action(action.id, None, formdata=request.form)
    if form.validate_on_submit():
        with refusal_shown(form=form):
            changed = services.record_decision(current_user, action, form.edit(), utcnow())
            db.session.commit()
            if changed:
                flash(_("Décision enregistrée pour « %(title)s ».", title=action.title), "success")
            else:
                flash(_("Rien n’a changé pour « %(title)s ».", title=action.title), "success")
            return redirect(url_for("decisions.index", slug=slug, _anchor=f"action-{action.id}"), 303)
    return _editor(consultation, posted=(action.id, form), status=422)


@bp.route("/decisions/<slug>/publier", methods=["GET", "POST"])
@login_required
def publish(slug: str):
    consultation = _decided_consultation(slug)
    if request.method == "POST":
        with refusal_shown():
            published = services.publish_decisions(current_user, consultation, utcnow())
            db.session.commit()
            flash(
                ngettext(
                    "%(num)s décision publiée ; les personnes qui ont participé à ces actions sont prévenues.",
                    "%(num)s décisions publiées ; les personnes qui ont participé à ces actions sont prévenues.",
                    len(published),
                ),
                "success",
            )
            return redirect(url_for("decisions.results", slug=slug), 303)
        return redirect(url_for("decisions.publish", slug=slug), 303)
    drafts = services.drafts_to_publish(consultation)
    people = services.participants_of([action.id for action, _decision in drafts]) if drafts else {}
    return render_template(
        "decisions/publish.html",
        consultation=consultation,
        drafts=drafts,
        people=len(people),
        blocked=services.why_decisions_cannot_change(consultation, utcnow()),
    )


@bp.get("/consultations/<slug>/resultats")
def results(slug: str):
    consultation = get_public_consultation(slug)
    if not consultation.vote_has_ended(utcnow()):
        raise NotFound()
    return render_template("decisions/results.html", consultation=consultation, rows=services.results(consultation))


@bp.post("/notifications/e-mails-decisions")
@login_required
def decision_emails():
    form = DecisionEmailsForm()
    if form.validate_on_submit():
        services.set_decision_emails(current_user, form.wanted.data)
        db.session.commit()
        if form.wanted.data:
            flash(_("Vous recevrez aussi les décisions par e-mail."), "success")
        else:
            flash(_("Vous ne recevrez plus les décisions par e-mail."), "success")
    return redirect(url_for("notifications.index"), 303)
