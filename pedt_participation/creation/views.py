"""Creating a consultation (blank, or from a file previewed row by row first) and copying one for next year: admins
(`Permission.CREATE_CONSULTATION`). Importing a file into a draft, and the import templates: its managers too."""

from __future__ import annotations

import base64
import binascii
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, require, restrict_pages
from ..consultations.services import get_consultation
from ..errors import NotFound, ParticipationRefused, refusal_shown
from ..extensions import db
from ..languages.services import ngettext
from ..models.types import utcnow
from . import services
from .forms import IdentityForm, ImportForm, NewConsultationForm
from .importing import (
    IMPORT_MAX_BYTES,
    SPREADSHEET_FORMATS,
    TEMPLATE_ROWS,
    ImportPlan,
    plan_import,
    read_upload,
    spreadsheet,
)

bp = Blueprint("creation", __name__, url_prefix="/gestion")
restrict_pages(bp, Permission.MANAGE)

_MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}
# The previewed file comes back in base64, a third bigger; a little room for the other fields.
_PREVIEWED_FILE_FIELD_BYTES = IMPORT_MAX_BYTES * 4 // 3 + 4096


@bp.url_value_preprocessor
def _room_for_the_file(endpoint: str | None, values: dict | None) -> None:
    """Set before the CSRF check reads the form: an upload a little over the limit reaches the page, which says
    so beside the field; far over it, the request is refused before it is read."""
    if endpoint in ("creation.new", "creation.import_file"):
        request.max_form_memory_size = _PREVIEWED_FILE_FIELD_BYTES
        request.max_content_length = _PREVIEWED_FILE_FIELD_BYTES * 2


def _plan(form: ImportForm) -> tuple[ImportPlan | None, bool]:
    """The plan of the file just sent, to preview before anything is created; or, with the create button, of the
    previewed file sent back, confirmed. (None, True) when no file was given at all."""
    upload = form.file.data
    if upload and upload.filename:
        content = upload.read()
        form.content.data, form.file_name.data = base64.b64encode(content).decode(), upload.filename
        return plan_import(read_upload(upload.filename, content)), False
    if not form.content.data:
        return None, True
    try:
        content = base64.b64decode(form.content.data, validate=True)
    except binascii.Error as error:
        raise ParticipationRefused(_("Le fichier vérifié n’a pas pu être relu : envoyez-le à nouveau."),
                                   field="file") from error
    plan = plan_import(read_upload(form.file_name.data or "", content))
    if "create" not in request.form:
        form.file.errors = [_("Choisissez le fichier à vérifier.")]
        return plan, False
    return plan, True


@bp.route("/nouvelle", methods=["GET", "POST"])
def new():
    require(current_user, Permission.CREATE_CONSULTATION)
    form = NewConsultationForm()
    plan: ImportPlan | None = None
    if form.validate_on_submit():
        with refusal_shown(form=form):
            plan, confirmed = _plan(form)
            if confirmed:
                consultation = services.create_consultation(
                    current_user, form.title.data or "", form.slug.data or "", utcnow(), plan, form.file_name.data or ""
                )
                db.session.commit()
                flash(_("Consultation « %(title)s » créée, en brouillon : seule l’équipe la voit.",
                        title=consultation.title), "success")
                return redirect(url_for("management.edit", slug=consultation.slug), 303)
    return render_template("creation/new.html", form=form, plan=plan, formats=SPREADSHEET_FORMATS), _status(form, plan)


@bp.route("/<slug>/import", methods=["GET", "POST"])
def import_file(slug: str):
    consultation = get_consultation(slug)
    require(current_user, Permission.MANAGE, consultation)
    form = ImportForm()
    plan: ImportPlan | None = None
    if form.validate_on_submit():
        with refusal_shown(form=form):
            plan, confirmed = _plan(form)
            if plan is None:
                form.file.errors = [_("Choisissez le fichier à importer.")]
            elif confirmed:
                services.import_into_draft(current_user, consultation, plan, form.file_name.data or "", utcnow())
                db.session.commit()
                orientations = ngettext("%(num)s orientation", "%(num)s orientations", len(plan.orientations))
                actions = ngettext("%(num)s action", "%(num)s actions", plan.action_count)
                flash(_("Import terminé : %(orientations)s et %(actions)s ajoutées.", orientations=orientations,
                        actions=actions), "success")
                return redirect(url_for("management.edit", slug=consultation.slug), 303)
    return render_template("creation/import.html", consultation=consultation, form=form, plan=plan,
                           formats=SPREADSHEET_FORMATS), _status(form, plan)


def _status(form: ImportForm, plan: ImportPlan | None) -> int:
    if request.method == "GET":
        return 200
    return 422 if form.errors or plan is None or plan.errors else 200


@bp.get("/modele.<extension>")
def template(extension: str):
    if extension not in SPREADSHEET_FORMATS:
        raise NotFound()
    return send_file(
        io.BytesIO(spreadsheet(TEMPLATE_ROWS, extension)),
        mimetype=_MEDIA_TYPES[extension],
        as_attachment=True,
        download_name=f"modele-consultation.{extension}",
    )


@bp.route("/<slug>/copie", methods=["GET", "POST"])
def copy(slug: str):
    require(current_user, Permission.CREATE_CONSULTATION)
    source = get_consultation(slug)
    now = utcnow()
    title, new_slug = services.next_year_identity(source, now)
    form = IdentityForm(data={"title": title, "slug": new_slug})
    if form.validate_on_submit():
        with refusal_shown(form=form):
            consultation = services.copy_consultation(current_user, source, form.title.data or "", form.slug.data or "", now)
            db.session.commit()
            flash(_("Copie créée, en brouillon : donnez-lui ses dates de l’année, puis publiez-la."), "success")
            return redirect(url_for("management.edit", slug=consultation.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("creation/copy.html", form=form, source=source), status
