"""The language switch (every page) and the moderators' pages to translate actions and orientations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, restrict_pages
from ..consultations.services import published_actions
from ..errors import refusal_shown
from ..extensions import db
from ..moderation.services import moderated_consultation
from ..navigation import safe_next_url
from . import services
from .forms import ContentTranslationForm, LanguageForm

bp = Blueprint("languages", __name__)
moderation_bp = Blueprint("translations", __name__, url_prefix="/moderation")
restrict_pages(moderation_bp, Permission.ENTER_MODERATION)


@bp.post("/langue")
def choose():
    form = LanguageForm()
    back = safe_next_url(url_for("consultations.home"))
    if not form.validate_on_submit():
        flash(_("Choisissez une langue dans la liste."), "error")
        return redirect(back, 303)
    services.remember_locale(current_user if current_user.is_authenticated else None, form.locale.data)
    db.session.commit()
    response = redirect(back, 303)
    response.set_cookie(
        services.LOCALE_COOKIE,
        form.locale.data,
        max_age=services.LOCALE_COOKIE_MAX_AGE,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite=current_app.config["SESSION_COOKIE_SAMESITE"],
    )
    return response


@moderation_bp.get("/<slug>/traductions")
def index(slug: str):
    consultation = moderated_consultation(current_user, slug)
    return render_template(
        "languages/index.html",
        consultation=consultation,
        actions=published_actions(consultation),
        translated_languages=services.translated_languages,
    )


@moderation_bp.route("/<slug>/traductions/<kind>/<int:item_id>", methods=["GET", "POST"])
def edit(slug: str, kind: str, item_id: int):
    consultation = moderated_consultation(current_user, slug)
    item = services.translatable(consultation, kind, item_id)
    form = ContentTranslationForm(data=services.translation_fields(item))
    if form.validate_on_submit():
        with refusal_shown():
            services.save_translations(item, form.data)
            db.session.commit()
            flash(_("Traductions enregistrées pour « %(title)s ».", title=item.title), "success")
        return redirect(url_for(".index", slug=slug), 303)
    status = 422 if form.errors else 200
    return render_template("languages/edit.html", consultation=consultation, item=item, kind=kind, form=form), status
