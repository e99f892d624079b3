"""Creating a consultation (blank, or from a file previewed row by row first), the import templates, and the copy of a
consultation for next year. Admins only (`Permission.CREATE_CONSULTATION`)."""

from __future__ import annotations

import base64
import binascii
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, restrict_pages
from ..consultations.services import get_consultation
from ..errors import NotFound, ParticipationRefused, refusal_shown
from ..extensions import db
from ..models.types import utcnow
from . import services
from .forms import IdentityForm, NewConsultationForm
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
restrict_pages(bp, Permission.CREATE_CONSULTATION)

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
    if endpoint == "creation.new":
        request.max_form_memory_size = _PREVIEWED_FILE_FIELD_BYTES
        request.max_content_length = _PREVIEWED_FILE_FIELD_BYTES * 2


@bp.route("/nouvelle", methods=["GET", "POST"])
def new():
    form = NewConsultationForm()
    plan: ImportPlan | None = None
    if form.validate_on_submit():
        with refusal_shown(form=form):
            upload = form.file.data
            if upload and upload.filename:
                content = upload.read()
                form.content.data, form.file_name.data = base64.b64encode(content).decode(), upload.filename
                plan = plan_import(read_upload(upload.filename, content))
                # A new file is always previewed first.
                return _page(form, plan, 422 if plan.errors else 200)
            if form.content.data:
                plan = plan_import(read_upload(form.file_name.data or "", _previewed_file(form.content.data)))
                if "create" not in request.form:
                    raise ParticipationRefused(_("Choisissez le fichier à vérifier."), field="file")
            consultation = services.create_consultation(
                current_user, form.title.data or "", form.slug.data or "", utcnow(), plan, form.file_name.data or ""
            )
            db.session.commit()
            flash(_("Consultation « %(title)s » créée, en brouillon : seule l’équipe la voit.", title=consultation.title),
                  "success")
            return redirect(url_for("management.edit", slug=consultation.slug), 303)
    return _page(form, plan, 422 if request.method == "POST" else 200)


def _page(form: NewConsultationForm, plan: ImportPlan | None, status: int):
    return render_template("creation/new.html", form=form, plan=plan, formats=SPREADSHEET_FORMATS), status


def _previewed_file(encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise ParticipationRefused(_("Le fichier vérifié n’a pas pu être relu : envoyez-le à nouveau."),
                                   field="file") from error


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
