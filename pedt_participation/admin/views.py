"""Admin pages: roles, moderator and manager assignments, and the moderation log with filters."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..api.token_views import bp as api_tokens_bp
from ..authorization import Permission, restrict_pages
from ..errors import refusal_shown
from ..extensions import db
from ..labels import MODERATION_ACTION_LABELS
from ..models import ManagerAssignment, ModerationAction, Participant, Role
from ..webhooks.views import bp as webhooks_bp
from . import services
from .forms import LogFilterForm, RoleForm
from .log_descriptions import log_details, log_target

bp = Blueprint("admin", __name__, url_prefix="/admin")
# /admin/webhooks and /admin/jetons-api: nested, so that the admins-only check below covers their pages too.
bp.register_blueprint(webhooks_bp)
bp.register_blueprint(api_tokens_bp)
restrict_pages(bp, Permission.ADMINISTER)


def _consultation_choices() -> list[SelectChoice]:
    return [SelectChoice(c.id, c.title) for c in services.consultations_by_title()]


def _role_form(participant: Participant | None = None, formdata=None) -> RoleForm:
    form = RoleForm(formdata=formdata, prefix=f"p{participant.id}") if participant else RoleForm()
    form.consultations.choices = form.managed.choices = _consultation_choices()
    if participant is not None and formdata is None:
        form.role.data = participant.role.value
        form.consultations.data = sorted(services.assignments_of(participant))
        form.managed.data = sorted(services.assignments_of(participant, ManagerAssignment))
    return form


@bp.get("/participants")
def participants():
    search = request.args.get("q", "")
    rows = [(p, _role_form(p)) for p in services.find_participants(search)]
    return render_template("admin/participants.html", rows=rows, search=search)


@bp.post("/participants/<int:participant_id>/role")
def set_role(participant_id: int):
    participant = db.get_or_404(Participant, participant_id)
    form = _role_form(participant, formdata=request.form)
    if form.validate_on_submit():
        with refusal_shown():
            services.set_role(
                current_user,
                participant,
                Role(form.role.data),
                set(form.consultations.data or []),
                set(form.managed.data or []),
            )
            db.session.commit()
            flash(_("Rôle de %(name)s enregistré.", name=participant.display_name), "success")
    else:
        flash(_("Le rôle n’a pas pu être enregistré : choisissez un rôle dans la liste."), "error")
    return redirect(url_for("admin.participants", q=request.args.get("q", "")), 303)


@bp.get("/moderation-log")
def moderation_log():
    form = LogFilterForm(request.args)
    form.consultation.choices = [SelectChoice("", _("Toutes"))] + _consultation_choices()
    form.moderator.choices = [SelectChoice("", _("Tous"))] + [SelectChoice(p.id, p.display_name) for p in services.staff()]
    form.action.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(a.value, label) for a, label in MODERATION_ACTION_LABELS.items()
    ]
    form.validate()
    filters = services.LogFilters(
        consultation_id=form.consultation.data if not form.consultation.errors else None,
        moderator_id=form.moderator.data if not form.moderator.errors else None,
        action=ModerationAction(form.action.data) if form.action.data and not form.action.errors else None,
        since=form.since.data if not form.since.errors else None,
        until=form.until.data if not form.until.errors else None,
    )
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries, total = services.log_entries(filters, page)
    return render_template(
        "admin/moderation_log.html",
        form=form,
        entries=entries,
        total=total,
        page=page,
        page_size=services.LOG_PAGE_SIZE,
        log_target=log_target,
        log_details=log_details,
    )
