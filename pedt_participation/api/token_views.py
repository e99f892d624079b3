"""Admin pages for API tokens: issue one (its secret shown once), see those in use, revoke one.
Nested in the admin blueprint (/admin/jetons-api), whose admins-only check covers every page here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.services import participant_with_email
from ..extensions import db
from ..models import ApiToken
from . import services
from .forms import TokenForm

bp = Blueprint("api_tokens", __name__, url_prefix="/jetons-api")


def _index(form: TokenForm, status: int = 200):
    return render_template("api/tokens.html", tokens=services.active_tokens(), form=form, revoke_form=FlaskForm()), status


@bp.get("/")
def index():
    return _index(TokenForm())


@bp.post("/")
def issue():
    form = TokenForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    owner = None
    if form.owner_email.data:
        owner = participant_with_email(form.owner_email.data)
        if owner is None:
            form.owner_email.errors.append(_("Aucun compte n’a cette adresse. Vérifiez-la, ou laissez le champ vide."))
            return _index(form, 422)
    token, secret = services.issue_token(form.name.data, owner=owner, issued_by=current_user)
    db.session.commit()
    # Shown here only, once: the page must not be kept by a browser or a proxy.
    return render_template("api/token_secret.html", token=token, secret=secret), 200, {"Cache-Control": "no-store"}


@bp.post("/<int:token_id>/revoquer")
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if FlaskForm().validate_on_submit():
        services.revoke_token(token)
        db.session.commit()
        flash(_("Le jeton « %(name)s » est révoqué : les demandes qui le portent sont refusées.", name=token.name), "success")
    return redirect(url_for(".index"), code=303)
