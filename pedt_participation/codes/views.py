"""Participation codes: the managers' page (batches, their printed sheet, revoking one) and the form where a
person enters the code they received on paper."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..authorization import Permission, require
from ..consultations.services import get_consultation, get_public_consultation
from ..errors import refusal_shown
from ..extensions import db
from ..messages import flash_beside
from . import services
from .documents import slips_pdf
from .forms import BatchForm, CodeForm, RevokeForm

bp = Blueprint("codes", __name__)


def _managed(slug: str):
    consultation = get_consultation(slug)
    require(current_user, Permission.MANAGE, consultation)
    return consultation


def _index_page(consultation, form: BatchForm, status: int = 200):
    return render_template(
        "codes/index.html", consultation=consultation, form=form, batches=services.batches(consultation)
    ), status


@bp.get("/gestion/<slug>/codes")
@login_required
def index(slug: str):
    return _index_page(_managed(slug), BatchForm(formdata=None))


@bp.post("/gestion/<slug>/codes")
@login_required
def generate(slug: str):
    consultation = _managed(slug)
    form = BatchForm()
    if form.validate_on_submit():
        with refusal_shown(form=form):
            batch = services.generate_batch(current_user, consultation, form.label.data or "", form.count.data or 0)
            db.session.commit()
            flash(_("Lot « %(label)s » créé : imprimez sa feuille de codes.", label=batch.label), "success")
            return redirect(url_for("codes.index", slug=slug, _anchor=f"lot-{batch.id}"), 303)
    return _index_page(consultation, form, 422)


@bp.get("/gestion/<slug>/codes/<int:batch_id>/codes.pdf")
@login_required
def sheet(slug: str, batch_id: int):
    """The batch's codes not yet used, eight cut-out slips per A4 page, each with its QR code."""
    consultation = _managed(slug)
    batch = services.batch_of(consultation, batch_id)
    links = {
        slip["code"]: url_for("consultations.consultation", slug=slug, code=slip["code"], _external=True)
        for slip in services.slips(batch)
    }
    pdf = slips_pdf(consultation, batch, services.slips(batch), links)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="codes-{slug}-{batch.id}.pdf"'},
    )


@bp.route("/gestion/<slug>/codes/<int:batch_id>/revoquer", methods=["GET", "POST"])
@login_required
def revoke(slug: str, batch_id: int):
    """Confirmed on its own page, which says that the votes bound through the batch stop counting."""
    consultation = _managed(slug)
    batch = services.batch_of(consultation, batch_id)
    form = RevokeForm()
    if form.validate_on_submit():
        services.revoke_batch(current_user, batch, form.reason.data or "")
        db.session.commit()
        flash(_("Lot « %(label)s » révoqué : ses codes ne servent plus et ses votes ne comptent plus.", label=batch.label), "success")
        return redirect(url_for("codes.index", slug=slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("codes/revoke.html", consultation=consultation, batch=batch, form=form), status


@bp.post("/consultations/<slug>/code")
@login_required
def enter(slug: str):
    consultation = get_public_consultation(slug, current_user)
    form = CodeForm()
    place = "code-de-participation"
    if not form.validate_on_submit():
        for error in form.code.errors:
            flash_beside(place, error, "error")
    else:
        with refusal_shown(beside=place):
            services.bind_code(current_user, consultation, form.code.data or "")
            db.session.commit()
            flash_beside(place, _("Votre code est enregistré : vous pouvez voter."), "success")
    return redirect(url_for("consultations.consultation", slug=slug, _anchor=place), 303)
