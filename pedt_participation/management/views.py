"""Management pages: the consultations a person manages; for each, its words and dates with the steps of its life,
its orientations and official actions, and its settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, require, restrict_pages
from ..consultations.services import get_consultation
from ..errors import refusal_shown
from ..extensions import db
from ..models import ProfileListKind
from ..models.types import utcnow
from . import lifecycle, profile_lists, services, settings, structure
from .forms import (
    AnswerMappingForm,
    ConfirmForm,
    ConsultationForm,
    ItemForm,
    MoveForm,
    ProfileListsForm,
    SettingsForm,
    ThemeForm,
)
from .structure import Direction

bp = Blueprint("management", __name__, url_prefix="/gestion")
restrict_pages(bp, Permission.MANAGE)


def _managed(slug: str):
    consultation = get_consultation(slug)
    require(current_user, Permission.MANAGE, consultation)
    return consultation


@bp.get("/")
def index():
    return render_template("management/index.html", consultations=services.managed_consultations(current_user))


@bp.route("/<slug>/", methods=["GET", "POST"])
def edit(slug: str):
    consultation = _managed(slug)
    values = services.current_values(consultation)
    form = ConsultationForm.filled_with(values, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with refusal_shown(form=form):
            changed = services.edit_consultation(current_user, consultation, form.edit(), utcnow())
            db.session.commit()
            flash(_("Consultation enregistrée.") if changed else _("Rien n’a changé."), "success")
            return redirect(url_for("management.edit", slug=consultation.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "management/edit.html",
        consultation=consultation,
        form=form,
        steps=lifecycle.available_steps(consultation, utcnow()),
        step_labels=lifecycle.STEP_LABELS,
    ), status


@bp.route("/<slug>/etape/<any(publish, open_voting, close_voting, archive):step>", methods=["GET", "POST"])
def step(slug: str, step: str):
    """Each step is confirmed on its own page, which says what it does, before it is taken."""
    consultation = _managed(slug)
    chosen = lifecycle.Step(step)
    form = ConfirmForm()
    refusals: list[str] = []
    if form.validate_on_submit():
        with refusal_shown(refusals):
            lifecycle.take_step(chosen, consultation, current_user, utcnow())
            db.session.commit()
            flash(_("C’est fait : %(step)s.", step=lifecycle.STEP_LABELS[chosen]), "success")
            return redirect(url_for("management.edit", slug=consultation.slug), 303)
    available = chosen in lifecycle.available_steps(consultation, utcnow())
    if request.method == "GET" and not available:
        refusals.append(lifecycle.not_available_message(chosen, consultation))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "management/step.html",
        available=available,
        consultation=consultation,
        form=form,
        step=chosen,
        label=lifecycle.STEP_LABELS[chosen],
        consequence=lifecycle.STEP_CONSEQUENCES[chosen],
        refusals=refusals,
    ), status


@bp.route("/<slug>/reglages", methods=["GET", "POST"])
def settings_page(slug: str):
    consultation = _managed(slug)
    values = settings.current_settings(consultation)
    form = SettingsForm.filled_with(values, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with refusal_shown(form=form):
            changed = settings.edit_settings(current_user, consultation, form.settings())
            db.session.commit()
            flash(_("Réglages enregistrés.") if changed else _("Rien n’a changé."), "success")
            return redirect(url_for("management.settings_page", slug=consultation.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("management/settings.html", consultation=consultation, form=form), status


@bp.route("/<slug>/listes", methods=["GET", "POST"])
def profile_lists_page(slug: str):
    """The neighbourhoods and schools participants pick from, and the consultation's summary groups by."""
    consultation = _managed(slug)
    form = ProfileListsForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        for kind in ProfileListKind:
            form[kind.value].data = "\n".join(entry.label for entry in profile_lists.entries(consultation, kind))
    if form.validate_on_submit():
        with refusal_shown(form=form):
            for kind in ProfileListKind:
                profile_lists.replace_entries(consultation, kind, form[kind.value].data or "")
            db.session.commit()
            flash(_("Listes enregistrées."), "success")
            return redirect(url_for("management.profile_lists_page", slug=consultation.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("management/profile_lists.html", consultation=consultation, form=form), status


@bp.route("/<slug>/listes/reponses", methods=["GET", "POST"])
def answer_mapping_page(slug: str):
    """Free-text answers given before the lists, merged one by one into an entry; the others count as "Autre"."""
    consultation = _managed(slug)
    form = AnswerMappingForm()
    if form.validate_on_submit():
        with refusal_shown(form=form):
            entry = profile_lists.map_answer(
                consultation, ProfileListKind(form.kind.data), form.answer.data or "", form.entry_id.data
            )
            db.session.commit()
            flash(_("« %(answer)s » compte désormais comme « %(label)s ».", answer=form.answer.data, label=entry.label),
                  "success")
            return redirect(url_for("management.answer_mapping_page", slug=consultation.slug), 303)
    lists = {
        kind: (profile_lists.entries(consultation, kind), profile_lists.unmapped_answers(consultation, kind))
        for kind in ProfileListKind
    }
    status = 422 if request.method == "POST" else 200
    return render_template("management/answer_mapping.html", consultation=consultation, lists=lists), status


@bp.get("/<slug>/structure")
def structure_page(slug: str):
    consultation = _managed(slug)
    return render_template(
        "management/structure.html",
        consultation=consultation,
        official_actions=structure.official_actions,
        move_form=MoveForm(formdata=None),
        theme_form=ThemeForm(formdata=None),
    )


@bp.post("/<slug>/structure/theme")
def rename_theme(slug: str):
    """The theme's new name, for every orientation under it."""
    consultation = _managed(slug)
    form = ThemeForm()
    if form.validate_on_submit():
        with refusal_shown():
            structure.rename_theme(current_user, consultation, form.theme.data, form.name.data or "")
            db.session.commit()
            flash(_("Thème enregistré."), "success")
        return redirect(url_for("management.structure_page", slug=slug), 303)
    return render_template("management/structure.html", consultation=consultation,
                           official_actions=structure.official_actions, move_form=MoveForm(formdata=None),
                           theme_form=form), 422


def _item_page(consultation, form: ItemForm, kind: str, item=None, orientation=None, status: int = 200):
    return render_template(
        "management/item.html",
        consultation=consultation,
        form=form,
        kind=kind,
        item=item,
        orientation=orientation,
        themes=structure.themes(consultation),
    ), status


@bp.route("/<slug>/structure/orientation/nouvelle", methods=["GET", "POST"])
def add_orientation(slug: str):
    consultation = _managed(slug)
    form = ItemForm()
    if form.validate_on_submit():
        with refusal_shown(form=form):
            orientation = structure.add_orientation(current_user, consultation, form.edit())
            db.session.commit()
            flash(_("Orientation ajoutée : « %(title)s ».", title=orientation.title), "success")
            return redirect(url_for("management.structure_page", slug=slug, _anchor=f"orientation-{orientation.id}"), 303)
    return _item_page(consultation, form, "orientation", status=422 if request.method == "POST" else 200)


@bp.route("/<slug>/structure/orientation/<int:orientation_id>/action/nouvelle", methods=["GET", "POST"])
def add_action(slug: str, orientation_id: int):
    consultation = _managed(slug)
    orientation = structure.orientation_of(consultation, orientation_id)
    form = ItemForm()
    if form.validate_on_submit():
        with refusal_shown(form=form):
            action = structure.add_action(current_user, orientation, form.edit())
            db.session.commit()
            flash(_("Action ajoutée : « %(title)s ».", title=action.title), "success")
            return redirect(url_for("management.structure_page", slug=slug, _anchor=f"action-{action.id}"), 303)
    return _item_page(consultation, form, "action", orientation=orientation,
                      status=422 if request.method == "POST" else 200)


@bp.route("/<slug>/structure/<any(orientation, action):kind>/<int:item_id>", methods=["GET", "POST"])
def edit_item(slug: str, kind: str, item_id: int):
    consultation = _managed(slug)
    item = structure.item_of(consultation, kind, item_id)
    form = ItemForm.filled_with(structure.current_edit(item), formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with refusal_shown(form=form):
            changed = structure.edit_item(current_user, item, form.edit())
            db.session.commit()
            flash(_("Enregistré.") if changed else _("Rien n’a changé."), "success")
            return redirect(url_for("management.structure_page", slug=slug, _anchor=f"{kind}-{item.id}"), 303)
    return _item_page(consultation, form, kind, item=item, status=422 if request.method == "POST" else 200)


@bp.route("/<slug>/structure/<any(orientation, action):kind>/<int:item_id>/supprimer", methods=["GET", "POST"])
def remove_item(slug: str, kind: str, item_id: int):
    """Confirmed on its own page, which says why it is refused when people already took part."""
    consultation = _managed(slug)
    item = structure.item_of(consultation, kind, item_id)
    form = ConfirmForm()
    refusals: list[str] = []
    if form.validate_on_submit():
        with refusal_shown(refusals):
            title = item.title
            structure.remove_item(current_user, item)
            db.session.commit()
            flash(_("Supprimé : « %(title)s ».", title=title), "success")
            return redirect(url_for("management.structure_page", slug=slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "management/remove.html", consultation=consultation, item=item, kind=kind, form=form, refusals=refusals
    ), status


@bp.post("/<slug>/structure/<any(orientation, action):kind>/<int:item_id>/deplacer")
def move_item(slug: str, kind: str, item_id: int):
    consultation = _managed(slug)
    item = structure.item_of(consultation, kind, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return render_template("management/structure.html", consultation=consultation,
                               official_actions=structure.official_actions, move_form=form,
                               theme_form=ThemeForm(formdata=None)), 422
    with refusal_shown():
        structure.move_item(current_user, item, Direction(form.direction.data))
        db.session.commit()
    return redirect(url_for("management.structure_page", slug=slug, _anchor=f"{kind}-{item.id}"), 303)
