"""Management pages: the consultations a person manages, and the editor of one's words and dates."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, require, restrict_pages
from ..consultations.services import get_consultation
from ..errors import refusal_shown
from ..extensions import db
from ..models.types import utcnow
from . import services
from .forms import ConsultationForm

bp = Blueprint("management", __name__, url_prefix="/gestion")
restrict_pages(bp, Permission.MANAGE)


@bp.get("/")
def index():
    return render_template("management/index.html", consultations=services.managed_consultations(current_user))


@bp.route("/<slug>/", methods=["GET", "POST"])
def edit(slug: str):
    consultation = get_consultation(slug)
    require(current_user, Permission.MANAGE, consultation)
    values = services.current_values(consultation)
    form = ConsultationForm.filled_with(values, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with refusal_shown(form=form):
            changed = services.edit_consultation(current_user, consultation, form.edit(), utcnow())
            db.session.commit()
            flash(_("Consultation enregistrée.") if changed else _("Rien n’a changé."), "success")
            return redirect(url_for("management.edit", slug=consultation.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("management/edit.html", consultation=consultation, form=form), status
