"""The person's notifications."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..decisions.forms import DecisionEmailsForm
from ..extensions import db
from . import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    return render_template(
        "notifications/index.html",
        notifications=services.latest(current_user),
        decision_emails_form=DecisionEmailsForm(formdata=None, wanted=current_user.decision_emails),
    )


@bp.post("/read")
@login_required
def mark_read():
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), 303)
