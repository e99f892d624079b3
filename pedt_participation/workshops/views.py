"""Moderators enter the supports collected on paper at workshops."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, restrict_pages
from ..consultations.services import published_actions
from ..errors import refusal_shown
from ..extensions import db
from ..models import Action, Audience, Consultation
from ..moderation.services import moderated_consultation
from ..templating import local_today
from . import services
from .forms import WorkshopForm

bp = Blueprint("workshops", __name__, url_prefix="/moderation")
restrict_pages(bp, Permission.ENTER_MODERATION)


def _cell(action_id: int, audience: Audience) -> str:
    return f"c-{action_id}-{audience.value}"


def _read_counts(actions: list[Action]) -> tuple[services.Counts, dict[str, str], list[str]]:
    """Every cell of the grid: the numbers, what was typed (to show it again), and the errors."""
    counts: services.Counts = {}
    typed: dict[str, str] = {}
    errors: list[str] = []
    for action in actions:
        for audience in Audience:
            name = _cell(action.id, audience)
            raw = request.form.get(name, "").strip()
            typed[name] = raw
            if not raw:
                continue
            if not raw.isdecimal():  # what `int` reads: digits of any script, not "²"
                errors.append(_("« %(value)s » n’est pas un nombre (action « %(title)s »).", value=raw, title=action.title))
                continue
            counts[(action.id, audience)] = int(raw)
    return counts, typed, errors


def _page(consultation: Consultation, form: WorkshopForm, typed: dict, errors: list[str], workshop=None, status=200):
    return (
        render_template(
            "workshops/index.html",
            consultation=consultation,
            workshops=services.workshops_with_totals(consultation),
            actions=published_actions(consultation),
            audiences=list(Audience),
            cell=_cell,
            form=form,
            typed=typed,
            errors=errors,
            workshop=workshop,
        ),
        status,
    )


@bp.get("/<slug>/workshops")
def index(slug: str):
    consultation = moderated_consultation(current_user, slug)
    return _page(consultation, WorkshopForm(formdata=None), {}, [])


@bp.get("/<slug>/workshops/<int:workshop_id>")
def edit(slug: str, workshop_id: int):
    consultation = moderated_consultation(current_user, slug)
    workshop = services.workshop_of(consultation, workshop_id)
    typed = {_cell(action_id, audience): str(n) for (action_id, audience), n in services.counts_of(workshop).items()}
    form = WorkshopForm(formdata=None, held_on=workshop.held_on, place=workshop.place)
    return _page(consultation, form, typed, [], workshop=workshop)


@bp.post("/<slug>/workshops", defaults={"workshop_id": None})
@bp.post("/<slug>/workshops/<int:workshop_id>")
def save(slug: str, workshop_id: int | None):
    consultation = moderated_consultation(current_user, slug)
    workshop = services.workshop_of(consultation, workshop_id) if workshop_id else None
    form = WorkshopForm()
    counts, typed, errors = _read_counts(published_actions(consultation))
    if not form.validate_on_submit():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors] + errors
    if not errors:
        with refusal_shown(errors):
            services.save_workshop(
                current_user,
                consultation,
                held_on=form.held_on.data,
                place=form.place.data,
                counts=counts,
                today=local_today(),
                workshop=workshop,
            )
            db.session.commit()
            flash(_("Votes papier de l’atelier « %(place)s » enregistrés.", place=form.place.data.strip()), "success")
            return redirect(url_for("workshops.index", slug=slug), 303)
    return _page(consultation, form, typed, errors, workshop=workshop, status=422)
