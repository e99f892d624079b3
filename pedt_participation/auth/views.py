"""Sign up, sign in, sign out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import ParticipationRefused
from ..extensions import db, login_manager
from ..models import AgeBracket, Audience, Participant
from ..navigation import safe_next_url
from . import services
from .forms import LoginForm, RegistrationForm

bp = Blueprint("auth", __name__, url_prefix="/auth")

login_manager.login_view = "auth.login"
login_manager.login_message = "Connectez-vous ou créez un compte pour participer."
login_manager.localize_callback = _
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_participant(participant_id: str) -> Participant | None:
    """A participant blocked since signing in loses their session at the next request."""
    participant = db.session.get(Participant, int(participant_id))
    return participant if participant is not None and participant.is_active else None


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("consultations.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            participant = services.register_participant(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                audience=Audience(form.audience.data),
                age_bracket=AgeBracket(form.age_bracket.data),
                neighbourhood=form.neighbourhood.data,
                school=form.school.data,
                parent_email=form.parent_email.data,
                parental_consent=form.parental_consent.data,
            )
        except ParticipationRefused as refusal:
            form.email.errors.append(refusal.message)
        else:
            db.session.commit()
            login_user(participant)
            flash(_("Bienvenue %(name)s ! Votre compte est créé : vous pouvez voter et commenter.", name=participant.display_name), "success")
            return redirect(safe_next_url(url_for("consultations.home")), 303)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(url_for("consultations.home")))
    form = LoginForm()
    if form.validate_on_submit():
        participant = services.authenticate(form.email.data, form.password.data)
        if participant is not None and not participant.is_active:
            form.email.errors.append(
                _(
                    "Ce compte est bloqué par l’équipe de modération (raison : %(reason)s). Pour le contester, "
                    "écrivez à l’équipe de la consultation.",
                    reason=participant.blocked_reason,
                )
            )
        elif participant is not None:
            login_user(participant, remember=form.remember.data)
            flash(_("Vous êtes connecté."), "success")
            return redirect(safe_next_url(url_for("consultations.home")), 303)
        form.password.errors.append(_("E-mail ou mot de passe incorrect. Vérifiez-les et réessayez."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté. À bientôt !"), "success")
    return redirect(url_for("consultations.home"), 303)
