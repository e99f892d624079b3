"""The person's data ("Mes données": a JSON copy, erasure of the account) and the privacy notice."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.sessions import sign_out
from ..extensions import db
from ..models import ErasureReason
from . import services
from .forms import ErasureForm

bp = Blueprint("privacy", __name__)


@bp.get("/confidentialite")
def notice():
    return render_template("privacy/notice.html")


@bp.get("/mes-donnees")
@login_required
def my_data():
    return render_template("privacy/my_data.html")


@bp.get("/mes-donnees/export.json")
@login_required
def export():
    content = json.dumps(services.export_data(current_user), ensure_ascii=False, indent=2)
    return Response(
        content, mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mes-donnees.json"'},
    )


@bp.route("/mes-donnees/supprimer", methods=["GET", "POST"])
@login_required
def erase():
    form = ErasureForm()
    if form.validate_on_submit():
        services.erase_account(current_user, ErasureReason.SELF_SERVICE)
        sign_out()
        db.session.commit()
        flash(_("Votre compte est supprimé. Vos votes restent comptés, sans votre nom. Merci d’avoir participé."), "success")
        return redirect(url_for("consultations.home"), 303)
    return render_template("privacy/erase.html", form=form), 422 if form.errors else 200
